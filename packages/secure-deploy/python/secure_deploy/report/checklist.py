"""The guidance checklist section of the text and HTML reports (JSON: json_report).

Each recommendation of the Secure Deployment guidance (secure_deploy/guidance.py)
with the worst status of the rules covering it in this report. The text report
lists the recommendations that need action (all of them with --detail all).
"""
from __future__ import annotations

import html
from typing import Collection, List, Optional

from ..guidance import checklist
from ..model import Report

_QUIET = ("pass", "not-applicable")


def checklist_lines(report: Report, everything: bool = False,
                    only: Optional[Collection[str]] = None) -> List[str]:
    """Unwrapped lines: a count, then one line per recommendation to act on (`only`:
    just those with these statuses, as the text report's --quiet lists its rules)."""
    rows = checklist(report.results)
    counts: dict = {}
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    # Recommendations none of whose rules ran (a --rule selection) are only counted.
    shown = [row for row in rows if row.status != "not-run" and (everything or row.status not in _QUIET)
             and (only is None or row.status in only)]
    # Not a "== ... ==" heading: those are the severity groups.
    out = [f"Guidance checklist: {len(rows)} recommendations: "
           + ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))]
    for row in shown:
        rules = ", ".join(f"{rid} {st}" for rid, st in row.statuses) or "no covering rule ran"
        out.append(f"{row.rec.id} [{row.status}] {row.rec.title} ({rules})")
    return out


def checklist_html(report: Report) -> str:
    rows = []
    for row in checklist(report.results):
        rules = ", ".join(f"<code>{html.escape(rid)}</code> {html.escape(st)}" for rid, st in row.statuses)
        rows.append(f'<tr data-checklist-status="{html.escape(row.status)}"><td>{html.escape(row.rec.id)}</td>'
                    f"<td>{html.escape(row.rec.section)}</td><td>{html.escape(row.rec.title)}</td>"
                    f"<td>{html.escape(row.status)}</td><td>{rules or '&ndash;'}</td></tr>")
    return ("<section><h2>Guidance checklist</h2><table id=\"checklist\"><thead><tr><th>id</th><th>section</th>"
            "<th>recommendation</th><th>status</th><th>rules</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table></section>")
