"""CDB facts read through MAAPI: the same CdbFacts facts/cdb.py builds from XML.

Bulk reads keep the cost independent of the deployment's size: users and devices
come from XPath queries fetched in chunks (`query_start` + one `query_result` per
CHUNK rows), so 10,000 users cost three round trips, not 10,000. Only the
small, per-object extras are read one by one: NACM groups and rule lists (tens),
authgroups (a handful) and the few devices that override SSH algorithms.

Secrets never leave this module: a password hash is classified (scheme, "is a
well-known default") by facts/credentials.py and dropped; an authgroup password is
decrypted only to compare it with the well-known defaults, then dropped.

Sections follow facts/cdb.py: a section whose YANG module is loaded exists in
NSO (users (), an empty NacmFacts, devices ()...), exactly as the standalone reader
sees a file that has the section's root element; only a module NSO does not load
gives None. The one difference left is data only NSO has: an encrypted authgroup
password is decrypted here and compared with the defaults, where the standalone
reader cannot (it sees `$9$...`).
"""
from __future__ import annotations

from typing import Any, Callable, List, Optional, Sequence, Tuple

import _ncs
import ncs

from ..facts import credentials
from ..facts.wellknown import device_credential_verdict
from ..facts.types import (NSO_CDB_SOURCE, Algorithms, AuthgroupFacts, CdbFacts, DeviceFacts,
                           DeviceProfileFacts, NacmCmdRule, NacmFacts, NacmGroup, NacmRule, NacmRuleList,
                           UmapFacts, UserFacts)

# Rows per query_result round trip. A row is a few short strings (name, hash,
# enum values), so 5000 rows stay well under a megabyte while 10,000 users cost
# three round trips.
CHUNK = 5000
NACM_LEAVES = ("enable-nacm", "read-default", "write-default", "exec-default", "cmd-read-default",
               "cmd-exec-default")
SOURCE = NSO_CDB_SOURCE
SSH_ALGORITHM_KINDS = ("public-key", "kex", "mac", "cipher")
USERS = "/aaa/authentication/users/user"
NACM = "/nacm"
DEVICES = "/devices/device"
AUTHGROUPS = "/devices/authgroups/group"
GLOBAL_HKV = "/ssh/host-key-verification"
GLOBAL_ALGOS = "/devices/global-settings/ssh-algorithms"
# NSO-FACTS §5: client algorithms are also set per device profile; this path is
# UNVERIFIED (no public tailf-ncs YANG). Where it does not exist, _section gives ().
PROFILES = "/devices/profiles/profile"
HA = "/high-availability"

Decrypt = Callable[[str], Optional[str]]


class ModuleMissing(Exception):
    """The YANG module of a section is not loaded in this NSO."""


def _not_loaded(exc: Exception) -> bool:
    # A node outside the loaded schema: the section does not exist in this NSO (e.g.
    # no tailf-ncs-high-availability), which is "no data", not an error. A keypath
    # (get_elem, exists) reports it as ERR_BADPATH, an XPath query as ERR_XPATH
    # (pyapi/_ncs.md error numbers).
    return isinstance(exc, _ncs.error.Error) and getattr(exc, "confd_errno", None) in (_ncs.ERR_BADPATH,
                                                                                        _ncs.ERR_XPATH)


def _text(v: Any) -> Optional[str]:
    # QUERY_STRING gives None or "" for an absent leaf (which one is UNVERIFIED in NSO).
    if v is None:
        return None
    s = str(v)
    return s if s != "" else None


def query(t: Any, expr: str, select: Sequence[str], chunk: int = CHUNK) -> List[List[Optional[str]]]:
    """All rows of an XPath query as strings, fetched CHUNK rows per round trip.

    The calls are the ones NSO's API has (pyapi/_ncs.maapi.md): query_start takes the
    transaction handle, so the Transaction offers it; query_result and query_stop take
    the MAAPI socket and the query handle, so they are called on the transaction's
    Maapi (`t.maapi`, pyapi/ncs.maapi.md Transaction), which offers every
    `_ncs.maapi` function taking the socket (NSO-FACTS section 7). A Transaction has
    no query_result/query_stop. (ncs.experimental.Query makes the same calls but is
    documented as unsupported, and always costs one more round trip.)"""
    rows: List[List[Optional[str]]] = []
    m = t.maapi
    qh = t.query_start(expr, "/", chunk, 1, ncs.QUERY_STRING, list(select), [])
    try:
        while True:
            res = m.query_result(qh)
            if res.nresults == 0:
                break
            rows.extend([_text(v) for v in row] for row in res)
            if res.nresults < chunk:
                break      # a short chunk is the last one: saves the empty round trip
    finally:
        m.query_stop(qh)
    return rows


def read_global_hkv(t: Any) -> Optional[str]:
    """/ssh/host-key-verification as its label ("none", "reject-unknown", ...).

    It is an enumeration: get_elem gives a Value whose string form needs the schema
    (Value.val2str, pyapi/_ncs.md), so it is read with a QUERY_STRING query, which
    gives every value as its string (pyapi/_ncs.maapi.md query_start). Like every
    XPath evaluation the query sees the YANG default when the leaf is unset; the
    checks apply the same default to None."""
    parent, leaf = GLOBAL_HKV.rsplit("/", 1)
    rows = query(t, parent, [leaf])
    return rows[0][0] if rows else None


def _leaf_list(t: Any, path: str) -> Tuple[str, ...]:
    """A whole leaf-list in one round trip: get_elem returns it as one C_LIST value."""
    try:
        v = t.get_elem(path)
    except _ncs.error.Error as exc:
        if getattr(exc, "confd_errno", None) == _ncs.ERR_NOEXISTS:
            return ()
        raise
    py = v.as_pyval() if hasattr(v, "as_pyval") else v
    if isinstance(py, (list, tuple)):
        return tuple(str(x) for x in py)
    return tuple(str(v).split())   # the string form of a C_LIST is space separated


def _bool(v: Optional[str]) -> Optional[bool]:
    return None if v is None else v.strip().lower() == "true"


def kp_key(value: str) -> str:
    """A list key inside a keypath `{...}`: quoted when it holds spaces, quotes or braces."""
    if value and not any(c in value for c in ' \t"\\{}'):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _quote(value: str) -> str:
    return f'"{value}"' if "'" in value else f"'{value}'"


# ---------------------------------------------------------------- users

def read_users(t: Any) -> Optional[Tuple[UserFacts, ...]]:
    try:
        rows = query(t, USERS, ["name", "password", "local_ipc_access"])
    except _ncs.error.Error as exc:
        if not _not_loaded(exc):
            raise
        # tailf-aaa before 6.4 has no local_ipc_access
        rows = [r + [None] for r in query(t, USERS, ["name", "password"])]
    users = []
    for name, password, ipc in rows:
        assert name is not None
        users.append(UserFacts(name=name, hash_scheme=credentials.classify_hash(password),
                               default_password=credentials.matches_default(name, password),
                               local_ipc_access=_bool(ipc)))
        password = None  # noqa: F841 - the hash is not kept beyond this loop
    return tuple(users)


# ---------------------------------------------------------------- NACM

def read_nacm(t: Any) -> Optional[NacmFacts]:
    # One query for the six global leaves. Like every XPath evaluation it sees YANG
    # defaults (RFC 7950 6.4.1), so an unset leaf reads as its default here, where
    # the standalone reader says None; the checks apply the same defaults to None.
    top = query(t, NACM, list(NACM_LEAVES))
    leaves = dict(zip(NACM_LEAVES, top[0] if top else [None] * len(NACM_LEAVES)))
    groups = tuple(NacmGroup(name=str(g), users=_leaf_list(t, f"{NACM}/groups/group{{{kp_key(str(g))}}}/user-name"))
                   for (g,) in query(t, f"{NACM}/groups/group", ["name"]))
    rule_lists = []
    for (name,) in query(t, f"{NACM}/rule-list", ["name"]):
        assert name is not None
        where = f"{NACM}/rule-list[name={_quote(name)}]"
        rules = tuple(
            NacmRule(name=str(r[0]), module_name=r[1], path=r[2], rpc_name=r[3], access_operations=r[4],
                     action=r[5] or "deny", context=r[6], notification_name=r[7])
            for r in query(t, f"{where}/rule", ["name", "module-name", "path", "rpc-name",
                                                "access-operations", "action", "context",
                                                "notification-name"]))
        cmdrules = tuple(
            NacmCmdRule(name=str(r[0]), context=r[1], command=r[2], access_operations=r[3],
                        action=r[4] or "deny")
            for r in query(t, f"{where}/cmdrule", ["name", "context", "command", "access-operations",
                                                   "action"]))
        rule_lists.append(NacmRuleList(name=name, groups=_leaf_list(t, f"{NACM}/rule-list{{{kp_key(name)}}}/group"),
                                       rules=rules, cmdrules=cmdrules))
    return NacmFacts(enable_nacm=_bool(leaves["enable-nacm"]), read_default=leaves["read-default"],
                     write_default=leaves["write-default"], exec_default=leaves["exec-default"],
                     cmd_read_default=leaves["cmd-read-default"], cmd_exec_default=leaves["cmd-exec-default"],
                     groups=groups, rule_lists=tuple(rule_lists))


# ---------------------------------------------------------------- devices

def _algorithms(t: Any, base: str, known_set: bool = False) -> Algorithms:
    """SSH algorithm leaf-lists under `base` (a global-settings or device container)."""
    if not known_set:
        # One query tells which kinds are set at all (usually none).
        rows = query(t, base, list(SSH_ALGORITHM_KINDS))
        if not rows or not any(rows[0]):
            return ()
    out = []
    for kind in SSH_ALGORITHM_KINDS:
        values = _leaf_list(t, f"{base}/{kind}")
        if values:
            out.append((kind, values))
    return tuple(out)


def read_devices(t: Any) -> Optional[Tuple[DeviceFacts, ...]]:
    # Per-device SSH algorithms are rare. Selecting a leaf-list in a query gives
    # either its first value or all of them (UNVERIFIED which); both are non-empty
    # exactly when the device sets that kind, which is all this needs to know. The
    # full lists are then read only for those devices.
    kinds = [f"ssh-algorithms/{k}" for k in SSH_ALGORITHM_KINDS]
    rows = query(t, DEVICES, ["name", "ssh/host-key-verification", "authgroup", *kinds])
    devices = []
    for name, hkv, group, *markers in rows:
        algos = _algorithms(t, f"{DEVICES}{{{kp_key(str(name))}}}/ssh-algorithms", known_set=True) \
            if any(markers) else ()
        devices.append(DeviceFacts(name=str(name), host_key_verification=hkv, authgroup=group,
                                   ssh_algorithms=algos))
    return tuple(devices)


def read_profiles(t: Any) -> Tuple[DeviceProfileFacts, ...]:
    # As for devices: one query marks the profiles that set algorithms at all.
    kinds = [f"ssh-algorithms/{k}" for k in SSH_ALGORITHM_KINDS]
    out = []
    for name, *markers in query(t, PROFILES, ["name", *kinds]):
        algos = _algorithms(t, f"{PROFILES}{{{kp_key(str(name))}}}/ssh-algorithms", known_set=True) \
            if any(markers) else ()
        out.append(DeviceProfileFacts(name=str(name), ssh_algorithms=algos))
    return tuple(out)


def _cleartext(value: str, decrypt: Decrypt) -> Optional[str]:
    # $0$ is cleartext input; $7$/$8$/$9$ are decrypted with NSO's keys; a value
    # without a $n$ prefix is compared as cleartext, as facts/cdb.py does.
    if len(value) >= 3 and value[0] == "$" and value[2] == "$" and value[1].isdigit():
        return decrypt(value)
    return value


def _umap(node: Any, local_user: str, decrypt: Decrypt) -> UmapFacts:
    # Same reduction as facts/cdb.py._umap, field by field.
    same_user = bool(node.same_user)
    remote = local_user if same_user and local_user != "default-map" else _text(node.remote_name)
    pw = _text(node.remote_password)
    if pw is not None:
        cred: Optional[str] = "remote-password"
    elif node.same_pass:
        cred = "same-pass"
    elif _has_public_key(node):
        cred = "public-key"
    else:
        cred = None
    default = unchecked = False
    if pw:
        # Only a compare: the cleartext is not stored, logged or returned.
        default, unchecked = device_credential_verdict(remote, _cleartext(pw, decrypt))
    pw = None  # noqa: F841
    return UmapFacts(local_user=local_user, remote_name=remote, same_user=same_user, credential=cred,
                     default_credentials=default, password_unchecked=unchecked)


def _has_public_key(node: Any) -> bool:
    """Whether the umap's credential is `public-key` (NSO-FACTS section 5).

    The public tailf-ncs YANG is not available, so its shape is UNVERIFIED. As a
    presence container (how the test model has it) maagic gives a PresenceContainer
    whose exists() says it (pyapi/ncs.maagic.md). Any other shape is not guessed from
    its children: the credential is then reported as not known (None)."""
    try:
        pk = node.public_key
    except AttributeError:
        return False
    return isinstance(pk, ncs.maagic.PresenceContainer) and bool(pk.exists())


def read_authgroups(t: Any, decrypt: Decrypt) -> Optional[Tuple[AuthgroupFacts, ...]]:
    groups = []
    for (name,) in query(t, AUTHGROUPS, ["name"]):
        assert name is not None
        g = ncs.maagic.get_node(t, f"{AUTHGROUPS}{{{kp_key(name)}}}")
        maps = []
        dm = g.default_map
        # default-map is a presence container in NSO; tolerate a non-presence one.
        present = dm.exists() if callable(getattr(dm, "exists", None)) else (
            dm.remote_name is not None or dm.same_user or dm.remote_password is not None or dm.same_pass)
        if present:
            maps.append(_umap(dm, "default-map", decrypt))
        for um in g.umap:
            maps.append(_umap(um, str(um.local_user), decrypt))
        groups.append(AuthgroupFacts(name=name, maps=tuple(maps)))
    return tuple(groups)


def read_ha_token(t: Any) -> Optional[bool]:
    # Presence only: the token is a shared secret and is never read.
    return bool(t.exists(f"{HA}/token"))


# ---------------------------------------------------------------- all of it

def _section(fn: Callable[[], Any]) -> Any:
    """A section's facts; None when its YANG module is not loaded in this NSO.

    An unknown node is ERR_BADPATH for a keypath, ERR_XPATH for a query, KeyError in maagic.
    """
    try:
        return fn()
    except KeyError:
        return None
    except _ncs.error.Error as exc:
        if _not_loaded(exc):
            return None
        raise


def make_decrypt(maapi: Any) -> Decrypt:
    """Decrypt $7$/$8$/$9$ values with NSO's keys; $0$ is cleartext input.

    install_crypto_keys() is called once, on first use. A value that cannot be
    decrypted is "unknown" (None): it is then not reported as a default credential.
    """
    state = {"installed": False}

    def decrypt(value: str) -> Optional[str]:
        if value.startswith("$0$"):
            return value[3:]
        if not value[:3] in ("$7$", "$8$", "$9$"):
            return None
        try:
            if not state["installed"]:
                maapi.install_crypto_keys()
                state["installed"] = True
            return str(_ncs.decrypt(value))
        except Exception:  # noqa: BLE001 - unknown, never an audit failure
            return None
    return decrypt


def read_cdb_facts(t: Any, decrypt: Decrypt) -> CdbFacts:
    """Everything the checks need from CDB, from one read transaction `t`."""
    hkv = _section(lambda: read_global_hkv(t))
    algos = _section(lambda: _algorithms(t, GLOBAL_ALGOS)) or ()
    return CdbFacts(sources=(SOURCE,),
                    users=_section(lambda: read_users(t)),
                    nacm=_section(lambda: read_nacm(t)),
                    global_host_key_verification=hkv,
                    devices=_section(lambda: read_devices(t)),
                    authgroups=_section(lambda: read_authgroups(t, decrypt)),
                    global_ssh_algorithms=algos,
                    ha_token_set=_section(lambda: read_ha_token(t)),
                    profiles=_section(lambda: read_profiles(t)) or ())
