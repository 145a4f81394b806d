"""Every rule in the catalog: well-formed metadata and passing/failing fixtures."""
from __future__ import annotations

from collections import defaultdict

import pytest

from factsbuilder import FAILING, Case, build_facts, wrap
from rule_cases import all_cases
from secure_deploy import registry
from secure_deploy.engine import evaluate
from secure_deploy.facts.ncsconf import parse_ncs_conf
from secure_deploy.facts.types import Facts
from secure_deploy.facts.version import parse_version
from secure_deploy.model import SOURCES, SUPPORTED_NSO_VERSIONS, Status

RULES = registry.all_rules()
CASES = all_cases()
BY_RULE = defaultdict(list)
for _c in CASES:
    BY_RULE[_c.rule].append(_c)


def test_catalog_is_not_empty():
    assert len(RULES) >= 40, f"only {len(RULES)} rules registered"


def test_ids_unique_and_well_formed():
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids)), "duplicate rule ids"
    for i in ids:
        assert registry.RULE_ID.match(i), i


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_metadata_complete(rule):
    m = rule.meta
    assert m.title and m.rationale and m.remediation and m.section, m.id
    assert m.tags, f"{m.id} has no tags"
    assert set(m.needs) <= set(SOURCES), m.needs
    assert set(m.versions) <= set(SUPPORTED_NSO_VERSIONS) and m.versions
    assert len(m.rationale) > 40, f"{m.id}: rationale too thin"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_has_pass_and_fail_fixture(rule):
    cases = BY_RULE.get(rule.id, [])
    assert any(c.expect is Status.PASS for c in cases), f"{rule.id}: no pass fixture"
    assert any(c.expect in FAILING for c in cases), f"{rule.id}: no fail fixture"


def test_fixtures_name_known_rules():
    known = {r.id for r in RULES}
    assert {c.rule for c in CASES} <= known


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_fixture_gives_expected_status(case: Case):
    result = evaluate(registry.get(case.rule), build_facts(case))
    assert result.status is case.expect, (result.status, result.message, result.evidence)
    assert result.message


def _example_facts(fragment: str) -> Facts:
    v = parse_version("6.4", "test")
    return Facts(version=v, now="2026-01-01T00:00:00+00:00",
                 ncs_conf=parse_ncs_conf(wrap(fragment), "example.conf", "6.4"))


@pytest.mark.parametrize("rule", [r for r in RULES if r.meta.example.startswith("<")], ids=lambda r: r.id)
def test_documented_examples_are_true(rule):
    """`explain` shows a failing example and its fix: both must behave as documented."""
    assert evaluate(rule, _example_facts(rule.meta.example)).status in FAILING
    if rule.meta.fix_example.startswith("<"):
        assert evaluate(rule, _example_facts(rule.meta.fix_example)).status is Status.PASS


def test_crashing_rule_is_error_only_for_itself():
    from secure_deploy.registry import rule as mkrule
    from secure_deploy.model import Severity

    @mkrule("SD-TEST-001", "boom", Severity.LOW, "r" * 50, "x", "s", tags=("t",))
    def boom(facts):
        raise RuntimeError("kaput")

    facts = build_facts(Case("SD-AUTH-001", Status.FAIL, ""))
    from secure_deploy.engine import run
    rep = run(facts, [boom, registry.get("SD-AUTH-001")])
    assert [r.status for r in rep.results] == [Status.ERROR, Status.FAIL]
    assert "kaput" in rep.results[0].message
