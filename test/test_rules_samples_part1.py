"""Install, SSH, interface and IPC rules on whole ncs.conf files.

They run on our synthetic files (test/ncsconf_samples/) and, when ../shared/samples is
present, on the real public ones as well. The development files (ours and NSO's
nso-examples-6.4) are development configurations: wherever they enable CLI
over SSH, NETCONF over SSH or the plain-HTTP WebUI the matching rule must FAIL, and
they must all be recognised as example files. The system-install ncs.conf is the
production template (ours reproduces it): it must pass the interface rules the guidance names for it.
"""
from __future__ import annotations

import pytest

from pathlib import Path

from conftest import ALL_SAMPLES, DEV_SAMPLES, OWN_SAMPLES, SAMPLES, SYSTEM_SAMPLES, sample_id, twins
from secure_deploy import registry
from secure_deploy.engine import evaluate
from secure_deploy.facts.ncsconf import read_ncs_conf
from secure_deploy.facts.types import Facts, NcsConf, Settings
from secure_deploy.facts.version import parse_version
from secure_deploy.model import Status

DEV, SYSTEM, ALL = DEV_SAMPLES, SYSTEM_SAMPLES, ALL_SAMPLES
PART1 = ("SD-INSTALL-002", "SD-SSH-001", "SD-SSH-002", "SD-IF-001", "SD-IF-002", "SD-IF-003", "SD-IF-004",
         "SD-IF-005", "SD-IF-006", "SD-IF-007", "SD-IF-008", "SD-IPC-001", "SD-IPC-002", "SD-IPC-003")


def load(path: Path, version: str = "6.4") -> NcsConf:
    return read_ncs_conf(path, version, {})


def status(conf: NcsConf, rule_id: str, settings: Settings = Settings()) -> Status:
    facts = Facts(version=parse_version(conf.version, "test"), now="2026-01-01T00:00:00+00:00",
                  ncs_conf=conf, settings=settings)
    return evaluate(registry.get(rule_id), facts).status


def test_samples_present():
    own = [p for p in DEV if p.parent == OWN_SAMPLES]
    assert len(own) >= 5 and [p for p in SYSTEM if p.parent == OWN_SAMPLES]
    if SAMPLES.is_dir():   # the real files join in whenever they are there
        assert len(DEV) - len(own) >= 5 and len(SYSTEM) >= 2


@pytest.mark.parametrize("name", ALL, ids=sample_id)
def test_no_rule_errors_on_real_files(name):
    conf = load(name)
    for rule_id in PART1:
        assert status(conf, rule_id) is not Status.ERROR, rule_id


# (rule, ncs.conf path of the interface switch, parent that turns the server off)
INTERFACES = [
    ("SD-IF-001", "/ncs-config/cli/ssh/enabled", "/ncs-config/cli/enabled"),
    ("SD-IF-002", "/ncs-config/netconf-north-bound/transport/ssh/enabled", "/ncs-config/netconf-north-bound/enabled"),
    ("SD-IF-003", "/ncs-config/webui/transport/tcp/enabled", "/ncs-config/webui/enabled"),
]


@pytest.mark.parametrize("name", DEV, ids=sample_id)
@pytest.mark.parametrize("rule_id,switch,parent", INTERFACES)
def test_examples_fail_where_they_enable_an_interface(name, rule_id, switch, parent):
    conf = load(name)
    on = conf.enabled(parent) and conf.enabled(switch)
    assert status(conf, rule_id) is (Status.FAIL if on else Status.PASS)


def test_examples_do_enable_the_interfaces():
    """Guard for the test above: most examples enable all three, so it is not vacuous."""
    enabling = [n for n in DEV if all(load(n).enabled(p) and load(n).enabled(s) for _, s, p in INTERFACES)]
    assert len([n for n in enabling if n.parent == OWN_SAMPLES]) >= 4
    if SAMPLES.is_dir():
        assert len([n for n in enabling if n.parent != OWN_SAMPLES]) >= 4


@pytest.mark.parametrize("name", DEV, ids=sample_id)
def test_accepted_exposures_turn_fail_into_accepted(name):
    conf = load(name)
    accept = Settings(accepted_exposures=("cli-ssh", "netconf-ssh", "webui-http"))
    for rule_id, _, _ in INTERFACES:
        if status(conf, rule_id) is Status.FAIL:
            assert status(conf, rule_id, accept) is Status.ACCEPTED, rule_id


@pytest.mark.parametrize("name", DEV, ids=sample_id)
def test_examples_are_recognised_as_examples(name):
    assert status(load(name), "SD-INSTALL-002") is Status.FAIL


@pytest.mark.parametrize("name", DEV, ids=sample_id)
def test_examples_lack_restricted_file_access_and_ipc_protection(name):
    conf = load(name)
    assert status(conf, "SD-IF-008") is Status.FAIL
    assert status(conf, "SD-IPC-002") is Status.FAIL      # access check off, TCP IPC (6.4)
    assert status(conf, "SD-IPC-003") is Status.FAIL
    assert status(conf, "SD-IPC-001") is Status.PASS      # but IPC stays on loopback


@pytest.mark.parametrize("system", SYSTEM, ids=sample_id)
@pytest.mark.parametrize("rule_id", ["SD-IF-001", "SD-IF-002", "SD-IF-003", "SD-IF-008", "SD-INSTALL-002"])
def test_system_install_passes_the_production_defaults(rule_id, system):
    assert status(load(system), rule_id) is Status.PASS


@pytest.mark.parametrize("system", SYSTEM, ids=sample_id)
@pytest.mark.parametrize("version", ["6.4", "6.7"])
@pytest.mark.parametrize("rule_id", ["SD-IF-004", "SD-IF-006", "SD-IF-007"])
def test_system_install_web_settings_pass_when_nothing_listens(rule_id, version, system):
    # WebUI and RESTCONF enabled, CGI on, both WebUI transports off: nothing is
    # served, so neither missing TLS, CGI nor the Host-header default matters (issue 10).
    assert status(load(system, version), rule_id) is Status.PASS


@pytest.mark.parametrize("system", SYSTEM, ids=sample_id)
def test_system_install_ssh_algorithms_not_applicable_without_ssh_server(system):
    # CLI over SSH and NETCONF over SSH are both off: no SSH server listens.
    for version in ("6.4", "6.5"):
        assert status(load(system, version), "SD-SSH-001") is Status.NOT_APPLICABLE
        assert status(load(system, version), "SD-SSH-002") is Status.NOT_APPLICABLE


@pytest.mark.parametrize("system", SYSTEM, ids=sample_id)
def test_local_ipc_default_changes_in_6_7(system):
    conf64, conf67 = load(system, "6.4"), load(system, "6.7")
    assert status(conf64, "SD-IPC-003") is Status.FAIL
    assert status(conf67, "SD-IPC-003") is Status.PASS
    assert status(conf67, "SD-IPC-002") is Status.NOT_APPLICABLE


@pytest.mark.parametrize("path", twins("dev-empty-ssh-algorithms.xml",
                                        "nso-examples-6.4__service-management_datacenter-connectivity_ncs.conf.xml"),
                         ids=sample_id)
def test_empty_algorithms_container_keeps_the_defaults(path):
    # Both have <ssh><algorithms></algorithms></ssh>: nothing set.
    conf = load(path)
    assert conf.is_set("/ncs-config/ssh/algorithms")
    assert status(conf, "SD-SSH-001") is Status.PASS
    assert status(conf, "SD-SSH-002") is Status.FAIL  # default MAC list has hmac-sha1


@pytest.mark.parametrize("path,state_line", [
    (OWN_SAMPLES / "dev-notifications.xml", 14),
    *[(p, 31) for p in twins("dev-notifications.xml",
                             "nso-examples-6.4__northbound-interfaces_restconf-netconf-notifications_ncs.conf.xml")[1:]],
], ids=lambda v: sample_id(v) if isinstance(v, Path) else str(v))
def test_example_evidence_names_offending_paths_with_lines(path, state_line):
    assert path.read_text().splitlines()[state_line - 1].strip() == "<state-dir>./state</state-dir>"
    conf = load(path)
    facts = Facts(version=parse_version("6.4", "test"), now="x", ncs_conf=conf)
    result = evaluate(registry.get("SD-INSTALL-002"), facts)
    offending = dict(result.evidence)["offending"]
    assert "/ncs-config/aaa/ssh-server-key-dir=${NCS_DIR}/etc/ncs/ssh (line " in offending
    assert f"/ncs-config/state-dir=./state (line {state_line})" in offending
    # Example keys are named, never shown.
    assert "encrypted-strings/AESCFB128/key" in offending
    assert "0123456789abcdef" not in str(result.evidence) + result.message


def test_ipc_access_file_evidence_shows_mode_and_owner():
    from factsbuilder import build_facts
    from rule_cases.ipc import CASES
    case = next(c for c in CASES if c.note == "world-readable")
    result = evaluate(registry.get("SD-IPC-002"), build_facts(case))
    ev = dict(result.evidence)
    assert result.status is Status.FAIL
    assert ev["mode"] == "0644" and ev["owner"] == "nso" and ev["filename"] == "/etc/ncs/ipc_access"
    assert "accessible to other users" in result.message
