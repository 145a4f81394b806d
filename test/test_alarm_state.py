"""Alarm state from audit runs (secure_deploy.alarms.state): pure, no NSO."""
from __future__ import annotations

from typing import Optional, Sequence

from secure_deploy.alarms.state import (AlarmKey, AlarmSettings, AlarmSeverity, AlarmType, TEXT_MAX, active,
                                        mark_sent, next_state, to_send)
from secure_deploy.model import Finding, RuleMeta, RuleResult, Severity, Status

DEV = "nso"


def meta(rid: str, sev: Severity = Severity.HIGH) -> RuleMeta:
    return RuleMeta(id=rid, title=f"title of {rid}", severity=sev, rationale="why", remediation="do this",
                    section="s")


def result(rid: str, status: Status, sev: Severity = Severity.HIGH, objects: Sequence[Optional[str]] = (None,),
           message: str = "msg") -> RuleResult:
    findings = tuple(Finding(status, f"{message} {o or ''}".strip(), object=o) for o in objects)
    return RuleResult(meta(rid, sev), status, message, findings)


def key(mo: str, t: AlarmType = AlarmType.VIOLATION) -> AlarmKey:
    return AlarmKey(DEV, t, mo)


def run(results, previous=(), settings=AlarmSettings(), run_id="r1", **kw):
    """One run whose submission succeeds: returns the stored state and what was sent."""
    state = next_state(results, previous, settings, run_id, **kw)
    sent = to_send(state)
    return mark_sent(state, {r.key for r in sent}), sent


def by_key(records):
    return {r.key: r for r in records}


def test_severity_mapping_and_text() -> None:
    rs = [result("R-C", Status.FAIL, Severity.CRITICAL), result("R-H", Status.FAIL, Severity.HIGH),
          result("R-M", Status.FAIL, Severity.MEDIUM), result("R-L", Status.FAIL, Severity.LOW),
          result("R-I", Status.FAIL, Severity.INFO)]
    state, sent = run(rs)
    got = {r.key.managed_object: r.severity for r in sent}
    assert got == {"R-C": AlarmSeverity.CRITICAL, "R-H": AlarmSeverity.MAJOR,
                   "R-M": AlarmSeverity.MINOR, "R-L": AlarmSeverity.WARNING}
    rec = by_key(state)[key("R-C")]
    assert rec.text == "R-C title of R-C: msg. Fix: do this" and rec.in_sync
    assert [s.number for s in AlarmSeverity] == [1, 2, 3, 4, 5, 6]


def test_unchanged_alarms_are_not_sent_again_and_a_fix_clears() -> None:
    state, _ = run([result("R1", Status.FAIL), result("R2", Status.FAIL)])
    state2, sent2 = run([result("R1", Status.FAIL), result("R2", Status.FAIL)], state, run_id="r2")
    assert sent2 == () and state2 == state
    state3, sent3 = run([result("R1", Status.PASS), result("R2", Status.FAIL)], state2, run_id="r3")
    assert [(r.key.managed_object, r.severity) for r in sent3] == [("R1", AlarmSeverity.CLEARED)]
    assert "passes" in sent3[0].text and "r3" in sent3[0].text
    assert [r.key.managed_object for r in state3] == ["R2"]      # a sent clear is forgotten


def test_waived_disabled_warn_manual_na_clear() -> None:
    rules = ["RW", "RD", "RWARN", "RM", "RNA", "RA"]
    state, _ = run([result(r, Status.FAIL) for r in rules])
    after = [result("RW", Status.WAIVED), result("RD", Status.FAIL), result("RWARN", Status.WARN),
             result("RM", Status.MANUAL), result("RNA", Status.NOT_APPLICABLE), result("RA", Status.ACCEPTED)]
    state2, sent = run(after, state, run_id="r2", disabled=["rd"])
    assert {r.key.managed_object for r in sent} == set(rules)
    assert all(r.severity is AlarmSeverity.CLEARED for r in sent)
    assert "disabled" in by_key(sent)[key("RD")].text and "waived" in by_key(sent)[key("RW")].text
    assert "accepted exposure" in by_key(sent)[key("RA")].text
    assert active(state2) == ()


def test_error_keeps_violations_and_raises_not_evaluated() -> None:
    state, _ = run([result("R1", Status.FAIL, objects=["a", "b"])])
    state2, sent = run([result("R1", Status.ERROR, message="cannot read ncs.conf")], state, run_id="r2")
    assert [(r.key.alarm_type, r.severity) for r in sent] == [(AlarmType.NOT_EVALUATED, AlarmSeverity.INDETERMINATE)]
    assert "could not be evaluated: cannot read ncs.conf" in sent[0].text
    assert {r.key.managed_object for r in active(state2)} == {"R1 a", "R1 b", "R1"}
    # evaluated again and fixed: every alarm of the rule clears
    state3, sent3 = run([result("R1", Status.PASS)], state2, run_id="r3")
    assert {(r.key.alarm_type, r.key.managed_object) for r in sent3} == {
        (AlarmType.VIOLATION, "R1 a"), (AlarmType.VIOLATION, "R1 b"), (AlarmType.NOT_EVALUATED, "R1")}
    assert "evaluated again" in by_key(sent3)[key("R1", AlarmType.NOT_EVALUATED)].text
    assert state3 == ()


def test_per_object_alarms_capped_without_rotation() -> None:
    settings = AlarmSettings(max_objects_per_rule=3)
    objs = [f"dev{i:04d}" for i in range(5000)]
    state, sent = run([result("R1", Status.FAIL, objects=objs)], settings=settings)
    names = sorted(r.key.managed_object for r in state)
    assert names == ["R1", "R1 dev0000", "R1 dev0001", "R1 dev0002"]
    assert "4997 more failing objects" in by_key(state)[key("R1")].text
    # dev0000 fixed, a new dev-aaa (sorts first) fails: the alarmed objects keep their alarms
    objs2 = ["dev-aaa"] + objs[1:]
    state2, sent2 = run([result("R1", Status.FAIL, objects=objs2)], state, settings=settings, run_id="r2")
    assert sorted(r.key.managed_object for r in active(state2)) == ["R1", "R1 dev-aaa", "R1 dev0001", "R1 dev0002"]
    assert {(r.key.managed_object, r.severity) for r in sent2} == {
        ("R1 dev0000", AlarmSeverity.CLEARED), ("R1 dev-aaa", AlarmSeverity.MAJOR)}
    # within the cap again: the rule-level count alarm clears
    state3, sent3 = run([result("R1", Status.FAIL, objects=["dev0001"])], state2, settings=settings, run_id="r3")
    assert [r.key.managed_object for r in active(state3)] == ["R1 dev0001"]
    assert "every failing object" in by_key(sent3)[key("R1")].text


def test_only_failing_findings_raise() -> None:
    r = RuleResult(meta("R1"), Status.FAIL, "m", (Finding(Status.FAIL, "bad", object="u1"),
                                                   Finding(Status.WAIVED, "bad but waived", object="u2"),
                                                   Finding(Status.PASS, "ok", object="u3")))
    state, _ = run([r])
    assert [x.key.managed_object for x in state] == ["R1 u1"]


def test_alarms_off_raises_nothing_and_clears_what_is_raised() -> None:
    off = AlarmSettings(enabled=False)
    assert run([result("R1", Status.FAIL)], settings=off) == ((), ())
    state, _ = run([result("R1", Status.FAIL)])
    state2, sent = run([result("R1", Status.FAIL)], state, settings=off, run_id="r2")
    assert state2 == () and sent[0].severity is AlarmSeverity.CLEARED and "turned off" in sent[0].text


def test_min_severity() -> None:
    s = AlarmSettings(min_severity=Severity.HIGH)
    state, _ = run([result("RC", Status.FAIL, Severity.CRITICAL), result("RM", Status.FAIL, Severity.MEDIUM)],
                   settings=s)
    assert [r.key.managed_object for r in state] == ["RC"]
    # raising the threshold later clears alarms now below it, even of rules not in the run
    state2, sent = run([], state, settings=AlarmSettings(min_severity=Severity.CRITICAL), run_id="r2")
    assert state2 == state and sent == ()
    state, _ = run([result("RH", Status.FAIL, Severity.HIGH)])
    state4, sent4 = run([], state, settings=AlarmSettings(min_severity=Severity.CRITICAL), run_id="r2")
    assert state4 == () and "minimum alarm severity" in sent4[0].text


def test_unselected_rules_keep_alarms_unknown_rules_clear() -> None:
    state, _ = run([result("R1", Status.FAIL), result("R2", Status.FAIL)])
    state2, sent = run([result("R1", Status.PASS)], state, run_id="r2", known_rules={"R1", "R2"})
    assert [r.key.managed_object for r in state2] == ["R2"]
    state3, sent3 = run([], state2, run_id="r3", known_rules={"R1"})
    assert state3 == () and "no longer part" in sent3[0].text


def test_unsent_changes_are_sent_by_the_next_run() -> None:
    """A run stored but interrupted before its alarms reached NSO (VM restart)."""
    state = next_state([result("R1", Status.FAIL), result("R2", Status.FAIL)], (), AlarmSettings(), "r1")
    assert len(to_send(state)) == 2                                   # never marked sent
    state2 = next_state([result("R1", Status.FAIL), result("R2", Status.PASS)], state, AlarmSettings(), "r2")
    pending = {r.key.managed_object: r.severity for r in to_send(state2)}
    assert pending == {"R1": AlarmSeverity.MAJOR, "R2": AlarmSeverity.CLEARED}
    # a clear that did not go out stays pending until it does
    state3 = next_state([result("R1", Status.FAIL), result("R2", Status.PASS)], state2, AlarmSettings(), "r3")
    assert {r.key.managed_object for r in to_send(state3)} == {"R1", "R2"}
    done = mark_sent(state3, {r.key for r in to_send(state3)})
    assert [(r.key.managed_object, r.in_sync) for r in done] == [("R1", True)]


def test_changed_text_or_severity_is_sent_again_and_device_change_moves_alarms() -> None:
    state, _ = run([result("R1", Status.FAIL, message="3 users")])
    _, sent = run([result("R1", Status.FAIL, message="4 users")], state, run_id="r2")
    assert [r.text for r in sent] == ["R1 title of R1: 4 users. Fix: do this"]
    state2, sent2 = run([result("R1", Status.FAIL, message="3 users")], state, run_id="r2",
                        settings=AlarmSettings(device="nso-east"))
    assert {(r.key.device, r.severity) for r in sent2} == {("nso", AlarmSeverity.CLEARED),
                                                           ("nso-east", AlarmSeverity.MAJOR)}
    assert [r.key.device for r in state2] == ["nso-east"]


def test_one_period_between_message_and_fix() -> None:
    state, _ = run([result("R1", Status.FAIL, message="bad thing."), result("R2", Status.ERROR, message="no file.")])
    assert by_key(state)[key("R1")].text == "R1 title of R1: bad thing. Fix: do this"
    assert "could not be evaluated: no file. Its" in by_key(state)[key("R2", AlarmType.NOT_EVALUATED)].text


def test_long_texts_are_cut() -> None:
    state, _ = run([result("R1", Status.FAIL, message="x" * 5000)])
    assert len(state[0].text) == TEXT_MAX and state[0].text.endswith("\u2026")
