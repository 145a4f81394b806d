"""The command's contract: exit codes, one-line errors, selection, catalog."""
from __future__ import annotations

import os

import json
import subprocess
import sys

import pytest

from factsbuilder import wrap
from secure_deploy import registry
from secure_deploy.cli import main

GOOD = wrap("<aaa><local-authentication><enabled>false</enabled></local-authentication>"
            "<pam><enabled>true</enabled><service>system-auth</service></pam>"
            "<expiration-warning>prompt</expiration-warning></aaa>")


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "secure_deploy.cli", *args],
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def conf(tmp_path):
    p = tmp_path / "ncs.conf"
    p.write_bytes(GOOD)
    return p


def test_exit_0_when_selected_rules_pass(conf, capsys):
    assert main(["audit", "--ncs-conf", str(conf), "--no-host", "--tag", "authentication",
                 "--skip", "SD-AUTH-004"]) == 0


def test_exit_1_on_failure_at_or_above_gate(tmp_path, capsys):
    p = tmp_path / "ncs.conf"
    p.write_bytes(wrap(""))
    assert main(["audit", "--ncs-conf", str(p), "--no-host", "--rule", "SD-AUTH-001"]) == 1
    # SD-AUTH-003 is low: below the default gate (high) it does not fail the run.
    assert main(["audit", "--ncs-conf", str(p), "--no-host", "--rule", "SD-AUTH-003"]) == 0
    assert main(["audit", "--ncs-conf", str(p), "--no-host", "--rule", "SD-AUTH-003",
                 "--fail-on", "low"]) == 1


@pytest.mark.parametrize("content", [b"", b"<ncs-config", b"\x00\x01\x02binary",
                                     b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/shadow">]><x>&e;</x>'])
def test_bad_input_exit_2_one_line(tmp_path, content):
    p = tmp_path / "ncs.conf"
    p.write_bytes(content)
    r = run_cli("audit", "--ncs-conf", str(p), "--no-host")
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and str(p) in lines[0], r.stderr
    assert "Traceback" not in r.stderr


def test_missing_file_exit_2(tmp_path):
    r = run_cli("audit", "--ncs-conf", str(tmp_path / "absent.conf"))
    assert r.returncode == 2 and "not found" in r.stderr and "Traceback" not in r.stderr


def test_unreadable_file_exit_2(conf, monkeypatch, capsys):
    # Tests run as root, where chmod 000 does not deny: deny the open itself.
    real_open = os.open

    def deny(path, *a, **k):
        if str(path) == str(conf):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *a, **k)
    monkeypatch.setattr(os, "open", deny)
    assert main(["audit", "--ncs-conf", str(conf), "--no-host"]) == 2
    assert "permission denied" in capsys.readouterr().err


def test_usage_errors_exit_2(conf):
    assert run_cli("audit", "--ncs-conf", str(conf), "--rule", "SD-NOPE-999").returncode == 2
    assert run_cli("audit", "--ncs-conf", str(conf), "--nso-version", "5.8").returncode == 2
    assert run_cli("audit", "--bogus-option").returncode == 2
    assert run_cli("explain", "SD-NOPE-001").returncode == 2


EXPLAIN_SECTIONS = ("What it checks", "Why it matters", "Failing example", "Fix", "References")


def test_rules_and_explain(capsys):
    assert main(["rules", "--format", "json"]) == 0
    catalog = json.loads(capsys.readouterr().out)
    ids = [r["id"] for r in catalog]
    assert "SD-AUTH-001" in ids and len(ids) == len(set(ids))
    assert main(["explain", "sd-auth-002"]) == 0
    text = capsys.readouterr().out
    for heading in EXPLAIN_SECTIONS:
        assert heading in text


def _explain_sections(text: str) -> dict:
    """Heading -> the lines under it, up to the next heading (headings in their fixed order)."""
    lines = text.splitlines()
    at = []
    for h in EXPLAIN_SECTIONS:
        assert h in lines[(at[-1] + 1) if at else 0:], f"no {h!r} section (after the previous one)"
        at.append(lines.index(h, (at[-1] + 1) if at else 0))
    return {h: lines[a + 1:b] for h, a, b in zip(EXPLAIN_SECTIONS, at, at[1:] + [len(lines)])}


@pytest.mark.parametrize("rule", registry.all_rules(), ids=lambda r: r.id)
def test_explain_documents_every_rule(rule, capsys):
    """The issue: `explain ID` says what it checks, why, a failing example, the fix, references."""
    assert main(["explain", rule.id]) == 0
    sections = _explain_sections(capsys.readouterr().out)
    for heading, body in sections.items():
        assert any(line.strip() for line in body), f"{rule.id}: empty {heading!r} section"
    m = rule.meta
    checks = "\n".join(sections["What it checks"])
    assert m.title in checks and all(src in checks for src in m.reads)
    failing, fix = "\n".join(sections["Failing example"]), "\n".join(sections["Fix"])
    assert all(line.strip() in failing for line in m.example.splitlines())
    assert all(line.strip() in fix for line in m.fix_example.splitlines())
    assert m.section in "\n".join(sections["References"])


def test_json_report_shape(conf, capsys):
    main(["audit", "--ncs-conf", str(conf), "--no-host", "--format", "json", "--rule", "SD-AUTH-001"])
    rep = json.loads(capsys.readouterr().out)
    assert rep["schema_version"] and rep["nso_version"]["source"] == "assumed"
    (r,) = rep["results"]
    for key in ("rule_id", "title", "severity", "status", "message", "evidence", "remediation", "paths"):
        assert key in r
    assert r["paths"] == ["/ncs-config/aaa/local-authentication/enabled"]
    assert rep["summary"]["by_status"]["pass"] == 1


def test_output_file_written_whole(conf, tmp_path, capsys):
    out = tmp_path / "report.json"
    main(["audit", "--ncs-conf", str(conf), "--no-host", "--format", "json", "--output", str(out)])
    assert json.loads(out.read_text())["results"]
    assert capsys.readouterr().out == ""
