"""`keys status`: the key generations, their fingerprints and age, and the rotation
state, for the CLI and the NSO status action alike. No key value ever gets here."""
from __future__ import annotations

import datetime as _dt
from typing import Any, Dict, Optional, Tuple

from ..facts.host import inspect_file
from ..facts.keyfile import file_fingerprint
from ..facts.keys import SOURCE_HISTORY, SOURCE_MTIME, created_from_history, known_active, read_keys_file
from ..facts.types import FileFacts
from ..frozen import frozen
from .store import RotationRecord, RotationStore


@frozen
class GenerationStatus:
    """One key generation for `keys status`: fingerprint, names, active or not."""

    generation: int
    fingerprint: str
    names: Tuple[str, ...]
    is_dummy: bool
    active: bool


@frozen
class KeyStatus:
    """The keys file, its generations, which one is active and how old it is."""

    keys_path: str
    file: FileFacts
    format: str
    active_generation: Optional[int]       # None: unknown (NSO not asked, no certain history)
    active_source: str                     # "NSO", "rotation history", "legacy format", ...
    generations: Tuple[GenerationStatus, ...]
    file_fingerprint: str
    created_at: Optional[str]
    created_source: str
    age_days: Optional[int]
    current: Optional[RotationRecord]
    last: Optional[RotationRecord]
    newest_generation: int = 0

    @property
    def active_text(self) -> str:
        if self.active_generation is None:
            return f"unknown (newest is {self.newest_generation})"
        return f"{self.active_generation} ({self.active_source})"

    def to_json(self) -> Dict[str, Any]:
        return {
            "keys-file": self.keys_path, "format": self.format, "mode": self.file.mode_text,
            "owner": self.file.owner, "group": self.file.group,
            "active-generation": self.active_generation, "active-source": self.active_source,
            "newest-generation": self.newest_generation,
            "generations": [{"generation": g.generation, "fingerprint": g.fingerprint,
                             "keys": list(g.names), "well-known-dummy": g.is_dummy,
                             "active": g.active} for g in self.generations],
            "file-fingerprint": self.file_fingerprint, "created": self.created_at,
            "created-source": self.created_source, "age-days": self.age_days,
            "rotation": self.current.to_json() if self.current else None,
            "last-finished-rotation": self.last.to_json() if self.last else None,
        }

    def text(self) -> str:
        out = [f"keys file:         {self.keys_path} (format {self.format}, mode "
               f"{self.file.mode_text}, owner {self.file.owner or self.file.uid})",
               f"active generation: {self.active_text}"]
        for g in self.generations:
            mark = "*" if g.active else " "
            dummy = "  WELL-KNOWN DUMMY KEYS" if g.is_dummy else ""
            out.append(f"  {mark} generation {g.generation:>3}  {g.fingerprint}  "
                       f"{', '.join(g.names)}{dummy}")
        out.append(f"file fingerprint:  {self.file_fingerprint} (must match on every HA node)")
        if self.created_at:
            which = "active keys" if self.active_generation is not None else "keys file"
            out.append(f"{which + ' from:':<19}{self.created_at} "
                       f"({self.created_source}), {self.age_days} days old")
        if self.current is not None:
            c = self.current
            frm = "?" if c.from_generation is None else c.from_generation
            out.append(f"rotation:          {c.id} {c.state.value}: {frm} -> "
                       f"{c.to_generation}: {c.message}")
        return "\n".join(out) + "\n"


def age_days(created_at: Optional[str], now: str) -> Optional[int]:
    if not created_at:
        return None
    try:
        delta = _dt.datetime.fromisoformat(now) - _dt.datetime.fromisoformat(created_at)
    except (ValueError, TypeError):
        return None
    return max(0, delta.days)


def key_status(keys_path: str, store: RotationStore, *, now: str,
               active_generation: Optional[int] = None, active_source: str = "NSO") -> KeyStatus:
    f = inspect_file(keys_path)
    kf = read_keys_file(keys_path)
    history = store.history()
    current = store.current()
    doc = {"history": [r.to_json() for r in history],
           "current": current.to_json() if current else None}
    if active_generation is None:
        # Only what is certain: NSO persists its active generation, and after a failed
        # rotation the newest one in the file is not it (facts.keys.known_active).
        active_generation = known_active(kf, doc)
        active_source = ("legacy format" if kf.format == "legacy" else
                         "the only generation in the file" if len(kf.generations) == 1 else
                         "rotation history" if active_generation is not None else "unknown")
    gens = tuple(GenerationStatus(g.generation, g.fingerprint, g.names, g.is_dummy,
                                  g.generation == active_generation) for g in kf.generations)
    act = kf.generation(active_generation) if active_generation is not None else None
    created = created_from_history(act.fingerprint, doc) if act is not None else None
    source = SOURCE_HISTORY if created else ""
    if created is None and f.mtime is not None:
        created = _dt.datetime.fromtimestamp(f.mtime, _dt.timezone.utc).replace(microsecond=0).isoformat()
        source = SOURCE_MTIME
    return KeyStatus(keys_path=keys_path, file=f, format=kf.format,
                     active_generation=active_generation, active_source=active_source,
                     generations=gens, file_fingerprint=file_fingerprint(kf), created_at=created,
                     created_source=source, age_days=age_days(created, now), current=current,
                     last=history[-1] if history else None, newest_generation=kf.newest.generation)


__all__ = ["KeyStatus", "GenerationStatus", "key_status", "age_days"]
