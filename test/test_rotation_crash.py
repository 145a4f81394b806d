"""Crash tests: the rotation is made to fail, or killed, at every named step.

Afterwards, always: the keys file parses and holds the active generation with its
original keys; the restart reconciliation settles the record (completed exactly when
NSO activated the new generation); the next rotation completes; no temp file is left.
"""
from __future__ import annotations

import os
import secrets

import pytest

from rotation_fakes import FakeNso
from secure_deploy.facts.keys import read_keys_file
from secure_deploy.keys.writer import WRITE_STEPS, RotationError
from secure_deploy.keys.rotation import (STEP_AFTER_APPLY, STEP_AFTER_RELOAD, STEP_BEFORE_APPLY,
                                    STEP_BEFORE_WRITE, Rotator)
from secure_deploy.keys.store import JsonFileStore, State

NOW = "2026-11-26T12:00:00+00:00"
ALL_STEPS = (STEP_BEFORE_WRITE, *WRITE_STEPS, STEP_AFTER_RELOAD, STEP_BEFORE_APPLY, STEP_AFTER_APPLY)


class Injected(Exception):
    """A step that fails (disk full, EIO, a bug)."""


class Killed(BaseException):
    """A step where the process dies: nothing after it runs, no except-clause sees it."""


@pytest.fixture
def setup(tmp_path):
    keys = tmp_path / "ncs.crypto_keys"
    keys.write_text(f"AESCFB128_KEY={secrets.token_hex(16)}\nAES256CFB128_KEY={secrets.token_hex(32)}\n")
    keys.chmod(0o600)
    fp = read_keys_file(str(keys)).generations[0].fingerprint
    return str(keys), str(tmp_path / "state.json"), fp


def rot(state: str, nso, hook=None) -> Rotator:
    return Rotator(JsonFileStore(state), nso, now=lambda: NOW, hook=hook)


def assert_invariants(keys: str, nso: FakeNso, orig_fp: str) -> None:
    kf = read_keys_file(keys)                                   # parses: old or new, never half
    active = kf.generation(nso.active)
    assert active is not None, f"active generation {nso.active} missing from {kf.numbers}"
    if nso.active == -1:
        assert active.fingerprint == orig_fp


def recover_and_rotate_again(keys: str, state: str, nso: FakeNso) -> None:
    cur = JsonFileStore(state).current()
    if cur is not None and not cur.state.terminal:
        rec = rot(state, nso).reconcile()                        # Application.setup() after restart
        assert rec is not None and rec.state in (State.COMPLETED, State.FAILED)
        assert (rec.state is State.COMPLETED) == (nso.active == rec.to_generation), rec.message
        assert str(nso.active) in rec.message
    assert not [n for n in os.listdir(os.path.dirname(keys)) if ".tmp-" in n]
    out = rot(state, nso).rotate(keys, version="6.4")
    assert out.record.state is State.COMPLETED, out.record.message
    assert_invariants(keys, nso, "")
    assert not [n for n in os.listdir(os.path.dirname(keys)) if ".tmp-" in n]


@pytest.mark.parametrize("exc", [Injected, Killed], ids=["fails", "killed"])
@pytest.mark.parametrize("step", ALL_STEPS)
def test_failure_at_every_step(setup, step, exc):
    keys, state, orig_fp = setup
    nso = FakeNso(keys, -1)

    def hook(s: str) -> None:
        if s == step:
            raise exc(f"injected at {s}")
    with pytest.raises((exc, RotationError)):
        rot(state, nso, hook).rotate(keys, version="6.4")
    assert_invariants(keys, nso, orig_fp)
    cur = JsonFileStore(state).current()
    assert cur is not None
    if cur.state is State.FAILED:
        assert "stays active" in cur.message and str(nso.active) in cur.message
    recover_and_rotate_again(keys, state, nso)


def test_vm_restart_during_apply(setup):
    keys, state, orig_fp = setup
    nso = FakeNso(keys, -1, restart_on_apply=True)
    with pytest.raises(RotationError):
        rot(state, nso).rotate(keys, version="6.4")
    assert JsonFileStore(state).current().state is State.APPLYING
    assert_invariants(keys, nso, orig_fp)
    nso.restart_on_apply = False
    recover_and_rotate_again(keys, state, nso)
    assert [r.state for r in JsonFileStore(state).history()] == [State.COMPLETED, State.COMPLETED]


@pytest.mark.parametrize("step", (STEP_BEFORE_WRITE, *WRITE_STEPS))
def test_real_process_kill_during_write(setup, step):
    """fork + os._exit: no finally-clause, no cleanup, the lock dies with the process."""
    keys, state, orig_fp = setup
    pid = os.fork()
    if pid == 0:
        code = 3
        try:
            def hook(s: str) -> None:
                if s == step:
                    os._exit(137)
            rot(state, FakeNso(keys, -1), hook).rotate(keys, version="6.4")
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 137
    nso = FakeNso(keys, -1)                                   # NSO never got to see the new file
    assert_invariants(keys, nso, orig_fp)
    cur = JsonFileStore(state).current()
    assert cur.state is State.PREPARED                        # persisted before the file changed
    after_rename = step == WRITE_STEPS[-1]
    assert (read_keys_file(keys).generation(0) is not None) == after_rename
    recover_and_rotate_again(keys, state, nso)
    last = JsonFileStore(state).history()
    assert last[0].state is State.FAILED and "still active" in last[0].message
