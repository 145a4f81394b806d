"""Keys facts for the audit, and the readers the rotation uses.

`keys_facts()` reduces `ncs.crypto_keys` to what the checks may see: file stat,
format, per generation its key names, fingerprint and "is a well-known dummy key".
The creation time of the active keys comes from the caller (rotation history inside
NSO), else from the standalone history file next to the keys file, else from the
file's mtime, labelled as an estimate.
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import os
from typing import Any, Dict, List, Mapping, Optional, Tuple

from ..errors import InputError
from ..fileio import read_input
from ..xmlsafe import local, parse_bytes, read_bytes
from .host import inspect_file
from .keyfile import (FORMAT_LEGACY, LEGACY_GENERATION, MAX_FILE_BYTES, KeysFile,
                      file_fingerprint, make_keyset, parse_keys)
from .types import FileFacts, KeyGeneration, KeysFacts

SOURCE_ARGUMENT = "rotation history"
SOURCE_HISTORY = "rotation history"
SOURCE_MTIME = "file mtime (estimate)"
FORMAT_ABSENT = "absent"
HISTORY_SUFFIX = ".history.json"


def history_path(keys_path: str) -> str:
    """Where the standalone rotation history of `keys_path` lives (rotation_store.JsonFileStore):
    beside the keys file itself, so a symlinked keys path finds the history that
    `keys rotate` (which works on the link's target) wrote."""
    return os.path.realpath(keys_path) + HISTORY_SUFFIX


def read_keys_file(path: str) -> KeysFile:
    """Read and parse; InputError names the file and the problem."""
    data = read_input(path, "keys file", MAX_FILE_BYTES)
    assert data is not None
    return parse_keys(data, path)


def read_history(path: str) -> Dict[str, Any]:
    """The standalone history JSON ({} when absent). Holds no secret: fingerprints only."""
    data = read_input(path, "rotation history", MAX_FILE_BYTES, missing_ok=True)
    if data is None:
        return {}
    try:
        doc = json.loads(data.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise InputError(f"{path}: not a rotation history (malformed JSON)") from None
    if not isinstance(doc, dict):
        raise InputError(f"{path}: not a rotation history (expected a JSON object)")
    return doc


def _records(doc: Mapping[str, Any]) -> List[Mapping[str, Any]]:
    recs = [r for r in doc.get("history", []) if isinstance(r, dict)]
    cur = doc.get("current")
    if isinstance(cur, dict):
        recs.append(cur)
    return recs


def active_from_history(kf: KeysFile, doc: Mapping[str, Any]) -> Optional[int]:
    """Best effort, for the audit only: the generation the history says is active, if it
    is in the file with those keys. completed -> its new generation; failed -> the
    generation it started from (which NSO reported still active when it settled).

    Never a reason to drop a generation from the file: use `known_active` for that.
    """
    return _active_in({g.generation: g.fingerprint for g in kf.generations}, doc)


def _active_in(fps: Mapping[int, str], doc: Mapping[str, Any]) -> Optional[int]:
    for r in reversed(_records(doc)):
        state = r.get("state")
        if state == "completed":
            gen, fp = r.get("to_generation"), r.get("new_fingerprint")
        elif state == "failed":
            gen, fp = r.get("from_generation"), r.get("old_fingerprint")
        else:
            continue
        if isinstance(gen, int) and gen in fps and fps[gen] == fp:
            return gen
    return None


def known_active(kf: KeysFile, doc: Mapping[str, Any]) -> Optional[int]:
    """The active generation when it is certain without asking NSO, else None.

    NSO persists its active generation and picks the highest one only when it starts
    without previous keys (cryptographic-keys.md), so "newest in the file" is a guess:
    a failed or half-done rotation leaves an unused newer generation. Certain are:
    a legacy file (its one generation, -1); a format-2 file with one generation (NSO
    refuses a file without its active generation); and the most recent *completed*
    rotation, when its new generation is in the file with the same keys and is still
    the newest there (a newer one means the file changed after it: guessing again).
    """
    if kf.format == FORMAT_LEGACY:
        return LEGACY_GENERATION
    if len(kf.generations) == 1:
        return kf.generations[0].generation
    for r in reversed(_records(doc)):
        if r.get("state") != "completed":
            continue
        gen, fp = r.get("to_generation"), r.get("new_fingerprint")
        ks = kf.generation(gen) if isinstance(gen, int) else None
        if ks is not None and ks.fingerprint == fp and gen == kf.newest.generation:
            return gen
        return None     # the latest completed rotation no longer describes this file
    return None


def created_from_history(fp: str, doc: Mapping[str, Any]) -> Optional[str]:
    """When the keys with fingerprint `fp` were written by a rotation that *completed*.

    A failed rotation's new keys never became active: their time says nothing about
    the age of the active keys."""
    for r in reversed(_records(doc)):
        if (r.get("state") == "completed" and r.get("new_fingerprint") == fp
                and isinstance(r.get("started"), str)):
            return r["started"]
    return None


def default_active(kf: KeysFile) -> int:
    """A guess for display and the audit when nothing better is known: legacy keys are
    -1, otherwise the newest generation. Never used to decide what a rotation keeps."""
    return LEGACY_GENERATION if kf.format == FORMAT_LEGACY else kf.newest.generation


def reduce_keys(path: str, kf: KeysFile, file: FileFacts, *, active: Optional[int] = None,
                created_at: Optional[str] = None, created_source: str = "") -> KeysFacts:
    gens = tuple(KeyGeneration(g.generation, g.names, g.fingerprint, g.is_dummy) for g in kf.generations)
    return KeysFacts(path=path, file=file, format=kf.format, generations=gens,
                     active_generation=default_active(kf) if active is None else active,
                     created_at=created_at, created_source=created_source,
                     file_fingerprint=file_fingerprint(kf))


def _iso(ts: float) -> str:
    return _dt.datetime.fromtimestamp(ts, _dt.timezone.utc).replace(microsecond=0).isoformat()


def with_active(facts: KeysFacts, active: Optional[int], doc: Mapping[str, Any], *,
                created_at: Optional[str] = None) -> KeysFacts:
    """`facts` with its active generation and that generation's creation time.

    `active` None: a guess (default_active). The creation time is `created_at` when the
    caller knows it, else the start of the completed rotation whose new fingerprint is
    the active generation's, else the file's mtime, labelled an estimate.
    """
    if active is None and facts.generations:
        active = facts.generations[-1].generation if facts.format != FORMAT_LEGACY else LEGACY_GENERATION
    act = next((g for g in facts.generations if g.generation == active), None)
    source = SOURCE_ARGUMENT if created_at else ""
    if not created_at and act is not None:
        created_at = created_from_history(act.fingerprint, doc)
        source = SOURCE_HISTORY if created_at else ""
    if not created_at and facts.file.mtime is not None:
        created_at, source = _iso(facts.file.mtime), SOURCE_MTIME
    return dataclasses.replace(facts, active_generation=active, created_at=created_at,
                               created_source=source)


def nso_keys_facts(facts: KeysFacts, active: Optional[int], doc: Mapping[str, Any]) -> KeysFacts:
    """Inside NSO: `active` is get-active-generation's answer; when NSO could not give
    it, the package's rotation records (CDB oper data, in the history-file shape) say
    which generation a rotation left active. The creation time then comes only from
    a completed rotation that wrote exactly those keys (with_active)."""
    if not facts.generations:
        return facts
    if active is None:
        active = _active_in({g.generation: g.fingerprint for g in facts.generations}, doc)
    return with_active(facts, active, doc)


def keys_facts(path: str, *, created_at: Optional[str] = None,
               active_generation: Optional[int] = None) -> KeysFacts:
    """KeysFacts for the audit. A missing file is a fact (exists=False), not an error;
    an unreadable or malformed one raises InputError (the engine reports ERROR)."""
    f = inspect_file(path)
    if f.error:
        raise InputError(f"{path}: {f.error}")
    if not f.exists:
        return KeysFacts(path=path, file=f, format=FORMAT_ABSENT)
    kf = read_keys_file(path)
    try:
        doc = read_history(history_path(path))
    except InputError:
        doc = {}   # a damaged history only costs us the creation time
    active = active_generation
    if active is None:
        active = known_active(kf, doc)
    if active is None:
        active = active_from_history(kf, doc)
    return with_active(reduce_keys(path, kf, f), active, doc, created_at=created_at)


# --- inline keys in ncs.conf, for the migration plan -----------------------------------

_CONF_KEYS = {("DES3CBC", "key1"): "DES3CBC_KEY1", ("DES3CBC", "key2"): "DES3CBC_KEY2",
              ("DES3CBC", "key3"): "DES3CBC_KEY3", ("DES3CBC", "initVector"): "DES3CBC_IV",
              ("AESCFB128", "key"): "AESCFB128_KEY", ("AESCFB128", "initVector"): "AESCFB128_IV",
              ("AES256CFB128", "key"): "AES256CFB128_KEY"}


def _collect(parent: Any) -> Dict[str, str]:
    out: Dict[str, str] = {}
    for algo in parent:
        if not isinstance(algo.tag, str):
            continue
        for leaf in algo:
            if isinstance(leaf.tag, str):
                name = _CONF_KEYS.get((local(algo.tag), local(leaf.tag)))
                if name:
                    out[name] = (leaf.text or "").strip()
    return out


def inline_keys_file(conf_path: str) -> Optional[KeysFile]:
    """The keys written inside ncs.conf /encrypted-strings as a KeysFile, or None.

    Legacy elements become a legacy file; key-rotation list entries a format-2 file
    with the same generations. Values are validated by the keys-file parser, so a bad
    inline key is reported by name and problem, never by value.
    """
    root = parse_bytes(read_bytes(conf_path), conf_path)
    es = next((c for c in root if isinstance(c.tag, str) and local(c.tag) == "encrypted-strings"), None)
    if es is None:
        return None
    legacy = _collect(es)
    rotated: Dict[int, Tuple[int, Dict[str, str]]] = {}
    for kr in es:
        if isinstance(kr.tag, str) and local(kr.tag) == "key-rotation":
            gen_el = next((c for c in kr if isinstance(c.tag, str) and local(c.tag) == "generation"), None)
            try:
                gen = int((gen_el.text or "").strip()) if gen_el is not None else None
            except ValueError:
                gen = None
            if gen is None:
                raise InputError(f"{conf_path}: line {kr.sourceline}: key-rotation entry without a "
                                 "valid generation")
            rotated[gen] = (kr.sourceline or 0, _collect(kr))
    if not legacy and not rotated:
        return None
    if legacy and rotated:
        raise InputError(f"{conf_path}: both legacy keys and key-rotation entries under "
                         "/ncs-config/encrypted-strings; resolve by hand first")
    lines: List[str] = []
    if rotated:
        lines.append("EXTERNAL_KEY_FORMAT=2")
        for gen in sorted(rotated):
            lines.extend(f"{n}[{gen}]={v}" for n, v in rotated[gen][1].items())
    else:
        lines.extend(f"{n}={v}" for n, v in legacy.items())
    kf = parse_keys("\n".join(lines) + "\n", f"{conf_path} /encrypted-strings")
    # Rebuild through make_keyset so the order is canonical whatever ncs.conf had.
    return KeysFile(kf.format if rotated else FORMAT_LEGACY,
                    tuple(make_keyset(g.generation, dict(g.entries)) for g in kf.generations))


__all__ = ["keys_facts", "read_keys_file", "reduce_keys", "history_path",
           "read_history", "active_from_history", "known_active", "created_from_history",
           "default_active", "with_active", "nso_keys_facts",
           "inline_keys_file", "FORMAT_ABSENT", "SOURCE_HISTORY", "SOURCE_MTIME"]
