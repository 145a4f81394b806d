"""Every rule in the catalog: well-formed metadata and passing/failing fixtures."""
from __future__ import annotations

from collections import defaultdict
from typing import Optional, Tuple

import pytest
from lxml import etree

from factsbuilder import FAILING, Case, build_facts, wrap
from rule_cases import all_cases
from secure_deploy import registry
from secure_deploy.engine import evaluate
from secure_deploy.facts.cdb import CONFIG_NS, parse_cdb_xml
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


MANUAL_CHECK = "manual-check"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_has_pass_and_fail_fixture(rule):
    cases = BY_RULE.get(rule.id, [])
    if MANUAL_CHECK in rule.meta.tags:
        # A guidance item only a person can judge: its fixtures show the MANUAL answer
        # (with what to check) and, where the facts can decide, that answer too.
        assert any(c.expect is Status.MANUAL for c in cases), f"{rule.id}: no manual fixture"
        return
    assert any(c.expect is Status.PASS for c in cases), f"{rule.id}: no pass fixture"
    assert any(c.expect in FAILING for c in cases), f"{rule.id}: no fail fixture"


@pytest.mark.parametrize("rule", [r for r in RULES if MANUAL_CHECK in r.meta.tags], ids=lambda r: r.id)
def test_manual_answers_say_what_to_check(rule):
    for case in BY_RULE[rule.id]:
        result = evaluate(rule, build_facts(case))
        if result.status is Status.MANUAL:
            assert "check" in result.message and len(result.message) > 60, (rule.id, result.message)


def test_fixtures_name_known_rules():
    known = {r.id for r in RULES}
    assert {c.rule for c in CASES} <= known


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_fixture_gives_expected_status(case: Case):
    result = evaluate(registry.get(case.rule), build_facts(case))
    assert result.status is case.expect, (result.status, result.message, result.evidence)
    assert result.message


def test_findings_carry_only_declared_object_kinds():
    """Every object a fixture's findings carry is of a kind its rule declares (what
    `explain` lists and `waivers check` validates against), and every declared kind
    is seen at least once, so neither side of the declaration drifts."""
    from secure_deploy.ruledocs import matching_kind
    seen: dict = {r.id: set() for r in RULES}
    for case in CASES:
        meta = registry.get(case.rule).meta
        for f in evaluate(registry.get(case.rule), build_facts(case)).findings:
            if f.object is None:
                continue
            assert meta.objects, f"{meta.id}: finding object {f.object!r} but the rule declares no objects="
            kind = matching_kind(f.object, meta.objects)
            assert kind is not None, f"{meta.id}: object {f.object!r} is none of {meta.objects}"
            seen[meta.id].add(kind.name)
    unseen = {r.id: sorted(set(r.meta.objects) - seen[r.id]) for r in RULES if set(r.meta.objects) - seen[r.id]}
    assert unseen == {}, f"declared object kinds no fixture produces: {unseen}"


def test_object_kind_names_are_checked_at_definition():
    from secure_deploy.model import Severity
    from secure_deploy.registry import rule
    with pytest.raises(ValueError, match="unknown object kind"):
        rule("SD-TEST-099", "t", Severity.LOW, rationale="r", remediation="f", section="s", objects=("usr",))


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_every_rule_has_examples(rule):
    """`explain` shows every rule failing and fixed: both examples must be written."""
    assert rule.meta.example.strip(), f"{rule.id}: no failing example (example=)"
    assert rule.meta.fix_example.strip(), f"{rule.id}: no fixed example (fix_example=)"


def _split_example(text: str) -> Tuple[str, Optional[str]]:
    """(ncs.conf fragment, CDB XML or None) of an XML example.

    A CDB rule's example is CDB data as an init file or `show running-config ... |
    display xml` has it: elements carrying their module's namespace (<aaa xmlns=...>,
    <nacm xmlns=...>). A rule that also reads ncs.conf shows the setting it depends on
    next to it as a plain, un-namespaced ncs.conf fragment. Comments are labels.
    """
    root = etree.fromstring(f"<example>{text}</example>".encode())
    conf, cdb = [], []
    for el in root:
        if isinstance(el.tag, str):
            (cdb if el.tag.startswith("{") else conf).append(
                etree.tostring(el, encoding="unicode", with_tail=False))
    return "".join(conf), (f'<config xmlns="{CONFIG_NS}">{"".join(cdb)}</config>' if cdb else None)


def _example_facts(rule, fragment: str, version: str = "6.4") -> Facts:
    v = parse_version(version, "test")
    conf, cdb = fragment, None
    if "cdb" in rule.meta.reads:
        conf, cdb = _split_example(fragment)
        assert cdb is not None, f"{rule.id} reads CDB but its example holds no namespaced CDB data"
        _known_algorithm_elements(rule, cdb)
    return Facts(version=v, now="2026-01-01T00:00:00+00:00",
                 ncs_conf=parse_ncs_conf(wrap(conf), "example.conf", version),
                 cdb=parse_cdb_xml(cdb.encode(), "example.xml") if cdb is not None else None)


def _known_algorithm_elements(rule, cdb: str) -> None:
    # The reader skips elements it does not know, so a misspelt leaf (e.g. <encryption>
    # for NSO's <cipher>) would make an example "pass" that NSO itself would refuse.
    from secure_deploy.facts.cdb import SSH_ALGORITHM_KINDS
    for algs in etree.fromstring(cdb.encode()).iter("{*}ssh-algorithms"):
        for el in algs:
            assert etree.QName(el).localname in SSH_ALGORITHM_KINDS, (rule.id, etree.QName(el).localname)


@pytest.mark.parametrize("rule", [r for r in RULES if r.meta.example.startswith("<")], ids=lambda r: r.id)
@pytest.mark.parametrize("version", SUPPORTED_NSO_VERSIONS)
def test_documented_examples_are_true(rule, version):
    """`explain` shows a failing example and its fix: both must behave as documented,
    on every release the rule applies to (defaults differ between releases).

    ncs.conf examples are wrapped into an ncs.conf; CDB examples become the CDB input,
    with their ncs.conf part (if any) as the ncs.conf.
    """
    if version not in rule.meta.versions:
        pytest.skip(f"{rule.id} does not apply to NSO {version}")
    result = evaluate(rule, _example_facts(rule, rule.meta.example, version))
    assert result.status in FAILING, (result.status, result.message)
    if rule.meta.fix_example.startswith("<"):
        result = evaluate(rule, _example_facts(rule, rule.meta.fix_example, version))
        # A rule that also judges a file on the host cannot pass on configuration
        # alone: with the configuration fixed, the file is left to a person (MANUAL).
        fixed = (Status.PASS, Status.MANUAL) if "host" in rule.meta.reads else (Status.PASS,)
        assert result.status in fixed, (result.status, result.message)


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
