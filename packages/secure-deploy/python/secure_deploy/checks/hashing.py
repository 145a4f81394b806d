"""Password hashing: the crypt-hash algorithm of ncs.conf and the hashes stored in CDB.

The ncs.conf setting only decides how *new* cleartext (`$0$...`) input is hashed;
hashes already in CDB keep the scheme they were made with. So SD-HASH-001 judges the
configuration and SD-HASH-002/003 judge what the CDB input actually holds. The facts
layer reduces every password to its scheme and a "well-known default" flag, so
nothing here ever sees a hash or a password.
"""
from __future__ import annotations

from typing import List, Sequence

from ..facts.types import CdbFacts, Facts, UserFacts
from ..model import Finding, Severity, Status, finding
from ..registry import rule
from ._common import AAA_USER_EXAMPLE, NCS_CONF_MAN, conf

SECTION = "Cryptographic Key Management > Hashing Algorithms"
ALGORITHM = "/ncs-config/crypt-hash/algorithm"
ROUNDS = "/ncs-config/crypt-hash/rounds"
USERS = "/aaa/authentication/users/user"
PASSWORD = "/aaa/authentication/users/user/password"
AAA_GUIDE = "NSO Administration Guide: AAA Infrastructure"
# glibc's SHA-crypt default and ncs.conf's default; fewer rounds make every stored
# hash cheaper to brute-force. (The exact range of crypt-hash-rounds-type is not
# in the man page; glibc clamps to 1000..999999999, so NSO accepts values below
# 5000 and we warn about them.)
MIN_ROUNDS = 5000
_SCHEME_NAME = {"$0$": "cleartext ($0$)", "$1$": "MD5-crypt ($1$)", "$5$": "SHA-256-crypt ($5$)",
                "$6$": "SHA-512-crypt ($6$)", "none": "no password", "other": "unrecognised"}


def _users(facts: Facts) -> Sequence[UserFacts]:
    # Only called for rules that need cdb, so the engine has checked facts.cdb.
    cdb: CdbFacts = facts.cdb  # type: ignore[assignment]
    return cdb.users or ()


def _no_user_data(facts: Facts) -> List[Finding]:
    return [finding(Status.NOT_APPLICABLE, "the CDB input holds no /aaa users (no aaa data given)",
                    paths=(USERS,))]


@rule("SD-HASH-001", "Passwords are hashed with SHA-512", Severity.HIGH,
      rationale="""
The crypt-hash algorithm hashes every cleartext password NSO stores in CDB (the
ianach:crypt-hash type: local users, and any package leaf of that type). MD5-crypt
is fast and broken for password storage, and it is the default of NSO 6.4 and 6.5
when the element is absent; the guidance asks for SHA-512, so SHA-256 fails too. For the SHA algorithms fewer than the default 5000 rounds make every
stored hash cheaper to brute-force.""",
      remediation="Set /ncs-config/crypt-hash/algorithm to sha-512 (and leave rounds at 5000 or more); "
                  "then re-set existing local passwords so they are re-hashed.",
      section=SECTION, paths=(ALGORITHM, ROUNDS), references=(NCS_CONF_MAN,),
      tags=("hashing", "ncs-conf"),
      example="<crypt-hash><algorithm>md5</algorithm></crypt-hash>",
      fix_example="<crypt-hash><algorithm>sha-512</algorithm></crypt-hash>")
def crypt_hash_algorithm(facts: Facts) -> Sequence[Finding]:
    c = conf(facts)
    algo = (c.effective(ALGORITHM) or "").strip().lower()
    loc = c.location(ALGORITHM)
    ev = dict(expected="sha-512", actual=c.described(ALGORITHM))
    if algo == "sha-512":
        out = [finding(Status.PASS, "passwords are hashed with SHA-512", paths=(ALGORITHM,),
                       location=loc, **ev)]
    elif algo == "sha-256":
        # The guidance names sha-512; SHA-256-crypt is not what it asks for.
        out = [finding(Status.FAIL, "passwords are hashed with SHA-256, not SHA-512", paths=(ALGORITHM,),
                       location=loc, **ev)]
    elif algo == "md5":
        default = " (the NSO 6.4/6.5 default when absent)" if c.value(ALGORITHM) is None else ""
        out = [finding(Status.FAIL, f"passwords are hashed with MD5-crypt{default}", paths=(ALGORITHM,),
                       location=loc, **ev)]
    else:
        out = [finding(Status.WARN, f"crypt-hash algorithm {algo!r} is not one NSO documents",
                       paths=(ALGORITHM,), location=loc, **ev)]
    if algo in ("sha-256", "sha-512"):
        out.extend(_rounds(facts))
    return out


def _rounds(facts: Facts) -> List[Finding]:
    # Rounds are ignored for md5 (ncs.conf(5)), so only judged for the SHA algorithms.
    c = conf(facts)
    if c.value(ROUNDS) is None:
        return []  # default 5000: nothing to add to the algorithm's verdict
    raw = (c.effective(ROUNDS) or "").strip()
    ev = dict(minimum_rounds=MIN_ROUNDS, rounds=c.described(ROUNDS))
    try:
        rounds = int(raw)
    except ValueError:
        return [finding(Status.WARN, f"crypt-hash rounds {raw!r} is not a number", paths=(ROUNDS,),
                        location=c.location(ROUNDS), **ev)]
    if rounds < MIN_ROUNDS:
        return [finding(Status.WARN, f"crypt-hash rounds {rounds} is below the default {MIN_ROUNDS}",
                        paths=(ROUNDS,), location=c.location(ROUNDS), **ev)]
    return [finding(Status.PASS, f"crypt-hash rounds {rounds}", paths=(ROUNDS,),
                    location=c.location(ROUNDS), **ev)]


@rule("SD-HASH-002", "Local user passwords are not stored in cleartext or MD5", Severity.HIGH, objects=("user",),
      rationale="""
Changing crypt-hash/algorithm does not re-hash passwords already in CDB. A local
user whose password is `$1$` (MD5-crypt) keeps a weak hash until the password is
set again; a `$0$` value in a CDB init file (aaa_init.xml) or export is the
cleartext password itself, readable by anyone who can read the file.""",
      remediation="Remove cleartext passwords from CDB init files; set the affected users' passwords "
                  "again after setting crypt-hash/algorithm to sha-512 (or remove the local users "
                  "and authenticate through PAM).",
      section=SECTION, paths=(PASSWORD,), references=(AAA_GUIDE, NCS_CONF_MAN),
      tags=("hashing", "cdb"), needs=("cdb",),
      manual="check the local users' password hashes in the running NSO (`show running-config aaa "
             "authentication users user password`): none may start with $0$ or $1$",
      example=AAA_USER_EXAMPLE.format(name="netops", password="<password>$0$CLEARTEXT-PASSWORD</password>"),
      fix_example="<!-- no password in the init file (PAM login); or set it again after\n"
                  "     crypt-hash/algorithm sha-512, so that CDB holds a $6$ hash -->\n"
                  + AAA_USER_EXAMPLE.format(name="netops", password=""))
def weak_user_hashes(facts: Facts) -> Sequence[Finding]:
    if facts.cdb is None or facts.cdb.users is None:
        return _no_user_data(facts)
    out = []
    for u in _users(facts):
        if u.hash_scheme == "$0$":
            out.append(finding(Status.FAIL, "password is stored in cleartext ($0$)", paths=(PASSWORD,),
                               obj=u.name, scheme=_SCHEME_NAME["$0$"]))
        elif u.hash_scheme == "$1$":
            out.append(finding(Status.FAIL, "password is hashed with MD5-crypt ($1$)", paths=(PASSWORD,),
                               obj=u.name, scheme=_SCHEME_NAME["$1$"]))
        elif u.hash_scheme == "other":
            out.append(finding(Status.MANUAL, "password hash scheme not recognised: check it by hand",
                               paths=(PASSWORD,), obj=u.name, scheme=_SCHEME_NAME["other"]))
    if out:
        return out
    with_pw = [u for u in _users(facts) if u.hash_scheme != "none"]
    return [finding(Status.PASS, "no local user password is cleartext or MD5", paths=(PASSWORD,),
                    users_with_password=len(with_pw),
                    schemes=", ".join(sorted({_SCHEME_NAME.get(u.hash_scheme, u.hash_scheme)
                                              for u in with_pw})) or "none")]


@rule("SD-HASH-003", "No local user has a well-known default password", Severity.CRITICAL, objects=("user",),
      rationale="""
The local install and the NSO examples create users such as admin/admin and
oper/oper. A CDB carrying such a user gives anyone full access as soon as local
authentication is (or becomes) enabled. The guidance says never to use default
passwords.""",
      remediation="Delete the user or set a strong password for it; exclude credentials from "
                  "aaa_init.xml unless local authentication is explicitly needed.",
      section="AAA > Customizing AAA Configuration", paths=(PASSWORD,), references=(AAA_GUIDE,),
      tags=("hashing", "authentication", "cdb"), needs=("cdb",),
      manual="check that no local user in the running NSO (and in aaa_init.xml) keeps a default "
             "password such as admin/admin or oper/oper",
      example=AAA_USER_EXAMPLE.format(name="admin", password="<password>$0$changeme</password>"),
      fix_example=AAA_USER_EXAMPLE.format(name="admin", password="<!-- no password: authenticates through PAM -->"))
def default_passwords(facts: Facts) -> Sequence[Finding]:
    if facts.cdb is None or facts.cdb.users is None:
        return _no_user_data(facts)
    # The message names the user only: the password is never known to the check.
    out = [finding(Status.FAIL, "password is a well-known default", paths=(PASSWORD,), obj=u.name,
                   scheme=_SCHEME_NAME.get(u.hash_scheme, u.hash_scheme))
           for u in _users(facts) if u.default_password]
    return out or [finding(Status.PASS, "no local user has a well-known default password",
                           paths=(PASSWORD,), users_checked=len(_users(facts)))]
