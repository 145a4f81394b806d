"""Assemble Facts from files for the standalone command (inside NSO: nso/cdb_facts.py)."""
from __future__ import annotations

import glob
import os
from dataclasses import field
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Tuple, TypeVar

from ..errors import InputError
from ..frozen import frozen
from ..model import NsoVersionInfo
from .ncsconf import ENV_VARS, expand, read_ncs_conf
from .types import CdbFacts, Facts, HostFacts, KeysFacts, NcsConf, Settings

SYSTEM_CONFIG_DIR = "/etc/ncs"
SYSTEM_RUN_DIR = "/var/opt/ncs"
EXTERNAL_KEYS_ARG = "/ncs-config/encrypted-strings/external-keys/command-argument"
EXTERNAL_KEYS_CMD = "/ncs-config/encrypted-strings/external-keys/command"

T = TypeVar("T")


@frozen
class Sources:
    """Where the deployment's files are. None means: discover."""

    ncs_conf: Optional[str] = None
    config_dir: Optional[str] = None
    run_dir: Optional[str] = None
    ncs_dir: Optional[str] = None
    keys_file: Optional[str] = None
    cdb_xml: Tuple[str, ...] = ()
    inspect_host: Optional[bool] = None      # None: when an installed NSO is being audited
    key_created_at: Optional[str] = None     # from the rotation history, when known
    discover_cdb_xml: bool = True            # False inside NSO: CDB comes from MAAPI
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))


@frozen
class Resolved:
    """Sources with discovery done: the files and directories the readers will use."""

    ncs_conf: str
    config_dir: Optional[str]
    run_dir: Optional[str]
    ncs_dir: Optional[str]
    env: Dict[str, str]
    discovered: bool                         # nothing explicit: auditing this machine


def _absolute(path: Optional[str]) -> Optional[str]:
    return os.path.abspath(path) if path else None


def resolve(src: Sources) -> Resolved:
    e = src.environ
    # The directories and files name places on this machine. NSO sees them as absolute
    # paths (its ${NCS_*} expand to absolute paths), and host inspection skips relative
    # paths as "relative to NSO's unknown working directory", so a relative argument
    # is made absolute here, against the directory the command runs in.
    ncs_dir = _absolute(src.ncs_dir or e.get("NCS_DIR"))
    explicit = bool(src.ncs_conf or src.config_dir or src.run_dir)
    config_dir = _absolute(src.config_dir or (None if src.ncs_conf else e.get("NCS_CONFIG_DIR") or SYSTEM_CONFIG_DIR))
    run_dir = _absolute(src.run_dir or (None if explicit else e.get("NCS_RUN_DIR") or SYSTEM_RUN_DIR))
    ncs_conf = _absolute(src.ncs_conf) or os.path.join(config_dir or SYSTEM_CONFIG_DIR, "ncs.conf")
    env = {k: e[k] for k in ENV_VARS if e.get(k)}
    # Expansion uses what the deployment's NSO would see: explicit dirs win.
    if ncs_dir:
        env["NCS_DIR"] = ncs_dir
    if config_dir:
        env["NCS_CONFIG_DIR"] = config_dir
    if run_dir:
        env["NCS_RUN_DIR"] = run_dir
    return Resolved(ncs_conf, config_dir, run_dir, ncs_dir, env, not explicit)


def _source(name: str, strict: bool, errors: List[Tuple[str, str]], fn: Callable[[], T]) -> Optional[T]:
    """Run one reader; strict (CLI) raises, lenient (NSO action) records an ERROR source."""
    try:
        return fn()
    except InputError as e:
        if strict:
            raise
        errors.append((name, str(e)))
        return None


def cdb_files(r: Resolved, explicit: Sequence[str]) -> Tuple[str, ...]:
    if explicit:
        return tuple(explicit)
    if r.run_dir:
        return tuple(sorted(glob.glob(os.path.join(r.run_dir, "cdb", "*.xml"))))
    return ()


def keys_path(r: Resolved, conf: Optional[NcsConf], explicit: Optional[str]) -> Optional[str]:
    if explicit:
        return _absolute(explicit)
    if conf is not None:
        arg = conf.value(EXTERNAL_KEYS_ARG)
        if arg and "${" not in arg:
            return arg
        if conf.value(EXTERNAL_KEYS_CMD) is None:
            return None  # inline keys: there is no keys file to look at
    if r.config_dir:
        return os.path.join(r.config_dir, "ncs.crypto_keys")
    return None


def collect(src: Sources, version: NsoVersionInfo, now: str, *, strict: bool = True,
            settings: Settings = Settings()) -> Facts:
    # Readers are imported when their source is present: a CI review of one ncs.conf
    # should not pay for the host, CDB and keys-file machinery at start-up.
    r = resolve(src)
    errors: List[Tuple[str, str]] = []
    conf = _source("ncs_conf", strict, errors, lambda: read_ncs_conf(r.ncs_conf, version.version, r.env))

    host: Optional[HostFacts] = None
    if src.inspect_host if src.inspect_host is not None else (r.discovered or bool(r.ncs_dir)):
        from .host import collect_host
        host = _source("host", strict, errors, lambda: collect_host(
            ncs_dir=r.ncs_dir, config_dir=r.config_dir, run_dir=r.run_dir, conf=conf, env=r.env))

    keys: Optional[KeysFacts] = None
    # Without host inspection the default keys-file location names this machine's
    # file (a CI runner's /etc/ncs), not the deployment's: only read a keys file the
    # caller pointed at (--keys-file, or --config-dir for a copy of the NSO config).
    explicit_keys = bool(src.keys_file or src.config_dir)
    kp = keys_path(r, conf, src.keys_file) if host is not None or explicit_keys else None
    external = conf is not None and bool(conf.value(EXTERNAL_KEYS_CMD))
    # With external keys configured the file must exist: a missing one is a finding
    # (SD-KEYS-003), not "nothing to look at". Without them only an existing one is read.
    if kp and (src.keys_file or external or os.path.lexists(kp)):
        from .keys import keys_facts
        keys = _source("keys", strict, errors, lambda: keys_facts(kp, created_at=src.key_created_at))

    cdb: Optional[CdbFacts] = None
    files = cdb_files(r, src.cdb_xml) if (src.cdb_xml or src.discover_cdb_xml) else ()
    if files:
        from .cdb import read_cdb_files
        cdb = _source("cdb", strict, errors, lambda: read_cdb_files(files))
    return Facts(version=version, now=now, ncs_conf=conf, host=host, keys=keys, cdb=cdb,
                 settings=settings, errors=tuple(errors))


def describe_target(src: Sources, facts: Facts) -> str:
    parts = []
    if facts.ncs_conf is not None:
        parts.append(facts.ncs_conf.path)
    if facts.keys is not None:
        parts.append(facts.keys.path)
    if facts.cdb is not None:
        parts.extend(facts.cdb.sources)
    return ", ".join(parts) or "(nothing read)"


__all__ = ["Sources", "collect", "resolve", "describe_target", "expand"]
