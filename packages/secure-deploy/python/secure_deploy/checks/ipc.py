"""The IPC socket (MAAPI, CDB, ncs_cli, `ncs --reload`): local only, and authenticated.

Facts used (NSO Administration Guide, "IPC Connection" / "Restricting Access to the
IPC Socket", and ncs.conf(5) of 6.4 and 6.7):
- IPC clients are trusted without authentication by default; the system relies on
  127.0.0.1 or a Unix socket to keep remote clients out.
- With /ncs-config/ncs-local-ipc/enabled true, clients must use the Unix socket:
  "other methods will not be available and the values under ncs-ipc-address will
  be ignored". The peer's UID then authenticates it (root and the NSO user always
  have access).
- The access check (/ncs-config/ncs-ipc-access-check) is for TCP sockets: clients
  prove knowledge of a shared secret kept in a file that only the daemon and the
  allowed clients can read (e.g. mode 0400 owned by the daemon user, or 040 with a
  dedicated group). The TCP traffic itself is never encrypted.
"""
from __future__ import annotations

from typing import List, Optional, Sequence

from ..facts.types import Facts, FileFacts, NcsConf
from ..model import Finding, Severity, Status, finding
from ..registry import rule
from ._common import NCS_CONF_MAN, conf, is_loopback

SECTION = "Securing IPC Access"
GUIDE_IPC = "NSO Administration Guide: IPC Connection > Restricting Access to the IPC Socket"
GUIDE_AAA = "NSO Administration Guide: AAA Infrastructure > Authenticating IPC Access"

LOCAL_IPC = "/ncs-config/ncs-local-ipc/enabled"
IPC_IP = "/ncs-config/ncs-ipc-address/ip"
IPC_EXTRA = "/ncs-config/ncs-ipc-extra-listen-ip"
CHECK = "/ncs-config/ncs-ipc-access-check/enabled"
CHECK_FILE = "/ncs-config/ncs-ipc-access-check/filename"
# The examples show TCP IPC explicitly: from 6.7 the Unix socket is the default and
# these rules do not apply to it.
TCP_IPC = "<ncs-local-ipc><enabled>false</enabled></ncs-local-ipc>\n"


def _tcp_addresses(c: NcsConf) -> List[str]:
    return [(c.effective(IPC_IP) or "").strip()] + [(n.text or "").strip() for n in c.nodes(IPC_EXTRA)]


def _local_ipc_finding(c: NcsConf, status: Status) -> Finding:
    return finding(status, "IPC uses the Unix socket (ncs-local-ipc); the TCP IPC settings are ignored",
                   paths=(LOCAL_IPC,), location=c.location(LOCAL_IPC), ncs_local_ipc=c.described(LOCAL_IPC))


@rule("SD-IPC-001", "IPC listens on loopback only", Severity.CRITICAL,
      rationale="""
The IPC socket gives full control of NSO (MAAPI, CDB, `ncs --reload`, ncs_cli) and
TCP IPC clients are not authenticated unless the access check is on. ncs.conf(5)
warns of "severe security implications" when NSO binds it to anything but
localhost, and IPC traffic is never encrypted. A non-loopback address without the
access check hands NSO to anyone who can reach the port; with the access check the
shared secret still crosses the network in an unencrypted session, and the guidance
requires encryption (e.g. a tunnel to a loopback listener) for non-local IPC. Both
fail; a site that tunnels IPC records that with a waiver.""",
      remediation="""
Keep /ncs-config/ncs-ipc-address/ip at 127.0.0.1 (or ::1) and remove non-loopback
/ncs-config/ncs-ipc-extra-listen-ip entries; better, use the Unix socket
(/ncs-config/ncs-local-ipc/enabled true). Remote IPC clients should connect over an
encrypted tunnel to a loopback listener with the access check enabled.""",
      section=SECTION, paths=(IPC_IP, IPC_EXTRA, LOCAL_IPC, CHECK),
      references=(NCS_CONF_MAN, GUIDE_IPC), tags=("ipc", "ncs-conf"),
      example=TCP_IPC + "<ncs-ipc-address><ip>0.0.0.0</ip></ncs-ipc-address>",
      fix_example=TCP_IPC + "<ncs-ipc-address><ip>127.0.0.1</ip></ncs-ipc-address>")
def ipc_loopback(facts: Facts) -> Sequence[Finding]:
    c = conf(facts)
    if c.enabled(LOCAL_IPC):
        return [_local_ipc_finding(c, Status.PASS)]
    addrs = _tcp_addresses(c)
    exposed = [a for a in addrs if not is_loopback(a)]
    ev = dict(paths=(IPC_IP, IPC_EXTRA), location=c.location(IPC_IP), expected="loopback only",
              actual=", ".join(addrs), access_check=c.described(CHECK))
    if not exposed:
        return [finding(Status.PASS, "TCP IPC listens on loopback only", **ev)]
    where = ", ".join(exposed)
    if c.enabled(CHECK):
        # Still critical: the guidance asks for encryption on non-local IPC and NSO never
        # encrypts it; a tunnel to a loopback listener is the fix (or a waiver).
        return [finding(Status.FAIL, f"TCP IPC listens on {where}; the access check is on but IPC traffic "
                        "(and the shared secret) cross the network unencrypted", **ev)]
    return [finding(Status.FAIL, f"TCP IPC listens on {where} without an access check: anyone who reaches "
                    "the port controls NSO", **ev)]


def _file_finding(facts: Facts, path: str, c: NcsConf) -> Finding:
    """Judge the access file's mode and owner from the host facts, when inspected."""
    loc = c.location(CHECK_FILE)
    common = dict(paths=(CHECK, CHECK_FILE), location=loc, filename=path)
    host = facts.host
    if host is None:
        # Reviewing an ncs.conf alone (CI, before deployment): the configuration is
        # right, but the file's protection is half of the rule and was not seen, so a
        # person (or a run with --host on the NSO machine) has to confirm it.
        return finding(Status.MANUAL, "IPC access check enabled; its file was not inspected (no host facts): "
                       "check that only the NSO user (and its client group) can read it", **common)
    ff: Optional[FileFacts] = host.file(path)
    if ff is None:
        return finding(Status.MANUAL, "IPC access check enabled but its file was not inspected; check that only "
                       "the NSO user (and its client group) can read it", **common)
    if ff.error:
        return finding(Status.ERROR, f"could not inspect the IPC access file: {ff.error}", **common)
    if not ff.exists:
        return finding(Status.FAIL, "the IPC access file does not exist (NSO and its clients cannot use "
                       "the access check)", **common)
    problems: List[str] = []
    mode = ff.mode if ff.mode is not None else 0
    if mode & 0o007:
        problems.append("accessible to other users")
    if mode & 0o020:
        problems.append("group-writable")
    allowed_owners = {0}
    if host.daemon_uid is not None:
        allowed_owners.add(host.daemon_uid)
        if ff.uid is not None and ff.uid not in allowed_owners:
            problems.append(f"owned by {ff.owner or ff.uid}, not the NSO user {host.daemon_user or host.daemon_uid}"
                            " or root")
    ev = dict(mode=ff.mode_text, owner=ff.owner or ff.uid, group=ff.group or ff.gid,
              daemon_user=host.daemon_user or host.daemon_uid)
    if problems:
        return finding(Status.FAIL, "IPC access file is " + "; ".join(problems), expected="mode 0400/0440/0040, "
                       "owned by the NSO user or root", **common, **ev)
    if host.daemon_uid is None and ff.uid not in allowed_owners:
        return finding(Status.MANUAL, f"IPC access check enabled and its file is readable by the owner/group "
                       f"only, but it is owned by {ff.owner or ff.uid} and the NSO user is unknown: check "
                       "that NSO runs as that user", **common, **ev)
    return finding(Status.PASS, "IPC access check enabled; its file is readable by the owner/group only",
                   **common, **ev)


@rule("SD-IPC-002", "TCP IPC requires the access check, with a protected file", Severity.HIGH,
      rationale="""
Over TCP, any local process (any user with a shell on the NSO host, any container
sharing its network namespace) can connect to the IPC port and act as NSO's own
tools, bypassing AAA. The access check makes clients prove knowledge of a shared
secret kept in a file; that file must be readable only by the NSO daemon and the
allowed clients, or the check protects nothing. With the Unix socket
(ncs-local-ipc) the peer's UID authenticates it instead and this rule does not
apply.""",
      remediation="""
Set /ncs-config/ncs-ipc-access-check/enabled to true with filename
${NCS_CONFIG_DIR}/ipc_access holding a random string; make the file owned by the
NSO user (or root) with mode 0400, or group-readable (040) by a group of the allowed
clients only; give clients NCS_IPC_ACCESS_FILE. Or switch to the Unix socket.""",
      section=SECTION, paths=(CHECK, CHECK_FILE, LOCAL_IPC), references=(NCS_CONF_MAN, GUIDE_IPC),
      tags=("ipc", "ncs-conf", "host"), reads=("host",),
      example=TCP_IPC + "<ncs-ipc-access-check><enabled>false</enabled>"
              "<filename>${NCS_CONFIG_DIR}/ipc_access</filename></ncs-ipc-access-check>",
      fix_example=TCP_IPC + "<ncs-ipc-access-check><enabled>true</enabled>"
                  "<filename>${NCS_CONFIG_DIR}/ipc_access</filename></ncs-ipc-access-check>")
def ipc_access_check(facts: Facts) -> Sequence[Finding]:
    c = conf(facts)
    if c.enabled(LOCAL_IPC):
        return [finding(Status.NOT_APPLICABLE, "IPC uses the Unix socket (ncs-local-ipc): the TCP access check "
                        "does not apply", paths=(LOCAL_IPC,), location=c.location(LOCAL_IPC))]
    if not c.enabled(CHECK):
        how = "" if c.is_set(CHECK) else " (the default when absent)"
        return [finding(Status.FAIL, f"TCP IPC clients are not authenticated: the access check is off{how}",
                        paths=(CHECK,), location=c.location(CHECK), expected="true", actual=c.described(CHECK))]
    path = (c.value(CHECK_FILE) or "").strip()
    if not path:
        return [finding(Status.FAIL, "the IPC access check is enabled without a filename (mandatory)",
                        paths=(CHECK_FILE,), location=c.location(CHECK), actual=c.described(CHECK_FILE))]
    return [_file_finding(facts, path, c)]


@rule("SD-IPC-003", "IPC uses the Unix domain socket", Severity.MEDIUM,
      rationale="""
The guidance recommends Unix sockets for IPC: NSO authenticates the client by the
UID at the other end of the socket (root and the NSO user always have access), and
filesystem permissions on the socket path limit who can connect at all. TCP IPC
authenticates nobody unless the access check is on. ncs-local-ipc is off by default
in NSO 6.4-6.6 and on by default from 6.7.""",
      remediation="""
Set /ncs-config/ncs-local-ipc/enabled to true (optionally /ncs-config/ncs-local-ipc/path
in a directory only the NSO user and its clients can reach) and give clients
NCS_IPC_PATH if the path is not the default.""",
      section=SECTION, paths=(LOCAL_IPC, CHECK), references=(NCS_CONF_MAN, GUIDE_IPC, GUIDE_AAA),
      tags=("ipc", "ncs-conf"),
      example="<ncs-local-ipc><enabled>false</enabled></ncs-local-ipc>",
      fix_example="<ncs-local-ipc><enabled>true</enabled></ncs-local-ipc>")
def local_ipc(facts: Facts) -> Sequence[Finding]:
    c = conf(facts)
    if c.enabled(LOCAL_IPC):
        how = "" if c.is_set(LOCAL_IPC) else f" (NSO {c.version} default)"
        return [finding(Status.PASS, f"IPC uses the Unix socket{how}; clients are authenticated by UID",
                        paths=(LOCAL_IPC,), location=c.location(LOCAL_IPC), actual=c.described(LOCAL_IPC))]
    how = "" if c.is_set(LOCAL_IPC) else f" (the NSO {c.version} default)"
    ev = dict(paths=(LOCAL_IPC,), location=c.location(LOCAL_IPC), expected="true", actual=c.described(LOCAL_IPC),
              access_check=c.described(CHECK))
    # TCP on loopback with the access check is the documented alternative: weaker
    # (shared secret instead of UID), so WARN rather than FAIL.
    if c.enabled(CHECK) and all(is_loopback(a) for a in _tcp_addresses(c)):
        return [finding(Status.WARN, f"IPC uses TCP with the access check{how}; the Unix socket would "
                        "authenticate clients by UID", **ev)]
    return [finding(Status.FAIL, f"IPC uses TCP{how}, without the Unix socket's UID authentication", **ev)]
