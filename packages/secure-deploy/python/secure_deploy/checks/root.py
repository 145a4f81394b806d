"""Eliminating root access: the daemon's user and the privileged files of the install.

All three rules judge host facts (facts/host.py). A file missing from host.files was
not inspected (NOT_APPLICABLE/MANUAL); FileFacts.error means it could not be
inspected (ERROR, never FAIL).
"""
from __future__ import annotations

import os
from typing import Dict, FrozenSet, List, Optional, Sequence, Tuple

from ..facts.types import Facts, FileFacts, HostFacts
from ..model import Finding, Severity, Status, finding
from ..registry import rule

SECTION = "Eliminating Root Access"
INSTALLER = "ncs-installer(1): --run-as-user"
WRAPPER_NAMES = ("cmdptywrapper", "cmdwrapper")

# What `ncs-installer --run-as-user` makes privileged (NSO-FACTS §1): path suffix below
# $NCS_DIR -> (setuid root expected, capabilities expected).
EXPECTED: Dict[str, Tuple[bool, FrozenSet[str]]] = {
    "lib/ncs/lib/core/pam/priv/epam": (True, frozenset()),
    "lib/ncs/erts/bin/ncs": (False, frozenset({"cap_net_bind_service"})),
    "lib/ncs/erts/bin/ncs.smp": (False, frozenset({"cap_net_bind_service"})),
    "lib/ncs/bin/ip": (False, frozenset({"cap_net_admin"})),
    "lib/ncs/bin/arping": (False, frozenset({"cap_net_raw"})),
}


def _host(facts: Facts) -> HostFacts:
    assert facts.host is not None  # the engine only calls these rules with host facts
    return facts.host


def _runs_as_root(host: HostFacts) -> Optional[bool]:
    if host.daemon_uid is not None:
        return host.daemon_uid == 0
    if host.daemon_user:
        return host.daemon_user == "root"
    return None


@rule("SD-ROOT-001", "The NSO daemon does not run as root", Severity.CRITICAL,
      rationale="""
A daemon running as root turns every flaw in NSO, in a package's Python or Java
code, or in a program started by a CLI command or an action, into full control of
the host. The guidance asks for the installer's `--run-as-user` option so that NSO
runs with minimal privileges; the few operations that need more (PAM, binding low
ports, raw sockets) get them through individual setuid/capability files.""",
      remediation="Reinstall (system install) with `--run-as-user USER`, or run the ncs service as a "
                  "dedicated non-root user (systemd `User=`) after giving that user the NSO directories.",
      section=SECTION, references=(INSTALLER,), tags=("root", "host"), needs=("host",),
      manual=("on the NSO host, check that the ncs daemon runs as the non-root user given to the installer's "
              "--run-as-user (`ps -o user= -C ncs.smp`), or audit there with --host"),
      example="""The running NSO (or, when it is stopped, an ncs.service unit without User=) is root:
$ ps -o user= -C ncs.smp
root""",
      fix_example="""NSO runs as a dedicated user (installed with --run-as-user ncs, or User=ncs in the unit):
$ ps -o user= -C ncs.smp
ncs""")
def daemon_not_root(facts: Facts) -> Sequence[Finding]:
    host = _host(facts)
    ev = dict(daemon_user=host.daemon_user, uid=host.daemon_uid, source=host.daemon_user_source or None)
    root = _runs_as_root(host)
    if root is None:
        return [finding(Status.MANUAL, "could not determine which user NSO runs as (no NSO process found, "
                        "no systemd unit): check it with `ps -o user= -C ncs.smp`", **ev)]
    if root:
        return [finding(Status.FAIL, "the NSO daemon runs as root", expected="a non-root user", **ev)]
    return [finding(Status.PASS, f"the NSO daemon runs as {host.daemon_user or host.daemon_uid}", **ev)]


def _wrappers(host: HostFacts) -> List[FileFacts]:
    return [f for f in host.files if os.path.basename(f.path) in WRAPPER_NAMES and "/priv/" in f.path]


@rule("SD-ROOT-002", "Command wrappers are not setuid root unless intended", Severity.MEDIUM, objects=("file",),
      rationale="""
cmdptywrapper (CLI commands) and cmdwrapper (actions) start the executables that
CLI commands and actions run. Made setuid root, they let those commands run as
root or as any other user, whatever user the daemon runs as: a CLI command or
action that runs a program becomes a way to root. Without it, such programs run as
the daemon's user. The guidance describes making them setuid root only when that
is needed.""",
      remediation="Unless CLI commands/actions must run programs as another user, remove the setuid bit: "
                  "`chmod u-s $NCS_DIR/lib/ncs/lib/*/priv/cmdptywrapper $NCS_DIR/lib/ncs/lib/*/priv/cmdwrapper`.",
      section=SECTION, references=(INSTALLER,), tags=("root", "host"), needs=("host",),
      manual=("on the NSO host, check that cmdptywrapper and cmdwrapper under $NCS_DIR/lib/ncs/lib/*/priv are "
              "not setuid root unless CLI commands/actions must run programs as root (`ls -l`), or audit there"
              " with --host"),
      example="""$ ls -l $NCS_DIR/lib/ncs/lib/core/confd/priv/cmdptywrapper
-rwsr-xr-x 1 root root ... cmdptywrapper""",
      fix_example="""$ ls -l $NCS_DIR/lib/ncs/lib/core/confd/priv/cmdptywrapper
-rwxr-xr-x 1 root root ... cmdptywrapper""")
def wrappers_not_setuid(facts: Facts) -> Sequence[Finding]:
    found = _wrappers(_host(facts))
    present = [f for f in found if f.exists or f.error]
    if not present:
        return [finding(Status.NOT_APPLICABLE, "command wrappers not inspected or not present "
                        "(NCS_DIR unknown or a different layout)", inspected=len(found))]
    out = []
    for f in present:
        ev = dict(mode=f.mode_text, owner=f.owner or f.uid)
        name = os.path.basename(f.path)
        if f.error:
            out.append(finding(Status.ERROR, f"could not inspect {name}: {f.error}", obj=f.path))
        elif f.is_setuid_root:
            what = "CLI commands" if name == "cmdptywrapper" else "actions"
            out.append(finding(Status.WARN, f"{name} is setuid root: {what} that run executables can run them "
                               "as root or another user", obj=f.path, **ev))
        else:
            out.append(finding(Status.PASS, f"{name} is not setuid root: programs run as the daemon user",
                               obj=f.path, **ev))
    return out


def _suffix(path: str, ncs_dir: Optional[str]) -> Optional[str]:
    if ncs_dir and path.startswith(ncs_dir.rstrip("/") + "/"):
        return path[len(ncs_dir.rstrip("/")) + 1:]
    for key in EXPECTED:
        if path.endswith("/" + key):
            return key
    return None


def _caps(f: FileFacts) -> FrozenSet[str]:
    return frozenset(c.strip() for c in (f.capabilities or "").split(",") if c.strip())


@rule("SD-ROOT-003", "Only the installer's privileged files carry privileges", Severity.MEDIUM, objects=("file",),
      rationale="""
With `--run-as-user`, the installer gives a few files the privileges NSO needs:
epam is setuid root (PAM), ncs/ncs.smp get cap_net_bind_service (ports below
1024), ip gets cap_net_admin and arping cap_net_raw (HA virtual IPs). Any other
setuid/setgid bit or file capability on NSO's files, or more capabilities than
these, hands root-equivalent power to whoever can run or replace that file.""",
      remediation="Remove the extra privilege (`chmod u-s,g-s FILE`, `setcap -r FILE`) or reinstall "
                  "with the installer; keep only the privileges ncs-installer(1) lists for --run-as-user.",
      section=SECTION, references=(INSTALLER,), tags=("root", "host"), needs=("host",),
      manual=("on the NSO host, check that only the files ncs-installer(1) lists for --run-as-user carry "
              "setuid or capabilities (`find $NCS_DIR -perm -4000`, `getcap -r $NCS_DIR`), or audit there with"
              " --host"),
      example="""NSO runs as user ncs; ncs.smp has a capability the installer does not give it:
$ getcap $NCS_DIR/lib/ncs/erts/bin/ncs.smp
/opt/ncs/current/lib/ncs/erts/bin/ncs.smp cap_net_admin,cap_net_bind_service=ep""",
      fix_example="""$ getcap $NCS_DIR/lib/ncs/erts/bin/ncs.smp
/opt/ncs/current/lib/ncs/erts/bin/ncs.smp cap_net_bind_service=ep""")
def privileged_files(facts: Facts) -> Sequence[Finding]:
    host = _host(facts)
    if _runs_as_root(host):
        return [finding(Status.NOT_APPLICABLE, "the daemon runs as root: file privileges add nothing "
                        "(see SD-ROOT-001)", daemon_user=host.daemon_user)]
    out: List[Finding] = []
    judged = 0
    for f in host.files:
        if os.path.basename(f.path) in WRAPPER_NAMES:
            continue  # judged by SD-ROOT-002: a documented, deliberate choice
        if f.error:
            out.append(finding(Status.ERROR, f"could not inspect: {f.error}", obj=f.path))
            continue
        if not f.exists or f.mode is None:
            continue
        judged += 1
        exp_suid, exp_caps = EXPECTED.get(_suffix(f.path, host.ncs_dir) or "", (False, frozenset()))
        suid, sgid, caps = bool(f.mode & 0o4000), bool(f.mode & 0o2000), _caps(f)
        extra: List[str] = []
        if suid and not (exp_suid and f.uid == 0):
            extra.append(f"setuid {f.owner or f.uid}")
        if sgid:
            extra.append(f"setgid {f.group or f.gid}")
        if caps - exp_caps:
            extra.append("capabilities " + ",".join(sorted(caps - exp_caps)))
        ev = dict(mode=f.mode_text, owner=f.owner or f.uid, capabilities=f.capabilities or "none")
        if extra:
            out.append(finding(Status.FAIL, "unexpected privilege: " + "; ".join(extra), obj=f.path,
                               expected=_describe(exp_suid, exp_caps), **ev))
        elif exp_suid or exp_caps:
            missing = (exp_suid and not suid) or bool(exp_caps - caps)
            note = " (fewer than the installer sets: no risk, but the feature needing it may not work)" \
                if missing else ""
            out.append(finding(Status.PASS, f"privileges as the installer sets them{note}", obj=f.path,
                               expected=_describe(exp_suid, exp_caps), **ev))
    if not out:
        if not judged:
            return [finding(Status.NOT_APPLICABLE, "no NSO files inspected")]
        return [finding(Status.PASS, "no inspected file carries setuid/setgid bits or capabilities",
                        files_inspected=judged)]
    return out


def _describe(suid: bool, caps: FrozenSet[str]) -> str:
    parts = (["setuid root"] if suid else []) + sorted(caps)
    return ", ".join(parts) or "no privileges"
