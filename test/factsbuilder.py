"""Build Facts for rule fixtures from small, readable pieces.

`ncs_conf` is the inside of <ncs-config>; it goes through the real reader so the
fixtures exercise parsing, defaults and redaction too.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Tuple

from secure_deploy.facts.ncsconf import parse_ncs_conf
from secure_deploy.facts.types import CdbFacts, Facts, FleetFacts, HostFacts, KeysFacts, Settings
from secure_deploy.facts.version import parse_version
from secure_deploy.model import Status

NS = "http://tail-f.com/yang/tailf-ncs-config"
NOW = "2026-11-26T12:00:00+00:00"
FAILING = (Status.FAIL, Status.WARN)


def wrap(fragment: str) -> bytes:
    return f'<ncs-config xmlns="{NS}">{fragment}</ncs-config>'.encode()


@dataclass(frozen=True)
class Case:
    """One fixture of one rule: the facts and the status the rule must give."""

    rule: str
    expect: Status
    ncs_conf: Optional[str] = None
    version: str = "6.4"
    host: Optional[HostFacts] = None
    keys: Optional[KeysFacts] = None
    cdb_xml: Optional[str] = None
    settings: Settings = field(default_factory=Settings)
    env: Tuple[Tuple[str, str], ...] = ()
    fleet: Optional[FleetFacts] = None     # cross-node rules: several nodes' NodeInfo
    note: str = ""

    @property
    def id(self) -> str:
        return f"{self.rule}-{self.expect.value}-{self.note or 'case'}"


def build_facts(case: Case) -> Facts:
    version = parse_version(case.version, "fixture")
    conf = None
    if case.ncs_conf is not None:
        conf = parse_ncs_conf(wrap(case.ncs_conf), "ncs.conf", version.version, dict(case.env))
    cdb: Optional[CdbFacts] = None
    if case.cdb_xml is not None:
        from secure_deploy.facts.cdb import parse_cdb_xml
        cdb = parse_cdb_xml(case.cdb_xml.encode(), "cdb.xml")
    return Facts(version=version, now=NOW, ncs_conf=conf, host=case.host, keys=case.keys,
                 cdb=cdb, settings=case.settings, fleet=case.fleet)
