"""The versioned JSON report (schema: secure_deploy/schemas/report.schema.json).

The JSON carries each rule's full metadata so that a saved report can be rebuilt
into a model.Report (`report_from_dict`) and re-rendered in any other format later:
`secure-deploy report render`, `diff`, and the NSO `report` action all use it.
"""
from __future__ import annotations

import json
import math
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from ..errors import InputError
from ..fileio import read_input
from ..guidance import checklist_dicts
from ..ruledocs import reference_url
from ..redact import printable, terminal_safe
from ..model import (READABLE_SCHEMA_MAJORS, SCHEMA_VERSION, SUPPORTED_NSO_VERSIONS, Finding, Location, NodeInfo,
                     NodeRun, NsoVersionInfo, Report, RuleMeta, RuleResult, Severity, Status)


def _location(loc: Location) -> Dict[str, Any]:
    return {"file": loc.file, "line": loc.line}


def evidence_object(pairs: Sequence[Tuple[str, str]]) -> Dict[str, str]:
    """Evidence as a JSON object, the one shape of `evidence` everywhere (results,
    findings, SARIF properties). A name seen twice keeps both: "name (2)"."""
    out: Dict[str, str] = {}
    for name, value in pairs:
        key, n = name, 1
        while key in out:
            n += 1
            key = f"{name} ({n})"
        out[key] = value
    return out


def _finding(f: Finding) -> Dict[str, Any]:
    d: Dict[str, Any] = {"status": f.status.value, "message": f.message,
                         "evidence": evidence_object(f.evidence), "paths": list(f.paths)}
    if f.object is not None:
        d["object"] = f.object
    if f.location is not None:
        d["location"] = _location(f.location)
    if f.waiver is not None:
        d["waiver"] = f.waiver
    if f.acceptance is not None:
        d["acceptance"] = f.acceptance
    return d


def meta_dict(m: RuleMeta) -> Dict[str, Any]:
    return {"id": m.id, "title": m.title, "severity": m.severity.value, "section": m.section,
            "rationale": m.rationale, "remediation": m.remediation, "paths": list(m.paths),
            "references": list(m.references), "tags": list(m.tags), "needs": list(m.needs),
            "reads": list(m.reads), "versions": list(m.versions), "example": m.example, "fix_example": m.fix_example,
            "reference_urls": {r: u for r, u in ((r, reference_url(r)) for r in m.references) if u},
            "manual": m.manual, "objects": list(m.objects)}


def result_dict(r: RuleResult) -> Dict[str, Any]:
    m = r.meta
    d: Dict[str, Any] = {
        "rule_id": m.id, "title": m.title, "severity": m.severity.value, "status": r.status.value,
        "message": r.message, "evidence": evidence_object(r.evidence),
        "remediation": m.remediation, "paths": list(r.paths), "tags": list(m.tags),
        "section": m.section, "findings": [_finding(f) for f in r.findings],
        "rule": meta_dict(m),
    }
    loc = r.location
    if loc is not None:
        d["location"] = _location(loc)
    return d


def node_dict(n: NodeInfo, with_settings: bool = True) -> Dict[str, Any]:
    d: Dict[str, Any] = {"name": n.name, "cluster": n.cluster, "cluster_source": n.cluster_source,
                         "keys": {"fingerprint": n.keys_fingerprint, "state": n.keys_state}}
    if with_settings:
        d["settings"] = dict(n.settings)
    return d


def _node_run_dict(n: NodeRun) -> Dict[str, Any]:
    return {**node_dict(n.info, with_settings=False), "target": n.target, "started_at": n.started_at,
            "nso_version": n.nso_version, "score": n.score,
            "statuses": {rule_id: st.value for rule_id, st in n.statuses}}


def report_dict(report: Report) -> Dict[str, Any]:
    s = report.summary
    results: List[Dict[str, Any]] = [result_dict(r) for r in report.results]
    extra: Dict[str, Any] = {}
    if report.node is not None:
        extra["node"] = node_dict(report.node)
    if report.nodes:
        extra["fleet"] = {"nodes": [_node_run_dict(n) for n in report.nodes]}
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
        "checklist": checklist_dicts(report.results),
        **extra,
        "results": results,
    }


def render(report: Report, options: Any = None) -> str:
    """Indented at the top, one line per result: diff-friendly and readable, while each
    result goes through json's C encoder (indent= forces the slow pure-Python one)."""
    doc = report_dict(report)
    results = doc.pop("results")
    # allow_nan=False: NaN/Infinity are not JSON; a value that could be one (a saved
    # report's duration) is checked when loaded, so this only fires on a bug.
    head = json.dumps(doc, indent=2, allow_nan=False)[:-2]          # drop the closing "\n}"
    body = ",\n    ".join(json.dumps(r, ensure_ascii=False, allow_nan=False) for r in results)
    return f'{head},\n  "results": [\n    {body}\n  ]\n}}\n' if results else f'{head},\n  "results": []\n}}\n'



# ---------------------------------------------------------------- loading

class _Reader:
    """Typed access to a parsed JSON report; every problem is an InputError naming `name`."""

    def __init__(self, name: str) -> None:
        self.name = name

    def fail(self, where: str, problem: str) -> InputError:
        return InputError(f"{self.name}: {where}: {problem}")

    def get(self, d: Any, key: str, where: str, typ: Any, default: Any = ...) -> Any:
        if not isinstance(d, Mapping):
            raise self.fail(where, "expected an object")
        if key not in d or d[key] is None:
            if default is ...:
                raise self.fail(where, f"missing {key!r}")
            return default
        v = d[key]
        if typ is float and isinstance(v, int) and not isinstance(v, bool):
            try:
                v = float(v)
            except OverflowError:
                raise self.fail(where, f"{key!r} is out of range") from None
        if not isinstance(v, typ) or (typ is int and isinstance(v, bool)):
            raise self.fail(where, f"{key!r} has the wrong type")
        if typ is str:
            return terminal_safe(v)    # a saved report is input: no raw controls to a terminal
        if typ is float and not math.isfinite(v):
            raise self.fail(where, f"{key!r} is not a finite number")
        return v

    def obj(self, v: Any, where: str) -> Mapping[str, Any]:
        if not isinstance(v, Mapping):
            raise self.fail(where, "expected an object")
        return v

    def strs(self, d: Any, key: str, where: str) -> tuple:
        v = self.get(d, key, where, list, [])
        if not all(isinstance(x, str) for x in v):
            raise self.fail(where, f"{key!r} must be a list of strings")
        return tuple(terminal_safe(x) for x in v)

    def enum(self, cls: Any, value: str, where: str) -> Any:
        try:
            return cls(value)
        except ValueError:
            raise self.fail(where, f"unknown {cls.__name__.lower()} {value!r}") from None


def _loc(rd: _Reader, d: Any, where: str) -> Optional[Location]:
    if not isinstance(d, Mapping) or d.get("location") is None:
        return None
    loc = d["location"]
    return Location(rd.get(loc, "file", where + ".location", str), rd.get(loc, "line", where + ".location", int, None))


def _meta(rd: _Reader, res: Mapping[str, Any], where: str) -> RuleMeta:
    # Reports written before the "rule" block existed still load: fall back to the
    # flat fields (rationale and the rest are then empty).
    m = res.get("rule") if isinstance(res.get("rule"), Mapping) else None
    src = m if m is not None else {"id": res.get("rule_id"), **res}
    w = where + (".rule" if m is not None else "")
    return RuleMeta(
        id=rd.get(src, "id", w, str), title=rd.get(src, "title", w, str),
        severity=rd.enum(Severity, rd.get(src, "severity", w, str), w),
        rationale=rd.get(src, "rationale", w, str, ""), remediation=rd.get(src, "remediation", w, str, ""),
        section=rd.get(src, "section", w, str, ""), paths=rd.strs(src, "paths", w) if m is not None else (),
        references=rd.strs(src, "references", w), tags=rd.strs(src, "tags", w),
        needs=rd.strs(src, "needs", w) if m is not None else ("ncs_conf",),
        reads=rd.strs(src, "reads", w) if m is not None and "reads" in src else (),
        versions=rd.strs(src, "versions", w) if m is not None else SUPPORTED_NSO_VERSIONS,
        example=rd.get(src, "example", w, str, ""), fix_example=rd.get(src, "fix_example", w, str, ""),
        manual=rd.get(src, "manual", w, str, ""),
        objects=rd.strs(src, "objects", w) if m is not None else ())


def _finding_from(rd: _Reader, d: Any, where: str) -> Finding:
    ev = rd.get(d, "evidence", where, dict, {})
    return Finding(status=rd.enum(Status, rd.get(d, "status", where, str), where),
                   message=rd.get(d, "message", where, str, ""),
                   evidence=tuple((str(k), str(v)) for k, v in ev.items()),
                   paths=rd.strs(d, "paths", where), object=rd.get(d, "object", where, str, None),
                   location=_loc(rd, d, where), waiver=rd.get(d, "waiver", where, str, None),
                   acceptance=rd.get(d, "acceptance", where, str, None))


def _node_info(rd: _Reader, d: Any, where: str) -> NodeInfo:
    keys = rd.get(d, "keys", where, dict, {})
    settings = rd.get(d, "settings", where, dict, {})
    if not all(isinstance(v, str) for v in settings.values()):
        raise rd.fail(where, "'settings' values must be strings")
    return NodeInfo(name=rd.get(d, "name", where, str), cluster=rd.get(d, "cluster", where, str, None),
                    cluster_source=rd.get(d, "cluster_source", where, str, ""),
                    keys_fingerprint=rd.get(keys, "fingerprint", where + ".keys", str, None),
                    keys_state=rd.get(keys, "state", where + ".keys", str, ""),
                    settings=tuple(sorted((terminal_safe(k), terminal_safe(v)) for k, v in settings.items())))


def _node_run(rd: _Reader, d: Any, where: str) -> NodeRun:
    statuses = rd.get(d, "statuses", where, dict)
    return NodeRun(info=_node_info(rd, d, where), target=rd.get(d, "target", where, str, ""),
                   started_at=rd.get(d, "started_at", where, str, ""),
                   nso_version=rd.get(d, "nso_version", where, str, ""),
                   score=rd.get(d, "score", where, float, 0.0),
                   statuses=tuple((str(k), rd.enum(Status, v if isinstance(v, str) else "", where + ".statuses"))
                                  for k, v in statuses.items()))


def report_from_dict(d: Any, name: str = "report") -> Report:
    """Rebuild a model.Report from `report_dict` output (a saved JSON report)."""
    rd = _Reader(name)
    if not isinstance(d, Mapping):
        raise InputError(f"{name}: not a secure-deploy JSON report (expected an object)")
    version = rd.get(d, "schema_version", "top level", str)
    if version.split(".")[0] not in READABLE_SCHEMA_MAJORS:
        raise InputError(f"{name}: report schema version {version} is not supported "
                         f"(this tool reads {', '.join(m + '.x' for m in READABLE_SCHEMA_MAJORS)})")
    results = []
    for i, res in enumerate(rd.get(d, "results", "top level", list)):
        where = f"results[{i}]"
        res = rd.obj(res, where)
        meta = _meta(rd, res, where)
        fs = tuple(_finding_from(rd, rd.obj(f, f"{where}.findings[{j}]"), f"{where}.findings[{j}]")
                   for j, f in enumerate(rd.get(res, "findings", where, list)))
        results.append(RuleResult(meta, rd.enum(Status, rd.get(res, "status", where, str), where),
                                  rd.get(res, "message", where, str, ""), fs))
    nv = rd.get(d, "nso_version", "top level", dict)
    tool = rd.get(d, "tool", "top level", dict, {})
    return Report(results=tuple(results),
                  nso_version=NsoVersionInfo(rd.get(nv, "assumed", "nso_version", str),
                                             rd.get(nv, "found", "nso_version", str, ""),
                                             rd.get(nv, "source", "nso_version", str, "")),
                  target=rd.get(d, "target", "top level", str, ""),
                  started_at=rd.get(d, "started_at", "top level", str),
                  duration_s=rd.get(d, "duration_s", "top level", float, 0.0),
                  tool_version=rd.get(tool, "version", "tool", str, ""),
                  notes=rd.strs(d, "notes", "top level"),
                  node=_node_info(rd, d["node"], "node") if d.get("node") is not None else None,
                  nodes=tuple(_node_run(rd, n, f"fleet.nodes[{i}]") for i, n in enumerate(
                      rd.get(rd.get(d, "fleet", "top level", dict, {}), "nodes", "fleet", list, []))))


def load_report(path: str) -> Report:
    """Read a saved JSON report; errors name the file and never echo its content."""
    data = read_input(path, "JSON report")
    assert data is not None
    try:
        doc = json.loads(data.decode("utf-8"), parse_constant=_no_constant)
    except json.JSONDecodeError as e:
        raise InputError(f"{printable(path)}: not a JSON report ({e.msg} at line {e.lineno})") from None
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        why = str(e) if type(e) is ValueError else type(e).__name__   # ours: names NaN/Infinity
        raise InputError(f"{printable(path)}: not a JSON report ({why})") from None
    return report_from_dict(doc, printable(path))


def _no_constant(name: str) -> Any:
    # NaN, Infinity and -Infinity are accepted by Python's json but are not JSON.
    raise ValueError(f"{name} is not valid JSON")
