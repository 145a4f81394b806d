"""Plain-text report grouped by severity, readable at 80 columns."""
from __future__ import annotations

import textwrap
from typing import List

from ..model import Report, Severity, Status

_SHOWN = (Status.FAIL, Status.ERROR, Status.WARN, Status.MANUAL, Status.WAIVED)


def render(report: Report) -> str:
    out: List[str] = [f"secure-deploy audit of {report.target}", report.nso_version.statement, ""]
    for sev in Severity:
        rows = [r for r in report.results if r.meta.severity is sev and r.status in _SHOWN]
        if not rows:
            continue
        out.append(f"== {sev.value.upper()} ==")
        for r in rows:
            out.append(f"[{r.status.value.upper():5}] {r.rule_id} {r.meta.title}")
            out.extend(textwrap.wrap(r.message, 76, initial_indent="    ", subsequent_indent="    "))
            if r.status in (Status.FAIL, Status.WARN):
                out.extend(textwrap.wrap("fix: " + r.meta.remediation, 76,
                                         initial_indent="    ", subsequent_indent="         "))
        out.append("")
    for note in report.notes:
        out.append(f"note: {note}")
    s = report.summary
    counts = ", ".join(f"{n} {k}" for k, n in s.by_status if n)
    out.append(f"{s.total} rules: {counts}; score {s.score}")
    return "\n".join(out) + "\n"
