"""The report and harden-plan actions: any stored run, any format, clear errors."""
from __future__ import annotations

import json

import pytest

from ncs_double import ActionFailed
from nso_fixtures import DUMMY_AES, make_deployment, oper_valid  # noqa: F401 (autouse)
from secure_deploy.render.json_report import report_from_dict


@pytest.fixture
def dep(tmp_path, monkeypatch):
    yield from make_deployment(tmp_path, monkeypatch)


def report(dep, **inp):
    return dep.d.request_action("/secure-deploy/report", **inp)["content"]


def test_report_before_any_run_is_a_clear_error(dep) -> None:
    with pytest.raises(ActionFailed, match="no audit run is stored yet"):
        report(dep)


def test_report_rebuilds_the_last_run_in_every_format(dep) -> None:
    out = dep.audit()
    doc = json.loads(report(dep, format="json"))
    rebuilt = report_from_dict(doc, "nso")
    stored = {k[0]: dep.result(k[0]) for k in dep.d.keys("/secure-deploy/last-run/result")}
    assert {r.rule_id: r.status.value for r in rebuilt.results} == stored
    assert doc["summary"]["score"] == out["score"]
    assert doc["nso_version"]["found"] == "6.4.2"
    auth1 = next(r for r in rebuilt.results if r.rule_id == "SD-AUTH-001")
    assert auth1.meta.rationale            # metadata comes back from the catalog of this package
    text = report(dep)                     # default format: text
    assert "SD-AUTH-001" in text and out["run-id"] in text
    sarif = json.loads(report(dep, format="sarif"))
    assert sarif["version"] == "2.1.0"
    assert report(dep, format="junit").lstrip().startswith("<?xml")
    assert "<html" in report(dep, format="html").lower()
    for fmt in ("text", "json", "sarif", "junit", "html"):
        assert DUMMY_AES not in report(dep, format=fmt)


def test_report_by_run_id(dep) -> None:
    old = dep.audit(rule=["SD-AUTH-001"])["run-id"]
    new = dep.audit(rule=["SD-AUTH-002"])["run-id"]
    assert "SD-AUTH-002" in report(dep, run_id=new)
    with pytest.raises(ActionFailed, match=f"run {old}: only the last run"):
        report(dep, run_id=old)
    with pytest.raises(ActionFailed, match="unknown run id 'nope'"):
        report(dep, run_id="nope")


def test_harden_plan_action(dep) -> None:
    pytest.importorskip("secure_deploy.harden")
    plan = dep.d.request_action("/secure-deploy/harden-plan")["plan"]
    assert "local-authentication" in plan
    assert DUMMY_AES not in plan


def test_harden_plan_with_unreadable_ncs_conf_is_a_clear_error(dep) -> None:
    pytest.importorskip("secure_deploy.harden")
    dep.settings(ncs_conf=str(dep.etc / "missing.conf"))
    with pytest.raises(ActionFailed) as err:
        dep.d.request_action("/secure-deploy/harden-plan")
    assert "missing.conf" in err.value.message and "Traceback" not in err.value.message
