"""Fixtures for checks/nacm.py, written as CDB init files (the real reader parses them)."""
from factsbuilder import Case
from secure_deploy.model import Status

P, F, NA = Status.PASS, Status.FAIL, Status.NOT_APPLICABLE
NACM_NS = "urn:ietf:params:xml:ns:yang:ietf-netconf-acm"
ACM_NS = "http://tail-f.com/yang/acm"


def nacm(body: str) -> str:
    return (f'<config xmlns="http://tail-f.com/ns/config/1.0"><nacm xmlns="{NACM_NS}">{body}</nacm></config>')


def rule(name, action="permit", ops=None, path=None, module=None, rpc=None) -> str:
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
]
