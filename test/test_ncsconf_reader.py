"""ncs.conf reading: namespaces, ${VAR} expansion, defaults, redaction, hostile XML."""
from __future__ import annotations

import pytest

from factsbuilder import wrap
from secure_deploy.errors import InputError
from secure_deploy.facts.ncsconf import parse_ncs_conf, read_ncs_conf
from secure_deploy.facts.version import resolve_version

DUMMY_AES = "0123456789abcdef" * 2


def test_namespace_with_and_without_version_suffix():
    for ns in ("http://tail-f.com/yang/tailf-ncs-config", "http://tail-f.com/yang/tailf-ncs-config/1.0"):
        doc = f'<ncs-config xmlns="{ns}"><cli><ssh><enabled>false</enabled></ssh></cli></ncs-config>'
        c = parse_ncs_conf(doc.encode(), "x", "6.4")
        assert c.value("/ncs-config/cli/ssh/enabled") == "false"


def test_a_comment_inside_a_value_does_not_cut_it():
    # lxml's .text stops at a comment; the XML value (what NSO reads) is the whole text.
    c = parse_ncs_conf(wrap("<aaa><local-authentication><enabled>tr<!-- x -->ue<?pi y?></enabled>"
                            "</local-authentication></aaa>"), "x", "6.4")
    assert c.value("/ncs-config/aaa/local-authentication/enabled") == "true"
    from secure_deploy.facts.cdb import parse_cdb_xml
    cdb = parse_cdb_xml(b'<nacm xmlns="urn:ietf:params:xml:ns:yang:ietf-netconf-acm">'
                        b"<write-default>per<!-- x -->mit</write-default></nacm>", "n.xml")
    assert cdb.nacm.write_default == "permit"


def test_foreign_namespace_and_root_are_refused():
    with pytest.raises(InputError, match="namespace"):
        parse_ncs_conf(b'<ncs-config xmlns="urn:other"/>', "x", "6.4")
    with pytest.raises(InputError, match="not an ncs.conf"):
        parse_ncs_conf(b'<config/>', "x", "6.4")


def test_variables_are_expanded_and_raw_kept():
    c = parse_ncs_conf(wrap("<aaa><ssh-server-key-dir>${NCS_CONFIG_DIR}/ssh</ssh-server-key-dir></aaa>"),
                       "x", "6.4", {"NCS_CONFIG_DIR": "/etc/ncs"})
    n = c.node("/ncs-config/aaa/ssh-server-key-dir")
    assert n.text == "/etc/ncs/ssh" and n.raw == "${NCS_CONFIG_DIR}/ssh"
    unexpanded = parse_ncs_conf(wrap("<aaa><ssh-server-key-dir>${NCS_X}/ssh</ssh-server-key-dir></aaa>"), "x", "6.4")
    assert unexpanded.value("/ncs-config/aaa/ssh-server-key-dir") == "${NCS_X}/ssh"


def test_absent_element_takes_the_release_default():
    c64 = parse_ncs_conf(wrap(""), "x", "6.4")
    c66 = parse_ncs_conf(wrap(""), "x", "6.6")
    assert c64.effective("/ncs-config/crypt-hash/algorithm") == "md5"
    assert c66.effective("/ncs-config/crypt-hash/algorithm") == "sha-512"
    assert "absent" in c64.described("/ncs-config/crypt-hash/algorithm")


def test_inline_keys_are_reduced_to_properties():
    doc = wrap(f"<encrypted-strings><AESCFB128><key>{DUMMY_AES}</key>"
               f"<initVector>{DUMMY_AES}</initVector></AESCFB128></encrypted-strings>")
    c = parse_ncs_conf(doc, "x", "6.4")
    assert DUMMY_AES not in repr(c)
    keys = {k.name: k for k in c.inline_keys}
    assert keys["AESCFB128/key"].is_dummy and keys["AESCFB128/key"].well_formed
    assert c.value("/ncs-config/encrypted-strings/AESCFB128/key") == "<redacted>"


def test_key_rotation_generations_are_recorded():
    doc = wrap("<encrypted-strings><key-rotation><generation>3</generation><AES256CFB128>"
               f"<key>{'ab' * 32}</key></AES256CFB128></key-rotation></encrypted-strings>")
    (k,) = parse_ncs_conf(doc, "x", "6.4").inline_keys
    assert k.generation == 3 and not k.is_dummy and k.well_formed


BAD = {
    "empty": b"",
    "blank": b"   \n",
    "truncated": b'<ncs-config xmlns="http://tail-f.com/yang/tailf-ncs-config"><cli>',
    "binary": b"\x7fELF\x02\x01\x01\x00\x00\x00" + bytes(range(256)),
    "xxe": (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<ncs-config xmlns="http://tail-f.com/yang/tailf-ncs-config"><a>&x;</a></ncs-config>'),
    "billion-laughs": (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                       + b"".join(f'<!ENTITY lol{i} "{"&lol{};".format(i - 1 if i > 1 else "") * 10}">'.encode()
                                  for i in range(1, 10))
                       + b']><ncs-config xmlns="http://tail-f.com/yang/tailf-ncs-config">&lol9;</ncs-config>'),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_hostile_or_broken_input_is_a_clear_error(tmp_path, name):
    p = tmp_path / "ncs.conf"
    p.write_bytes(BAD[name])
    with pytest.raises(InputError) as e:
        read_ncs_conf(str(p), "6.4")
    assert str(p) in str(e.value)
    assert "root:" not in str(e.value)  # /etc/passwd content never shows up


def test_missing_and_unreadable_files(tmp_path):
    with pytest.raises(InputError, match="not found"):
        read_ncs_conf(str(tmp_path / "nope.conf"), "6.4")
    with pytest.raises(InputError, match="directory"):
        read_ncs_conf(str(tmp_path), "6.4")


def test_version_resolution(tmp_path):
    assert resolve_version("6.5.2").version == "6.5"
    (tmp_path / "VERSION").write_text("6.6.1\n")
    v = resolve_version(None, str(tmp_path))
    assert (v.version, v.source) == ("6.6", "$NCS_DIR/VERSION")
    assumed = resolve_version(None, None, environ={})
    assert assumed.source == "assumed" and "unknown" in assumed.statement
    with pytest.raises(InputError, match="not supported"):
        resolve_version("6.2")
    with pytest.raises(InputError, match="cannot read"):
        resolve_version("latest")
