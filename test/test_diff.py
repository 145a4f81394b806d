"""Report diff: new, fixed, unchanged, changed findings, in text and JSON."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json

from report_samples import sample_report
from secure_deploy.report.diff import diff_dict, diff_reports, render_json, render_text
from secure_deploy.model import Severity, Status
from secure_deploy.report.json_report import report_dict, report_from_dict
from secure_deploy.report.waivers import Waiver, apply_waivers

GOOD_AUTH = ("<aaa><local-authentication><enabled>false</enabled></local-authentication>"
             "<pam><enabled>true</enabled><service>system-auth</service></pam></aaa>")
DEV_ONLY_SSH = "<cli><ssh><enabled>true</enabled></ssh></cli>"


def keys(entries):
    return {(e.rule_id, e.object) for e in entries}


def test_identical_reports_have_only_unchanged():
    d = diff_reports(sample_report(), sample_report())
    assert not d.new and not d.fixed and not d.changed
    assert ("SD-AUTH-001", None) in keys(d.unchanged) and ("SD-TEST-001", "admin") in keys(d.unchanged)
    assert ("SD-TEST-001", "alice") not in keys(d.unchanged)   # passing: not a finding to track


def test_new_and_fixed():
    old = sample_report(DEV_ONLY_SSH + GOOD_AUTH)
    new = sample_report()
    d = diff_reports(old, new)
    assert {("SD-AUTH-001", None), ("SD-AUTH-002", None)} <= keys(d.new)
    back = diff_reports(new, old)
    assert {("SD-AUTH-001", None), ("SD-AUTH-002", None)} <= keys(back.fixed)
    fixed = {e.rule_id: e for e in back.fixed}["SD-AUTH-001"]
    assert fixed.old_status == "fail" and fixed.status == "pass"


def test_waived_counts_as_fixed_and_removed_rule_as_absent():
    old = sample_report()
    waived = apply_waivers(old, [Waiver("SD-AUTH-001", "lab", dt.date(2027, 1, 1))], dt.date(2026, 11, 26))
    d = diff_reports(old, waived)
    assert {e.rule_id: e.status for e in d.fixed} == {"SD-AUTH-001": "waived"}
    gone = dataclasses.replace(old, results=tuple(r for r in old.results if r.rule_id != "SD-TEST-004"))
    assert {e.rule_id: e.status for e in diff_reports(old, gone).fixed} == {"SD-TEST-004": "absent"}


def test_changed_severity_and_status():
    old = sample_report()

    def rerate(report, rule_id, **meta):
        return dataclasses.replace(report, results=tuple(
            dataclasses.replace(r, meta=dataclasses.replace(r.meta, **meta)) if r.rule_id == rule_id else r
            for r in report.results))
    new = rerate(old, "SD-AUTH-001", severity=Severity.CRITICAL)
    d = diff_reports(old, new)
    (c,) = d.changed
    assert (c.rule_id, c.old_severity, c.severity) == ("SD-AUTH-001", "high", "critical")
    # FAIL -> WARN on the same finding is a change, not a fix.
    warn = dataclasses.replace(old, results=tuple(
        dataclasses.replace(r, status=Status.WARN, findings=tuple(dataclasses.replace(f, status=Status.WARN)
                                                                  for f in r.findings))
        if r.rule_id == "SD-AUTH-002" else r for r in old.results))
    (c2,) = diff_reports(old, warn).changed
    assert (c2.rule_id, c2.old_status, c2.status) == ("SD-AUTH-002", "fail", "warn")


def test_text_and_json_renderings_and_saved_reports():
    old = report_from_dict(json.loads(json.dumps(report_dict(sample_report(DEV_ONLY_SSH + GOOD_AUTH)))))
    new = report_from_dict(json.loads(json.dumps(report_dict(sample_report()))))
    d = diff_reports(old, new)
    doc = json.loads(render_json(d))
    assert doc == diff_dict(d)
    assert doc["counts"]["new"] == len(d.new) >= 2 and doc["counts"]["unchanged"] == len(d.unchanged)
    assert {e["rule_id"] for e in doc["new_findings"]} >= {"SD-AUTH-001", "SD-AUTH-002"}
    text = render_text(d)
    assert "== NEW ==" in text and "SD-AUTH-001" in text and "== UNCHANGED ==" in text
    assert f"{len(d.new)} new, {len(d.fixed)} fixed" in text
    assert max(len(line) for line in text.splitlines()[2:]) <= 80
