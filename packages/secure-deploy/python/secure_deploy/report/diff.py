"""Compare two reports: which findings are new, fixed, unchanged or changed.

Findings are matched by (rule id, object) as in gating.py. A finding is "open" when
its status is FAIL, WARN or ERROR; WAIVED, PASS, MANUAL and NOT_APPLICABLE are not
open. A finding open in both runs whose severity or status differs is "changed"
(severity changes when a new tool version re-rates a rule; status changes e.g. from
FAIL to WARN when an exposure is declared accepted).
"""
from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Tuple

from ..frozen import frozen
from ..model import Report, Status

OPEN = (Status.FAIL, Status.WARN, Status.ERROR)


@frozen
class Entry:
    """One rule (and object) in a report diff, with its old verdict when it changed."""

    rule_id: str
    object: Optional[str]
    title: str
    severity: str
    status: str
    message: str
    old_severity: Optional[str] = None  # set for changed and fixed entries
    old_status: Optional[str] = None

    @property
    def label(self) -> str:
        return f"{self.rule_id} ({self.object})" if self.object else self.rule_id


@frozen
class ReportDiff:
    """Two reports compared: findings new, fixed, unchanged and changed, with both scores."""

    old_target: str
    new_target: str
    old_started_at: str
    new_started_at: str
    old_score: float
    new_score: float
    new: Tuple[Entry, ...]
    fixed: Tuple[Entry, ...]
    unchanged: Tuple[Entry, ...]
    changed: Tuple[Entry, ...]


def _index(report: Report) -> Dict[Tuple[str, str], Entry]:
    out: Dict[Tuple[str, str], Entry] = {}
    for r in report.results:
        for f in r.findings:
            key = (r.rule_id, f.object or "")
            # One entry per key: the worst finding wins (a rule may give several
            # findings without objects).
            prev = out.get(key)
            if prev is not None and Status(prev.status).badness >= f.status.badness:
                continue
            out[key] = Entry(r.rule_id, f.object, r.meta.title, r.meta.severity.value,
                             f.status.value, f.message)
    return out


def diff_reports(old: Report, new: Report) -> ReportDiff:
    a, b = _index(old), _index(new)
    is_open = {s.value for s in OPEN}
    new_l: List[Entry] = []
    fixed: List[Entry] = []
    same: List[Entry] = []
    changed: List[Entry] = []
    for key in sorted(set(a) | set(b)):
        o, n = a.get(key), b.get(key)
        o_open = o is not None and o.status in is_open
        n_open = n is not None and n.status in is_open
        if n_open and not o_open:
            new_l.append(n)  # type: ignore[arg-type]
        elif o_open and not n_open:
            assert o is not None
            # Fixed: now passing, waived, not applicable, or the rule is gone.
            fixed.append(Entry(o.rule_id, o.object, o.title, o.severity,
                               n.status if n is not None else "absent",
                               n.message if n is not None else "not evaluated in the new run",
                               old_severity=o.severity, old_status=o.status))
        elif o_open and n_open:
            assert o is not None and n is not None
            if (o.severity, o.status) != (n.severity, n.status):
                changed.append(Entry(n.rule_id, n.object, n.title, n.severity, n.status, n.message,
                                     old_severity=o.severity, old_status=o.status))
            else:
                same.append(n)
    return ReportDiff(old.target, new.target, old.started_at, new.started_at,
                      old.summary.score, new.summary.score,
                      tuple(new_l), tuple(fixed), tuple(same), tuple(changed))


def _entry_dict(e: Entry) -> Dict[str, Any]:
    d = {"rule_id": e.rule_id, "object": e.object, "title": e.title, "severity": e.severity,
         "status": e.status, "message": e.message}
    if e.old_status is not None:
        d["old_severity"] = e.old_severity
        d["old_status"] = e.old_status
    return d


def diff_dict(d: ReportDiff) -> Dict[str, Any]:
    return {
        "old": {"target": d.old_target, "started_at": d.old_started_at, "score": d.old_score},
        "new": {"target": d.new_target, "started_at": d.new_started_at, "score": d.new_score},
        "counts": {"new": len(d.new), "fixed": len(d.fixed), "unchanged": len(d.unchanged),
                   "changed": len(d.changed)},
        "new_findings": [_entry_dict(e) for e in d.new],
        "fixed": [_entry_dict(e) for e in d.fixed],
        "unchanged": [_entry_dict(e) for e in d.unchanged],
        "changed": [_entry_dict(e) for e in d.changed],
    }


def render_json(d: ReportDiff) -> str:
    return json.dumps(diff_dict(d), indent=2, allow_nan=False) + "\n"


def render_text(d: ReportDiff) -> str:
    out = [f"old: {d.old_started_at} score {d.old_score}  ({d.old_target})",
           f"new: {d.new_started_at} score {d.new_score}  ({d.new_target})",
           f"{len(d.new)} new, {len(d.fixed)} fixed, {len(d.unchanged)} unchanged, "
           f"{len(d.changed)} changed", ""]
    sections = (("NEW", d.new, lambda e: f"{e.status}/{e.severity}"),
                ("FIXED", d.fixed, lambda e: f"{e.old_status} -> {e.status}"),
                ("CHANGED", d.changed, lambda e: f"{e.old_status}/{e.old_severity} -> {e.status}/{e.severity}"),
                ("UNCHANGED", d.unchanged, lambda e: f"{e.status}/{e.severity}"))
    for title, entries, how in sections:
        if not entries:
            continue
        out.append(f"== {title} ==")
        for e in entries:
            # Two lines per finding keep the text readable at 80 columns.
            out.append(f"  {e.label}  [{how(e)}]")
            out.append(f"      {e.title}"[:80])
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


__all__ = ["ReportDiff", "Entry", "diff_reports", "diff_dict", "render_json", "render_text"]
