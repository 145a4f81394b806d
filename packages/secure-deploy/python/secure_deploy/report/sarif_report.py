"""SARIF 2.1.0 for code-scanning UIs (GitHub, GitLab, Azure DevOps).

- one reportingDescriptor per evaluated rule: title, rationale, remediation as help;
- one result per open finding (FAIL, WARN, MANUAL) and per WAIVED finding, the
  latter carrying an external suppression with the justification, so the waiver is
  visible and the alert is closed;
- ERROR ("could not read") is a tool execution notification, not a result: it says
  the audit did not look, not that the deployment is wrong;
- PASS and NOT_APPLICABLE produce no result (code scanning closes alerts that stop
  appearing).

Locations: the ncs.conf file and line of the evaluated element when the reader
knows it. A finding without its own location (e.g. a default left implicit, a CDB
or host fact) points at the first file the report names, without a region, because
code-scanning services drop results that have no physical location at all; the
evaluated path is always given as a logical location.
"""
from __future__ import annotations

import hashlib
import json
import os
import posixpath
from typing import Any, Dict, List, Optional
from urllib.parse import quote

from ..model import Finding, Location, Report, RuleResult, Severity, Status
from ..ruledocs import reference_url
from .json_report import evidence_object

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
_LEVEL = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning",
          Severity.LOW: "note", Severity.INFO: "note"}
# GitHub code scanning ranks security alerts by this property (0.0-10.0, CVSS-like).
_SECURITY_SEVERITY = {Severity.CRITICAL: "9.5", Severity.HIGH: "8.0", Severity.MEDIUM: "5.5",
                      Severity.LOW: "3.0", Severity.INFO: "0.0"}
# WAIVED and ACCEPTED are reported as suppressed results (accepted, with the
# justification): code scanning shows them dismissed rather than silently absent.
_REPORTED = (Status.FAIL, Status.WARN, Status.MANUAL, Status.WAIVED, Status.ACCEPTED)
SRCROOT = "SRCROOT"
DEFAULT_CATEGORY = "secure-deploy/audit/"


def automation_id(category: Optional[str]) -> str:
    """runs[].automationDetails.id for a category.

    GitHub code scanning keys its alerts by this id's category (everything up to the
    last "/"), and upload-sarif's own `category` input is ignored when the file already
    carries an id. So each audited deployment needs an id of its own, or the audits
    replace each other's alerts. The trailing "/" makes the whole name the category.
    """
    if not category:
        return DEFAULT_CATEGORY
    return category if category.endswith("/") else category + "/"


def _uri(path: str, base_dir: Optional[str]) -> Dict[str, str]:
    """Relative URI (against SRCROOT) for files under base_dir, file:// URI otherwise."""
    p = path.replace(os.sep, "/")
    if base_dir:
        base = base_dir.replace(os.sep, "/").rstrip("/") + "/"
        if posixpath.isabs(p) and p.startswith(base):
            return {"uri": quote(p[len(base):]), "uriBaseId": SRCROOT}
        if not posixpath.isabs(p):
            return {"uri": quote(posixpath.normpath(p)), "uriBaseId": SRCROOT}
    if posixpath.isabs(p):
        return {"uri": "file://" + quote(p)}
    return {"uri": quote(posixpath.normpath(p))}


def _physical(loc: Location, base_dir: Optional[str]) -> Dict[str, Any]:
    d: Dict[str, Any] = {"artifactLocation": _uri(loc.file, base_dir)}
    if loc.line:
        d["region"] = {"startLine": int(loc.line)}
    return d


def _rule_name(title: str) -> str:
    words = "".join(c if c.isalnum() else " " for c in title).split()
    return "".join(w[:1].upper() + w[1:] for w in words) or "Rule"


def _descriptor(r: RuleResult) -> Dict[str, Any]:
    m = r.meta
    urls = [u for u in (reference_url(x) for x in m.references) if u]
    refs = "".join(f"\n- [{x}]({u})" if u else f"\n- {x}" for x, u in ((x, reference_url(x)) for x in m.references))
    md = f"**{m.title}**\n\n{m.rationale}\n\n**Fix:** {m.remediation}"
    if m.fix_example:
        # XML fragments (ncs.conf, CDB) or shell lines for the host rules.
        lang = "xml" if m.fix_example.startswith("<") else "shell" if m.fix_example.startswith("$") else "text"
        md += f"\n\n```{lang}\n{m.fix_example}\n```"
    md += f"\n\nSecure Deployment guidance: {m.section}" + (f"\n\nReferences:{refs}" if refs else "")
    return {
        "id": m.id,
        "name": _rule_name(m.title),
        "shortDescription": {"text": m.title},
        "fullDescription": {"text": m.rationale or m.title},
        "help": {"text": f"{m.rationale}\n\nFix: {m.remediation}".strip(), "markdown": md},
        **({"helpUri": urls[0]} if urls else {}),
        "defaultConfiguration": {"level": _LEVEL[m.severity]},
        "properties": {"tags": ["security", *m.tags], "security-severity": _SECURITY_SEVERITY[m.severity],
                       "severity": m.severity.value, "paths": list(m.paths)},
    }


def _level(r: RuleResult, f: Finding) -> str:
    if f.status is Status.MANUAL:
        return "note"
    level = _LEVEL[r.meta.severity]
    if f.status is Status.WARN and level == "error":
        return "warning"  # a partial pass is never louder than a warning
    return level


def _fingerprint(rule_id: str, f: Finding) -> str:
    # Stable across runs and machines: rule and object only (not the message, which
    # carries actual values, nor line numbers, which move when the file is edited).
    return hashlib.sha256(f"{rule_id}\0{f.object or ''}".encode()).hexdigest()[:32]


def _result(r: RuleResult, idx: int, f: Finding, fallback: Optional[Location],
            base_dir: Optional[str]) -> Dict[str, Any]:
    msg = f.message or r.message or r.meta.title
    if f.object and f.object not in msg:
        msg = f"{f.object}: {msg}"
    if f.status in (Status.FAIL, Status.WARN):
        msg += f" Fix: {r.meta.remediation}"
    res: Dict[str, Any] = {
        "ruleId": r.rule_id, "ruleIndex": idx,
        "kind": "review" if f.status is Status.MANUAL else "fail",
        "level": _level(r, f),
        "message": {"text": msg},
        "partialFingerprints": {"secureDeploy/v1": _fingerprint(r.rule_id, f)},
        "properties": {"status": f.status.value, "severity": r.meta.severity.value,
                       "evidence": evidence_object(f.evidence)},
    }
    loc: Dict[str, Any] = {}
    where = f.location or fallback
    if where is not None:
        loc["physicalLocation"] = _physical(where, base_dir)
    paths = f.paths or r.meta.paths
    if paths:
        loc["logicalLocations"] = [{"fullyQualifiedName": p, "kind": "element"} for p in paths]
    if loc:
        res["locations"] = [loc]
    if f.object:
        res["properties"]["object"] = f.object
    if f.status is Status.WAIVED:
        res["suppressions"] = [{"kind": "external", "status": "accepted",
                                "justification": f.waiver or "waived"}]
    elif f.status is Status.ACCEPTED:
        res["suppressions"] = [{"kind": "external", "status": "accepted",
                                "justification": f.acceptance or "accepted exposure"}]
    return res


def _first_location(report: Report) -> Optional[Location]:
    for r in report.results:
        for f in r.findings:
            if f.location is not None:
                return Location(f.location.file)
    return None


def sarif_dict(report: Report, base_dir: Optional[str] = None,
               category: Optional[str] = None) -> Dict[str, Any]:
    fallback = _first_location(report)
    rules: List[Dict[str, Any]] = []
    results: List[Dict[str, Any]] = []
    notifications: List[Dict[str, Any]] = []
    for idx, r in enumerate(report.results):
        rules.append(_descriptor(r))
        for f in r.findings:
            if f.status in _REPORTED:
                results.append(_result(r, idx, f, fallback, base_dir))
            elif f.status is Status.ERROR:
                notifications.append({"level": "error", "message": {"text": f"{r.rule_id}: {f.message}"},
                                      "descriptor": {"id": r.rule_id, "index": idx}})
    notifications += [{"level": "warning", "message": {"text": n}} for n in report.notes]
    s = report.summary
    run: Dict[str, Any] = {
        "tool": {"driver": {"name": "secure-deploy", "version": report.tool_version or "0",
                            "semanticVersion": report.tool_version or "0.0.0",
                            "rules": rules}},
        "automationDetails": {"id": automation_id(category)},
        "invocations": [{"executionSuccessful": True, "startTimeUtc": report.started_at,
                         "toolExecutionNotifications": notifications}],
        "results": results,
        "properties": {"target": report.target, "nsoVersion": report.nso_version.statement,
                       "score": s.score, "scoreWithoutWaivers": s.score_without_waivers,
                       "byStatus": dict(s.by_status)},
    }
    if base_dir:
        base = base_dir.replace(os.sep, "/").rstrip("/") + "/"
        run["originalUriBaseIds"] = {SRCROOT: {"uri": "file://" + quote(base)}}
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def render(report: Report, options: Any = None) -> str:
    return json.dumps(sarif_dict(report, getattr(options, "base_dir", None),
                                 getattr(options, "sarif_category", None)), indent=2, allow_nan=False) + "\n"
