"""JUnit XML: one testcase per rule, for CI test-report views (Jenkins, GitLab, Azure).

Mapping (as kube-bench does for WARN):
  FAIL           -> <failure>
  ERROR          -> <error>     (the audit could not look)
  WARN           -> <skipped>   with the warning as message: not a pass, not a failure
  MANUAL, WAIVED, NOT_APPLICABLE -> <skipped> with the reason
  PASS           -> a bare testcase
Test suites are the rule topics (SD-<TOPIC>-NNN), so CI views group related rules.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, Dict, List

from lxml import etree

from ..model import Report, RuleResult, Status

_SKIPPED = (Status.WARN, Status.MANUAL, Status.WAIVED, Status.ACCEPTED, Status.NOT_APPLICABLE)


def _topic(rule_id: str) -> str:
    parts = rule_id.split("-")
    return parts[1].lower() if len(parts) == 3 else "other"


def _details(r: RuleResult) -> str:
    lines = [f"{r.rule_id} [{r.meta.severity.value}] {r.meta.title}", f"status: {r.status.value}"]
    if r.message:
        lines.append(f"message: {r.message}")
    loc = r.location
    if loc is not None:
        lines.append(f"location: {loc.file}" + (f":{loc.line}" if loc.line else ""))
    lines += [f"{k}: {v}" for k, v in r.evidence]
    for f in r.findings:
        if f.waiver:
            lines.append(f"waived{' (' + f.object + ')' if f.object else ''}: {f.waiver}")
        if f.acceptance:
            lines.append(f.acceptance)
    if r.status in (Status.FAIL, Status.WARN, Status.MANUAL):
        lines.append(f"fix: {r.meta.remediation}")
    return "\n".join(lines)


def _clean(text: str) -> str:
    # XML 1.0 forbids most control characters; a value read from a hostile file
    # must not make the report unparsable.
    return "".join(c if c in "\t\n\r" or ord(c) >= 0x20 else "\ufffd" for c in text)


def _case(parent: Any, r: RuleResult) -> None:
    tc = etree.SubElement(parent, "testcase", classname=f"secure-deploy.{_topic(r.rule_id)}",
                          name=_clean(f"{r.rule_id} {r.meta.title}"), time="0")
    msg = _clean(r.message or r.status.value)
    details = _clean(_details(r))
    if r.status is Status.FAIL:
        el = etree.SubElement(tc, "failure", message=msg, type=r.meta.severity.value)
        el.text = details
    elif r.status is Status.ERROR:
        el = etree.SubElement(tc, "error", message=msg, type="could-not-read")
        el.text = details
    elif r.status in _SKIPPED:
        etree.SubElement(tc, "skipped", message=_clean(f"{r.status.value}: {r.message}"))
        out = etree.SubElement(tc, "system-out")
        out.text = details


def _counts(results: List[RuleResult]) -> Dict[str, str]:
    return {"tests": str(len(results)),
            "failures": str(sum(r.status is Status.FAIL for r in results)),
            "errors": str(sum(r.status is Status.ERROR for r in results)),
            "skipped": str(sum(r.status in _SKIPPED for r in results)),
            "time": "0"}


def render(report: Report, options: Any = None) -> str:
    groups: "OrderedDict[str, List[RuleResult]]" = OrderedDict()
    for r in report.results:
        groups.setdefault(_topic(r.rule_id), []).append(r)
    s = report.summary
    root = etree.Element("testsuites", name="secure-deploy", **_counts(list(report.results)))
    for n, (topic, results) in enumerate(groups.items()):
        suite = etree.SubElement(root, "testsuite", name=f"secure-deploy.{topic}",
                                 timestamp=report.started_at[:19], hostname="localhost",
                                 **_counts(results))
        props = etree.SubElement(suite, "properties")
        for name, value in (("target", report.target), ("nso-version", report.nso_version.statement),
                            ("score", str(s.score)), ("score-without-waivers", str(s.score_without_waivers)),
                            ("tool-version", report.tool_version)):
            etree.SubElement(props, "property", name=name, value=_clean(value))
        for r in results:
            _case(suite, r)
        if n == 0 and report.notes:
            # JUnit has no run-level notes; the first suite's system-out carries them
            # (unreadable sources, waivers applied, expired or expiring).
            out = etree.SubElement(suite, "system-out")
            out.text = _clean("\n".join(f"note: {x}" for x in report.notes))
    return etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8").decode("utf-8")
