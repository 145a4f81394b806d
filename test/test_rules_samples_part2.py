"""Hashing, limits, HA and accounting rules (and SD-AUTH-004) on whole ncs.conf files.

They run on our synthetic files (test/ncsconf_samples/) and, when ../shared/samples is
present, on the real public ones as well. The expectations for the development files are read from each file's own content
with plain XPath, independently of the rules, so a rule that misreads a default or
a path disagrees with what the file says.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from conftest import ALL_SAMPLES, DEV_SAMPLES, SYSTEM_SAMPLES, sample_id, twins
from secure_deploy import registry
from secure_deploy.engine import evaluate
from secure_deploy.facts.ncsconf import read_ncs_conf
from secure_deploy.facts.types import CdbFacts, Facts, HostFacts, UserFacts
from secure_deploy.facts.version import parse_version
from secure_deploy.model import SUPPORTED_NSO_VERSIONS, Status

TOPICS = ("HASH", "LIMIT", "HA", "AUDIT")
RULES = tuple(r for r in registry.all_rules() if r.id.split("-")[1] in TOPICS or r.id == "SD-AUTH-004")
DEV, SYSTEM, ALL = DEV_SAMPLES, SYSTEM_SAMPLES, ALL_SAMPLES
HA_EXAMPLE = twins("dev-rule-based-ha.xml", "nso-examples-6.4__high-availability_external-ha-framework_n1_ncs.conf.xml")
ENV = {"NCS_DIR": "/opt/ncs/current", "NCS_CONFIG_DIR": "/etc/ncs", "NCS_RUN_DIR": "/var/opt/ncs",
       "NCS_LOG_DIR": "/var/log/ncs"}


def facts_for(path: Path, version: str, **extra) -> Facts:
    conf = read_ncs_conf(str(path), version, ENV)
    return Facts(version=parse_version(version, "test"), now="2026-01-01T00:00:00+00:00", ncs_conf=conf, **extra)


def statuses(facts: Facts) -> dict:
    return {r.id: evaluate(r, facts).status for r in RULES}


def text_of(path: Path, xpath: str):
    """The text of the first element at a namespace-agnostic path below <ncs-config>."""
    tree = etree.parse(str(path))
    steps = "/".join(f"*[local-name()='{s}']" for s in xpath.strip("/").split("/"))
    found = tree.getroot().xpath(steps)
    return found[0].text.strip() if found and found[0].text else None


def test_part2_rules_are_registered():
    ids = {r.id for r in RULES}
    for topic, count in (("HASH", 3), ("LIMIT", 6), ("HA", 5), ("AUDIT", 4)):
        assert len([i for i in ids if i.startswith(f"SD-{topic}-")]) == count, topic
    assert "SD-AUTH-004" in ids


@pytest.mark.parametrize("version", SUPPORTED_NSO_VERSIONS)
@pytest.mark.parametrize("name", ALL, ids=sample_id)
def test_no_error_on_any_sample(name, version):
    # Also with an (empty) host and CDB so the rules that use them run their full path.
    for extra in ({}, {"host": HostFacts("unknown", "test"), "cdb": CdbFacts()}):
        st = statuses(facts_for(name, version, **extra))
        assert not [i for i, s in st.items() if s is Status.ERROR], (name, version, extra)


@pytest.mark.parametrize("system", SYSTEM, ids=sample_id)
def test_system_install_sample(system):
    st = statuses(facts_for(system, "6.4"))
    assert st["SD-HASH-001"] is Status.PASS          # sets sha-512 explicitly
    assert st["SD-AUDIT-001"] is Status.PASS         # audit log to ${NCS_LOG_DIR}/audit.log
    assert st["SD-AUDIT-002"] is Status.PASS         # rollback enabled
    assert st["SD-AUDIT-003"] is Status.FAIL         # audit-network-log disabled
    assert st["SD-LIMIT-001"] is Status.FAIL         # no session limits
    assert st["SD-LIMIT-003"] is Status.FAIL         # parser limits left at their unbounded defaults
    assert st["SD-HA-001"] is Status.NOT_APPLICABLE  # the ha-raft section is commented out
    assert st["SD-HA-003"] is Status.NOT_APPLICABLE  # <ha><enabled>false</enabled></ha>
    # With a CDB carrying a local password, local auth being off makes it a finding.
    cdb = CdbFacts(users=(UserFacts("admin", "$6$", False),))
    assert statuses(facts_for(system, "6.4", cdb=cdb))["SD-AUTH-004"] is Status.FAIL


@pytest.mark.parametrize("version", ["6.4", "6.6", "6.7"])
@pytest.mark.parametrize("name", DEV, ids=sample_id)
def test_examples_behave_as_their_content_says(name, version):
    st = statuses(facts_for(name, version))
    algo = text_of(name, "crypt-hash/algorithm")
    # sha-256 is a finding like md5 (rule_cases/hashing.py: sha-256-is-not-sha-512);
    # dev-logging-off.xml is the file that takes this branch.
    want_hash = {"sha-512": Status.PASS, "sha-256": Status.FAIL, "md5": Status.FAIL}[
        algo or ("md5" if version == "6.4" else "sha-512")]
    assert st["SD-HASH-001"] is want_hash
    audit_on = text_of(name, "logs/audit-log/enabled") != "false"
    audit_out = "true" in (text_of(name, "logs/audit-log/file/enabled"),
                           text_of(name, "logs/audit-log/syslog/enabled"))
    assert st["SD-AUDIT-001"] is (Status.PASS if audit_on and audit_out else Status.FAIL)
    assert st["SD-AUDIT-002"] is (Status.PASS if text_of(name, "rollback/enabled") == "true" else Status.FAIL)
    net_on = text_of(name, "logs/audit-network-log/enabled") == "true"
    net_file = text_of(name, "logs/audit-network-log/file/enabled") == "true"
    assert st["SD-AUDIT-003"] is (Status.PASS if net_on and net_file else Status.FAIL)
    if text_of(name, "session-limits/max-sessions") is None:
        assert st["SD-LIMIT-001"] is Status.FAIL
    if text_of(name, "parser-limits/max-data-length") is None:
        assert st["SD-LIMIT-003"] is Status.FAIL
    webui = text_of(name, "webui/enabled") == "true"
    assert st["SD-LIMIT-005"] is (Status.PASS if webui else Status.NOT_APPLICABLE)
    if text_of(name, "ha/enabled") == "true":
        assert st["SD-HA-003"] is (Status.PASS if version == "6.7" else Status.WARN)
    else:
        assert st["SD-HA-003"] is Status.NOT_APPLICABLE
    if text_of(name, "ha-raft/enabled") != "true":
        assert st["SD-HA-001"] is Status.NOT_APPLICABLE


@pytest.mark.parametrize("name", HA_EXAMPLE, ids=sample_id)
def test_rule_based_ha_example_needs_token_and_on_67_tls_files(name):
    assert text_of(name, "ha/enabled") == "true"
    st64 = statuses(facts_for(name, "6.4", cdb=CdbFacts(ha_token_set=False)))
    assert st64["SD-HA-003"] is Status.WARN and st64["SD-HA-004"] is Status.FAIL
    assert st64["SD-HA-002"] is Status.NOT_APPLICABLE           # no TLS before 6.7
    st67 = statuses(facts_for(name, "6.7", cdb=CdbFacts(ha_token_set=True)))
    assert st67["SD-HA-004"] is Status.PASS
    assert st67["SD-HA-002"] is Status.FAIL                     # TLS on by default, no files given


@pytest.mark.parametrize("system", SYSTEM, ids=sample_id)
def test_default_password_findings_name_users_never_secrets(system):
    cdb_mod = pytest.importorskip("secure_deploy.facts.cdb")
    hashed = "$1$66kDc1MN$f1.XourOHCe9S.IoWLvuh."
    xml = ('<config xmlns="http://tail-f.com/ns/config/1.0"><aaa xmlns="http://tail-f.com/ns/aaa/1.1">'
           "<authentication><users>"
           "<user><name>admin</name><uid>1</uid><gid>1</gid><password>$0$admin</password>"
           "<ssh_keydir>/x</ssh_keydir><homedir>/x</homedir></user>"
           f"<user><name>legacy</name><uid>2</uid><gid>2</gid><password>{hashed}</password>"
           "<ssh_keydir>/y</ssh_keydir><homedir>/y</homedir></user>"
           "</users></authentication></aaa></config>").encode()
    cdb = cdb_mod.parse_cdb_xml(xml, "aaa_init.xml")
    facts = facts_for(system, "6.4", cdb=cdb)
    for rule_id, objects in (("SD-HASH-003", {"admin"}), ("SD-HASH-002", {"admin", "legacy"}),
                             ("SD-AUTH-004", {"admin", "legacy"})):
        res = evaluate(registry.get(rule_id), facts)
        assert res.status is Status.FAIL, rule_id
        assert {f.object for f in res.findings} == objects, rule_id
        dump = repr((res.message, res.evidence, [(f.message, f.evidence) for f in res.findings]))
        assert "$0$admin" not in dump and hashed not in dump and "66kDc1MN" not in dump
