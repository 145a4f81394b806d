"""What `secure-deploy harden` changes in an ncs.conf: one table row per fixable rule.

A row names a rule and the (ncs.conf path, value) edits that make it pass. Only
values that need no knowledge of the site are here: switches (true/false), fixed
algorithm choices, and limits with documented, conservative values. Anything that
needs a site value (certificate and key files, the IPC access secret, the audit
log file name, the rollback directory, external keys) is a manual step; a row whose
edit would need one has a `blocker` that says which, and is not applied.

The edits are version-aware: an absent element means the running release's default
(ncs.conf(5)), so an element is only added when that default is not already the
wanted value, and never for a parameter the release does not have.
"""
from __future__ import annotations

from typing import Callable, Optional, Sequence, Tuple, Union

from ..checks._common import is_loopback
from ..checks.interfaces import addresses
from ..facts.ncsconf_defaults import DEFAULTS, default_for, exists_in
from ..facts.types import NcsConf
from ..frozen import frozen

# A wanted value, or a function of the configuration giving it (None: nothing to do).
Want = Union[str, Callable[[NcsConf], Optional[str]]]


def _always(c: NcsConf) -> bool:
    return True


@frozen
class Edit:
    """Set one ncs.conf path to a wanted value, when its context applies."""

    path: str
    want: Want
    # When the element is absent and its default is wrong, it is only added if the
    # feature is in use (e.g. WebUI settings while the WebUI is off would be noise).
    # An element written with a wrong value is always corrected.
    context: Callable[[NcsConf], bool] = _always


@frozen
class Remove:
    """Remove the elements at `path` (a leaf-list) whose value `keep` rejects."""

    path: str
    keep: Callable[[str], bool]


@frozen
class Fix:
    """How one rule is fixed in ncs.conf: edits and removals, or why it cannot be."""

    rule_id: str
    summary: str
    edits: Tuple[Edit, ...] = ()
    removals: Tuple[Remove, ...] = ()
    blocker: Optional[Callable[[NcsConf], Optional[str]]] = None  # why a site value is needed
    exposure: str = ""       # Settings.accepted_exposures name that leaves this alone
    note: str = ""           # what the operator must know or do after this change
    # Why this release cannot do what the rule asks at all (no parameter to set).
    unavailable: Optional[Callable[[NcsConf], Optional[str]]] = None


def _enabled(path: str) -> Callable[[NcsConf], bool]:
    return lambda c: c.enabled(path)


# --- SSH algorithms -----------------------------------------------------------

def weak_algorithm(name: str) -> bool:
    """SHA-1 kex/MAC, truncated MACs, CBC modes, 3DES, RC4, MD5, DH group 1, 'none'."""
    n = name.lower()
    return ("sha1" in n or n.endswith("-cbc") or "cbc@" in n or "3des" in n or "arcfour" in n
            or "md5" in n or "group1-" in n or n.endswith("-96") or n == "none")


def _strong_list(path: str) -> Callable[[NcsConf], Optional[str]]:
    def want(c: NcsConf) -> Optional[str]:
        written = c.value(path)
        default = [a.strip() for a in (default_for(path, c.version) or "").split(",") if a.strip()]
        if written is not None and written.strip() == "":
            # Empty means "every supported algorithm", weak ones included: write
            # the release's default list without its weak members.
            return ",".join(a for a in default if not weak_algorithm(a))
        current = [a.strip() for a in (c.effective(path) or "").split(",") if a.strip()]
        strong = [a for a in current if not weak_algorithm(a)]
        if strong == current:
            return None
        # Nothing strong left: the release default (filtered) is the only choice
        # that is not a guess.
        return ",".join(strong or [a for a in default if not weak_algorithm(a)])
    return want


def _at_least(path: str, minimum: int) -> Callable[[NcsConf], Optional[str]]:
    def want(c: NcsConf) -> Optional[str]:
        raw = (c.effective(path) or "").strip()
        try:
            return None if int(raw) >= minimum else str(minimum)
        except ValueError:
            return str(minimum) if raw else None
    return want


def _replace(path: str, bad: str, good: str) -> Callable[[NcsConf], Optional[str]]:
    """`good` where the effective value is `bad` (case-insensitive), else nothing."""
    return lambda c: good if (c.effective(path) or "").strip().lower() == bad else None


# --- limits -------------------------------------------------------------------
# Documented in docs/harden.md. Sessions: enough for a team of operators plus
# integrations; configuration sessions are rarer. Parser limits only replace the
# two that default to unbounded (and any written "unbounded") with bounds far above
# any legitimate NETCONF/RESTCONF payload element.
MAX_SESSIONS = "100"
MAX_CONFIG_SESSIONS = "20"
PARSER_BOUNDS = {
    "max-attribute-value-length": "65536",
    "max-data-length": "16777216",
}
PARSER_LIMITS = ("max-processing-instruction-length", "max-tag-length", "max-attribute-length",
                 "max-attribute-value-length", "max-attribute-count", "max-xmlns-prefix-length",
                 "max-xmlns-valueLength", "max-xmlns-count", "max-data-length")


def _bounded(name: str) -> Callable[[NcsConf], Optional[str]]:
    path = f"/ncs-config/parser-limits/{name}"

    def want(c: NcsConf) -> Optional[str]:
        if (c.effective(path) or "").strip().lower() != "unbounded":
            return None
        default = default_for(path, c.version) or ""
        return default if default.isdigit() else PARSER_BOUNDS.get(name, "65536")
    return want


# --- blockers: site values the fix would need -------------------------------------

def _needs_written(*paths: str, what: str) -> Callable[[NcsConf], Optional[str]]:
    def blocker(c: NcsConf) -> Optional[str]:
        missing = [p for p in paths if not (c.value(p) or "").strip()]
        return f"{what} ({', '.join(missing)}) must be chosen for this site" if missing else None
    return blocker


def _audit_blocker(c: NcsConf) -> Optional[str]:
    dest = [k for k in ("file", "syslog", "external") if c.enabled(f"/ncs-config/logs/audit-log/{k}/enabled")]
    if dest or (c.value("/ncs-config/logs/audit-log/file/name") or "").strip():
        return None
    return ("the audit log needs a destination: a file name (e.g. ${NCS_LOG_DIR}/audit.log, "
            "/ncs-config/logs/audit-log/file/name) or a syslog target")


def _net_audit_blocker(c: NcsConf) -> Optional[str]:
    base = "/ncs-config/logs/audit-network-log"
    if c.enabled(f"{base}/file/enabled") or c.enabled(f"{base}/external/enabled"):
        return None
    if (c.value(f"{base}/file/name") or "").strip():
        return None
    return ("the audit network log needs a file name (e.g. ${NCS_LOG_DIR}/audit-network.log, "
            f"{base}/file/name)")


def _audit_file_edit(c: NcsConf) -> Optional[str]:
    # Only switch the file on when no destination is on yet: syslog alone is fine.
    base = "/ncs-config/logs/audit-log"
    if any(c.enabled(f"{base}/{k}/enabled") for k in ("file", "syslog", "external")):
        return None
    return "true"


def _net_audit_file_edit(c: NcsConf) -> Optional[str]:
    base = "/ncs-config/logs/audit-network-log"
    if any(c.enabled(f"{base}/{k}/enabled") for k in ("file", "external")):
        return None
    return "true"


_TLS_FILES = ("key-file", "cert-file", "ca-cert-file")
WEBUI = "/ncs-config/webui/enabled"
_WEB_OR_RESTCONF = lambda c: c.enabled(WEBUI) or c.enabled("/ncs-config/restconf/enabled")  # noqa: E731

FIXES: Tuple[Fix, ...] = (
    Fix("SD-AUTH-001", "turn local authentication off",
        (Edit("/ncs-config/aaa/local-authentication/enabled", "false"),),
        note="Local CDB users can no longer log in: make sure operators have OS accounts in the "
             "ncsadmin/ncsoper groups (PAM) before restarting NSO."),
    Fix("SD-AUTH-002", "authenticate through PAM with the system-auth service",
        (Edit("/ncs-config/aaa/pam/enabled", "true"), Edit("/ncs-config/aaa/pam/service", "system-auth")),
        note="/etc/pam.d/system-auth must exist on the NSO host (it does on RHEL-like systems; "
             "on Debian-like systems create it or point it at common-auth's modules)."),
    Fix("SD-AUTH-003", "prompt users about expiring passwords",
        (Edit("/ncs-config/aaa/expiration-warning", "prompt"),)),
    Fix("SD-IF-001", "disable the CLI's SSH server",
        (Edit("/ncs-config/cli/ssh/enabled", "false", _enabled("/ncs-config/cli/enabled")),),
        exposure="cli-ssh",
        note="Operators use `ncs_cli` on the NSO host instead of SSH to port 2024."),
    Fix("SD-IF-002", "disable NETCONF over SSH",
        (Edit("/ncs-config/netconf-north-bound/transport/ssh/enabled", "false",
              _enabled("/ncs-config/netconf-north-bound/enabled")),),
        exposure="netconf-ssh"),
    Fix("SD-IF-003", "disable the WebUI's plain-HTTP transport",
        (Edit("/ncs-config/webui/transport/tcp/enabled", "false", _enabled(WEBUI)),),
        exposure="webui-http",
        note="The WebUI (and RESTCONF on the WebUI transport) is then only reachable over "
             "/ncs-config/webui/transport/ssl, which needs this host's certificate (manual)."),
    Fix("SD-IF-005", "disable NETCONF over clear-text TCP on non-loopback addresses",
        (Edit("/ncs-config/netconf-north-bound/transport/tcp/enabled",
              lambda c: "false" if c.enabled("/ncs-config/netconf-north-bound/transport/tcp/enabled") and not all(
                  is_loopback(ip) for ip, _, _ in addresses(c, "/ncs-config/netconf-north-bound/transport/tcp"))
              else None),)),
    Fix("SD-IF-006", "disable WebUI CGI support",
        (Edit("/ncs-config/webui/cgi/enabled", "false", _enabled(WEBUI)),)),
    Fix("SD-IF-007", "make the WebUI check the Host header",
        (Edit("/ncs-config/webui/match-host-name", "true", _enabled(WEBUI)),),
        note="Set /ncs-config/webui/server-name (default localhost) to the host name operators use, "
             "or the WebUI rejects their requests."),
    Fix("SD-IF-008", "restrict CLI file access to the user's home directory",
        (Edit("/ncs-config/cli/restricted-file-access", "true", _enabled("/ncs-config/cli/enabled")),)),
    Fix("SD-SSH-001", "offer only the ssh-ed25519 host key",
        (Edit("/ncs-config/ssh/algorithms/server-host-key", "ssh-ed25519"),),
        note="An ed25519 host key (ssh_host_ed25519_key) must exist in /ncs-config/aaa/ssh-server-key-dir."),
    Fix("SD-SSH-002", "remove SHA-1, CBC and 3DES algorithms from the SSH server",
        (Edit("/ncs-config/ssh/algorithms/kex", _strong_list("/ncs-config/ssh/algorithms/kex")),
         Edit("/ncs-config/ssh/algorithms/mac", _strong_list("/ncs-config/ssh/algorithms/mac")),
         Edit("/ncs-config/ssh/algorithms/encryption", _strong_list("/ncs-config/ssh/algorithms/encryption")),
         Edit("/ncs-config/ssh/algorithms/dh-group/min-size",
              _at_least("/ncs-config/ssh/algorithms/dh-group/min-size", 2048)))),
    Fix("SD-HASH-001", "hash passwords with SHA-512",
        (Edit("/ncs-config/crypt-hash/algorithm", "sha-512"),
         Edit("/ncs-config/crypt-hash/rounds", lambda c: _at_least("/ncs-config/crypt-hash/rounds", 5000)(c)
              if c.value("/ncs-config/crypt-hash/rounds") is not None else None)),
        note="Existing local password hashes keep their scheme until the passwords are set again."),
    Fix("SD-IPC-001", "keep TCP IPC on loopback",
        (Edit("/ncs-config/ncs-ipc-address/ip", lambda c: "127.0.0.1" if c.value(
            "/ncs-config/ncs-ipc-address/ip") is not None and not is_loopback(
            c.value("/ncs-config/ncs-ipc-address/ip") or "") else None),),
        removals=(Remove("/ncs-config/ncs-ipc-extra-listen-ip", is_loopback),)),
    Fix("SD-IPC-003", "use the Unix domain socket for IPC",
        (Edit("/ncs-config/ncs-local-ipc/enabled", "true"),),
        note="With ncs-local-ipc on, IPC clients (ncs_cli, ncs --reload, MAAPI/CDB scripts) must use the "
             "Unix socket (NCS_IPC_PATH when the path is not /tmp/nso/nso-ipc); TCP IPC is no longer "
             "available."),
    Fix("SD-LIMIT-001", "limit concurrent sessions",
        (Edit("/ncs-config/session-limits/max-sessions", _replace(
            "/ncs-config/session-limits/max-sessions", "unbounded", MAX_SESSIONS)),
         Edit("/ncs-config/session-limits/max-config-sessions", _replace(
             "/ncs-config/session-limits/max-config-sessions", "unbounded", MAX_CONFIG_SESSIONS))),
        note=f"max-sessions {MAX_SESSIONS} and max-config-sessions {MAX_CONFIG_SESSIONS} are starting "
             "points: size them for your operators and integrations."),
    Fix("SD-LIMIT-002", "bound concurrent transactions",
        (Edit("/ncs-config/transaction-limits/max-transactions", _replace(
            "/ncs-config/transaction-limits/max-transactions", "unbounded", "logical-processors")),)),
    Fix("SD-LIMIT-003", "bound the XML parser",
        tuple(Edit(f"/ncs-config/parser-limits/{n}", _bounded(n)) for n in PARSER_LIMITS)),
    Fix("SD-LIMIT-004", "size-limit unauthenticated WebUI messages",
        (Edit("/ncs-config/webui/transport/unauthenticated-message-limit", _replace(
            "/ncs-config/webui/transport/unauthenticated-message-limit", "nolimit", "65536"),
            _WEB_OR_RESTCONF),)),
    Fix("SD-LIMIT-005", "rate-limit JSON-RPC",
        (Edit("/ncs-config/webui/rate-limiting", _replace("/ncs-config/webui/rate-limiting", "0", "1000000"),
              _enabled(WEBUI)),)),
    Fix("SD-AUDIT-001", "write the audit log to its file",
        (Edit("/ncs-config/logs/audit-log/enabled", "true"),
         Edit("/ncs-config/logs/audit-log/file/enabled", _audit_file_edit)),
        blocker=_audit_blocker),
    Fix("SD-AUDIT-002", "keep rollback files",
        (Edit("/ncs-config/rollback/enabled", "true"),),
        blocker=_needs_written("/ncs-config/rollback/directory", what="a rollback directory")),
    Fix("SD-AUDIT-003", "write the audit network log to its file",
        (Edit("/ncs-config/logs/audit-network-log/enabled", "true"),
         Edit("/ncs-config/logs/audit-network-log/file/enabled", _net_audit_file_edit)),
        blocker=_net_audit_blocker),
    Fix("SD-HA-001", "turn HA Raft TLS back on",
        (Edit("/ncs-config/ha-raft/ssl/enabled", "true", _enabled("/ncs-config/ha-raft/enabled")),),
        blocker=_needs_written(*(f"/ncs-config/ha-raft/ssl/{f}" for f in _TLS_FILES),
                               what="this node's HA Raft TLS key, certificate and CA files")),
    Fix("SD-HA-003", "turn rule-based HA TLS back on (NSO 6.7+)",
        (Edit("/ncs-config/ha/ssl/enabled", "true", _enabled("/ncs-config/ha/enabled")),),
        blocker=_needs_written(*(f"/ncs-config/ha/ssl/{f}" for f in _TLS_FILES),
                               what="this node's HA TLS key, certificate and CA files"),
        unavailable=lambda c: None if exists_in("/ncs-config/ha/ssl/enabled", c.version) else
        f"NSO {c.version} has no TLS for rule-based HA (/ncs-config/ha/ssl exists from 6.7)"),
)


def fix_for(rule_id: str) -> Optional[Fix]:
    for f in FIXES:
        if f.rule_id == rule_id:
            return f
    return None


def known_path(path: str) -> bool:
    """The defaults table covers the path (so `exists_in` can be trusted for it)."""
    return path in DEFAULTS


def value_needed(edit: Edit, c: NcsConf, releases: Sequence[str] = ()) -> Optional[str]:
    """The value `edit` must write into `c`, or None when it is already right.

    `releases`: the NSO releases whose defaults may apply (default: c.version). An
    absent element is written when any of them defaults to something else, so the
    copy means the same on each; never when one of them lacks the parameter.
    """
    releases = tuple(releases) or (c.version,)
    want = edit.want(c) if callable(edit.want) else edit.want
    if want is None:
        return None
    nodes = c.nodes(edit.path)
    if nodes:
        if all((n.text or "").strip().lower() == want.lower() for n in nodes):
            return None
        return want
    if known_path(edit.path) and not all(exists_in(edit.path, v) for v in releases):
        return None  # a release has no such parameter: adding it would break its startup
    defaults = [default_for(edit.path, v) for v in releases]
    if all(d is not None and d.strip().lower() == want.lower() for d in defaults):
        return None
    return want if edit.context(c) else None


def blocked(fix: Fix, c: NcsConf) -> Optional[str]:
    return fix.blocker(c) if fix.blocker is not None else None


__all__ = ["Edit", "Remove", "Fix", "FIXES", "fix_for", "value_needed", "blocked", "weak_algorithm",
           "MAX_SESSIONS", "MAX_CONFIG_SESSIONS", "PARSER_BOUNDS"]
