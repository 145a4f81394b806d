"""Fixtures for checks/nacm.py, written as CDB init files (the real reader parses them)."""
from factsbuilder import Case
from secure_deploy.model import Status

P, F, W, NA = Status.PASS, Status.FAIL, Status.WARN, Status.NOT_APPLICABLE
NACM_NS = "urn:ietf:params:xml:ns:yang:ietf-netconf-acm"
ACM_NS = "http://tail-f.com/yang/acm"


def nacm(body: str) -> str:
    return (f'<config xmlns="http://tail-f.com/ns/config/1.0"><nacm xmlns="{NACM_NS}">{body}</nacm></config>')


def rule(name, action="permit", ops=None, path=None, module=None, rpc=None, context=None) -> str:
    parts = [f"<name>{name}</name>"]
    if module is not None:
        parts.append(f"<module-name>{module}</module-name>")
    if path is not None:
        parts.append(f"<path>{path}</path>")
    if rpc is not None:
        parts.append(f"<rpc-name>{rpc}</rpc-name>")
    if ops is not None:
        parts.append(f"<access-operations>{ops}</access-operations>")
    parts.append(f"<action>{action}</action>")
    if context is not None:
        parts.append(f'<context xmlns="{ACM_NS}">{context}</context>')
    return "<rule>" + "".join(parts) + "</rule>"


def cmdrule(name, command="*", ops=None, action="permit") -> str:
    o = f"<access-operations>{ops}</access-operations>" if ops else ""
    return (f'<cmdrule xmlns="{ACM_NS}"><name>{name}</name><command>{command}</command>{o}'
            f"<action>{action}</action></cmdrule>")


def rule_list(name, groups, *rules) -> str:
    g = "".join(f"<group>{x}</group>" for x in groups)
    return f"<rule-list><name>{name}</name>{g}{''.join(rules)}</rule-list>"


GROUPS = "<groups><group><name>ncsadmin</name></group><group><name>ncsoper</name></group></groups>"
# The system-install shape: admin may do anything, oper may read.
HARDENED = nacm(GROUPS + rule_list("admin", ["ncsadmin"], rule("any-access", ops="*"), cmdrule("any-command"))
                + rule_list("oper", ["ncsoper"], rule("read-all", ops="read"), cmdrule("show", "show", "read exec")))
# The local-install aaa_init.xml shape (NSO-FACTS §4).
LOCAL = nacm("<write-default>permit</write-default>"
             "<groups><group><name>admin</name><user-name>admin</user-name></group>"
             "<group><name>oper</name><user-name>oper</user-name></group></groups>"
             + rule_list("admin", ["admin"], rule("any-access", ops="*"), cmdrule("any-command"))
             + rule_list("any-group", ["*"], rule("tailf-aaa-authentication", module="tailf-aaa",
                                                  path="/aaa/authentication/users/user[name='$USER']",
                                                  ops="read update")))
NO_NACM = ('<config xmlns="http://tail-f.com/ns/config/1.0"><aaa xmlns="http://tail-f.com/ns/aaa/1.1">'
           "<authentication><users/></authentication></aaa></config>")

DENY_NACM_WRITES = rule("no-nacm-writes", "deny", module="*", path="/nacm", ops="create update delete")
NACM_WRITES = rule("nacm-writes", path="/nacm/groups", ops="create update delete")

CASES = [
    Case("SD-NACM-001", P, cdb_xml=HARDENED, note="absent-default-true"),
    Case("SD-NACM-001", P, cdb_xml=nacm("<enable-nacm>true</enable-nacm>"), note="explicit-true"),
    Case("SD-NACM-001", F, cdb_xml=nacm("<enable-nacm>false</enable-nacm>"), note="disabled"),
    Case("SD-NACM-001", NA, cdb_xml=NO_NACM, note="no-nacm-data"),

    Case("SD-NACM-002", P, cdb_xml=HARDENED, note="absent-default-deny"),
    Case("SD-NACM-002", P, cdb_xml=nacm("<write-default>deny</write-default>"), note="explicit-deny"),
    Case("SD-NACM-002", F, cdb_xml=LOCAL, note="local-install-permit"),
    Case("SD-NACM-002", NA, cdb_xml=NO_NACM, note="no-nacm-data"),

    Case("SD-NACM-003", P, cdb_xml=HARDENED, note="admin-only"),
    Case("SD-NACM-003", P, cdb_xml=LOCAL, note="local-own-password-rule-is-not-nacm"),
    Case("SD-NACM-003", F, cdb_xml=nacm(GROUPS + rule_list("oper", ["ncsoper"], rule("nacm", path="/nacm",
                                                                                      ops="update"))),
         note="oper-may-update-nacm"),
    Case("SD-NACM-003", F, cdb_xml=nacm(rule_list("ops", ["netops"], rule("groups", path="/nacm:nacm/nacm:groups",
                                                                          ops="create update delete"))),
         note="prefixed-subpath"),
    Case("SD-NACM-003", F, cdb_xml=nacm(rule_list("ops", ["netops"], rule("acm", module="ietf-netconf-acm"))),
         note="module-no-path-default-ops"),
    Case("SD-NACM-003", F, cdb_xml=nacm(rule_list("all", ["*"], rule("everything"))), note="star-group-no-path"),
    Case("SD-NACM-003", P, cdb_xml=nacm(rule_list("ops", ["netops"], rule("read-nacm", path="/nacm", ops="read"))),
         note="read-only-is-fine"),
    Case("SD-NACM-003", P, cdb_xml=nacm(rule_list("ops", ["netops"], rule("deny-nacm", "deny", path="/nacm"))),
         note="deny-is-fine"),
    Case("SD-NACM-003", P, cdb_xml=nacm(rule_list("ops", ["netops"], rule("devs", module="*", path="/devices"))),
         note="other-path"),
    Case("SD-NACM-003", P, cdb_xml=nacm(rule_list("ops", ["netops"], rule("rpc", rpc="*"))), note="rpc-rule"),
    Case("SD-NACM-003", NA, cdb_xml=NO_NACM, note="no-nacm-data"),
    # First match: a permit that earlier denies take completely grants nothing as ordered.
    Case("SD-NACM-003", W, cdb_xml=nacm(rule_list("ops", ["netops"], DENY_NACM_WRITES, NACM_WRITES)),
         note="shadowed-by-earlier-deny"),
    Case("SD-NACM-003", W, cdb_xml=nacm(rule_list("guard", ["*"], DENY_NACM_WRITES)
                                        + rule_list("ops", ["netops"], NACM_WRITES)),
         note="shadowed-by-earlier-rule-list-for-all-groups"),
    # A permit on all data still writes /aaa (passwords: a way to become admin), so a
    # deny covering only /nacm does not make it harmless.
    Case("SD-NACM-003", F, cdb_xml=nacm(rule_list("ops", ["netops"], DENY_NACM_WRITES, rule("everything"))),
         note="all-data-permit-with-a-nacm-only-deny"),
    Case("SD-NACM-003", F, cdb_xml=nacm(rule_list("ops", ["netops"], NACM_WRITES, DENY_NACM_WRITES)),
         note="deny-after-the-permit"),
    Case("SD-NACM-003", F, cdb_xml=nacm(rule_list("ops", ["netops"],
                                                  rule("acm-only", "deny", module="ietf-netconf-acm", path="/nacm",
                                                       ops="create update delete"), NACM_WRITES)),
         note="module-specific-deny-misses-tailf-acm-nodes"),
    Case("SD-NACM-003", F, cdb_xml=nacm(rule_list("ops", ["netops"], rule("no-ops", "deny", module="*", path="/nacm"),
                                                  NACM_WRITES)),
         note="deny-without-explicit-operations"),
    Case("SD-NACM-003", F, cdb_xml=nacm(rule_list("ops", ["netops"], rule("empty-ops", "deny", module="*",
                                                                         path="/nacm", ops=""), NACM_WRITES)),
         note="deny-with-empty-operations-matches-nothing"),
    Case("SD-NACM-003", F, cdb_xml=nacm(rule_list("ops", ["netops"], rule("other-ns", "deny", module="*",
                                                                         path="/acme:nacm",
                                                                         ops="create update delete"),
                                                  NACM_WRITES)),
         note="deny-path-in-another-namespace"),
    Case("SD-NACM-003", F, cdb_xml=nacm(rule_list("ops", ["netops"], rule("no-delete", "deny", module="*",
                                                                         path="/nacm", ops="delete"),
                                                  NACM_WRITES)),
         note="deny-takes-only-delete"),
    Case("SD-NACM-003", F, cdb_xml=nacm(rule_list("guard", ["other"], DENY_NACM_WRITES)
                                        + rule_list("ops", ["netops"], NACM_WRITES)),
         note="deny-for-another-group"),
    Case("SD-NACM-003", F, cdb_xml=nacm(rule_list("guard", ["netops"], DENY_NACM_WRITES)
                                        + rule_list("ops", ["netops", "other"], NACM_WRITES)),
         note="deny-for-only-some-groups-of-the-permit"),
    Case("SD-NACM-003", F, cdb_xml=nacm(rule_list("ops", ["netops"], rule("cli-only", "deny", module="*",
                                                                         path="/nacm", ops="*", context="cli"),
                                                  NACM_WRITES)),
         note="deny-in-one-context-only"),
    Case("SD-NACM-003", F, cdb_xml=nacm(rule_list("ops", ["netops"], rule("rules-only", "deny", module="*",
                                                                         path="/nacm/rule-list", ops="*"),
                                                  rule("nacm", path="/nacm", ops="create update delete"))),
         note="deny-narrower-path"),
    Case("SD-NACM-003", F, cdb_xml=nacm(rule_list("ops", ["netops"], rule("one-group", "deny", module="*", ops="*",
                                                                         path="/nacm/groups/group[name='admin']"),
                                                  rule("groups", path="/nacm/groups"))),
         note="deny-with-predicate-covers-some-entries-only"),

    Case("SD-NACM-004", P, cdb_xml=HARDENED, note="read-only-oper"),
    Case("SD-NACM-004", F, cdb_xml=LOCAL, note="write-default-permit"),
    Case("SD-NACM-004", F, cdb_xml=nacm(GROUPS + rule_list("oper", ["ncsoper"], rule("devs", path="/devices",
                                                                                      ops="read update"))),
         note="oper-update"),
    Case("SD-NACM-004", F, cdb_xml=nacm(GROUPS + rule_list("oper", ["ncsoper"], rule("live", ops="read exec",
                                                                                      path="/devices"))),
         note="oper-exec"),
    Case("SD-NACM-004", F, cdb_xml=nacm(GROUPS + rule_list("oper", ["ncsoper"], rule("all"))),
         note="oper-default-ops-all"),
    Case("SD-NACM-004", F, cdb_xml=nacm(GROUPS + rule_list("oper", ["oper"], cmdrule("any"))),
         note="oper-any-command"),
    Case("SD-NACM-004", NA, cdb_xml=nacm(rule_list("admin", ["ncsadmin"], rule("a"))), note="no-oper-group"),
    Case("SD-NACM-004", W, cdb_xml=nacm(GROUPS + rule_list("oper", ["ncsoper"],
                                                           rule("no-writes", "deny", module="*", path="/devices",
                                                                ops="create update delete exec"),
                                                           rule("devs", path="/devices/device", ops="read update"))),
         note="write-permit-shadowed-by-broader-deny"),
    Case("SD-NACM-004", W, cdb_xml=nacm(GROUPS + rule_list("oper", ["ncsoper"], rule("no-rpcs", "deny", module="*",
                                                                                    rpc="*", ops="exec"),
                                                           rule("reboot", rpc="reboot", ops="exec"))),
         note="rpc-permit-shadowed-by-rpc-star-deny"),
    Case("SD-NACM-004", F, cdb_xml=nacm(GROUPS + rule_list("oper", ["ncsoper"], rule("no-reset", "deny", module="*",
                                                                                    rpc="reset", ops="exec"),
                                                           rule("reboot", rpc="reboot", ops="exec"))),
         note="deny-of-another-rpc"),

    Case("SD-NACM-005", P, cdb_xml=HARDENED, note="catch-all-for-admin-only"),
    Case("SD-NACM-005", P, cdb_xml=LOCAL, note="local-install"),
    Case("SD-NACM-005", F, cdb_xml=nacm(rule_list("all", ["*"], rule("everything", module="*", ops="*"))),
         note="star-group"),
    Case("SD-NACM-005", F, cdb_xml=nacm(rule_list("ops", ["netops", "ncsadmin"], rule("root", path="/"))),
         note="non-admin-path-root"),
    Case("SD-NACM-005", F, cdb_xml=nacm(rule_list("ops", ["netops"], cmdrule("any"))), note="any-command"),
    Case("SD-NACM-005", P, cdb_xml=nacm(rule_list("ops", ["netops"], rule("r", ops="read"))), note="read-only"),
    Case("SD-NACM-005", P, cdb_xml=nacm(rule_list("ops", ["netops"], rule("d", path="/devices"))),
         note="narrow-path"),
    Case("SD-NACM-005", NA, cdb_xml=NO_NACM, note="no-nacm-data"),
    Case("SD-NACM-005", W, cdb_xml=nacm(rule_list("all", ["*"], rule("deny-all", "deny", module="*", ops="*"),
                                                  rule("everything", module="*", ops="*"))),
         note="catch-all-shadowed-by-catch-all-deny"),
    Case("SD-NACM-005", F, cdb_xml=nacm(rule_list("all", ["*"], rule("deny-all", "deny", module="tailf-ncs", ops="*"),
                                                  rule("everything", module="*", ops="*"))),
         note="module-specific-deny"),
    Case("SD-NACM-005", F, cdb_xml=nacm(rule_list("all", ["*"], rule("deny-root", "deny", path="/", ops="*"),
                                                  rule("everything", module="*", ops="*"))),
         note="path-deny-leaves-rpcs"),
]
