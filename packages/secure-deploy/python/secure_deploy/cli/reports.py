"""Saved reports and waiver files: `diff`, `report render`, `waivers check`.

`report render` re-renders a saved JSON report in any format: the JSON carries every
rule's metadata, so a stored run (a CI artefact, an NSO history entry) renders the
same SARIF/JUnit/HTML as the run that produced it.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import os
from typing import Any

from .. import registry
from ..report.diff import diff_reports, render_json, render_text
from ..report import Format, RenderOptions, render
from ..report.json_report import load_report, report_from_dict  # noqa: F401 - re-exported for NSO
from ..report.waivers import EXPIRY_WARNING_DAYS, load_waivers, object_problem
from ..errors import UsageError
from ..redact import printable
from . import EXIT_FAIL, EXIT_OK, _Parser, terminal_width, write_output
from .audit import add_sarif_category


def register(sub: Any) -> None:
    d = sub.add_parser("diff", help="compare two JSON reports: new, fixed, unchanged, changed findings")
    d.add_argument("old", metavar="OLD.json", help="the earlier JSON report (`audit --format json`)")
    d.add_argument("new", metavar="NEW.json", help="the later JSON report")
    d.add_argument("--format", default="text", choices=["text", "json"], help="text (default) or json")
    d.add_argument("--output", "-o", metavar="FILE", help="write the diff here (default stdout)")
    d.add_argument("--fail-on-new", action="store_true", help="exit 1 when the new report has new findings")
    d.set_defaults(func=cmd_diff)

    r = sub.add_parser("report", help="work with saved JSON reports")
    rs = r.add_subparsers(dest="report_command", metavar="COMMAND", parser_class=_Parser)
    rs.required = True
    rr = rs.add_parser("render", help="re-render a saved JSON report in any format")
    rr.add_argument("report", metavar="REPORT.json", help="a JSON report (`audit --format json`, NSO history)")
    rr.add_argument("--format", "-f", default="text", choices=[f.value for f in Format],
                    help="the format to render (default text)")
    rr.add_argument("--output", "-o", metavar="FILE", help="write it here (default stdout)")
    rr.add_argument("--history", nargs="+", default=[], metavar="REPORT.json",
                    help="earlier JSON reports for the HTML trend chart")
    add_sarif_category(rr)
    rr.set_defaults(func=cmd_report_render)

    w = sub.add_parser("waivers", help="work with waiver files")
    ws = w.add_subparsers(dest="waivers_command", metavar="COMMAND", parser_class=_Parser)
    ws.required = True
    wc = ws.add_parser("check", help="validate a waiver file; exit 1 if a waiver expired, names no rule, "
                                     "or names an object its rule's findings never carry")
    wc.add_argument("file", metavar="FILE", help="the waiver file, TOML or JSON (e.g. .secure-deploy-waivers.toml)")
    wc.add_argument("--node", action="append", default=[], metavar="NAME",
                    help="a fleet node name: objects 'NAME' and 'NAME: OBJECT' of merged fleet reports are valid")
    wc.add_argument("--today", metavar="YYYY-MM-DD", help="check expiry against this date (default: today)")
    wc.set_defaults(func=cmd_waivers_check)


def cmd_diff(args: argparse.Namespace) -> int:
    d = diff_reports(load_report(args.old), load_report(args.new))
    write_output(render_json(d) if args.format == "json" else render_text(d), args.output)
    return EXIT_FAIL if args.fail_on_new and d.new else EXIT_OK


def cmd_report_render(args: argparse.Namespace) -> int:
    from .audit import history_points
    report = load_report(args.report)
    fmt = Format(args.format)
    on_terminal = fmt is Format.TEXT and args.output in (None, "-")
    # Text wraps like the audit's: to the terminal, never in a pipe or a file.
    opts = RenderOptions(base_dir=os.getcwd(), history=history_points(args.history),
                         sarif_category=args.sarif_category, width=terminal_width() if on_terminal else None)
    write_output(render(report, fmt, opts), args.output)
    return EXIT_OK


def cmd_waivers_check(args: argparse.Namespace) -> int:
    waivers = load_waivers(args.file)
    try:
        today = _dt.date.fromisoformat(args.today) if args.today else _dt.date.today()
    except ValueError:
        raise UsageError(f"--today {args.today!r}: expected YYYY-MM-DD") from None
    metas = {r.id: r.meta for r in registry.all_rules()}
    known = set(metas)
    bad = 0
    for w in waivers:
        left = w.days_left(today)
        if w.expired(today):
            state, bad = f"EXPIRED on {w.expires}", bad + 1
        elif left <= EXPIRY_WARNING_DAYS:
            state = f"expires in {left} day(s) ({w.expires})"
        else:
            state = f"valid until {w.expires}"
        unknown = "" if w.rule in known else "  [unknown rule id]"
        bad += 0 if w.rule in known else 1
        never = object_problem(w, metas.get(w.rule), args.node)
        if never:
            unknown += f"  [never matches: {printable(never)}]"
            bad += 1
        who = f", approved by {printable(w.approved_by)}" if w.approved_by else ""
        print(f"{printable(w.label):32} {state}{who}{unknown}")
    print(f"{printable(args.file)}: {len(waivers)} waiver(s), {bad} problem(s)")
    return EXIT_FAIL if bad else EXIT_OK
