"""SARIF 2.1.0: validated by the official schema and by Microsoft's SARIF Multitool.

Both come from the npm package @microsoft/sarif-multitool (the platform package
ships `sarif-2.1.0.json` next to the `Sarif.Multitool` binary); `make test` installs
it under .venv/npm. The tests skip with a reason where it is absent.
"""
from __future__ import annotations

import glob
import json
import os
import subprocess

import pytest

from conftest import REPO
from report_samples import SECRET_HASH, SECRET_KEY, file_report, sample_file_id, sample_files, sample_report
from secure_deploy.model import Location
from secure_deploy.report import Format, RenderOptions, render
from secure_deploy.report.sarif_report import sarif_dict

NPM = os.environ.get("SARIF_MULTITOOL_DIR") or str(REPO / ".venv" / "npm" / "node_modules" / "@microsoft")


def _find(pattern: str):
    hits = sorted(glob.glob(os.path.join(NPM, pattern)))
    return hits[0] if hits else None


@pytest.fixture(scope="module")
def sarif_validator():
    jsonschema = pytest.importorskip("jsonschema")
    path = _find("sarif-multitool-*/sarif-2.1.0.json")
    if path is None:
        pytest.skip(f"official SARIF schema absent (npm install @microsoft/sarif-multitool under {NPM}; make test does)")
    with open(path) as f:
        schema = json.load(f)
    assert "SARIF" in schema.get("title", "") and "2.1.0" in schema["title"]
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)


def schema_errors(validator, doc):
    return [f"{list(e.absolute_path)}: {e.message[:200]}" for e in validator.iter_errors(doc)]


def test_sample_report_is_valid_sarif(sarif_validator):
    doc = json.loads(render(sample_report(), Format.SARIF))
    assert schema_errors(sarif_validator, doc) == []


@pytest.mark.parametrize("path", sample_files(), ids=sample_file_id)
def test_every_sample_is_valid_sarif(sarif_validator, path):
    doc = json.loads(render(file_report(path), Format.SARIF))
    assert schema_errors(sarif_validator, doc) == []
    assert doc["runs"][0]["results"]


def test_the_schema_validator_does_reject(sarif_validator):
    doc = json.loads(render(sample_report(), Format.SARIF))
    doc["runs"][0]["results"][0]["level"] = "critical"
    assert schema_errors(sarif_validator, doc)


def test_multitool_validate_reports_no_error(tmp_path):
    tool = _find("sarif-multitool-linux/Sarif.Multitool")
    if tool is None or not os.access(tool, os.X_OK):
        pytest.skip(f"SARIF Multitool absent under {NPM}")
    src = tmp_path / "report.sarif"
    src.write_text(render(sample_report(), Format.SARIF))
    out = tmp_path / "validation.sarif"
    env = dict(os.environ, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT="1", DOTNET_CLI_TELEMETRY_OPTOUT="1")
    r = subprocess.run([tool, "validate", str(src), "--json-schema", os.path.join(os.path.dirname(tool),
                        "sarif-2.1.0.json"), "--output", str(out)],
                       capture_output=True, text=True, timeout=300, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    results = json.loads(out.read_text())["runs"][0].get("results", [])
    problems = [x["message"] for x in results if x.get("level", "warning") == "error"]
    assert problems == []


def test_rules_results_levels_and_locations():
    rep = sample_report()
    run = sarif_dict(rep)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [r.rule_id for r in rep.results]   # one descriptor per rule
    auth = next(r for r in rules if r["id"] == "SD-AUTH-001")
    assert auth["help"]["text"] and "Fix:" in auth["help"]["text"]
    assert auth["properties"]["security-severity"] == "8.0"
    by = {}
    for res in run["results"]:
        by.setdefault(res["ruleId"], []).append(res)
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
    (a,) = by["SD-AUTH-001"]
    assert a["level"] == "error" and a["kind"] == "fail"
    phys = a["locations"][0]["physicalLocation"]
    assert phys["artifactLocation"]["uri"] == "ncs.conf" and phys["region"]["startLine"] >= 1
    assert a["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == "/ncs-config/aaa/local-authentication/enabled"
    # Per-object findings: one result each (failing objects only), distinct fingerprints.
    users = by["SD-TEST-001"]
    assert sorted(r["properties"]["object"] for r in users) == ["admin", "oper"]
    assert len({r["partialFingerprints"]["secureDeploy/v1"] for r in users}) == 2
    assert by["SD-TEST-004"][0]["level"] == "warning"              # WARN of a high rule
    assert by["SD-TEST-002"][0]["kind"] == "review"                # MANUAL
    assert "SD-TEST-003" not in by                                 # ERROR: a notification
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert any(n["message"]["text"].startswith("SD-TEST-003:") and n["level"] == "error" for n in notes)
    passing = {r.rule_id for r in rep.results if r.status.value in ("pass", "not-applicable")}
    assert not passing & set(by)


def test_waived_findings_are_suppressed_with_justification():
    import datetime as dt
    from secure_deploy.report.waivers import Waiver, apply_waivers
    rep = apply_waivers(sample_report(), [Waiver("SD-AUTH-001", "lab only", dt.date(2027, 1, 1))],
                        dt.date(2026, 11, 26))
    (a,) = [r for r in sarif_dict(rep)["runs"][0]["results"] if r["ruleId"] == "SD-AUTH-001"]
    assert a["suppressions"] == [{"kind": "external", "status": "accepted", "justification": "lab only"}]


def test_uris_relative_to_base_dir_or_file_uris():
    import dataclasses
    from secure_deploy.report.sarif_report import _uri
    assert _uri("/repo/etc/ncs.conf", "/repo") == {"uri": "etc/ncs.conf", "uriBaseId": "SRCROOT"}
    assert _uri("/other/ncs conf.xml", "/repo") == {"uri": "file:///other/ncs%20conf.xml"}
    assert _uri("/other/ncs.conf", None) == {"uri": "file:///other/ncs.conf"}
    rep = sample_report()
    moved = dataclasses.replace(rep, results=tuple(
        dataclasses.replace(r, findings=tuple(dataclasses.replace(f, location=Location("/repo/etc/ncs.conf", 3))
                                              if f.location else f for f in r.findings))
        for r in rep.results))
    run = json.loads(render(moved, Format.SARIF, RenderOptions(base_dir="/repo")))["runs"][0]
    assert run["originalUriBaseIds"]["SRCROOT"]["uri"] == "file:///repo/"
    locs = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    assert locs == {"etc/ncs.conf"}   # every result has a physical location, findings without one fall back


def test_no_secret_in_sarif():
    out = render(sample_report(), Format.SARIF)
    assert SECRET_HASH not in out and SECRET_KEY not in out and "QQQQQQQQ" not in out


@pytest.mark.parametrize("rule_id,lang", [("SD-IF-001", "xml"), ("SD-NACM-002", "xml"), ("SD-KEYS-003", "shell"),
                                          ("SD-INSTALL-001", "text")])
def test_fix_example_fence_names_its_language(rule_id, lang):
    from secure_deploy import registry
    from secure_deploy.model import RuleResult, Status
    from secure_deploy.report.sarif_report import _descriptor
    meta = registry.get(rule_id).meta
    md = _descriptor(RuleResult(meta, Status.FAIL, "m", ()))["help"]["markdown"]
    assert f"```{lang}\n{meta.fix_example}\n```" in md
