"""Merge per-node reports into one fleet report, and run the cross-node rules.

The merged report is an ordinary Report, so every renderer, the gates, waivers and
`diff` work on it: each rule's result holds every node's findings (object "node" or
"node: object"), its status is the worst over the nodes, and the cross-node rules
(those that need "fleet") add their own results. `Report.nodes` keeps each node's
verdict per rule (the HTML's node x rule matrix) and its score.

Time and memory grow linearly with nodes x findings: one pass over each node's
results, one dict per rule.
"""
from __future__ import annotations

import dataclasses
from collections import Counter
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from ..engine import evaluate
from ..errors import InputError, UsageError
from ..facts.types import Facts, FleetFacts
from ..model import (Finding, NodeInfo, NodeRun, NsoVersionInfo, Report, Rule, RuleResult, Status)
from .node import SOURCE_OPTION

FLEET_SOURCE = "fleet"
VERSION_SOURCE = "per node"
_SHOWN_NODES = 10


def is_cross_node(rule: Rule) -> bool:
    return FLEET_SOURCE in rule.meta.needs


def _names(names: Sequence[str]) -> str:
    more = f" and {len(names) - _SHOWN_NODES} more" if len(names) > _SHOWN_NODES else ""
    return ", ".join(names[:_SHOWN_NODES]) + more


def _on_node(node: str, f: Finding) -> Finding:
    obj = f"{node}: {f.object}" if f.object else node
    return dataclasses.replace(f, object=obj)


def _worst(statuses: Sequence[Status]) -> Status:
    return max(statuses, key=lambda s: s.badness)


def fold(per_node: Sequence[Tuple[str, RuleResult]], total: int) -> RuleResult:
    """One rule over the nodes: every node's findings, the worst status, who has it."""
    meta = per_node[0][1].meta
    status = _worst([r.status for _, r in per_node])
    findings = tuple(_on_node(node, f) for node, r in per_node for f in r.findings)
    deciding = [(node, r) for node, r in per_node if r.status is status]
    messages = list(dict.fromkeys(r.message for _, r in deciding))
    who = "every node" if len(deciding) == total else _names([n for n, _ in deciding])
    if len(deciding) == total and total == 1:
        who = deciding[0][0]
    text = messages[0] if len(messages) == 1 else f"{messages[0]} (and {len(messages) - 1} other messages)"
    return RuleResult(meta, status, f"{status.value} on {who}: {text}" if text else f"{status.value} on {who}",
                      findings)


def _version(reports: Sequence[Report]) -> NsoVersionInfo:
    """The release whose defaults applied: the nodes' one, or each node's named."""
    versions = {rep.node.name if rep.node else "?": rep.nso_version.version for rep in reports}
    if len(set(versions.values())) == 1:
        return reports[0].nso_version
    counts = Counter(versions.values())
    groups = "; ".join(f"{v} on {_names([n for n, x in versions.items() if x == v])}" for v in sorted(counts))
    # The statement of a mixed fleet names each node's release, not one assumption.
    return NsoVersionInfo(version=counts.most_common(1)[0][0], full=groups, source=VERSION_SOURCE)


def _node_status(result: RuleResult, info: NodeInfo) -> Status:
    """A node's verdict on a cross-node rule: findings naming it, else its cluster's."""
    mine = [f.status for f in result.findings
            if f.object == info.name or (f.object or "").startswith(info.name + ": ")]
    if mine:
        return _worst(mine)
    if info.cluster:
        # imported here: checks/ is loaded only when cross-node rules run
        from ..checks.fleet import cluster_object
        whole = [f.status for f in result.findings if f.object == cluster_object(info.cluster)]
        return _worst(whole) if whole else Status.PASS
    return Status.NOT_APPLICABLE


def with_clusters(info: NodeInfo, every: Optional[str], named: Mapping[str, str]) -> NodeInfo:
    cluster = named.get(info.name, every)
    if cluster is None:
        return info
    return dataclasses.replace(info, cluster=cluster, cluster_source=SOURCE_OPTION)


def merge(reports: Sequence[Tuple[str, Report]], rules: Sequence[Rule], *, now: str,
          cluster_every: Optional[str] = None, cluster_of: Mapping[str, str] = {},
          tool_version: str = "", duration_s: float = 0.0) -> Report:
    """One report over `reports` ((source label, per-node report) pairs).

    `rules`: the cross-node rules among them run over the nodes' NodeInfos. Nodes are
    put in clusters by `cluster_of` (node -> cluster), else `cluster_every`, else what
    their own report says (--cluster at audit time, or ncs.conf's HA Raft cluster-name).
    """
    if not reports:
        raise UsageError("no node reports to merge")
    infos: List[NodeInfo] = []
    seen: Dict[str, str] = {}
    for label, rep in reports:
        if rep.nodes:
            raise InputError(f"{label}: is already a fleet report (merge the per-node reports instead)")
        if rep.node is None:
            raise InputError(f"{label}: has no node name (a report of secure-deploy before 0.2, "
                             "or of an NSO action): audit the node again with --node-name NAME")
        name = rep.node.name
        if name in seen:
            raise InputError(f"{label}: node {name} is also the node of {seen[name]}")
        seen[name] = label
        infos.append(with_clusters(rep.node, cluster_every, cluster_of))
    unknown = sorted(set(cluster_of) - set(seen))
    if unknown:
        raise UsageError(f"--cluster names node(s) not among the reports: {', '.join(unknown)}")

    names = [i.name for i in infos]
    per_rule: Dict[str, List[Tuple[str, RuleResult]]] = {}
    for (_, rep), info in zip(reports, infos):
        for r in rep.results:
            if FLEET_SOURCE not in r.meta.needs:
                per_rule.setdefault(r.rule_id, []).append((info.name, r))
    results: List[RuleResult] = [fold(rs, len(infos)) for rs in per_rule.values()]

    version = _version([rep for _, rep in reports])
    facts = Facts(version=version, now=now, fleet=FleetFacts(tuple(infos)))
    cross = [evaluate(rule, facts) for rule in rules if is_cross_node(rule)]
    results.extend(cross)

    runs = []
    for (_, rep), info in zip(reports, infos):
        statuses = [(r.rule_id, r.status) for r in rep.results if FLEET_SOURCE not in r.meta.needs]
        statuses += [(r.rule_id, _node_status(r, info)) for r in cross]
        runs.append(NodeRun(info=dataclasses.replace(info, settings=()), target=rep.target,
                            started_at=rep.started_at, nso_version=rep.nso_version.version,
                            score=rep.summary.score, statuses=tuple(statuses)))
    notes = tuple(f"{info.name}: {n}" for (_, rep), info in zip(reports, infos) for n in rep.notes)
    return Report(results=tuple(results), nso_version=version,
                  target=f"{len(names)} node{'s' if len(names) != 1 else ''}: {_names(names)}",
                  started_at=now, duration_s=duration_s, tool_version=tool_version, notes=notes,
                  nodes=tuple(runs))
