"""Gates: --fail-on severity, --min-score, --baseline (only new findings fail)."""
from __future__ import annotations

import dataclasses
import datetime as dt

from report_samples import sample_report
from secure_deploy.report.gating import evaluate_gates, failing_keys
from secure_deploy.model import Severity, Status
from secure_deploy.report.waivers import Waiver, apply_waivers

GOOD_AUTH = ("<aaa><local-authentication><enabled>false</enabled></local-authentication>"
             "<pam><enabled>true</enabled><service>system-auth</service></pam></aaa>")


def only(report, *ids):
    return dataclasses.replace(report, results=tuple(r for r in report.results if r.rule_id in ids))


def test_severity_gate_counts_fail_and_error_at_or_above():
    rep = only(sample_report(), "SD-AUTH-001", "SD-TEST-002", "SD-TEST-004")  # high FAIL, manual, high WARN
    g = evaluate_gates(rep, fail_on=Severity.HIGH)
    assert not g.passed and g.exit_code == 1 and [r.rule_id for r in g.gated] == ["SD-AUTH-001"]
    assert "SD-AUTH-001" in g.reasons[0]
    # WARN and MANUAL never trip the gate; a critical-only gate ignores the high FAIL.
    assert evaluate_gates(rep, fail_on=Severity.CRITICAL).passed
    # ERROR (could not read) is treated like a failure: CI must not read it as success.
    err = only(sample_report(), "SD-TEST-003")
    assert err.results[0].status is Status.ERROR
    assert not evaluate_gates(err, fail_on=Severity.CRITICAL).passed
    assert evaluate_gates(rep, fail_on=None).passed


def test_low_severity_failure_below_gate():
    rep = only(sample_report(), "SD-AUTH-003")
    assert rep.results[0].status is Status.FAIL and rep.results[0].meta.severity is Severity.LOW
    assert evaluate_gates(rep, fail_on=Severity.MEDIUM).passed
    assert not evaluate_gates(rep, fail_on=Severity.LOW).passed


def test_waived_failure_does_not_trip_the_gate():
    rep = only(sample_report(), "SD-AUTH-001")
    waived = apply_waivers(rep, [Waiver("SD-AUTH-001", "lab", dt.date(2027, 1, 1))], dt.date(2026, 11, 26))
    assert not evaluate_gates(rep).passed
    assert evaluate_gates(waived).passed


def test_min_score_gate():
    rep = sample_report()
    score = rep.summary.score
    assert 0 < score < 100
    assert evaluate_gates(rep, fail_on=None, min_score=score).passed            # equal is enough
    g = evaluate_gates(rep, fail_on=None, min_score=score + 0.1)
    assert not g.passed and "below the minimum" in g.reasons[0]
    # Both gates failing give two reasons.
    assert len(evaluate_gates(rep, fail_on=Severity.HIGH, min_score=100).reasons) == 2


def test_baseline_fails_only_on_new_findings():
    old = sample_report()
    # Same deployment: nothing new, the gate passes although rules still fail.
    assert not evaluate_gates(old).passed
    assert evaluate_gates(sample_report(), baseline=old).passed
    # The baseline had auth fixed; the new run re-breaks it: new findings fail the gate.
    fixed = sample_report("<cli><ssh><enabled>true</enabled></ssh></cli>" + GOOD_AUTH)
    assert "SD-AUTH-001" not in {k[0] for k in failing_keys(fixed)}
    g = evaluate_gates(sample_report(), baseline=fixed)
    assert not g.passed and {r.rule_id for r in g.gated} >= {"SD-AUTH-001", "SD-AUTH-002"}
    assert "new failing" in g.reasons[0]
    # Improving relative to the baseline passes.
    assert evaluate_gates(fixed, baseline=sample_report()).passed


def test_baseline_tracks_objects():
    old = sample_report()
    per_user = next(r for r in old.results if r.rule_id == "SD-TEST-001")
    # Baseline knew only about "admin": the "oper" finding is new.
    narrowed = dataclasses.replace(per_user, findings=tuple(f for f in per_user.findings if f.object != "oper"))
    base = dataclasses.replace(old, results=tuple(narrowed if r.rule_id == "SD-TEST-001" else r
                                                  for r in old.results))
    g = evaluate_gates(sample_report(), baseline=base)
    assert [r.rule_id for r in g.gated] == ["SD-TEST-001"]
