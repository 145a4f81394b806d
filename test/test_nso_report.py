"""The report and harden-plan actions: any stored run, any format, clear errors."""
from __future__ import annotations

import json

import pytest

from ncs_double import ActionFailed
from nso_fixtures import DEV_NCS_CONF, DUMMY_AES, make_deployment, oper_valid  # noqa: F401 (autouse)
from secure_deploy.report.json_report import report_from_dict


@pytest.fixture
def dep(tmp_path, monkeypatch):
    yield from make_deployment(tmp_path, monkeypatch)


def report(dep, **inp):
    return dep.d.request_action("/secure-deploy/report", **inp)["content"]


def test_report_before_any_run_is_a_clear_error(dep) -> None:
    with pytest.raises(ActionFailed, match="no audit run is stored yet"):
        report(dep)


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def _locations(doc: dict, rule_id: str) -> list:
    res = next(r for r in doc["results"] if r["rule_id"] == rule_id)
    return [f["location"] for f in res["findings"] if f.get("location")]


def test_report_renders_the_last_run_in_every_format(dep) -> None:
    out = dep.audit()
    doc = json.loads(report(dep, format="json"))
    rebuilt = report_from_dict(doc, "nso")
    stored = {k[0]: dep.result(k[0]) for k in dep.d.keys("/secure-deploy/last-run/result")}
    assert {r.rule_id: r.status.value for r in rebuilt.results} == stored
    assert doc["summary"]["score"] == out["score"]
    assert doc["nso_version"]["found"] == "6.4.2"
    auth1 = next(r for r in rebuilt.results if r.rule_id == "SD-AUTH-001")
    assert auth1.meta.rationale            # the stored JSON carries each rule's metadata
    text = report(dep)                     # default format: text
    assert "SD-AUTH-001" in text and out["run-id"] in text
    sarif = json.loads(report(dep, format="sarif"))
    assert sarif["version"] == "2.1.0"
    assert report(dep, format="junit").lstrip().startswith("<?xml")
    assert "<html" in report(dep, format="html").lower()
    for fmt in ("text", "json", "sarif", "junit", "html"):
        assert DUMMY_AES not in report(dep, format=fmt)


def test_report_keeps_ncs_conf_line_numbers(dep) -> None:
    dep.audit()
    doc = json.loads(report(dep, format="json"))
    assert _locations(doc, "SD-AUTH-001") == [
        {"file": str(dep.ncs_conf), "line": _line_of(DEV_NCS_CONF, "<local-authentication>")}]
    sarif = json.loads(report(dep, format="sarif"))
    regions = [loc["physicalLocation"].get("region", {}).get("startLine")
               for res in sarif["runs"][0]["results"] if res["ruleId"] == "SD-AUTH-001"
               for loc in res.get("locations", [])]
    assert _line_of(DEV_NCS_CONF, "<local-authentication>") in regions


def test_report_renders_any_run_in_history_in_every_format(dep) -> None:
    old = dep.audit(rule=["SD-AUTH-001"])["run-id"]
    new = dep.audit(rule=["SD-AUTH-002"])["run-id"]
    assert "SD-AUTH-002" in report(dep, run_id=new) and "SD-AUTH-001" not in report(dep, run_id=new)
    doc = json.loads(report(dep, run_id=old, format="json"))
    assert [r["rule_id"] for r in doc["results"]] == ["SD-AUTH-001"]
    assert old in doc["target"]
    assert _locations(doc, "SD-AUTH-001")[0]["line"] == _line_of(DEV_NCS_CONF, "<local-authentication>")
    assert old in report(dep, run_id=old)
    assert "SD-AUTH-001" in report(dep, run_id=old, format="sarif")
    assert "SD-AUTH-001" in report(dep, run_id=old, format="junit")
    assert "SD-AUTH-001" in report(dep, run_id=old, format="html")


def test_unknown_run_id_is_a_clear_error_listing_the_stored_runs(dep) -> None:
    dep.settings(history_size=2)
    ids = [dep.audit(rule=["SD-AUTH-001"])["run-id"] for _ in range(3)]
    with pytest.raises(ActionFailed) as err:
        report(dep, run_id=ids[0])                        # trimmed from history with its report
    msg = err.value.message
    assert f"unknown run id '{ids[0]}'" in msg and f"stored runs: {ids[2]}, {ids[1]}" in msg
    assert "Traceback" not in msg
    with pytest.raises(ActionFailed, match="unknown run id 'nope'"):
        report(dep, run_id="nope")


def test_long_lists_of_stored_runs_are_cut_short(dep) -> None:
    dep.settings(history_size=12)
    ids = [dep.audit(rule=["SD-AUTH-001"])["run-id"] for _ in range(12)]
    with pytest.raises(ActionFailed) as err:
        report(dep, run_id="nope")
    assert ids[-1] in err.value.message and ids[1] not in err.value.message
    assert "and 2 older" in err.value.message


def test_last_run_renders_with_history_off(dep) -> None:
    dep.settings(history_size=0)
    run_id = dep.audit()["run-id"]
    assert dep.history() == []
    doc = json.loads(report(dep, format="json"))
    assert run_id in doc["target"] and _locations(doc, "SD-AUTH-001")


def test_stored_reports_hold_no_secrets(dep) -> None:
    run_id = dep.audit()["run-id"]
    for path in ("/secure-deploy/last-run/report-json", f"/secure-deploy/history/run{{{run_id}}}/report-json"):
        stored = dep.d.get(path)
        assert stored and json.loads(stored)["results"]
        for secret in (DUMMY_AES, "$0$admin", "$0$oper"):
            assert secret not in stored, path


def test_stored_json_is_the_report_of_the_run(dep) -> None:
    run_id = dep.audit()["run-id"]
    stored = json.loads(dep.d.get("/secure-deploy/last-run/report-json"))
    assert stored == json.loads(dep.d.get(f"/secure-deploy/history/run{{{run_id}}}/report-json"))
    rendered = json.loads(report(dep, format="json"))
    assert rendered["target"] == f"{stored['target']} (run {run_id})"
    assert {**rendered, "target": None} == {**stored, "target": None}


def _drop_json(dep, path: str) -> None:
    import ncs
    with ncs.maapi.single_write_trans("admin", "system", db=ncs.OPERATIONAL) as t:
        t.delete(path)
        t.apply()


def test_runs_stored_without_json_by_an_older_version(dep) -> None:
    old = dep.audit(rule=["SD-AUTH-001"])["run-id"]
    last = dep.audit(rule=["SD-AUTH-001", "SD-AUTH-002"])["run-id"]
    _drop_json(dep, "/secure-deploy/last-run/report-json")
    _drop_json(dep, f"/secure-deploy/history/run{{{old}}}/report-json")
    # the last run is rebuilt from its YANG leaves (no file:line then)
    doc = json.loads(report(dep, format="json"))
    assert sorted(r["rule_id"] for r in doc["results"]) == ["SD-AUTH-001", "SD-AUTH-002"]
    assert last in doc["target"] and not _locations(doc, "SD-AUTH-001")
    with pytest.raises(ActionFailed, match=f"run {old} is stored without its full report"):
        report(dep, run_id=old)


def test_stored_reports_in_history_are_bounded_in_bytes(dep, monkeypatch) -> None:
    # NSO keeps oper data in memory: history-size runs of ~100 KB each must not all
    # keep their full report. The newest keep theirs within the budget.
    from secure_deploy.nso import oper
    first = dep.audit(rule=["SD-AUTH-001"])["run-id"]
    one = dep.d.get(f"/secure-deploy/history/run{{{first}}}/report-json-bytes")
    assert one == len(dep.d.get(f"/secure-deploy/history/run{{{first}}}/report-json").encode())
    monkeypatch.setattr(oper, "HISTORY_JSON_BUDGET", int(one * 2.5))
    runs = [first] + [dep.audit(rule=["SD-AUTH-001"])["run-id"] for _ in range(4)]
    with_json = [r for r in runs if dep.d.exists(f"/secure-deploy/history/run{{{r}}}/report-json")]
    assert with_json == runs[-2:]
    assert sorted(k[0] for k in dep.d.keys("/secure-deploy/history/run")) == sorted(runs)   # summaries stay
    with pytest.raises(ActionFailed, match="dropped to bound the history's size"):
        report(dep, run_id=runs[0])
    assert json.loads(report(dep, run_id=runs[-2], format="json"))


def test_corrupt_stored_json_is_a_clear_error(dep) -> None:
    import ncs
    dep.audit(rule=["SD-AUTH-001"])
    with ncs.maapi.single_write_trans("admin", "system", db=ncs.OPERATIONAL) as t:
        t.set_elem('{"schema_version": "1.0", "results": [', "/secure-deploy/last-run/report-json")
        t.apply()
    with pytest.raises(ActionFailed) as err:
        report(dep)
    assert "stored report of run" in err.value.message and "not valid JSON" in err.value.message
    assert "Traceback" not in err.value.message


def test_harden_plan_action(dep) -> None:
    pytest.importorskip("secure_deploy.harden.apply")
    plan = dep.d.request_action("/secure-deploy/harden-plan")["plan"]
    assert "local-authentication" in plan
    assert DUMMY_AES not in plan


def test_harden_plan_with_unreadable_ncs_conf_is_a_clear_error(dep) -> None:
    pytest.importorskip("secure_deploy.harden.apply")
    dep.settings(ncs_conf=str(dep.etc / "missing.conf"))
    with pytest.raises(ActionFailed) as err:
        dep.d.request_action("/secure-deploy/harden-plan")
    assert "missing.conf" in err.value.message and "Traceback" not in err.value.message
