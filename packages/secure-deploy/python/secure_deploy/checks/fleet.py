"""Cross-node rules: members of one HA cluster hold the same keys and the same settings.

They judge `Facts.fleet`, the per-node facts of several nodes (a keys-file
fingerprint and the security-relevant ncs.conf leaves of each; never a key), so
they run the same whether the nodes' files were read by one `audit --node ...`
or each node was audited where it runs and `secure-deploy fleet` merged the
reports. Nodes are compared within their HA cluster only; a node without a
cluster name is compared with nobody.

A finding about one node has that node's name as its object ("n3" or
"n3: /ncs-config/..."); a finding about a whole cluster has "cluster NAME".
"""
from __future__ import annotations

import ipaddress
from collections import Counter
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from ..facts.types import Facts, FleetFacts
from ..model import Finding, NodeInfo, Severity, Status, finding
from ..registry import rule

SECTION = "High Availability Security"
HA_GUIDE = "NSO Administration Guide: High Availability (HA Raft security considerations)"
KEYS_GUIDE = "NSO Administration Guide: Cryptographic Keys (key rotation on HA clusters)"
CLUSTER_OBJECT = "cluster "
_FLEET_NA = "no HA cluster among the nodes: give --cluster NAME or set /ncs-config/ha-raft/cluster-name"


def cluster_object(name: str) -> str:
    return CLUSTER_OBJECT + name


def _fleet(facts: Facts) -> FleetFacts:
    assert facts.fleet is not None  # the engine only calls a rule whose sources are present
    return facts.fleet


def per_cluster(facts: Facts, judge: Callable[[str, Sequence[NodeInfo]], List[Finding]]) -> List[Finding]:
    """`judge` each cluster of two or more audited members; the rest is N/A or MANUAL."""
    clusters = _fleet(facts).clusters()
    if not clusters:
        return [finding(Status.NOT_APPLICABLE, _FLEET_NA)]
    out: List[Finding] = []
    for name, members in clusters:
        if len(members) == 1:
            out.append(finding(Status.MANUAL, f"only {members[0].name} of cluster {name} was audited: audit "
                               "every member and merge the reports to compare them",
                               obj=cluster_object(name), nodes=members[0].name))
        else:
            out.extend(judge(name, members))
    return out


def _majority(values: Dict[str, str]) -> Optional[str]:
    """The value most nodes have, or None when no single value is the most common."""
    counts = Counter(values.values()).most_common(2)
    if len(counts) > 1 and counts[0][1] == counts[1][1]:
        return None
    return counts[0][0]


def _names(nodes: Sequence[str], limit: int = 8) -> str:
    more = f" and {len(nodes) - limit} more" if len(nodes) > limit else ""
    return ", ".join(nodes[:limit]) + more


@rule("SD-FLEET-001", "Encryption keys are identical on every node of an HA cluster", Severity.HIGH, objects=("cluster", "node"),
      rationale="""
The encryption keys must be identical on all HA nodes before a key rotation:
otherwise NSO aborts /key-rotation/apply-new-keys, and the node that runs it
triggers the key reload on the others (Cryptographic Keys, "Reloading After Changes
to the Cryptographic Keys"). HA replicates the CDB with its encrypted strings, so
a member holding other keys is also one that was missed by a key change, or was
given its own keys by mistake: find it before the next rotation or failover does.""",
      remediation="Back up the drifted node's keys file, copy the keys file of the other members over it "
                  "(owner the NSO user, mode 0600), check that `secure-deploy keys status` prints the same "
                  "file fingerprint as on the others, and run `ncs --reload` there. In HA, rotate with the "
                  "standalone `secure-deploy keys rotate` on one node and copy the result to every node "
                  "(docs/key-rotation.md).",
      section=SECTION, references=(HA_GUIDE, KEYS_GUIDE), tags=("ha", "keys", "fleet"),
      needs=("fleet",),
      example="nodes n1, n2, n3 in cluster c1; n3's ncs.crypto_keys fingerprint differs from n1's and n2's",
      fix_example="nodes n1, n2, n3 in cluster c1, the same ncs.crypto_keys fingerprint on each")
def keys_identical(facts: Facts) -> Sequence[Finding]:
    return per_cluster(facts, _keys_of_cluster)


def _keys_of_cluster(name: str, members: Sequence[NodeInfo]) -> List[Finding]:
    out: List[Finding] = []
    known = {n.name: n.keys_fingerprint for n in members if n.keys_fingerprint}
    for n in members:
        if not n.keys_fingerprint:
            out.append(finding(Status.MANUAL, f"{n.name}: keys file not read ({n.keys_state or 'unknown'}): "
                               f"compare it with the other members of cluster {name} by hand",
                               obj=n.name, cluster=name, keys=n.keys_state or "unknown"))
    if len(set(known.values())) <= 1:
        if known:
            out.append(finding(Status.PASS, f"the {len(known)} members of cluster {name} whose keys were "
                               "read hold the same keys", obj=cluster_object(name),
                               nodes=_names(list(known)), fingerprint=next(iter(known.values()))))
        return out
    ref = _majority(known)
    same = [m for m, f in known.items() if f == ref] if ref is not None else []
    others = f"{_names(same)} hold {ref}" if same else "no fingerprint is held by most members"
    for node, fp in known.items():
        if fp != ref:
            out.append(finding(Status.FAIL, f"{node}'s keys file differs from the other members of cluster "
                               f"{name} (fingerprint {fp}; {others})", obj=node, cluster=name,
                               fingerprint=fp, majority=ref or "none"))
    return out


# Leaves that name where this node keeps its own files, or an address of its own: they
# differ between members by design, and their properties are judged per node.
_NODE_LOCAL_LEAVES = ("key-file", "cert-file", "ca-cert-file", "db-dir", "state-dir",
                      "ssh-server-key-dir", "filename", "dir")


def compared(path: str) -> bool:
    """Whether a per-node setting takes part in the cross-node comparison."""
    return (path.startswith("/ncs-config/") and not path.startswith("/ncs-config/encrypted-strings")
            and path.rsplit("/", 1)[-1] not in _NODE_LOCAL_LEAVES)


def _address_class(value: str) -> str:
    """A listen address as what it exposes: members listen on their own addresses, so
    10.0.0.1 and 10.0.0.2 agree, while one member on 0.0.0.0 and the rest on 127.0.0.1 drift."""
    classes = []
    for part in value.split(","):
        text = part.strip()
        try:
            ip = ipaddress.ip_address(text)
        except ValueError:
            classes.append(text)
            continue
        classes.append("loopback" if ip.is_loopback else "any address" if ip.is_unspecified
                       else "a specific address")
    return ", ".join(sorted(set(classes)))


def comparison_key(path: str) -> Callable[[str], str]:
    leaf = path.rsplit("/", 1)[-1]
    return _address_class if leaf == "ip" or leaf.endswith("-ip") else (lambda v: v)


def _drifts(name: str, members: Sequence[NodeInfo]) -> Tuple[List[Finding], int]:
    per_node = [(n.name, dict(n.settings)) for n in members]
    common = set(per_node[0][1])
    for _, s in per_node[1:]:
        common &= set(s)
    out: List[Finding] = []
    paths = sorted(p for p in common if compared(p))
    for path in paths:
        key = comparison_key(path)
        values = {node: key(s[path]) for node, s in per_node}
        if len(set(values.values())) == 1:
            continue
        ref = _majority(values)
        same = [n for n, v in values.items() if v == ref]
        for node, s in per_node:
            if values[node] == ref:
                continue
            shown = s[path] if s[path] != "" else "(not set)"
            if ref is None:
                others = "no value is held by most members (" + "; ".join(
                    f"{n}: {s2[path] or '(not set)'}" for n, s2 in per_node if n != node) + ")"
            else:
                ref_shown = next(s2[path] for n, s2 in per_node if n == same[0]) or "(not set)"
                others = f"{_names(same)} have {ref_shown}"
            out.append(finding(Status.FAIL, f"{node} drifted from cluster {name}: {path} is {shown}; {others}",
                               paths=(path,), obj=f"{node}: {path}", cluster=name, node=node, leaf=path,
                               actual=shown, majority="none" if ref is None else ref_shown))
    return out, len(paths)


@rule("SD-FLEET-002", "Security settings are identical across the members of an HA cluster", Severity.MEDIUM, objects=("cluster", "node-setting"),
      rationale="""
Any member of an HA cluster may become the primary, so each must be as hardened as
the others: a member whose ncs.conf leaves an interface open, weakens password
hashing or turns TLS off is the weakest point of the cluster, and usually shows
a change made on one host and never carried to the rest. Compared are the
ncs.conf leaves the rules read, as NSO sees them (written value or the release's
default); file locations differ by design and are left out, and listen addresses
are compared by what they expose (loopback, any address, a specific one).""",
      remediation="Make the drifted member's ncs.conf leaf match the rest of the cluster (or change "
                  "every member on purpose); keep ncs.conf of cluster members in one template, e.g. "
                  "generated by the deployment tooling, and reload NSO on the changed node.",
      section=SECTION, references=(HA_GUIDE,), tags=("ha", "ncs-conf", "fleet"),
      needs=("fleet",),
      example="cluster c1: n1 and n2 have /ncs-config/webui/transport/tcp/enabled false, n3 has true",
      fix_example="cluster c1: n1, n2 and n3 have /ncs-config/webui/transport/tcp/enabled false")
def settings_identical(facts: Facts) -> Sequence[Finding]:
    return per_cluster(facts, _settings_of_cluster)


def _settings_of_cluster(name: str, members: Sequence[NodeInfo]) -> List[Finding]:
    drifts, count = _drifts(name, members)
    if drifts:
        return drifts
    nodes = _names([m.name for m in members])
    if count == 0:
        return [finding(Status.MANUAL, f"no ncs.conf settings of cluster {name} to compare (reports "
                        "without settings): compare ncs.conf of the members by hand",
                        obj=cluster_object(name), nodes=nodes)]
    return [finding(Status.PASS, f"the {len(members)} members of cluster {name} agree on the {count} "
                    "settings compared", obj=cluster_object(name), nodes=nodes, compared=count)]
