"""Rule documentation helpers: links for references, and the kinds of objects findings carry.

References. Rules name their references in words (readable in a terminal, stable
when a site moves); reports and `explain` add the URL found here. The NSO pages live
on nso-docs.cisco.com, whose paths follow the NSO-developer/nso-gitbook repository's
layout (administration/... -> /guides/administration/..., resources/man/X.md ->
/resources/man/X). A reference without a known page gets no URL rather than a guess.

Object kinds. A finding's `object` is what a waiver's `object` must equal to waive
only that finding, and what identifies it across runs. Each rule declares the kinds
its findings carry (RuleMeta.objects); `explain` lists them and `waivers check` fails
a waiver whose object no declared kind can produce, which would otherwise match
nothing, silently. The registry test checks that every finding of every fixture
carries only declared kinds.
"""
from __future__ import annotations

import re
from typing import Dict, Optional, Sequence, Tuple

from .frozen import frozen

NSO_DOCS = "https://nso-docs.cisco.com"
_ADMIN = f"{NSO_DOCS}/guides/administration"
_OPS = f"{NSO_DOCS}/guides/operation-and-usage"

# (prefix of the reference text, page). The longest matching prefix wins.
_PAGES: Tuple[Tuple[str, str], ...] = (
    ("NSO Administration Guide: AAA Infrastructure", f"{_ADMIN}/management/aaa-infrastructure"),
    ("NSO Administration Guide: Advanced Topics > Cryptographic Keys",
     f"{_ADMIN}/advanced-topics/cryptographic-keys"),
    ("NSO Administration Guide: IPC Connection", f"{_ADMIN}/advanced-topics/ipc-connection"),
    ("NSO Administration Guide: High Availability", f"{_ADMIN}/management/high-availability"),
    ("NSO Administration Guide: System Install", f"{_ADMIN}/installation-and-deployment/system-install"),
    ("NSO Administration Guide: Deployment Example",
     f"{_ADMIN}/installation-and-deployment/deployment/deployment-example"),
    ("NSO Administration Guide: Secure Deployment",
     f"{_ADMIN}/installation-and-deployment/deployment/secure-deployment"),
    ("NSO Administration Guide", _ADMIN),
    ("NSO Operation & Usage Guide", _OPS),
    ("NSO User Guide", _OPS),
    ("nftables wiki: Meters", "https://wiki.nftables.org/wiki-nftables/index.php/Meters"),
    ("iptables-extensions(8)", "https://ipset.netfilter.org/iptables-extensions.man.html"),
)
# Cisco's Secure Deployment guidance, which every rule's `section` refers to.
GUIDANCE_URL = f"{_ADMIN}/installation-and-deployment/deployment/secure-deployment"
_RFC = re.compile(r"^RFC\s*(\d{3,5})\b", re.IGNORECASE)
_MAN = re.compile(r"^(ncs[a-z_.-]*)\((\d)\)")


def reference_url(reference: str) -> Optional[str]:
    """The web page of a reference, or None when none is known."""
    text = reference.strip()
    if text.startswith(("https://", "http://")):
        return text
    m = _RFC.match(text)
    if m:
        return f"https://www.rfc-editor.org/rfc/rfc{int(m.group(1))}"
    m = _MAN.match(text)
    if m:
        return f"{NSO_DOCS}/resources/man/{m.group(1)}.{m.group(2)}"
    best = max((p for p in _PAGES if text.startswith(p[0])), key=lambda p: len(p[0]), default=None)
    return best[1] if best else None


def with_url(reference: str) -> str:
    """`reference <url>` for plain-text output; the reference alone when no URL is known."""
    url = reference_url(reference)
    return f"{reference} <{url}>" if url and url != reference else reference


# ---------------------------------------------------------------- object kinds

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
    ObjectKind("ncs-conf-element", "an element of ncs.conf by its path", "/ncs-config/cli/ssh/enabled",
               r"/ncs-config(/.*)?"),
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


__all__ = ["reference_url", "with_url", "NSO_DOCS", "GUIDANCE_URL", "ObjectKind", "KINDS", "kinds_of",
           "matching_kind", "WEB_TRANSPORTS", "HA_TLS_FILES", "SSH_ALGORITHM_CLASSES"]
