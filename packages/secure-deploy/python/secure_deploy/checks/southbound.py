"""Southbound: how NSO authenticates managed devices and what it trusts them with.

Judged from CDB facts (/ssh, /devices). Authgroup passwords are encrypted ($8$/$9$)
and cannot be compared without the keys: facts/cdb.py only flags cleartext ($0$)
well-known defaults, so SD-SB-002 passing does not prove an encrypted password is
not admin.
"""
from __future__ import annotations

from typing import List, Optional, Sequence, Tuple

from ..facts.types import CdbFacts, Facts
from ..model import Finding, Severity, Status, finding
from ..registry import rule

SECTION = "Southbound Interface Security"
HKV_GLOBAL = "/ssh/host-key-verification"
HKV_DEVICE = "/devices/device/ssh/host-key-verification"
AUTHGROUPS = "/devices/authgroups/group"
ALGS_GLOBAL = "/devices/global-settings/ssh-algorithms"
ALGS_DEVICE = "/devices/device/ssh-algorithms"
SSH_GUIDE = "NSO User Guide: SSH Key Management"
DEFAULT_HKV = "reject-unknown"  # tailf-ncs default (NSO-FACTS §5)


def _cdb(facts: Facts) -> CdbFacts:
    assert facts.cdb is not None  # the engine only calls these rules with cdb facts
    return facts.cdb


def _no_devices() -> List[Finding]:
    return [finding(Status.NOT_APPLICABLE, "the CDB input holds no /devices or /ssh data", paths=("/devices",))]


@rule("SD-SB-001", "Device SSH host keys are verified", Severity.HIGH,
      rationale="""
With host-key-verification none, NSO accepts whatever host key a device (or
anything answering at its address) presents: a man in the middle receives the
credentials of the authgroup and can read and alter all configuration NSO pushes.
Many NSO examples set none globally for netsim convenience.""",
      remediation="Fetch and check the devices' host keys (`devices fetch-ssh-host-keys`, then compare "
                  "fingerprints) and set /ssh/host-key-verification and each device's "
                  "ssh/host-key-verification to reject-unknown.",
      section=SECTION, paths=(HKV_GLOBAL, HKV_DEVICE), references=(SSH_GUIDE,),
      tags=("southbound", "cdb"), needs=("cdb",))
def host_key_verification(facts: Facts) -> Sequence[Finding]:
    c = _cdb(facts)
    if c.devices is None and c.global_host_key_verification is None:
        return _no_devices()
    out = []
    glob = c.global_host_key_verification
    if (glob or "").strip() == "none":
        out.append(finding(Status.FAIL, "host key verification is off globally", paths=(HKV_GLOBAL,),
                           obj="global", expected=DEFAULT_HKV, actual="none"))
    for d in c.devices or ():
        own = (d.host_key_verification or "").strip()
        if own == "none":
            out.append(finding(Status.FAIL, "host key verification is off for this device", paths=(HKV_DEVICE,),
                               obj=d.name, expected=DEFAULT_HKV, actual="none"))
    if out:
        return out
    return [finding(Status.PASS, "host keys are verified globally and for every device",
                    paths=(HKV_GLOBAL, HKV_DEVICE), global_setting=glob or f"absent (default: {DEFAULT_HKV})",
                    devices=len(c.devices or ()))]


@rule("SD-SB-002", "Authgroups do not use default device credentials", Severity.CRITICAL,
      rationale="""
A local install's CDB defaults create authgroup `default` mapping admin/admin and
oper/oper, and the examples copy them. NSO logs in to devices with those
credentials: if devices accept them, anyone can; if NSO is the only one using them
the devices still carry a default account.""",
      remediation="Set per-device or per-group credentials (remote-name/remote-password, or public-key "
                  "authentication) and remove the default mappings from the authgroups.",
      section=SECTION, paths=(AUTHGROUPS,), references=("NSO User Guide: Device Manager, authgroups",),
      tags=("southbound", "cdb"), needs=("cdb",))
def authgroup_defaults(facts: Facts) -> Sequence[Finding]:
    c = _cdb(facts)
    if c.authgroups is None:
        return [finding(Status.NOT_APPLICABLE, "the CDB input holds no /devices/authgroups data",
                        paths=(AUTHGROUPS,))]
    out = [finding(Status.FAIL, "maps to a well-known default user name and password", paths=(AUTHGROUPS,),
                   obj=f"{g.name}/{m.local_user}", remote_name=m.remote_name)
           for g in c.authgroups for m in g.maps if m.default_credentials]
    return out or [finding(Status.PASS, "no authgroup maps to a well-known default credential "
                           "(encrypted passwords cannot be compared)", paths=(AUTHGROUPS,),
                           authgroups=len(c.authgroups))]


def weak_algorithm(kind: str, name: str) -> Optional[str]:
    """Why `name` is weak for that kind of SSH client algorithm, or None."""
    n = name.strip().lower()
    if kind == "kex" and "sha1" in n:
        return "SHA-1 key exchange"
    if kind == "mac" and ("sha1" in n or "md5" in n or n.endswith("-96")):
        return "SHA-1/MD5 MAC"
    if kind == "cipher" and ("cbc" in n or "3des" in n or "arcfour" in n or "blowfish" in n or n == "none"):
        return "CBC/3DES/RC4 cipher"
    if kind == "public-key" and (n in ("ssh-rsa", "ssh-dss") or n.startswith(("ssh-rsa-cert", "ssh-dss-cert"))):
        return "SHA-1 RSA / DSA signature"
    return None


def _weak(algs: Sequence[Tuple[str, Tuple[str, ...]]]) -> List[str]:
    return [f"{kind} {a}" for kind, names in algs for a in names if weak_algorithm(kind, a)]


@rule("SD-SB-003", "No weak SSH client algorithms towards devices", Severity.MEDIUM,
      rationale="""
NSO's SSH client offers the algorithms of /devices/global-settings/ssh-algorithms
(and per-device overrides). SHA-1 key exchange and MACs, CBC/3DES ciphers and
ssh-rsa (SHA-1) / DSA signatures are deprecated (RFC 9142, RFC 8332): an attacker
who can downgrade the negotiation weakens the channel that carries device
credentials and configuration.""",
      remediation="Configure /devices/global-settings/ssh-algorithms with modern algorithms only "
                  "(curve25519-sha256, ecdh-sha2-*, diffie-hellman-group14-sha256+; hmac-sha2-*; "
                  "aes*-ctr/gcm, chacha20-poly1305; rsa-sha2-*, ecdsa, ssh-ed25519) and remove weak "
                  "per-device overrides; upgrade devices that need them.",
      section=SECTION, paths=(ALGS_GLOBAL, ALGS_DEVICE), references=("RFC 9142", "RFC 8332"),
      tags=("southbound", "ssh", "cdb"), needs=("cdb",))
def client_algorithms(facts: Facts) -> Sequence[Finding]:
    c = _cdb(facts)
    if c.devices is None and not c.global_ssh_algorithms:
        return _no_devices()
    out = []
    weak_global = _weak(c.global_ssh_algorithms)
    if weak_global:
        out.append(finding(Status.FAIL, "weak algorithms configured globally", paths=(ALGS_GLOBAL,),
                           obj="global", weak=", ".join(weak_global)))
    for d in c.devices or ():
        w = _weak(d.ssh_algorithms)
        if w:
            out.append(finding(Status.FAIL, "weak algorithms configured for this device", paths=(ALGS_DEVICE,),
                               obj=d.name, weak=", ".join(w)))
    if out:
        return out
    if not c.global_ssh_algorithms:
        # The built-in defaults are not in the 6.4+ docs (6.2's still offer
        # diffie-hellman-group14-sha1 and hmac-sha1, NSO-FACTS §5): a person must look.
        return [finding(Status.MANUAL, "no global client algorithms configured: NSO's built-in defaults "
                        "apply; check them with `show devices global-settings ssh-algorithms`",
                        paths=(ALGS_GLOBAL,), devices=len(c.devices or ()))]
    return [finding(Status.PASS, "configured client algorithms are all strong", paths=(ALGS_GLOBAL, ALGS_DEVICE),
                    configured=", ".join(f"{k}: {len(v)}" for k, v in c.global_ssh_algorithms))]
