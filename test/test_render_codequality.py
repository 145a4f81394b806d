"""GitLab Code Quality report: GitLab's documented fields, stable unique fingerprints."""
from __future__ import annotations

import datetime as dt
import json

import jsonschema

from report_samples import sample_report
from secure_deploy.model import Location, Report, RuleResult, Status, finding
from secure_deploy.report import Format, RenderOptions, render
from secure_deploy.report.waivers import Waiver, apply_waivers

# The fields GitLab documents for a Code Quality report (docs.gitlab.com, "Code
# Quality report format"): an array of issues, each with these, all required.
CODE_QUALITY_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "minLength": 1},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object", "required": ["path", "lines"],
                "properties": {"path": {"type": "string", "minLength": 1},
                               "lines": {"type": "object", "required": ["begin"],
                                         "properties": {"begin": {"type": "integer", "minimum": 1}}}},
            },
        },
    },
}


def _cq(report: Report, base_dir=None):
    issues = json.loads(render(report, Format.GITLAB_CODEQUALITY, RenderOptions(base_dir=base_dir)))
    jsonschema.validate(issues, CODE_QUALITY_SCHEMA)
    return issues


def test_schema_rejects_what_gitlab_would_drop():
    bad = [{"description": "x", "check_name": "x", "fingerprint": "x", "severity": "high",
            "location": {"path": "a", "lines": {"begin": 1}}}]
    try:
        jsonschema.validate(bad, CODE_QUALITY_SCHEMA)
    except jsonschema.ValidationError:
        return
    raise AssertionError("severity 'high' is not GitLab's")


def test_one_issue_per_open_finding_and_unique_fingerprints():
    rep = sample_report()
    issues = _cq(rep)
    expected = [(r.rule_id, f) for r in rep.results for f in r.findings
                if f.status in (Status.FAIL, Status.WARN, Status.ERROR)]
    assert [i["check_name"] for i in issues] == [rid for rid, _ in expected]
    fps = [i["fingerprint"] for i in issues]
    assert len(set(fps)) == len(fps)
    assert not {"SD-TEST-002"} & {i["check_name"] for i in issues}      # MANUAL: no issue
    (crash,) = [i for i in issues if i["check_name"] == "SD-TEST-003"]   # ERROR: shown
    assert crash["description"].startswith("SD-TEST-003 A rule that crashes: could not be evaluated")


def test_severity_mapping_and_warn_is_at_most_minor():
    by_rule = {i["check_name"]: i for i in _cq(sample_report())}
    assert by_rule["SD-TEST-003"]["severity"] == "critical"    # critical rule
    assert by_rule["SD-AUTH-001"]["severity"] == "major"       # high rule
    assert by_rule["SD-TEST-004"]["severity"] == "minor"       # high rule, WARN


def test_locations_point_at_the_file_and_line(tmp_path):
    conf = str(tmp_path / "deployments" / "eu" / "ncs.conf")
    meta = sample_report(synthetic=False).results[0].meta
    fs = (finding(Status.FAIL, "a", obj="u1", location=Location(conf, 7)), finding(Status.FAIL, "b", obj="u2"))
    rep = Report(results=(RuleResult(meta, Status.FAIL, "a", fs),),
                 nso_version=sample_report(synthetic=False).nso_version, target=conf, started_at="x")
    a, b = _cq(rep, base_dir=str(tmp_path))
    assert a["location"] == {"path": "deployments/eu/ncs.conf", "lines": {"begin": 7}}
    assert b["location"] == {"path": "deployments/eu/ncs.conf", "lines": {"begin": 1}}   # no line: 1


def test_fingerprints_are_stable_and_differ_between_deployments(tmp_path):
    def issues_for(name, line):
        meta = sample_report(synthetic=False).results[0].meta
        f = finding(Status.FAIL, f"message with a value {line}", location=Location(f"/r/{name}/ncs.conf", line))
        rep = Report(results=(RuleResult(meta, Status.FAIL, "m", (f,)),),
                     nso_version=sample_report(synthetic=False).nso_version, target="t", started_at="x")
        return _cq(rep, base_dir="/r")
    assert issues_for("eu", 3)[0]["fingerprint"] == issues_for("eu", 9)[0]["fingerprint"]
    assert issues_for("eu", 3)[0]["fingerprint"] != issues_for("us", 3)[0]["fingerprint"]


def test_waived_findings_give_no_issue():
    rep = apply_waivers(sample_report(), [Waiver("SD-AUTH-001", "lab", dt.date(2027, 1, 1))],
                        dt.date(2026, 11, 1))
    assert "SD-AUTH-001" not in {i["check_name"] for i in _cq(rep)}


def test_empty_when_nothing_is_open():
    rep = sample_report(synthetic=False)
    passing = Report(results=tuple(r for r in rep.results if r.status is Status.PASS),
                     nso_version=rep.nso_version, target="t", started_at="x")
    assert _cq(passing) == []
