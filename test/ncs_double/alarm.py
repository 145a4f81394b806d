"""Stand-in for `ncs.alarm` (pyapi/ncs.alarm.md) and the alarm list it feeds.

Signatures are the documented ones. raise_alarm/clear_alarm update an emulated
alarm list with the semantics alarm-manager.md gives: one entry per key (device,
type, managed object, specific problem); every raise or clear appends a status
change; a clear sets is-cleared and keeps the last non-clear severity and text.

Strictness (the real module's checks are not documented): managed_object must be
a Value made by managed_object_*; alarm_type a C_IDENTITYREF Value naming an
identity derived from al:alarm-type in the double's schema; severity an int of
severity-t (cleared 1 ... warning 6, alarm-manager.md); alarm_text a string.
UNVERIFIED: that NSO takes the severity as that int and the alarm type as such
a Value; the package passes exactly these.

Test API: `alarm_list(d)` -> {key: AlarmEntry}; `fail_after(d, n)` makes the
(n+1)-th submission kill the VM (VmKilled), for restart tests.
"""
from __future__ import annotations

import weakref
from typing import Any, Dict, List, Optional, Tuple

from . import lowlevel, runtime
from .core import VmKilled

SEVERITIES = {1: "cleared", 2: "indeterminate", 3: "critical", 4: "major", 5: "minor", 6: "warning"}
AL_NS = "http://tail-f.com/ns/ncs-alarms"

Key = Tuple[str, str, str, str]   # device, type (prefix:identity), managed object, specific problem


class AlarmEntry:
    """An entry of /alarms/alarm-list/alarm."""

    def __init__(self) -> None:
        self.status_changes: List[Tuple[str, str]] = []      # (perceived-severity, alarm-text)

    @property
    def is_cleared(self) -> bool:
        return self.status_changes[-1][0] == "cleared"

    @property
    def last_perceived_severity(self) -> Optional[str]:
        sev = [s for s, _ in self.status_changes if s != "cleared"]
        return sev[-1] if sev else None

    @property
    def last_alarm_text(self) -> Optional[str]:
        texts = [t for s, t in self.status_changes if s != "cleared"]
        return texts[-1] if texts else None


class _State:
    def __init__(self) -> None:
        self.alarms: Dict[Key, AlarmEntry] = {}
        self.fail_after: Optional[int] = None
        self.submissions = 0


_STATES: "weakref.WeakKeyDictionary[Any, _State]" = weakref.WeakKeyDictionary()


def _state(d: Any = None) -> _State:
    d = runtime.current() if d is None else d
    if d not in _STATES:
        _STATES[d] = _State()
    return _STATES[d]


def alarm_list(d: Any) -> Dict[Key, AlarmEntry]:
    return _state(d).alarms


def fail_after(d: Any, n: Optional[int]) -> None:
    _state(d).fail_after = n


class _ManagedObject(lowlevel.Value):
    """What managed_object_* return: a Value (documented) that knows its kind."""

    def __init__(self, init: Any, kind: str) -> None:
        super().__init__(init, lowlevel.C_BUF)
        self.kind = kind


def managed_object_string(strval: Any) -> Any:
    if not isinstance(strval, str):
        raise TypeError("managed_object_string: strval must be a string")
    return _ManagedObject(strval, "string")


def managed_object_oid(oidval: Any) -> Any:
    if not isinstance(oidval, str):
        raise TypeError("managed_object_oid: oidval must be a string")
    return _ManagedObject(oidval, "oid")


def managed_object_instance(instanceval: Any) -> Any:
    return _ManagedObject(str(instanceval), "instance")


class AlarmId:
    def __init__(self, alarm_type: Any, managed_device: Any, managed_object: Any, specific_problem: Any = None) -> None:
        self.alarm_type = alarm_type
        self.managed_device = managed_device
        self.managed_object = managed_object
        self.specific_problem = specific_problem


class CustomAttribute:
    def __init__(self, prefix: Any, tag: Any, value: Any) -> None:
        self.prefix, self.tag, self.value = prefix, tag, value


class CustomStatusAttribute(CustomAttribute):
    pass


class Alarm:
    def __init__(self, managed_device: Any, managed_object: Any, alarm_type: Any, specific_problem: Any,
                 severity: Any, alarm_text: Any, impacted_objects: Any = None, related_alarms: Any = None,
                 root_cause_objects: Any = None, time_stamp: Any = None, custom_attributes: Any = None) -> None:
        self.managed_device = managed_device
        self.managed_object = managed_object
        self.alarm_type = alarm_type
        self.specific_problem = specific_problem
        self.severity = severity
        self.alarm_text = alarm_text
        self.impacted_objects = impacted_objects
        self.related_alarms = related_alarms
        self.root_cause_objects = root_cause_objects
        self.time_stamp = time_stamp
        self.custom_attributes = list(custom_attributes or [])
        self.status_attributes: List[CustomStatusAttribute] = []

    def add_attribute(self, prefix: Any, tag: Any, value: Any) -> None:
        self.custom_attributes.append(CustomAttribute(prefix, tag, value))

    def add_status_attribute(self, prefix: Any, tag: Any, value: Any) -> None:
        self.status_attributes.append(CustomStatusAttribute(prefix, tag, value))

    def alarm_id(self) -> AlarmId:
        return AlarmId(self.alarm_type, self.managed_device, self.managed_object, self.specific_problem)

    def get_key(self) -> Key:
        return _key(self)

    @property
    def key(self) -> Key:
        return _key(self)


def _identity(value: Any) -> str:
    """prefix:name of a C_IDENTITYREF Value naming an identity derived from al:alarm-type."""
    from . import notif
    if not isinstance(value, lowlevel.Value) or value.confd_type() != lowlevel.C_IDENTITYREF:
        raise TypeError("Alarm: alarm_type must be a C_IDENTITYREF Value (a YANG identity)")
    ns, idhash = value.as_pyval()
    return notif.identity_name(ns, idhash, base=(AL_NS, "alarm-type"))


def _key(alarm: Alarm) -> Key:
    if not isinstance(alarm.managed_device, str) or not alarm.managed_device:
        raise TypeError("Alarm: managed_device must be a non-empty string")
    if not isinstance(alarm.managed_object, _ManagedObject):
        raise TypeError("Alarm: managed_object must be made by managed_object_string/oid/instance")
    sp = alarm.specific_problem
    if sp is not None and not isinstance(sp, str):
        raise TypeError("Alarm: specific_problem must be a string")
    return (alarm.managed_device, _identity(alarm.alarm_type), str(alarm.managed_object), sp or "")


def _submit(alarm: Alarm, clear: bool) -> None:
    if not isinstance(alarm, Alarm):
        raise TypeError("an instance of Alarm is required")
    key = _key(alarm)
    if alarm.severity not in SEVERITIES:
        raise ValueError(f"Alarm: severity {alarm.severity!r} is not a severity-t value (1..6)")
    if not isinstance(alarm.alarm_text, str):
        raise TypeError("Alarm: alarm_text must be a string")
    st = _state()
    if st.fail_after is not None and st.submissions >= st.fail_after:
        st.fail_after = None
        runtime.current().restart_vm(graceful=False)
        raise VmKilled("the Python VM was restarted while submitting an alarm")
    st.submissions += 1
    sev = "cleared" if clear else SEVERITIES[alarm.severity]
    st.alarms.setdefault(key, AlarmEntry()).status_changes.append((sev, alarm.alarm_text))


def raise_alarm(alarm: Any) -> None:
    _submit(alarm, clear=False)


def clear_alarm(alarm: Any) -> None:
    _submit(alarm, clear=True)
