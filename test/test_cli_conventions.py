"""CLI conventions operators know from Trivy/Checkov/kube-bench: wrapping, --version,
severity filters, --exit-zero, --quiet/--show-passed, --output-dir, the default
waiver file, `explain --format json`.
"""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from secure_deploy import __version__
from secure_deploy.cli import main, terminal_width
from secure_deploy.report import Format, RenderOptions, render
from secure_deploy.report.json_report import load_report

REPO = Path(__file__).resolve().parent.parent
DEV = REPO / "examples" / "dev-local-install"
DEMO = ["audit", "--config-dir", str(DEV / "etc"), "--run-dir", str(DEV / "run"), "--nso-version", "6.4",
        "--no-host"]


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory):
    """The report of `make demo` (the bundled development example), saved as JSON."""
    out = tmp_path_factory.mktemp("demo") / "demo.json"
    assert main([*DEMO, "--no-waivers", "-f", "json", "-o", str(out)]) == 1
    return load_report(str(out))


# ---------------------------------------------------------------- wrapping

@pytest.mark.parametrize("width", [60, 80, 200])
def test_text_wraps_at_whitespace_only(demo_report, width):
    unwrapped = render(demo_report, Format.TEXT, RenderOptions(width=None))
    out = render(demo_report, Format.TEXT, RenderOptions(width=width))
    # Lines break at whitespace only: the tokens, in order, are those of the unwrapped text.
    assert out.split() == unwrapped.split()
    for line in out.splitlines():
        assert len(line) <= width or len(line.split()) == 1, line   # overflow only for one long token
    # The demo report has tokens longer than 60 columns (cipher lists): they stay whole.
    longest = max(unwrapped.split(), key=len)
    assert any(longest in line for line in out.splitlines())
    if width == 60:
        assert len(longest) > 40 and out.count("\n") > unwrapped.count("\n")


def test_text_is_not_wrapped_in_a_pipe(demo_report, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")     # a pipe is not a terminal, whatever COLUMNS says
    assert main([*DEMO, "--no-waivers"]) == 1
    out = capsys.readouterr().out
    unwrapped = render(demo_report, Format.TEXT, RenderOptions(width=None))
    assert out.split() == unwrapped.split()
    assert len(out.splitlines()) == len(unwrapped.splitlines())   # one line per paragraph
    assert len(out.splitlines()) < len(render(demo_report, Format.TEXT, RenderOptions(width=80)).splitlines())
    assert max(len(ln) for ln in out.splitlines()) > 120


def test_terminal_width_decision():
    class Tty(io.StringIO):
        def isatty(self):
            return True
    assert terminal_width(io.StringIO(), {"COLUMNS": "120"}) is None          # not a terminal
    assert terminal_width(Tty(), {"COLUMNS": "120"}) == 120
    assert terminal_width(Tty(), {"COLUMNS": "junk"}) == 80                   # no size known: 80
    assert terminal_width(Tty(), {}) == 80


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_text_on_a_terminal_wraps_to_columns():
    master, slave = os.openpty()
    env = {**os.environ, "COLUMNS": "60", "NO_COLOR": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "secure_deploy.cli", *DEMO, "--no-waivers"], stdout=slave,
                            stderr=subprocess.DEVNULL, env=env, cwd=REPO)
    os.close(slave)
    chunks = []
    try:
        while True:          # read while it writes: a full pty buffer would block the child
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed its end
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(master)
        proc.wait(timeout=120)
    assert proc.returncode == 1
    lines = b"".join(chunks).decode().replace("\r\n", "\n").splitlines()
    assert lines and all(len(ln) <= 60 or len(ln.split()) == 1 for ln in lines)
    assert sum(1 for ln in lines if len(ln) > 50) > 5     # it did use the width


# ---------------------------------------------------------------- conventions

def test_version(capsys):
    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0
    assert capsys.readouterr().out.strip() == f"secure-deploy {__version__}"


def _json(tmp_path, *extra):
    out = tmp_path / "r.json"
    rc = main([*DEMO, "--no-waivers", "-f", "json", "-o", str(out), *extra])
    return rc, json.loads(out.read_text())


def test_severity_filters(tmp_path):
    rc, doc = _json(tmp_path, "--severity", "CRITICAL")
    assert rc == 1 and doc["results"] and {r["severity"] for r in doc["results"]} == {"critical"}
    rc, doc = _json(tmp_path, "--severity", "low,info")
    assert rc == 0 and {r["severity"] for r in doc["results"]} <= {"low", "info"}
    _, doc = _json(tmp_path, "--min-severity", "high")
    assert {r["severity"] for r in doc["results"]} == {"critical", "high"}
    _, both = _json(tmp_path, "--min-severity", "high", "--severity", "high,low")
    assert {r["severity"] for r in both["results"]} == {"high"}


@pytest.mark.parametrize("args", [["--severity", "urgent"], ["--min-severity", "hi"]])
def test_bad_severity_is_a_usage_error(args, capsys):
    with pytest.raises(SystemExit) as e:
        main([*DEMO, *args])
    assert e.value.code == 2
    assert "unknown severity" in capsys.readouterr().err


def test_exit_zero_soft_fails_but_not_on_bad_input(tmp_path, capsys):
    assert main([*DEMO, "--no-waivers", "--exit-zero"]) == 0
    assert "gate failed (ignored: --exit-zero)" in capsys.readouterr().err
    assert main([*DEMO, "--no-waivers", "--soft-fail"]) == 0                 # Checkov's name
    capsys.readouterr()
    assert main([*DEMO, "--exit-zero", "--waivers", str(tmp_path / "missing.toml")]) == 2
    assert main(["audit", "--ncs-conf", str(tmp_path / "nope.conf"), "--exit-zero"]) == 2


def test_quiet_and_show_passed(capsys):
    main([*DEMO, "--no-waivers"])
    default = capsys.readouterr().out
    main([*DEMO, "--no-waivers", "--quiet"])
    quiet = capsys.readouterr().out
    main([*DEMO, "--no-waivers", "--show-passed"])
    everything = capsys.readouterr().out
    assert "[WARN  ]" in default and "[WARN  ]" not in quiet and "[FAIL  ]" in quiet
    assert "[PASS  ]" not in default and "[PASS  ]" in everything
    assert "[FAIL  ]" in everything and "[WARN  ]" in everything
    assert quiet.splitlines()[-1] == default.splitlines()[-1]              # same summary
    with pytest.raises(SystemExit) as e:
        main([*DEMO, "--quiet", "--show-passed"])
    assert e.value.code == 2


def test_output_dir_is_created(tmp_path, capsys):
    d = tmp_path / "ci" / "reports"
    assert main([*DEMO, "--no-waivers", "--output-dir", str(d), "-f", "json", "-f", "sarif"]) == 1
    assert sorted(p.name for p in d.iterdir()) == ["report.json", "report.sarif"]


WAIVE_AUTH = """[[waiver]]
rule = "SD-AUTH-001"
justification = "lab only"
expires = 2999-01-01
"""


def test_waiver_file_in_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".secure-deploy-waivers.toml").write_text(WAIVE_AUTH)
    _, doc = _json(tmp_path)
    assert not any("waivers read from" in n for n in doc["notes"])           # --no-waivers
    out = tmp_path / "auto.json"
    main([*DEMO, "-f", "json", "-o", str(out)])
    doc = json.loads(out.read_text())
    status = {r["rule_id"]: r["status"] for r in doc["results"]}
    assert status["SD-AUTH-001"] == "waived"
    assert f"waivers read from {tmp_path / '.secure-deploy-waivers.toml'} (1 waiver)" in doc["notes"]
    # --waivers names another file: the default one is not read.
    other = tmp_path / "other.toml"
    other.write_text(WAIVE_AUTH.replace("SD-AUTH-001", "SD-AUTH-002"))
    main([*DEMO, "--waivers", str(other), "-f", "json", "-o", str(out)])
    doc = json.loads(out.read_text())
    status = {r["rule_id"]: r["status"] for r in doc["results"]}
    assert status["SD-AUTH-001"] != "waived" and status["SD-AUTH-002"] == "waived"
    assert f"waivers read from {other} (1 waiver)" in doc["notes"]


def test_broken_default_waiver_file_is_an_input_error(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".secure-deploy-waivers.toml").write_text("[[waiver]]\nrule = 'SD-AUTH-001'\n")
    assert main(DEMO) == 2
    assert ".secure-deploy-waivers.toml" in capsys.readouterr().err


def test_explain_json(capsys):
    assert main(["explain", "SD-IF-001", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["id"] == "SD-IF-001" and doc["severity"] == "high" and doc["remediation"]


def _actions_without_help(parser, path=()):
    import argparse
    for a in parser._actions:
        if isinstance(a, argparse._SubParsersAction):
            for name, sub in a.choices.items():
                yield from _actions_without_help(sub, (*path, name))
        elif not a.help or a.help == argparse.SUPPRESS:
            yield " ".join(path) + " " + (a.option_strings[0] if a.option_strings else a.dest)


def test_every_option_and_argument_has_help():
    # Listing an option in the usage line is not documenting it: each one (and each
    # positional argument) of every command says what it does in --help.
    from secure_deploy.cli import build_parser
    assert list(_actions_without_help(build_parser())) == []


@pytest.mark.parametrize("argv", [["audit", "--help"], ["explain", "--help"]])
def test_every_new_option_has_help(argv, capsys):
    with pytest.raises(SystemExit):
        main(argv)
    text = " ".join(capsys.readouterr().out.split())
    options = {"audit": ["--severity", "--min-severity", "--exit-zero", "--quiet", "--show-passed",
                         "--output-dir", "--no-waivers", ".secure-deploy-waivers.toml"],
               "explain": ["--format"]}[argv[0]]
    for opt in options:
        assert opt in text


def test_max_key_age_days_must_be_positive(capsys):
    for bad in ("0", "-5"):
        with pytest.raises(SystemExit) as e:
            main([*DEMO, "--max-key-age-days", bad])
        assert e.value.code == 2 and "--max-key-age-days" in capsys.readouterr().err


# ---------------------------------------------------------------- references

def test_every_reference_of_the_catalog_has_a_url():
    from secure_deploy import registry
    from secure_deploy.ruledocs import reference_url
    missing = sorted({x for r in registry.all_rules() for x in r.meta.references if not reference_url(x)})
    assert missing == []
    assert reference_url("RFC 8996") == "https://www.rfc-editor.org/rfc/rfc8996"
    assert reference_url("ncs.conf(5)") == "https://nso-docs.cisco.com/resources/man/ncs.conf.5"
    assert reference_url("CIS Benchmark, whatever") is None        # unknown: no guessed URL


def test_urls_in_explain_sarif_html(tmp_path, capsys):
    main(["explain", "SD-IF-004"])
    text = capsys.readouterr().out
    assert "RFC 8996 <https://www.rfc-editor.org/rfc/rfc8996>" in text
    assert "<https://nso-docs.cisco.com/guides/administration/installation-and-deployment/deployment/" \
           "secure-deployment>" in text
    main(["explain", "SD-IF-004", "--format", "json"])
    assert json.loads(capsys.readouterr().out)["reference_urls"]["RFC 8996"] == \
        "https://www.rfc-editor.org/rfc/rfc8996"
    main([*DEMO, "--no-waivers", "--rule", "SD-IF-004", "-f", "sarif", "-o", str(tmp_path / "r.sarif"),
          "-f", "html", "-o", str(tmp_path / "r.html")])
    rules = json.loads((tmp_path / "r.sarif").read_text())["runs"][0]["tool"]["driver"]["rules"]
    assert rules[0]["helpUri"].startswith("https://")
    assert "[RFC 8996](https://www.rfc-editor.org/rfc/rfc8996)" in rules[0]["help"]["markdown"]
    assert '<a href="https://www.rfc-editor.org/rfc/rfc8996"' in (tmp_path / "r.html").read_text()


# ---------------------------------------------------------------- object kinds

def test_explain_lists_object_kinds(capsys):
    main(["explain", "SD-HASH-003"])
    text = capsys.readouterr().out
    assert "Objects (what a waiver's `object` may name)" in text and "  user: an AAA user name" in text
    main(["explain", "SD-AUTH-001"])
    assert "none: the findings carry no object" in capsys.readouterr().out
    main(["explain", "SD-IF-004", "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert doc["objects"] == ["web-transport"] and doc["object_kinds"][0]["example"] == "WebUI"


def _check(tmp_path, body, *extra):
    p = tmp_path / "w.toml"
    p.write_text(body)
    return main(["waivers", "check", str(p), "--today", "2026-01-01", *extra])


def _waiver(rule, obj=None):
    o = f'object = "{obj}"\n' if obj is not None else ""
    return f'[[waiver]]\nrule = "{rule}"\n{o}justification = "j"\nexpires = 2027-01-01\n'


@pytest.mark.parametrize("rule,obj,ok", [
    ("SD-HASH-003", "admin", True),                 # user
    ("SD-AUTH-001", None, True),                    # whole rule
    ("SD-AUTH-001", "admin", False),                # the rule's findings carry no object
    ("SD-IF-004", "WebUI", True),
    ("SD-IF-004", "webui", False),                  # closed set, case matters (matching is exact)
    ("SD-SSH-002", "hostkey", False),
    ("SD-NACM-004", "rule-list oper / rule all", True),
    ("SD-NACM-004", "all", False),
    ("SD-ROOT-003", "ncs.conf", False),             # files are absolute paths
    ("SD-KEYS-002", "ncs.conf", True),
])
def test_waivers_check_fails_waivers_that_never_match(tmp_path, capsys, rule, obj, ok):
    assert _check(tmp_path, _waiver(rule, obj)) == (0 if ok else 1)
    out = capsys.readouterr().out
    assert ("never matches" in out) is (not ok)
    assert out.rstrip().endswith(f"{0 if ok else 1} problem(s)")


def test_waivers_check_knows_fleet_node_prefixes(tmp_path, capsys):
    assert _check(tmp_path, _waiver("SD-HASH-003", "n1: admin")) == 1
    assert _check(tmp_path, _waiver("SD-HASH-003", "n1: admin"), "--node", "n1") == 0
    assert _check(tmp_path, _waiver("SD-AUTH-001", "n1"), "--node", "n1") == 0
    assert _check(tmp_path, _waiver("SD-AUTH-001", "n1: x"), "--node", "n1") == 1


def test_blank_waiver_object_is_an_error(tmp_path, capsys):
    assert _check(tmp_path, _waiver("SD-HASH-003", "  ")) == 2
    assert "object is blank" in capsys.readouterr().err


def test_report_render_text_is_not_wrapped_in_a_pipe(demo_report, tmp_path, capsys):
    saved = tmp_path / "r.json"
    saved.write_text(render(demo_report, Format.JSON))
    assert main(["report", "render", str(saved), "--format", "text"]) == 0
    assert capsys.readouterr().out == render(demo_report, Format.TEXT, RenderOptions(width=None))


@pytest.mark.parametrize("width", [None, 60, 80])
def test_explain_never_splits_a_token(width):
    from secure_deploy import registry
    from secure_deploy.cli.catalog import explain_text
    meta = registry.get("SD-SSH-002").meta
    text = explain_text(meta, width)
    assert text.split() == explain_text(meta, None).split()
    cipher_list = next(t for t in meta.remediation.split() if "aes128-gcm@openssh.com," in t)
    assert cipher_list in text.split()                          # whole, on one line
    if width:
        example_lines = set((meta.example + "\n" + meta.fix_example).splitlines())
        assert all(len(ln) <= width or len(ln.split()) == 1 or ln.strip() in {e.strip() for e in example_lines}
                   for ln in text.splitlines())


def test_explain_in_a_pipe_is_not_wrapped(capsys):
    main(["explain", "SD-SSH-002"])
    out = capsys.readouterr().out
    from secure_deploy import registry
    assert " ".join(registry.get("SD-SSH-002").meta.remediation.split()) in out


def test_quiet_lists_no_manual_or_passing_checklist_rows(capsys):
    # --quiet lists only what fails or could not be checked, the guidance checklist
    # included: a clean production run prints no MANUAL recommendation rows.
    prod = REPO / "examples" / "prod-system-install"
    args = ["audit", "--config-dir", str(prod / "etc"), "--run-dir", str(prod / "run"), "--nso-version", "6.5",
            "--no-host", "--no-waivers", "--color", "never"]
    assert main([*args, "--quiet"]) == 0
    quiet = capsys.readouterr().out
    assert "[manual]" not in quiet and "[pass]" not in quiet and "Guidance checklist:" in quiet
    assert main([*DEMO, "--no-waivers", "--quiet"]) == 1
    demo = capsys.readouterr().out
    rows = [line for line in demo.splitlines() if line.startswith("GD-")]
    assert rows and all("[fail]" in line or "[error]" in line for line in rows)
    assert main(args) == 0
    assert "[manual]" in capsys.readouterr().out                        # the default still lists them


@pytest.mark.parametrize("fmt", ["text", "sarif"])
def test_a_reader_that_stops_early_does_not_turn_a_failed_gate_into_exit_0(fmt):
    # `secure-deploy audit | head` (or an uploader that exits early) under `set -o
    # pipefail`: the broken pipe ends the output, never the gate: still exit 1.
    r, w = os.pipe()
    os.close(r)                                   # the reader is gone before the first byte
    try:
        proc = subprocess.run([sys.executable, "-m", "secure_deploy.cli", *DEMO, "--no-waivers", "-f", fmt],
                              stdout=w, stderr=subprocess.PIPE, cwd=REPO, timeout=120)
    finally:
        os.close(w)
    assert proc.returncode == 1
    assert b"gate failed" in proc.stderr and b"Traceback" not in proc.stderr
