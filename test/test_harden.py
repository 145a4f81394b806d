"""`secure-deploy harden`: the hardened copy passes every fixable rule, keeps its layout,
and the input is never touched."""
from __future__ import annotations

import hashlib
import os
import re
import stat
from pathlib import Path

import pytest

from conftest import ALL_SAMPLES, REPO, sample_id, twins
from factsbuilder import FAILING, wrap
from secure_deploy import registry
from secure_deploy.cli import main
from secure_deploy.engine import evaluate
from secure_deploy.facts.ncsconf import parse_ncs_conf, read_ncs_conf
from secure_deploy.facts.types import Facts
from secure_deploy.facts.version import parse_version
from secure_deploy.harden.apply import harden_bytes, plan_text, shell_path
from secure_deploy.harden.plan import FIXES, fix_for

NS = "http://tail-f.com/yang/tailf-ncs-config"
VERSIONS = ("6.4", "6.5", "6.6", "6.7")
DEMO_KEY = "0123456789abcdef"
EMPTY = {
    "empty-self-closing": f'<ncs-config xmlns="{NS}"/>'.encode(),
    "empty-with-declaration": f'<?xml version="1.0" encoding="UTF-8"?>\n<!-- minimal -->\n'
                              f'<ncs-config xmlns="{NS}">\n</ncs-config>\n'.encode(),
}


def _samples():
    # Whole files: our synthetic ones and the real ones of ../shared/samples when present,
    # then the examples shipped in the repository.
    out = list(ALL_SAMPLES)
    out += sorted(p for p in (REPO / "examples").glob("**/ncs.conf")) if (REPO / "examples").is_dir() else []
    return out


SAMPLE_FILES = _samples()
NCS_CONF_RULES = [r for r in registry.all_rules() if set(r.meta.needs) <= {"ncs_conf"}]
TABLE_RULES = [r for r in NCS_CONF_RULES if fix_for(r.id) is not None]


def _reaudit(data: bytes, version: str) -> dict:
    """Audit bytes independently of harden's own verification."""
    conf = parse_ncs_conf(data, "hardened.conf", version)
    facts = Facts(version=parse_version(version, "test"), now="2026-01-01T00:00:00+00:00", ncs_conf=conf)
    return {r.id: evaluate(r, facts) for r in NCS_CONF_RULES}


def _comments(data: bytes) -> list:
    return re.findall(rb"<!--.*?-->", data, re.S)


def _assert_table_rules_pass(result, version):
    after = _reaudit(result.hardened, version)
    manual = {s.rule_id: s for s in result.manual}
    for r in TABLE_RULES:
        res = after[r.id]
        if res.status in FAILING:
            # Only acceptable when the fix needs a site value and says so.
            assert r.id in manual and manual[r.id].text.startswith("Not changed automatically"), \
                (r.id, res.status, res.message)
            assert r.id not in result.fixed_rules
    for rid in result.fixed_rules:
        if rid in after:
            assert after[rid].status not in FAILING, (rid, after[rid].message)
    # Every rule still failing on the copy is listed as a manual step.
    for rid, res in after.items():
        if res.status in FAILING:
            assert rid in manual, rid


def test_the_table_covers_registered_rules_only_once():
    ids = [f.rule_id for f in FIXES]
    assert len(ids) == len(set(ids))
    for f in FIXES:
        assert registry.RULE_ID.match(f.rule_id)
        assert f.edits or f.removals


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name[:60])
def test_sample_hardened_passes_every_fixable_rule(path: Path, version: str):
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    result = harden_bytes(data, str(path), version=version)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    assert result.original == data
    _assert_table_rules_pass(result, version)
    blocked = {m.rule_id for m in result.manual if m.text.startswith("Not changed automatically")}
    fixable_failing = [rid for rid, st in result.before
                       if st in FAILING and fix_for(rid) is not None and rid not in blocked]
    if path in ALL_SAMPLES or fixable_failing:
        # The sample files (ours and the shared ones) all have settings to fix.
        assert result.changes and result.diff.startswith("--- ")
    assert _comments(result.hardened) == _comments(data)
    # The prolog (XML declaration, leading comments, root tag with its namespace) is untouched.
    root_end = data.index(b">", data.index(b"<ncs-config")) + 1
    assert result.hardened[:root_end] == data[:root_end]
    # Idempotent: hardening the copy again changes nothing.
    again = harden_bytes(result.hardened, "x", version=version)
    assert not again.changes and again.hardened == result.hardened


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("name", sorted(EMPTY))
def test_minimal_ncs_conf(name, version):
    result = harden_bytes(EMPTY[name], "ncs.conf", version=version)
    _assert_table_rules_pass(result, version)
    assert result.changes
    assert _comments(result.hardened) == _comments(EMPTY[name])
    manual = {s.rule_id: s.text for s in result.manual}
    # No audit-log file name and no rollback directory to use: these need the operator.
    for rid in ("SD-AUDIT-001", "SD-AUDIT-002"):
        assert manual[rid].startswith("Not changed automatically")
    # Not guessed: no file paths were invented.
    assert b"<name>" not in result.hardened and b"<directory>" not in result.hardened


def test_version_aware_defaults():
    data = EMPTY["empty-self-closing"]
    r64 = harden_bytes(data, "ncs.conf", version="6.4")
    r67 = harden_bytes(data, "ncs.conf", version="6.7")
    paths64 = {c.path for c in r64.changes}
    paths67 = {c.path for c in r67.changes}
    # md5 is the 6.4 default, sha-512 the 6.7 one; local IPC is on by default in 6.7.
    assert "/ncs-config/crypt-hash/algorithm" in paths64 and "/ncs-config/crypt-hash/algorithm" not in paths67
    assert "/ncs-config/ncs-local-ipc/enabled" in paths64 and "/ncs-config/ncs-local-ipc/enabled" not in paths67
    # A parameter the release does not have is never added (ha/ssl exists from 6.7 only).
    ha = wrap("<ha><enabled>true</enabled></ha>")
    assert b"<ssl>" not in harden_bytes(ha, "c", version="6.4").hardened


@pytest.mark.parametrize("rule", [r for r in TABLE_RULES if r.meta.example.startswith("<")], ids=lambda r: r.id)
def test_documented_failing_examples_get_fixed(rule):
    """Each rule's own failing example, hardened, passes that rule (or is a manual step)."""
    result = harden_bytes(wrap(rule.meta.example), "example.conf", version="6.4")
    status = _reaudit(result.hardened, "6.4")[rule.id].status
    if status in FAILING:
        assert any(s.rule_id == rule.id and s.text.startswith("Not changed automatically")
                   for s in result.manual), rule.id
    else:
        assert rule.id in result.fixed_rules


def test_inline_keys_are_kept_and_planned_never_printed():
    data = wrap(f"<encrypted-strings><AESCFB128><key>{DEMO_KEY * 2}</key></AESCFB128></encrypted-strings>"
                "<cli><ssh><enabled>true</enabled></ssh></cli>")
    result = harden_bytes(data, "ncs.conf", version="6.4")
    assert DEMO_KEY * 2 in result.hardened.decode()  # not removed silently
    assert result.manual[0].rule_id == "" and "external-keys" in result.manual[0].text
    text = plan_text_of(result)
    assert DEMO_KEY not in text and DEMO_KEY not in result.diff
    assert "chmod 0600" in text


def plan_text_of(result):
    from secure_deploy.harden.apply import render_plan
    return render_plan(result)


def test_diff_context_never_shows_inline_keys():
    body = "\n".join(["<encrypted-strings>", "<AESCFB128>", f"<key>{DEMO_KEY * 2}</key>", "</AESCFB128>",
                      "</encrypted-strings>", "<cli><ssh><enabled>true</enabled></ssh></cli>"])
    result = harden_bytes(f'<ncs-config xmlns="{NS}">\n{body}\n</ncs-config>\n'.encode(), "c", version="6.4")
    assert "<key>" in result.diff  # the key line is in the context...
    assert DEMO_KEY not in result.diff  # ...but redacted


def test_accepted_exposure_is_left_alone_and_listed():
    data = wrap("<cli><ssh><enabled>true</enabled></ssh></cli>")
    result = harden_bytes(data, "c", version="6.4", accepted_exposures=("cli-ssh",))
    assert "/ncs-config/cli/ssh/enabled" not in {c.path for c in result.changes}
    assert b"<enabled>true</enabled>" in result.hardened


def test_weak_ssh_lists_are_filtered_not_replaced():
    data = wrap("<ssh><algorithms><kex>curve25519-sha256,diffie-hellman-group14-sha1</kex>"
                "<encryption></encryption></algorithms></ssh>")
    result = harden_bytes(data, "c", version="6.4")
    conf = parse_ncs_conf(result.hardened, "c", "6.4")
    assert conf.value("/ncs-config/ssh/algorithms/kex") == "curve25519-sha256"
    enc = conf.value("/ncs-config/ssh/algorithms/encryption")
    assert enc and "cbc" not in enc and "aes128-ctr" in enc


def test_non_loopback_ipc_listeners_are_removed():
    data = wrap("<ncs-ipc-address><ip>0.0.0.0</ip></ncs-ipc-address>"
                "<ncs-ipc-extra-listen-ip>10.1.1.1</ncs-ipc-extra-listen-ip>"
                "<ncs-ipc-extra-listen-ip>::1</ncs-ipc-extra-listen-ip>")
    conf = parse_ncs_conf(harden_bytes(data, "c", version="6.4").hardened, "c", "6.4")
    assert conf.value("/ncs-config/ncs-ipc-address/ip") == "127.0.0.1"
    assert [n.text for n in conf.nodes("/ncs-config/ncs-ipc-extra-listen-ip")] == ["::1"]


def test_blocked_fix_becomes_a_manual_step():
    data = wrap("<ha-raft><enabled>true</enabled><ssl><enabled>false</enabled></ssl></ha-raft>")
    result = harden_bytes(data, "c", version="6.4")
    assert b"<ssl><enabled>false</enabled></ssl>" in result.hardened
    step = next(s for s in result.manual if s.rule_id == "SD-HA-001")
    assert "key-file" in step.text
    with_files = wrap("<ha-raft><enabled>true</enabled><ssl><enabled>false</enabled><key-file>/k</key-file>"
                      "<cert-file>/c</cert-file><ca-cert-file>/ca</ca-cert-file></ssl></ha-raft>")
    assert "SD-HA-001" in harden_bytes(with_files, "c", version="6.4").fixed_rules


def test_printed_paths_cannot_run_commands():
    assert shell_path("/etc/ncs/ipc_access") == "/etc/ncs/ipc_access"
    assert shell_path("${NCS_CONFIG_DIR}/ipc_access") == '"${NCS_CONFIG_DIR}/ipc_access"'
    assert shell_path("/tmp/$(touch pwned)") == "'/tmp/$(touch pwned)'"
    assert shell_path("/x/${HOME}") == "'/x/${HOME}'"
    data = wrap("<ncs-ipc-access-check><enabled>true</enabled><filename>/a/`id`;b</filename>"
                "</ncs-ipc-access-check>")
    perms = harden_bytes(data, "c", version="6.4", nso_user="nso").permissions
    assert any("'/a/`id`;b'" in ln and ln.startswith("chown nso ") for ln in perms)


def test_latin1_file_round_trips():
    data = (f'<?xml version="1.0" encoding="ISO-8859-1"?>\n<!-- caf\xe9 -->\n'
            f'<ncs-config xmlns="{NS}">\n  <cli/>\n</ncs-config>\n').encode("latin-1")
    result = harden_bytes(data, "c", version="6.4")
    assert result.hardened.startswith(data[:60]) and b"caf\xe9" in result.hardened
    parse_ncs_conf(result.hardened, "c", "6.4")


def test_plan_text_accepts_path_facts_and_ncsconf(tmp_path):
    p = tmp_path / "ncs.conf"
    p.write_bytes(wrap("<cli><ssh><enabled>true</enabled></ssh></cli>"))
    by_path = plan_text(str(p), version="6.4")
    conf = read_ncs_conf(str(p), "6.4")
    by_conf = plan_text(conf)
    facts = Facts(version=parse_version("6.4", "t"), now="x", ncs_conf=conf)
    assert by_path == by_conf == plan_text(facts)
    assert "[SD-IF-001]" in by_path and "+++ " in by_path
    assert not (tmp_path / "ncs.conf.hardened").exists()  # a plan writes nothing


# --- the command ---------------------------------------------------------------

def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


@pytest.fixture(params=twins("dev-auth-packages.xml", "nso-examples-6.4__aaa_tacacs-plus-auth_ncs.conf.example.xml"),
                ids=sample_id)
def dev_conf(tmp_path, request) -> Path:
    p = tmp_path / "ncs.conf"
    p.write_bytes(request.param.read_bytes())
    os.chmod(p, 0o640)
    return p


def test_cli_writes_a_copy_and_leaves_the_input(dev_conf, capsys):
    before = _sha(dev_conf)
    assert main(["harden", "--ncs-conf", str(dev_conf), "--nso-version", "6.4"]) == 0
    out = capsys.readouterr().out
    copy = dev_conf.with_name("ncs.conf.hardened")
    assert _sha(dev_conf) == before
    assert copy.is_file() and copy.read_bytes() != dev_conf.read_bytes()
    assert stat.S_IMODE(copy.stat().st_mode) == 0o640
    assert "--- " in out and "chmod" in out and "[SD-IF-001]" in out
    assert not list(dev_conf.parent.glob("*.bak-*"))


def test_cli_output_option_and_diff_only(dev_conf, tmp_path, capsys):
    before = _sha(dev_conf)
    out_file = tmp_path / "sub.conf"
    assert main(["harden", "--ncs-conf", str(dev_conf), "--output", str(out_file), "--nso-version", "6.4"]) == 0
    assert out_file.is_file()
    capsys.readouterr()
    assert main(["harden", "--ncs-conf", str(dev_conf), "--diff-only", "--nso-version", "6.4"]) == 0
    diff = capsys.readouterr().out
    assert diff.startswith("--- ") and "chmod" not in diff
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ncs.conf", "sub.conf"]
    assert _sha(dev_conf) == before


def test_cli_refuses_to_overwrite_the_input_without_in_place(dev_conf, capsys):
    before = _sha(dev_conf)
    assert main(["harden", "--ncs-conf", str(dev_conf), "--output", str(dev_conf)]) == 2
    assert "--in-place" in capsys.readouterr().err
    assert _sha(dev_conf) == before


def test_cli_in_place_keeps_a_byte_identical_backup(dev_conf, capsys):
    original = dev_conf.read_bytes()
    assert main(["harden", "--ncs-conf", str(dev_conf), "--in-place", "--nso-version", "6.4"]) == 0
    backups = list(dev_conf.parent.glob("ncs.conf.bak-*"))
    assert len(backups) == 1 and backups[0].read_bytes() == original
    assert stat.S_IMODE(backups[0].stat().st_mode) == 0o640
    assert dev_conf.read_bytes() != original
    assert stat.S_IMODE(dev_conf.stat().st_mode) == 0o640
    assert f"backup: {backups[0]}" in capsys.readouterr().out
    # Already hardened: a second run changes nothing and makes no new backup.
    assert main(["harden", "--ncs-conf", str(dev_conf), "--in-place", "--nso-version", "6.4"]) == 0
    assert len(list(dev_conf.parent.glob("ncs.conf.bak-*"))) == 1


def test_cli_bad_input_is_one_line_error(tmp_path, capsys):
    p = tmp_path / "bad.conf"
    p.write_text("<ncs-config><oops></ncs-config>")
    assert main(["harden", "--ncs-conf", str(p)]) == 2
    err = capsys.readouterr().err
    assert str(p) in err and "Traceback" not in err
    assert not (tmp_path / "bad.conf.hardened").exists()
