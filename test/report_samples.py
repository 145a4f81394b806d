"""Realistic reports for the renderer, waiver, gating and diff tests.

`sample_report()` runs the real rule catalog over a development-style ncs.conf (so
it has real FAIL/PASS/NOT_APPLICABLE verdicts with ncs.conf locations) plus a few
synthetic rules that produce the statuses the real catalog rarely gives on one file:
WARN, MANUAL, ERROR (a crashing rule), per-object findings, and evidence that would
leak if redaction failed.
"""
from __future__ import annotations

from typing import Optional, Sequence, Tuple

from factsbuilder import NOW, Case, build_facts
from secure_deploy import registry
from secure_deploy.engine import run
from secure_deploy.facts.types import Facts
from secure_deploy.model import Report, Rule, Severity, Status, finding
from secure_deploy.registry import rule
from secure_deploy.report.waivers import Waiver, apply_waivers

# Development settings: inline keys, local auth, HTTP WebUI, CLI over SSH.
DEV_CONF = """
<encrypted-strings><AESCFB128><key>0123456789abcdef0123456789abcdef</key>
<initVector>0123456789abcdef0123456789abcdef</initVector></AESCFB128></encrypted-strings>
<aaa><local-authentication><enabled>true</enabled></local-authentication>
<pam><enabled>true</enabled><service>common-auth</service></pam></aaa>
<cli><ssh><enabled>true</enabled><ip>0.0.0.0</ip><port>2024</port></ssh></cli>
<webui><enabled>true</enabled><transport><tcp><enabled>true</enabled><ip>0.0.0.0</ip><port>8080</port></tcp>
</transport></webui>
"""
SECRET_HASH = "$6$saltsalt$" + "Q" * 86
SECRET_KEY = "0123456789abcdef0123456789abcdef"


@rule("SD-TEST-001", "Users have strong passwords", Severity.HIGH,
      rationale="Synthetic per-object rule for report tests.", remediation="Change the passwords.",
      section="Test", tags=("test", "cdb"), needs=())
def _per_user(facts: Facts):
    return [finding(Status.FAIL, "password is a default one", obj="admin", scheme="sha-512",
                    hash=SECRET_HASH),
            finding(Status.FAIL, "password is a default one", obj="oper", scheme="md5"),
            finding(Status.PASS, "password is not a default one", obj="alice")]


@rule("SD-TEST-002", "Something only a person can judge", Severity.MEDIUM,
      rationale="Synthetic manual rule.", remediation="Look at it.", section="Test", tags=("test",), needs=())
def _manual(facts: Facts):
    return [finding(Status.MANUAL, "review the <firewall> & rules by hand")]


@rule("SD-TEST-003", "A rule that crashes", Severity.CRITICAL,
      rationale="Synthetic crashing rule.", remediation="None.", section="Test", tags=("test",), needs=())
def _crash(facts: Facts):
    raise RuntimeError(f"boom key={SECRET_KEY}")


@rule("SD-TEST-004", "A partial pass", Severity.HIGH,
      rationale="Synthetic warning rule.", remediation="Tighten it.", section="Test", tags=("test",), needs=())
def _warn(facts: Facts):
    return [finding(Status.WARN, "enabled; declared an accepted exposure", obj="cli-ssh")]


SYNTHETIC: Tuple[Rule, ...] = (_per_user, _manual, _crash, _warn)


def dev_facts(conf: str = DEV_CONF, version: str = "6.4") -> Facts:
    return build_facts(Case(rule="-", expect=Status.PASS, ncs_conf=conf, version=version))


def sample_report(conf: str = DEV_CONF, *, waivers: Sequence[Waiver] = (), today: str = NOW,
                  synthetic: bool = True, rules: Optional[Sequence[Rule]] = None,
                  started_at: str = NOW) -> Report:
    chosen = tuple(rules if rules is not None else registry.all_rules()) + (SYNTHETIC if synthetic else ())
    report = run(dev_facts(conf), chosen, target="ncs.conf", started_at=started_at,
                 clock=iter([0.0, 0.25]).__next__)
    return apply_waivers(report, waivers, today)


def sample_files() -> Tuple[str, ...]:
    """Whole ncs.conf files: our synthetic ones (never empty), then the real ones of
    ../shared/samples when that folder is present."""
    from conftest import ALL_SAMPLES
    return tuple(str(p) for p in ALL_SAMPLES)


def sample_file_id(path: str) -> str:
    """Test id of one of sample_files(): own:<name> or shared:<name>."""
    from pathlib import Path

    from conftest import sample_id
    return sample_id(Path(path))


def file_report(path: str, version: str = "6.4") -> Report:
    """Audit one whole ncs.conf with the real catalog (no host, keys or CDB facts)."""
    from secure_deploy.facts.ncsconf import read_ncs_conf
    from secure_deploy.facts.version import parse_version
    v = parse_version(version, "--nso-version")
    facts = Facts(version=v, now=NOW, ncs_conf=read_ncs_conf(path, v.version, {}))
    return run(facts, registry.all_rules(), target=path, started_at=NOW)
