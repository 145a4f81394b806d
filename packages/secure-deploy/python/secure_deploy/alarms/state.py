"""Which alarms an audit run leaves raised, and what must be sent to NSO for that.

The alarm state is a list of records stored with the run it was computed from (in
the same operational transaction, see nso/alarm_glue.py), so a VM or NSO restart
can neither lose nor duplicate an alarm:
- a record is keyed like an entry of NSO's alarm list (device, alarm type,
  managed object; the specific problem is always empty), so raising it twice
  updates one alarm and never creates a second one (alarm-manager.md);
- every record carries `in_sync`: False until the raise/clear reached NSO. A run
  interrupted between storing and submitting leaves records out of sync, and the
  next run sends them again. A cleared record is kept until its clear was sent.

Decisions (listed for operators in docs/alarms-and-scheduling.md):
- Only FAIL raises a violation alarm: one per failing object of a rule (findings
  naming an object), one per rule for findings without an object, at most
  `max_objects_per_rule` object alarms per rule; objects beyond the cap are counted
  in one rule-level alarm. Objects already alarmed keep their alarm in preference
  to new ones, so the set does not rotate between runs (no flapping).
- Severity: critical -> critical, high -> major, medium -> minor, low -> warning;
  info rules never raise. Rules below the minimum severity setting never raise.
- PASS, WAIVED, ACCEPTED, WARN, NOT_APPLICABLE and MANUAL clear the rule's alarms
  (none of them asserts a violation); a disabled rule's alarms are cleared.
- ERROR says nothing about the deployment: the rule's violation alarms keep their
  last state, and a separate "rule not evaluated" alarm (severity indeterminate)
  says the rule could not be evaluated and why; it clears once the rule is
  evaluated again.
- A rule the run did not select (rule/tag/min-severity input of the audit) keeps
  its alarms as they are.
- An alarm is re-sent only when its severity or text changes.
- Alarms turned off: nothing is raised and the alarms still raised are cleared.
"""
from __future__ import annotations

import enum
from typing import Collection, Dict, List, Optional, Sequence, Tuple

from ..frozen import frozen
from ..model import RuleResult, Severity, Status

DEFAULT_DEVICE = "nso"
DEFAULT_MAX_OBJECTS = 20
TEXT_MAX = 1000      # long texts are cut: the alarm list is read in CLI tables


class AlarmType(enum.Enum):
    """The alarm types: identities in secure-deploy-alarms.yang (base al:alarm-type)."""

    VIOLATION = "secure-deploy-violation"
    NOT_EVALUATED = "secure-deploy-rule-not-evaluated"


class AlarmSeverity(enum.Enum):
    """severity-t of tailf-ncs-alarms (alarm-manager.md), with its enum values."""

    CLEARED = "cleared"
    INDETERMINATE = "indeterminate"
    CRITICAL = "critical"
    MAJOR = "major"
    MINOR = "minor"
    WARNING = "warning"

    @property
    def number(self) -> int:
        """The value of the enum in severity-t (cleared 1 ... warning 6)."""
        return _NUMBER[self]


_NUMBER = {s: i for i, s in enumerate(AlarmSeverity, start=1)}

SEVERITY_FOR: Dict[Severity, AlarmSeverity] = {
    Severity.CRITICAL: AlarmSeverity.CRITICAL,
    Severity.HIGH: AlarmSeverity.MAJOR,
    Severity.MEDIUM: AlarmSeverity.MINOR,
    Severity.LOW: AlarmSeverity.WARNING,
}

STILL_FAILS = "still fails"   # the rule fails, but no longer for this alarm's object

# Why a rule evaluated in this run raises nothing, for the clear's alarm text.
_CLEARED_BY_STATUS = {
    Status.PASS: "passes",
    Status.WAIVED: "is waived",
    Status.ACCEPTED: "is an accepted exposure",
    Status.WARN: "only warns",
    Status.NOT_APPLICABLE: "is not applicable",
    Status.MANUAL: "needs a manual check; no violation is asserted",
}


@frozen
class AlarmKey:
    """The key of an alarm in NSO's alarm list; the specific problem is always ""."""

    device: str
    alarm_type: AlarmType
    managed_object: str


@frozen
class AlarmRecord:
    """One alarm as this package last decided it (raised, or cleared and not yet sent)."""

    key: AlarmKey
    rule_id: str
    rule_severity: Severity
    severity: AlarmSeverity
    text: str
    in_sync: bool = False       # the raise/clear reached NSO's alarm list
    run_id: str = ""            # the run that last changed it

    @property
    def active(self) -> bool:
        return self.severity is not AlarmSeverity.CLEARED


@frozen
class AlarmSettings:
    """/secure-deploy/settings/alarms."""

    enabled: bool = True
    min_severity: Severity = Severity.LOW
    max_objects_per_rule: int = DEFAULT_MAX_OBJECTS
    device: str = DEFAULT_DEVICE


@frozen
class _Want:
    rule_id: str
    rule_severity: Severity
    severity: AlarmSeverity
    text: str


def _cut(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= TEXT_MAX else text[: TEXT_MAX - 1] + "\u2026"


def object_alarm_name(rule_id: str, obj: Optional[str]) -> str:
    """The managed object (a string, ncs.alarm.managed_object_string) of an alarm."""
    return rule_id if obj is None else f"{rule_id} {obj}"


def _sentences(msgs: List[str]) -> str:
    """Messages joined with "; ", each without its final period (the text adds one)."""
    return "; ".join(dict.fromkeys(m.rstrip(". ") for m in msgs))


def _fix(r: RuleResult) -> str:
    return f" Fix: {r.meta.remediation}" if r.meta.remediation else ""


def _violations(r: RuleResult, settings: AlarmSettings, sev: AlarmSeverity,
                previous: Dict[AlarmKey, AlarmRecord]) -> Dict[AlarmKey, _Want]:
    head = f"{r.rule_id} {r.meta.title}:"
    failing = [f for f in r.findings if f.status is Status.FAIL]
    rule_msgs = [f.message for f in failing if f.object is None]
    by_object: Dict[str, List[str]] = {}
    for f in failing:
        if f.object is not None:
            by_object.setdefault(f.object, []).append(f.message)
    if not failing:
        rule_msgs = [r.message]
    # Objects alarmed before keep their alarm (no rotation through the cap), then the rest.
    before = {rec.key.managed_object for rec in previous.values()
              if rec.rule_id == r.rule_id and rec.active and rec.key.alarm_type is AlarmType.VIOLATION}
    names = sorted(by_object)
    ordered = [o for o in names if object_alarm_name(r.rule_id, o) in before] + \
              [o for o in names if object_alarm_name(r.rule_id, o) not in before]
    cap = max(0, settings.max_objects_per_rule)
    shown, extra = ordered[:cap], len(ordered) - min(cap, len(ordered))
    out: Dict[AlarmKey, _Want] = {}

    def want(obj: Optional[str], text: str) -> None:
        key = AlarmKey(settings.device, AlarmType.VIOLATION, object_alarm_name(r.rule_id, obj))
        out[key] = _Want(r.rule_id, r.meta.severity, sev, _cut(text))

    for o in shown:
        want(o, f"{head} {o}: {_sentences(by_object[o])}.{_fix(r)}")
    if rule_msgs or extra:
        parts = [_sentences(rule_msgs)] if rule_msgs else []
        if extra:
            parts.append(f"{extra} more failing object{'s' if extra > 1 else ''} without an alarm of "
                         f"their own (at most {cap} per rule; the audit report lists them all)")
        want(None, f"{head} {'; '.join(parts)}.{_fix(r)}")
    return out


def _not_evaluated(r: RuleResult, settings: AlarmSettings) -> Dict[AlarmKey, _Want]:
    key = AlarmKey(settings.device, AlarmType.NOT_EVALUATED, r.rule_id)
    text = (f"{r.rule_id} {r.meta.title} could not be evaluated: {_sentences([r.message])}. Its violation alarms "
            "keep their last state until the rule is evaluated again.")
    return {key: _Want(r.rule_id, r.meta.severity, AlarmSeverity.INDETERMINATE, _cut(text))}


def _carry(rec: AlarmRecord) -> _Want:
    return _Want(rec.rule_id, rec.rule_severity, rec.severity, rec.text)


def _raises(sev: Severity, settings: AlarmSettings) -> bool:
    return sev in SEVERITY_FOR and sev.rank >= settings.min_severity.rank


def next_state(results: Sequence[RuleResult], previous: Sequence[AlarmRecord], settings: AlarmSettings,
               run_id: str, disabled: Collection[str] = (),
               known_rules: Optional[Collection[str]] = None) -> Tuple[AlarmRecord, ...]:
    """The alarm records after a run with `results`, from the records stored before it.

    `disabled`: settings disabled-rule; `known_rules`: the package's rule ids (alarms
    of rules that no longer exist are cleared); None keeps them.
    """
    prev = {rec.key: rec for rec in previous}
    evaluated = {r.rule_id: r for r in results}
    off = {d.upper() for d in disabled}
    wants: Dict[AlarmKey, _Want] = {}
    why: Dict[str, str] = {}          # rule id -> why its alarms clear
    if settings.enabled:
        for r in results:
            if r.rule_id.upper() in off:
                why[r.rule_id] = "is disabled in the settings"
                continue
            if not _raises(r.meta.severity, settings):
                why[r.rule_id] = "is below the minimum alarm severity"
                continue
            if r.status is Status.FAIL:
                wants.update(_violations(r, settings, SEVERITY_FOR[r.meta.severity], prev))
                why[r.rule_id] = STILL_FAILS
            elif r.status is Status.ERROR:
                wants.update(_not_evaluated(r, settings))
                for key, rec in prev.items():
                    if (rec.rule_id == r.rule_id and rec.active and key.alarm_type is AlarmType.VIOLATION
                            and key.device == settings.device):
                        wants[key] = _carry(rec)
            else:
                why[r.rule_id] = _CLEARED_BY_STATUS.get(r.status, "raises nothing")
        for key, rec in prev.items():
            # Rules this run did not select keep their alarms as they are.
            if (rec.active and rec.rule_id not in evaluated and rec.rule_id.upper() not in off
                    and key.device == settings.device and _raises(rec.rule_severity, settings)
                    and (known_rules is None or rec.rule_id in known_rules)):
                wants[key] = _carry(rec)
    out: List[AlarmRecord] = []
    for key, w in wants.items():
        p = prev.get(key)
        if p is not None and p.severity is w.severity and p.text == w.text:
            out.append(p)
        else:
            out.append(AlarmRecord(key, w.rule_id, w.rule_severity, w.severity, w.text, False, run_id))
    for key, p in prev.items():
        if key in wants:
            continue
        if not p.active:
            if not p.in_sync:
                out.append(p)          # its clear has not reached NSO yet
            continue
        out.append(AlarmRecord(key, p.rule_id, p.rule_severity, AlarmSeverity.CLEARED,
                               _cut(f"{p.rule_id} {_clear_reason(p, settings, why, disabled=off, known=known_rules)}"
                                    f" (run {run_id})."), False, run_id))
    return tuple(sorted(out, key=_order))


def _clear_reason(p: AlarmRecord, settings: AlarmSettings, why: Dict[str, str], *,
                  disabled: Collection[str], known: Optional[Collection[str]]) -> str:
    if not settings.enabled:
        return "cleared: alarms are turned off in the settings"
    if p.key.device != settings.device:
        return f"cleared: alarms now name the device {settings.device}"
    if p.rule_id.upper() in disabled:
        return "cleared: the rule is disabled in the settings"
    if known is not None and p.rule_id not in known:
        return "cleared: the rule is no longer part of this package"
    if p.key.alarm_type is AlarmType.NOT_EVALUATED:
        return "cleared: the rule was evaluated again"
    if not _raises(p.rule_severity, settings):
        return "cleared: the rule is below the minimum alarm severity"
    reason = why.get(p.rule_id, "no longer fails")
    if reason != STILL_FAILS:
        return f"cleared: the rule {reason}"
    obj = p.key.managed_object[len(p.rule_id):].strip()
    if obj:
        return f"cleared: {obj} no longer fails"
    return "cleared: every failing object of the rule has an alarm of its own"


def _order(rec: AlarmRecord) -> Tuple[str, str, str]:
    return (rec.key.device, rec.key.alarm_type.value, rec.key.managed_object)


def to_send(records: Sequence[AlarmRecord]) -> Tuple[AlarmRecord, ...]:
    """Raises and clears that have not reached NSO yet."""
    return tuple(r for r in records if not r.in_sync)


def mark_sent(records: Sequence[AlarmRecord], sent: Collection[AlarmKey]) -> Tuple[AlarmRecord, ...]:
    """The records once `sent` reached NSO: in sync; a sent clear is forgotten."""
    out = []
    for r in records:
        if r.key in sent:
            if not r.active:
                continue
            r = AlarmRecord(r.key, r.rule_id, r.rule_severity, r.severity, r.text, True, r.run_id)
        out.append(r)
    return tuple(out)


def active(records: Sequence[AlarmRecord]) -> Tuple[AlarmRecord, ...]:
    return tuple(r for r in records if r.active)
