"""Whole ncs.conf files end to end through the command line: our synthetic ones
(test/ncsconf_samples/) always, the real public ones of ../shared/samples as well
when that folder is present."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree

from conftest import ALL_SAMPLES, DEV_SAMPLES, SYSTEM_SAMPLES, sample_id, twins
from secure_deploy.cli import main

HA_EXAMPLE = twins("dev-rule-based-ha.xml", "nso-examples-6.4__high-availability_external-ha-framework_n1_ncs.conf.xml")


def audit(path: Path, capsys, *extra: str) -> dict:
    rc = main(["audit", "--ncs-conf", str(path), "--no-host", "--nso-version", "6.4",
               "--format", "json", *extra])
    out = capsys.readouterr().out
    report = json.loads(out)
    report["_rc"] = rc
    return report


def statuses(report: dict) -> dict:
    return {r["rule_id"]: r["status"] for r in report["results"]}


def enabled(path: Path, *containers: str) -> bool:
    """Whether each container (a path below <ncs-config>) says <enabled>true</enabled>,
    read with plain XPath, independently of the rules: `enabled(p, "cli", "cli/ssh")`."""
    root = etree.parse(str(path)).getroot()
    for container in containers:
        steps = "/".join(f"*[local-name()='{s}']" for s in container.split("/") + ["enabled"])
        if [t.strip() for t in root.xpath(f"{steps}/text()")][:1] != ["true"]:
            return False
    return True


@pytest.mark.parametrize("name", ALL_SAMPLES, ids=sample_id)
def test_every_sample_audits_without_error(name, capsys):
    report = audit(name, capsys)
    errors = {r["rule_id"]: r["message"] for r in report["results"] if r["status"] == "error"}
    assert not errors
    assert report["_rc"] == 1  # every sample lacks something the guidance asks for


@pytest.mark.parametrize("name", SYSTEM_SAMPLES, ids=sample_id)
def test_system_install_sample_passes_the_production_settings(name, capsys):
    st = statuses(audit(name, capsys))
    for rule_id in ("SD-AUTH-001", "SD-AUTH-002", "SD-IF-001", "SD-IF-002", "SD-IF-003",
                    "SD-IF-008", "SD-HASH-001", "SD-KEYS-001"):
        assert st[rule_id] == "pass", rule_id
    # What the production file still lacks: IPC access check, limits.
    for rule_id in ("SD-IPC-002", "SD-LIMIT-001"):
        assert st[rule_id] == "fail", rule_id
    # WebUI enabled with both transports off: nothing listens, so no missing HTTPS.
    assert st["SD-IF-004"] == "pass"


@pytest.mark.parametrize("name", DEV_SAMPLES, ids=sample_id)
def test_example_configurations_fail_on_development_settings(name, capsys):
    st = statuses(audit(name, capsys))
    for rule_id in ("SD-KEYS-001", "SD-AUTH-001", "SD-AUTH-002", "SD-IF-002"):
        assert st[rule_id] == "fail", rule_id
    if enabled(name, "webui", "webui/transport/tcp"):
        assert st["SD-IF-003"] == "fail"
    if enabled(name, "cli", "cli/ssh"):
        assert st["SD-IF-001"] == "fail"


def test_the_content_reader_sees_what_the_files_enable():
    # Guard for the conditions above: they hold for some files and not for others.
    webui = [enabled(p, "webui", "webui/transport/tcp") for p in DEV_SAMPLES]
    cli = [enabled(p, "cli", "cli/ssh") for p in DEV_SAMPLES]
    assert any(webui) and not all(webui) and any(cli) and not all(cli)


@pytest.mark.parametrize("name", HA_EXAMPLE, ids=sample_id)
def test_version_changes_the_verdict_on_absent_crypt_hash(name, capsys):
    r64 = audit(name, capsys, "--rule", "SD-HASH-001")
    assert statuses(r64)["SD-HASH-001"] == "fail"
    rc = main(["audit", "--ncs-conf", str(name), "--no-host", "--nso-version", "6.6",
               "--format", "json", "--rule", "SD-HASH-001"])
    r66 = json.loads(capsys.readouterr().out)
    assert statuses(r66)["SD-HASH-001"] == "pass" and rc == 0
    assert r66["nso_version"]["assumed"] == "6.6"
