"""`secure-deploy fleet`: merge per-node JSON reports; `audit --node`: audit several nodes' files.

Both give one report: every rule per node (findings named "node: object"), and the
cross-node rules SD-FLEET-* over the nodes of each HA cluster. Clusters come from
--cluster (NAME for every node, NAME=NODE,NODE for some), else from each node's
report (its audit's --cluster, or ncs.conf /ncs-config/ha-raft/cluster-name).

Exit codes: 0 every gate passed, 1 a gate failed, 2 usage or input error.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import time
from typing import Any, List, Optional, Sequence, Tuple

from .. import registry
from ..engine import TOOL_VERSION, run
from ..errors import UsageError
from ..facts.collect import Sources, collect, describe_target
from ..facts.types import Settings
from ..fleet.merge import FLEET_SOURCE, merge
from ..fleet.node import check_node_name, node_info, parse_cluster_options
from ..model import Rule
from ..report.json_report import load_report
from .audit import Prepared, add_cluster_option, add_gates, add_output, deliver, now_iso, prepare

# Where ncs.conf sits in a node's folder, and the run directory beside it: a config
# dir itself; a system install as Ansible's fetch lays it out (<node>/etc/ncs/...,
# <node>/var/opt/ncs/...); the bundled examples' etc/ + run/.
NODE_LAYOUTS: Tuple[Tuple[str, Optional[str]], ...] = (
    (".", None), ("etc/ncs", "var/opt/ncs"), ("etc", "run"))


def register(sub: Any) -> None:
    p = sub.add_parser("fleet", help="merge per-node JSON reports into one fleet report",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("reports", nargs="+", metavar="REPORT.json|DIR",
                   help="per-node JSON reports (`audit --format json --node-name NAME`), or folders "
                        "searched for *.json")
    add_cluster_option(p)
    add_output(p)
    add_gates(p)
    p.set_defaults(func=cmd_fleet)


def _report_files(inputs: Sequence[str]) -> List[str]:
    files: List[str] = []
    for path in inputs:
        if os.path.isdir(path):
            found = sorted(os.path.join(d, f) for d, _, fs in os.walk(path) for f in fs if f.endswith(".json"))
            if not found:
                raise UsageError(f"{path}: no *.json report in this folder")
            files.extend(found)
        else:
            files.append(path)
    return files


def cmd_fleet(args: argparse.Namespace) -> int:
    t0 = time.perf_counter()
    prep = prepare(args)
    every, named = parse_cluster_options(args.cluster)
    reports = [(path, load_report(path)) for path in _report_files(args.reports)]
    now = now_iso()
    merged = merge(reports, registry.all_rules(), now=now, cluster_every=every, cluster_of=named,
                   tool_version=TOOL_VERSION, duration_s=round(time.perf_counter() - t0, 4))
    return deliver(merged, args, prep, now)


# ---------------------------------------------------------------- audit --node

def node_dirs(args: argparse.Namespace) -> List[Tuple[str, str]]:
    """(node name, folder) from --node NAME=DIR and --nodes-dir DIR, in that order."""
    out: List[Tuple[str, str]] = []
    for spec in args.node:
        name, sep, path = spec.partition("=")
        if not sep or not path:
            raise UsageError(f"--node {spec!r}: expected NAME=DIR")
        out.append((check_node_name(name.strip(), "--node"), path))
    if args.nodes_dir:
        if not os.path.isdir(args.nodes_dir):
            raise UsageError(f"--nodes-dir {args.nodes_dir}: not a directory")
        subs = sorted(e.name for e in os.scandir(args.nodes_dir) if e.is_dir() and not e.name.startswith("."))
        if not subs:
            raise UsageError(f"--nodes-dir {args.nodes_dir}: no node sub-folders")
        out.extend((check_node_name(s, f"--nodes-dir {args.nodes_dir}: folder"),
                    os.path.join(args.nodes_dir, s)) for s in subs)
    seen = set()
    for name, _ in out:
        if name in seen:
            raise UsageError(f"node {name} is given twice")
        seen.add(name)
    return out


def node_sources(name: str, folder: str) -> Sources:
    """Sources of one node's copied files (never this machine: host inspection is off)."""
    if not os.path.isdir(folder):
        raise UsageError(f"--node {name}={folder}: not a directory")
    for conf_dir, run_dir in NODE_LAYOUTS:
        cfg = os.path.normpath(os.path.join(folder, conf_dir))
        if os.path.isfile(os.path.join(cfg, "ncs.conf")):
            rd = os.path.join(folder, run_dir) if run_dir else None
            return Sources(config_dir=cfg, run_dir=rd if rd and os.path.isdir(rd) else None,
                           inspect_host=False)
    looked = ", ".join(os.path.join(d, "ncs.conf") if d != "." else "ncs.conf" for d, _ in NODE_LAYOUTS)
    raise UsageError(f"node {name}: {folder} holds no ncs.conf (looked for {looked})")


_SINGLE_NODE_OPTIONS = ("ncs_conf", "config_dir", "run_dir", "keys_file", "cdb_xml", "node_name")


def audit_nodes(args: argparse.Namespace, rules: Sequence[Rule], prep: Prepared, version: Any,
                settings: Settings) -> int:
    """`audit --node ... / --nodes-dir`: each node's files audited, merged into one report."""
    given = [o for o in _SINGLE_NODE_OPTIONS if getattr(args, o, None)]
    if given or args.inspect_host:
        opts = ", ".join("--" + o.replace("_", "-") for o in given + (["host"] if args.inspect_host else []))
        raise UsageError(f"{opts}: describe one node; with --node/--nodes-dir each node's folder is read")
    t0 = time.perf_counter()
    waivers = prep.waivers
    every, named = parse_cluster_options(args.cluster)
    nodes = node_dirs(args)
    node_rules = [r for r in rules if FLEET_SOURCE not in r.meta.needs]
    node_waivers = [w for w in waivers if FLEET_SOURCE not in registry.get(w.rule).meta.needs]
    started = now_iso()
    reports = []
    for name, folder in nodes:
        src = node_sources(name, folder)
        facts = collect(src, version, started, strict=True, settings=settings)
        rep = run(facts, node_rules, target=describe_target(src, facts))
        if node_waivers:
            from ..report.waivers import apply_waivers  # notes of the file itself: on the merged report
            rep = apply_waivers(rep, node_waivers, started)
        rep = dataclasses.replace(rep, node=node_info(facts, name, registry.all_rules()))
        reports.append((f"node {name} ({folder})", rep))
    merged = merge(reports, rules, now=started, cluster_every=every, cluster_of=named,
                   tool_version=TOOL_VERSION, duration_s=round(time.perf_counter() - t0, 4))
    fleet_waivers = [w for w in waivers if w not in node_waivers]
    return deliver(merged, args, prep, started, fleet_waivers)
