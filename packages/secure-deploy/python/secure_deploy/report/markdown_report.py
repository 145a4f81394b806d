"""Markdown: a summary for CI pages (GitHub's job summary, a merge-request comment).

The score, the counts, every open finding worst first (FAIL, ERROR, WARN, then
MANUAL) with the file and line to look at, the waived findings with their
justification, and the run's notes. Everything the deployment controls (user and
device names, messages) is escaped, so a hostile name cannot inject links, HTML or
table cells into the page. A summary is bounded (GitHub takes at most 1 MiB per
step): past MAX_ROWS findings the rest is counted, not listed.
"""
from __future__ import annotations

import re
from typing import Any, List, Optional

from ..model import Finding, Report, RuleResult, Status
from . import relative_path

MAX_ROWS = 300
_OPEN_ORDER = {Status.FAIL: 0, Status.ERROR: 1, Status.WARN: 2, Status.MANUAL: 3}
# CommonMark lets a backslash escape any ASCII punctuation; these are the ones that
# start markup inside a table cell. Control characters (and newlines) become spaces.
_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~&])")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def esc(text: str) -> str:
    return _SPECIAL.sub(r"\\\1", _CONTROL.sub(" ", text)).strip()


def _where(f: Finding, base_dir: Optional[str]) -> str:
    if f.location is None:
        return ""
    line = f":{f.location.line}" if f.location.line else ""
    return esc(relative_path(f.location.file, base_dir) + line)


def _what(r: RuleResult, f: Finding) -> str:
    msg = f.message or r.message
    if f.object and f.object not in msg:
        msg = f"{f.object}: {msg}"
    return esc(msg)


def render(report: Report, options: Any = None) -> str:
    base_dir = getattr(options, "base_dir", None)
    s = report.summary
    counts = ", ".join(f"{n} {k}" for k, n in s.by_status if n)
    out: List[str] = [
        "## secure-deploy: NSO Secure Deployment audit", "",
        f"**Score {s.score:.1f}** / 100 (without waivers {s.score_without_waivers:.1f}) · "
        f"{s.total} rules: {counts}", "",
        f"Target: {esc(', '.join(relative_path(t, base_dir) for t in report.target.split(', ')))}  ",
        f"{esc(report.nso_version.statement)}", "",
    ]
    failed = [(sev, n) for sev, n in s.failed_by_severity if n]
    if failed:
        out += ["| severity | failing rules |", "|---|---:|"]
        out += [f"| {sev} | {n} |" for sev, n in failed]
        out.append("")

    open_rows = sorted(((r, f) for r in report.results for f in r.findings if f.status in _OPEN_ORDER),
                       key=lambda rf: (_OPEN_ORDER[rf[1].status], -rf[0].meta.severity.rank))
    if open_rows:
        out += [f"### Open findings ({len(open_rows)})", "",
                "| severity | status | rule | finding | where |", "|---|---|---|---|---|"]
        for r, f in open_rows[:MAX_ROWS]:
            out.append(f"| {r.meta.severity.value} | {f.status.value} | {r.rule_id} {esc(r.meta.title)} "
                       f"| {_what(r, f)} | {_where(f, base_dir)} |")
        if len(open_rows) > MAX_ROWS:
            out.append(f"\n{len(open_rows) - MAX_ROWS} more open findings: see the full report.")
        out.append("")
    else:
        out += ["No open findings.", ""]

    # Waived and accepted findings: one table each, with the reason the finding was set aside.
    for status, title, column, reason in ((Status.WAIVED, "Waived", "justification", "waiver"),
                                          (Status.ACCEPTED, "Accepted exposures", "accepted", "acceptance")):
        rows = [(r, f) for r in report.results for f in r.findings if f.status is status]
        if rows:
            out += [f"### {title} ({len(rows)})", "", f"| rule | finding | {column} |", "|---|---|---|"]
            for r, f in rows[:MAX_ROWS]:
                out.append(f"| {r.rule_id} | {_what(r, f)} | {esc(getattr(f, reason) or '')} |")
            out.append("")
    if report.notes:
        out += ["### Notes", ""] + [f"- {esc(n)}" for n in report.notes] + [""]
    return "\n".join(out)
