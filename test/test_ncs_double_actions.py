"""The NSO double's action dispatch, package application life cycle (VM restarts) and
the yanglint validation of its oper-data dumps."""
from __future__ import annotations

import sys

import pytest

import ncs_double as nd
from ncs_double import ActionFailed


def oper_trans(user: str = "admin"):
    import ncs
    return ncs.maapi.single_write_trans(user, "system", db=ncs.OPERATIONAL)


def running_trans():
    import ncs
    return ncs.maapi.single_write_trans("admin", "system", db=ncs.RUNNING)


# ---- actions, applications, VM restarts -----------------------------------------------------------

def start_sample(d):
    d.register_builtin_action("/key-rotation/apply-new-keys", _apply_new_keys)
    return d.start_application("ncs_double.sample_app.Main")


def _apply_new_keys(inp, out) -> None:
    out.result = True
    out.new_active_key_generation = inp.new_key_generation


def test_action_error_and_success(ncs_double) -> None:
    start_sample(ncs_double)
    with pytest.raises(ActionFailed, match="no audit has run yet"):
        ncs_double.request_action("/secure-deploy/harden-plan", user="alice")
    ncs_double.seed_xml(b'<secure-deploy xmlns="urn:secure-deploy:yang:secure-deploy">'
                        b'<last-run><run-id>r7</run-id></last-run></secure-deploy>', db=4)
    out = ncs_double.request_action("/secure-deploy/harden-plan", user="alice")
    assert out == {"plan": "plan for r7 by alice at /sd:secure-deploy (harden-plan)"}


def test_action_input_is_schema_checked(ncs_double) -> None:
    start_sample(ncs_double)
    with pytest.raises(nd.SchemaError):
        ncs_double.request_action("/secure-deploy/keys/rotate", wait_commit_queue=99999)
    with pytest.raises(nd.SchemaError):
        ncs_double.request_action("/secure-deploy/keys/rotate", bogus=1)


def test_rotation_with_vm_restart_after_the_call(ncs_double) -> None:
    ncs_double.register_builtin_action("/key-rotation/apply-new-keys", _apply_new_keys, restart_vm="after")
    ncs_double.start_application("ncs_double.sample_app.Main")
    from ncs_double import sample_app
    assert sample_app.STARTS == [1]
    out = ncs_double.request_action("/secure-deploy/keys/rotate", reason="yearly")
    assert out == {"result": True, "new-generation": 1}
    assert ncs_double.restarts == 1
    assert ncs_double.get("/secure-deploy/key-rotation/state") == "completed"   # finished by setup()
    fresh = sys.modules["ncs_double.sample_app"]
    assert fresh is not sample_app and fresh.STARTS == [1]                      # module state is new
    assert (ncs_double.action_timeouts[-1][1]) == 600


def test_rotation_with_vm_killed_during_the_call(ncs_double) -> None:
    ncs_double.register_builtin_action("/key-rotation/apply-new-keys", _apply_new_keys, restart_vm="during")
    ncs_double.start_application("ncs_double.sample_app.Main")
    with pytest.raises(ActionFailed, match="communication failure"):
        ncs_double.request_action("/secure-deploy/keys/rotate")
    assert ncs_double.restarts == 1
    assert ncs_double.get("/secure-deploy/key-rotation/state") == "completed"
    # the new VM serves requests again
    assert "secure-deploy-keys-rotate" in ncs_double.actionpoints


def test_python_exception_becomes_action_error(ncs_double) -> None:
    start_sample(ncs_double)
    with pytest.raises(ActionFailed, match="dry-run makes this sample fail"):
        ncs_double.request_action("/secure-deploy/keys/rotate", dry_run=True)


def test_undecorated_callback_and_unknown_actionpoint(ncs_double) -> None:
    import ncs

    class Plain(ncs.dp.Action):
        def cb_action(self, uinfo, name, kp, input, output, trans):
            output.plan = "x"

    class App(ncs.application.Application):
        def setup(self):
            self.register_action("secure-deploy-harden-plan", Plain)

    App().setup()
    with pytest.raises(ActionFailed, match="lacks @ncs.dp.Action.action"):
        ncs_double.request_action("/secure-deploy/harden-plan")
    with pytest.raises(Exception, match="not in any loaded YANG"):
        App().register_action("no-such-point", Plain)
    with pytest.raises(ActionFailed, match="no registered callback"):
        ncs_double.request_action("/secure-deploy/audit")


def test_action_trans_is_read_only_and_progress_is_recorded(ncs_double) -> None:
    import _ncs
    import ncs
    seen = {}

    class Audit(ncs.dp.Action):
        @ncs.dp.Action.action
        def cb_action(self, uinfo, name, kp, input, output, trans):
            with trans.start_progress_span("auditing"):
                trans.progress_info("collecting facts")
            try:
                trans.set_elem("r", "/secure-deploy/last-run/run-id")
            except _ncs.error.Error as exc:
                seen["err"] = str(exc)
            seen["rules"] = input.rule.as_list()
            seen["min"] = input.min_severity
            output.run_id = "r1"
            output.score = 50.0
            output.counts.passed = 1
            f = output.failure.create("SD-A-001")
            f.severity = "high"
            f.status = "fail"

    class App(ncs.application.Application):
        def setup(self):
            self.register_action("secure-deploy-audit", Audit)

    App().setup()
    out = ncs_double.request_action("/secure-deploy/audit", rule=["SD-A-001"], min_severity="high")
    assert "read-only" in seen["err"] and seen["rules"] == ["SD-A-001"] and seen["min"] == "high"
    assert out == {"run-id": "r1", "score": 50.0, "counts": {"passed": 1},
                   "failure": [{"rule-id": "SD-A-001", "severity": "high", "status": "fail"}]}
    assert ncs_double.progress == [("start", "auditing"), ("info", "collecting facts"), ("end", "auditing")]


# ---- yanglint ------------------------------------------------------------------------------------

def _fill_oper(d) -> None:
    import ncs
    with oper_trans() as t:
        sd = ncs.maagic.get_root(t).secure_deploy
        lr = sd.last_run
        lr.run_id, lr.start_time, lr.duration = "r1", "2026-11-26T12:00:00+00:00", 1.25
        lr.score, lr.score_without_waivers = 80.0, 70.5
        lr.counts.total, lr.counts.failed = 10, 2
        lr.failed_by_severity.high = 2
        r = lr.result.create("SD-CRYPTO-001")
        r.status, r.severity, r.message = "fail", "critical", "dummy keys"
        r.evidence.create("expected").value = "no well-known key"
        r.paths = ["/ncs-config/encrypted-strings"]
        h = sd.history.run.create("r1")
        h.time, h.score = "2026-11-26T12:00:00Z", 80.0
        h.newly_failing = ["SD-CRYPTO-001"]
        kr = sd.key_rotation
        kr.state, kr.from_generation, kr.to_generation = "completed", -1, 0
        rot = kr.history.rotation.create("rot-1")
        rot.result, rot.from_generation, rot.to_generation = "success", -1, 0
        t.apply()
    with running_trans() as t:
        w = ncs.maagic.get_root(t).secure_deploy.waiver.create("w1")
        w.rule_id, w.justification, w.expires = "SD-CRYPTO-001", "lab", "2027-01-01"
        t.apply()


def test_dump_validates_with_yanglint(ncs_double, yanglint_check) -> None:
    _fill_oper(ncs_double)
    xml = ncs_double.dump_xml()
    assert b"<run-id>r1</run-id>" in xml and b"<waiver>" in xml
    yanglint_check(xml)
    yanglint_check(ncs_double.dump_xml(config=False))


@pytest.mark.parametrize("old, new", [
    (b"<status>fail</status>", b"<status>broken</status>"),             # bad enum
    (b"<score>80.0</score>", b"<score>180.0</score>"),                  # out of range
    (b"<run-id>r1</run-id>", b"<run-id>r1</run-id><bogus>1</bogus>"),   # undefined node
])
def test_yanglint_rejects_invalid_dumps(ncs_double, yanglint_result, old: bytes, new: bytes) -> None:
    _fill_oper(ncs_double)
    xml = ncs_double.dump_xml()
    assert old in xml
    ok, msg = yanglint_result(xml.replace(old, new, 1))
    assert not ok and msg
