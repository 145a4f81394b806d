"""xml_edit: targeted text edits keep every byte they do not need to change."""
from __future__ import annotations

import pytest

from secure_deploy.errors import InputError
from secure_deploy.harden.xml_edit import XmlText, redacted, scan

NS = "http://tail-f.com/yang/tailf-ncs-config"


def test_set_existing_leaf_keeps_everything_else():
    text = (f'<?xml version="1.0" encoding="UTF-8"?>\n<!-- head -->\n<ncs-config xmlns="{NS}">\n'
            '  <cli>\n    <prompt1>\\u@ncs&gt; </prompt1>\n    <ssh>\n      <enabled>true</enabled> <!-- x -->\n'
            '    </ssh>\n  </cli>\n</ncs-config>\n')
    doc = XmlText(text)
    assert doc.set_value(["cli", "ssh", "enabled"], "false")
    assert doc.text == text.replace("<enabled>true</enabled>", "<enabled>false</enabled>")


def test_insert_missing_path_uses_the_documents_indentation():
    text = f'<ncs-config xmlns="{NS}">\n    <aaa>\n        <pam/>\n    </aaa>\n</ncs-config>\n'
    doc = XmlText(text)
    doc.set_value(["aaa", "local-authentication", "enabled"], "false")
    assert doc.text == (f'<ncs-config xmlns="{NS}">\n    <aaa>\n        <pam/>\n'
                        '        <local-authentication>\n            <enabled>false</enabled>\n'
                        '        </local-authentication>\n    </aaa>\n</ncs-config>\n')


def test_inline_document_stays_inline():
    text = f'<ncs-config xmlns="{NS}"><aaa><pam><enabled>true</enabled></pam></aaa></ncs-config>'
    doc = XmlText(text)
    doc.set_value(["aaa", "pam", "service"], "system-auth")
    doc.set_value(["cli", "ssh", "enabled"], "false")
    assert doc.text == (f'<ncs-config xmlns="{NS}"><aaa><pam><enabled>true</enabled>'
                        '<service>system-auth</service></pam></aaa>'
                        '<cli><ssh><enabled>false</enabled></ssh></cli></ncs-config>')


def test_self_closing_root_and_leaf():
    doc = XmlText(f'<ncs-config xmlns="{NS}"/>')
    doc.set_value(["rollback", "enabled"], "true")
    assert doc.text == f'<ncs-config xmlns="{NS}"><rollback><enabled>true</enabled></rollback></ncs-config>'
    doc = XmlText(f'<ncs-config xmlns="{NS}">\n  <ssh><algorithms><mac/></algorithms></ssh>\n</ncs-config>')
    doc.set_value(["ssh", "algorithms", "mac"], "hmac-sha2-256")
    assert "<mac>hmac-sha2-256</mac>" in doc.text


def test_empty_multiline_root_gets_indented_children():
    doc = XmlText(f'<ncs-config xmlns="{NS}">\n</ncs-config>\n')
    doc.set_value(["crypt-hash", "algorithm"], "sha-512")
    assert doc.text == (f'<ncs-config xmlns="{NS}">\n  <crypt-hash>\n    <algorithm>sha-512</algorithm>\n'
                        '  </crypt-hash>\n</ncs-config>\n')


def test_prefixed_namespace_is_reused_for_new_elements():
    text = f'<c:ncs-config xmlns:c="{NS}">\n  <c:cli>\n    <c:enabled>true</c:enabled>\n  </c:cli>\n</c:ncs-config>\n'
    doc = XmlText(text)
    doc.set_value(["cli", "ssh", "enabled"], "false")
    assert "<c:ssh>" in doc.text and "<c:enabled>false</c:enabled>" in doc.text and "</c:ssh>" in doc.text


def test_comments_cdata_and_quoted_gt_are_not_elements():
    text = (f'<ncs-config xmlns="{NS}" a="x>y">\n  <!-- <cli><ssh><enabled>true</enabled></ssh></cli> -->\n'
            '  <x><![CDATA[<cli>]]></x>\n</ncs-config>\n')
    root = scan(text)
    assert [c.name for c in root.children] == ["x"]
    doc = XmlText(text)
    doc.set_value(["cli", "ssh", "enabled"], "false")
    assert "<!-- <cli><ssh><enabled>true</enabled></ssh></cli> -->" in doc.text
    assert doc.text.count("<enabled>false</enabled>") == 1


def test_crlf_files_stay_crlf():
    text = f'<ncs-config xmlns="{NS}">\r\n  <aaa>\r\n    <x>1</x>\r\n  </aaa>\r\n</ncs-config>\r\n'
    doc = XmlText(text)
    doc.set_value(["aaa", "expiration-warning"], "prompt")
    assert "\n" not in doc.text.replace("\r\n", "")
    doc.remove(["aaa", "x"], lambda v: False)
    assert doc.text == f'<ncs-config xmlns="{NS}">\r\n  <aaa>\r\n    <expiration-warning>prompt</expiration-warning>\r\n  </aaa>\r\n</ncs-config>\r\n'


def test_remove_takes_the_whole_line_and_only_rejected_values():
    text = f'<ncs-config xmlns="{NS}">\n  <ip>127.0.0.1</ip>\n  <ip>10.0.0.1</ip>\n  <y/>\n</ncs-config>\n'
    doc = XmlText(text)
    assert doc.remove(["ip"], lambda v: v.startswith("127.")) == ["10.0.0.1"]
    assert doc.text == f'<ncs-config xmlns="{NS}">\n  <ip>127.0.0.1</ip>\n  <y/>\n</ncs-config>\n'


def test_values_are_escaped():
    doc = XmlText(f'<ncs-config xmlns="{NS}"><a>1</a></ncs-config>')
    doc.set_value(["a"], "x<&y")
    assert "<a>x&lt;&amp;y</a>" in doc.text


def test_redacted_replaces_only_secret_leaves():
    text = (f'<ncs-config xmlns="{NS}"><encrypted-strings><AESCFB128><key>00112233445566778899aabbccddeeff</key>'
            '</AESCFB128></encrypted-strings><other>keep</other></ncs-config>')
    out = redacted(text, lambda p: "encrypted-strings" in p)
    assert "00112233" not in out and "<key><redacted></key>" in out and "<other>keep</other>" in out


def test_unbalanced_text_is_refused():
    with pytest.raises(InputError):
        scan("<a><b></a>")
