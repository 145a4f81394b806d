"""AAA, NACM and device facts from CDB XML: init files (aaa_init.xml, ...) and exports.

Accepted shapes: a `<config xmlns="http://tail-f.com/ns/config/1.0">` wrapper (CDB
init files and `show running-config ... | display xml`), a NETCONF `<data>` /
`<rpc-reply><data>` reply, or a bare `<aaa>`, `<nacm>`, `<devices>`, `<ssh>`,
`<high-availability>` root. Elements are recognised by namespace URI, never by
prefix or local name alone, so another module's `<devices>` is not mistaken for NSO's.

Secrets never leave this module: a password is reduced on sight to its scheme and a
"well-known default" flag (facts/credentials.py), an authgroup password to "default
credentials or not", the HA token to "set or not".

Scale: one lxml parse, then plain loops over children (no XPath per entry), so
10,000 users, 5,000 NACM rules and 20,000 devices parse in a few seconds.
"""
from __future__ import annotations

import os
from dataclasses import replace
from typing import Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

from lxml import etree

from ..errors import InputError
from ..xmlsafe import CDB_MAX_BYTES, CDB_MAX_ELEMENTS, parse_bytes, read_bytes
from .cdb_merge import merged_roots
from .credentials import classify_hash, matches_default
from .types import (Algorithms, AuthgroupFacts, CdbFacts, DeviceFacts, DeviceProfileFacts, NacmCmdRule,
                    NacmFacts, NacmGroup, NacmRule, NacmRuleList, UmapFacts, UserFacts)
from .wellknown import device_credential_verdict

AAA_NS = "http://tail-f.com/ns/aaa/1.1"
NACM_NS = "urn:ietf:params:xml:ns:yang:ietf-netconf-acm"
TAILF_ACM_NS = "http://tail-f.com/yang/acm"
NCS_NS = "http://tail-f.com/ns/ncs"
CONFIG_NS = "http://tail-f.com/ns/config/1.0"
NETCONF_NS = "urn:ietf:params:xml:ns:netconf:base:1.0"

_AAA = f"{{{AAA_NS}}}aaa"
_NACM = f"{{{NACM_NS}}}nacm"
_DEVICES = f"{{{NCS_NS}}}devices"
_SSH = f"{{{NCS_NS}}}ssh"
_HA = f"{{{NCS_NS}}}high-availability"
_ROOTS = (_AAA, _NACM, _DEVICES, _SSH, _HA)
_WRAPPERS = (f"{{{CONFIG_NS}}}config", f"{{{NETCONF_NS}}}data", f"{{{NETCONF_NS}}}rpc-reply")
SSH_ALGORITHM_KINDS = ("public-key", "kex", "mac", "cipher")


def _kids(el: etree._Element, namespaces: Tuple[str, ...]) -> Iterator[Tuple[str, etree._Element]]:
    """(local name, child) for element children in one of `namespaces`."""
    for c in el:
        tag = c.tag
        if not isinstance(tag, str) or tag[0] != "{":
            continue
        ns, _, name = tag[1:].partition("}")
        if ns in namespaces:
            yield name, c


def _index(el: etree._Element, namespaces: Tuple[str, ...]) -> Dict[str, List[etree._Element]]:
    out: Dict[str, List[etree._Element]] = {}
    for name, c in _kids(el, namespaces):
        out.setdefault(name, []).append(c)
    return out


def _text(idx: Dict[str, List[etree._Element]], name: str) -> Optional[str]:
    els = idx.get(name)
    if not els:
        return None
    return (els[0].text or "").strip()


def _texts(idx: Dict[str, List[etree._Element]], name: str) -> Tuple[str, ...]:
    return tuple((e.text or "").strip() for e in idx.get(name, ()) if (e.text or "").strip())


def _key(idx: Dict[str, List[etree._Element]], key: str, what: str, name: str) -> str:
    v = _text(idx, key)
    if not v:
        raise InputError(f"{name}: {what} entry without <{key}>")
    return v


def _roots(root: etree._Element) -> Iterator[etree._Element]:
    """The data roots inside whatever wrapper the file uses."""
    if root.tag in _ROOTS:
        yield root
        return
    if root.tag in _WRAPPERS:
        for c in root:
            if c.tag in _ROOTS:
                yield c
            elif c.tag in _WRAPPERS:  # <rpc-reply><data>...</data></rpc-reply>
                yield from _roots(c)


# --- /aaa -----------------------------------------------------------------------

def _users(aaa: etree._Element, name: str) -> Tuple[UserFacts, ...]:
    out: List[UserFacts] = []
    for tag, auth in _kids(aaa, (AAA_NS,)):
        if tag != "authentication":
            continue
        for tag2, users in _kids(auth, (AAA_NS,)):
            if tag2 != "users":
                continue
            for tag3, u in _kids(users, (AAA_NS,)):
                if tag3 != "user":
                    continue
                idx = _index(u, (AAA_NS,))
                uname = _key(idx, "name", "/aaa/authentication/users/user", name)
                pw = _text(idx, "password")
                ipc = _text(idx, "local_ipc_access")
                # The password is reduced here and not kept.
                out.append(UserFacts(name=uname, hash_scheme=classify_hash(pw),
                                     default_password=matches_default(uname, pw),
                                     local_ipc_access=None if ipc is None else ipc.lower() == "true"))
    return tuple(out)


# --- /nacm ----------------------------------------------------------------------

_ACM = (NACM_NS, TAILF_ACM_NS)  # tailf-acm augments /nacm: its leaves sit among NACM's


def _nacm(el: etree._Element, name: str) -> NacmFacts:
    idx = _index(el, _ACM)
    enable = _text(idx, "enable-nacm")
    groups: List[NacmGroup] = []
    for g in (g for gs in idx.get("groups", ()) for t, g in _kids(gs, _ACM) if t == "group"):
        gi = _index(g, _ACM)
        groups.append(NacmGroup(_key(gi, "name", "/nacm/groups/group", name), _texts(gi, "user-name")))
    lists: List[NacmRuleList] = []
    for rl in idx.get("rule-list", ()):
        ri = _index(rl, _ACM)
        rules: List[NacmRule] = []
        for r in ri.get("rule", ()):
            i = _index(r, _ACM)
            rules.append(NacmRule(
                name=_key(i, "name", "/nacm/rule-list/rule", name), module_name=_text(i, "module-name"),
                path=_text(i, "path"), rpc_name=_text(i, "rpc-name"),
                access_operations=_text(i, "access-operations"), action=_text(i, "action") or "deny",
                context=_text(i, "context"), notification_name=_text(i, "notification-name")))
        cmdrules: List[NacmCmdRule] = []
        for r in ri.get("cmdrule", ()):
            i = _index(r, _ACM)
            cmdrules.append(NacmCmdRule(
                name=_key(i, "name", "/nacm/rule-list/cmdrule", name), command=_text(i, "command"),
                access_operations=_text(i, "access-operations"), action=_text(i, "action") or "deny",
                context=_text(i, "context")))
        lists.append(NacmRuleList(_key(ri, "name", "/nacm/rule-list", name), _texts(ri, "group"),
                                  tuple(rules), tuple(cmdrules)))
    return NacmFacts(
        enable_nacm=None if enable is None else enable.lower() == "true",
        read_default=_text(idx, "read-default"), write_default=_text(idx, "write-default"),
        exec_default=_text(idx, "exec-default"), cmd_read_default=_text(idx, "cmd-read-default"),
        cmd_exec_default=_text(idx, "cmd-exec-default"), groups=tuple(groups), rule_lists=tuple(lists))


# --- /devices -------------------------------------------------------------------

def _cleartext(value: str) -> Optional[str]:
    """The cleartext of an authgroup password when it is visible, else None.

    `$0$x` is cleartext input by definition. `$7$`/`$8$`/`$9$` are encrypted with the
    deployment's keys and cannot be compared without them. A value with no `$n$`
    prefix: whether NSO takes it as cleartext is not documented (UNVERIFIED), so it
    is compared as cleartext: a false "default" is less harmful than a missed admin/admin.
    """
    if value.startswith("$0$"):
        return value[3:]
    if len(value) >= 3 and value[0] == "$" and value[2] == "$" and value[1].isdigit():
        return None
    return value


def _umap(el: etree._Element, local_user: str) -> UmapFacts:
    i = _index(el, (NCS_NS,))
    same_user = "same-user" in i
    remote = local_user if same_user and local_user != "default-map" else _text(i, "remote-name")
    pw = _text(i, "remote-password")
    cred = ("remote-password" if pw is not None else "same-pass" if "same-pass" in i
            else "public-key" if "public-key" in i else None)
    default = unchecked = False
    if pw:
        default, unchecked = device_credential_verdict(remote, _cleartext(pw))
    return UmapFacts(local_user=local_user, remote_name=remote, same_user=same_user, credential=cred,
                     default_credentials=default, password_unchecked=unchecked)


def _algorithms(el: etree._Element) -> Algorithms:
    out = []
    for tag, alg in _kids(el, (NCS_NS,)):
        if tag != "ssh-algorithms":
            continue
        ai = _index(alg, (NCS_NS,))
        for kind in SSH_ALGORITHM_KINDS:
            # leaf-list entries, or one comma/space separated value: accept both.
            names = tuple(n for t in _texts(ai, kind) for n in t.replace(",", " ").split())
            if names:
                out.append((kind, names))
    return tuple(out)


def _devices(el: etree._Element, name: str) -> Tuple[Tuple[DeviceFacts, ...], Optional[Tuple[AuthgroupFacts, ...]],
                                                     Algorithms,
                                                     Tuple[DeviceProfileFacts, ...]]:
    devices: List[DeviceFacts] = []
    profiles: List[DeviceProfileFacts] = []
    groups: Optional[List[AuthgroupFacts]] = None  # None: no <authgroups> seen
    global_algs: Algorithms = ()
    for tag, c in _kids(el, (NCS_NS,)):
        if tag == "device":
            i = _index(c, (NCS_NS,))
            hkv = next((_text(_index(s, (NCS_NS,)), "host-key-verification") for s in i.get("ssh", ())), None)
            devices.append(DeviceFacts(name=_key(i, "name", "/devices/device", name),
                                       host_key_verification=hkv, authgroup=_text(i, "authgroup"),
                                       ssh_algorithms=_algorithms(c)))
        elif tag == "authgroups":
            groups = groups if groups is not None else []
            for t2, g in _kids(c, (NCS_NS,)):
                if t2 != "group":
                    continue
                gi = _index(g, (NCS_NS,))
                maps = [_umap(m, "default-map") for m in gi.get("default-map", ())]
                for m in gi.get("umap", ()):
                    maps.append(_umap(m, _key(_index(m, (NCS_NS,)), "local-user", "umap", name)))
                groups.append(AuthgroupFacts(_key(gi, "name", "/devices/authgroups/group", name), tuple(maps)))
        elif tag == "global-settings":
            global_algs = _merge_algorithms(global_algs, _algorithms(c))
        elif tag == "profiles":
            # /devices/profiles/profile{name}/ssh-algorithms: NSO-FACTS §5 says algorithms
            # are also set per profile; this exact path is UNVERIFIED (no public tailf-ncs).
            for t2, p in _kids(c, (NCS_NS,)):
                if t2 == "profile":
                    profiles.append(DeviceProfileFacts(_key(_index(p, (NCS_NS,)), "name", "/devices/profiles/profile",
                                                            name), _algorithms(p)))
    return tuple(devices), (tuple(groups) if groups is not None else None), global_algs, tuple(profiles)


# --- files ----------------------------------------------------------------------

def _data_roots(data: bytes, name: str) -> List[etree._Element]:
    root = parse_bytes(data, name, CDB_MAX_ELEMENTS)
    roots = list(_roots(root))
    if not roots:
        raise InputError(f"{name}: no AAA, NACM or device data found (expected <aaa>, <nacm> or "
                         f"<devices> in their NSO namespaces, bare or inside <config xmlns=\"{CONFIG_NS}\">)")
    if len({r.tag for r in roots}) < len(roots):   # e.g. two <aaa> blocks: merged like two loads
        return merged_roots([roots])
    return roots


def parse_cdb_xml(data: bytes, name: str) -> CdbFacts:
    """Facts from one CDB XML document. No AAA/NACM/device data at all: InputError."""
    return _facts(_data_roots(data, name), name, (name,))


def _facts(roots: Sequence[etree._Element], name: str, sources: Tuple[str, ...]) -> CdbFacts:
    users: Optional[Tuple[UserFacts, ...]] = None
    nacm: Optional[NacmFacts] = None
    devices: Optional[Tuple[DeviceFacts, ...]] = None
    authgroups: Optional[Tuple[AuthgroupFacts, ...]] = None
    global_hkv: Optional[str] = None
    global_algs: Algorithms = ()
    profiles: Tuple[DeviceProfileFacts, ...] = ()
    ha_token: Optional[bool] = None
    for r in roots:
        if r.tag == _AAA:
            users = (users or ()) + _users(r, name)
        elif r.tag == _NACM:
            nacm = _merge_nacm(nacm, _nacm(r, name))
        elif r.tag == _DEVICES:
            d, g, a, p = _devices(r, name)
            devices = _merge_devices(devices, d)
            profiles = _merge_profiles(profiles, p)
            if g is not None:
                authgroups = (authgroups or ()) + g
            global_algs = _merge_algorithms(global_algs, a)
        elif r.tag == _SSH:
            global_hkv = _text(_index(r, (NCS_NS,)), "host-key-verification") or global_hkv
        elif r.tag == _HA:
            # Presence only: the token is a shared secret and is not kept.
            ha_token = bool(_text(_index(r, (NCS_NS,)), "token")) or bool(ha_token)
    return CdbFacts(sources=sources, users=users, nacm=nacm, global_host_key_verification=global_hkv,
                    devices=devices, authgroups=authgroups, global_ssh_algorithms=global_algs,
                    ha_token_set=ha_token, profiles=profiles)


def _by_name(old: Optional[Sequence], new: Optional[Sequence], key: str = "name") -> Optional[Tuple]:
    """Merge two lists keyed by `key`: entries of `new` replace same-named ones of `old`."""
    if old is None:
        return tuple(new) if new is not None else None
    if new is None:
        return tuple(old)
    merged = {getattr(x, key): x for x in old}
    for x in new:
        merged[getattr(x, key)] = x
    return tuple(merged.values())


def _merge_algorithms(old: Algorithms, new: Algorithms) -> Algorithms:
    """Leaf-lists loaded twice hold the entries of both (what a merge load keeps; and
    for an audit, a weak algorithm from either file must not disappear)."""
    merged: Dict[str, List[str]] = {}
    for kind, names in (*old, *new):
        merged.setdefault(kind, [])
        merged[kind] += [n for n in names if n not in merged[kind]]
    return tuple((k, tuple(merged[k])) for k in SSH_ALGORITHM_KINDS if merged.get(k))


def _merge_profiles(old: Sequence[DeviceProfileFacts], new: Sequence[DeviceProfileFacts]) -> Tuple[DeviceProfileFacts, ...]:
    out: Dict[str, DeviceProfileFacts] = {p.name: p for p in old}
    for p in new:
        prev = out.get(p.name)
        out[p.name] = p if prev is None else replace(
            prev, ssh_algorithms=_merge_algorithms(prev.ssh_algorithms, p.ssh_algorithms))
    return tuple(out.values())


def _merge_devices(old: Optional[Sequence[DeviceFacts]],
                   new: Optional[Sequence[DeviceFacts]]) -> Optional[Tuple[DeviceFacts, ...]]:
    """By name; a device in both keeps the later leaves and the algorithms of both."""
    if old is None or new is None:
        return _by_name(old, new)
    out: Dict[str, DeviceFacts] = {d.name: d for d in old}
    for d in new:
        prev = out.get(d.name)
        out[d.name] = d if prev is None else replace(
            d, host_key_verification=d.host_key_verification or prev.host_key_verification,
            authgroup=d.authgroup or prev.authgroup,
            ssh_algorithms=_merge_algorithms(prev.ssh_algorithms, d.ssh_algorithms))
    return tuple(out.values())


def _merge_nacm(old: Optional[NacmFacts], new: NacmFacts) -> NacmFacts:
    if old is None:
        return new
    leaves = {f: getattr(new, f) if getattr(new, f) is not None else getattr(old, f)
              for f in ("enable_nacm", "read_default", "write_default", "exec_default",
                        "cmd_read_default", "cmd_exec_default")}
    return NacmFacts(groups=_by_name(old.groups, new.groups) or (),
                     rule_lists=_by_name(old.rule_lists, new.rule_lists) or (), **leaves)


def read_cdb_files(paths: Iterable[str]) -> CdbFacts:
    """Merged facts of several files, loaded in order and merged the way CDB merges
    init files (leaf by leaf, lists by key). A run/cdb folder also holds other
    packages' init files: those without AAA/NACM/device data are skipped; only when no
    file has any is it an InputError."""
    paths = [os.fspath(p) for p in paths]
    if not paths:
        raise InputError("no CDB XML files given")
    loaded: List[Tuple[str, List[etree._Element]]] = []
    skipped: List[str] = []
    out: Optional[CdbFacts] = None
    for p in paths:
        try:
            roots = _data_roots(read_bytes(p, CDB_MAX_BYTES), p)
        except InputError as e:
            if "no AAA, NACM or device data found" not in str(e):
                raise
            skipped.append(p)
            continue
        out = _facts(roots, p, (p,))     # each file on its own first: errors name the file
        loaded.append((p, roots))
    if out is None:
        raise InputError(f"{', '.join(skipped)}: no AAA, NACM or device data found")
    if len(loaded) == 1:
        return out
    sources = tuple(p for p, _ in loaded)
    return _facts(merged_roots([r for _, r in loaded]), ", ".join(sources), sources)
