"""Accounting: the audit logs and the rollback history that answer "who has done what".

The audit log is enabled by default but written nowhere by default: its file,
syslog and external destinations all default to false, so an ncs.conf that does
not set one records nothing anyone can read.
"""
from __future__ import annotations

from typing import Sequence, Tuple

from ..facts.types import Facts, NcsConf
from ..model import Finding, Severity, Status, finding
from ..registry import rule
from ._common import MANUAL_CHECK, NCS_CONF_MAN, conf

SECTION = "Compliance Reporting"
AUDIT = "/ncs-config/logs/audit-log"
NET_AUDIT = "/ncs-config/logs/audit-network-log"
ROLLBACK = "/ncs-config/rollback/enabled"
COMPLIANCE_GUIDE = "NSO Operation & Usage Guide: Compliance Reporting"


def _destinations(c: NcsConf, log: str, kinds: Tuple[str, ...]) -> Tuple[str, ...]:
    return tuple(k for k in kinds if c.enabled(f"{log}/{k}/enabled"))


def _log_findings(c: NcsConf, log: str, kinds: Tuple[str, ...], label: str) -> Sequence[Finding]:
    enabled = f"{log}/enabled"
    paths = (enabled, *(f"{log}/{k}/enabled" for k in kinds))
    ev = {f"{k}/enabled": c.described(f"{log}/{k}/enabled") for k in kinds}
    if not c.enabled(enabled):
        return [finding(Status.FAIL, f"the {label} is disabled", paths=paths, location=c.location(enabled),
                        enabled=c.described(enabled), **ev)]
    dest = _destinations(c, log, kinds)
    if not dest:
        return [finding(Status.FAIL, f"the {label} is enabled but written nowhere "
                        f"({' and '.join(kinds)} output are off)", paths=paths,
                        location=c.location(log), enabled=c.described(enabled), **ev)]
    file_name = c.effective(f"{log}/file/name", variables_ok=True) if "file" in dest else None
    return [finding(Status.PASS, f"the {label} is written to {' and '.join(dest)}", paths=paths,
                    location=c.location(log), enabled=c.described(enabled), file_name=file_name, **ev)]


@rule("SD-AUDIT-001", "The audit log is enabled and written to file or syslog", Severity.MEDIUM,
      rationale="""
The audit log records logins (successful and failed) and the operations users
perform through the CLI and the northbound interfaces: it is what answers "who
has done what?". NSO enables it by default but its file, syslog and external
outputs all default to false, so unless one is turned on nothing is kept.""",
      remediation="Set /ncs-config/logs/audit-log/file/enabled true with file/name (e.g. "
                  "${NCS_LOG_DIR}/audit.log) and/or syslog/enabled true; rotate it with logrotate.",
      section=SECTION, paths=(f"{AUDIT}/enabled", f"{AUDIT}/file/enabled", f"{AUDIT}/syslog/enabled"),
      references=(NCS_CONF_MAN, COMPLIANCE_GUIDE), tags=("accounting", "ncs-conf"),
      example="<logs><audit-log><enabled>true</enabled></audit-log></logs>",
      fix_example="<logs><audit-log><enabled>true</enabled><file><name>/var/log/ncs/audit.log</name>"
                  "<enabled>true</enabled></file></audit-log></logs>")
def audit_log(facts: Facts) -> Sequence[Finding]:
    return _log_findings(conf(facts), AUDIT, ("file", "syslog", "external"), "audit log")


@rule("SD-AUDIT-002", "Rollback files are kept", Severity.MEDIUM,
      rationale="""
With rollback enabled NSO keeps a rollback file per commit, naming the user, the
time and the change. That history is what NSO's built-in compliance reporting
(/compliance/reports) and operators rely on to tell who changed what, and to undo
it; /ncs-config/rollback/enabled defaults to false. Compliance reports themselves
are configured in CDB and cover devices and services, not this file: set them up
as well.""",
      remediation="Set /ncs-config/rollback/enabled true with a rollback/directory and a "
                  "history-size that covers your audit period; configure /compliance/reports.",
      section=SECTION, paths=(ROLLBACK,), references=(NCS_CONF_MAN, COMPLIANCE_GUIDE),
      tags=("accounting", "ncs-conf"),
      example="<rollback><enabled>false</enabled></rollback>",
      fix_example="<rollback><enabled>true</enabled><directory>/var/opt/ncs/rollbacks</directory></rollback>")
def rollback(facts: Facts) -> Sequence[Finding]:
    c = conf(facts)
    ok = c.enabled(ROLLBACK)
    return [finding(Status.PASS if ok else Status.FAIL,
                    "rollback files are kept" if ok else "rollback is disabled (the default when absent)"
                    if c.value(ROLLBACK) is None else "rollback is disabled",
                    paths=(ROLLBACK,), location=c.location(ROLLBACK), expected="true",
                    actual=c.described(ROLLBACK))]


@rule("SD-AUDIT-003", "Southbound traffic is audited", Severity.LOW,
      rationale="""
The audit-network-log records the traffic NSO sends to managed devices, the
southbound counterpart of the audit log. It is disabled by default. ncs.conf(5)
documents its syslog settings as having no effect, so only a file (or external)
output keeps it.""",
      remediation="Set /ncs-config/logs/audit-network-log/enabled true and file/enabled true with "
                  "file/name (e.g. ${NCS_LOG_DIR}/audit-network.log).",
      section=SECTION, paths=(f"{NET_AUDIT}/enabled", f"{NET_AUDIT}/file/enabled"),
      references=(NCS_CONF_MAN,), tags=("accounting", "southbound", "ncs-conf"),
      example="<logs><audit-network-log><enabled>false</enabled></audit-network-log></logs>",
      fix_example="<logs><audit-network-log><enabled>true</enabled><file>"
                  "<name>/var/log/ncs/audit-network.log</name><enabled>true</enabled></file>"
                  "</audit-network-log></logs>")
def audit_network_log(facts: Facts) -> Sequence[Finding]:
    # syslog deliberately not counted: "Syslog is not available for audit-network-log.
    # These parameters have no effect." (ncs.conf(5), NSO 6.4).
    return _log_findings(conf(facts), NET_AUDIT, ("file", "external"), "audit network log")


@rule("SD-AUDIT-004", "Compliance reports are defined and run", Severity.LOW,
      rationale="""
The guidance points at NSO's compliance reporting to answer who did what, whether
the network's configuration complies, and to produce audit reports for regulators.
Reports (/compliance/reports) and the compliance templates they check live in CDB
and are run on demand or by the scheduler; whether they exist, cover the devices
and services that matter, and are actually run and kept is a site decision this
audit cannot make.""",
      remediation="""
Define compliance reports covering the devices and services in scope (with
compliance templates for the expected configuration), run them on a schedule, and
keep their output with the audit log.""",
      section=SECTION, paths=("/compliance/reports",), references=(COMPLIANCE_GUIDE,),
      tags=("accounting", MANUAL_CHECK), needs=(),
      example="admin@ncs# show running-config compliance reports\n% No entries found.",
      fix_example="admin@ncs# show running-config compliance reports\n"
                  "compliance reports report weekly\n device-check all-devices\n device-check template baseline")
def compliance_reports(facts: Facts) -> Sequence[Finding]:
    return [finding(Status.MANUAL, "check that compliance reports are defined (`show running-config compliance "
                    "reports`), cover the devices and services in scope, and are run on a schedule with their "
                    "output kept", paths=("/compliance/reports",))]
