"""Authentication: local authentication off, PAM with system-auth, expiry warnings."""
from __future__ import annotations

from typing import Sequence

from ..facts.types import Facts
from ..model import Finding, Severity, Status, finding
from ..registry import rule
from ._common import AAA_USER_EXAMPLE, NCS_CONF_MAN, conf, expect_value

SECTION = "Development vs. Production Deployment > Authentication; AAA > PAM Authentication"
LOCAL_AUTH = "/ncs-config/aaa/local-authentication/enabled"
PAM_ENABLED = "/ncs-config/aaa/pam/enabled"
PAM_SERVICE = "/ncs-config/aaa/pam/service"
EXPIRATION = "/ncs-config/aaa/expiration-warning"


@rule("SD-AUTH-001", "Local authentication is disabled", Severity.HIGH,
      rationale="""
Local authentication checks passwords stored in CDB (/aaa/authentication/users). The
production ncs.conf turns it off so that users authenticate through PAM against the
operating system and its password policy; local users are a second, weaker set of
credentials that bypasses that policy.""",
      remediation="Set /ncs-config/aaa/local-authentication/enabled to false and authenticate through PAM.",
      section=SECTION, paths=(LOCAL_AUTH,), references=(NCS_CONF_MAN,), tags=("authentication", "ncs-conf"),
      example="<aaa><local-authentication><enabled>true</enabled></local-authentication></aaa>",
      fix_example="<aaa><local-authentication><enabled>false</enabled></local-authentication></aaa>")
def local_authentication_disabled(facts: Facts) -> Sequence[Finding]:
    return [expect_value(conf(facts), LOCAL_AUTH, "false",
                         message_ok="local authentication is disabled",
                         message_bad="local authentication is enabled (the default when absent)")]


@rule("SD-AUTH-002", "PAM is enabled with the system-auth service", Severity.HIGH,
      rationale="""
PAM is the recommended authentication method: it applies the operating system's
password policy and group database. The production ncs.conf uses the `system-auth`
service; `common-auth` is the development default.""",
      remediation="Set /ncs-config/aaa/pam/enabled to true and /ncs-config/aaa/pam/service to system-auth.",
      section=SECTION, paths=(PAM_ENABLED, PAM_SERVICE), references=(NCS_CONF_MAN,),
      tags=("authentication", "ncs-conf"),
      example="<aaa><pam><enabled>true</enabled><service>common-auth</service></pam></aaa>",
      fix_example="<aaa><pam><enabled>true</enabled><service>system-auth</service></pam></aaa>")
def pam_system_auth(facts: Facts) -> Sequence[Finding]:
    c = conf(facts)
    if not c.enabled(PAM_ENABLED):
        return [finding(Status.FAIL, "PAM authentication is disabled", paths=(PAM_ENABLED,),
                        location=c.location(PAM_ENABLED), expected="true",
                        actual=c.described(PAM_ENABLED))]
    return [expect_value(c, PAM_SERVICE, "system-auth", extra_paths=(PAM_ENABLED,),
                         message_ok="PAM is enabled with service system-auth",
                         message_bad=f"PAM uses service {c.effective(PAM_SERVICE)!r}, not system-auth")]


@rule("SD-AUTH-003", "Password expiration warnings are shown", Severity.LOW,
      rationale="""
With PAM, a password about to expire is only announced to the user when
expiration-warning is `prompt` (production default) or `display`; `ignore` (the
ncs.conf default) hides it, so passwords expire unnoticed or are never rotated. The
guidance asks that warnings are shown: both `display` and `prompt` do.""",
      remediation="Set /ncs-config/aaa/expiration-warning to prompt (or display).",
      section=SECTION, paths=(EXPIRATION,), references=(NCS_CONF_MAN,), tags=("authentication", "ncs-conf"),
      example="<aaa><expiration-warning>ignore</expiration-warning></aaa>",
      fix_example="<aaa><expiration-warning>prompt</expiration-warning></aaa>")
def expiration_warning(facts: Facts) -> Sequence[Finding]:
    c = conf(facts)
    actual = (c.effective(EXPIRATION) or "").strip()
    status = Status.PASS if actual in ("prompt", "display") else Status.FAIL
    msg = {"prompt": "expiration warnings prompt the user", "display": "expiration warnings are displayed"}.get(
        actual, "password expiration warnings are ignored")
    return [finding(status, msg, paths=(EXPIRATION,), location=c.location(EXPIRATION),
                    expected="prompt or display", actual=c.described(EXPIRATION))]


USERS = "/aaa/authentication/users/user"
# `explain` examples: the ncs.conf setting (no namespace) and the CDB data (aaa_init.xml or
# `show running-config aaa | display xml`) the rule judges together.
_LOCAL_OFF = ("<!-- ncs.conf -->\n<aaa><local-authentication><enabled>false</enabled></local-authentication></aaa>\n"
              "<!-- CDB (aaa_init.xml) -->\n")


@rule("SD-AUTH-004", "No local credentials in CDB while local authentication is off", Severity.MEDIUM, objects=("user",),
      rationale="""
With local authentication disabled, passwords of local users in CDB are never
used to log in, yet they stay in aaa_init.xml, in CDB and in every backup: a
second set of credentials (often the examples' defaults) waiting for local
authentication to be turned on again, and a set of hashes to crack. The guidance
says to exclude credentials from aaa_init.xml unless local authentication is
explicitly enabled.""",
      remediation="Remove the password leaves (or the users) from aaa_init.xml and from "
                  "/aaa/authentication/users in CDB; keep users that only carry uid/gid/homedir "
                  "for PAM-authenticated operators.",
      section="AAA > Customizing AAA Configuration", paths=(LOCAL_AUTH, USERS),
      references=("NSO Administration Guide: AAA Infrastructure",),
      tags=("authentication", "ncs-conf", "cdb"), needs=("ncs_conf",), reads=("cdb",),
      example=_LOCAL_OFF + AAA_USER_EXAMPLE.format(name="admin", password="<password>$6$SALT$HASH</password>"),
      fix_example=_LOCAL_OFF + AAA_USER_EXAMPLE.format(name="admin",
                                                       password="<!-- no password: authenticates through PAM -->"))
def no_local_credentials(facts: Facts) -> Sequence[Finding]:
    c = conf(facts)
    if c.enabled(LOCAL_AUTH):
        # Local users are then expected; whether local auth should be on is SD-AUTH-001's verdict.
        return [finding(Status.NOT_APPLICABLE, "local authentication is enabled", paths=(LOCAL_AUTH,),
                        actual=c.described(LOCAL_AUTH))]
    if facts.cdb is None:
        return [finding(Status.MANUAL, "no CDB data given: with local authentication off, check that no local "
                        "user in the running NSO or in aaa_init.xml has a password", paths=(USERS,))]
    users = facts.cdb.users
    if users is None:
        return [finding(Status.NOT_APPLICABLE, "the CDB input holds no /aaa users", paths=(USERS,))]
    with_pw = [u for u in users if u.hash_scheme != "none"]
    if not with_pw:
        return [finding(Status.PASS, "no local user has a password", paths=(USERS,), users=len(users))]
    return [finding(Status.FAIL, "local user has a password although local authentication is off",
                    paths=(USERS, LOCAL_AUTH), obj=u.name, local_authentication=c.described(LOCAL_AUTH))
            for u in with_pw]
