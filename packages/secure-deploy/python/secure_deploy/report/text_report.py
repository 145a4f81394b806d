"""Plain-text report grouped by severity.

Colour and width are options decided by the caller (stdout is a terminal, NO_COLOR,
COLUMNS); the renderer never looks at the environment. Lines break only at
whitespace, never inside a token: a cipher list, a path or a command in a fix is
copied from the report, so a token longer than the width overflows rather than
splits. Width None (a pipe or a file) does not wrap at all. Without colour the
output is plain ASCII apart from what the findings themselves contain.
"""
from __future__ import annotations

import textwrap
from typing import Any, Dict, List, Optional, Tuple

from ..model import Report, RuleResult, Severity, Status
from .checklist import checklist_lines

# By default PASS and NOT_APPLICABLE rules are only counted: an audit has dozens of
# them and the reader needs what to act on. "quiet" (Checkov's --quiet) keeps only
# what fails a gate; "all" lists the passing rules too (what an auditor signs off).
_SHOWN = (Status.FAIL, Status.ERROR, Status.WARN, Status.MANUAL, Status.WAIVED, Status.ACCEPTED)
_DETAIL = {"quiet": (Status.FAIL, Status.ERROR), "default": _SHOWN,
           "all": _SHOWN + (Status.PASS, Status.NOT_APPLICABLE)}
_ORDER = {s: i for i, s in enumerate(_DETAIL["all"])}
_COLOUR = {Status.FAIL: "31", Status.ERROR: "35", Status.WARN: "33", Status.MANUAL: "36",
           Status.WAIVED: "34", Status.ACCEPTED: "34", Status.PASS: "32", Status.NOT_APPLICABLE: "2"}
# Tags fit the 8-column gutter: "[ACCEPT]" rather than a wider "[ACCEPTED]".
_TAG = {Status.NOT_APPLICABLE: "N/A", Status.ACCEPTED: "ACCEPT"}
_SEV_COLOUR = {Severity.CRITICAL: "1;31", Severity.HIGH: "31", Severity.MEDIUM: "33",
               Severity.LOW: "36", Severity.INFO: "2"}


DEFAULT_WIDTH = 80
MIN_WIDTH = 40   # narrower terminals get 40-column lines (words still never split)


def text_width(width: Optional[int]) -> Optional[int]:
    """The wrap width to use: None (no wrapping) stays None; tiny widths are raised."""
    return None if width is None else max(MIN_WIDTH, int(width))


def _paint(text: str, code: str, on: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if on else text


def wrap(text: str, width: Optional[int], first: str = "", rest: str = "") -> List[str]:
    """Lines of `text` broken at whitespace only (a long token overflows); no wrapping for width None."""
    words = " ".join(text.split())
    if width is None:
        return [(first + words).rstrip()]
    return textwrap.wrap(words, width, initial_indent=first, subsequent_indent=rest,
                         break_long_words=False, break_on_hyphens=False) or [first.rstrip()]


def _result_lines(r: RuleResult, width: Optional[int], colour: bool) -> List[str]:
    tag = f"[{_TAG.get(r.status, r.status.value.upper()):6}]"
    lines = wrap(f"{r.rule_id} {r.meta.title}", width, " " * 9, " " * 9)
    lines[0] = _paint(tag, _COLOUR[r.status], colour) + " " + lines[0][9:]
    body = "    "
    if r.message:
        lines += wrap(r.message, width, body, body)
    loc = r.location
    if loc is not None:
        lines += wrap(f"at {loc.file}" + (f":{loc.line}" if loc.line else ""), width, body, body + "  ")
    for k, v in r.evidence[:6]:
        lines += wrap(f"{k}: {v}", width, body + "  ", body + "    ")
    if r.status is Status.WAIVED:
        for f in r.findings:
            if f.waiver:
                who = f" ({f.object})" if f.object else ""
                lines += wrap(f"waived{who}: {f.waiver}", width, body, body + "  ")
    if r.status is Status.ACCEPTED:
        for f in r.findings:
            if f.acceptance:
                lines += wrap(f.acceptance, width, body, body + "  ")
    if r.status in (Status.FAIL, Status.WARN, Status.MANUAL):
        lines += wrap("fix: " + r.meta.remediation, width, body, body + "     ")
    return lines


def summary_lines(report: Report) -> List[str]:
    s = report.summary
    counts = ", ".join(f"{n} {k}" for k, n in s.by_status if n)
    by = dict(s.by_status)
    waived = by.get(Status.WAIVED.value, 0) + by.get(Status.ACCEPTED.value, 0)
    score = f"score {s.score}" + (f" ({s.score_without_waivers} without waivers)" if waived else "")
    return [f"{s.total} rules: {counts}", score]


def node_lines(report: Report, width: int) -> List[str]:
    """A fleet report's nodes: cluster, score and what is not passing on each."""
    if not report.nodes:
        return []
    out = [f"== NODES ({len(report.nodes)}) =="]
    for n in report.nodes:
        counts = {st.value: 0 for st in _SHOWN}
        for _, st in n.statuses:
            if st.value in counts:
                counts[st.value] += 1
        cluster = f" (cluster {n.info.cluster})" if n.info.cluster else ""
        shown = ", ".join(f"{c} {k}" for k, c in counts.items() if c) or "nothing to act on"
        out += wrap(f"{n.info.name}{cluster}: score {n.score}, {shown}", width, "", "    ")
    for name, members, verdicts in cluster_rows(report):
        checks = ", ".join(f"{rid} {st.value}" for rid, st in verdicts) or "no cross-node rule run"
        out += wrap(f"cluster {name} ({len(members)} nodes: {', '.join(members)}): {checks}", width, "", "    ")
    out.append("")
    return out


def cluster_rows(report: Report) -> List[Tuple[str, List[str], List[Tuple[str, Status]]]]:
    """Cluster-wide view of a fleet report: each HA cluster, its members, and each
    cross-node rule's worst status over them."""
    cross = [r.rule_id for r in report.results if "fleet" in r.meta.needs]
    members: Dict[str, List[Any]] = {}
    for n in report.nodes:
        if n.info.cluster:
            members.setdefault(n.info.cluster, []).append(n)
    rows = []
    for name, nodes in members.items():
        verdicts = []
        for rid in cross:
            sts = [st for st in (n.status(rid) for n in nodes) if st is not None]
            if sts:
                verdicts.append((rid, max(sts, key=lambda s: s.badness)))
        rows.append((name, [n.info.name for n in nodes], verdicts))
    return rows


def render(report: Report, options: Any = None) -> str:
    colour = bool(getattr(options, "color", False))
    width = text_width(getattr(options, "width", DEFAULT_WIDTH))
    shown = _DETAIL[getattr(options, "detail", "default") or "default"]
    out: List[str] = []
    out += wrap(f"secure-deploy audit of {report.target}", width, "", "  ")
    out += wrap(report.nso_version.statement, width, "", "  ")
    out.append("")
    for sev in Severity:
        rows = sorted((r for r in report.results if r.meta.severity is sev and r.status in shown),
                      key=lambda r: (_ORDER[r.status], r.rule_id))
        if not rows:
            continue
        out.append(_paint(f"== {sev.value.upper()} ({len(rows)}) ==", _SEV_COLOUR[sev], colour))
        for r in rows:
            out += _result_lines(r, width, colour)
        out.append("")
    for note in report.notes:
        out += wrap(f"note: {note}", width, "", "      ")
    if report.notes:
        out.append("")
    out += node_lines(report, width)
    for line in checklist_lines(report, everything=Status.PASS in shown, only={s.value for s in shown}):
        out += wrap(line, width, "", "    ")
    out.append("")
    failed = ", ".join(f"{n} {k}" for k, n in report.summary.failed_by_severity if n)
    if failed:
        out += wrap(f"failed by severity: {failed}", width, "", "  ")
    for line in summary_lines(report):
        out += wrap(line, width, "", "  ")
    return "\n".join(out) + "\n"
