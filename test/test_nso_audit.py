"""The audit action inside NSO (through the schema-checked double): full run,
selection, errors, unreadable files, history, changes between runs, concurrency."""
from __future__ import annotations

import threading

import pytest

from ncs_double import ActionFailed
from nso_fixtures import DEV_NCS_CONF, DUMMY_AES, make_deployment, oper_valid  # noqa: F401 (autouse)
from secure_deploy import registry
from secure_deploy.model import Severity

ALL = registry.all_rules()


@pytest.fixture
def dep(tmp_path, monkeypatch):
    yield from make_deployment(tmp_path, monkeypatch)


def test_full_run_stores_results_history_and_catalog(dep) -> None:
    out = dep.audit()
    d = dep.d
    run_id = out["run-id"]
    counts = out["counts"]
    assert counts["total"] == len(ALL)
    assert sum(v for k, v in counts.items() if k != "total") == len(ALL)
    assert d.get("/secure-deploy/last-run/run-id") == run_id
    assert d.get("/secure-deploy/last-run/user") == "admin"
    assert d.get("/secure-deploy/last-run/nso-version") == "6.4.2"
    assert d.get("/secure-deploy/last-run/version-source") == "runtime"
    assert len(d.keys("/secure-deploy/last-run/result")) == len(ALL)
    assert dep.history() == [run_id]
    assert sorted(k[0] for k in d.keys("/secure-deploy/catalog/rule")) == sorted(r.id for r in ALL)
    # dev deployment: local auth on (ncs.conf), admin/admin in CDB and in the authgroup
    assert dep.result("SD-AUTH-001") == "fail"
    assert dep.result("SD-HASH-003") == "fail"
    failing = [f["rule-id"] for f in out["failure"]]
    assert "SD-AUTH-001" in failing and "SD-SB-001" in failing
    # worst first
    ranks = [Severity(f["severity"]).rank for f in out["failure"]]
    assert ranks == sorted(ranks, reverse=True)
    assert ("start", "secure-deploy audit") in d.progress and ("end", "secure-deploy audit") in d.progress


def test_secrets_never_reach_oper_data(dep) -> None:
    dep.audit()
    dump = dep.d.dump_xml("secure-deploy", config=False).decode()
    assert DUMMY_AES not in dump and "$0$admin" not in dump and "$0$oper" not in dump


def test_selection_by_rule_tag_and_severity(dep) -> None:
    out = dep.audit(rule=["SD-AUTH-001", "SD-AUTH-002"])
    assert out["counts"]["total"] == 2
    assert sorted(k[0] for k in dep.d.keys("/secure-deploy/last-run/result")) == ["SD-AUTH-001", "SD-AUTH-002"]
    tagged = [r for r in ALL if "authentication" in r.meta.tags]
    assert dep.audit(tag=["authentication"])["counts"]["total"] == len(tagged)
    crit = [r for r in ALL if r.meta.severity is Severity.CRITICAL]
    assert dep.audit(min_severity="critical")["counts"]["total"] == len(crit)
    dep.settings(disabled_rule=["SD-AUTH-001", "SD-NOPE-001"])
    out = dep.audit(rule=["SD-AUTH-001", "SD-AUTH-002"])
    assert out["counts"]["total"] == 1
    notes = dep.d.get("/secure-deploy/last-run/note")
    assert any("SD-NOPE-001" in n for n in notes)


def test_unknown_rule_id_is_a_clear_error_and_nothing_is_stored(dep) -> None:
    with pytest.raises(ActionFailed) as err:
        dep.audit(rule=["SD-NOPE-999"])
    assert "unknown rule id SD-NOPE-999" in err.value.message
    assert "Traceback" not in err.value.message
    assert dep.d.get("/secure-deploy/last-run/run-id") is None
    with pytest.raises(ActionFailed, match="unknown tag"):
        dep.audit(tag=["no-such-tag"])


def test_unreadable_ncs_conf_gives_error_results_and_the_run_is_stored(dep) -> None:
    dep.settings(ncs_conf=str(dep.etc / "missing.conf"))
    out = dep.audit()
    assert out["counts"]["errors"] > 0
    conf_rules = [r.id for r in ALL if r.meta.needs == ("ncs_conf",)]
    assert all(dep.result(r) == "error" for r in conf_rules)
    assert "fail" not in {dep.result(r) for r in conf_rules}
    assert dep.d.get("/secure-deploy/last-run/run-id") == out["run-id"]
    assert any("missing.conf" in n for n in dep.d.get("/secure-deploy/last-run/note"))
    # rules that need only CDB still give verdicts
    assert dep.result("SD-HASH-003") == "fail"


def test_malformed_ncs_conf_is_error_not_fail(dep) -> None:
    dep.write_conf("<ncs-config><unclosed></ncs-config>")
    out = dep.audit(rule=["SD-AUTH-001"])
    assert dep.result("SD-AUTH-001") == "error" and out["counts"]["errors"] == 1


def test_history_is_trimmed_to_history_size(dep) -> None:
    dep.settings(history_size=3)
    ids = [dep.audit(rule=["SD-AUTH-001"])["run-id"] for _ in range(5)]
    assert dep.history() == ids[-3:]
    dep.settings(history_size=1)
    last = dep.audit(rule=["SD-AUTH-001"])["run-id"]
    assert dep.history() == [last]
    dep.settings(history_size=0)
    dep.audit(rule=["SD-AUTH-001"])
    assert dep.history() == []


def test_history_records_newly_failing_and_newly_passing(dep) -> None:
    first = dep.audit(rule=["SD-AUTH-001", "SD-AUTH-003"])["run-id"]
    h = f"/secure-deploy/history/run{{{first}}}"
    assert dep.d.get(f"{h}/newly-failing") == ["SD-AUTH-001", "SD-AUTH-003"]
    # fix SD-AUTH-001 only
    dep.write_conf(DEV_NCS_CONF.replace("<local-authentication><enabled>true", "<local-authentication><enabled>false"))
    second = dep.audit(rule=["SD-AUTH-001", "SD-AUTH-003"])["run-id"]
    h2 = f"/secure-deploy/history/run{{{second}}}"
    assert dep.d.get(f"{h2}/newly-passing") == ["SD-AUTH-001"]
    assert not dep.d.get(f"{h2}/newly-failing")          # SD-AUTH-003 was already failing
    # break it again
    dep.write_conf(DEV_NCS_CONF)
    third = dep.audit(rule=["SD-AUTH-001", "SD-AUTH-003"])["run-id"]
    assert dep.d.get(f"/secure-deploy/history/run{{{third}}}/newly-failing") == ["SD-AUTH-001"]
    assert not dep.d.get(f"/secure-deploy/history/run{{{third}}}/newly-passing")


def test_changes_function() -> None:
    from secure_deploy.model import RuleResult, Status
    meta = {r.id: r.meta for r in ALL}

    def res(rid, st):
        return RuleResult(meta[rid], st, "", ())
    cur = [res("SD-AUTH-001", Status.FAIL), res("SD-AUTH-002", Status.PASS), res("SD-AUTH-003", Status.WARN)]
    from secure_deploy.nso.oper import changes
    assert changes(None, cur) == (["SD-AUTH-001"], ["SD-AUTH-002"])
    prev = {"SD-AUTH-001": "fail", "SD-AUTH-002": "fail", "SD-AUTH-003": "pass"}
    assert changes(prev, cur) == ([], ["SD-AUTH-002"])
    assert changes({"SD-AUTH-001": "error", "SD-AUTH-002": "pass"}, cur) == (["SD-AUTH-001"], [])


def test_waivers_from_config_are_applied(dep) -> None:
    dep.waiver("lab", rule_id="SD-AUTH-001", justification="lab box", expires="2999-12-31")
    dep.waiver("old", rule_id="SD-AUTH-003", justification="was ok", expires="2000-01-01")
    out = dep.audit(rule=["SD-AUTH-001", "SD-AUTH-003"])
    assert dep.result("SD-AUTH-001") == "waived" and out["counts"]["waived"] == 1
    assert dep.result("SD-AUTH-003") == "fail"
    notes = dep.d.get("/secure-deploy/last-run/note")
    assert any("SD-AUTH-003" in n and "expired" in n for n in notes)
    assert dep.d.get("/secure-deploy/last-run/score") > dep.d.get("/secure-deploy/last-run/score-without-waivers")


def test_invalid_waiver_is_ignored_with_a_note(dep) -> None:
    dep.waiver("typo", rule_id="not-a-rule", justification="x", expires="2999-01-01")
    dep.audit(rule=["SD-AUTH-001"])
    assert dep.result("SD-AUTH-001") == "fail"
    assert any(n.startswith("waiver typo ignored") for n in dep.d.get("/secure-deploy/last-run/note"))


def test_version_from_setting_overrides_runtime(dep) -> None:
    dep.settings(nso_version="6.6")
    dep.audit(rule=["SD-AUTH-001"])
    assert dep.d.get("/secure-deploy/last-run/nso-version") == "6.6"
    assert dep.d.get("/secure-deploy/last-run/version-source") == "setting"


def test_version_assumed_when_runtime_unreadable(tmp_path, monkeypatch, yanglint_check) -> None:
    for dep in make_deployment(tmp_path, monkeypatch, version=None):
        dep.audit(rule=["SD-AUTH-001"])
        assert dep.d.get("/secure-deploy/last-run/version-source") == "assumed"
        yanglint_check(dep.d.dump_xml(config=False))


def test_concurrent_audits_do_not_corrupt_results(dep) -> None:
    dep.settings(history_size=5)
    outs, errors = [], []

    def one(i: int) -> None:
        try:
            rules = ["SD-AUTH-001", "SD-AUTH-002"] if i % 2 else ["SD-AUTH-003"]
            outs.append((rules, dep.audit(user=f"user{i}", rule=rules)))
        except Exception as e:  # noqa: BLE001
            errors.append(e)
    threads = [threading.Thread(target=one, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(outs) == 8
    last = dep.d.get("/secure-deploy/last-run/run-id")
    rules, out = next((r, o) for r, o in outs if o["run-id"] == last)
    # last-run holds exactly one run's results, never a mix of two
    assert sorted(k[0] for k in dep.d.keys("/secure-deploy/last-run/result")) == sorted(rules)
    assert dep.d.get("/secure-deploy/last-run/counts/total") == len(rules)
    hist = dep.history()
    assert len(hist) == 5 and set(hist) <= {o["run-id"] for _, o in outs}


def test_action_is_read_only_towards_config(dep) -> None:
    before = dep.d.dump_xml(config=True)
    dep.audit()
    assert dep.d.dump_xml(config=True) == before
    assert dep.ncs_conf.read_text() == DEV_NCS_CONF


def _accept(dep, interface: str, reason: str, approver: str) -> None:
    import ncs
    with ncs.maapi.single_write_trans("admin", "system", db=ncs.RUNNING) as t:
        e = ncs.maagic.get_root(t).secure_deploy.settings.accepted_exposure.create(interface)
        e.reason, e.approver = reason, approver
        t.apply()


def test_accepted_exposure_from_settings_is_accepted_never_pass(dep) -> None:
    """/secure-deploy/settings/accepted-exposure: the matching interface finding is
    ACCEPTED (with reason and approver) in the oper data and in every rendered report;
    it fails no gate and is not a pass. The autouse fixture validates the oper data."""
    before = dep.audit(rule=["SD-IF-001", "SD-IF-003"])
    assert dep.result("SD-IF-001") == "fail"
    _accept(dep, "cli-ssh", "OSS reaches the CLI over the management VLAN", "secops")
    out = dep.audit(rule=["SD-IF-001", "SD-IF-003"])
    assert dep.result("SD-IF-001") == "accepted"
    assert dep.result("SD-IF-003") == "fail"                      # only the declared interface
    assert out["counts"]["accepted"] == 1 and out["counts"]["passed"] == 0
    assert dep.d.get("/secure-deploy/last-run/counts/accepted") == 1
    msg = dep.d.get("/secure-deploy/last-run/result{SD-IF-001}/message")
    assert "OSS reaches the CLI" in msg and "approved by secops" in msg
    assert [f["rule-id"] for f in out["failure"]] == ["SD-IF-003"]
    assert out["score"] > before["score"]
    report = dep.d.request_action("/secure-deploy/report", format="json")["content"]
    doc = __import__("json").loads(report)
    res = {r["rule_id"]: r for r in doc["results"]}["SD-IF-001"]
    assert res["status"] == "accepted" and "secops" in res["findings"][0]["acceptance"]
    text = dep.d.request_action("/secure-deploy/report", format="text")["content"]
    assert "[ACCEPT] SD-IF-001" in text


def test_stored_report_is_a_per_node_report_fleet_can_merge(dep) -> None:
    """Inside NSO, too, the stored JSON report names the node and carries its keys
    fingerprint and settings, so `secure-deploy fleet` merges reports of NSO actions."""
    import json
    import os

    from secure_deploy.fleet.merge import merge
    from secure_deploy.report.json_report import report_from_dict
    dep.audit()
    doc = json.loads(dep.d.get("/secure-deploy/last-run/report-json"))
    node = doc["node"]
    assert node["name"] == os.uname().nodename
    assert node["settings"] and not [p for p in node["settings"] if "encrypted-strings" in p]
    assert DUMMY_AES not in json.dumps(doc)
    other = dict(doc, node=dict(node, name="peer"))
    merged = merge([("a", report_from_dict(doc)), ("b", report_from_dict(other))], ALL,
                   now="2026-01-01T00:00:00+00:00", cluster_every="c1")
    assert {r.rule_id: r.status.value for r in merged.results}["SD-FLEET-002"] == "pass"
