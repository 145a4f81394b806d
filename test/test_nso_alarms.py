"""Alarms and the per-run notification inside NSO, through the schema-checked double:
right alarms and severities, cleared after a fix, nothing duplicated or lost across a
VM restart, the per-rule cap, alarms off; the notification validated by yanglint."""
from __future__ import annotations

import inspect
import subprocess
from pathlib import Path

import pytest

import ncs_double as nd
from ncs_double import alarm as dalarm
from ncs_double import manifest
from ncs_double import notif as dnotif
from nso_fixtures import (ALARM_YANG, DEV_CDB_XML, DEV_NCS_CONF, NSO_YANG, SD_NS,  # noqa: F401
                          make_deployment, no_rotation_resumer, oper_valid, scaled_xml)

VIOLATION = "sd-al:secure-deploy-violation"
NOT_EVALUATED = "sd-al:secure-deploy-rule-not-evaluated"
STREAM = "secure-deploy"


# Every test here keeps the key-rotation check thread asleep (nso_fixtures.no_rotation_resumer).
pytestmark = pytest.mark.usefixtures("no_rotation_resumer")


@pytest.fixture
def dep(tmp_path, monkeypatch, no_rotation_resumer):
    yield from make_deployment(tmp_path, monkeypatch)


def raised(d):
    """{(type, managed object): entry} of NSO's alarm list that are not cleared."""
    return {(k[1], k[2]): e for k, e in dalarm.alarm_list(d).items() if not e.is_cleared}


def stored(dep):
    return {(str(k[1]), k[2]): dep.d.get(f"/secure-deploy/alarms/alarm{{{k[0]} {k[1]} \"{k[2]}\"}}/in-sync")
            for k in dep.d.keys("/secure-deploy/alarms/alarm")} if dep.d.exists("/secure-deploy/alarms") else {}


def fix_local_users(dep):
    """The dev deployment without its default-password users and with PAM only."""
    dep.write_conf(DEV_NCS_CONF.replace("<local-authentication><enabled>true", "<local-authentication><enabled>false"))


def test_a_run_with_failures_raises_the_right_alarms_with_the_right_severities(dep) -> None:
    out = dep.audit()
    d = dep.d
    al = raised(d)
    failing = {f["rule-id"]: f for f in out["failure"] if f["status"] == "fail"}
    assert failing and al
    # every failing rule has an alarm (rule level or per object), nothing else has one
    rules_alarmed = {mo.split(" ")[0] for t, mo in al if t == VIOLATION}
    sev_rank = {"critical", "high", "medium", "low"}
    assert rules_alarmed == {r for r, f in failing.items() if f["severity"] in sev_rank}
    mapping = {"critical": "critical", "high": "major", "medium": "minor", "low": "warning"}
    for (t, mo), e in al.items():
        if t == VIOLATION:
            rid = mo.split(" ")[0]
            assert e.last_perceived_severity == mapping[failing[rid]["severity"]], mo
            assert e.last_alarm_text.startswith(f"{rid} ") and "Fix: " in e.last_alarm_text
            assert len(e.status_changes) == 1
    # per object: SD-HASH-003 (plaintext $0$ passwords) names each user
    assert (VIOLATION, "SD-HASH-003 admin") in al and (VIOLATION, "SD-HASH-003 oper") in al
    assert all(k[0] == "nso" and k[3] == "" for k in dalarm.alarm_list(d))
    # the state is stored with the run, in sync
    assert set(stored(dep).values()) == {True} and len(stored(dep)) == len(al)


def test_the_next_run_after_a_fix_clears_them(dep) -> None:
    dep.audit()
    before = raised(dep.d)
    assert (VIOLATION, "SD-AUTH-001") in before
    fix_local_users(dep)
    dep.audit()
    after = raised(dep.d)
    entry = dalarm.alarm_list(dep.d)[("nso", VIOLATION, "SD-AUTH-001", "")]
    assert entry.is_cleared and entry.last_perceived_severity == before[(VIOLATION, "SD-AUTH-001")].last_perceived_severity
    assert "cleared: the rule passes" in entry.status_changes[-1][1]
    assert (VIOLATION, "SD-AUTH-001") not in after
    # alarms not affected by the fix are not re-sent (no new status change)
    for k, e in after.items():
        assert len(e.status_changes) == 1, k
    # a sent clear is forgotten by the stored state
    assert (VIOLATION, "SD-AUTH-001") not in stored(dep)


def test_a_run_after_a_vm_restart_neither_duplicates_nor_loses(dep) -> None:
    dep.audit()
    first = {k: len(e.status_changes) for k, e in dalarm.alarm_list(dep.d).items()}
    dep.d.restart_vm()
    dep.audit()
    assert {k: len(e.status_changes) for k, e in dalarm.alarm_list(dep.d).items()} == first


def test_a_vm_killed_while_submitting_loses_nothing(dep) -> None:
    """The run is stored, then the VM dies after 3 alarms: the next run sends the rest."""
    dalarm.fail_after(dep.d, 3)
    with pytest.raises(nd.ActionFailed, match="application communication failure"):
        dep.audit()
    assert dep.d.restarts == 1
    assert len(dalarm.alarm_list(dep.d)) == 3
    pending = [k for k, ok in stored(dep).items() if not ok]
    assert len(pending) > 0
    dep.audit()
    al = dalarm.alarm_list(dep.d)
    assert {k[2] for k in al} == {mo for _, mo in stored(dep)} and set(stored(dep).values()) == {True}
    # the three sent before the crash were sent once more (idempotent: same key, one alarm)
    assert sorted(len(e.status_changes) for e in al.values()).count(2) <= 3
    assert all(not e.is_cleared for e in al.values())


def test_an_error_says_the_rule_could_not_be_evaluated(dep) -> None:
    dep.audit()
    dep.settings(ncs_conf=str(dep.etc / "missing.conf"))
    dep.audit()
    al = raised(dep.d)
    ne = {mo: e for (t, mo), e in al.items() if t == NOT_EVALUATED}
    assert ne and all(e.last_perceived_severity == "indeterminate" for e in ne.values())
    assert all("could not be evaluated" in e.last_alarm_text for e in ne.values())
    # the violation found before is neither cleared nor re-sent while unknown
    auth = dalarm.alarm_list(dep.d)[("nso", VIOLATION, "SD-AUTH-001", "")]
    assert not auth.is_cleared and len(auth.status_changes) == 1


def test_alarms_off_raises_none_and_min_severity_filters(dep) -> None:
    dep.settings(**{})
    import ncs
    with ncs.maapi.single_write_trans("admin", "system", db=ncs.RUNNING) as t:
        ncs.maagic.get_root(t).secure_deploy.settings.alarms.enabled = False
        t.apply()
    dep.audit()
    assert dalarm.alarm_list(dep.d) == {} and stored(dep) == {}
    with ncs.maapi.single_write_trans("admin", "system", db=ncs.RUNNING) as t:
        a = ncs.maagic.get_root(t).secure_deploy.settings.alarms
        a.enabled = True
        a.min_severity = "critical"
        t.apply()
    out = dep.audit()
    crit = {f["rule-id"] for f in out["failure"] if f["status"] == "fail" and f["severity"] == "critical"}
    assert {mo.split(" ")[0] for _, mo in raised(dep.d)} == crit
    with ncs.maapi.single_write_trans("admin", "system", db=ncs.RUNNING) as t:
        ncs.maagic.get_root(t).secure_deploy.settings.alarms.enabled = False
        t.apply()
    dep.audit()
    assert raised(dep.d) == {} and stored(dep) == {}       # turned off: every alarm cleared


def test_thousands_of_failing_objects_stay_within_the_cap(tmp_path, monkeypatch) -> None:
    devices = 2000
    cdb = scaled_xml(users=10, devices=devices).replace(b"reject-unknown", b"none")   # every device fails
    for dep in make_deployment(tmp_path, monkeypatch, cdb_xml=cdb.decode()):
        dep.audit(rule=["SD-SB-001"])
        per_rule = sorted(mo for t, mo in raised(dep.d) if mo.startswith("SD-SB-001"))
        assert len(per_rule) == 20 + 1
        summary = raised(dep.d)[(VIOLATION, "SD-SB-001")]
        assert f"{devices - 20} more failing objects" in summary.last_alarm_text
        # the next run alarms the same objects: nothing is sent again
        before = {k: len(e.status_changes) for k, e in dalarm.alarm_list(dep.d).items()}
        dep.audit(rule=["SD-SB-001"])
        assert {k: len(e.status_changes) for k, e in dalarm.alarm_list(dep.d).items()} == before


def test_the_notification_is_sent_and_valid_against_the_package_yang(dep, yanglint_check) -> None:
    dnotif.configure_stream(dep.d, STREAM)
    out1 = dep.audit()
    fix_local_users(dep)
    out2 = dep.audit()
    sent = dnotif.sent(dep.d)
    assert [s for s, _ in sent] == [STREAM, STREAM]
    xml = sent[1][1].decode()
    assert f"<run-id>{out2['run-id']}</run-id>" in xml and f'xmlns="{SD_NS}"' in xml
    assert "<newly-passing>SD-AUTH-001</newly-passing>" in xml
    assert f"<total>{out2['counts']['total']}</total>" in xml
    for leaf in out2["counts"]:                 # every status count of the audit's output
        assert f"<{leaf}>{out2['counts'][leaf]}</{leaf}>" in xml, leaf
    assert "<eventTime>" in xml
    assert out1["run-id"] in sent[0][1].decode()
    for _, doc in sent:
        _yanglint_notif(doc)


def test_no_stream_configured_the_audit_still_succeeds(dep) -> None:
    out = dep.audit()
    assert out["run-id"] and dnotif.sent(dep.d) == []
    dnotif.configure_stream(dep.d, STREAM)
    dep.audit()
    assert len(dnotif.sent(dep.d)) == 1


def test_the_notifier_daemon_stops_with_the_package(dep) -> None:
    dnotif.configure_stream(dep.d, STREAM)
    dep.audit()
    import sys
    daemon = sys.modules["secure_deploy.nso.notify"].NOTIFIER._daemon
    assert daemon is not None and daemon.is_alive()
    mine = lambda: [op for op, name in dep.d.thread_log if name == "secure-deploy-notifier"]  # noqa: E731
    assert mine() == ["add"]                       # announced to NSO while it runs
    dep.d.restart_vm()
    assert not daemon.is_alive() and mine() == ["add", "del"]
    dep.audit()          # the new VM registers the stream again
    assert len(dnotif.sent(dep.d)) == 2


def _yanglint_notif(doc: bytes) -> None:
    import shutil
    import tempfile
    if shutil.which("yanglint") is None:
        pytest.skip("yanglint not installed (Debian package libyang2-tools)")
    ydir = nd.tailf_yang_dir()
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "n.xml"
        f.write_bytes(doc)
        proc = subprocess.run(["yanglint", "-p", str(ydir), "-t", "nc-notif", str(nd.SECURE_DEPLOY_YANG), str(f)],
                              cwd=tmp, capture_output=True, text=True)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0 and "err" not in out.lower(), out + doc.decode()


def test_yanglint_rejects_a_notification_the_yang_does_not_allow() -> None:
    """The validation above can fail: a wrong leaf is caught."""
    bad = (b'<notification xmlns="urn:ietf:params:xml:ns:netconf:notification:1.0"><eventTime>2026-12-06T10:00:00'
           b'+00:00</eventTime><audit-run-completed xmlns="urn:secure-deploy:yang:secure-deploy"><score>101.0</score>'
           b'</audit-run-completed></notification>')
    with pytest.raises(AssertionError):
        _yanglint_notif(bad)


@pytest.mark.parametrize("module, name", [
    ("ncs.alarm", "raise_alarm"), ("ncs.alarm", "clear_alarm"), ("ncs.alarm", "managed_object_string"),
    ("ncs.alarm", "Alarm"), ("ncs.alarm", "AlarmId"), ("_ncs.dp", "register_notification_stream"),
    ("_ncs.dp", "notification_send"), ("_ncs.dp", "notification_flush"), ("_ncs.dp", "notification_seterr"),
    ("_ncs.dp", "notification_replay_failed"), ("_ncs.dp", "notification_reply_log_times"),
    ("_ncs", "str2hash"), ("_ncs", "get_nslist"), ("_ncs", "DateTime"), ("_ncs", "XmlTag"), ("_ncs", "TagValue"),
    ("ncs.dp", "Daemon"),
])
def test_what_this_feature_added_to_the_double_has_the_documented_signature(ncs_double, module, name) -> None:
    import importlib
    mod = importlib.import_module(module)
    obj = getattr(mod, name)
    spec = manifest.module(module)
    if inspect.isclass(obj):
        doc = spec["classes"][name]["init"]
        params = list(inspect.signature(obj.__init__).parameters.values())[1:]
    else:
        doc = spec["functions"][name]["params"]
        params = list(inspect.signature(obj).parameters.values())
    if doc is None:
        # The manifest has no signature where the page writes it over two lines
        # (_ncs.md, DateTime): the page's names, all required.
        doc = [{"name": n} for n in DATETIME_PARAMS]
    assert [p.name for p in params] == [p["name"] for p in doc]
    optional = [p.default is not inspect.Parameter.empty for p in params]
    if (module, name) == ("_ncs", "TagValue"):
        # _ncs.md: "xmltag -- a XmlTag instance (optional)" ... and two ways to construct it
        assert all(optional)
    else:
        assert optional == ["default" in p for p in doc]


DATETIME_PARAMS = ("year", "month", "day", "hour", "min", "sec", "micro", "timezone", "timezone_minutes")


def test_a_run_stored_while_another_marks_its_alarms_sent_loses_no_alarm(dep, monkeypatch) -> None:
    """Two runs at once (the scheduler's and an operator's): run 3 stores its alarm
    state while run 2's submitter is marking what it sent. Run 2 must not write its
    older state over run 3's, or run 3's new alarm is lost until some later run."""
    import sys
    import threading
    from nso_fixtures import DEV_NCS_CONF
    dep.audit()
    assert (VIOLATION, "SD-AUTH-001") in raised(dep.d)
    fix_local_users(dep)
    glue = sys.modules["secure_deploy.nso.alarm_glue"]
    real, other = glue.mark_sent, {}

    def run3() -> None:
        try:
            other["out"] = dep.audit()
        except BaseException as e:  # noqa: BLE001 - re-raised in the test's thread
            other["error"] = e

    def racing_mark_sent(records, sent):
        if "thread" not in other:
            dep.write_conf(DEV_NCS_CONF)          # broken again: run 3 raises SD-AUTH-001
            other["thread"] = threading.Thread(target=run3)
            other["thread"].start()
            other["thread"].join(timeout=1)       # run 3 stores now, unless it has to wait
        return real(records, sent)

    monkeypatch.setattr(glue, "mark_sent", racing_mark_sent)
    dep.audit()                                   # run 2: SD-AUTH-001 passes, its clear is sent
    other["thread"].join()
    assert "error" not in other, other.get("error")
    assert {f["rule-id"] for f in other["out"]["failure"]} >= {"SD-AUTH-001"}
    assert (VIOLATION, "SD-AUTH-001") in raised(dep.d)
    assert stored(dep)[("secure-deploy-violation", "SD-AUTH-001")] is True


def test_the_double_holds_framing_values_to_the_documented_ns_tag_pair(dep) -> None:
    """_ncs.md, class Value: for C_XMLTAG, C_XMLBEGIN and C_XMLEND the init "must be a
    2-tuple ... (ns, tag)". The double refuses anything else, so the package's framing
    (notify.tag_values) is held to the reference, not to whatever the double accepts."""
    import sys
    import _ncs
    dnotif.configure_stream(dep.d, STREAM)
    dep.audit()
    nctx = sys.modules["secure_deploy.nso.notify"].NOTIFIER._nctx
    ns = next(h for h, _p, uri, _r, _m in _ncs.get_nslist() if uri == SD_NS)
    tag, leaf = _ncs.str2hash("audit-run-completed"), _ncs.str2hash("run-id")
    when = _ncs.DateTime(2026, 12, 6, 3, 0, 0, 0, 0, 0)

    def send(begin_init) -> None:
        _ncs.dp.notification_send(nctx, when, [
            _ncs.TagValue(_ncs.XmlTag(ns, tag), _ncs.Value(begin_init, _ncs.C_XMLBEGIN)),
            _ncs.TagValue(_ncs.XmlTag(ns, leaf), _ncs.Value("r1", _ncs.C_BUF)),
            _ncs.TagValue(_ncs.XmlTag(ns, tag), _ncs.Value((ns, tag), _ncs.C_XMLEND))])

    send((ns, tag))
    assert len(dnotif.sent(dep.d)) == 2
    with pytest.raises(Exception, match="ns, tag"):
        send((tag, ns))
    for t in (_ncs.C_XMLBEGIN, _ncs.C_XMLEND, _ncs.C_XMLTAG, _ncs.C_IDENTITYREF):
        with pytest.raises(TypeError, match="2-tuple"):
            _ncs.Value(tag, t)
    assert len(dnotif.sent(dep.d)) == 2
