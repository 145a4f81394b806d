"""Plain-text report grouped by severity, readable at 80 columns.

Colour is an option decided by the caller (stdout is a terminal and NO_COLOR is
unset); the renderer never looks at the environment. Without colour the output is
plain ASCII apart from what the findings themselves contain.
"""
from __future__ import annotations

import textwrap
from typing import Any, List

from ..model import Report, RuleResult, Severity, Status

# PASS and NOT_APPLICABLE rules are only counted: an audit has dozens of them and
# the reader needs what to act on.
_SHOWN = (Status.FAIL, Status.ERROR, Status.WARN, Status.MANUAL, Status.WAIVED)
_ORDER = {s: i for i, s in enumerate(_SHOWN)}
_COLOUR = {Status.FAIL: "31", Status.ERROR: "35", Status.WARN: "33", Status.MANUAL: "36",
           Status.WAIVED: "34", Status.PASS: "32", Status.NOT_APPLICABLE: "2"}
_SEV_COLOUR = {Severity.CRITICAL: "1;31", Severity.HIGH: "31", Severity.MEDIUM: "33",
               Severity.LOW: "36", Severity.INFO: "2"}


def _paint(text: str, code: str, on: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if on else text


def _wrap(text: str, width: int, first: str, rest: str) -> List[str]:
    return textwrap.wrap(" ".join(text.split()), width, initial_indent=first, subsequent_indent=rest,
                         break_on_hyphens=False) or [first.rstrip()]


def _result_lines(r: RuleResult, width: int, colour: bool) -> List[str]:
    tag = f"[{r.status.value.upper():6}]"
    lines = _wrap(f"{r.rule_id} {r.meta.title}", width, " " * 9, " " * 9)
    lines[0] = _paint(tag, _COLOUR[r.status], colour) + " " + lines[0][9:]
    body = "    "
    if r.message:
        lines += _wrap(r.message, width, body, body)
    loc = r.location
    if loc is not None:
        lines += _wrap(f"at {loc.file}" + (f":{loc.line}" if loc.line else ""), width, body, body + "  ")
    for k, v in r.evidence[:6]:
        lines += _wrap(f"{k}: {v}", width, body + "  ", body + "    ")
    if r.status is Status.WAIVED:
        for f in r.findings:
            if f.waiver:
                who = f" ({f.object})" if f.object else ""
                lines += _wrap(f"waived{who}: {f.waiver}", width, body, body + "  ")
    if r.status in (Status.FAIL, Status.WARN, Status.MANUAL):
        lines += _wrap("fix: " + r.meta.remediation, width, body, body + "     ")
    return lines


def summary_lines(report: Report) -> List[str]:
    s = report.summary
    counts = ", ".join(f"{n} {k}" for k, n in s.by_status if n)
    waived = dict(s.by_status).get(Status.WAIVED.value, 0)
    score = f"score {s.score}" + (f" ({s.score_without_waivers} without waivers)" if waived else "")
    return [f"{s.total} rules: {counts}", score]


def render(report: Report, options: Any = None) -> str:
    colour = bool(getattr(options, "color", False))
    width = max(40, int(getattr(options, "width", 80) or 80))
    out: List[str] = []
    out += _wrap(f"secure-deploy audit of {report.target}", width, "", "  ")
    out += _wrap(report.nso_version.statement, width, "", "  ")
    out.append("")
    for sev in Severity:
        rows = sorted((r for r in report.results if r.meta.severity is sev and r.status in _SHOWN),
                      key=lambda r: (_ORDER[r.status], r.rule_id))
        if not rows:
            continue
        out.append(_paint(f"== {sev.value.upper()} ({len(rows)}) ==", _SEV_COLOUR[sev], colour))
        for r in rows:
            out += _result_lines(r, width, colour)
        out.append("")
    for note in report.notes:
        out += _wrap(f"note: {note}", width, "", "      ")
    if report.notes:
        out.append("")
    failed = ", ".join(f"{n} {k}" for k, n in report.summary.failed_by_severity if n)
    if failed:
        out += _wrap(f"failed by severity: {failed}", width, "", "  ")
    for line in summary_lines(report):
        out += _wrap(line, width, "", "  ")
    return "\n".join(out) + "\n"
