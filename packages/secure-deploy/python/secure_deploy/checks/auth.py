"""Authentication: local authentication off, PAM with system-auth, expiry warnings."""
from __future__ import annotations

from typing import Sequence

from ..facts.types import Facts
from ..model import Finding, Severity, Status, finding
from ..registry import rule
from ._common import AAA_USER_EXAMPLE, MANUAL_CHECK, NCS_CONF_MAN, conf, expect_value
from .interfaces import WEBUI, web_listens
from .ssh import no_ssh_server

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


# --- items of the guidance that need a person, or read what ncs.conf shows --------

SECTION_METHODS = "AAA > Additional Authentication Methods"
SECTION_PAM = "AAA > PAM Authentication"
PUBKEY = "/ncs-config/aaa/ssh-pubkey-authentication"
SSO = "/ncs-config/aaa/single-sign-on/enabled"
EXT_AUTH = "/ncs-config/aaa/external-authentication/enabled"
EXT_VALIDATION = "/ncs-config/aaa/external-validation/enabled"
PKG_AUTH = "/ncs-config/aaa/package-authentication/enabled"
X_AUTH_TOKEN = "/ncs-config/restconf/token-response/x-auth-token"
RESTCONF = "/ncs-config/restconf/enabled"


@rule("SD-AUTH-005", "OS groups give PAM users their NACM groups", Severity.LOW,
      rationale="""
With PAM, NSO takes a user's groups from the operating system's group database
(/etc/group, or what NSS serves in its place) and NACM grants rights by those group
names: membership of ncsadmin makes a user an administrator, ncsoper gives read-only
access. Who is in which OS group is therefore the access-control decision, and it is
made outside NSO where this audit cannot see it.""",
      remediation="""
On the NSO host, run `getent group ncsadmin ncsoper` (and every group a NACM
rule-list names): members must be exactly the people of that role; remove stale
accounts and keep service accounts out of ncsadmin.""",
      section=SECTION_PAM, paths=(PAM_ENABLED,), references=("NSO Administration Guide: AAA Infrastructure",),
      tags=("authentication", "ncs-conf", MANUAL_CHECK),
      example="$ getent group ncsadmin\nncsadmin:x:1001:alice,bob,jenkins,olduser",
      fix_example="$ getent group ncsadmin\nncsadmin:x:1001:alice,bob")
def os_groups(facts: Facts) -> Sequence[Finding]:
    c = conf(facts)
    if not c.enabled(PAM_ENABLED):
        return [finding(Status.NOT_APPLICABLE, "PAM is off (see SD-AUTH-002): groups do not come from the OS",
                        paths=(PAM_ENABLED,))]
    return [finding(Status.MANUAL, "PAM users get their NACM groups from the OS group database: on the NSO "
                    "host check `getent group ncsadmin ncsoper` (and every group a NACM rule-list names) lists "
                    "exactly the people of that role", paths=(PAM_ENABLED,), pam_service=c.described(PAM_SERVICE))]


@rule("SD-AUTH-006", "SSH public key authentication is available for CLI and NETCONF", Severity.LOW,
      rationale="""
The guidance recommends SSH public key authentication for the CLI and NETCONF:
keys cannot be guessed or phished like passwords and can be revoked per client.
/ncs-config/aaa/ssh-pubkey-authentication decides where NSO's SSH server looks for
authorized keys: `system` (the OS user's ~/.ssh/authorized_keys, the default),
`local` (the NSO user's ssh_keydir) or `none`, which turns key authentication off
and leaves passwords as the only way in.""",
      remediation="""
Leave /ncs-config/aaa/ssh-pubkey-authentication at `system` (or set `local`) and give
operators and OSS clients keys instead of passwords.""",
      section=SECTION_METHODS, paths=(PUBKEY,), references=(NCS_CONF_MAN,), tags=("authentication", "ssh", "ncs-conf"),
      example="<aaa><ssh-pubkey-authentication>none</ssh-pubkey-authentication></aaa>",
      fix_example="<aaa><ssh-pubkey-authentication>system</ssh-pubkey-authentication></aaa>")
def ssh_pubkey(facts: Facts) -> Sequence[Finding]:
    c = conf(facts)
    if no_ssh_server(c) is not None:
        return [finding(Status.NOT_APPLICABLE, "no built-in SSH server listens (CLI and NETCONF over SSH are off)",
                        paths=(PUBKEY,))]
    value = (c.effective(PUBKEY) or "").strip()
    if value == "none":
        return [finding(Status.FAIL, "SSH public key authentication is off: passwords are the only way in",
                        paths=(PUBKEY,), location=c.location(PUBKEY), expected="system or local",
                        actual=c.described(PUBKEY))]
    if value not in ("system", "local"):
        return [finding(Status.ERROR, f"ssh-pubkey-authentication {value!r} is not none, local or system",
                        paths=(PUBKEY,), location=c.location(PUBKEY), actual=c.described(PUBKEY))]
    return [finding(Status.PASS, f"SSH public key authentication is on ({value} authorized keys)",
                    paths=(PUBKEY,), location=c.location(PUBKEY), actual=c.described(PUBKEY))]


@rule("SD-AUTH-007", "RESTCONF clients authenticate with tokens or a central service", Severity.LOW,
      rationale="""
The guidance lists token, JWT, LDAP or TACACS+ authentication for RESTCONF: a client
that sends a long-lived password with every request spreads it into scripts and
CI variables. ncs.conf shows token support (restconf/token-response/x-auth-token),
external authentication and validation (an executable that checks credentials or
tokens such as JWTs) and package authentication. LDAP and TACACS+ usually sit behind
PAM or external authentication, where this audit cannot see them.""",
      remediation="""
Give RESTCONF clients tokens (/ncs-config/restconf/token-response/x-auth-token with
/ncs-config/aaa/external-validation for JWT) or authenticate them against LDAP or
TACACS+ (PAM, /ncs-config/aaa/external-authentication or package authentication).""",
      section=SECTION_METHODS, paths=(RESTCONF, X_AUTH_TOKEN, EXT_AUTH, EXT_VALIDATION, PKG_AUTH),
      references=(NCS_CONF_MAN,), tags=("authentication", "restconf", "ncs-conf", MANUAL_CHECK),
      example="ncs.conf: RESTCONF on, and nothing but passwords\n<restconf><enabled>true</enabled></restconf>",
      fix_example="ncs.conf: tokens, validated by an external program (e.g. JWT)\n<restconf><enabled>true</enabled><token-response><x-auth-token>true</x-auth-token>"
                  "</token-response></restconf>\n<aaa><external-validation><enabled>true</enabled>"
                  "<executable>/opt/ncs/scripts/validate-jwt</executable></external-validation></aaa>")
def restconf_auth(facts: Facts) -> Sequence[Finding]:
    c = conf(facts)
    if not c.enabled(RESTCONF):
        return [finding(Status.NOT_APPLICABLE, "RESTCONF is disabled", paths=(RESTCONF,))]
    on = [name for path, name in ((X_AUTH_TOKEN, "x-auth-token"), (EXT_VALIDATION, "external validation"),
                                  (EXT_AUTH, "external authentication"), (PKG_AUTH, "package authentication"))
          if c.enabled(path)]
    if on:
        return [finding(Status.PASS, f"RESTCONF can authenticate with {', '.join(on)}",
                        paths=(X_AUTH_TOKEN, EXT_AUTH, EXT_VALIDATION, PKG_AUTH))]
    return [finding(Status.MANUAL, "ncs.conf shows no token, external or package authentication for RESTCONF: "
                    "check whether its clients authenticate through PAM against LDAP or TACACS+ (see the PAM "
                    "service's configuration); otherwise give them tokens (x-auth-token, external-validation "
                    "for JWT)", paths=(X_AUTH_TOKEN, EXT_AUTH, EXT_VALIDATION, PKG_AUTH),
                    pam=c.described(PAM_ENABLED), pam_service=c.described(PAM_SERVICE))]


@rule("SD-AUTH-008", "WebUI users log in through single sign-on", Severity.LOW,
      rationale="""
The guidance pairs the WebUI with HTTPS (SD-IF-004) and JSON-RPC single sign-on: with
SSO (/ncs-config/aaa/single-sign-on, served by an authentication package such as a
SAML one) operators log in with the organisation's identity provider and its
multi-factor and revocation, instead of a password NSO or PAM checks.""",
      remediation="""
Enable /ncs-config/aaa/single-sign-on/enabled with an authentication package
(/ncs-config/aaa/package-authentication) for the identity provider, or record why
the WebUI keeps password login.""",
      section=SECTION_METHODS, paths=(SSO, PKG_AUTH), references=(NCS_CONF_MAN,),
      tags=("authentication", "webui", "ncs-conf", MANUAL_CHECK),
      example="ncs.conf: the WebUI with password login only\n<webui><enabled>true</enabled></webui>",
      fix_example="ncs.conf: single sign-on through an authentication package\n<aaa><single-sign-on><enabled>true</enabled></single-sign-on>"
                  "<package-authentication><enabled>true</enabled></package-authentication></aaa>")
def webui_sso(facts: Facts) -> Sequence[Finding]:
    c = conf(facts)
    if not c.enabled(WEBUI) or not web_listens(c):
        return [finding(Status.NOT_APPLICABLE, "the WebUI is not served", paths=(WEBUI,))]
    if c.enabled(SSO):
        return [finding(Status.PASS, "WebUI single sign-on is enabled", paths=(SSO,), location=c.location(SSO),
                        package_authentication=c.described(PKG_AUTH))]
    return [finding(Status.MANUAL, "the WebUI uses password login (single sign-on is off): check whether it "
                    "should log users in through the organisation's identity provider "
                    "(/ncs-config/aaa/single-sign-on with an authentication package)", paths=(SSO,),
                    location=c.location(SSO), actual=c.described(SSO))]
