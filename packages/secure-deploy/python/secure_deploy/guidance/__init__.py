"""The Secure Deployment guidance as a checklist: each recommendation and what covers it.

The recommendations are derived from Cisco's Secure Deployment guidance (the seed
document); ids and titles are this project's own words. Every bullet and hint of
the guidance has an anchor (`tools/guide_anchors.py` derives them from the seed):
each anchor is either part of a recommendation below or listed in CONTEXT with why
it is not one (a description, an example list, a pointer). test/test_guidance.py
holds this data to the anchors, and every recommendation to rules in the registry,
so nothing of the guidance goes unaccounted for.

A capability folder of its own: it imports only the core, so reports (report/) and
the catalog (cli/) can both use it. Rule ids are plain strings here (the rules are
not imported); the tests check that each one exists.
"""
from __future__ import annotations

from typing import Dict, Iterable, List, Mapping, Sequence, Tuple

from ..frozen import frozen
from ..model import RuleResult, Status

# Cross-node rules (fleet audit): a single-node audit covers their items with a
# MANUAL rule that names the fleet audit; a fleet report judges them.
FLEET_RULES = ("SD-FLEET-001", "SD-FLEET-002")


@frozen
class Recommendation:
    """One recommendation of the guidance and the rules that cover it."""

    id: str
    section: str                       # the guidance's section, as headings
    title: str                         # in this project's words
    rules: Tuple[str, ...]             # rule ids covering it (MANUAL rules included)
    anchors: Tuple[str, ...]           # the guidance bullets it stands for


def _r(id: str, section: str, title: str, rules: Iterable[str], anchors: Iterable[str]) -> Recommendation:
    return Recommendation(id, section, title, tuple(rules), tuple(anchors))


_PROD = "Development vs. Production Deployment"
_AAA = "Authentication, Authorization, and Accounting"
_IPC = "Securing IPC Access"
_KEYS = "Cryptographic Key Management"
_LIMITS = "Rate Limiting and Resource Protection"

RECOMMENDATIONS: Tuple[Recommendation, ...] = (
    _r("GD-01", f"{_PROD} > Production Installation", "Production runs a system install",
       ("SD-INSTALL-001",), ("production-installation#1",)),
    _r("GD-02", f"{_PROD} > Production Installation", "A local install is for development only",
       ("SD-INSTALL-001", "SD-INSTALL-002"), ("production-installation#2",)),
    _r("GD-03", f"{_PROD} > Production Installation", "NSO runs as a non-root user (--run-as-user)",
       ("SD-ROOT-001",), ("production-installation#3", "eliminating-root-access#1")),
    _r("GD-04", f"{_PROD} > Production Installation", "No ncs.conf copied from the distribution's examples",
       ("SD-INSTALL-002",), ("production-installation#4",)),
    _r("GD-05", f"{_PROD} > Production Installation", "The system install's ncs.conf is reviewed and adapted",
       ("SD-INSTALL-003", "SD-CONF-001"), ("production-installation#5",)),
    _r("GD-06", f"{_PROD} > Encryption Keys", "Encryption keys come from an external keys file, not ncs.conf",
       ("SD-KEYS-001", "SD-KEYS-002"), ("encryption-keys#1", "encryption-keys#2")),
    _r("GD-07", f"{_PROD} > SSH Configuration", "The SSH server offers the ssh-ed25519 host key only",
       ("SD-SSH-001",), ("ssh-configuration#1",)),
    _r("GD-08", f"{_PROD} > SSH Configuration", "No algorithms kept only for compatibility",
       ("SD-SSH-002",), ("ssh-configuration#2",)),
    _r("GD-09", f"{_PROD} > Authentication", "Local authentication off; PAM with the system-auth service",
       ("SD-AUTH-001", "SD-AUTH-002"), ("authentication#1", "authentication#2")),
    _r("GD-10", f"{_PROD} > Authentication", "Users are warned before their password expires",
       ("SD-AUTH-003",), ("authentication#3",)),
    _r("GD-11", f"{_PROD} > Network Interfaces", "CLI over SSH, NETCONF over SSH and plain-HTTP WebUI are off",
       ("SD-IF-001", "SD-IF-002", "SD-IF-003"), ("network-interfaces#1", "network-interfaces#2")),
    _r("GD-12", f"{_PROD} > Network Interfaces", "CLI file access is restricted",
       ("SD-IF-008",), ("network-interfaces#3",)),
    _r("GD-13", "Eliminating Root Access", "Only the installer's files carry elevated privileges",
       ("SD-ROOT-003",), ("eliminating-root-access#2",)),
    _r("GD-14", "Eliminating Root Access", "cmdptywrapper/cmdwrapper are setuid root only when needed",
       ("SD-ROOT-002",), ("eliminating-root-access#3",)),
    _r("GD-15", f"{_AAA} > PAM Authentication", "OS group membership decides NACM groups under PAM",
       ("SD-AUTH-005",), ("pam-authentication#1",)),
    _r("GD-16", f"{_AAA} > PAM Authentication", "ncsadmin alone has unlimited rights",
       ("SD-NACM-003", "SD-NACM-005"), ("pam-authentication#2", "pam-authentication#3")),
    _r("GD-17", f"{_AAA} > PAM Authentication", "ncsoper is read-only",
       ("SD-NACM-004",), ("pam-authentication#4",)),
    _r("GD-18", f"{_AAA} > Customizing AAA Configuration", "No credentials in aaa_init.xml without local auth",
       ("SD-AUTH-004",), ("customizing-aaa-configuration#1",)),
    _r("GD-19", f"{_AAA} > Customizing AAA Configuration", "No default passwords",
       ("SD-HASH-003", "SD-SB-002"), ("customizing-aaa-configuration#2",)),
    _r("GD-20", f"{_AAA} > Customizing AAA Configuration", "Only administrators may change NACM rules",
       ("SD-NACM-001", "SD-NACM-003"), ("customizing-aaa-configuration#3",)),
    _r("GD-21", f"{_AAA} > Customizing AAA Configuration", "NACM gives each group the least privilege",
       ("SD-NACM-001", "SD-NACM-002", "SD-NACM-004", "SD-NACM-005"), ("customizing-aaa-configuration#4",)),
    _r("GD-22", f"{_AAA} > Additional Authentication Methods", "CLI and NETCONF accept SSH public keys",
       ("SD-AUTH-006",), ("additional-authentication-methods#1",)),
    _r("GD-23", f"{_AAA} > Additional Authentication Methods",
       "RESTCONF clients use tokens/JWT or LDAP/TACACS+", ("SD-AUTH-007",),
       ("additional-authentication-methods#2",)),
    _r("GD-24", f"{_AAA} > Additional Authentication Methods", "The WebUI uses HTTPS and single sign-on",
       ("SD-IF-004", "SD-AUTH-008"), ("additional-authentication-methods#3",)),
    _r("GD-25", f"{_AAA} > Additional Authentication Methods", "Unused interfaces are disabled in ncs.conf",
       ("SD-IF-001", "SD-IF-002", "SD-IF-003", "SD-IF-005", "SD-IF-006"),
       ("additional-authentication-methods#4",)),
    _r("GD-26", f"{_IPC} > Default Security", "IPC accepts local connections only",
       ("SD-IPC-001",), ("default-security#1",)),
    _r("GD-27", f"{_IPC} > Best Practices", "IPC over the Unix socket (peer uid authenticated)",
       ("SD-IPC-003",), ("best-practices#1", "best-practices#2")),
    _r("GD-28", f"{_IPC} > Best Practices", "TCP IPC requires the pre-shared-key access check",
       ("SD-IPC-002",), ("default-security#2", "best-practices#3")),
    _r("GD-29", f"{_IPC} > Best Practices", "No IPC over TCP beyond localhost without encryption",
       ("SD-IPC-001",), ("best-practices#4",)),
    _r("GD-30", "Southbound Interface Security", "Devices use Cisco-provided NEDs",
       ("SD-SB-004",), ("southbound-interface-security#1",)),
    _r("GD-31", f"{_KEYS} > Hashing Algorithms", "Passwords are hashed with sha-512",
       ("SD-HASH-001", "SD-HASH-002"), ("hashing-algorithms#1", "hashing-algorithms#2")),
    _r("GD-32", f"{_KEYS} > Encryption Keys", "New keys before or at the first start; installer keys replaced",
       ("SD-KEYS-006", "SD-KEYS-002"), ("encryption-keys-2#1", "encryption-keys-2#2")),
    _r("GD-33", f"{_KEYS} > Encryption Keys", "Keys are rotated periodically",
       ("SD-KEYS-005",), ("encryption-keys-2#3",)),
    _r("GD-34", f"{_KEYS} > Encryption Keys", "The keys file is stored securely",
       ("SD-KEYS-003", "SD-KEYS-001"), ("encryption-keys-2#4", "encryption-keys-2#5")),
    _r("GD-35", f"{_LIMITS} > NSO Configuration Limits", "Concurrent sessions are limited",
       ("SD-LIMIT-001",), ("nso-configuration-limits#1",)),
    _r("GD-36", f"{_LIMITS} > NSO Configuration Limits", "Concurrent transactions are limited",
       ("SD-LIMIT-002",), ("nso-configuration-limits#2",)),
    _r("GD-37", f"{_LIMITS} > NSO Configuration Limits", "XML parsing is limited",
       ("SD-LIMIT-003",), ("nso-configuration-limits#3",)),
    _r("GD-38", f"{_LIMITS} > NSO Configuration Limits", "Unauthenticated WebUI messages are size-limited",
       ("SD-LIMIT-004",), ("nso-configuration-limits#4",)),
    _r("GD-39", f"{_LIMITS} > NSO Configuration Limits", "JSON-RPC requests are rate-limited",
       ("SD-LIMIT-005",), ("nso-configuration-limits#5",)),
    _r("GD-40", f"{_LIMITS} > External Rate Limiting", "iptables/nftables rate-limit NSO's ports",
       ("SD-LIMIT-006",), ("rate-limiting-and-resource-protection#0", "external-rate-limiting#0")),
    _r("GD-41", "High Availability Security", "HA Raft uses TLS with mutual X.509 authentication",
       ("SD-HA-001", "SD-HA-002"), ("high-availability-security#1", "high-availability-security#2")),
    _r("GD-42", "High Availability Security", "Rule-based HA traffic is protected",
       ("SD-HA-003",), ("high-availability-security#3", "high-availability-security#4")),
    _r("GD-43", "High Availability Security", "Rule-based HA nodes share a token",
       ("SD-HA-004",), ("high-availability-security#5",)),
    _r("GD-44", "High Availability Security", "Encryption keys are identical on every HA node",
       ("SD-HA-005", "SD-FLEET-001"), ("high-availability-security#6",)),
    _r("GD-45", "Compliance Reporting", "User actions are recorded (who did what)",
       ("SD-AUDIT-001", "SD-AUDIT-002", "SD-AUDIT-003"), ("compliance-reporting#1",)),
    _r("GD-46", "Compliance Reporting", "Network configuration compliance is verified and reported",
       ("SD-AUDIT-004",), ("compliance-reporting#2", "compliance-reporting#3")),
)

# Anchors of the guidance that are not recommendations, and why.
CONTEXT: Tuple[Tuple[str, str], ...] = (
    ("secure-deployment#0", "introduction"),
    ("development-vs-production-deployment#0", "introduction"),
    ("key-configuration-differences#0", "introduction to the differences listed below it"),
    ("eliminating-root-access#4", "pointer to an example deployment"),
    ("securing-ipc-access#1", "example of an IPC client"),
    ("securing-ipc-access#2", "example of an IPC client"),
    ("securing-ipc-access#3", "example of an IPC client"),
    ("securing-ipc-access#4", "example of an IPC client"),
    ("southbound-interface-security#2", "pointer to an example of SSH key updates"),
)


def recommendation(rec_id: str) -> Recommendation:
    for r in RECOMMENDATIONS:
        if r.id == rec_id:
            return r
    raise KeyError(rec_id)


def all_anchors() -> Tuple[str, ...]:
    return tuple(a for r in RECOMMENDATIONS for a in r.anchors) + tuple(a for a, _ in CONTEXT)


@frozen
class ChecklistRow:
    """One recommendation in a report: the status of each covering rule that ran."""

    rec: Recommendation
    statuses: Tuple[Tuple[str, str], ...]      # (rule id, status value) for rules in the report

    @property
    def status(self) -> str:
        """The worst status of its rules; "not-run" when none of them ran."""
        order = {s.value: s.badness for s in Status}
        got = [s for _, s in self.statuses]
        return max(got, key=lambda s: order.get(s, 0)) if got else "not-run"


def checklist(results: Sequence[RuleResult]) -> Tuple[ChecklistRow, ...]:
    """The guidance checklist of one report: every recommendation, with its rules' statuses."""
    by_id: Mapping[str, str] = {r.rule_id: r.status.value for r in results}
    return tuple(ChecklistRow(rec, tuple((rid, by_id[rid]) for rid in rec.rules if rid in by_id))
                 for rec in RECOMMENDATIONS)


def checklist_dicts(results: Sequence[RuleResult]) -> List[Dict[str, object]]:
    """JSON form of the checklist (reports and `rules --guide --format json`)."""
    return [{"id": row.rec.id, "section": row.rec.section, "title": row.rec.title,
             "rules": list(row.rec.rules), "status": row.status,
             "rule_statuses": [{"rule_id": rid, "status": st} for rid, st in row.statuses]}
            for row in checklist(results)]


__all__ = ["Recommendation", "RECOMMENDATIONS", "CONTEXT", "FLEET_RULES", "ChecklistRow", "checklist",
           "checklist_dicts", "recommendation", "all_anchors"]
