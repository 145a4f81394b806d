"""The built-in SSH server (CLI and NETCONF northbound): host key and transport algorithms.

ncs.conf(5), /ncs-config/ssh/algorithms: "For each type of algorithm, an empty value
means that all supported algorithms should be usable, and a non-empty value (a
comma-separated list of algorithm names) means that the intersection of the
supported algorithms and the configured algorithms should be usable." An absent
leaf means the release's default list. An `<algorithms/>` container with no leaves
therefore leaves every list at its default (it sets nothing).
"""
from __future__ import annotations

from typing import List, Optional, Sequence, Tuple

from ..facts.types import Facts, NcsConf
from ..model import Finding, Severity, Status, finding
from ..registry import rule
from ._common import NCS_CONF_MAN, conf

SECTION = "Development vs. Production Deployment > SSH Configuration"
ALG = "/ncs-config/ssh/algorithms"
HOST_KEY = f"{ALG}/server-host-key"
KEX = f"{ALG}/kex"
MAC = f"{ALG}/mac"
ENCRYPTION = f"{ALG}/encryption"
DH_MIN = f"{ALG}/dh-group/min-size"
WANT_HOST_KEY = "ssh-ed25519"
MIN_DH_BITS = 2048

# Everything ncs.conf(5) lists as supported, per kind: what an empty value enables.
# Only the weak ones matter here (an empty list enables them).
SUPPORTED_WEAK = {
    KEX: ("diffie-hellman-group14-sha1",),
    MAC: ("hmac-sha1",),
    ENCRYPTION: ("aes128-cbc", "aes256-cbc", "3des-cbc"),
}


CLI, CLI_SSH = "/ncs-config/cli/enabled", "/ncs-config/cli/ssh/enabled"
NC, NC_SSH = "/ncs-config/netconf-north-bound/enabled", "/ncs-config/netconf-north-bound/transport/ssh/enabled"


def no_ssh_server(c: NcsConf) -> Optional[Finding]:
    """NOT_APPLICABLE when neither the CLI nor NETCONF runs an SSH server: the
    algorithm lists then protect nothing (they take effect when one is enabled)."""
    if (c.enabled(CLI) and c.enabled(CLI_SSH)) or (c.enabled(NC) and c.enabled(NC_SSH)):
        return None
    return finding(Status.NOT_APPLICABLE, "no built-in SSH server listens (CLI over SSH and NETCONF over SSH "
                   "are off)", paths=(CLI_SSH, NC_SSH), cli_ssh=c.described(CLI_SSH), netconf_ssh=c.described(NC_SSH))


def algorithms(text: Optional[str]) -> Tuple[str, ...]:
    """A comma-separated ncs.conf algorithm list as names (whitespace tolerated)."""
    return tuple(a.strip() for a in (text or "").split(",") if a.strip())


def is_weak(name: str) -> bool:
    """SHA-1 based kex/mac, CBC modes, 3DES, RC4 (arcfour), MD5 and 'none'.

    SHA-1 is broken for collision resistance and deprecated for SSH by RFC 9142
    (kex) and NIST; CBC modes are open to plaintext recovery (CVE-2008-5161) and
    the Terrapin prefix truncation attack; 3DES has a 64-bit block (Sweet32).
    """
    n = name.lower()
    return ("sha1" in n or n.endswith("-cbc") or "cbc@" in n or "3des" in n or "arcfour" in n
            or "md5" in n or "group1-" in n or n == "none")


@rule("SD-SSH-001", "SSH host key algorithms are restricted to ssh-ed25519", Severity.HIGH,
      rationale="""
The production ncs.conf restricts the SSH server's host key algorithms to
`ssh-ed25519`; development setups allow several for compatibility. Every enabled
algorithm with a key in the ssh-server-key-dir is offered to clients, so legacy
types (ssh-rsa with SHA-1, ssh-dss) or NIST-curve keys widen what an attacker can
try to forge or downgrade to. An empty value enables every supported algorithm,
and from NSO 6.5 the default (element absent) also enables ecdsa-sha2-nistp256.""",
      remediation="""
Set /ncs-config/ssh/algorithms/server-host-key to `ssh-ed25519` explicitly (the
default differs between releases) and keep an ed25519 key in the ssh-server-key-dir.""",
      section=SECTION, paths=(HOST_KEY,), references=(NCS_CONF_MAN,), tags=("ssh", "ncs-conf"),
      example="<ssh><algorithms><server-host-key>ssh-ed25519,ssh-rsa</server-host-key></algorithms></ssh>",
      fix_example="<ssh><algorithms><server-host-key>ssh-ed25519</server-host-key></algorithms></ssh>")
def host_key_ed25519(facts: Facts) -> Sequence[Finding]:
    c = conf(facts)
    off = no_ssh_server(c)
    if off is not None:
        return [off]
    written = c.value(HOST_KEY)
    common = dict(paths=(HOST_KEY,), location=c.location(HOST_KEY), expected=WANT_HOST_KEY,
                  actual=c.described(HOST_KEY))
    if written is not None and written.strip() == "":
        return [finding(Status.FAIL, "server-host-key is empty, which enables every supported "
                        "host key algorithm", **common)]
    algs = algorithms(c.effective(HOST_KEY))
    if algs == (WANT_HOST_KEY,):
        how = "set to" if written is not None else f"absent; the NSO {c.version} default is"
        return [finding(Status.PASS, f"server-host-key {how} ssh-ed25519 only", **common)]
    extra = [a for a in algs if a != WANT_HOST_KEY]
    if written is None:
        msg = (f"server-host-key is absent and the NSO {c.version} default also enables "
               + ", ".join(extra))
    else:
        msg = "server-host-key enables " + ", ".join(extra or algs) + " besides/instead of ssh-ed25519"
    return [finding(Status.FAIL, msg, extra=",".join(extra) or None, **common)]


def _weak_in(c: NcsConf, path: str) -> Tuple[List[str], str]:
    """Weak algorithms `path` enables, and how they came to be enabled."""
    written = c.value(path)
    if written is not None and written.strip() == "":
        return list(SUPPORTED_WEAK[path]), "empty = all supported"
    how = "set" if written is not None else f"NSO {c.version} default"
    return [a for a in algorithms(c.effective(path)) if is_weak(a)], how


@rule("SD-SSH-002", "SSH server offers no weak kex, MAC or cipher algorithms", Severity.MEDIUM, objects=("ssh-algorithm-class",),
      rationale="""
The SSH server of the CLI and NETCONF should negotiate only strong algorithms.
SHA-1 key exchange (diffie-hellman-group1/14-sha1, group-exchange-sha1) and
hmac-sha1 rely on a deprecated hash; CBC ciphers and 3DES allow plaintext recovery
and Sweet32-style attacks. The documented default MAC list of NSO 6.4-6.7 still
contains hmac-sha1, and an empty list enables every supported algorithm,
including aes-cbc and 3des-cbc. Diffie-Hellman group exchange must not accept
groups smaller than 2048 bits.""",
      remediation="""
Set explicit lists without SHA-1, CBC and 3DES, for example
kex `curve25519-sha256,ecdh-sha2-nistp256,diffie-hellman-group16-sha512`,
mac `hmac-sha2-256,hmac-sha2-512`, encryption
`aes128-gcm@openssh.com,chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-ctr,aes256-ctr`,
and keep /ncs-config/ssh/algorithms/dh-group/min-size at 2048 or more.""",
      section=SECTION, paths=(KEX, MAC, ENCRYPTION, DH_MIN), references=(NCS_CONF_MAN, "RFC 9142"),
      tags=("ssh", "ncs-conf"),
      example="<ssh><algorithms><mac>hmac-sha2-256,hmac-sha1</mac></algorithms></ssh>",
      fix_example="<ssh><algorithms><mac>hmac-sha2-256,hmac-sha2-512</mac></algorithms></ssh>")
def no_weak_algorithms(facts: Facts) -> Sequence[Finding]:
    c = conf(facts)
    off = no_ssh_server(c)
    if off is not None:
        return [off]
    out: List[Finding] = []
    for path, kind in ((KEX, "kex"), (MAC, "mac"), (ENCRYPTION, "encryption")):
        weak, how = _weak_in(c, path)
        if weak:
            out.append(finding(Status.FAIL, f"weak {kind} algorithms enabled ({how}): " + ", ".join(weak),
                               paths=(path,), obj=kind, location=c.location(path),
                               weak=",".join(weak), actual=c.described(path)))
        else:
            out.append(finding(Status.PASS, f"no weak {kind} algorithms", paths=(path,), obj=kind,
                               location=c.location(path), actual=c.described(path)))
    out.append(_dh_min_size(c))
    return out


def _dh_min_size(c: NcsConf) -> Finding:
    # dh-group only matters for diffie-hellman-group-exchange-*; judge it whenever
    # such a kex is enabled (an empty kex list enables them all).
    kex_written = c.value(KEX)
    kex = algorithms(c.effective(KEX))
    gex = (kex_written is not None and kex_written.strip() == "") or any("group-exchange" in a for a in kex)
    raw = c.effective(DH_MIN)
    common = dict(paths=(DH_MIN,), obj="dh-group", location=c.location(DH_MIN),
                  expected=f">= {MIN_DH_BITS}", actual=c.described(DH_MIN))
    if not gex:
        return finding(Status.PASS, "no Diffie-Hellman group exchange enabled", **common)
    try:
        bits = int((raw or "").strip())
    except ValueError:
        return finding(Status.ERROR, f"dh-group min-size {raw!r} is not a number", **common)
    if bits < MIN_DH_BITS:
        return finding(Status.FAIL, f"Diffie-Hellman group exchange accepts {bits}-bit groups", **common)
    return finding(Status.PASS, f"Diffie-Hellman groups of at least {bits} bits", **common)
