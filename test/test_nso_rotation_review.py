"""Review fixes of key rotation inside NSO (issue 4): the settling thread retries a
refused session or a CDB error; an unreadable keys directory while settling is a clear
error, not a crash; a transport error during apply-new-keys leaves `applying`; the
dry run names the backup; the audit's key age follows NSO's active generation."""
from __future__ import annotations

import importlib
import sys

import pytest

import ncs_double as nd
from ncs_double import ActionFailed
from nso_rotation_env import CQ_YANG, random_keys_text, rot_env  # noqa: F401
from secure_deploy.facts.keys import read_keys_file

SD = "urn:secure-deploy:yang:secure-deploy"


def _applying_record(d, keys) -> None:
    d.seed_xml(f'<secure-deploy xmlns="{SD}"><key-rotation>'
               '<state>applying</state><rotation-id>20261126T120000Z-x1</rotation-id>'
               '<from-generation>0</from-generation><to-generation>1</to-generation>'
               f'<keys-file>{keys}</keys-file></key-rotation></secure-deploy>', db=4)


@pytest.mark.parametrize("failing", ["session", "cdb"])
def test_resumer_retries_a_refused_session_or_cdb_error(tmp_path, monkeypatch, caplog, failing) -> None:
    monkeypatch.setenv("SECURE_DEPLOY_RESUME_DELAY", "0")
    monkeypatch.setenv("SECURE_DEPLOY_RESUME_POLL", "0.01")
    keys = tmp_path / "k"
    keys.write_text(random_keys_text((0, 1)))
    with nd.install(nd.new_double([CQ_YANG])) as d:
        _applying_record(d, keys)
        d.register_builtin_action("/key-rotation/get-active-generation",
                                  lambda inp, out: setattr(out, "active_generation", 1))
        mod = importlib.import_module("secure_deploy.nso.rotation_actions")
        refusals = {"left": 2}

        def refuse_twice() -> None:
            if refusals["left"] > 0:
                refusals["left"] -= 1
                raise sys.modules["_ncs"].error.Error(13, "NSO is not ready for sessions")
        if failing == "session":
            real = mod.ncs.maapi.Session

            class FlakySession(real):  # type: ignore[misc, valid-type]
                def __init__(self, *a, **kw):
                    refuse_twice()
                    super().__init__(*a, **kw)
            monkeypatch.setattr(mod.ncs.maapi, "Session", FlakySession)
        else:
            real_store = mod.CdbRotationStore

            class FlakyStore(real_store):  # type: ignore[misc, valid-type]
                def current(self):
                    refuse_twice()
                    return super().current()
            monkeypatch.setattr(mod, "CdbRotationStore", FlakyStore)
        d.load_package(nd.PACKAGE_DIR)
        r = sys.modules["secure_deploy.nso.rotation_actions"].wait_resumed(10)
        assert r.outcome == "settled" and refusals["left"] == 0
        assert d.get("/secure-deploy/key-rotation/state") == "completed"
        assert "not ready for sessions" in caplog.text and "retrying" in caplog.text


def test_unreadable_keys_dir_while_settling_is_reported_not_a_crash(rot_env, monkeypatch, caplog) -> None:
    env = rot_env
    monkeypatch.setenv("SECURE_DEPLOY_RESUME_DELAY", "3600")     # the thread will not settle it
    env.register(restart_vm="during")
    with pytest.raises(ActionFailed):
        env.rotate()
    assert env.oper("state") == "applying"
    rotation = sys.modules["secure_deploy.keys.rotation"]           # the restarted VM's module

    def unreadable(path):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(rotation, "cleanup_temp", unreadable)
    st = env.status()                                          # still answers
    assert st["active-generation"] == 1
    assert "cannot remove temp files" in caplog.text and "Permission denied" in caplog.text
    assert env.oper("state") == "applying"                     # left for a later try
    with pytest.raises(ActionFailed, match="cannot remove temp files") as e:
        env.d.request_action("/secure-deploy/keys/rotate")
    assert "Traceback" not in e.value.message
    monkeypatch.undo()
    env.status()
    assert env.oper("state") == "completed"


# ---- 3: transport error vs NSO's error reply ---------------------------------------------------

def test_transport_error_from_apply_leaves_applying(rot_env) -> None:
    env = rot_env

    def cut(inp, out):
        raise ConnectionResetError(104, "Connection reset by peer")
    env.d.register_builtin_action("/key-rotation/apply-new-keys", cut)
    with pytest.raises(ActionFailed, match="stays in state applying"):
        env.rotate()
    assert env.oper("state") == "applying" and env.history() == []
    assert env.fake.active == 0


@pytest.mark.parametrize("kind", ["eof", "err_os", "oserror", "reply"])
def test_key_ops_classifies_apply_errors(ncs_double, kind) -> None:
    # The double's _ncs.error.EOF and ERR_OS are NSO's (pyapi/_ncs.error.md, _ncs.md).
    from secure_deploy.keys.writer import RotationError
    from secure_deploy.nso import key_ops
    _ncs = sys.modules["_ncs"]
    errors = {"eof": _ncs.error.EOF("NSO closed the socket"), "oserror": BrokenPipeError(32, "Broken pipe"),
              "err_os": _ncs.error.Error(_ncs.ERR_OS, "write failed"),
              "reply": _ncs.error.Error(_ncs.ERR_EXTERNAL, "keys differ on HA node nso-2")}

    def apply(inp, out):
        raise errors[kind]
    ncs_double.register_builtin_action("/key-rotation/apply-new-keys", apply)
    ncs_double.register_builtin_action("/key-rotation/get-active-generation",
                                       lambda inp, out: setattr(out, "active_generation", 0))
    ops = key_ops.MaapiKeyOps("admin", "system")
    if kind == "reply":
        res = ops.apply_new_keys(1, 0)
        assert res.result is False and "keys differ on HA node nso-2" in res.reason
    else:
        with pytest.raises(RotationError, match="cut off .*generation 0 active"):
            ops.apply_new_keys(1, 0)


# ---- 5: the dry run names the backup -------------------------------------------------------------

def test_dry_run_message_names_the_backup_path(rot_env) -> None:
    env = rot_env
    out = env.rotate(dry_run=True)
    assert f"back the file up to {env.keys}.bak-" in out["message"]
    assert out["old-fingerprint"] in out["message"] and "new-key-generation 1" in out["message"]
    assert env.backups() == []


# ---- 6: the audit's key age after a failed rotation ----------------------------------------------

def _keys005(env) -> dict:
    env.d.request_action("/secure-deploy/audit", rule=["SD-KEYS-005"])
    base = "/secure-deploy/last-run/result{SD-KEYS-005}"
    return {k[0]: env.d.get(f"{base}/evidence{{{k[0]}}}/value") for k in env.d.keys(f"{base}/evidence")}


@pytest.mark.parametrize("nso_answers", [True, False])
def test_audit_key_age_is_the_active_generations(rot_env, nso_answers) -> None:
    env = rot_env
    assert env.rotate()["result"] is True                      # 0 -> 1 completed
    env.fake.refuse = "keys differ on HA node nso-2"
    assert env.rotate()["result"] is False                     # 1 -> 2 failed: 1 stays active
    assert read_keys_file(str(env.keys)).numbers == (1, 2) and env.fake.active == 1
    if not nso_answers:
        env.fake.get_active_failures = 10                      # the CDB record decides
    ev = _keys005(env)
    assert ev["generation"] == "1" and ev["age_source"] == "rotation history"
    [success] = [h for h in env.history() if h["result"] == "success"]
    assert ev["created"] == success["started"]


def test_status_without_nso_answer_or_history_does_not_guess(tmp_path, monkeypatch) -> None:
    from nso_rotation_env import start_env
    with nd.install(nd.new_double([CQ_YANG])) as d:
        env = start_env(d, tmp_path, monkeypatch, keys_text=random_keys_text((0, 1)), active=0)
        env.fake.get_active_failures = 10
        st = env.status()
        assert "active-generation" not in st and st["loaded-generation"] == [0, 1]
        env.fake.get_active_failures = 0
        assert env.status()["active-generation"] == 0
