"""GitLab Code Quality: the JSON array GitLab's merge-request widget reads.

Each open finding (FAIL, WARN, and ERROR: a rule that could not read its input fails
the gate, so the reviewer must see it) is one issue with GitLab's documented fields:
`description`, `check_name` (the rule id), `fingerprint`, `severity` and
`location.path` / `location.lines.begin`. The fingerprint is stable across runs (rule,
object and file, not the message or line, which change) so GitLab can tell new
findings from old; the file is part of it because GitLab merges the reports of
several jobs (one per deployment) and keeps one issue per fingerprint. WAIVED, MANUAL, PASS and NOT_APPLICABLE
give no issue.

Severities follow the mapping Trivy's GitLab template uses (critical, high, medium
and low to critical, major, minor and info); a WARN is at most minor. A finding
without a line of its own points at line 1 of the first file the report names,
because GitLab drops issues without a location.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any, Dict, List, Optional

from ..model import Finding, Location, Report, RuleResult, Severity, Status
from . import relative_path
from .sarif_report import _first_location

SEVERITIES = ("info", "minor", "major", "critical", "blocker")  # GitLab's scale, lowest first
_SEVERITY = {Severity.CRITICAL: "critical", Severity.HIGH: "major", Severity.MEDIUM: "minor",
             Severity.LOW: "info", Severity.INFO: "info"}
_REPORTED = (Status.FAIL, Status.WARN, Status.ERROR)


def _severity(r: RuleResult, f: Finding) -> str:
    sev = _SEVERITY[r.meta.severity]
    if f.status is Status.WARN and SEVERITIES.index(sev) > SEVERITIES.index("minor"):
        return "minor"
    return sev


def _issue(r: RuleResult, f: Finding, fallback: Optional[Location], base_dir: Optional[str]) -> Dict[str, Any]:
    msg = f.message or r.message or r.meta.title
    if f.object and f.object not in msg:
        msg = f"{f.object}: {msg}"
    if f.status is Status.ERROR:
        msg = f"could not be evaluated: {msg}"
    where = f.location or fallback
    path = relative_path(where.file, base_dir) if where else _no_file_path(r)
    key = f"{r.rule_id}\0{f.object or ''}\0{path}"
    return {
        "description": f"{r.rule_id} {r.meta.title}: {msg}",
        "check_name": r.rule_id,
        "fingerprint": hashlib.sha256(key.encode()).hexdigest()[:32],
        "severity": _severity(r, f),
        "location": {"path": path, "lines": {"begin": int(where.line) if where and where.line else 1}},
    }


def _no_file_path(r: RuleResult) -> str:
    # No file at all in the report (e.g. a host-only audit): name the thing checked.
    return r.meta.paths[0] if r.meta.paths else r.rule_id


def issues(report: Report, base_dir: Optional[str] = None) -> List[Dict[str, Any]]:
    fallback = _first_location(report)
    out: List[Dict[str, Any]] = []
    seen: Dict[str, int] = {}
    for r in report.results:
        for f in r.findings:
            if f.status in _REPORTED:
                issue = _issue(r, f, fallback, base_dir)
                fp = issue["fingerprint"]
                if fp in seen:  # GitLab shows only the first issue of a fingerprint
                    seen[fp] += 1
                    issue["fingerprint"] = f"{fp}-{seen[fp]}"
                else:
                    seen[fp] = 0
                out.append(issue)
    return out


def render(report: Report, options: Any = None) -> str:
    return json.dumps(issues(report, getattr(options, "base_dir", None)), indent=2, allow_nan=False) + "\n"
