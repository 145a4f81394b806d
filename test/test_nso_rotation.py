"""The key-rotation actions inside NSO (the double): rotate, status, dry run,
concurrency, and the CDB oper store. Crash and leak cases: test_nso_rotation_crash.py."""
from __future__ import annotations

import os
import re
import threading
import time

import pytest

import ncs_double as nd
from ncs_double import ActionFailed
from nso_rotation_env import CQ_YANG, file_state, random_keys_text, rot_env, start_env  # noqa: F401
from secure_deploy.facts.keys import read_keys_file

FP = re.compile(r"^[0-9a-f]{4}(:[0-9a-f]{4}){3,}$")


def oper_ok(env, yanglint_check) -> None:
    """yanglint on the oper data (an empty dump, e.g. after a dry run, has nothing to check)."""
    xml = env.d.dump_xml("secure-deploy", config=False)
    if xml.strip():
        yanglint_check(xml)


def test_full_rotation_vm_restart_after_the_call(rot_env, yanglint_check) -> None:
    env = rot_env
    env.register(restart_vm="after")
    before = read_keys_file(str(env.keys)).generation(0).fingerprint
    out = env.rotate(reason="yearly rotation", wait_commit_queue=30)
    assert out["result"] is True
    assert (out["old-generation"], out["new-generation"]) == (0, 1)
    assert out["old-fingerprint"] == before and FP.match(out["new-fingerprint"])
    assert out["new-fingerprint"] != before
    assert out["backup-path"] == str(env.backups()[0]) and "completed" in out["message"]
    # NSO's steps, in order: one reload, then apply-new-keys with the wait the user gave
    assert env.reload_calls() == ["reload_config"]
    assert env.fake.applied == [{"generation": 1, "wait": 30}] and env.fake.active == 1
    kf = read_keys_file(str(env.keys))
    assert kf.numbers == (0, 1) and kf.generation(1).fingerprint == out["new-fingerprint"]
    assert os.stat(env.keys).st_mode & 0o777 == 0o600
    # the VM restarted after the action returned; the new VM found nothing to settle
    assert env.d.restarts == 1
    assert env.wait_resumed().outcome == "nothing to settle"
    assert env.oper("state") == "completed" and env.oper("to-generation") == 1
    assert env.oper("keys-file") == str(env.keys) and env.oper("user") == "admin"
    [h] = env.history()
    assert h["result"] == "success" and (h["from-generation"], h["to-generation"]) == (0, 1)
    assert h["reason"] == "yearly rotation" and h["new-fingerprint"] == out["new-fingerprint"]
    assert h["backup-path"] == out["backup-path"] and h["time"] and h["started"]
    # the action timeout covers the commit-queue wait plus the re-encryption
    assert env.d.action_timeouts[0][1] >= 30 + 600
    oper_ok(env, yanglint_check)


def test_full_rotation_vm_killed_during_the_call(rot_env, yanglint_check) -> None:
    env = rot_env
    env.register(restart_vm="during")
    with pytest.raises(ActionFailed, match="communication failure"):
        env.rotate(reason="compromise drill")
    assert env.d.restarts == 1 and env.fake.active == 1
    r = env.wait_resumed()
    assert r.outcome == "settled" and r.settled.state.value == "completed"
    assert env.oper("state") == "completed"
    assert "settled: NSO reports generation 1 active" in env.oper("message")
    [h] = env.history()
    assert h["result"] == "success" and h["to-generation"] == 1 and h["reason"] == "compromise drill"
    # the package serves requests again, and status agrees
    st = env.status()
    assert st["active-generation"] == 1 and st["last-rotation"]["result"] == "success"
    oper_ok(env, yanglint_check)


def test_apply_new_keys_refused_fails_with_nsos_reason(rot_env, yanglint_check) -> None:
    env = rot_env
    env.fake.refuse = "keys differ on HA node nso-2"
    out = env.rotate()
    assert out["result"] is False and out["new-generation"] == 0
    assert "keys differ on HA node nso-2" in out["message"] and "generation 0 stays active" in out["message"]
    assert env.oper("state") == "failed" and "nso-2" in env.oper("message")
    assert [h["result"] for h in env.history()] == ["failed"]
    assert env.fake.active == 0 and env.d.restarts == 0
    oper_ok(env, yanglint_check)


def test_dry_run_changes_nothing(rot_env, yanglint_check) -> None:
    env = rot_env
    before_file = file_state(env.keys)
    before_oper = env.d.dump_xml("secure-deploy")
    out = env.rotate(dry_run=True)
    assert out["result"] is True and (out["old-generation"], out["new-generation"]) == (0, 1)
    assert out["message"].startswith("dry run: nothing changed")
    assert "new-fingerprint" not in out and "backup-path" not in out
    assert file_state(env.keys) == before_file and env.backups() == []
    assert env.d.dump_xml("secure-deploy") == before_oper
    assert env.reload_calls() == [] and env.fake.applied == []
    oper_ok(env, yanglint_check)


def test_two_rotations_at_once_one_proceeds(rot_env, yanglint_check) -> None:
    env = rot_env
    env.fake.block = threading.Event()
    results = {}

    def first() -> None:
        results["first"] = env.rotate(reason="first")

    t = threading.Thread(target=first)
    t.start()
    try:
        assert env.fake.entered.wait(10)          # the first one is inside apply-new-keys
        with pytest.raises(ActionFailed, match="rotation in progress"):
            env.d.request_action("/secure-deploy/keys/rotate", reason="second")
        with pytest.raises(ActionFailed, match="rotation in progress"):
            env.d.request_action("/secure-deploy/keys/rotate", dry_run=True)
        # status works meanwhile and does not settle the running rotation
        st = env.status()
        assert st["active-generation"] == 0 and env.oper("state") == "applying"
    finally:
        env.fake.block.set()
        t.join(10)
    assert results["first"]["result"] is True and env.oper("state") == "completed"
    assert [h["reason"] for h in env.history()] == ["first"] and len(env.backups()) == 1
    oper_ok(env, yanglint_check)


def test_status_after_a_rotation(rot_env, yanglint_check) -> None:
    env = rot_env
    out = env.rotate(reason="r1")
    st = env.status()
    kf = read_keys_file(str(env.keys))
    assert st["active-generation"] == 1 and st["loaded-generation"] == [0, 1]
    assert st["fingerprint"] == [{"generation": g.generation, "fingerprint": g.fingerprint}
                                 for g in kf.generations]
    assert st["key-age-days"] == 0
    lr = st["last-rotation"]
    assert lr["result"] == "success" and lr["id"] == env.history()[0]["id"]
    assert (lr["from-generation"], lr["to-generation"]) == (0, 1) and lr["reason"] == "r1"
    assert lr["new-fingerprint"] == out["new-fingerprint"] and lr["backup-path"] == out["backup-path"]
    oper_ok(env, yanglint_check)


def test_status_without_history_ages_by_file_mtime(rot_env) -> None:
    env = rot_env
    old = time.time() - 40 * 86400 - 60
    os.utime(env.keys, (old, old))
    st = env.status()
    assert st["active-generation"] == 0 and st["key-age-days"] == 40
    assert "last-rotation" not in st or not st["last-rotation"]


def test_status_when_nso_cannot_answer_uses_the_history(rot_env, caplog) -> None:
    env = rot_env
    env.rotate()
    env.fake.get_active_failures = 10
    st = env.status()
    assert st["active-generation"] == 1          # from the completed rotation in the history
    assert "get-active-generation failed" in caplog.text


def test_legacy_file_becomes_generation_minus_one(tmp_path, monkeypatch, yanglint_check) -> None:
    with nd.install(nd.new_double([CQ_YANG])) as d:
        env = start_env(d, tmp_path, monkeypatch, keys_text=random_keys_text(legacy=True), active=-1)
        old = read_keys_file(str(env.keys)).generations[0].fingerprint
        out = env.rotate()
        assert out["result"] is True and (out["old-generation"], out["new-generation"]) == (-1, 0)
        kf = read_keys_file(str(env.keys))
        assert kf.format == "2" and kf.numbers == (-1, 0) and kf.generation(-1).fingerprint == old
        oper_ok(env, yanglint_check)


def test_reload_failure_fails_before_apply(rot_env, yanglint_check) -> None:
    env = rot_env
    env.fail_reload()
    out = env.rotate()
    assert out["result"] is False and env.fake.applied == []
    assert "reload_config failed" in out["message"]
    assert "NSO keeps its old keys" in out["message"]
    assert "ab" * 16 not in out["message"] and "<redacted>" in out["message"]
    assert env.oper("state") == "failed"
    oper_ok(env, yanglint_check)


def test_busy_commit_queue_without_wait_fails(rot_env) -> None:
    env = rot_env
    env.d.seed_xml('<devices xmlns="urn:ncs-double:commit-queue"><commit-queue><queue-item>'
                   '<id>1548246954737</id><status>executing</status></queue-item></commit-queue>'
                   '</devices>', db=4)
    out = env.rotate(wait_commit_queue=0)
    assert out["result"] is False and "commit queue is not empty" in out["message"]
    assert env.fake.applied == []
    # with a wait, apply-new-keys is asked (it waits for the queue itself)
    out = env.rotate(wait_commit_queue=5)
    assert env.fake.applied and env.fake.applied[-1]["wait"] == 5


def test_inline_keys_are_refused_clearly(tmp_path, monkeypatch) -> None:
    conf = tmp_path / "ncs.conf"
    conf.write_text('<ncs-config xmlns="http://tail-f.com/yang/tailf-ncs-config"><encrypted-strings>'
                    f'<AESCFB128><key>{"0123456789abcdef" * 2}</key></AESCFB128></encrypted-strings>'
                    '</ncs-config>')
    with nd.install(nd.new_double([CQ_YANG])) as d:
        env = start_env(d, tmp_path, monkeypatch, settings=f"<ncs-conf>{conf}</ncs-conf>")
        for action in ("rotate", "status"):
            with pytest.raises(ActionFailed, match="inline in ncs.conf") as e:
                env.d.request_action(f"/secure-deploy/keys/{action}")
            assert "Traceback" not in e.value.message and "0123456789abcdef" not in e.value.message


def test_missing_keys_file_is_a_clear_error(rot_env) -> None:
    env = rot_env
    env.keys.unlink()
    for action in ("rotate", "status"):
        with pytest.raises(ActionFailed, match="file not found") as e:
            env.d.request_action(f"/secure-deploy/keys/{action}")
        assert str(env.keys) in e.value.message and "Traceback" not in e.value.message
    assert env.oper("state") in (None, "idle")


def test_history_is_bounded_and_ordered(rot_env, yanglint_check) -> None:
    from secure_deploy.nso.rotation_cdb import CdbRotationStore, user_trans
    from secure_deploy.keys.store import RotationRecord, State
    env = rot_env
    from ncs_double.lowlevel import UserInfo
    s = env.d.new_session("admin", "cli", ["admin"])          # an action's caller
    store = CdbRotationStore(user_trans(UserInfo("admin", "cli", s.usid, 0)), keys_path=str(env.keys),
                             max_history=3)
    for i in range(5):
        rec = RotationRecord(id=f"2026010{i}T000000Z-00000{i}", state=State.COMPLETED,
                             keys_path=str(env.keys), from_generation=i, to_generation=i + 1,
                             old_fingerprint="aaaa:bbbb:cccc:dddd", new_fingerprint="eeee:ffff:0000:1111",
                             started=f"2026-01-0{i + 1}T00:00:00+00:00",
                             finished=f"2026-01-0{i + 1}T00:05:00+00:00", user="u", message="m")
        store.save(rec.to(State.APPLYING, "applying"))
        store.finish(rec)
    hist = store.history()
    assert [h.to_generation for h in hist] == [3, 4, 5]
    assert hist[-1].started == "2026-01-05T00:00:00+00:00" and hist[-1].keys_path == str(env.keys)
    assert store.current().state is State.COMPLETED and store.current().to_generation == 5
    with pytest.raises(ValueError):
        store.finish(rec.to(State.APPLYING, "x"))
    oper_ok(env, yanglint_check)


def test_production_code_uses_no_test_module_prefix() -> None:
    """NSO's key-rotation module name is UNVERIFIED: production code must not use a prefix."""
    from pathlib import Path
    src = Path(nd.PACKAGE_DIR, "python", "secure_deploy", "nso")
    for name in ("key_ops.py", "rotation_actions.py", "rotation_cdb.py"):
        text = (src / name).read_text()
        assert "krd:" not in text and "cqd:" not in text and "urn:ncs-double" not in text
