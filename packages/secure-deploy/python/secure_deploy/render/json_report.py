"""The versioned JSON report (schema: secure_deploy/schemas/report.schema.json)."""
from __future__ import annotations

import json
from typing import Any, Dict, List

from ..model import SCHEMA_VERSION, Finding, Report, RuleResult


def _finding(f: Finding) -> Dict[str, Any]:
    d: Dict[str, Any] = {"status": f.status.value, "message": f.message,
                         "evidence": dict(f.evidence), "paths": list(f.paths)}
    if f.object is not None:
        d["object"] = f.object
    if f.location is not None:
        d["location"] = {"file": f.location.file, "line": f.location.line}
    if f.waiver is not None:
        d["waiver"] = f.waiver
    return d


def result_dict(r: RuleResult) -> Dict[str, Any]:
    m = r.meta
    d: Dict[str, Any] = {
        "rule_id": m.id, "title": m.title, "severity": m.severity.value, "status": r.status.value,
        "message": r.message, "evidence": [{"name": k, "value": v} for k, v in r.evidence],
        "remediation": m.remediation, "paths": list(r.paths), "tags": list(m.tags),
        "section": m.section, "findings": [_finding(f) for f in r.findings],
    }
    loc = r.location
    if loc is not None:
        d["location"] = {"file": loc.file, "line": loc.line}
    return d


def report_dict(report: Report) -> Dict[str, Any]:
    s = report.summary
    results: List[Dict[str, Any]] = [result_dict(r) for r in report.results]
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "secure-deploy", "version": report.tool_version},
        "target": report.target,
        "started_at": report.started_at,
        "duration_s": report.duration_s,
        "nso_version": {"assumed": report.nso_version.version, "found": report.nso_version.full,
                        "source": report.nso_version.source, "statement": report.nso_version.statement},
        "summary": {"total": s.total, "by_status": dict(s.by_status),
                    "failed_by_severity": dict(s.failed_by_severity),
                    "score": s.score, "score_without_waivers": s.score_without_waivers},
        "notes": list(report.notes),
        "results": results,
    }


def render(report: Report) -> str:
    return json.dumps(report_dict(report), indent=2, sort_keys=False) + "\n"
