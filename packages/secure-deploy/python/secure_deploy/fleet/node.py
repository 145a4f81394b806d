"""A node's cross-node facts (NodeInfo) from what its audit collected."""
from __future__ import annotations

import re
from typing import Dict, List, Optional, Sequence, Tuple

from ..errors import InputError, UsageError
from ..facts.types import Facts, NcsConf
from ..model import NodeInfo, Rule
from ..redact import scrub

CLUSTER_NAME_LEAF = "/ncs-config/ha-raft/cluster-name"
RAFT_ENABLED = "/ncs-config/ha-raft/enabled"
HA_ENABLED = "/ncs-config/ha/enabled"
SOURCE_OPTION = "--cluster"
SECRET_SUBTREE = "/ncs-config/encrypted-strings"
# Inventory host names: DNS names, IPv4/IPv6 addresses, short aliases. ": " separates
# the node from the object in merged findings ("n1: admin"), so no blanks.
NODE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,252}$")
NOT_SET = ""

KEYS_FILE = "external keys file"
KEYS_INLINE = "inline in ncs.conf"
KEYS_ABSENT = "keys file absent"
KEYS_NONE = "no keys configured"


def check_node_name(name: str, where: str) -> str:
    if not NODE_NAME.match(name or ""):
        raise UsageError(f"{where} {name!r}: not a node name (letters, digits and . _ : @ -, "
                         "starting with a letter or digit)")
    return name


def setting_paths(rules: Sequence[Rule]) -> Tuple[str, ...]:
    """The ncs.conf leaves the rules read; nothing under /encrypted-strings (key material)."""
    paths = {p for r in rules for p in r.meta.paths if p.startswith("/ncs-config/")}
    return tuple(sorted(p for p in paths if not p.startswith(SECRET_SUBTREE)))


def _setting(conf: NcsConf, path: str) -> Optional[str]:
    """The value NSO uses at `path` (several elements of a list joined), None for a container."""
    found = conf.nodes(path)
    if any(n.children for n in found):
        return None
    values = sorted(n.text or "" for n in found)
    if values:
        return ", ".join(values)
    default = conf.default(path)
    return default if default is not None else NOT_SET


def settings_of(conf: Optional[NcsConf], rules: Sequence[Rule]) -> Tuple[Tuple[str, str], ...]:
    if conf is None:
        return ()
    out: List[Tuple[str, str]] = []
    for path in setting_paths(rules):
        value = _setting(conf, path)
        if value is not None:
            # No leaf read here holds a secret; scrubbed anyway, like finding evidence,
            # since the report leaves the node.
            out.append((path, scrub(value)))
    return tuple(out)


def _inline_fingerprint(conf: NcsConf) -> Optional[str]:
    # Reads ncs.conf again, for its key values: the parsed NcsConf keeps none.
    from ..facts.keyfile import file_fingerprint
    from ..facts.keys import inline_keys_file
    try:
        kf = inline_keys_file(conf.path)
    except InputError:
        return None
    return file_fingerprint(kf) if kf is not None else None


def is_ha_node(conf: Optional[NcsConf]) -> bool:
    return conf is not None and (conf.enabled(RAFT_ENABLED) or conf.enabled(HA_ENABLED))


def keys_of(facts: Facts, ha: bool = True) -> Tuple[Optional[str], str]:
    """(fingerprint of the node's keys, where they are). Never a key value.

    Keys inside ncs.conf are fingerprinted only for an HA node (`ha`): that reads
    ncs.conf again and loads hashing, which a plain audit of a standalone node skips."""
    err = facts.error("keys")
    if err:
        return None, "keys file unreadable"
    if facts.keys is not None:
        if facts.keys.file_fingerprint:
            return facts.keys.file_fingerprint, KEYS_FILE
        return None, KEYS_ABSENT
    conf = facts.ncs_conf
    if conf is not None and conf.inline_keys:
        if not ha:
            return None, KEYS_INLINE + " (not fingerprinted: not an HA node)"
        fp = _inline_fingerprint(conf)
        return fp, KEYS_INLINE if fp else "inline keys unreadable"
    return None, KEYS_NONE


def cluster_of(conf: Optional[NcsConf], given: Optional[str]) -> Tuple[Optional[str], str]:
    """The HA cluster: the operator's name wins, else HA Raft's cluster-name when Raft is on."""
    if given:
        return given, SOURCE_OPTION
    if conf is not None and conf.enabled(RAFT_ENABLED):
        name = (conf.value(CLUSTER_NAME_LEAF) or "").strip()
        if name:
            return name, CLUSTER_NAME_LEAF
    return None, ""


def node_info(facts: Facts, name: str, rules: Sequence[Rule], cluster: Optional[str] = None) -> NodeInfo:
    cl, cl_source = cluster_of(facts.ncs_conf, cluster)
    fp, state = keys_of(facts, ha=cl is not None or is_ha_node(facts.ncs_conf))
    return NodeInfo(name=name, cluster=cl, cluster_source=cl_source, keys_fingerprint=fp,
                    keys_state=state, settings=settings_of(facts.ncs_conf, rules))


def parse_cluster_options(values: Sequence[str]) -> Tuple[Optional[str], Dict[str, str]]:
    """--cluster NAME (every node) and --cluster NAME=NODE[,NODE...] (those nodes).

    Returns (the cluster of every node not named, {node: cluster})."""
    every: Optional[str] = None
    named: Dict[str, str] = {}
    for v in values:
        cluster, sep, nodes = v.partition("=")
        cluster = cluster.strip()
        if not cluster:
            raise UsageError(f"--cluster {v!r}: give NAME or NAME=NODE[,NODE...]")
        if not sep:
            if every is not None and every != cluster:
                raise UsageError(f"--cluster {v}: a cluster for every node was already given ({every})")
            every = cluster
            continue
        for node in (n.strip() for n in nodes.split(",")):
            check_node_name(node, f"--cluster {cluster}=")
            if named.get(node, cluster) != cluster:
                raise UsageError(f"--cluster: node {node} is put in two clusters ({named[node]}, {cluster})")
            named[node] = cluster
    return every, named
