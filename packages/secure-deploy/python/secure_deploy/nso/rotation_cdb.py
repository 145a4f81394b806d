"""RotationStore in CDB operational data: /secure-deploy/key-rotation.

The container holds the current (or last) rotation, its `history` list the finished
ones, at most MAX_HISTORY (oldest dropped). The data is `tailf:cdb-oper` persistent,
so it survives the Python VM restart of /key-rotation/apply-new-keys and NSO
restarts: that is what lets the package settle a rotation the restart interrupted.

Every save is its own OPERATIONAL write transaction, applied before save() returns
(rotation.py persists each state *before* the step it announces). finish() writes
the terminal state and the history entry in one transaction, so a record is never
terminal without its history entry or the other way round.

What is stored: generation numbers, fingerprints, paths, times, user, reason,
messages. Never a key: RotationRecord has no field that could hold one.
"""
from __future__ import annotations

import contextlib
import threading
from typing import Any, Callable, ContextManager, Iterator, Optional, Sequence, Tuple

import ncs

from ..keys.store import MAX_HISTORY, RotationRecord, State
from .cdb_facts import query
from .values import text
from . import caller

KR = "/secure-deploy/key-rotation"
HISTORY = f"{KR}/history/rotation"

# The YANG enumeration of history results (grouping rotation-record/result).
RESULT_OF = {State.COMPLETED: "success", State.FAILED: "failed"}
STATE_OF_RESULT = {"success": State.COMPLETED, "failed": State.FAILED, "aborted": State.FAILED}

# One `transaction(write)` gives an OPERATIONAL transaction (read-only or read-write).
TransFactory = Callable[[bool], ContextManager[Any]]

# Several action threads of one VM may save at once (a rotation and a status that
# settles another record): serialize the read-modify-write of history trimming.
_WRITE_LOCK = threading.Lock()

_HISTORY_COLS = ("id", "time", "user", "reason", "from-generation", "to-generation", "result",
                 "message", "backup-path", "started", "old-fingerprint", "new-fingerprint")


def user_trans(uinfo: Any) -> TransFactory:
    """Transactions in the session of an action's invoking user (caller.trans)."""
    def open_(write: bool) -> ContextManager[Any]:
        return caller.trans(uinfo, ncs.OPERATIONAL, write=write)
    return open_


def maapi_trans(m: Any) -> TransFactory:
    """Transactions on an existing Maapi that already has a user session."""
    @contextlib.contextmanager
    def open_(write: bool) -> Iterator[Any]:
        t = m.start_write_trans(db=ncs.OPERATIONAL) if write else m.start_read_trans(db=ncs.OPERATIONAL)
        try:
            yield t
        finally:
            t.finish()
    return open_


def _str(v: Any) -> Optional[str]:
    """A leaf value as text: enumerations (maagic Enum) by their label."""
    return text(v)


def _int(v: Any, default: int = 0) -> int:
    try:
        return int(str(v)) if v is not None and str(v) != "" else default
    except ValueError:
        return default


def _set(node: Any, leaf: str, value: Any) -> None:
    """Empty strings are not written (the leaf is removed): an unset leaf reads better
    in `show secure-deploy key-rotation` than an empty one."""
    setattr(node, leaf, None if value == "" else value)


def fill_record(node: Any, r: RotationRecord, *, clear_empty: bool) -> None:
    """Write a finished record into a YANG `rotation-record` node (history entry or
    the status action's last-rotation). `clear_empty` removes leaves that have no value
    (CDB entries being updated); output nodes are fresh and simply skip them."""
    node.result = RESULT_OF[r.state]
    for leaf, value in (("from_generation", r.from_generation), ("to_generation", r.to_generation),
                        ("time", r.finished), ("started", r.started), ("user", r.user),
                        ("reason", r.reason), ("message", r.message), ("backup_path", r.backup_path),
                        ("old_fingerprint", r.old_fingerprint), ("new_fingerprint", r.new_fingerprint)):
        if value is not None and value != "":
            setattr(node, leaf, value)
        elif clear_empty:
            setattr(node, leaf, None)


class CdbRotationStore:
    """rotation_store.RotationStore over /secure-deploy/key-rotation."""

    def __init__(self, transaction: TransFactory, *, keys_path: str = "",
                 max_history: int = MAX_HISTORY) -> None:
        self._trans = transaction
        # History entries do not repeat the key file; records read back get this path.
        self.keys_path = keys_path
        self.max_history = max(1, max_history)

    # -- reading --------------------------------------------------------------------

    def current(self) -> Optional[RotationRecord]:
        with self._trans(False) as t:
            kr = ncs.maagic.get_root(t).secure_deploy.key_rotation
            state = _str(kr.state) or State.IDLE.value
            rid = _str(kr.rotation_id)
            if state == State.IDLE.value or not rid:
                return None
            return RotationRecord(
                id=rid, state=State(state), keys_path=_str(kr.keys_file) or self.keys_path,
                from_generation=_int(kr.from_generation, -1), to_generation=_int(kr.to_generation, -1),
                old_fingerprint=_str(kr.old_fingerprint) or "", new_fingerprint=_str(kr.new_fingerprint) or "",
                backup_path=_str(kr.backup_path) or "", started=_str(kr.started) or "",
                user=_str(kr.user) or "", reason=_str(kr.reason) or "", message=_str(kr.message) or "")

    def history(self) -> Tuple[RotationRecord, ...]:
        with self._trans(False) as t:
            rows = query(t, HISTORY, _HISTORY_COLS)
        recs = [self._from_row(r) for r in rows]
        # Rotation ids start with their UTC start time (rotation.compact), so id order
        # is time order; `started` first in case ids of other origin are present.
        return tuple(sorted(recs, key=lambda r: (r.started, r.id)))

    def _from_row(self, row: Sequence[Optional[str]]) -> RotationRecord:
        v = dict(zip(_HISTORY_COLS, row))
        return RotationRecord(
            id=v["id"] or "", state=STATE_OF_RESULT.get(v["result"] or "", State.FAILED),
            keys_path=self.keys_path, from_generation=_int(v["from-generation"], -1),
            to_generation=_int(v["to-generation"], -1), old_fingerprint=v["old-fingerprint"] or "",
            new_fingerprint=v["new-fingerprint"] or "", backup_path=v["backup-path"] or "",
            started=v["started"] or v["time"] or "", finished=v["time"] or "", user=v["user"] or "",
            reason=v["reason"] or "", message=v["message"] or "")

    # -- writing --------------------------------------------------------------------

    def save(self, record: RotationRecord) -> None:
        with _WRITE_LOCK:
            with self._trans(True) as t:
                self._write_current(ncs.maagic.get_root(t).secure_deploy.key_rotation, record)
                t.apply()

    def finish(self, record: RotationRecord) -> None:
        if record.state not in RESULT_OF:
            raise ValueError(f"finish() needs a completed or failed record, not {record.state.value}")
        with _WRITE_LOCK:
            with self._trans(True) as t:
                kr = ncs.maagic.get_root(t).secure_deploy.key_rotation
                # Read before writing: whether a query sees the transaction's own
                # uncommitted entries is not something to depend on.
                existing = query(t, HISTORY, ("id", "started", "time"))
                self._write_current(kr, record)
                self._append(kr, record)
                self._trim(kr, existing, record.id)
                t.apply()

    @staticmethod
    def _write_current(kr: Any, r: RotationRecord) -> None:
        kr.state = r.state.value
        kr.rotation_id = r.id
        kr.from_generation = r.from_generation
        kr.to_generation = r.to_generation
        for leaf, value in (("keys_file", r.keys_path), ("old_fingerprint", r.old_fingerprint),
                            ("new_fingerprint", r.new_fingerprint), ("started", r.started),
                            ("user", r.user), ("reason", r.reason), ("backup_path", r.backup_path),
                            ("message", r.message)):
            _set(kr, leaf, value)

    @staticmethod
    def _append(kr: Any, r: RotationRecord) -> None:
        lst = kr.history.rotation
        e = lst[r.id] if r.id in lst else lst.create(r.id)
        fill_record(e, r, clear_empty=True)

    def _trim(self, kr: Any, existing: Sequence[Sequence[Optional[str]]], new_id: str) -> None:
        """Drop the oldest entries so that, with `new_id`, max_history remain."""
        older = sorted((r[1] or r[2] or "", r[0] or "") for r in existing if r[0] != new_id)
        excess = len(older) + 1 - self.max_history
        for _, rid in older[:max(0, excess)]:
            del kr.history.rotation[rid]


__all__ = ["CdbRotationStore", "fill_record", "user_trans", "maapi_trans", "RESULT_OF", "KR", "HISTORY"]
