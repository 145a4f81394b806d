"""Southbound: how NSO authenticates managed devices and what it trusts them with.

Judged from CDB facts (/ssh, /devices). Authgroup passwords are encrypted ($8$/$9$)
and only NSO can decrypt them: standalone, facts/cdb.py compares cleartext ($0$)
values and marks encrypted ones as not compared, which SD-SB-002 reports as MANUAL;
inside NSO, nso/cdb_facts.py decrypts through MAAPI and compares them all.
"""
from __future__ import annotations

from typing import List, Optional, Sequence, Tuple

from ..facts.types import NSO_CDB_SOURCE, CdbFacts, Facts
from ..model import Finding, Severity, Status, finding
from ..registry import rule
from ._common import MANUAL_CHECK

SECTION = "Southbound Interface Security"
HKV_GLOBAL = "/ssh/host-key-verification"
HKV_DEVICE = "/devices/device/ssh/host-key-verification"
AUTHGROUPS = "/devices/authgroups/group"
ALGS_GLOBAL = "/devices/global-settings/ssh-algorithms"
ALGS_DEVICE = "/devices/device/ssh-algorithms"
ALGS_PROFILE = "/devices/profiles/profile/ssh-algorithms"
SSH_GUIDE = "NSO User Guide: SSH Key Management"
DEFAULT_HKV = "reject-unknown"  # tailf-ncs default (NSO-FACTS §5)


def _cdb(facts: Facts) -> CdbFacts:
    assert facts.cdb is not None  # the engine only calls these rules with cdb facts
    return facts.cdb


def _no_devices() -> List[Finding]:
    return [finding(Status.NOT_APPLICABLE, "the CDB input holds no /devices or /ssh data", paths=("/devices",))]


# `explain` examples, as `show running-config ... | display xml` prints them (CDB XML).
_NCS = 'xmlns="http://tail-f.com/ns/ncs"'
_DEVICE = "<device><name>r1</name><address>192.0.2.1</address><authgroup>default</authgroup></device>"
HKV_EXAMPLE = (f"<ssh {_NCS}><host-key-verification>none</host-key-verification></ssh>\n"
               f"<devices {_NCS}>{_DEVICE}</devices>")
HKV_FIX = (f"<ssh {_NCS}><host-key-verification>reject-unknown</host-key-verification></ssh>\n"
           f"<devices {_NCS}>{_DEVICE}</devices>")
AUTHGROUP_EXAMPLE = (f"<devices {_NCS}><authgroups><group><name>default</name>\n"
                     "  <default-map><remote-name>cisco</remote-name>"
                     "<remote-password>$0$cisco</remote-password></default-map>\n</group></authgroups></devices>")
AUTHGROUP_FIX = (f"<devices {_NCS}><authgroups><group><name>default</name>\n"
                 "  <default-map><remote-name>svc-nso</remote-name>"
                 "<public-key><private-key><name>nso-devices</name></private-key></public-key></default-map>\n"
                 "</group></authgroups></devices>")
ALGS_EXAMPLE = (f"<devices {_NCS}><global-settings><ssh-algorithms>\n"
                "  <kex>diffie-hellman-group14-sha1</kex><mac>hmac-sha1</mac>\n"
                "</ssh-algorithms></global-settings></devices>")
ALGS_FIX = (f"<devices {_NCS}><global-settings><ssh-algorithms>\n"
            "  <kex>curve25519-sha256</kex><mac>hmac-sha2-256</mac><cipher>aes256-ctr</cipher>\n"
            "</ssh-algorithms></global-settings></devices>")


@rule("SD-SB-001", "Device SSH host keys are verified", Severity.HIGH, objects=("global", "device"),
      rationale="""
With host-key-verification none, NSO accepts whatever host key a device (or
anything answering at its address) presents: a man in the middle receives the
credentials of the authgroup and can read and alter all configuration NSO pushes.
Many NSO examples set none globally for netsim convenience.""",
      remediation="Fetch and check the devices' host keys (`devices fetch-ssh-host-keys`, then compare "
                  "fingerprints) and set /ssh/host-key-verification and each device's "
                  "ssh/host-key-verification to reject-unknown.",
      section=SECTION, paths=(HKV_GLOBAL, HKV_DEVICE), references=(SSH_GUIDE,),
      tags=("southbound", "cdb"), needs=("cdb",),
      manual="check in the running NSO that /devices/global-settings/ssh-algorithms and every device use "
             "host-key verification (`show running-config devices global-settings ssh host-key-verification`)",
      example=HKV_EXAMPLE, fix_example=HKV_FIX)
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


@rule("SD-SB-002", "Authgroups do not use default device credentials", Severity.CRITICAL, objects=("authgroup-map",),
      rationale="""
A local install's CDB defaults create authgroup `default` mapping admin/admin and
oper/oper, and the examples copy them. NSO logs in to devices with those
credentials: if devices accept them, anyone can; if NSO is the only one using them
the devices still carry a default account.""",
      remediation="Set per-device or per-group credentials (remote-name/remote-password, or public-key "
                  "authentication) and remove the default mappings from the authgroups.",
      section=SECTION, paths=(AUTHGROUPS,), references=("NSO User Guide: Device Manager, authgroups",),
      tags=("southbound", "cdb"), needs=("cdb",),
      manual="check in the running NSO that no authgroup maps to default device credentials such as "
             "admin/admin (`show running-config devices authgroups`)",
      example=AUTHGROUP_EXAMPLE, fix_example=AUTHGROUP_FIX)
def authgroup_defaults(facts: Facts) -> Sequence[Finding]:
    c = _cdb(facts)
    if c.authgroups is None:
        return [finding(Status.NOT_APPLICABLE, "the CDB input holds no /devices/authgroups data",
                        paths=(AUTHGROUPS,))]
    out = [finding(Status.FAIL, "maps to a well-known default user name and password", paths=(AUTHGROUPS,),
                   obj=f"{g.name}/{m.local_user}", remote_name=m.remote_name)
           for g in c.authgroups for m in g.maps if m.default_credentials]
    # Exports (`show running-config | display xml`) carry $8$/$9$ values, which only NSO
    # can decrypt: unseen is not the same as safe, so those maps are left to a person.
    inside_nso = NSO_CDB_SOURCE in c.sources
    why = ("NSO could not decrypt it (see the NSO log)" if inside_nso else
           "only NSO can decrypt it: run the NSO audit action, which compares it inside NSO")
    out += [finding(Status.MANUAL, f"the password is encrypted and was not compared with default "
                    f"credentials; {why}, or check it by hand", paths=(AUTHGROUPS,),
                    obj=f"{g.name}/{m.local_user}", remote_name=m.remote_name)
            for g in c.authgroups for m in g.maps if m.password_unchecked]
    return out or [finding(Status.PASS, "no authgroup maps to a well-known default credential",
                           paths=(AUTHGROUPS,), authgroups=len(c.authgroups))]


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


@rule("SD-SB-003", "No weak SSH client algorithms towards devices", Severity.MEDIUM, objects=("global", "device-profile", "device"),
      rationale="""
NSO's SSH client offers the algorithms of /devices/global-settings/ssh-algorithms
(and device-profile and per-device overrides). SHA-1 key exchange and MACs, CBC/3DES ciphers and
ssh-rsa (SHA-1) / DSA signatures are deprecated (RFC 9142, RFC 8332): an attacker
who can downgrade the negotiation weakens the channel that carries device
credentials and configuration.""",
      remediation="Configure /devices/global-settings/ssh-algorithms with modern algorithms only "
                  "(curve25519-sha256, ecdh-sha2-*, diffie-hellman-group14-sha256+; hmac-sha2-*; "
                  "aes*-ctr/gcm, chacha20-poly1305; rsa-sha2-*, ecdsa, ssh-ed25519) and remove weak "
                  "device-profile and per-device overrides; upgrade devices that need them.",
      section=SECTION, paths=(ALGS_GLOBAL, ALGS_PROFILE, ALGS_DEVICE), references=("RFC 9142", "RFC 8332"),
      tags=("southbound", "ssh", "cdb"), needs=("cdb",),
      manual="check in the running NSO that no device, device profile or the global settings enable SHA-1, "
             "CBC or 3DES SSH algorithms (`show running-config devices global-settings ssh-algorithms`)",
      example=ALGS_EXAMPLE, fix_example=ALGS_FIX)
def client_algorithms(facts: Facts) -> Sequence[Finding]:
    c = _cdb(facts)
    if c.devices is None and not c.global_ssh_algorithms and not c.profiles:
        return _no_devices()
    out = []
    weak_global = _weak(c.global_ssh_algorithms)
    if weak_global:
        out.append(finding(Status.FAIL, "weak algorithms configured globally", paths=(ALGS_GLOBAL,),
                           obj="global", weak=", ".join(weak_global)))
    for p in c.profiles:
        w = _weak(p.ssh_algorithms)
        if w:
            out.append(finding(Status.FAIL, "weak algorithms configured in this device profile",
                               paths=(ALGS_PROFILE,), obj=f"profile {p.name}", weak=", ".join(w)))
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
    return [finding(Status.PASS, "configured client algorithms are all strong",
                    paths=(ALGS_GLOBAL, ALGS_PROFILE, ALGS_DEVICE),
                    configured=", ".join(f"{k}: {len(v)}" for k, v in c.global_ssh_algorithms))]


@rule("SD-SB-004", "Devices are managed with Cisco-provided NEDs", Severity.MEDIUM,
      rationale="""
A NED is code that runs inside NSO with NSO's privileges and handles device
credentials. The guidance recommends Cisco-provided NEDs where possible: they come
from a known supplier with security fixes; a third-party or home-grown NED needs its
own review and maintenance. Which NED each device uses is in CDB (device-type) and
in the loaded packages, outside what this audit reads.""",
      remediation="""
List the NEDs in use (`show devices device device-type`, `show packages package
package-version`) and replace third-party NEDs with Cisco-provided ones where one
exists; record a review for each that remains.""",
      section=SECTION, paths=("/devices/device/device-type",), references=("NSO Administration Guide: NED Administration",),
      tags=("southbound", MANUAL_CHECK), needs=(), reads=("cdb",),
      example="admin@ncs# show devices device device-type | display xml\n<ned-id>acme-router-cli-1.0:acme-router-cli-1.0</ned-id>",
      fix_example="admin@ncs# show devices device device-type | display xml\n<ned-id>cisco-ios-cli-6.100:cisco-ios-cli-6.100</ned-id>")
def cisco_neds(facts: Facts) -> Sequence[Finding]:
    devices = facts.cdb.devices if facts.cdb is not None else None
    if devices is not None and not devices:
        return [finding(Status.NOT_APPLICABLE, "the CDB input holds no devices", paths=("/devices/device",))]
    count = f"{len(devices)} device(s) in the CDB input; " if devices else ""
    return [finding(Status.MANUAL, f"{count}check that every device's NED (`show devices device device-type`) "
                    "is a Cisco-provided NED package, and that any other has been reviewed",
                    paths=("/devices/device/device-type",))]
