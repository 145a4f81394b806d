"""NACM: enforcement on, default deny for writes, least privilege for groups.

Absent leaves take the RFC 8341 / tailf-acm defaults (NSO-FACTS §4): enable-nacm
true, read-default permit, write-default deny, exec-default permit, cmd-* permit.
Rule semantics follow RFC 8341: module-name and access-operations default to `*`, a
rule without path / rpc-name / notification-name matches every data node, rpc and
notification, and rule-list group `*` means every group.

These rules list every permit that grants too much. They do not simulate NACM's
first-match ordering: an earlier deny that shadows a permit still leaves a rule
that grants the access to anyone who reorders the list, and the reader can judge.
"""
from __future__ import annotations

from typing import Iterable, Iterator, List, Optional, Sequence, Tuple

from ..facts.types import Facts, NacmCmdRule, NacmFacts, NacmRule, NacmRuleList
from ..model import Finding, Severity, Status, finding
from ..registry import rule

SECTION = "AAA > Customizing AAA Configuration"
AAA_GUIDE = "NSO Administration Guide: AAA Infrastructure"
RFC = "RFC 8341"
ADMIN_GROUPS = frozenset({"ncsadmin", "admin"})
OPER_GROUPS = frozenset({"ncsoper", "oper"})
WRITE_OPS = frozenset({"create", "update", "delete"})
ALL_OPS = frozenset({"create", "read", "update", "delete", "exec"})
NACM_MODULE = "ietf-netconf-acm"
CMD_OPS = frozenset({"read", "exec"})   # tailf-acm cmdrule access-operations: all there are
AUTHZ = "/ncs-config/aaa/authorization/enabled"
_CHECK_NACM = ("check it in the running NSO (`show running-config nacm`) or give the CDB data "
               "(--cdb-xml aaa_init.xml or a `show running-config nacm | display xml` export)")


# `explain` examples: /nacm as an init file or `show running-config nacm | display xml` has it.
_NACM_XML = '<nacm xmlns="urn:ietf:params:xml:ns:yang:ietf-netconf-acm">{}</nacm>'


def _rule_list_xml(name: str, group: str, rule: str, path: str = "", module: str = "", ops: str = "*",
                   action: str = "permit") -> str:
    p = f"<path>{path}</path>" if path else ""
    m = f"<module-name>{module}</module-name>" if module else ""
    return _NACM_XML.format(
        f"<rule-list><name>{name}</name><group>{group}</group>\n"
        f"  <rule><name>{rule}</name>{m}{p}<access-operations>{ops}</access-operations>"
        f"<action>{action}</action></rule>\n</rule-list>")


def _nacm(facts: Facts) -> Optional[NacmFacts]:
    return facts.cdb.nacm if facts.cdb is not None else None


def authorization_off(facts: Facts) -> Optional[Finding]:
    """ncs.conf(5): /ncs-config/aaa/authorization/enabled false skips every
    authorization check, "similar to the -noaaa flag": NACM then grants everything."""
    c = facts.ncs_conf
    if c is None or c.enabled(AUTHZ):
        return None
    return finding(Status.FAIL, "authorization is disabled in ncs.conf: NSO checks no NACM rule, every "
                   "authenticated user may read and change everything", paths=(AUTHZ,),
                   location=c.location(AUTHZ), expected="true", actual=c.described(AUTHZ))


def _no_nacm() -> List[Finding]:
    return [finding(Status.NOT_APPLICABLE, "the CDB input holds no /nacm data", paths=("/nacm",))]


def ops(value: Optional[str]) -> frozenset:
    """access-operations as a set; absent or '*' means all (RFC 8341 default)."""
    v = (value or "*").split()
    return ALL_OPS if "*" in v else frozenset(v)


def _permits(nacm: NacmFacts) -> Iterator[Tuple[NacmRuleList, NacmRule]]:
    for rl in nacm.rule_lists:
        for r in rl.rules:
            if r.action.strip().lower() == "permit":
                yield rl, r


def _strip_prefixes(path: str) -> str:
    # '/nacm:nacm/nacm:groups' -> '/nacm/groups'; predicates are irrelevant here.
    return "/".join(seg.split(":", 1)[-1].split("[", 1)[0] for seg in path.strip().split("/"))


def _is_data_rule_for_all(r: NacmRule) -> bool:
    return r.path is None and r.rpc_name is None and r.notification_name is None


def covers_nacm(r: NacmRule) -> bool:
    """Does this rule match writes to /nacm?"""
    module = (r.module_name or "*").strip()
    if module not in ("*", NACM_MODULE):
        return False
    if r.rpc_name is not None or r.notification_name is not None:
        return False
    if r.path is None:
        return True
    p = _strip_prefixes(r.path)
    return p in ("/", "*", "/nacm") or p.startswith("/nacm/")


def _non_admin(groups: Iterable[str]) -> List[str]:
    return [g for g in groups if g not in ADMIN_GROUPS]


def _where(rl: NacmRuleList, r) -> str:
    return f"rule-list {rl.name} / {('cmdrule ' if isinstance(r, NacmCmdRule) else 'rule ')}{r.name}"


@rule("SD-NACM-001", "NACM is enforced", Severity.CRITICAL,
      rationale="""
With enable-nacm false every authenticated user may read and change everything,
including /nacm and /aaa: the groups and rules of NACM are ignored. NSO enables
NACM by default; an init file or an operator can turn it off. ncs.conf can switch
authorization off altogether (/ncs-config/aaa/authorization/enabled false, which
ncs.conf(5) likens to the -noaaa flag), with the same effect whatever /nacm says.""",
      remediation="Set /nacm/enable-nacm to true (or delete the leaf: true is the default), and leave "
                  "/ncs-config/aaa/authorization/enabled at true (its default) in ncs.conf.",
      section=SECTION, paths=("/nacm/enable-nacm", AUTHZ), references=(RFC, AAA_GUIDE, "ncs.conf(5)"),
      tags=("nacm", "cdb", "ncs-conf"), needs=(), reads=("ncs_conf", "cdb"),
      example=_NACM_XML.format("<enable-nacm>false</enable-nacm>"),
      fix_example=_NACM_XML.format("<enable-nacm>true</enable-nacm>"))
def nacm_enabled(facts: Facts) -> Sequence[Finding]:
    off = authorization_off(facts)
    if off is not None:
        return [off]
    if facts.cdb is None:
        return [finding(Status.MANUAL, f"no CDB data given: that /nacm/enable-nacm is true is not seen; {_CHECK_NACM}",
                        paths=("/nacm/enable-nacm",))]
    n = _nacm(facts)
    if n is None:
        return _no_nacm()
    actual = "absent (default: true)" if n.enable_nacm is None else str(n.enable_nacm).lower()
    if n.enable_nacm is False:
        return [finding(Status.FAIL, "NACM is disabled: every user has full access", paths=("/nacm/enable-nacm",),
                        expected="true", actual=actual)]
    return [finding(Status.PASS, "NACM is enabled", paths=("/nacm/enable-nacm",), expected="true", actual=actual)]


@rule("SD-NACM-002", "Writes are denied unless a rule permits them", Severity.HIGH,
      rationale="""
write-default decides what happens to a write that no rule matches. With permit
(the local-install aaa_init.xml sets it), every group may change everything not
explicitly denied, so the operator group is not read-only and least privilege is
impossible. read-default and exec-default permit are the RFC defaults; they are
shown as evidence.""",
      remediation="Set /nacm/write-default to deny (or delete the leaf: deny is the default) and give "
                  "each group explicit permit rules.",
      section=SECTION, paths=("/nacm/write-default",), references=(RFC, AAA_GUIDE),
      tags=("nacm", "cdb"), needs=("cdb",), reads=("ncs_conf",), manual=_CHECK_NACM,
      example=_NACM_XML.format("<write-default>permit</write-default>"),
      fix_example=_NACM_XML.format("<write-default>deny</write-default>"))
def write_default_deny(facts: Facts) -> Sequence[Finding]:
    off = authorization_off(facts)
    if off is not None:
        return [off]
    n = _nacm(facts)
    if n is None:
        return _no_nacm()
    ev = dict(expected="deny", actual=n.write_default or "absent (default: deny)",
              read_default=n.read_default or "absent (default: permit)",
              exec_default=n.exec_default or "absent (default: permit)")
    if (n.write_default or "deny").strip().lower() == "permit":
        return [finding(Status.FAIL, "write-default is permit: any write no rule denies is allowed",
                        paths=("/nacm/write-default",), **ev)]
    return [finding(Status.PASS, "write-default is deny", paths=("/nacm/write-default",), **ev)]


@rule("SD-NACM-003", "Only the admin group can change NACM", Severity.HIGH, objects=("nacm-rule",),
      rationale="""
/nacm carries nacm:default-deny-all, so only a permit rule that covers it lets a
group change access control. A group that can write /nacm can grant itself
anything: its members are administrators in all but name. The guidance asks to
consider carefully which groups can modify NACM rules.""",
      remediation="Remove or narrow the listed permit rules so that only the admin group "
                  "(ncsadmin, or admin in a local install) can create/update/delete under /nacm.",
      section=SECTION, paths=("/nacm/rule-list/rule",), references=(RFC, AAA_GUIDE),
      tags=("nacm", "cdb"), needs=("cdb",), reads=("ncs_conf",), manual=_CHECK_NACM,
      example=_rule_list_xml("netops", "netops", "manage-nacm", path="/nacm", ops="*"),
      fix_example=_rule_list_xml("netops", "netops", "manage-nacm", path="/nacm", ops="read"))
def nacm_admin_only(facts: Facts) -> Sequence[Finding]:
    off = authorization_off(facts)
    if off is not None:
        return [off]
    n = _nacm(facts)
    if n is None:
        return _no_nacm()
    out = []
    for rl, r in _permits(n):
        others = _non_admin(rl.groups)
        granted = ops(r.access_operations) & WRITE_OPS
        if others and granted and covers_nacm(r):
            out.append(finding(Status.FAIL, f"groups {', '.join(others)} may change NACM",
                               paths=("/nacm/rule-list/rule",), obj=_where(rl, r),
                               groups=", ".join(rl.groups), path=r.path or "(all data)",
                               module_name=r.module_name or "*", access_operations=r.access_operations or "*"))
    return out or [finding(Status.PASS, "no permit rule lets a non-admin group change /nacm",
                           paths=("/nacm/rule-list/rule",), admin_groups=", ".join(sorted(ADMIN_GROUPS)))]


@rule("SD-NACM-004", "The operator group is read-only", Severity.MEDIUM, objects=("nacm-rule",),
      rationale="""
The system install's NACM gives ncsoper (oper in a local install) minimal,
read-only rights. A permit rule with write or exec operations for that group, or
write-default permit, makes operators able to change configuration or run
actions, breaking the separation the two groups exist for.""",
      remediation="Limit the operator group's permit rules to read (set write-default deny); grant "
                  "specific actions to a separate, named group if operators need them.",
      section="AAA > PAM Authentication", paths=("/nacm/rule-list/rule", "/nacm/write-default"),
      references=(RFC, AAA_GUIDE), tags=("nacm", "cdb"), needs=("cdb",), reads=("ncs_conf",), manual=_CHECK_NACM,
      example=_rule_list_xml("oper", "ncsoper", "devices", path="/devices", ops="read update"),
      fix_example=_rule_list_xml("oper", "ncsoper", "devices", path="/devices", ops="read"))
def operator_read_only(facts: Facts) -> Sequence[Finding]:
    off = authorization_off(facts)
    if off is not None:
        return [off]
    n = _nacm(facts)
    if n is None:
        return _no_nacm()
    present = sorted(({g.name for g in n.groups} | {g for rl in n.rule_lists for g in rl.groups}) & OPER_GROUPS)
    if not present:
        return [finding(Status.NOT_APPLICABLE, "no operator group (ncsoper/oper) in the NACM data",
                        paths=("/nacm/groups",))]
    out = []
    for rl, r in _permits(n):
        mine = [g for g in rl.groups if g in OPER_GROUPS]
        granted = ops(r.access_operations) & (WRITE_OPS | {"exec"})
        if mine and granted:
            out.append(finding(Status.FAIL, f"operator group {', '.join(mine)} is granted "
                               f"{' '.join(sorted(granted))}", paths=("/nacm/rule-list/rule",),
                               obj=_where(rl, r), path=r.path or r.rpc_name or "(all)",
                               access_operations=r.access_operations or "*"))
    for rl in n.rule_lists:
        mine = [g for g in rl.groups if g in OPER_GROUPS]
        for c in rl.cmdrules:
            granted = ops(c.access_operations) & {"exec"}
            if mine and c.action.strip().lower() == "permit" and granted and (c.command or "*").strip() == "*":
                out.append(finding(Status.FAIL, f"operator group {', '.join(mine)} may execute every command",
                                   paths=("/nacm/rule-list/cmdrule",), obj=_where(rl, c),
                                   command=c.command or "*", access_operations=c.access_operations or "*"))
    if (n.write_default or "deny").strip().lower() == "permit":
        out.append(finding(Status.FAIL, "write-default is permit: the operator group may write anything no "
                           "rule denies", paths=("/nacm/write-default",), groups=", ".join(present)))
    return out or [finding(Status.PASS, f"operator group {', '.join(present)} has read-only permits",
                           paths=("/nacm/rule-list/rule",))]


def _all_access(r: NacmRule) -> bool:
    module = (r.module_name or "*").strip()
    if module != "*" or ops(r.access_operations) != ALL_OPS:
        return False
    if r.notification_name is not None:
        return False
    if _is_data_rule_for_all(r):
        return True
    if r.path is not None:
        return _strip_prefixes(r.path) in ("/", "*")
    return (r.rpc_name or "").strip() == "*"


@rule("SD-NACM-005", "No non-admin group has unrestricted access", Severity.HIGH, objects=("nacm-rule",),
      rationale="""
A permit rule with module-name `*`, access-operations `*` and no path (or path
`/`) grants everything: every read, write and action. Given to group `*` it
applies to every authenticated user; given to any group but the admin group it
makes that group's members administrators. The same holds for a cmdrule that
permits every command. Least privilege means narrow rules per group.""",
      remediation="Replace the catch-all permit with rules naming the modules/paths and operations the "
                  "group needs; keep catch-all rules for the admin group only.",
      section=SECTION, paths=("/nacm/rule-list/rule", "/nacm/rule-list/cmdrule"), references=(RFC, AAA_GUIDE),
      tags=("nacm", "cdb"), needs=("cdb",), reads=("ncs_conf",), manual=_CHECK_NACM,
      example=_rule_list_xml("any-group", "*", "any-access", module="*"),
      fix_example=_rule_list_xml("admin", "ncsadmin", "any-access", module="*"))
def no_catch_all_permit(facts: Facts) -> Sequence[Finding]:
    off = authorization_off(facts)
    if off is not None:
        return [off]
    n = _nacm(facts)
    if n is None:
        return _no_nacm()
    out = []
    for rl in n.rule_lists:
        others = _non_admin(rl.groups)
        if not others:
            continue
        who = "every group (*)" if "*" in others else f"group {', '.join(others)}"
        for r in rl.rules:
            if r.action.strip().lower() == "permit" and _all_access(r):
                out.append(finding(Status.FAIL, f"{who} is permitted every operation on everything",
                                   paths=("/nacm/rule-list/rule",), obj=_where(rl, r),
                                   groups=", ".join(rl.groups), module_name=r.module_name or "*",
                                   path=r.path or "(all)", access_operations=r.access_operations or "*"))
        for c in rl.cmdrules:
            # Every command with read and exec (`*`, or both named) is all a cmdrule can grant.
            if c.action.strip().lower() == "permit" and (c.command or "*").strip() == "*" \
                    and CMD_OPS <= ops(c.access_operations):
                out.append(finding(Status.FAIL, f"{who} is permitted every command",
                                   paths=("/nacm/rule-list/cmdrule",), obj=_where(rl, c),
                                   groups=", ".join(rl.groups), command=c.command or "*"))
    return out or [finding(Status.PASS, "catch-all permits are limited to the admin group",
                           paths=("/nacm/rule-list",), rule_lists=len(n.rule_lists))]
