"""Production installation: a system install, and an ncs.conf that is not an example.

Also home of `install_dir_path()`, used by the interface and IPC rules to recognise
files that live inside the NSO installation directory (the shipped demo material).
"""
from __future__ import annotations

from typing import List, Optional, Sequence, Tuple

from ..facts.types import ConfNode, Facts, NcsConf
from ..model import Finding, Location, Severity, Status, finding
from ..registry import rule
from ._common import MANUAL_CHECK, NCS_CONF_MAN, conf

SECTION = "Development vs. Production Deployment > Production Installation"
GUIDE_SYSTEM_INSTALL = "NSO Administration Guide: System Install"

# Security-relevant files whose place tells a local-install/example ncs.conf apart
# from a production one: the local install points them into ${NCS_DIR}/etc/ncs (the
# files shipped with the distribution), the system install into ${NCS_CONFIG_DIR}.
INSTALL_DIR_FILES: Tuple[str, ...] = (
    "/ncs-config/aaa/ssh-server-key-dir",
    "/ncs-config/ncs-ipc-access-check/filename",
    "/ncs-config/webui/transport/ssl/key-file",
    "/ncs-config/webui/transport/ssl/cert-file",
    "/ncs-config/webui/transport/ssl/ca-cert-file",
    "/ncs-config/restconf/transport/ssl/key-file",
    "/ncs-config/restconf/transport/ssl/cert-file",
    "/ncs-config/restconf/transport/ssl/ca-cert-file",
    "/ncs-config/ha-raft/ssl/key-file",
    "/ncs-config/ha-raft/ssl/cert-file",
    "/ncs-config/ha-raft/ssl/ca-cert-file",
)
_MAX_LISTED = 25


def install_dir_path(c: NcsConf, node: ConfNode, facts: Facts, sub: str = "etc/ncs") -> bool:
    """True when `node`'s value points at `${NCS_DIR}/<sub>` (the install directory).

    Recognised three ways because the reader may not know NCS_DIR: the raw text
    names ${NCS_DIR}; or the expanded text starts with the NCS_DIR the reader
    expanded with; or it starts with the install directory the host facts found.
    """
    raw = (node.raw or "").strip()
    text = (node.text or "").strip()
    sub = sub.strip("/")
    if raw.startswith("${NCS_DIR}/" + sub):
        return True
    roots = [v for k, v in c.env if k == "NCS_DIR" and v]
    if facts.host is not None and facts.host.ncs_dir:
        roots.append(facts.host.ncs_dir)
    return any(text.startswith(r.rstrip("/") + "/" + sub) for r in roots)


def _leaves(node: ConfNode, prefix: str) -> List[Tuple[str, ConfNode]]:
    here = f"{prefix}/{node.name}"
    if not node.children:
        return [(here, node)]
    out: List[Tuple[str, ConfNode]] = []
    for ch in node.children:
        out.extend(_leaves(ch, here))
    return out


def _at(path: str, node: ConfNode) -> Tuple[str, Optional[int]]:
    where = f" (line {node.line})" if node.line else ""
    return f"{path}={node.raw}{where}", node.line


@rule("SD-INSTALL-001", "NSO is a system install", Severity.HIGH,
      rationale="""
The guidance reserves `--local-install` for development. A system install puts the
configuration under /etc/ncs, state under /var/opt/ncs and logs under /var/log/ncs,
generates fresh encryption keys, uses the production ncs.conf (external keys, PAM
system-auth, northbound interfaces off) and can run NSO as a non-root user
(`--run-as-user`). A local install keeps everything in one user-writable directory
with demo keys and certificates.""",
      remediation="""
Reinstall NSO with the installer's `--system-install` option (add `--run-as-user USER`
to run it as a non-root user) and migrate packages and CDB data to it.""",
      section=SECTION, references=(GUIDE_SYSTEM_INSTALL, "ncs-installer(1)"),
      tags=("install", "host"), needs=("host",),
      manual="on the NSO host, check that NSO was installed with --system-install (NCS_DIR under "
             "/opt/ncs, configuration in /etc/ncs) or audit there with --host",
      example="""A local install (ncs-setup layout): NCS_DIR outside /opt/ncs, ncs.conf in the run directory
$ echo $NCS_DIR
/home/dev/nso-6.4
$ ls ~/ncs-run
logs  ncs-cdb  ncs.conf  packages  scripts  state""",
      fix_example="""A system install: NCS_DIR under /opt/ncs, ncs.conf and ncs.systemd.conf in /etc/ncs,
state in /var/opt/ncs (no ncs.conf there)
$ echo $NCS_DIR
/opt/ncs/current
$ ls /etc/ncs
ncs.conf  ncs.crypto_keys  ncs.systemd.conf  ...""")
def system_install(facts: Facts) -> Sequence[Finding]:
    host = facts.host
    assert host is not None  # the engine only calls this rule with host facts
    kind = (host.install_type or "unknown").strip().lower()
    ev = dict(install_type=kind, evidence=host.install_evidence or None, ncs_dir=host.ncs_dir,
              config_dir=host.config_dir, run_dir=host.run_dir)
    if kind == "system":
        return [finding(Status.PASS, "NSO is a system install", **ev)]
    if kind == "local":
        return [finding(Status.FAIL, "NSO is a local (development) install", expected="system", **ev)]
    # The host layer could not tell (unusual layout, NCS_DIR unset, ...): say what
    # it saw and let a person decide, rather than guess either way.
    return [finding(Status.MANUAL, "could not determine whether NSO is a system or local install; "
                    "check how it was installed", expected="system", **ev)]


@rule("SD-INSTALL-002", "ncs.conf is not a distribution example or local-install default", Severity.MEDIUM,
      rationale="""
The guidance says never to use ncs.conf files from the NSO distribution examples in
production. Those files (and the ncs.conf `ncs-setup` writes for a local install)
use paths relative to the directory NSO was started in (`./state`, `./logs`,
`./ncs-cdb`), take the SSH host keys, WebUI certificates and IPC access file from
`${NCS_DIR}/etc/ncs` (the demo material shipped with every copy of NSO) and carry
well-known example encryption keys. Anyone with the same NSO release has those
keys and certificates.""",
      remediation="""
Start from the ncs.conf a system install generates (${NCS_CONFIG_DIR}/ncs.conf) and
review it: absolute paths under ${NCS_RUN_DIR} / ${NCS_LOG_DIR}, host keys and
certificates generated for this host under ${NCS_CONFIG_DIR}, and external keys
(`encrypted-strings/external-keys`) instead of inline ones.""",
      section=SECTION, paths=("/ncs-config/state-dir", "/ncs-config/cdb/db-dir", *INSTALL_DIR_FILES),
      references=(NCS_CONF_MAN, GUIDE_SYSTEM_INSTALL), tags=("install", "ncs-conf"),
      example="<state-dir>./state</state-dir><aaa><ssh-server-key-dir>${NCS_DIR}/etc/ncs/ssh"
              "</ssh-server-key-dir></aaa>",
      fix_example="<state-dir>${NCS_RUN_DIR}/state</state-dir><aaa><ssh-server-key-dir>"
                  "${NCS_CONFIG_DIR}/ssh</ssh-server-key-dir></aaa>")
def not_an_example_conf(facts: Facts) -> Sequence[Finding]:
    c = conf(facts)
    bad_paths: List[str] = []
    relative: List[Tuple[str, Optional[int]]] = []
    for path, node in _leaves(c.root, ""):
        raw = (node.raw or "").strip()
        if raw.startswith("./") or raw.startswith("../") or raw == ".":
            relative.append(_at(path, node))
            bad_paths.append(path)
    install_dir: List[Tuple[str, Optional[int]]] = []
    for path in INSTALL_DIR_FILES:
        for node in c.nodes(path):
            if install_dir_path(c, node, facts):
                install_dir.append(_at(path, node))
                bad_paths.append(path)
    # Only the key's name and line: the value never reaches the checks.
    dummy_keys = [(f"/ncs-config/encrypted-strings/{k.name}" + (f" (line {k.line})" if k.line else ""), k.line)
                  for k in c.inline_keys if k.is_dummy]

    # The distribution's own key material first: it matters most and must not be
    # cut off by a long list of relative log paths.
    offending = install_dir + dummy_keys + relative
    if not offending:
        return [finding(Status.PASS, "no example or local-install markers in ncs.conf",
                        location=c.location("/ncs-config"))]
    parts = []
    if install_dir:
        parts.append(f"{len(install_dir)} security file(s) under ${{NCS_DIR}}/etc/ncs")
    if dummy_keys:
        parts.append(f"{len(dummy_keys)} well-known example encryption key(s)")
    if relative:
        parts.append(f"{len(relative)} relative path(s)")
    shown = [text for text, _ in offending[:_MAX_LISTED]]
    more = f" ... and {len(offending) - _MAX_LISTED} more" if len(offending) > _MAX_LISTED else ""
    first_line = next((line for _, line in offending if line), None)
    return [finding(Status.FAIL, "ncs.conf looks like a distribution example / local-install file: "
                    + ", ".join(parts),
                    paths=tuple(dict.fromkeys(bad_paths)),
                    location=Location(c.path, first_line),
                    offending="; ".join(shown) + more,
                    relative_paths=len(relative) or None,
                    install_dir_files=len(install_dir) or None,
                    example_keys=len(dummy_keys) or None)]



@rule("SD-INSTALL-003", "The system-install ncs.conf was reviewed for this site", Severity.MEDIUM,
      rationale="""
The guidance asks to evaluate and customise the default ncs.conf of a system install
to the site's own security requirements rather than deploy it as shipped. This audit
checks the settings the guidance names; a review also covers what only the site
knows: which northbound interfaces and addresses are needed, timeouts, log
destinations and retention, and every parameter added by later NSO releases.""",
      remediation="""
Walk through ncs.conf against ncs.conf(5) of the running release with the site's
requirements, record the decisions (e.g. in the change that deploys the file), and
repeat the review on every NSO upgrade.""",
      section=SECTION, paths=("/ncs-config",), references=(NCS_CONF_MAN, GUIDE_SYSTEM_INSTALL),
      tags=("install", "ncs-conf", MANUAL_CHECK),
      example="$ diff /opt/ncs/current/etc/ncs/ncs.conf /etc/ncs/ncs.conf && echo unchanged\nunchanged",
      fix_example="$ git log --oneline -- etc/ncs/ncs.conf\n3f2a1c9 ncs.conf reviewed for 6.4: WebUI on "
                  "10.1.2.3 only, audit log to syslog")
def ncs_conf_reviewed(facts: Facts) -> Sequence[Finding]:
    c = conf(facts)
    return [finding(Status.MANUAL, "check that this ncs.conf was reviewed against ncs.conf(5) of NSO "
                    f"{c.version} and the site's requirements (interfaces and addresses, logs, limits, "
                    "timeouts), not deployed as shipped; repeat on upgrades", paths=("/ncs-config",),
                    location=Location(c.path, None))]
