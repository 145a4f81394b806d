"""Regression tests for the wrong verdicts of issue 10 (each failed before its fix).

False PASS: authorization off in ncs.conf, the release-unknown default, sha-256,
listeners hidden in extra-listen/ha-primary-listen, the WebUI HTTP listener under
RESTCONF, `read exec` cmdrules, invalid booleans, foreign elements, duplicated leaves.
False FAIL: the guide's own production web settings, SSH algorithms with no SSH
server, the keys file of the machine running a --no-host audit, `display` warnings.
"""
from __future__ import annotations

import json
import os

import pytest

from factsbuilder import NS, Case, build_facts, wrap
from secure_deploy import registry
from secure_deploy.cli import main
from secure_deploy.engine import evaluate
from secure_deploy.facts.ncsconf import parse_ncs_conf
from secure_deploy.facts.types import Facts, Settings
from secure_deploy.harden.apply import harden_bytes
from secure_deploy.model import NsoVersionInfo, Status

NACM_NS = "urn:ietf:params:xml:ns:yang:ietf-netconf-acm"
CONFIG = "http://tail-f.com/ns/config/1.0"


def judge(rule_id: str, conf: str, version: str = "6.4", **kw) -> "object":
    return evaluate(registry.get(rule_id), build_facts(Case(rule_id, Status.PASS, conf, version=version, **kw)))


def unknown_release(rule_id: str, conf: str) -> "object":
    facts = Facts(version=NsoVersionInfo("6.4", "6.4", "assumed"), now="2026-11-26T12:00:00+00:00",
                  ncs_conf=parse_ncs_conf(wrap(conf), "ncs.conf", "6.4"))
    return evaluate(registry.get(rule_id), facts)


def _nacm(inner: str) -> str:
    return f'<config xmlns="{CONFIG}"><nacm xmlns="{NACM_NS}">{inner}</nacm></config>'


AUTHZ_OFF = "<aaa><authorization><enabled>false</enabled></authorization></aaa>"
GOOD_NACM = _nacm("<enable-nacm>true</enable-nacm><write-default>deny</write-default>")


# --- false PASS -------------------------------------------------------------------

def test_authorization_disabled_in_ncs_conf_fails_nacm_enforcement():
    r = judge("SD-NACM-001", AUTHZ_OFF, cdb_xml=GOOD_NACM)
    assert r.status is Status.FAIL and "authorization" in r.message
    # Without any CDB data too: the ncs.conf switch alone turns every check off.
    assert judge("SD-NACM-001", AUTHZ_OFF).status is Status.FAIL
    assert judge("SD-NACM-001", "", cdb_xml=GOOD_NACM).status is Status.PASS


@pytest.mark.parametrize("rule_id", ["SD-NACM-002", "SD-NACM-003", "SD-NACM-004", "SD-NACM-005"])
def test_authorization_disabled_fails_every_nacm_rule(rule_id):
    nacm = _nacm("<groups><group><name>ncsoper</name></group></groups>")
    assert judge(rule_id, AUTHZ_OFF, cdb_xml=nacm).status is Status.FAIL


def test_unknown_release_judges_the_host_key_by_the_strictest_default():
    r = unknown_release("SD-SSH-001", "")
    assert r.status is Status.FAIL
    assert "6.5" in r.message and "release unknown" in r.message


def test_unknown_release_passes_only_what_passes_on_every_release():
    assert unknown_release("SD-SSH-001", "<ssh><algorithms><server-host-key>ssh-ed25519</server-host-key>"
                                          "</algorithms></ssh>").status is Status.PASS
    assert unknown_release("SD-HASH-001", "").status is Status.FAIL          # md5 on 6.4/6.5
    assert unknown_release("SD-IPC-003", "").status is Status.FAIL           # off before 6.7


def test_audit_without_a_version_fails_an_empty_ncs_conf_on_the_host_key(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("NCS_DIR", raising=False)
    conf = tmp_path / "ncs.conf"
    conf.write_bytes(wrap(""))
    main(["audit", "--ncs-conf", str(conf), "--no-host", "-f", "json", "--rule", "SD-SSH-001"])
    (r,) = json.loads(capsys.readouterr().out)["results"]
    assert r["status"] == "fail"


def test_harden_without_a_version_pins_the_host_key_algorithm(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("NCS_DIR", raising=False)
    conf = tmp_path / "ncs.conf"
    conf.write_bytes(wrap("<webui><enabled>true</enabled></webui>"))
    main(["harden", "--ncs-conf", str(conf), "--diff-only"])
    diff = capsys.readouterr().out
    # 6.4 already defaults to ssh-ed25519 alone, 6.5+ do not; 6.6+ default to sha-512,
    # 6.4/6.5 do not; 6.5+ check the Host header, 6.4 does not; only 6.7 has local IPC on.
    for leaf in ("<server-host-key>ssh-ed25519</server-host-key>", "<algorithm>sha-512</algorithm>",
                 "<match-host-name>true</match-host-name>", "<ncs-local-ipc>"):
        assert leaf in diff, leaf


def test_harden_for_a_known_release_adds_nothing_that_release_defaults_to():
    res = harden_bytes(wrap(""), "ncs.conf", version="6.4")
    assert "/ncs-config/ssh/algorithms/server-host-key" not in {c.path for c in res.changes}


def test_sha256_crypt_hash_fails():
    assert judge("SD-HASH-001", "<crypt-hash><algorithm>sha-256</algorithm></crypt-hash>").status is Status.FAIL


def test_netconf_tcp_on_loopback_with_ha_primary_listen_on_all_addresses_fails():
    r = judge("SD-IF-005", "<netconf-north-bound><transport><tcp><enabled>true</enabled><ip>127.0.0.1</ip>"
                           "<ha-primary-listen><ip>0.0.0.0</ip><port>12023</port></ha-primary-listen>"
                           "</tcp></transport></netconf-north-bound>")
    assert r.status is Status.FAIL and "0.0.0.0:12023 (ha-primary-listen)" in r.message


def test_restconf_extra_listen_beside_https_is_flagged():
    r = judge("SD-IF-004", "<restconf><enabled>true</enabled><transport><ssl><enabled>true</enabled>"
                           "<cert-file>/etc/ncs/ssl/h.cert</cert-file></ssl><tcp><enabled>true</enabled>"
                           "<ip>127.0.0.1</ip><extra-listen><ip>0.0.0.0</ip><port>18009</port></extra-listen>"
                           "</tcp></transport></restconf>")
    assert r.status is Status.FAIL and "0.0.0.0:18009" in r.message


def test_webui_http_listener_carrying_restconf_is_flagged():
    # RESTCONF without its own transport rides on the WebUI's; the HTTP listener is on by default.
    conf = ("<restconf><enabled>true</enabled></restconf><webui><transport><ssl><enabled>true</enabled>"
            "<cert-file>/etc/ncs/ssl/h.cert</cert-file></ssl></transport></webui>")
    r = judge("SD-IF-003", conf)
    assert r.status is Status.FAIL and "RESTCONF" in r.message and "0.0.0.0:8008" in r.message


def test_accepted_exposure_names_every_listener():
    conf = ("<cli><ssh><enabled>true</enabled><ip>10.0.0.1</ip>"
            "<extra-listen><ip>0.0.0.0</ip><port>2222</port></extra-listen></ssh></cli>")
    r = judge("SD-IF-001", conf, settings=Settings(accepted_exposures=("cli-ssh",)))
    assert r.status in (Status.WARN, getattr(Status, "ACCEPTED", Status.WARN))
    assert "10.0.0.1:2024" in r.message and "0.0.0.0:2222 (extra-listen)" in r.message


def test_cmdrule_every_command_with_read_exec_is_unrestricted():
    nacm = _nacm("<rule-list><name>ops</name><group>netops</group><cmdrule xmlns=\"http://tail-f.com/yang/acm\">"
                 "<name>all</name><command>*</command><access-operations>read exec</access-operations>"
                 "<action>permit</action></cmdrule></rule-list>")
    assert judge("SD-NACM-005", "", cdb_xml=nacm).status is Status.FAIL


@pytest.mark.parametrize("value", ["yes", "1", "", "${NO_SUCH_VAR}", "True"])
def test_an_invalid_boolean_is_an_error_not_off(value):
    r = judge("SD-IF-001", f"<cli><ssh><enabled>{value}</enabled></ssh></cli>")
    assert r.status is Status.ERROR, (r.status, r.message)
    assert "/ncs-config/cli/ssh/enabled" in r.message


def test_an_unexpandable_address_is_an_error_not_exposed_or_local():
    r = judge("SD-IF-005", "<netconf-north-bound><transport><tcp><enabled>true</enabled><ip>${MGMT_IP}</ip>"
                           "</tcp></transport></netconf-north-bound>")
    assert r.status is Status.ERROR and "${MGMT_IP}" in r.message


def test_elements_in_a_foreign_namespace_are_not_nso_settings():
    conf = parse_ncs_conf(f'<ncs-config xmlns="{NS}"><cli xmlns="urn:example:other"><ssh><enabled>false'
                          '</enabled></ssh></cli></ncs-config>'.encode(), "ncs.conf", "6.4")
    assert conf.value("/ncs-config/cli/ssh/enabled") is None
    assert conf.foreign and conf.foreign[0][1] == "urn:example:other"


def test_unprefixed_elements_under_a_prefixed_root_are_not_nso_settings():
    conf = parse_ncs_conf(f'<n:ncs-config xmlns:n="{NS}"><cli><ssh><enabled>false</enabled></ssh></cli>'
                          '</n:ncs-config>'.encode(), "ncs.conf", "6.4")
    assert conf.value("/ncs-config/cli/ssh/enabled") is None
    facts = Facts(version=NsoVersionInfo("6.4", "6.4", "test"), now="2026-11-26T12:00:00+00:00", ncs_conf=conf)
    assert evaluate(registry.get("SD-IF-001"), facts).status is Status.FAIL


def test_a_duplicated_leaf_is_an_error_naming_both_lines():
    r = judge("SD-IF-001", "<cli><ssh>\n<enabled>false</enabled>\n<enabled>true</enabled>\n</ssh></cli>")
    assert r.status is Status.ERROR and "2 times" in r.message and "lines" in r.message


def test_harden_never_edits_a_foreign_element():
    data = (f'<ncs-config xmlns="{NS}">\n  <x:cli xmlns:x="urn:example:other"><x:ssh><x:enabled>true</x:enabled>'
            '</x:ssh></x:cli>\n  <cli><enabled>true</enabled></cli>\n</ncs-config>\n').encode()
    res = harden_bytes(data, "ncs.conf", version="6.4")
    out = res.hardened.decode()
    assert "<x:ssh><x:enabled>true</x:enabled></x:ssh>" in out
    assert "<ssh>" in out and "/ncs-config/cli/ssh/enabled" in {c.path for c in res.changes}


# --- false FAIL -------------------------------------------------------------------

GUIDE_PRODUCTION_WEB = ("<webui><enabled>true</enabled><transport><tcp><enabled>false</enabled>"
                        "<ip>0.0.0.0</ip><port>8080</port></tcp><ssl><enabled>false</enabled>"
                        "<ip>0.0.0.0</ip><port>8888</port></ssl></transport>"
                        "<cgi><enabled>true</enabled></cgi></webui><restconf><enabled>true</enabled></restconf>")


@pytest.mark.parametrize("version", ["6.4", "6.5", "6.6", "6.7"])
@pytest.mark.parametrize("rule_id", ["SD-IF-003", "SD-IF-004", "SD-IF-006", "SD-IF-007"])
def test_guide_production_web_settings_pass_because_nothing_listens(rule_id, version):
    assert judge(rule_id, GUIDE_PRODUCTION_WEB, version).status is Status.PASS


@pytest.mark.parametrize("rule_id", ["SD-SSH-001", "SD-SSH-002"])
def test_ssh_algorithm_rules_do_not_fail_without_an_ssh_server(rule_id):
    off = ("<cli><ssh><enabled>false</enabled></ssh></cli><netconf-north-bound><transport><ssh>"
           "<enabled>false</enabled></ssh></transport></netconf-north-bound>")
    assert judge(rule_id, off, "6.7").status is Status.NOT_APPLICABLE
    assert judge(rule_id, "", "6.7").status is Status.FAIL


def test_no_host_audit_does_not_judge_this_machines_keys_file(tmp_path, capsys):
    keys = tmp_path / "ncs.crypto_keys"
    keys.write_text("AESCFB128_KEY=" + "7f" * 16 + "\n")
    os.chmod(keys, 0o644)
    conf = tmp_path / "ncs.conf"
    conf.write_bytes(wrap("<encrypted-strings><external-keys><command>/opt/ncs/current/bin/ncs_crypto_keys"
                          f"</command><command-argument>{keys}</command-argument></external-keys>"
                          "</encrypted-strings>"))
    main(["audit", "--ncs-conf", str(conf), "--no-host", "--nso-version", "6.4", "-f", "json",
          "--rule", "SD-KEYS-003"])
    (r,) = json.loads(capsys.readouterr().out)["results"]
    assert r["status"] == "manual" and "owned by the user NSO runs as" in r["message"]


def test_expiration_warning_display_passes():
    assert judge("SD-AUTH-003", "<aaa><expiration-warning>display</expiration-warning></aaa>").status \
        is Status.PASS


def test_a_missing_source_is_manual_with_what_to_check_where_the_guide_item_applies():
    r = evaluate(registry.get("SD-ROOT-001"), build_facts(Case("SD-ROOT-001", Status.MANUAL)))
    assert r.status is Status.MANUAL and "--run-as-user" in r.message


def test_harden_disables_netconf_tcp_exposed_through_ha_primary_listen():
    conf = wrap("<netconf-north-bound><transport><tcp><enabled>true</enabled><ip>127.0.0.1</ip>"
                "<ha-primary-listen><ip>0.0.0.0</ip><port>12023</port></ha-primary-listen>"
                "</tcp></transport></netconf-north-bound>")
    res = harden_bytes(conf, "ncs.conf", version="6.4")
    assert "/ncs-config/netconf-north-bound/transport/tcp/enabled" in {c.path for c in res.changes}
    assert res.status_after("SD-IF-005") is Status.PASS
