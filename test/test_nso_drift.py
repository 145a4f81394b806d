"""Drift at a glance: history keeps per-run score, score change and new failures; the
report action renders what changed since an earlier run."""
from __future__ import annotations

import json

import pytest

from ncs_double import ActionFailed
from nso_fixtures import DEV_NCS_CONF, make_deployment, no_rotation_resumer, oper_valid  # noqa: F401 (fixtures)


# Every test here keeps the key-rotation check thread asleep (nso_fixtures.no_rotation_resumer).
pytestmark = pytest.mark.usefixtures("no_rotation_resumer")


@pytest.fixture
def dep(tmp_path, monkeypatch, no_rotation_resumer):
    yield from make_deployment(tmp_path, monkeypatch)


def test_history_has_score_change_and_new_failures(dep) -> None:
    first = dep.audit()
    assert dep.d.get(f"/secure-deploy/history/run{{{first['run-id']}}}/score-change") is None
    dep.write_conf(DEV_NCS_CONF.replace("<local-authentication><enabled>true", "<local-authentication><enabled>false"))
    second = dep.audit()
    h = f"/secure-deploy/history/run{{{second['run-id']}}}"
    change = float(dep.d.get(f"{h}/score-change"))
    assert change == pytest.approx(float(second["score"]) - float(first["score"]), abs=0.05) and change > 0
    assert "SD-AUTH-001" in dep.d.get(f"{h}/newly-passing")
    dep.write_conf(DEV_NCS_CONF)
    third = dep.audit()
    h3 = f"/secure-deploy/history/run{{{third['run-id']}}}"
    assert "SD-AUTH-001" in dep.d.get(f"{h3}/newly-failing")
    assert float(dep.d.get(f"{h3}/score-change")) == pytest.approx(-change, abs=0.05)


def test_report_since_renders_the_drift(dep) -> None:
    first = dep.audit()
    dep.write_conf(DEV_NCS_CONF.replace("<local-authentication><enabled>true", "<local-authentication><enabled>false"))
    second = dep.audit()
    text = dep.d.request_action("/secure-deploy/report", since=first["run-id"])["content"]
    assert "== FIXED ==" in text and "SD-AUTH-001" in text.split("== FIXED ==")[1]
    doc = json.loads(dep.d.request_action("/secure-deploy/report", since=first["run-id"], format="json")["content"])
    assert "SD-AUTH-001" in {e["rule_id"] for e in doc["fixed"]}
    assert doc["new"]["score"] == float(second["score"]) and doc["old"]["score"] == float(first["score"])
    # since the same run: nothing new, nothing fixed
    same = json.loads(dep.d.request_action("/secure-deploy/report", run_id=first["run-id"], since=first["run-id"],
                                           format="json")["content"])
    assert same["counts"]["new"] == 0 and same["counts"]["fixed"] == 0
    with pytest.raises(ActionFailed, match="as text or json"):
        dep.d.request_action("/secure-deploy/report", since=first["run-id"], format="html")
    with pytest.raises(ActionFailed, match="unknown run id"):
        dep.d.request_action("/secure-deploy/report", since="20000101T000000.000000Z-000000")
