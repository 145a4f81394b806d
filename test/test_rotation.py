"""Rotation state machine against a fake NSO: happy path, NSO failures, restart
reconciliation, dry run, backups, file mode/owner, locking."""
from __future__ import annotations

import os
import secrets
import stat
import threading

import pytest

from rotation_fakes import FakeNso
from secure_deploy.facts.keys import history_path, read_keys_file
from secure_deploy.keys.writer import (RotationError, RotationInProgress, RotationLock,
                                          backups_of)
from secure_deploy.keys.rotation import KnownActiveGeneration, Rotator
from secure_deploy.keys.store import JsonFileStore, MemoryStore, State

NOW = "2026-11-26T12:00:00+00:00"


def keys_text() -> str:
    return f"AESCFB128_KEY={secrets.token_hex(16)}\nAES256CFB128_KEY={secrets.token_hex(32)}\n"


@pytest.fixture
def keys(tmp_path):
    p = tmp_path / "ncs.crypto_keys"
    p.write_text(keys_text())
    p.chmod(0o600)
    return str(p)


def counter():
    n = iter(range(1000))
    return lambda: f"20261126T1200{next(n):02d}Z-r"


def rotator(store, nso, **kw):
    return Rotator(store, nso, now=lambda: NOW, new_id=counter(), **kw)


def test_happy_path_legacy_to_format2_then_next(keys):
    store, nso = MemoryStore(), FakeNso(keys, -1)
    before = read_keys_file(keys).generations[0].fingerprint
    out = rotator(store, nso).rotate(keys, version="6.4", user="admin", reason="yearly")
    assert out.record.state is State.COMPLETED and nso.active == 0
    assert nso.calls == ["get-active", "reload", "queue", "apply 0 60"]
    kf = read_keys_file(keys)
    assert kf.format == "2" and kf.numbers == (-1, 0)
    assert kf.generation(-1).fingerprint == before == out.plan.old_fingerprint
    assert kf.generation(0).fingerprint == out.record.new_fingerprint
    assert [r.state for r in store.history()] == [State.COMPLETED]
    # Second rotation: keeps the active generation 0, drops -1, writes 1.
    out2 = rotator(store, nso).rotate(keys, version="6.4")
    assert out2.record.state is State.COMPLETED and nso.active == 1
    assert read_keys_file(keys).numbers == (0, 1) and out2.plan.dropped_generations == (-1,)


def test_dry_run_changes_nothing(keys, tmp_path):
    before = sorted(os.listdir(tmp_path)), open(keys).read()
    nso = FakeNso(keys, -1)
    store = MemoryStore()
    out = rotator(store, nso).rotate(keys, version="6.4", dry_run=True)
    assert out.dry_run and out.record is None and store.current() is None
    assert nso.calls == ["get-active"]
    after = sorted(n for n in os.listdir(tmp_path) if not n.endswith(".lock")), open(keys).read()
    assert after == before
    text = out.plan.text()
    for want in (keys, "active generation:  -1", "new generation:     0", out.plan.old_fingerprint,
                 out.plan.new_fingerprint, out.plan.backup_path, "ncs --reload",
                 "key-rotation apply-new-keys new-key-generation 0 wait-commit-queue 60"):
        assert want in text


@pytest.mark.parametrize("nso_kw, message", [
    ({"reload_fails": True}, "reloading the keys failed"),
    ({"refuse_apply": "HA nodes have different keys"}, "HA nodes have different keys"),
])
def test_nso_failures_end_failed_with_old_generation_active(keys, nso_kw, message):
    store, nso = MemoryStore(), FakeNso(keys, -1, **nso_kw)
    out = rotator(store, nso).rotate(keys, version="6.4")
    assert out.record.state is State.FAILED and message in out.record.message
    assert "generation -1 stays active" in out.record.message and nso.active == -1
    assert read_keys_file(keys).generation(-1) is not None
    assert store.history()[-1].state is State.FAILED
    # The next rotation works once NSO is healthy again.
    nso2 = FakeNso(keys, -1)
    assert rotator(store, nso2).rotate(keys, version="6.4").record.state is State.COMPLETED


def test_commit_queue_not_empty_without_wait_fails(keys):
    nso = FakeNso(keys, -1, queue_empty=False)
    out = rotator(MemoryStore(), nso).rotate(keys, version="6.4", wait_commit_queue=0)
    assert out.record.state is State.FAILED and "commit queue" in out.record.message
    assert not any(c.startswith("apply") for c in nso.calls)
    # With a wait, apply-new-keys is asked to wait for the queue.
    nso = FakeNso(keys, -1, queue_empty=False)
    out = rotator(MemoryStore(), nso).rotate(keys, version="6.4", wait_commit_queue=30)
    assert out.record.state is State.COMPLETED and "apply 1 30" in nso.calls


def test_vm_restart_during_apply_is_settled_by_reconcile(keys, tmp_path):
    store = JsonFileStore(str(tmp_path / "state.json"))
    nso = FakeNso(keys, -1, restart_on_apply=True)
    with pytest.raises(RotationError, match="stays in state applying"):
        rotator(store, nso).rotate(keys, version="6.4")
    assert store.current().state is State.APPLYING          # persisted before the call
    # "After the restart": a new process, a new Rotator, the same store.
    settled = rotator(JsonFileStore(str(tmp_path / "state.json")), nso).reconcile()
    assert settled.state is State.COMPLETED and "generation 0" in settled.message
    assert store.history()[-1].id == settled.id
    assert rotator(store, nso).reconcile() is None           # nothing left to settle


def test_reconcile_reports_failure_when_old_generation_still_active(keys):
    store, nso = MemoryStore(), FakeNso(keys, -1)

    class Boom(BaseException):
        pass

    def hook(step):
        if step == "before-apply":
            raise Boom()
    with pytest.raises(Boom):
        rotator(store, nso, hook=hook).rotate(keys, version="6.4")
    assert store.current().state is State.APPLYING
    rec = rotator(store, nso).reconcile()
    assert rec.state is State.FAILED and "generation -1 is still active" in rec.message
    assert "unused generation 0" in rec.message


def test_reconcile_unexpected_generation(keys):
    store, nso = MemoryStore(), FakeNso(keys, -1)
    rotator(store, None).rotate(keys, version="6.4")        # standalone: stays prepared
    nso.active = 7
    rec = rotator(store, nso).reconcile()
    assert rec.state is State.FAILED and "neither -1 nor 0" in rec.message and "backup" in rec.message


def test_standalone_rotation_and_operator_settlement(keys):
    store = JsonFileStore(history_path(keys))
    out = rotator(store, None).rotate(keys, version="6.4")
    assert out.record.state is State.PREPARED
    assert out.next_steps[-1].strip() == "key-rotation apply-new-keys new-key-generation 0 wait-commit-queue 60"
    with pytest.raises(RotationInProgress, match="--active-generation"):
        rotator(store, None).rotate(keys, version="6.4")
    out2 = rotator(store, KnownActiveGeneration(0)).rotate(keys, version="6.4", active_generation=0)
    assert out2.reconciled.state is State.COMPLETED
    assert out2.record.state is State.PREPARED and out2.record.to_generation == 1
    assert read_keys_file(keys).numbers == (0, 1)


def test_active_generation_missing_from_file_is_refused(keys):
    with pytest.raises(RotationError, match="active generation 3 is not in the keys file"):
        rotator(MemoryStore(), FakeNso(keys, 3)).rotate(keys, version="6.4")


def test_des3_kept_only_on_64(tmp_path):
    p = tmp_path / "k"
    des3 = "".join(f"DES3CBC_KEY{i}={secrets.token_hex(8)}\n" for i in (1, 2, 3))
    p.write_text(des3 + keys_text())
    out = rotator(MemoryStore(), FakeNso(str(p), -1)).rotate(str(p), version="6.4")
    assert read_keys_file(str(p)).generation(0).has_des3 and out.plan.notes
    p.write_text(des3 + keys_text())
    rotator(MemoryStore(), FakeNso(str(p), -1)).rotate(str(p), version="6.5")
    assert not read_keys_file(str(p)).generation(0).has_des3


def test_backups_bounded_and_protected(keys):
    store, nso = MemoryStore(), FakeNso(keys, -1)
    ids = counter()
    for _ in range(6):
        Rotator(store, nso, now=lambda: NOW, new_id=ids).rotate(keys, version="6.4", max_backups=3)
    bs = backups_of(keys)
    assert len(bs) == 3
    for b in bs:
        assert stat.S_IMODE(os.stat(b).st_mode) == 0o600
        read_keys_file(b)                                    # each backup is a whole keys file
    # The newest backup is the file as it was before the last rotation.
    assert read_keys_file(bs[-1]).numbers == (3, 4)


@pytest.mark.skipif(os.geteuid() != 0, reason="changing owners needs root")
@pytest.mark.parametrize("old_mode, new_mode", [(0o640, 0o600), (0o644, 0o600), (0o400, 0o400),
                                                (0o600, 0o600)])
def test_mode_and_owner_kept(keys, old_mode, new_mode):
    os.chown(keys, 4321, 4322)
    os.chmod(keys, old_mode)
    out = rotator(MemoryStore(), FakeNso(keys, -1)).rotate(keys, version="6.4")
    for p in (keys, out.record.backup_path):
        st = os.stat(p)
        assert (st.st_uid, st.st_gid) == (4321, 4322), p
        assert stat.S_IMODE(st.st_mode) == new_mode, (p, oct(st.st_mode))


def test_non_owner_refused_before_anything_changes(keys, monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 4999)
    before = open(keys).read()
    store = MemoryStore()
    with pytest.raises(RotationError, match="keeps its owner"):
        rotator(store, FakeNso(keys, -1)).rotate(keys, version="6.4")
    assert open(keys).read() == before and store.current().state is State.FAILED


def test_symlinked_keys_file_stays_a_symlink(tmp_path, keys):
    link = tmp_path / "link"
    link.symlink_to(keys)
    rotator(MemoryStore(), FakeNso(keys, -1)).rotate(str(link), version="6.4")
    assert link.is_symlink() and read_keys_file(keys).numbers == (-1, 0)


def test_concurrent_rotation_gets_rotation_in_progress(keys):
    store, nso = MemoryStore(), FakeNso(keys, -1)
    inside, release = threading.Event(), threading.Event()
    errors = []

    def hook(step):
        if step == "after-temp-write":
            inside.set()
            release.wait(10)

    def first():
        try:
            rotator(store, nso, hook=hook).rotate(keys, version="6.4")
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)
    t = threading.Thread(target=first)
    t.start()
    assert inside.wait(10)
    with pytest.raises(RotationInProgress, match="rotation in progress"):
        rotator(store, nso).rotate(keys, version="6.4")
    release.set()
    t.join(10)
    assert not errors and store.current().state is State.COMPLETED and nso.active == 0


def test_lock_held_by_another_process(keys):
    to_parent_r, to_parent_w = os.pipe()
    to_child_r, to_child_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: hold the lock until the parent says stop (or 20 s pass)
        try:
            import select
            with RotationLock(keys):
                os.write(to_parent_w, b"x")
                select.select([to_child_r], [], [], 20)
        finally:
            os._exit(0)
    os.close(to_parent_w)
    os.close(to_child_r)
    try:
        assert os.read(to_parent_r, 1) == b"x"
        with pytest.raises(RotationInProgress):
            rotator(MemoryStore(), FakeNso(keys, -1)).rotate(keys, version="6.4")
    finally:
        os.write(to_child_w, b"y")
        os.waitpid(pid, 0)
    assert rotator(MemoryStore(), FakeNso(keys, -1)).rotate(keys, version="6.4").record.state \
        is State.COMPLETED
