"""Object kinds: what a rule's findings are about (a user, a file, a NACM rule, ...).

A finding's `object` is what a waiver's `object` must equal to waive only that
finding, and what identifies it across runs. Each rule declares the kinds its
findings carry (RuleMeta.objects); `explain` lists them and `waivers check` fails a
waiver whose object no declared kind can produce, which would otherwise match
nothing, silently. The registry test checks that every finding of every fixture
carries only declared kinds.
"""
from __future__ import annotations

import re
from typing import Dict, Optional, Sequence, Tuple

from .frozen import frozen


@frozen
class ObjectKind:
    """One kind of object: a name, what it is, and the form of its values."""

    name: str
    description: str
    example: str
    pattern: str            # a regular expression the whole object matches

    def matches(self, obj: str) -> bool:
        return re.fullmatch(self.pattern, obj) is not None


def _one_of(*values: str) -> str:
    return "|".join(re.escape(v) for v in values)


WEB_TRANSPORTS = ("WebUI", "RESTCONF", "RESTCONF (WebUI transport)", "RESTCONF HTTP")
HA_TLS_FILES = tuple(f"{ha} {leaf}" for ha in ("HA Raft", "rule-based HA")
                     for leaf in ("key-file", "cert-file", "ca-cert-file"))
SSH_ALGORITHM_CLASSES = ("kex", "mac", "encryption", "dh-group")

KINDS: Dict[str, ObjectKind] = {k.name: k for k in (
    ObjectKind("user", "an AAA user name (/aaa/authentication/users/user)", "admin", r"\S+"),
    ObjectKind("file", "an absolute file path on the NSO host", "/etc/ncs/ncs.conf", r"/.*"),
    ObjectKind("keys-source", "where the encryption keys are: ncs.conf (inline) or the keys file's path",
               "/etc/ncs/ncs.crypto_keys", r"ncs\.conf|/.*"),
    ObjectKind("web-transport", "a web transport: " + ", ".join(WEB_TRANSPORTS), "WebUI", _one_of(*WEB_TRANSPORTS)),
    ObjectKind("ha-tls-file", "an HA TLS file setting: " + ", ".join(HA_TLS_FILES), "HA Raft cert-file",
               _one_of(*HA_TLS_FILES)),
    ObjectKind("ssh-algorithm-class", "a class of SSH algorithms: " + ", ".join(SSH_ALGORITHM_CLASSES), "mac",
               _one_of(*SSH_ALGORITHM_CLASSES)),
    ObjectKind("nacm-rule", "a NACM rule: 'rule-list LIST / rule NAME' or '... / cmdrule NAME'",
               "rule-list oper / rule all", r"rule-list \S.* / (cmd)?rule \S.*"),
    ObjectKind("device", "a managed device name (/devices/device)", "r1", r"\S.*"),
    ObjectKind("device-profile", "a device profile: 'profile NAME'", "profile legacy", r"profile \S.*"),
    ObjectKind("global", "the global device settings: 'global'", "global", "global"),
    ObjectKind("authgroup-map", "an authgroup's user mapping: 'GROUP/LOCAL-USER'", "default/admin", r"[^/\s][^/]*/.+"),
    ObjectKind("node", "an NSO node of a fleet (its --node name)", "n1", r"\S+"),
    ObjectKind("cluster", "an HA cluster of a fleet: 'cluster NAME'", "cluster c1", r"cluster \S.*"),
    ObjectKind("node-setting", "an ncs.conf setting of one node: 'NODE: /ncs-config/...'",
               "n3: /ncs-config/crypt-hash/algorithm", r"\S+: /.+"),
)}


def kinds_of(names: Sequence[str]) -> Tuple[ObjectKind, ...]:
    unknown = [n for n in names if n not in KINDS]
    if unknown:
        raise ValueError(f"unknown object kind(s) {', '.join(unknown)} (known: {', '.join(sorted(KINDS))})")
    return tuple(KINDS[n] for n in names)


def matching_kind(obj: str, names: Sequence[str]) -> Optional[ObjectKind]:
    """The first of the declared kinds `obj` can be, or None."""
    return next((k for k in kinds_of(names) if k.matches(obj)), None)


__all__ = ["ObjectKind", "KINDS", "kinds_of", "matching_kind", "WEB_TRANSPORTS", "HA_TLS_FILES",
           "SSH_ALGORITHM_CLASSES"]
