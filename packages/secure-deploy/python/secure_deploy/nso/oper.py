"""Report <-> /secure-deploy operational data (last-run, history, catalog).

Writers take the maagic root of an OPERATIONAL write transaction; the caller
applies it, so a run's result, its history entry, the history trimming and the
catalog land in CDB together or not at all.

Each run is kept twice over, for two readers. Operators read the per-rule results
of the last run as YANG leaves (`show secure-deploy last-run`) and the summaries of
earlier runs in /secure-deploy/history. The `report` action renders any stored run
(last run or history) in any format, so every run also keeps its complete JSON
report (`report-json`, render/json_report.py): the per-finding split, rule metadata
and ncs.conf file:line locations survive, which the YANG leaves cannot carry. The
JSON is compact (about 100 KB for a full run) and goes with its history entry when
history is trimmed. A last run stored by an older package version has no JSON: it
is rebuilt from the leaves (`report_from_oper`), without file:line locations.
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import uuid
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from ..alarms import notification
from ..errors import InputError, UsageError
from ..model import (Finding, NsoVersionInfo, Report, Rule, RuleMeta, RuleResult, Severity, Status)
from ..report.json_report import evidence_object, report_dict, report_from_dict
from .values import text

LAST_RUN = "/secure-deploy/last-run"
HISTORY = "/secure-deploy/history/run"
# NSO keeps operational data in memory: history-size allows 1,000 runs, and a full
# report is ~100 KB, so the reports kept in history are bounded in bytes as well
# (the newest runs keep theirs; the summaries of all kept runs stay).
HISTORY_JSON_BUDGET = 8_000_000
CATALOG = "/secure-deploy/catalog/rule"
FAILING = (Status.FAIL,)
PASSING = (Status.PASS,)
# The status-counts leaves as maagic attribute names.
COUNT_LEAVES = tuple((leaf.replace("-", "_"), status) for leaf, status in notification.COUNT_LEAVES)


def new_run_id(now: _dt.datetime) -> str:
    """Sortable by time (history trimming relies on it) and unique across threads."""
    now = now.astimezone(_dt.timezone.utc)
    return f"{now:%Y%m%dT%H%M%S}.{now.microsecond:06d}Z-{uuid.uuid4().hex[:6]}"


def _unique(values: Iterable[str]) -> List[str]:
    # leaf-lists cannot hold the same value twice
    return list(dict.fromkeys(v for v in values if v is not None))


def changes(previous: Optional[Mapping[str, str]], current: Sequence[RuleResult]) -> Tuple[List[str], List[str]]:
    """Rule ids newly failing / newly passing compared with the previous run's statuses.

    Literal reading of the YANG: "failing now that did not fail in the previous
    run", "passing now that did not pass". A rule the previous run did not
    evaluate (first run, or another selection) did not fail nor pass there.
    """
    prev = previous or {}
    newly_failing = [r.rule_id for r in current
                     if r.status in FAILING and prev.get(r.rule_id) not in {s.value for s in FAILING}]
    newly_passing = [r.rule_id for r in current
                     if r.status in PASSING and prev.get(r.rule_id) not in {s.value for s in PASSING}]
    return newly_failing, newly_passing


def _fill_summary(node: Any, report: Report) -> None:
    by_status = dict(report.summary.by_status)
    for leaf, status in COUNT_LEAVES:
        setattr(node.counts, leaf, len(report.results) if status is None else by_status.get(status.value, 0))
    for sev, n in report.summary.failed_by_severity:
        setattr(node.failed_by_severity, sev, n)


def previous_statuses(t: Any) -> Optional[Dict[str, str]]:
    """rule-id -> status of the run now in last-run, None when there is none."""
    from .cdb_facts import query
    if not t.exists(f"{LAST_RUN}/run-id"):
        return None
    return {str(rid): str(st) for rid, st in query(t, f"{LAST_RUN}/result", ["rule-id", "status"])}


def report_json(report: Report) -> str:
    """The stored form of a run: the JSON report, compact. The report is already
    redacted (the facts layer keeps no secrets), so this holds none either."""
    return json.dumps(report_dict(report), separators=(",", ":"), ensure_ascii=False)


def write_last_run(root: Any, t: Any, report: Report, run_id: str, user: str) -> None:
    lr = root.secure_deploy.last_run
    if t.num_instances(f"{LAST_RUN}/result") > 0:
        t.delete(f"{LAST_RUN}/result")
    if t.exists(f"{LAST_RUN}/note"):
        t.delete(f"{LAST_RUN}/note")
    s = report.summary
    lr.run_id = run_id
    lr.start_time = report.started_at
    lr.duration = round(report.duration_s, 3)
    lr.user = user
    lr.tool_version = report.tool_version
    lr.nso_version = report.nso_version.full or report.nso_version.version
    lr.version_source = report.nso_version.source
    lr.score = s.score
    lr.score_without_waivers = s.score_without_waivers
    _fill_summary(lr, report)
    notes = _unique(report.notes)
    if notes:
        lr.note = notes
    lr.report_json = report_json(report)
    for r in report.results:
        e = lr.result.create(r.rule_id)
        e.title = r.meta.title
        e.severity = r.meta.severity.value
        e.status = r.status.value
        e.message = r.message
        e.remediation = r.meta.remediation
        paths = _unique(r.paths)
        if paths:
            e.paths = paths
        for key, value in evidence_object(r.evidence).items():
            e.evidence.create(key).value = value


def write_history(root: Any, t: Any, report: Report, run_id: str, user: str, size: int,
                  newly_failing: Sequence[str], newly_passing: Sequence[str],
                  previous_score: Optional[float] = None, json_budget: Optional[int] = None) -> List[str]:
    """Add this run and trim to `size` runs (oldest first out). Returns dropped ids.
    `previous_score`: the score of the run before, for the drift (score-change).
    The full reports kept are bounded by `json_budget` bytes too (see HISTORY_JSON_BUDGET)."""
    from .cdb_facts import query
    hist = root.secure_deploy.history.run
    budget = HISTORY_JSON_BUDGET if json_budget is None else json_budget
    doc = report_json(report) if size > 0 else ""
    if size > 0:
        h = hist.create(run_id)
        h.time = report.started_at
        h.user = user
        h.score = report.summary.score
        if previous_score is not None:
            h.score_change = round(report.summary.score - previous_score, 1)
        _fill_summary(h, report)
        if newly_failing:
            h.newly_failing = _unique(newly_failing)
        if newly_passing:
            h.newly_passing = _unique(newly_passing)
        h.report_json = doc
        h.report_json_bytes = len(doc.encode("utf-8"))
    rows = query(t, HISTORY, ["run-id", "time", "report-json-bytes"])
    sizes = {str(rid): int(n) if n else 0 for rid, _tm, n in rows}
    runs = sorted((str(tm or ""), str(rid)) for rid, tm, _n in rows)
    if size > 0 and run_id not in {rid for _, rid in runs}:
        # NSO may not show the transaction's own new entry to a query (UNVERIFIED)
        runs = sorted(runs + [(report.started_at, run_id)])
    if size > 0:
        sizes[run_id] = len(doc.encode("utf-8"))
    keep = [rid for _, rid in runs[-size:]] if size > 0 else []
    drop = [rid for _, rid in runs if rid not in set(keep)]
    for rid in drop:
        del hist[rid]
    # Newest first, the reports fit in the budget; older ones lose their report-json
    # (the summary stays). The newest run keeps its report whatever its size.
    total = 0
    for i, rid in enumerate(reversed(keep)):
        total += sizes.get(rid, 0)
        if i > 0 and total > budget and sizes.get(rid, 0) > 0:
            e = hist[rid]
            del e.report_json
            del e.report_json_bytes
            sizes[rid] = 0
    return drop


def catalog_ids(t: Any) -> List[str]:
    from .cdb_facts import query
    return [str(r[0]) for r in query(t, CATALOG, ["id"])]


def write_catalog(root: Any, t: Any, rules: Sequence[Rule]) -> None:
    """Replace the catalog with `rules` (their metadata, no code)."""
    if t.num_instances(CATALOG) > 0:
        t.delete(CATALOG)
    cat = root.secure_deploy.catalog.rule
    for rule in rules:
        m = rule.meta
        e = cat.create(m.id)
        e.title, e.severity, e.section = m.title, m.severity.value, m.section
        e.rationale, e.remediation = m.rationale, m.remediation
        for leaf, values in (("tags", m.tags), ("references", m.references), ("paths", m.paths)):
            vals = _unique(values)
            if vals:
                setattr(e, leaf, vals)


# ---------------------------------------------------------------- reading back

def _str(v: Any) -> str:
    return text(v) or ""


LIST_AT_MOST = 10     # run ids named in an "unknown run id" error


def stored_report(root: Any, run_id: Optional[str], rules: Sequence[Rule]) -> Report:
    """Run `run_id` (None: the last run) as a model.Report, from its stored JSON.

    UsageError when nothing is stored, or the run is unknown (the message lists the
    stored runs, newest first), or a history entry has no JSON (older package).
    """
    lr = root.secure_deploy.last_run
    last = None if lr.run_id is None else str(lr.run_id)
    if last is None:
        raise UsageError("no audit run is stored yet: run `secure-deploy audit` first")
    if run_id is None or run_id == last:
        doc = lr.report_json
        if doc is None:        # stored by a package version that kept no JSON
            return report_from_oper(root, rules)
        return _from_json(str(doc), last)
    hist = root.secure_deploy.history.run
    if run_id not in hist:
        raise UsageError(f"unknown run id {run_id!r}; stored runs: {_stored_ids(root, last)}")
    doc = hist[run_id].report_json
    if doc is None:
        raise UsageError(f"run {run_id} is stored without its full report (dropped to bound the "
                         f"history's size, or stored by an older package version); "
                         f"`show secure-deploy history run {run_id}` has its summary")
    return _from_json(str(doc), run_id)


def _stored_ids(root: Any, last: str) -> str:
    ids = sorted({str(h.run_id) for h in root.secure_deploy.history.run} | {last}, reverse=True)
    more = len(ids) - LIST_AT_MOST
    shown = ", ".join(ids[:LIST_AT_MOST])
    return shown + (f" and {more} older (see `show secure-deploy history`)" if more > 0 else "")


def _from_json(text: str, run_id: str) -> Report:
    name = f"stored report of run {run_id}"
    try:
        doc = json.loads(text)
    except ValueError as e:
        raise InputError(f"{name}: not valid JSON ({type(e).__name__} at {getattr(e, 'pos', '?')})") from None
    report = report_from_dict(doc, name)
    # The run id is not part of the JSON report; the rendered report names it.
    return dataclasses.replace(report, target=f"{report.target} (run {run_id})")


def report_from_oper(root: Any, rules: Sequence[Rule]) -> Report:
    """The last run rebuilt from its YANG leaves (no per-finding split, no file:line):
    only for a last run stored by a package version that kept no JSON."""
    lr = root.secure_deploy.last_run
    last = lr.run_id
    metas = {r.id: r.meta for r in rules}
    results = []
    for e in lr.result:
        rid = str(e.rule_id)
        sev = Severity(_str(e.severity))
        status = Status(_str(e.status))
        meta = metas.get(rid) or RuleMeta(id=rid, title=_str(e.title), severity=sev, rationale="",
                                          remediation=_str(e.remediation), section="")
        # Severity and title as stored: the rule may have changed since the run.
        if meta.severity is not sev or meta.title != _str(e.title):
            meta = dataclasses.replace(meta, severity=sev, title=_str(e.title))
        evidence = tuple((str(ev.name), _str(ev.value)) for ev in e.evidence)
        f = Finding(status, _str(e.message), evidence, tuple(str(p) for p in e.paths.as_list()))
        results.append(RuleResult(meta, status, _str(e.message), (f,)))
    version = NsoVersionInfo(_major_minor(_str(lr.nso_version)), _str(lr.nso_version), _str(lr.version_source))
    return Report(results=tuple(results), nso_version=version, target=f"NSO runtime (run {last})",
                  started_at=_str(lr.start_time), duration_s=float(lr.duration or 0.0),
                  tool_version=_str(lr.tool_version), notes=tuple(str(n) for n in lr.note.as_list()))


def _major_minor(full: str) -> str:
    parts = full.split(".")
    return ".".join(parts[:2]) if len(parts) >= 2 else full
