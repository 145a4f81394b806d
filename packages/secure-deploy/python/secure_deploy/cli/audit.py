"""`secure-deploy audit`: collect facts from files, run the rules, waive, render, gate.

Several formats from one run: `--format json --output r.json --format sarif --output
r.sarif`. Each --output belongs to the --format before it; a format without its own
--output goes to --output-dir (as report.<ext>) or, for at most one format, stdout.

A `.secure-deploy-waivers.toml` in the working directory is read like `--waivers`
(as Trivy reads `.trivyignore`); `--waivers FILE` reads another file instead and
`--no-waivers` none. The report's notes name the waiver file used.

Exit codes: 0 every gate passed, 1 a gate failed (--fail-on, --min-score, new
findings against --baseline), 2 usage or input error. --exit-zero turns 1 into 0
(the failed gates are still printed); 2 stays 2.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time
from typing import Any, List, Optional, Sequence, Tuple

from .. import registry
from ..engine import run
from ..errors import UsageError
from ..facts.collect import Sources, collect, describe_target
from ..facts.types import EXPOSURES, Settings
from ..facts.version import resolve_version
from ..fileio import check_writable
from ..frozen import frozen
from ..report.gating import evaluate_gates
from ..model import Report, Severity
from ..report import Format, HistoryPoint, RenderOptions, render
from ..report.json_report import load_report
from . import terminal_width, write_output

# Found in the working directory when --waivers is not given (cf. .trivyignore).
DEFAULT_WAIVER_FILE = ".secure-deploy-waivers.toml"

_OUTPUTS = "_outputs"  # [(format or None, output or None)] in command-line order


class _FormatAction(argparse.Action):
    """--format F: opens a new (format, output) slot."""

    def __call__(self, parser: Any, ns: argparse.Namespace, value: Any, option: Any = None) -> None:
        slots = list(getattr(ns, _OUTPUTS, None) or [])
        slots.append([value, None])
        setattr(ns, _OUTPUTS, slots)


class _OutputAction(argparse.Action):
    """--output FILE: fills the output of the latest --format (or of the default text)."""

    def __call__(self, parser: Any, ns: argparse.Namespace, value: Any, option: Any = None) -> None:
        slots = list(getattr(ns, _OUTPUTS, None) or [])
        if not slots:
            slots.append([None, value])
        elif slots[-1][1] is not None:
            parser.error(f"--output {value}: --format {slots[-1][0] or 'text'} already has --output "
                         f"{slots[-1][1]} (give --format before each --output)")
        else:
            slots[-1][1] = value
        setattr(ns, _OUTPUTS, slots)


def severity_list(text: str) -> Tuple[Severity, ...]:
    """--severity CRITICAL,HIGH (Trivy's spelling; any case, comma separated)."""
    try:
        return tuple(Severity.parse(t) for t in text.split(",") if t.strip())
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def severity_arg(text: str) -> Severity:
    try:
        return Severity.parse(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def positive_int(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"{n}: must be 1 or more")
    return n


def add_selection(p: argparse.ArgumentParser) -> None:
    p.add_argument("--rule", action="append", default=[], metavar="ID", help="only this rule (repeatable)")
    p.add_argument("--tag", action="append", default=[], metavar="TAG", help="only rules with this tag")
    p.add_argument("--skip", action="append", default=[], metavar="ID", help="leave this rule out")
    sevs = ", ".join(s.value for s in Severity)
    p.add_argument("--severity", type=severity_list, action="append", default=[], metavar="LIST",
                   help=f"only rules of these severities, comma separated ({sevs}); repeatable")
    p.add_argument("--min-severity", type=severity_arg, metavar="SEVERITY",
                   help="only rules at or above this severity (the NSO audit action's min-severity)")


def add_sources(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("what to audit (default: discover from NCS_* variables and system-install paths)")
    g.add_argument("--ncs-conf", metavar="FILE", help="the ncs.conf to audit")
    g.add_argument("--config-dir", metavar="DIR", help="NCS_CONFIG_DIR (ncs.conf, ncs.crypto_keys, ipc_access)")
    g.add_argument("--run-dir", metavar="DIR", help="NCS_RUN_DIR (cdb/*.xml are read as CDB data)")
    g.add_argument("--ncs-dir", metavar="DIR", help="NCS_DIR of the installation")
    g.add_argument("--keys-file", metavar="FILE", help="the external keys file (ncs.crypto_keys)")
    g.add_argument("--cdb-xml", nargs="+", default=[], metavar="FILE",
                   help="CDB XML: aaa_init.xml, *_init.xml or `show running-config | display xml` exports")
    g.add_argument("--nso-version", metavar="X.Y", help="NSO release whose defaults apply (6.4-6.7)")
    h = g.add_mutually_exclusive_group()
    h.add_argument("--host", dest="inspect_host", action="store_true", default=None,
                   help="inspect this machine (daemon user, file modes)")
    h.add_argument("--no-host", dest="inspect_host", action="store_false",
                   help="do not inspect this machine (pre-deployment review)")
    g.add_argument("--accept-exposure", action="append", default=[], metavar="NAME", choices=EXPOSURES,
                   help="an interface enabled on purpose: cli-ssh, netconf-ssh, webui-http; its findings "
                        "are reported ACCEPTED (never PASS) and fail no gate (repeatable)")
    g.add_argument("--max-key-age-days", type=positive_int, default=365, metavar="N",
                   help="report the active encryption keys as due for rotation after N days (default 365, "
                        "as the NSO setting max-key-age-days)")


def add_output(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("output (several formats from one run)")
    fmts = [f.value for f in Format]
    g.add_argument("--format", "-f", action=_FormatAction, choices=fmts, metavar="FORMAT",
                   help=f"report format, repeatable: {', '.join(fmts)} (default text)")
    g.add_argument("--output", "-o", action=_OutputAction, metavar="FILE",
                   help="write the preceding --format here (default stdout)")
    g.add_argument("--output-dir", metavar="DIR",
                   help="write each --format without its own --output to DIR/report.<ext> "
                        "(DIR is created when missing)")
    d = g.add_mutually_exclusive_group()
    d.add_argument("--quiet", "-q", dest="detail", action="store_const", const="quiet", default="default",
                   help="text: list only the rules that fail or could not be checked")
    d.add_argument("--show-passed", dest="detail", action="store_const", const="all",
                   help="text: also list the rules that pass or do not apply")
    g.add_argument("--color", choices=["auto", "always", "never"], default="auto",
                   help="colour in the text report (auto: only on a terminal, and never with NO_COLOR set)")
    g.add_argument("--history", nargs="+", default=[], metavar="REPORT.json",
                   help="earlier JSON reports: the HTML report draws a score trend")
    add_sarif_category(g)


def add_sarif_category(g: Any) -> None:
    g.add_argument("--sarif-category", metavar="NAME", type=_category,
                   help="SARIF runs[].automationDetails.id: one per audited deployment, so code "
                        "scanning keeps their alerts apart (default secure-deploy/audit/)")


def _category(value: str) -> str:
    if not value.strip() or any(c.isspace() or ord(c) < 32 for c in value):
        raise argparse.ArgumentTypeError(f"{value!r}: a category is a non-empty name without spaces")
    return value


def add_gates(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("waivers and gates (exit 1 when a gate fails)")
    w = g.add_mutually_exclusive_group()
    w.add_argument("--waivers", metavar="FILE",
                   help=f"waiver file, TOML or JSON (default: {DEFAULT_WAIVER_FILE} in the working "
                        "directory, when there is one)")
    w.add_argument("--no-waivers", action="store_true", help=f"apply no waivers, not even {DEFAULT_WAIVER_FILE}")
    g.add_argument("--fail-on", default="high", choices=[s.value for s in Severity],
                   help="fail when a rule at or above this severity fails or errors (default high)")
    g.add_argument("--min-score", type=float, metavar="N", help="fail when the score (0-100) is below N")
    g.add_argument("--baseline", metavar="REPORT.json",
                   help="an earlier JSON report: --fail-on counts only findings new since then")
    g.add_argument("--exit-zero", "--soft-fail", dest="exit_zero", action="store_true",
                   help="exit 0 even when a gate fails (failed gates are still printed); "
                        "usage and input errors still exit 2")


def add_cluster_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--cluster", action="append", default=[], metavar="NAME[=NODE,...]",
                   help="HA cluster: NAME for every node, NAME=NODE,NODE for those nodes (repeatable); "
                        "default: each node's report (ncs.conf /ncs-config/ha-raft/cluster-name)")


def add_node_options(p: argparse.ArgumentParser) -> None:
    """Options of `audit` for fleets: naming this node, or auditing several nodes' files."""
    g = p.add_argument_group("fleets (cross-node rules SD-FLEET-*; see docs/fleet.md)")
    g.add_argument("--node-name", metavar="NAME",
                   help="this node's name in the report (default: the host name); `fleet` merges by it")
    add_cluster_option(g)
    g.add_argument("--node", action="append", default=[], metavar="NAME=DIR",
                   help="audit the files of node NAME in DIR (repeatable): DIR holds ncs.conf, or etc/ncs/ "
                        "and var/opt/ncs/ (as fetched), or etc/ and run/")
    g.add_argument("--nodes-dir", metavar="DIR", help="audit every sub-folder of DIR as a node named after it")


def register(sub: Any) -> None:
    p = sub.add_parser("audit", help="audit a deployment", description=__doc__,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    add_sources(p)
    add_node_options(p)
    add_selection(p)
    add_output(p)
    add_gates(p)
    p.set_defaults(func=cmd_audit)


def now_iso() -> str:
    # The same text as datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
    # without importing datetime into every CI run.
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())


def sources_from(args: argparse.Namespace) -> Sources:
    return Sources(ncs_conf=args.ncs_conf, config_dir=args.config_dir, run_dir=args.run_dir,
                   ncs_dir=args.ncs_dir, keys_file=args.keys_file, cdb_xml=tuple(args.cdb_xml),
                   inspect_host=args.inspect_host)


def output_plan(slots: Sequence[Sequence[Optional[str]]], output_dir: Optional[str]) -> List[Tuple[Format, Optional[str]]]:
    """[(format, path or None for stdout)], validated: no format twice to one place."""
    plan: List[Tuple[Format, Optional[str]]] = []
    for fmt, out in slots or [[None, None]]:
        f = Format(fmt or "text")
        if out is None and output_dir:
            out = os.path.join(output_dir, f"report.{f.extension}")
        plan.append((f, None if out in (None, "-") else out))
    if sum(1 for _, o in plan if o is None) > 1:
        raise UsageError("several formats would go to stdout: give --output for each, or --output-dir")
    paths = [os.path.abspath(o) for _, o in plan if o is not None]
    if len(paths) != len(set(paths)):
        raise UsageError("two formats would be written to the same --output file")
    return plan


def use_colour(choice: str, stream: Any = None, env: Any = None) -> bool:
    """auto: only on a terminal and only when NO_COLOR is unset (https://no-color.org)."""
    env = os.environ if env is None else env
    if choice == "always":
        return True
    if choice == "never" or env.get("NO_COLOR"):
        return False
    stream = stream if stream is not None else sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)())


def history_points(paths: Sequence[str]) -> Tuple[HistoryPoint, ...]:
    pts = []
    for p in paths:
        rep = load_report(p)
        pts.append(HistoryPoint(rep.started_at, rep.summary.score, len(rep.failing()), rep.target))
    return tuple(sorted(pts, key=lambda h: h.started_at))


def make_output_dir(path: str) -> None:
    """--output-dir: created (with parents) when missing, like `mkdir -p`."""
    if os.path.isdir(path):
        return
    if os.path.lexists(path):
        raise UsageError(f"--output-dir {path}: exists and is not a directory")
    try:
        os.makedirs(path)
    except OSError as e:
        raise UsageError(f"--output-dir {path}: cannot create it: {e.strerror}") from None


def waiver_file(args: argparse.Namespace, cwd: str = "") -> Optional[str]:
    """The waiver file this run reads: --waivers, else the default file when present."""
    if getattr(args, "no_waivers", False):
        return None
    if args.waivers:
        return str(args.waivers)
    default = os.path.join(cwd, DEFAULT_WAIVER_FILE) if cwd else DEFAULT_WAIVER_FILE
    # lexists: a dangling link or a directory by that name is an error, not "no file".
    return default if os.path.lexists(default) else None


def select_rules(args: argparse.Namespace) -> Tuple[Any, ...]:
    rules = registry.select(registry.all_rules(), args.rule, args.tag, args.skip,
                            min_severity=getattr(args, "min_severity", None))
    wanted = {s for group in getattr(args, "severity", None) or () for s in group}
    if wanted:
        rules = tuple(r for r in rules if r.meta.severity in wanted)
    if not rules:
        raise UsageError("the selection matches no rule (check --rule, --tag, --skip and the severity filters)")
    return rules


def produce(report: Report, plan: Sequence[Tuple[Format, Optional[str]]], args: argparse.Namespace) -> None:
    history = history_points(args.history) if args.history else ()
    for _, path in plan:       # all destinations first: either every report or none
        if path and path != "-":
            check_writable(path)
    for fmt, path in plan:
        on_stdout = path is None and fmt is Format.TEXT
        opts = RenderOptions(color=on_stdout and use_colour(args.color), base_dir=os.getcwd(), history=history,
                             width=terminal_width() if on_stdout else None,
                             detail=getattr(args, "detail", "default"),
                             sarif_category=getattr(args, "sarif_category", None))
        write_output(render(report, fmt, opts), path)


def with_node(report: Report, facts: Any, args: argparse.Namespace) -> Report:
    """The report with this node's name, cluster, keys fingerprint and settings (for `fleet`)."""
    from ..fleet.node import check_node_name, node_info
    name = check_node_name(args.node_name or os.uname().nodename, "--node-name")
    return dataclasses.replace(report, node=node_info(facts, name, registry.all_rules(), this_cluster(args)))


def this_cluster(args: argparse.Namespace) -> Optional[str]:
    """--cluster NAME of a one-node audit (NAME=NODE,... belongs to --node/--nodes-dir)."""
    if not args.cluster:
        return None
    from ..fleet.node import parse_cluster_options
    every, named = parse_cluster_options(args.cluster)
    if named:
        raise UsageError("--cluster NAME=NODE,...: only with --node/--nodes-dir; give --cluster NAME "
                         "for this node")
    return every


@frozen
class Prepared:
    """What a reporting command reads before its work, so that a typo costs nothing."""

    plan: Tuple[Tuple[Format, Optional[str]], ...]
    waiver_file: Optional[str]
    waivers: Tuple[Any, ...]
    baseline: Optional[Report]


def prepare(args: argparse.Namespace) -> Prepared:
    """Outputs, gates, waivers and baseline of `audit` and `fleet`, checked up front."""
    plan = output_plan(getattr(args, _OUTPUTS, None) or [], args.output_dir)
    if args.min_score is not None and not 0 <= args.min_score <= 100:
        raise UsageError(f"--min-score {args.min_score:g}: must be between 0 and 100")
    waivers: Sequence[Any] = ()
    wfile = waiver_file(args)
    if wfile:
        from ..report.waivers import load_waivers  # waivers are optional; so is their import
        waivers = load_waivers(wfile)
    known = {r.id for r in registry.all_rules()}
    unknown = sorted({w.rule for w in waivers} - known)
    if unknown:
        # A mistyped rule id would silently waive nothing; same contract as --rule.
        raise UsageError(f"{wfile}: waiver for unknown rule id {', '.join(unknown)} "
                         "(see `secure-deploy rules`)")
    baseline = load_report(args.baseline) if args.baseline else None
    if args.output_dir:
        make_output_dir(args.output_dir)
    return Prepared(tuple(plan), wfile, tuple(waivers), baseline)


def deliver(report: Report, args: argparse.Namespace, prep: Prepared, now: str,
            waivers: Optional[Sequence[Any]] = None) -> int:
    """Waive (`waivers`, default all of the file's), write every output, apply the gates."""
    if prep.waiver_file:
        from ..report.waivers import apply_waivers, waiver_source_note
        report = apply_waivers(report, prep.waivers if waivers is None else waivers, now)
        report = dataclasses.replace(report, notes=(
            waiver_source_note(os.path.abspath(prep.waiver_file), len(prep.waivers)), *report.notes))
    produce(report, prep.plan, args)
    gate = evaluate_gates(report, fail_on=Severity.parse(args.fail_on), min_score=args.min_score,
                          baseline=prep.baseline)
    soft = " (ignored: --exit-zero)" if args.exit_zero else ""
    for reason in gate.reasons:
        print(f"secure-deploy: gate failed{soft}: {reason}", file=sys.stderr)
    return 0 if args.exit_zero else gate.exit_code


def cmd_audit(args: argparse.Namespace) -> int:
    rules = select_rules(args)
    prep = prepare(args)
    version = resolve_version(args.nso_version, args.ncs_dir)
    settings = Settings(max_key_age_days=args.max_key_age_days,
                        accepted_exposures=tuple(args.accept_exposure))
    if args.node or args.nodes_dir:
        from .fleet import audit_nodes
        return audit_nodes(args, rules, prep, version, settings)
    this_cluster(args)      # a wrong --cluster is an error whatever the format
    src = sources_from(args)
    started = now_iso()
    facts = collect(src, version, started, strict=True, settings=settings)
    report = run(facts, rules, target=describe_target(src, facts))
    if any(fmt is Format.JSON for fmt, _ in prep.plan):   # only the JSON report carries it
        report = with_node(report, facts, args)
    return deliver(report, args, prep, facts.now)
