from factsbuilder import Case
from secure_deploy.model import Status

P, F, W = Status.PASS, Status.FAIL, Status.WARN

CASES = [
    Case("SD-AUTH-001", P, "<aaa><local-authentication><enabled>false</enabled></local-authentication></aaa>"),
    Case("SD-AUTH-001", F, "<aaa><local-authentication><enabled>true</enabled></local-authentication></aaa>"),
    Case("SD-AUTH-001", F, "", note="absent-means-default-true"),
    Case("SD-AUTH-002", P, "<aaa><pam><enabled>true</enabled><service>system-auth</service></pam></aaa>"),
    Case("SD-AUTH-002", F, "<aaa><pam><enabled>true</enabled><service>common-auth</service></pam></aaa>"),
    Case("SD-AUTH-002", F, "<aaa><pam><enabled>true</enabled></pam></aaa>", note="default-service"),
    Case("SD-AUTH-002", F, "<aaa><pam><enabled>false</enabled><service>system-auth</service></pam></aaa>",
         note="pam-off"),
    Case("SD-AUTH-003", P, "<aaa><expiration-warning>prompt</expiration-warning></aaa>"),
    Case("SD-AUTH-003", P, "<aaa><expiration-warning>display</expiration-warning></aaa>",
         note="display-shows-the-warning"),
    Case("SD-AUTH-003", F, "", note="default-ignore"),
]

# SD-AUTH-004: local credentials in CDB while local authentication is off.
from rule_cases.hashing import NO_AAA, SHA512_RANDOM, aaa, user  # noqa: E402

LOCAL_OFF = "<aaa><local-authentication><enabled>false</enabled></local-authentication></aaa>"
NA = Status.NOT_APPLICABLE

CASES += [
    Case("SD-AUTH-004", P, LOCAL_OFF, cdb_xml=aaa(user("oper1"), user("oper2")), note="users-without-password"),
    Case("SD-AUTH-004", F, LOCAL_OFF, cdb_xml=aaa(user("admin", "$0$admin"), user("oper1")),
         note="cleartext-credential"),
    Case("SD-AUTH-004", F, LOCAL_OFF, cdb_xml=aaa(user("alice", SHA512_RANDOM)), note="hashed-credential"),
    # Local auth on (explicitly or by default): local users are expected, SD-AUTH-001 judges that.
    Case("SD-AUTH-004", NA, "", cdb_xml=aaa(user("admin", "$0$admin")), note="local-auth-default-on"),
    Case("SD-AUTH-004", NA, LOCAL_OFF, cdb_xml=NO_AAA, note="no-aaa-data"),
    Case("SD-AUTH-004", Status.MANUAL, LOCAL_OFF, note="no-cdb-given-check-by-hand"),
    Case("SD-AUTH-004", NA, "", note="local-auth-on-no-cdb"),
]
