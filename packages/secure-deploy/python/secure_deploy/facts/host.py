"""Host facts: install type, the user NSO runs as, modes/owners/capabilities of its files.

The only module that looks at the machine (stat, xattr, /proc, systemd units).
Nothing here raises for a file it cannot read: a permission problem becomes
FileFacts.error, which the checks turn into ERROR, never into FAIL.

Where install layouts are concerned, directories can be moved with the installer's
--install-dir/--config-dir/--run-dir options (NSO-FACTS §1), so the install type is
voted on from several independent signals and the evidence says which ones.
"""
from __future__ import annotations

import glob
import grp
import os
import pwd
import re
import stat
import struct
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from ..errors import InputError
from ..fileio import read_input
from .types import FileFacts, HostFacts, NcsConf

# Paths below $NCS_DIR (ncs-installer(1) --run-as-user, NSO-FACTS §1).
WRAPPERS_64 = ("lib/ncs/lib/core/confd/priv/cmdptywrapper", "lib/ncs/lib/core/confd/priv/cmdwrapper")
WRAPPERS_GLOB = ("lib/ncs/lib/confd-*/priv/cmdptywrapper", "lib/ncs/lib/confd-*/priv/cmdwrapper")
EPAM = "lib/ncs/lib/core/pam/priv/epam"
ERTS_NCS = ("lib/ncs/erts/bin/ncs", "lib/ncs/erts/bin/ncs.smp")
IP_TOOL = "lib/ncs/bin/ip"
ARPING = "lib/ncs/bin/arping"

EXTERNAL_KEYS_CMD = "/ncs-config/encrypted-strings/external-keys/command"
EXTERNAL_KEYS_ARG = "/ncs-config/encrypted-strings/external-keys/command-argument"
_CONF_FILES = (
    EXTERNAL_KEYS_ARG,
    "/ncs-config/ncs-ipc-access-check/filename",
    *(f"/ncs-config/{p}/ssl/{f}" for p in ("webui/transport", "restconf/transport", "ha-raft", "ha")
      for f in ("key-file", "cert-file", "ca-cert-file")),
    "/ncs-config/aaa/ssh-server-key-dir",
)
SYSTEMD_UNITS = ("/etc/systemd/system/ncs.service", "/usr/lib/systemd/system/ncs.service",
                 "/lib/systemd/system/ncs.service")

# Linux capability numbers (linux/capability.h) -> getcap(8) names.
_CAP_NAMES = (
    "cap_chown", "cap_dac_override", "cap_dac_read_search", "cap_fowner", "cap_fsetid", "cap_kill",
    "cap_setgid", "cap_setuid", "cap_setpcap", "cap_linux_immutable", "cap_net_bind_service",
    "cap_net_broadcast", "cap_net_admin", "cap_net_raw", "cap_ipc_lock", "cap_ipc_owner",
    "cap_sys_module", "cap_sys_rawio", "cap_sys_chroot", "cap_sys_ptrace", "cap_sys_pacct",
    "cap_sys_admin", "cap_sys_boot", "cap_sys_nice", "cap_sys_resource", "cap_sys_time",
    "cap_sys_tty_config", "cap_mknod", "cap_lease", "cap_audit_write", "cap_audit_control",
    "cap_setfcap", "cap_mac_override", "cap_mac_admin", "cap_syslog", "cap_wake_alarm",
    "cap_block_suspend", "cap_audit_read", "cap_perfmon", "cap_bpf", "cap_checkpoint_restore",
)


def decode_capabilities(raw: bytes) -> Optional[str]:
    """`security.capability` xattr (struct vfs_cap_data, v1/v2/v3) -> 'cap_a,cap_b' (permitted)."""
    if len(raw) < 12:
        return None
    magic = struct.unpack_from("<I", raw, 0)[0]
    version = magic & 0xFF000000
    if version == 0x01000000:
        permitted = struct.unpack_from("<I", raw, 4)[0]
    elif version in (0x02000000, 0x03000000) and len(raw) >= 20:
        lo, _inh_lo, hi = struct.unpack_from("<III", raw, 4)
        permitted = lo | (hi << 32)
    else:
        return None
    names = [(_CAP_NAMES[i] if i < len(_CAP_NAMES) else f"cap_{i}") for i in range(64) if permitted >> i & 1]
    return ",".join(names) or None


def _capabilities(path: str) -> Optional[str]:
    try:
        return decode_capabilities(os.getxattr(path, "security.capability"))
    except OSError:
        # No xattr (ENODATA), unsupported filesystem, or not allowed: no capabilities known.
        return None


def _name(fn, ident: int) -> Optional[str]:
    try:
        return fn(ident)[0]
    except (KeyError, OverflowError):
        return None


def inspect_file(path: str) -> FileFacts:
    """lstat + stat one path. Never raises: errors are recorded in the facts."""
    try:
        os.lstat(path)
    except FileNotFoundError:
        return FileFacts(path, exists=False)
    except NotADirectoryError:
        return FileFacts(path, exists=False)
    except PermissionError:
        return FileFacts(path, exists=False, error="permission denied")
    except OSError as e:
        return FileFacts(path, exists=False, error=e.strerror or type(e).__name__)
    try:
        st = os.stat(path)  # the target's mode/owner matter, not the link's
    except FileNotFoundError:
        return FileFacts(path, exists=False, error=None)  # dangling symlink: nothing there
    except PermissionError:
        return FileFacts(path, exists=True, error="permission denied")
    except OSError as e:
        return FileFacts(path, exists=True, error=e.strerror or type(e).__name__)
    return FileFacts(path, exists=True, mode=stat.S_IMODE(st.st_mode), uid=st.st_uid, gid=st.st_gid,
                     owner=_name(pwd.getpwuid, st.st_uid), group=_name(grp.getgrgid, st.st_gid),
                     capabilities=_capabilities(path) if stat.S_ISREG(st.st_mode) else None,
                     mtime=st.st_mtime)


def _usable(p: Optional[str]) -> Optional[str]:
    # Unexpanded ${VAR} or relative paths (relative to NSO's working directory, which
    # we do not know) cannot be inspected: leaving them out means "not inspected".
    if not p or "${" in p or not os.path.isabs(p):
        return None
    return p


def files_of_interest(conf: Optional[NcsConf], ncs_dir: Optional[str], config_dir: Optional[str]) -> Tuple[str, ...]:
    out: List[str] = []
    if conf is not None:
        out.append(conf.path)
    elif config_dir:
        out.append(os.path.join(config_dir, "ncs.conf"))
    keys_arg = conf.value(EXTERNAL_KEYS_ARG) if conf is not None else None
    if not keys_arg and config_dir:
        out.append(os.path.join(config_dir, "ncs.crypto_keys"))
    if conf is not None:
        for p in _CONF_FILES:
            for node in conf.nodes(p):
                out.append(node.text or "")
    if ncs_dir:
        rel = [*WRAPPERS_64, EPAM, *ERTS_NCS, IP_TOOL, ARPING]
        out.extend(os.path.join(ncs_dir, r) for r in rel)
        for pattern in WRAPPERS_GLOB:
            out.extend(sorted(glob.glob(os.path.join(ncs_dir, pattern))))
    seen: Dict[str, None] = {}
    for p in out:
        u = _usable(p)
        if u is not None:
            seen.setdefault(u, None)
    return tuple(seen)


# --- install type ---------------------------------------------------------------

_OPT_NCS = re.compile(r"^/opt/ncs/(ncs-[^/]+|current)/?$")


def detect_install_type(*, ncs_dir: Optional[str], config_dir: Optional[str], run_dir: Optional[str],
                        conf: Optional[NcsConf]) -> Tuple[str, str]:
    """('system'|'local'|'unknown', evidence). Majority of independent signals."""
    system: List[str] = []
    local: List[str] = []
    # Only what the installer leaves behind proves a system install; file layout and
    # external keys can be arranged by hand, so they may tip a verdict, never make one.
    installed: List[str] = []
    if ncs_dir:
        if _OPT_NCS.match(ncs_dir):
            installed.append(f"NCS_DIR {ncs_dir} is the system-install location")
        else:
            local.append(f"NCS_DIR {ncs_dir} is not under /opt/ncs")
    if config_dir and os.path.isfile(os.path.join(config_dir, "ncs.systemd.conf")):
        installed.append(f"{config_dir} holds ncs.systemd.conf")
    system.extend(installed)
    if run_dir and os.path.isfile(os.path.join(run_dir, "ncs.conf")):
        local.append(f"ncs.conf lies in the run directory {run_dir} (ncs-setup layout)")
    elif config_dir and run_dir and os.path.isfile(os.path.join(config_dir, "ncs.conf")) \
            and os.path.realpath(config_dir) != os.path.realpath(run_dir):
        system.append(f"ncs.conf in config directory {config_dir}, separate from run directory {run_dir}")
    if conf is not None:
        if conf.value(EXTERNAL_KEYS_CMD) is not None:
            system.append("ncs.conf reads encryption keys from an external keys file")
        elif conf.inline_keys:
            local.append("ncs.conf carries inline encryption keys")
        init = [n.raw or "" for n in conf.nodes("/ncs-config/cdb/init-path/dir")]
        if any(d.startswith("${NCS_DIR}/var/ncs/cdb") for d in init):
            local.append("cdb/init-path loads ${NCS_DIR}/var/ncs/cdb (local-install defaults)")
        state = conf.value("/ncs-config/state-dir") or ""
        if state.startswith("./"):
            local.append("state-dir is relative to the directory NSO is started in")
    if len(system) > len(local) and installed:
        return "system", "; ".join(system + [f"but: {x}" for x in local])
    if len(system) > len(local):
        return "unknown", ("no installer trace (NCS_DIR under /opt/ncs, ncs.systemd.conf) although "
                           + "; ".join(system))
    if len(local) > len(system):
        return "local", "; ".join(local + [f"but: {x}" for x in system])
    if not system:
        return "unknown", "nothing tells a system from a local install"
    return "unknown", "conflicting signals: " + "; ".join(system + local)


# --- daemon user ----------------------------------------------------------------

def _is_nso_process(argv: Sequence[str], ncs_dir: Optional[str]) -> bool:
    """NSO runs as an Erlang VM renamed ncs.smp (or beam.smp); other Erlang programs
    (RabbitMQ, ...) also run beam.smp, so an NSO marker is required in the arguments."""
    if not argv or os.path.basename(argv[0]) not in ("ncs.smp", "beam.smp", "ncs"):
        return False
    joined = " ".join(argv)
    if ncs_dir and ncs_dir.rstrip("/") + "/" in joined:
        return True
    return "/lib/ncs/" in joined or any(a == "-progname" and b == "ncs" for a, b in zip(argv, argv[1:]))


def _process_user(proc_root: str, ncs_dir: Optional[str]) -> Optional[Tuple[int, str]]:
    try:
        pids = [p for p in os.listdir(proc_root) if p.isdigit()]
    except OSError:
        return None
    found: List[Tuple[bool, int, str]] = []
    for pid in sorted(pids, key=int):
        base = os.path.join(proc_root, pid)
        try:
            with open(os.path.join(base, "cmdline"), "rb") as f:
                argv = [a.decode("utf-8", "replace") for a in f.read().split(b"\0") if a]
            if not _is_nso_process(argv, ncs_dir):
                continue
            with open(os.path.join(base, "status"), "r", encoding="utf-8", errors="replace") as f:
                uid_line = next((ln for ln in f if ln.startswith("Uid:")), "")
        except OSError:
            continue  # the process ended or is not ours to read
        fields = uid_line.split()
        if len(fields) >= 3 and fields[2].isdigit():
            exact = bool(ncs_dir) and ncs_dir.rstrip("/") + "/" in " ".join(argv)
            # The effective UID decides what the daemon may do.
            found.append((exact, int(fields[2]), f"process {pid}"))
    if not found:
        return None
    found.sort(key=lambda x: not x[0])
    return found[0][1], found[0][2]


_USER_LINE = re.compile(r"^\s*User\s*=\s*(\S+)\s*$", re.M)


def _systemd_user(config_dir: Optional[str], units: Iterable[str]) -> Optional[Tuple[str, str]]:
    """(user, source) from ncs.systemd.conf or an ncs.service unit.

    The format of ncs.systemd.conf is not public (UNVERIFIED): a `User=` line there is
    honoured if present. A unit file without `User=` runs its service as root (systemd's
    default), so that is reported as root.
    """
    candidates = ([os.path.join(config_dir, "ncs.systemd.conf")] if config_dir else []) + list(units)
    for path in candidates:
        try:
            # read_input: a FIFO or device planted at the name must not hang the audit.
            data = read_input(path, "systemd file", 256 * 1024, missing_ok=True)
        except InputError:
            continue
        if data is None:
            continue
        text = data.decode("utf-8", "replace")
        m = _USER_LINE.findall(text)
        if m:
            return m[-1], f"User= in {path}"
        if path.endswith(".service"):
            return "root", f"{path} has no User= (systemd runs it as root)"
    return None


def daemon_user(*, ncs_dir: Optional[str], config_dir: Optional[str], proc_root: str = "/proc",
                units: Iterable[str] = SYSTEMD_UNITS) -> Tuple[Optional[str], Optional[int], str]:
    proc = _process_user(proc_root, ncs_dir)
    if proc is not None:
        uid, where = proc
        return _name(pwd.getpwuid, uid), uid, f"running NSO {where}"
    sd = _systemd_user(config_dir, units)
    if sd is not None:
        user, where = sd
        try:
            uid: Optional[int] = pwd.getpwnam(user).pw_uid
        except KeyError:
            uid = 0 if user == "root" else None
        return user, uid, where
    return None, None, ""


def collect_host(*, ncs_dir: Optional[str], config_dir: Optional[str], run_dir: Optional[str],
                 conf: Optional[NcsConf], env: Mapping[str, str], proc_root: str = "/proc",
                 systemd_units: Iterable[str] = SYSTEMD_UNITS) -> HostFacts:
    ncs_dir = ncs_dir or env.get("NCS_DIR") or None
    config_dir = config_dir or env.get("NCS_CONFIG_DIR") or None
    run_dir = run_dir or env.get("NCS_RUN_DIR") or None
    kind, evidence = detect_install_type(ncs_dir=ncs_dir, config_dir=config_dir, run_dir=run_dir, conf=conf)
    user, uid, source = daemon_user(ncs_dir=ncs_dir, config_dir=config_dir, proc_root=proc_root,
                                    units=systemd_units)
    files = tuple(inspect_file(p) for p in files_of_interest(conf, ncs_dir, config_dir))
    return HostFacts(install_type=kind, install_evidence=evidence, ncs_dir=ncs_dir, config_dir=config_dir,
                     run_dir=run_dir, daemon_user=user, daemon_uid=uid, daemon_user_source=source, files=files)


__all__ = ["collect_host", "files_of_interest", "inspect_file", "decode_capabilities",
           "detect_install_type", "daemon_user"]
