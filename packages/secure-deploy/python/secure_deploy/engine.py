"""Run rules over facts: each rule isolated, its findings folded into one verdict."""
from __future__ import annotations

import time
from typing import TYPE_CHECKING, Callable, Optional, Sequence, Tuple

from . import __version__
from .model import Finding, Report, Rule, RuleResult, Status, finding

if TYPE_CHECKING:  # the engine only reads attributes of Facts; the core never imports facts/ at run time
    from .facts.types import Facts

TOOL_VERSION = __version__
_MAX_MESSAGE_OBJECTS = 5


def _summarize_message(status: Status, findings: Sequence[Finding]) -> str:
    deciding = [f for f in findings if f.status is status]
    if not deciding:
        return ""
    if len(deciding) == 1:
        return deciding[0].message
    objs = [f.object for f in deciding if f.object]
    if len(objs) == len(deciding):
        shown = ", ".join(objs[:_MAX_MESSAGE_OBJECTS])
        more = f" and {len(objs) - _MAX_MESSAGE_OBJECTS} more" if len(objs) > _MAX_MESSAGE_OBJECTS else ""
        return f"{len(objs)} objects: {shown}{more}: {deciding[0].message}"
    return "; ".join(dict.fromkeys(f.message for f in deciding))


def evaluate(rule: Rule, facts: Facts) -> RuleResult:
    """One rule's verdict. A rule that raises gives ERROR for itself only."""
    meta = rule.meta
    if facts.version.version not in meta.versions:
        fs: Tuple[Finding, ...] = (finding(Status.NOT_APPLICABLE,
                                           f"does not apply to NSO {facts.version.version}"),)
    else:
        fs = _missing_sources(rule, facts)
        if not fs:
            try:
                fs = tuple(rule.check(facts))
            except Exception as e:  # noqa: BLE001 - isolation is the point
                fs = (finding(Status.ERROR, f"rule crashed: {type(e).__name__}: {e}"),)
            if not fs:
                fs = (finding(Status.ERROR, "rule returned no verdict"),)
    status = max((f.status for f in fs), key=lambda s: s.badness)
    return RuleResult(meta, status, _summarize_message(status, fs), fs)


def _missing_sources(rule: Rule, facts: Facts) -> Tuple[Finding, ...]:
    for source in rule.meta.needs:
        err = facts.error(source)
        if err:
            return (finding(Status.ERROR, f"could not read {source.replace('_', '.')}: {err}"),)
        if getattr(facts, source) is None:
            what = {"ncs_conf": "no ncs.conf given", "host": "host not inspected",
                    "keys": "no keys file found", "cdb": "no CDB data given (use --cdb-xml)",
                    "fleet": "one node audited: cross-node rules need several "
                             "(audit --node, or secure-deploy fleet)"}[source]
            return (finding(Status.NOT_APPLICABLE, what),)
    return ()


def run(facts: Facts, rules: Sequence[Rule], *, target: str = "",
        started_at: Optional[str] = None, clock: Callable[[], float] = time.perf_counter,
        post: Optional[Callable[[Tuple[RuleResult, ...]], Tuple[RuleResult, ...]]] = None) -> Report:
    """Evaluate `rules` over `facts`. `post` lets callers transform results (waivers)."""
    t0 = clock()
    results = tuple(evaluate(r, facts) for r in rules)
    if post is not None:
        results = post(results)
    notes = tuple(f"{src}: {msg}" for src, msg in facts.errors)
    return Report(results=results, nso_version=facts.version, target=target,
                  started_at=started_at or facts.now, duration_s=round(clock() - t0, 4),
                  tool_version=TOOL_VERSION, notes=notes)
