"""Alarm state <-> /secure-deploy/alarms (oper data), and its submission to NSO's
alarm list through `ncs.alarm` (pyapi/ncs.alarm.md).

The state is computed and written in the run's own oper transaction
(audit_action.store), so the stored run and the alarms it implies never disagree.
Submitting happens after that transaction: each record not yet `in-sync` is raised
or cleared, and the ones that went through are marked in sync. A VM restart in
between leaves records out of sync, and the next run sends them (alarms/state.py).
"""
from __future__ import annotations

import threading
from typing import Any, Callable, List, Sequence, Set, Tuple

import _ncs
import ncs
import ncs.alarm  # explicit: pyapi/ncs.md does not say `import ncs` loads it

from ..alarms.state import (AlarmKey, AlarmRecord, AlarmSeverity, AlarmType, active, mark_sent, to_send)
from ..model import Severity
from .values import text
from . import caller

ALARMS = "/secure-deploy/alarms/alarm"
ALARMS_NS = "urn:secure-deploy:yang:secure-deploy-alarms"     # secure-deploy-alarms.yang

# One submitter at a time: two runs finishing together must not both send the same
# pending record, nor mark one in sync that the other has changed meanwhile.
_SUBMIT_LOCK = threading.Lock()
# Held by whoever reads the stored alarm state and writes it back: a run storing its
# state (audit_action.store) and a submitter marking what it sent. Without it the
# submitter's write (the state it read, marked) would replace a state a run stored
# in between, losing that run's new raises and clears.
STATE_LOCK = threading.Lock()


def _s(v: Any) -> str:
    return text(v) or ""                     # maagic enumerations by their label


def read_records(root: Any) -> Tuple[AlarmRecord, ...]:
    """The stored alarm state (`root`: maagic root of any transaction)."""
    out = []
    for a in root.secure_deploy.alarms.alarm:
        out.append(AlarmRecord(AlarmKey(_s(a.device), AlarmType(_s(a.type)), _s(a.managed_object)),
                               _s(a.rule_id), Severity(_s(a.rule_severity)), AlarmSeverity(_s(a.severity)),
                               _s(a.text), bool(a.in_sync), _s(a.run_id)))
    return tuple(out)


def write_records(root: Any, t: Any, records: Sequence[AlarmRecord]) -> None:
    """Replace the stored alarm state (an OPERATIONAL write transaction)."""
    if t.num_instances(ALARMS) > 0:
        t.delete(ALARMS)
    lst = root.secure_deploy.alarms.alarm
    for r in records:
        e = lst.create(r.key.device, r.key.alarm_type.value, r.key.managed_object)
        e.rule_id = r.rule_id
        e.rule_severity = r.rule_severity.value
        e.severity = r.severity.value
        e.text = r.text
        e.in_sync = r.in_sync
        if r.run_id:
            e.run_id = r.run_id


def alarm_type_value(alarm_type: AlarmType) -> Any:
    """The identity as a C_IDENTITYREF Value, (namespace hash, identity hash).

    pyapi/ncs.alarm.md says only "a YANG identity"; the Value form is the one
    pyapi/_ncs.md documents for identities (UNVERIFIED that ncs.alarm wants it).
    The hashes are NSO's, looked up: _ncs.get_nslist(), _ncs.str2hash() (pyapi/_ncs.md).
    """
    ns = next((h for h, _prefix, uri, _rev, _mod in _ncs.get_nslist() if uri == ALARMS_NS), None)
    ident = _ncs.str2hash(alarm_type.value)
    if ns is None or not ident:
        raise LookupError(f"the schema of {ALARMS_NS} is not loaded: is secure-deploy-alarms.fxs in the "
                          "package's load-dir?")
    return _ncs.Value((ns, ident), _ncs.C_IDENTITYREF)


def to_alarm(r: AlarmRecord) -> Any:
    """ncs.alarm.Alarm(managed_device, managed_object, alarm_type, specific_problem,
    severity, alarm_text) (pyapi/ncs.alarm.md). Severity: the severity-t value
    (alarm-manager.md), the documented "enum"; the specific problem stays empty."""
    return ncs.alarm.Alarm(r.key.device, ncs.alarm.managed_object_string(r.key.managed_object),
                           alarm_type_value(r.key.alarm_type), "", r.severity.number, r.text)


def submit(records: Sequence[AlarmRecord], log: Any) -> List[AlarmRecord]:
    """Raise/clear each record; returns those that went through. One failure does
    not stop the others: it stays out of sync and the next run retries it."""
    done = []
    for r in records:
        try:
            alarm = to_alarm(r)
            if r.active:
                ncs.alarm.raise_alarm(alarm)
            else:
                ncs.alarm.clear_alarm(alarm)
        except Exception as e:  # noqa: BLE001 - retried by the next run
            log.warning(f"secure-deploy: alarm {r.key.alarm_type.value} {r.key.managed_object!r} not "
                        f"{'raised' if r.active else 'cleared'}: {type(e).__name__}: {e}")
            continue
        done.append(r)
    return done


def submit_pending(uinfo: Any, log: Any, sender: Callable[[Sequence[AlarmRecord], Any], List[AlarmRecord]] = submit
                   ) -> Tuple[int, int]:
    """Send what the stored state has not sent yet; returns (sent, active alarms)."""
    with _SUBMIT_LOCK:
        with caller.trans(uinfo, ncs.OPERATIONAL) as t:
            pending = to_send(read_records(ncs.maagic.get_root(t)))
        done = sender(pending, log) if pending else []
        with STATE_LOCK, caller.trans(uinfo, ncs.OPERATIONAL, write=True) as t:
            root = ncs.maagic.get_root(t)
            current = read_records(root)
            if done:
                # Only what was sent as it is stored now: a record another run changed
                # meanwhile stays out of sync.
                sent: Set[AlarmKey] = {r.key for r in done} & {r.key for r in current if r in set(done)}
                current = mark_sent(current, sent)
                write_records(root, t, current)
                t.apply()
    return len(done), len(active(current))
