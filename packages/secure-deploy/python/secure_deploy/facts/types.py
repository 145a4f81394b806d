"""The facts the checks judge: plain immutable data, no IO, no secrets.

Readers (standalone: facts/*.py, inside NSO: nso/cdb_facts.py) fill these. Secret
values never get this far: the readers reduce them to properties (scheme, length,
"is a well-known default", fingerprint) so no check can print one.
"""
from __future__ import annotations

from dataclasses import field
from typing import Dict, List, Optional, Tuple

from ..errors import ConfValueError
from ..frozen import frozen
from ..model import Location, NodeInfo, NsoVersionInfo
from .ncsconf_defaults import default_for

NCS_CONFIG = "/ncs-config"
BOOLEANS = ("true", "false")
# Leaf-lists of ncs.conf(5) the rules read: several elements are legal. Any other leaf
# written twice is ambiguous (which one NSO uses is not documented) and is reported.
MULTI_VALUED = frozenset({"/ncs-config/ncs-ipc-extra-listen-ip", "/ncs-config/load-path/dir",
                          "/ncs-config/webui/server-alias", "/ncs-config/scripts/dir",
                          "/ncs-config/cli/suppress-commit-message-context"})
# SSH algorithms as configured: ((kind, (algorithm, ...)), ...), kinds in SSH_ALGORITHM_KINDS order.
Algorithms = Tuple[Tuple[str, Tuple[str, ...]], ...]
# CdbFacts.sources inside NSO (read through MAAPI, which can decrypt); standalone: file names.
NSO_CDB_SOURCE = "NSO CDB (MAAPI)"


@frozen
class ConfNode:
    """One element of ncs.conf. `text` is `${VAR}`-expanded, `raw` as written."""

    name: str
    text: Optional[str] = None
    raw: Optional[str] = None
    line: Optional[int] = None
    children: Tuple["ConfNode", ...] = ()

    def child(self, name: str) -> Optional["ConfNode"]:
        for c in self.children:
            if c.name == name:
                return c
        return None

    def all(self, name: str) -> Tuple["ConfNode", ...]:
        return tuple(c for c in self.children if c.name == name)

    def value(self, relpath: str) -> Optional[str]:
        node: Optional[ConfNode] = self
        for part in relpath.strip("/").split("/"):
            node = node.child(part) if node else None
        return node.text if node else None


@frozen
class InlineKey:
    """A key written into ncs.conf /encrypted-strings, reduced to safe properties."""

    name: str                  # e.g. "AESCFB128/key"
    generation: Optional[int]  # None outside /encrypted-strings/key-rotation
    well_formed: bool          # right number of hex digits
    is_dummy: bool             # one of the well-known local-install values
    line: Optional[int] = None


@frozen
class NcsConf:
    """A parsed ncs.conf with the NSO release whose defaults fill in absent elements.

    `value()` is lenient (presence, raw reading); `effective()` and `enabled()` are what
    a verdict rests on and raise ConfValueError for a value that cannot be judged.
    """

    path: str
    root: ConfNode
    version: str                               # major.minor whose defaults apply
    inline_keys: Tuple[InlineKey, ...] = ()
    env: Tuple[Tuple[str, str], ...] = ()      # the ${VAR} values used for expansion
    # Elements not in the tailf-ncs-config namespace: ((name, namespace or "", line), ...);
    # NSO does not read them as its settings and neither do the rules.
    foreign: Tuple[Tuple[str, str, Optional[int]], ...] = ()

    def nodes(self, path: str) -> Tuple[ConfNode, ...]:
        """Every element at an absolute /ncs-config/... path (lists give several)."""
        parts = path.strip("/").split("/")
        if not parts or parts[0] != self.root.name:
            raise ValueError(f"not an ncs.conf path: {path}")
        level: Tuple[ConfNode, ...] = (self.root,)
        for part in parts[1:]:
            level = tuple(c for n in level for c in n.all(part))
        return level

    def node(self, path: str) -> Optional[ConfNode]:
        found = self.nodes(path)
        return found[0] if found else None

    def value(self, path: str) -> Optional[str]:
        """The value written in the file, or None when the element is absent."""
        n = self.node(path)
        return n.text if n is not None else None

    def is_set(self, path: str) -> bool:
        return self.node(path) is not None

    def default(self, path: str) -> Optional[str]:
        return default_for(path, self.version)

    def duplicated(self, path: str) -> Tuple[ConfNode, ...]:
        """The elements of a leaf written more than once (empty when it is not)."""
        found = self.nodes(path)
        return found if len(found) > 1 and path not in MULTI_VALUED else ()

    def _where(self, nodes: Tuple[ConfNode, ...]) -> str:
        lines = [str(n.line) for n in nodes if n.line]
        return f"{self.path}{' line' + ('s ' if len(lines) > 1 else ' ') + ', '.join(lines) if lines else ''}"

    def effective(self, path: str, *, variables_ok: bool = False) -> Optional[str]:
        """The value NSO uses: the file's, else the release's documented default.

        Raises ConfValueError when the leaf is written twice, or (unless
        `variables_ok`, for file names a person reads) holds a ${VAR} the reader
        could not expand: what NSO would use is then unknown.
        """
        dup = self.duplicated(path)
        if dup:
            values = ", ".join(repr(n.raw) for n in dup)
            raise ConfValueError(f"{path} is written {len(dup)} times ({values}) in {self._where(dup)}: "
                                 "which one NSO uses is not documented; keep one")
        n = self.node(path)
        if n is None:
            return self.default(path)
        if not variables_ok and n.text is not None and "${" in n.text:
            raise ConfValueError(f"{path} is {n.raw!r} in {self._where((n,))}: the variable cannot be "
                                 "expanded here (give the NCS_* directories, e.g. --ncs-dir/--config-dir)")
        return n.text

    def enabled(self, path: str) -> bool:
        """A boolean leaf: true or false (ncs.conf(5) booleans); anything else raises."""
        v = self.effective(path)
        if v is None or (v == "" and not self.is_set(path)):
            return False  # absent and no documented default: the feature stays off
        text = v.strip()
        if text not in BOOLEANS:
            n = self.node(path)
            where = self._where((n,)) if n is not None else self.path
            raise ConfValueError(f"{path} is {text!r} in {where}: not a boolean (true or false)")
        return text == "true"

    def location(self, path: str) -> Location:
        n = self.node(path)
        return Location(self.path, n.line if n is not None else None)

    def described(self, path: str) -> str:
        """'value' or 'absent (default: X)' for evidence."""
        v = self.value(path)
        if v is not None:
            return v if v != "" else "(empty)"
        d = self.default(path)
        return f"absent (NSO {self.version} default: {d if d not in (None, '') else 'none'})"


@frozen
class FileFacts:
    """stat() of one file the checks care about: mode, owner, capabilities, or why it failed."""

    path: str
    exists: bool
    mode: Optional[int] = None        # permission bits incl. setuid/setgid/sticky
    uid: Optional[int] = None
    gid: Optional[int] = None
    owner: Optional[str] = None
    group: Optional[str] = None
    capabilities: Optional[str] = None  # decoded file capabilities, e.g. "cap_net_bind_service"
    mtime: Optional[float] = None
    error: Optional[str] = None       # could not stat/read (permission denied, ...)

    @property
    def mode_text(self) -> str:
        return f"{self.mode:04o}" if self.mode is not None else "unknown"

    @property
    def is_setuid_root(self) -> bool:
        return bool(self.mode is not None and self.mode & 0o4000 and self.uid == 0)


@frozen
class HostFacts:
    """The installation on this machine: install type, daemon user and the files that matter."""

    install_type: str                 # "system", "local" or "unknown"
    install_evidence: str
    ncs_dir: Optional[str] = None
    config_dir: Optional[str] = None
    run_dir: Optional[str] = None
    daemon_user: Optional[str] = None
    daemon_uid: Optional[int] = None
    daemon_user_source: str = ""      # "process", "systemd unit", "--run-as-user", ...
    files: Tuple[FileFacts, ...] = ()

    def file(self, path: str) -> Optional[FileFacts]:
        for f in self.files:
            if f.path == path:
                return f
        return None


@frozen
class KeyGeneration:
    """One generation of ncs.crypto_keys as the checks see it: names and fingerprint only."""

    generation: int                   # -1 = legacy keys (no generation)
    names: Tuple[str, ...]            # e.g. ("AESCFB128_KEY", "AES256CFB128_KEY")
    fingerprint: str                  # safe to display; see facts/keys.py
    is_dummy: bool


@frozen
class KeysFacts:
    """ncs.crypto_keys reduced to safe properties."""

    path: str
    file: FileFacts
    format: str                                  # "legacy" or "2"
    generations: Tuple[KeyGeneration, ...] = ()
    active_generation: Optional[int] = None      # known inside NSO; standalone: newest
    created_at: Optional[str] = None             # ISO 8601 time the active keys were made
    created_source: str = ""                     # "rotation history" or "file mtime (estimate)"
    file_fingerprint: Optional[str] = None       # of the whole file (keyfile.file_fingerprint)

    @property
    def has_des3(self) -> bool:
        return any(n.startswith("DES3CBC") for g in self.generations for n in g.names)

    @property
    def any_dummy(self) -> bool:
        return any(g.is_dummy for g in self.generations)


@frozen
class UserFacts:
    """A local user in /aaa, reduced to its password scheme (never the hash)."""

    name: str
    hash_scheme: str                  # "none", "$0$", "$1$", "$5$", "$6$", "other"
    default_password: bool            # password equals a well-known default
    local_ipc_access: Optional[bool] = None


@frozen
class NacmRule:
    """One /nacm/rule-list/rule (data, RPC or notification rule)."""

    name: str
    module_name: Optional[str] = None
    path: Optional[str] = None
    rpc_name: Optional[str] = None
    access_operations: Optional[str] = None   # "*", "read", "create update", ...
    action: str = "deny"
    context: Optional[str] = None
    notification_name: Optional[str] = None   # a notification rule never grants data access


@frozen
class NacmCmdRule:
    """One tailf-acm cmdrule: access to CLI/WebUI commands."""

    name: str
    command: Optional[str] = None
    access_operations: Optional[str] = None
    action: str = "deny"
    context: Optional[str] = None


@frozen
class NacmRuleList:
    """A NACM rule-list: the groups it applies to and its rules in order."""

    name: str
    groups: Tuple[str, ...] = ()
    rules: Tuple[NacmRule, ...] = ()
    cmdrules: Tuple[NacmCmdRule, ...] = ()


@frozen
class NacmGroup:
    """A NACM group and its user names."""

    name: str
    users: Tuple[str, ...] = ()


@frozen
class NacmFacts:
    """Absent leaves are None: the RFC 8341 / tailf-acm default then applies."""

    enable_nacm: Optional[bool] = None
    read_default: Optional[str] = None
    write_default: Optional[str] = None
    exec_default: Optional[str] = None
    cmd_read_default: Optional[str] = None
    cmd_exec_default: Optional[str] = None
    groups: Tuple[NacmGroup, ...] = ()
    rule_lists: Tuple[NacmRuleList, ...] = ()


@frozen
class UmapFacts:
    """One authgroup user map (or the default map): how device credentials are chosen."""

    local_user: str                   # "default-map" for the authgroup's default map
    remote_name: Optional[str] = None
    same_user: bool = False
    credential: Optional[str] = None  # "remote-password", "same-pass", "public-key" or None
    default_credentials: bool = False  # e.g. admin/admin
    password_unchecked: bool = False   # encrypted ($7$/$8$/$9$) and not decrypted: not compared


@frozen
class AuthgroupFacts:
    """A southbound authgroup and its user maps (credentials reduced to their kind)."""

    name: str
    maps: Tuple[UmapFacts, ...] = ()


@frozen
class DeviceFacts:
    """A managed device's settings that matter for SSH security."""

    name: str
    host_key_verification: Optional[str] = None
    authgroup: Optional[str] = None
    ssh_algorithms: Algorithms = ()


@frozen
class DeviceProfileFacts:
    """A device profile (/devices/profiles/profile): SSH algorithms its devices inherit."""

    name: str
    ssh_algorithms: Algorithms = ()


@frozen
class CdbFacts:
    """What the CDB (XML files, or MAAPI inside NSO) says; None means that part was not seen."""

    sources: Tuple[str, ...] = ()                 # files read, or "NSO CDB"
    users: Optional[Tuple[UserFacts, ...]] = None  # None: no /aaa data seen
    nacm: Optional[NacmFacts] = None
    global_host_key_verification: Optional[str] = None
    devices: Optional[Tuple[DeviceFacts, ...]] = None
    authgroups: Optional[Tuple[AuthgroupFacts, ...]] = None
    global_ssh_algorithms: Algorithms = ()
    ha_token_set: Optional[bool] = None           # None: no /high-availability data seen
    profiles: Tuple[DeviceProfileFacts, ...] = ()


# Interfaces an operator may declare enabled on purpose (--accept-exposure).
EXPOSURES = ("cli-ssh", "netconf-ssh", "webui-http")


@frozen
class AcceptedExposure:
    """An interface enabled on purpose: its findings are ACCEPTED, never PASS."""

    interface: str          # one of EXPOSURES
    reason: str = ""
    approver: str = ""

    @property
    def statement(self) -> str:
        why = f": {self.reason}" if self.reason else ""
        who = f" (approved by {self.approver})" if self.approver else ""
        return f"accepted exposure {self.interface}{why}{who}"


@frozen
class Settings:
    """Operator settings that change verdicts (from CLI options or NSO config).

    `accepted_exposures` takes AcceptedExposure entries or bare interface names
    (`--accept-exposure cli-ssh`); names are turned into entries without a reason.
    """

    max_key_age_days: int = 365
    accepted_exposures: Tuple[AcceptedExposure, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "accepted_exposures", tuple(
            e if isinstance(e, AcceptedExposure) else AcceptedExposure(str(e)) for e in self.accepted_exposures))

    @property
    def exposure_names(self) -> Tuple[str, ...]:
        return tuple(e.interface for e in self.accepted_exposures)

    def exposure(self, name: str) -> Optional[AcceptedExposure]:
        return next((e for e in self.accepted_exposures if e.interface == name), None)


@frozen
class FleetFacts:
    """Several nodes' facts for the cross-node rules: fingerprints and settings, never keys."""

    nodes: Tuple[NodeInfo, ...] = ()

    def clusters(self) -> Tuple[Tuple[str, Tuple[NodeInfo, ...]], ...]:
        """(cluster name, its nodes) in order of first appearance; nodes without a cluster left out."""
        out: Dict[str, List[NodeInfo]] = {}
        for n in self.nodes:
            if n.cluster:
                out.setdefault(n.cluster, []).append(n)
        return tuple((name, tuple(members)) for name, members in out.items())


@frozen
class Facts:
    """Everything one audit judges, gathered before any check runs."""

    version: NsoVersionInfo
    now: str                                      # ISO 8601, from the caller's clock
    ncs_conf: Optional[NcsConf] = None
    host: Optional[HostFacts] = None
    keys: Optional[KeysFacts] = None
    cdb: Optional[CdbFacts] = None
    settings: Settings = field(default_factory=Settings)
    errors: Tuple[Tuple[str, str], ...] = ()      # (source, message) for sources that failed
    fleet: Optional[FleetFacts] = None            # several nodes (cross-node rules only)

    def error(self, source: str) -> Optional[str]:
        return dict(self.errors).get(source)

    @property
    def error_map(self) -> Dict[str, str]:
        return dict(self.errors)
