"""`secure-deploy rules` and `secure-deploy explain ID`: the rule catalog."""
from __future__ import annotations

import argparse
import json
import textwrap
from typing import Any, List, Optional, Sequence

from .. import registry
from ..model import Rule, RuleMeta
from ..ruledocs import GUIDANCE_URL, kinds_of, with_url
from ..report.json_report import meta_dict
from ..report.text_report import wrap
from . import EXIT_OK, terminal_width


def register(sub: Any) -> None:
    p = sub.add_parser("rules", help="list the rule catalog")
    p.add_argument("--format", default="text", choices=["text", "json", "markdown"],
                   help="text (default), json (each rule's metadata) or markdown (a table)")
    p.add_argument("--tag", action="append", default=[], metavar="TAG",
                   help="only rules with this tag (repeatable)")
    p.add_argument("--guide", action="store_true",
                   help="the Secure Deployment guidance as a checklist: each recommendation and its rules")
    p.set_defaults(func=cmd_rules)
    e = sub.add_parser("explain", help="document one rule")
    e.add_argument("rule_id", metavar="ID", help="the rule id, e.g. SD-IF-001 (see `secure-deploy rules`)")
    e.add_argument("--format", default="text", choices=["text", "json"],
                   help="text (default) or json: the rule's metadata as in a JSON report's `rule` block")
    e.set_defaults(func=cmd_explain)


def cmd_rules(args: argparse.Namespace) -> int:
    if getattr(args, "guide", False):
        from .guide import print_guide
        print_guide(args.format)
        return EXIT_OK
    rules = registry.select(registry.all_rules(), tags=args.tag)
    if args.format == "json":
        print(json.dumps([meta_dict(r.meta) for r in rules], indent=2))
        return EXIT_OK
    if args.format == "markdown":
        print(markdown_table(rules), end="")
        return EXIT_OK
    for r in rules:
        print(f"{r.id:14} {r.meta.severity.value:8} {r.meta.title}")
    print(f"\n{len(rules)} rules")
    return EXIT_OK


def markdown_table(rules: Sequence[Rule]) -> str:
    """The rule table of docs/rules.md (tools/gen_rules_doc.py writes it, test_guidance checks it)."""
    rows = ["| id | severity | title | reads | NSO |", "|---|---|---|---|---|"]
    for r in rules:
        m = r.meta
        versions = f"{m.versions[0]}–{m.versions[-1]}" if len(m.versions) > 1 else m.versions[0]
        rows.append(f"| {m.id} | {m.severity.value} | {m.title} | {', '.join(m.reads)} | {versions} |")
    return "\n".join(rows) + "\n"


def object_lines(m: RuleMeta) -> List[str]:
    if not m.objects:
        return ["  none: the findings carry no object; a waiver covers the whole rule (omit `object`)"]
    return [f"  {k.name}: {k.description}, e.g. {k.example!r}" for k in kinds_of(m.objects)]


def explain_dict(m: RuleMeta) -> dict:
    """`explain --format json`: the rule block of a JSON report plus its object kinds."""
    return {**meta_dict(m), "object_kinds": [{"kind": k.name, "description": k.description,
                                              "example": k.example, "pattern": k.pattern}
                                             for k in kinds_of(m.objects)]}


def explain_text(m: RuleMeta, width: Optional[int] = 78) -> str:
    """`width`: wrap at whitespace to it (never inside a token); None: no wrapping.
    The examples are XML or shell written as they must be typed: never wrapped."""
    def para(text: str) -> List[str]:
        return [line for p in text.split("\n\n") for line in wrap(p, width)]

    def items(lines: Sequence[str]) -> List[str]:
        return [w for line in lines for w in wrap(line.strip(), width, "  ", "    ")]
    # Never empty: the title says what is checked, `reads` where from (host-only rules have no paths).
    checks = [m.title, *([f"reads: {', '.join(m.reads)}"] if m.reads else []), *m.paths]
    out = [*wrap(f"{m.id}: {m.title}", width, "", "  "), *wrap(f"severity: {m.severity.value} | tags: "
                                                                f"{', '.join(m.tags)}", width, "", "  "), "",
           "What it checks", *items(checks), "",
           "Objects (what a waiver's `object` may name)", *items(object_lines(m)), "",
           "Why it matters", *para(m.rationale.replace("\n", " ")), ""]
    if m.example:
        out += ["Failing example", textwrap.indent(m.example, "  "), ""]
    out += ["Fix", *para(m.remediation.replace("\n", " "))]
    if m.fix_example:
        out += [textwrap.indent(m.fix_example, "  ")]
    if m.manual:
        out += ["", f"Without its source ({', '.join(m.needs)}), it answers MANUAL:", *para(m.manual)]
    out += ["", "References", *items([f"Secure Deployment guidance: {m.section} <{GUIDANCE_URL}>",
                                      *[with_url(r) for r in m.references],
                                      f"applies to NSO {', '.join(m.versions)}"])]
    return "\n".join(out) + "\n"


def cmd_explain(args: argparse.Namespace) -> int:
    meta = registry.get(args.rule_id).meta
    if args.format == "json":
        print(json.dumps(explain_dict(meta), indent=2))
    else:
        print(explain_text(meta, terminal_width()), end="")
    return EXIT_OK
