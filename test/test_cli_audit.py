"""`secure-deploy audit` outputs and gates, `diff`, `report render`, `waivers check`.

Exit-code contract: 0 gates passed, 1 a gate failed, 2 usage or input error.
"""
from __future__ import annotations

import io
import json

import pytest

from factsbuilder import wrap
from secure_deploy.cli import main
from secure_deploy.cli.audit import use_colour

DEV = wrap("<aaa><local-authentication><enabled>true</enabled></local-authentication>"
           "<pam><enabled>true</enabled><service>common-auth</service></pam></aaa>"
           "<cli><ssh><enabled>true</enabled></ssh></cli>")
GOOD = wrap("<aaa><local-authentication><enabled>false</enabled></local-authentication>"
            "<pam><enabled>true</enabled><service>system-auth</service></pam>"
            "<expiration-warning>prompt</expiration-warning></aaa>")
AUTH = ["--rule", "SD-AUTH-001", "--rule", "SD-AUTH-002", "--rule", "SD-AUTH-003"]


@pytest.fixture
def dev(tmp_path):
    p = tmp_path / "dev.conf"
    p.write_bytes(DEV)
    return str(p)


@pytest.fixture
def good(tmp_path):
    p = tmp_path / "good.conf"
    p.write_bytes(GOOD)
    return str(p)


def audit(conf, *extra):
    return main(["audit", "--ncs-conf", conf, "--no-host", "--nso-version", "6.4", *extra])


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return str(p)


# ---------------------------------------------------------------- formats

def test_several_formats_from_one_run(dev, tmp_path, capsys):
    out = {f: tmp_path / f"r.{f}" for f in ("json", "sarif", "junit", "html")}
    rc = audit(dev, *AUTH, "--format", "json", "--output", str(out["json"]), "--format", "sarif",
               "-o", str(out["sarif"]), "-f", "junit", "-o", str(out["junit"]), "-f", "html", "-o", str(out["html"]),
               "--format", "text")
    assert rc == 1
    stdout = capsys.readouterr().out
    assert "SD-AUTH-001" in stdout and stdout.startswith("secure-deploy audit of")   # text went to stdout
    rep = json.loads(out["json"].read_text())
    assert {r["rule_id"] for r in rep["results"]} == {"SD-AUTH-001", "SD-AUTH-002", "SD-AUTH-003"}
    sarif = json.loads(out["sarif"].read_text())
    assert sarif["version"] == "2.1.0" and {r["ruleId"] for r in sarif["runs"][0]["results"]} == {
        r["rule_id"] for r in rep["results"] if r["status"] == "fail"}
    assert out["junit"].read_text().startswith("<?xml") and "<testsuites" in out["junit"].read_text()
    assert "<!DOCTYPE html>" in out["html"].read_text()
    # All from the same run: the same start time everywhere.
    assert rep["started_at"] in out["html"].read_text()
    assert sarif["runs"][0]["invocations"][0]["startTimeUtc"] == rep["started_at"]


def test_output_dir(dev, tmp_path, capsys):
    d = tmp_path / "reports"
    d.mkdir()
    assert audit(dev, *AUTH, "--output-dir", str(d), "-f", "json", "-f", "sarif", "-f", "text") == 1
    assert sorted(p.name for p in d.iterdir()) == ["report.json", "report.sarif", "report.txt"]
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("args,problem", [
    (["-f", "json", "-f", "sarif"], "several formats would go to stdout"),
    (["-f", "json", "-o", "X", "-f", "sarif", "-o", "X"], "same --output file"),
    (["-f", "json", "-o", "X", "-o", "Y"], "already has --output"),
    (["-f", "pdf"], "invalid choice"),
    (["--output-dir", "X"], "exists and is not a directory"),        # X is a file (created below)
    (["--output-dir", "X/sub"], "cannot create it"),
    (["--min-score", "150"], "between 0 and 100"),
])
def test_output_usage_errors_exit_2(dev, tmp_path, capsys, args, problem):
    args = [a.replace("X", str(tmp_path / "x.out")).replace("Y", str(tmp_path / "y.out")) for a in args]
    if "--output-dir" in args:
        (tmp_path / "x.out").write_text("a file, not a directory")
    with pytest.raises(SystemExit) as e:  # argparse errors exit directly
        rc = audit(dev, *AUTH, *args)
        raise SystemExit(rc)
    assert e.value.code == 2
    assert problem in capsys.readouterr().err


def test_colour_decision():
    class Tty(io.StringIO):
        def isatty(self):
            return True
    assert use_colour("auto", Tty(), {}) is True
    assert use_colour("auto", Tty(), {"NO_COLOR": "1"}) is False
    assert use_colour("auto", io.StringIO(), {}) is False
    assert use_colour("always", io.StringIO(), {"NO_COLOR": "1"}) is True
    assert use_colour("never", Tty(), {}) is False


def test_no_colour_in_files_or_pipes(dev, tmp_path, capsys):
    audit(dev, *AUTH)
    assert "\x1b[" not in capsys.readouterr().out
    audit(dev, *AUTH, "--color", "always")
    assert "\x1b[31m" in capsys.readouterr().out
    f = tmp_path / "r.txt"
    audit(dev, *AUTH, "--color", "always", "-o", str(f))
    assert "\x1b[" not in f.read_text()


# ---------------------------------------------------------------- gates

def test_fail_on_gate(dev, capsys):
    assert audit(dev, "--rule", "SD-AUTH-003") == 0                 # low failure, default gate high
    assert audit(dev, "--rule", "SD-AUTH-003", "--fail-on", "low") == 1
    err = capsys.readouterr().err
    assert "gate failed" in err and "SD-AUTH-003" in err


def test_min_score_gate(good, dev, capsys):
    assert audit(good, *AUTH, "--min-score", "100") == 0
    assert audit(dev, *AUTH, "--fail-on", "critical", "--min-score", "1") == 1
    assert "below the minimum" in capsys.readouterr().err
    assert audit(dev, *AUTH, "--fail-on", "critical", "--min-score", "0") == 0


def test_baseline_gate(dev, good, tmp_path, capsys):
    base_dev = tmp_path / "dev.json"
    base_good = tmp_path / "good.json"
    audit(dev, *AUTH, "-f", "json", "-o", str(base_dev))
    audit(good, *AUTH, "-f", "json", "-o", str(base_good))
    assert audit(dev, *AUTH) == 1
    assert audit(dev, *AUTH, "--baseline", str(base_dev)) == 0       # nothing new
    assert audit(dev, *AUTH, "--baseline", str(base_good)) == 1      # regressions since the good run
    assert "new failing" in capsys.readouterr().err


def test_waivers_in_the_audit(dev, tmp_path, capsys):
    live = write(tmp_path, "w.toml", '[[waiver]]\nrule = "SD-AUTH-001"\njustification = "lab"\n'
                 'expires = 2999-12-31\n[[waiver]]\nrule = "SD-AUTH-002"\njustification = "lab"\nexpires = 2999-12-31\n')
    out = tmp_path / "r.json"
    assert audit(dev, *AUTH, "--waivers", live, "-f", "json", "-o", str(out)) == 0
    rep = json.loads(out.read_text())
    st = {r["rule_id"]: r["status"] for r in rep["results"]}
    assert st["SD-AUTH-001"] == st["SD-AUTH-002"] == "waived"
    assert rep["summary"]["score"] > rep["summary"]["score_without_waivers"]
    expired = write(tmp_path, "old.json", json.dumps({"waiver": [
        {"rule": "SD-AUTH-001", "justification": "lab", "expires": "2001-01-01"}]}))
    assert audit(dev, *AUTH, "--waivers", expired, "-f", "json", "-o", str(out)) == 1
    rep = json.loads(out.read_text())
    assert {r["rule_id"]: r["status"] for r in rep["results"]}["SD-AUTH-001"] == "fail"
    assert any("expired on 2001-01-01" in n for n in rep["notes"])


def test_bad_gate_inputs_exit_2_one_line(dev, tmp_path):
    import subprocess
    import sys
    bad_w = write(tmp_path, "w.toml", '[[waiver]]\nrule = "SD-AUTH-001"\njustification = "x"\n')
    bad_b = write(tmp_path, "b.json", '{"schema_version": "1.0"}')
    for extra, name in ((["--waivers", bad_w], bad_w), (["--baseline", bad_b], bad_b),
                        (["--waivers", str(tmp_path / "none.toml")], "none.toml")):
        r = subprocess.run([sys.executable, "-m", "secure_deploy.cli", "audit", "--ncs-conf", dev, "--no-host",
                            *extra], capture_output=True, text=True, timeout=120)
        assert r.returncode == 2, r.stderr
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and name in lines[0] and "Traceback" not in r.stderr


# ---------------------------------------------------------------- saved reports

def test_report_render_any_format(dev, tmp_path, capsys):
    saved = tmp_path / "r.json"
    audit(dev, *AUTH, "-f", "json", "-o", str(saved))
    sarif_direct = tmp_path / "direct.sarif"
    audit(dev, *AUTH, "-f", "sarif", "-o", str(sarif_direct))
    capsys.readouterr()
    assert main(["report", "render", str(saved), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == json.loads(saved.read_text())
    again = tmp_path / "again.sarif"
    assert main(["report", "render", str(saved), "-f", "sarif", "-o", str(again)]) == 0
    a, b = json.loads(again.read_text()), json.loads(sarif_direct.read_text())
    for d in (a, b):  # two runs: only the start time differs
        d["runs"][0]["invocations"][0].pop("startTimeUtc")
    assert a == b
    assert main(["report", "render", str(saved), "-f", "html", "--history", str(saved), "-o",
                 str(tmp_path / "r.html")]) == 0
    assert 'id="chart-trend"' in (tmp_path / "r.html").read_text()
    assert main(["report", "render", str(tmp_path / "absent.json")]) == 2


def test_diff_command(dev, good, tmp_path, capsys):
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    audit(good, *AUTH, "-f", "json", "-o", str(old))
    audit(dev, *AUTH, "-f", "json", "-o", str(new))
    capsys.readouterr()
    assert main(["diff", str(old), str(new)]) == 0
    text = capsys.readouterr().out
    assert "== NEW ==" in text and "SD-AUTH-001" in text
    assert main(["diff", str(old), str(new), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {e["rule_id"] for e in doc["new_findings"]} == {"SD-AUTH-001", "SD-AUTH-002", "SD-AUTH-003"}
    assert main(["diff", str(new), str(old), "--format", "json"]) == 0
    assert {e["rule_id"] for e in json.loads(capsys.readouterr().out)["fixed"]} == {"SD-AUTH-001", "SD-AUTH-002", "SD-AUTH-003"}
    assert main(["diff", str(old), str(new), "--fail-on-new"]) == 1
    assert main(["diff", str(old), str(old), "--fail-on-new"]) == 0


def test_waivers_check_command(tmp_path, capsys):
    ok = write(tmp_path, "w.toml", '[[waiver]]\nrule = "SD-AUTH-001"\njustification = "lab"\n'
               'approved-by = "sec"\nexpires = 2027-01-10\n')
    assert main(["waivers", "check", ok, "--today", "2026-11-26"]) == 0
    out = capsys.readouterr().out
    assert "SD-AUTH-001" in out and "expires in 15 day(s)" not in out and "valid until 2027-01-10" in out
    assert main(["waivers", "check", ok, "--today", "2027-01-01"]) == 0
    assert "expires in 9 day(s)" in capsys.readouterr().out
    assert main(["waivers", "check", ok, "--today", "2027-01-11"]) == 1
    assert "EXPIRED" in capsys.readouterr().out
    unknown = write(tmp_path, "u.toml", '[[waiver]]\nrule = "SD-NOPE-001"\njustification = "x"\nexpires = 2999-01-01\n')
    assert main(["waivers", "check", unknown]) == 1
    assert "unknown rule id" in capsys.readouterr().out
    broken = write(tmp_path, "b.toml", '[[waiver]]\nrule = "SD-AUTH-001"\nexpires = 2999-01-01\n')
    assert main(["waivers", "check", broken]) == 2
    assert "justification is required" in capsys.readouterr().err
