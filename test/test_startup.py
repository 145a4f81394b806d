"""What a CI run of `secure-deploy audit` pays before it audits anything.

`make bench` measures the time; these tests pin the choices that keep it low, so a
new top-level import does not quietly undo them: a plain audit imports no module it
does not use, and the console entry point keeps the cyclic GC off only while the
command's modules load.
"""
from __future__ import annotations

import datetime as _dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from secure_deploy.cli import _help_width, main
from secure_deploy.cli.audit import now_iso
from secure_deploy.facts.wellknown import is_dummy_key, same_secret

REPO = Path(__file__).resolve().parent.parent
DEV = REPO / "examples" / "dev-local-install"
AUDIT_ARGS = ["audit", "--config-dir", str(DEV / "etc"), "--run-dir", str(DEV / "run"),
              "--nso-version", "6.4", "--format", "json"]

# Each is imported only by the runs that need it: waiver files, written files
# (tempfile, shutil), key files and hashed passwords (hashlib/hmac: OpenSSL), dates
# (datetime), other commands and formats.
NOT_FOR_A_PLAIN_AUDIT = ("shutil", "tempfile", "datetime", "hashlib", "hmac", "_hashlib",
                         "secure_deploy.report.waivers", "secure_deploy.facts.keys",
                         "secure_deploy.report.sarif_report", "secure_deploy.report.html_report",
                         "secure_deploy.report.junit_report", "secure_deploy.cli.keys",
                         "secure_deploy.cli.harden", "secure_deploy.cli.reports")

PROBE = """
import io, json, sys, contextlib
from secure_deploy.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
    code = main(json.loads(sys.argv[1]))
json.loads(out.getvalue())
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def probe(args):
    r = subprocess.run([sys.executable, "-c", PROBE, json.dumps(args)], capture_output=True,
                       text=True, timeout=120, cwd=REPO)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_plain_audit_of_the_example_imports_only_what_it_uses():
    got = probe(AUDIT_ARGS)
    assert got["code"] == 1                      # the dev example fails high rules
    loaded = set(got["modules"]) & set(NOT_FOR_A_PLAIN_AUDIT)
    assert not loaded, f"a plain audit imported {sorted(loaded)}"
    # ... while it did read the CDB files and check the cleartext default passwords.
    assert "secure_deploy.facts.cdb" in got["modules"]


def test_the_modules_left_out_are_loaded_when_needed(tmp_path):
    # Guards the test above against passing because the names are wrong.
    waivers = tmp_path / "w.toml"
    waivers.write_text('[[waiver]]\nrule = "SD-AUTH-001"\njustification = "lab"\nexpires = 2099-01-01\n')
    got = probe(AUDIT_ARGS + ["--waivers", str(waivers)])
    assert {"secure_deploy.report.waivers", "datetime"} <= set(got["modules"])


CONSOLE = """
import gc, json, sys
from secure_deploy import cli
seen = []
real = cli.run_command
def spy(args):
    seen.append(gc.isenabled())
    return real(args)
cli.run_command = spy
sys.argv = ["secure-deploy"] + json.loads(sys.argv[1])
try:
    cli.entry()
finally:
    print(json.dumps({"gc_during_command": seen, "gc_after": gc.isenabled()}), file=sys.stderr)
"""


def console(args):
    r = subprocess.run([sys.executable, "-c", CONSOLE, json.dumps(args)], capture_output=True,
                       text=True, timeout=120, cwd=REPO)
    return r, json.loads(r.stderr.strip().splitlines()[-1])


def test_console_entry_runs_the_audit_with_the_gc_on_and_returns_its_exit_code():
    r, state = console(AUDIT_ARGS)
    assert r.returncode == 1
    assert json.loads(r.stdout)["summary"]["total"] > 0
    assert state == {"gc_during_command": [True], "gc_after": True}


def test_console_entry_usage_error_exits_2_with_the_gc_back_on():
    r, state = console(["audit", "--no-such-option"])
    assert r.returncode == 2
    assert "unrecognized arguments: --no-such-option" in r.stderr
    assert state == {"gc_during_command": [], "gc_after": True}


def test_help_width_follows_columns(monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "50")
    assert _help_width() == 48
    with pytest.raises(SystemExit):
        main(["--help"])
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) > 10 and max(len(line) for line in lines) <= 50
    monkeypatch.setenv("COLUMNS", "not-a-number")
    assert _help_width() >= 10


def test_now_iso_is_datetime_isoformat_in_utc_to_the_second():
    before = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0)
    text = now_iso()
    after = _dt.datetime.now(_dt.timezone.utc)
    parsed = _dt.datetime.fromisoformat(text)
    assert text == parsed.isoformat() and text.endswith("+00:00")
    assert before <= parsed <= after


def test_same_secret_is_plain_equality():
    assert same_secret(b"0123456789abcdef", b"0123456789abcdef")
    assert not same_secret(b"0123456789abcdef", b"0123456789abcdee")
    assert not same_secret(b"0123456789abcdef", b"1123456789abcdef")
    assert not same_secret(b"abc", b"abcd")
    assert same_secret(b"", b"")
    assert is_dummy_key("AESCFB128", "0123456789ABCDEF" * 2)
    assert not is_dummy_key("AESCFB128", "0123456789abcdef" * 2 + "00")
