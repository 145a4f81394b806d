"""The guidance checklist accounts for every recommendation of the Secure Deployment guidance.

secure_deploy/guidance.py commits the recommendations (ids, titles, the guidance's
anchors they stand for) and the anchors that are context. With the seed document
present (../shared), tools/guide_anchors.py re-derives the anchors and they must
match exactly; the anchors it derives are also committed (test/guide-anchors.txt,
anchors only, no text of the guidance), so a clone without ../shared holds the data to
them as well:

    python3 tools/guide_anchors.py ../shared/seed/secure-deployment.md | cut -f1 > test/guide-anchors.txt
"""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import pytest

from conftest import REPO, SHARED
from secure_deploy import registry
from secure_deploy.cli import main
from secure_deploy.guidance import CONTEXT, FLEET_RULES, RECOMMENDATIONS, all_anchors, checklist
from secure_deploy.model import Status

RULE_IDS = {r.id for r in registry.all_rules()}
SEED = SHARED / "seed" / "secure-deployment.md"
COMMITTED_ANCHORS = (REPO / "test" / "guide-anchors.txt").read_text(encoding="utf-8").split()
# The committed anchors always; the seed document as well where it is present.
ANCHOR_SOURCES = ["committed"] + (["seed"] if SEED.is_file() else [])


def _tool(name: str):
    spec = importlib.util.spec_from_file_location(name, REPO / "tools" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("source", ANCHOR_SOURCES)
def test_committed_anchors_match_the_seed_document(source):
    derived = COMMITTED_ANCHORS
    if source == "seed":
        derived = [a for a, _ in _tool("guide_anchors").anchors(SEED.read_text(encoding="utf-8"))]
        assert derived == COMMITTED_ANCHORS, "test/guide-anchors.txt is out of date"
    assert len(derived) > 40
    assert sorted(all_anchors()) == sorted(derived)


def test_every_anchor_is_accounted_for_once():
    anchors = all_anchors()
    assert len(anchors) == len(set(anchors)), "an anchor is mapped twice"
    assert len(RECOMMENDATIONS) >= 40 and all(r.anchors for r in RECOMMENDATIONS)
    assert all(why for _, why in CONTEXT)


def test_every_recommendation_is_covered_by_rules_of_the_catalog():
    ids = [r.id for r in RECOMMENDATIONS]
    assert len(ids) == len(set(ids))
    for rec in RECOMMENDATIONS:
        assert rec.rules, rec.id
        for rid in rec.rules:
            # A cross-node rule counts only when the fleet audit is in the catalog;
            # the item then also names a single-node rule (MANUAL) that points at it.
            assert rid in RULE_IDS, (rec.id, rid)
        if any(rid in FLEET_RULES for rid in rec.rules):
            assert any(rid not in FLEET_RULES for rid in rec.rules), rec.id


def test_rules_guide_lists_every_recommendation_with_nothing_unmapped(capsys):
    assert main(["rules", "--guide"]) == 0
    out = capsys.readouterr().out
    for rec in RECOMMENDATIONS:
        assert rec.id in out and rec.title in out
    assert f"{len(RECOMMENDATIONS)} recommendations, 0 unmapped" in out


def test_rules_guide_json(capsys):
    assert main(["rules", "--guide", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["unmapped"] == []
    assert [r["id"] for r in doc["recommendations"]] == [r.id for r in RECOMMENDATIONS]
    keys = next(r for r in doc["recommendations"] if "SD-FLEET-001" in [x["id"] for x in r["rules"]])
    assert {"SD-HA-005", "SD-FLEET-001"} <= {x["id"] for x in keys["rules"]}


def test_docs_rules_page_is_current():
    """Regenerate with: .venv/bin/python tools/gen_rules_doc.py"""
    r = subprocess.run([sys.executable, str(REPO / "tools" / "gen_rules_doc.py"), "--check"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr


def test_report_checklist_takes_the_worst_status_of_each_recommendation():
    from factsbuilder import Case, build_facts
    from secure_deploy.engine import run
    rep = run(build_facts(Case("SD-AUTH-001", Status.FAIL, "")), registry.all_rules())
    rows = {row.rec.id: row for row in checklist(rep.results)}
    assert rows["GD-09"].status == "fail"                       # local authentication on by default
    assert rows["GD-44"].status in ("not-applicable", "manual")  # no HA in an empty ncs.conf
    assert all(row.statuses for row in rows.values()), "every recommendation's rules ran"


def test_reports_carry_the_checklist():
    from factsbuilder import Case, build_facts
    from secure_deploy.engine import run
    from secure_deploy.report import Format, render
    rep = run(build_facts(Case("SD-AUTH-001", Status.FAIL, "")), registry.all_rules())
    doc = json.loads(render(rep, Format.JSON))
    assert [c["id"] for c in doc["checklist"]] == [r.id for r in RECOMMENDATIONS]
    assert next(c for c in doc["checklist"] if c["id"] == "GD-09")["status"] == "fail"
    text = render(rep, Format.TEXT)
    assert f"Guidance checklist: {len(RECOMMENDATIONS)} recommendations" in text
    assert "GD-09 [fail]" in text and "GD-07 [" not in text   # passing ones are only counted
    page = render(rep, Format.HTML)
    assert 'id="checklist"' in page and page.count("<tr data-checklist-status=") == len(RECOMMENDATIONS)
