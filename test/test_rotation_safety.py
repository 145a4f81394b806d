"""Review fixes of key rotation (issue 4), standalone side: the active generation is
never guessed when generations are dropped; backups of the last completed rotation
survive pruning; settling errors stay RotationErrors; the key age follows the
active generation, not the newest."""
from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest

from rotation_fakes import FakeNso
from secure_deploy.cli import main
from secure_deploy.facts.keys import history_path, keys_facts, read_keys_file
from secure_deploy.keys.writer import RotationError, backups_of
from secure_deploy.keys.rotation import KnownActiveGeneration, Rotator
from secure_deploy.keys.status import key_status
from secure_deploy.keys.store import JsonFileStore, MemoryStore, RotationRecord, State

NOW = "2026-11-26T12:00:00+00:00"


def gens_text(*gens: int) -> str:
    lines = ["EXTERNAL_KEY_FORMAT=2"]
    for g in gens:
        lines += [f"AESCFB128_KEY[{g}]={secrets.token_hex(16)}",
                  f"AES256CFB128_KEY[{g}]={secrets.token_hex(32)}"]
    return "\n".join(lines) + "\n"


@pytest.fixture
def two(tmp_path) -> str:
    """A file after a failed rotation: generation 0 active in NSO, 1 unused."""
    p = tmp_path / "ncs.crypto_keys"
    p.write_text(gens_text(0, 1))
    p.chmod(0o600)
    return str(p)


def counter():
    n = iter(range(1000))
    return lambda: f"20261126T1200{next(n):02d}Z-r"


def rotator(store, ops=None, **kw) -> Rotator:
    return Rotator(store, ops, now=lambda: NOW, new_id=counter(), **kw)


def completed(rid: str, to: int, fp: str, frm: int = 0, started: str = "2026-01-01T00:00:00+00:00",
              backup: str = "") -> RotationRecord:
    return RotationRecord(id=rid, state=State.COMPLETED, keys_path="k", from_generation=frm,
                          to_generation=to, old_fingerprint="", new_fingerprint=fp, started=started,
                          finished=started, backup_path=backup, message="m")


# ---- 1: never drop a generation while the active one is unknown -----------------------------

def test_unknown_active_keeps_every_generation_and_nso_still_loads_the_file(two):
    before = {g.generation: g.fingerprint for g in read_keys_file(two).generations}
    out = rotator(JsonFileStore(history_path(two))).rotate(two, version="6.5")
    kf = read_keys_file(two)
    assert kf.numbers == (0, 1, 2) and out.plan.dropped_generations == ()
    assert {g: kf.generation(g).fingerprint for g in (0, 1)} == before      # unchanged keys
    assert out.plan.from_generation is None and out.record.from_generation is None
    assert "unknown (newest is 1)" in out.plan.text()
    # NSO (active 0, as it persisted) accepts the new file on `ncs --reload`...
    nso = FakeNso(two, 0)
    nso.reload_keys()
    assert nso.loaded == (0, 1, 2)
    # ...and the operator's answer settles the record: 0 was kept, so it is "still active".
    rec = rotator(JsonFileStore(history_path(two)), KnownActiveGeneration(0)).reconcile()
    assert rec.state is State.FAILED and "generation 0 is still active" in rec.message


def test_status_does_not_claim_the_newest_is_active(two, capsys):
    st = key_status(two, MemoryStore(), now=NOW)
    assert st.active_generation is None and not any(g.active for g in st.generations)
    assert "active generation: unknown (newest is 1)" in st.text()
    assert main(["keys", "status", "--keys-file", two, "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["active-generation"] is None and doc["newest-generation"] == 1
    assert main(["keys", "status", "--keys-file", two]) == 0
    out = capsys.readouterr().out
    assert "unknown (newest is 1)" in out and "--active-generation N" in out
    # Told by the operator, it is asserted as such.
    st = key_status(two, MemoryStore(), now=NOW, active_generation=0, active_source="--active-generation")
    assert "active generation: 0 (--active-generation)" in st.text()


@pytest.mark.parametrize("how", ["explicit", "nso", "history"])
def test_known_active_drops_the_inactive_generations(two, how):
    kf = read_keys_file(two)
    store = MemoryStore()
    ops, explicit = None, None
    if how == "explicit":
        explicit, ops = 1, KnownActiveGeneration(1)
    elif how == "nso":
        ops = FakeNso(two, 1)
    else:
        store.finish(completed("20260101T000000Z-a", 1, kf.generation(1).fingerprint))
    out = rotator(store, ops).rotate(two, version="6.5", active_generation=explicit)
    assert out.plan.from_generation == 1 and out.plan.dropped_generations == (0,)
    assert read_keys_file(two).numbers == (1, 2)


def test_history_is_not_trusted_once_the_file_changed_after_it(tmp_path):
    p = tmp_path / "k"
    p.write_text(gens_text(0, 1, 2))
    kf = read_keys_file(str(p))
    store = MemoryStore()
    # gen 1 completed; a later rotation wrote 2 and failed: 1 may or may not be active
    store.finish(completed("20260101T000000Z-a", 1, kf.generation(1).fingerprint))
    out = rotator(store).rotate(str(p), version="6.5")
    assert out.plan.from_generation is None and read_keys_file(str(p)).numbers == (0, 1, 2, 3)
    # a completed record whose fingerprint is not in the file is not trusted either
    p.write_text(gens_text(0, 1))
    store = MemoryStore()
    store.finish(completed("20260101T000000Z-b", 1, "0000:0000:0000:0000"))
    assert rotator(store).rotate(str(p), version="6.5").plan.dropped_generations == ()


# ---- 4: the backup of the last completed rotation is never pruned ---------------------------

def test_last_completed_rotations_backup_survives_pruning(tmp_path):
    p = tmp_path / "k"
    p.write_text(gens_text(0))
    p.chmod(0o600)
    keys = str(p)
    store = MemoryStore()
    nso = FakeNso(keys, 0)
    ids = counter()
    first = Rotator(store, nso, now=lambda: NOW, new_id=ids).rotate(keys, version="6.5", max_backups=2)
    assert first.record.state is State.COMPLETED
    protected = first.record.backup_path
    nso.refuse_apply = "HA nodes differ"                        # every later rotation fails
    for _ in range(3):
        out = Rotator(store, nso, now=lambda: NOW, new_id=ids).rotate(
            keys, version="6.5", max_backups=2)
        assert out.record.state is State.FAILED
    bs = backups_of(keys)
    assert protected in bs and len(bs) == 3                    # 2 newest + the protected one
    assert read_keys_file(protected).numbers == (0,)           # the file before that rotation


def test_pruned_backups_are_named_in_the_record_message(tmp_path):
    p = tmp_path / "k"
    p.write_text(gens_text(0))
    p.chmod(0o600)
    store = JsonFileStore(str(tmp_path / "h.json"))
    ids = counter()
    for _ in range(2):
        Rotator(store, None, now=lambda: NOW, new_id=ids).rotate(str(p), version="6.5", max_backups=1)
        rec = store.current()
        store.finish(rec.to(State.FAILED, "settled by hand"))   # operator: NSO refused
    rec = Rotator(store, None, now=lambda: NOW, new_id=ids).rotate(str(p), version="6.5",
                                                                 max_backups=1).record
    assert "older backups removed: k.bak-20261126T120001Z-r" in rec.message
    assert len(backups_of(str(p))) == 1


# ---- 2: an OSError while settling is a RotationError, and the record stays ------------------

def test_oserror_while_settling_becomes_rotation_error(two, monkeypatch):
    store = MemoryStore()
    rotator(store).rotate(two, version="6.5")
    cur = store.current()
    assert cur.state is State.PREPARED
    import secure_deploy.keys.writer as kw

    def unreadable(path):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(kw.os, "listdir", unreadable)
    for call in (lambda: rotator(store, FakeNso(two, 0)).reconcile(),
                 lambda: rotator(store, FakeNso(two, 0)).rotate(two, version="6.5")):
        with pytest.raises(RotationError, match="cannot remove temp files.*Permission denied"):
            call()
        assert store.current() == cur                           # still settleable later
    monkeypatch.undo()
    assert rotator(store, FakeNso(two, 0)).reconcile().state is State.FAILED


def test_any_other_error_while_settling_becomes_rotation_error(two, monkeypatch):
    store = MemoryStore()
    rotator(store).rotate(two, version="6.5")
    import secure_deploy.keys.rotation as rotation

    def boom(*a, **k):
        raise ValueError("odd")
    monkeypatch.setattr(rotation, "_file_has", boom)
    with pytest.raises(RotationError, match="settling rotation .* failed .*ValueError.*stays in state prepared"):
        rotator(store, FakeNso(two, 0)).reconcile()
    assert store.current().state is State.PREPARED


# ---- 6: the key age is the active generation's, from a completed rotation ---------------------

def test_key_age_after_a_failed_rotation_is_not_the_unused_generations(two):
    kf = read_keys_file(two)
    hist = {"format": 1, "current": None, "history": [
        # generation 0 was made by a completed rotation long ago...
        completed("20250101T000000Z-a", 0, kf.generation(0).fingerprint, frm=-1,
                  started="2025-01-01T00:00:00+00:00").to_json(),
        # ...then a rotation wrote generation 1 and failed: 0 stayed active
        {**completed("20261101T000000Z-b", 1, kf.generation(1).fingerprint,
                     started="2026-11-01T00:00:00+00:00").to_json(),
         "state": "failed", "old_fingerprint": kf.generation(0).fingerprint},
    ]}
    Path(history_path(two)).write_text(json.dumps(hist))
    facts = keys_facts(two)
    assert facts.active_generation == 0
    assert facts.created_at == "2025-01-01T00:00:00+00:00" and facts.created_source == "rotation history"
    # Given NSO's answer, the same; a failed record's new keys never give the age.
    assert keys_facts(two, active_generation=1).created_source == "file mtime (estimate)"


def test_known_active_helpers_are_unit_tested():
    from secure_deploy.facts.keyfile import parse_keys
    from secure_deploy.facts.keys import created_from_history, known_active
    kf = parse_keys(gens_text(0, 1), "k")
    fp1 = kf.generation(1).fingerprint
    assert known_active(kf, {}) is None
    assert known_active(parse_keys(gens_text(4), "k"), {}) == 4
    assert known_active(kf, {"history": [completed("a", 1, fp1).to_json()]}) == 1
    failed = {**completed("a", 1, fp1).to_json(), "state": "failed"}
    assert known_active(kf, {"history": [failed]}) is None
    assert created_from_history(fp1, {"history": [failed]}) is None
