"""Persisted state of key rotations: the record, the store protocol, two stores.

The record holds generation numbers, fingerprints, paths and times: never a key.
Inside NSO a CDB operational-data store implements `RotationStore` (nso/ layer,
/secure-deploy/key-rotation); standalone and in tests the JSON-file and in-memory
stores below do.
"""
from __future__ import annotations

import enum
import json
import os
import threading
from dataclasses import MISSING, asdict, fields, replace
from typing import Any, Dict, List, Optional, Protocol, Tuple

from ..errors import InputError
from ..fileio import read_input, write_file
from ..redact import printable
from ..frozen import frozen

MAX_HISTORY = 100


class State(enum.Enum):
    """Same names as the YANG enumeration /secure-deploy/key-rotation/state."""

    IDLE = "idle"
    PREPARED = "prepared"          # backup taken, new generation written to the file
    KEYS_LOADED = "keys-loaded"    # NSO reloaded the file: new generation loaded, not active
    APPLYING = "applying"          # apply-new-keys requested (the Python VM may die here)
    COMPLETED = "completed"        # the new generation is active
    FAILED = "failed"              # stopped; the message says which generation is active

    @property
    def terminal(self) -> bool:
        return self in (State.IDLE, State.COMPLETED, State.FAILED)


@frozen
class RotationRecord:
    """One rotation in the history: its state and fingerprints (never key bytes)."""

    id: str
    state: State
    keys_path: str
    from_generation: Optional[int]      # None: a standalone rotation that did not know it
    to_generation: int
    old_fingerprint: str
    new_fingerprint: str
    backup_path: str = ""
    started: str = ""
    finished: str = ""
    user: str = ""
    reason: str = ""
    message: str = ""

    def to(self, state: State, message: str, **changes: Any) -> "RotationRecord":
        return replace(self, state=state, message=message, **changes)

    def to_json(self) -> Dict[str, Any]:
        d = asdict(self)
        d["state"] = self.state.value
        return d

    @classmethod
    def from_json(cls, d: Dict[str, Any]) -> "RotationRecord":
        """The record in `d`; ValueError (naming the field, never its value) when `d`
        is not one: the history file is input, and may be damaged or hand-edited."""
        args: Dict[str, Any] = {}
        for f in fields(cls):
            if f.name not in d:
                if f.default is MISSING:
                    raise ValueError(f"record without {f.name!r}")
                continue
            v = d[f.name]
            ok = (isinstance(v, int) and not isinstance(v, bool) or (v is None and f.name == "from_generation")
                  if f.name in ("from_generation", "to_generation") else isinstance(v, str))
            if not ok:
                raise ValueError(f"record field {f.name!r} has the wrong type")
            args[f.name] = v
        try:
            args["state"] = State(args["state"])
        except ValueError:
            raise ValueError("record with an unknown state") from None
        return cls(**args)


class RotationStore(Protocol):
    """Where rotation state and history persist across a Python VM restart."""

    def current(self) -> Optional[RotationRecord]:
        """The running (or last) rotation."""

    def save(self, record: RotationRecord) -> None:
        """Persist `record` as the current rotation (durably, before returning)."""

    def finish(self, record: RotationRecord) -> None:
        """Persist a terminal `record` as current and append it to the history, at once."""

    def history(self) -> Tuple[RotationRecord, ...]:
        """Finished rotations, oldest first."""


class MemoryStore:
    """In-memory store for tests (and a template for the CDB one)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._current: Optional[RotationRecord] = None
        self._history: List[RotationRecord] = []

    def current(self) -> Optional[RotationRecord]:
        return self._current

    def save(self, record: RotationRecord) -> None:
        with self._lock:
            self._current = record

    def finish(self, record: RotationRecord) -> None:
        with self._lock:
            self._current = record
            self._history = (self._history + [record])[-MAX_HISTORY:]

    def history(self) -> Tuple[RotationRecord, ...]:
        return tuple(self._history)


class JsonFileStore:
    """The standalone store: one JSON file, mode 0600, replaced atomically.

    Its format is read by facts/keys.py (active generation, key creation time):
    {"format": 1, "current": record|null, "history": [record, ...]}.
    """

    def __init__(self, path: str, owner_of: Optional[str] = None) -> None:
        self.path = path
        self.owner_of = owner_of    # the keys file: the history takes its owner

    def _load(self) -> Dict[str, Any]:
        data = read_input(self.path, "rotation history", missing_ok=True)
        if data is None:
            return {"format": 1, "current": None, "history": []}
        try:
            doc = json.loads(data.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            raise InputError(f"{self.path}: not a rotation history (malformed JSON)") from None
        if not isinstance(doc, dict):
            raise InputError(f"{self.path}: not a rotation history (expected a JSON object)")
        return doc

    def _write(self, doc: Dict[str, Any]) -> None:
        text = json.dumps(doc, indent=2, sort_keys=True) + "\n"
        owner = None
        if self.owner_of:
            try:
                st = os.stat(self.owner_of)
                owner = (st.st_uid, st.st_gid)
            except OSError:
                pass
        # Never through a symlink (a root-run rotation must not write where a link
        # planted by the NSO user points), owned like the keys file so that the NSO
        # action and `keys status` run as the NSO user can still read and update it.
        write_file(self.path, text.encode("utf-8"), mode=0o600, owner=owner, fsync_dir=True,
                   input_ok=True, what="rotation history")

    def _record(self, d: Dict[str, Any]) -> RotationRecord:
        try:
            return RotationRecord.from_json(d)
        except ValueError as e:
            raise InputError(f"{printable(self.path)}: not a rotation history ({e})") from None

    def current(self) -> Optional[RotationRecord]:
        cur = self._load().get("current")
        return self._record(cur) if isinstance(cur, dict) else None

    def save(self, record: RotationRecord) -> None:
        doc = self._load()
        doc["current"] = record.to_json()
        self._write(doc)

    def finish(self, record: RotationRecord) -> None:
        doc = self._load()
        doc["current"] = record.to_json()
        old = doc.get("history", [])
        if not isinstance(old, list):
            raise InputError(f"{printable(self.path)}: not a rotation history ('history' is not a list)")
        doc["history"] = (old + [record.to_json()])[-MAX_HISTORY:]
        self._write(doc)

    def history(self) -> Tuple[RotationRecord, ...]:
        recs = self._load().get("history", [])
        if not isinstance(recs, list):
            raise InputError(f"{printable(self.path)}: not a rotation history ('history' is not a list)")
        return tuple(self._record(r) for r in recs if isinstance(r, dict))


__all__ = ["State", "RotationRecord", "RotationStore", "MemoryStore", "JsonFileStore", "MAX_HISTORY"]
