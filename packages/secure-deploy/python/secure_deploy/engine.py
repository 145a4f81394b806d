"""Run rules over facts: each rule isolated, its findings folded into one verdict."""
from __future__ import annotations

import dataclasses
import time
from typing import TYPE_CHECKING, Callable, Optional, Sequence, Tuple

from . import __version__
from .errors import ConfValueError
from .model import Finding, NsoVersionInfo, Report, Rule, RuleResult, Status, finding

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
    """One rule's verdict. A rule that raises gives ERROR for itself only.

    With the NSO release unknown, an absent ncs.conf element could mean the default of
    any supported release, and the defaults differ (host-key algorithms, crypt-hash,
    match-host-name, local IPC). The rule is then judged under each release it applies
    to and the strictest verdict wins, naming the releases where it holds.
    """
    if facts.version.unknown:
        return _any_release(rule, facts)
    return _evaluate(rule, facts)


def _for_release(facts: Facts, version: str) -> Facts:
    conf = facts.ncs_conf
    return dataclasses.replace(
        facts, version=NsoVersionInfo(version, facts.version.full, facts.version.source),
        ncs_conf=dataclasses.replace(conf, version=version) if conf is not None else None)


def _any_release(rule: Rule, facts: Facts) -> RuleResult:
    per = [(v, _evaluate(rule, _for_release(facts, v))) for v in rule.meta.versions]
    statuses = {r.status for _, r in per}
    if len(statuses) == 1:
        return per[0][1]
    worst = max(statuses, key=lambda s: s.badness)
    where = ", ".join(v for v, r in per if r.status is worst)
    others = "; ".join(f"{s.value.upper()} on NSO {', '.join(v for v, r in per if r.status is s)}"
                       for s in sorted(statuses - {worst}, key=lambda s: -s.badness))
    note = f" [NSO release unknown: {worst.value.upper()} on NSO {where}; {others}; give --nso-version]"
    first = next(r for _, r in per if r.status is worst)
    fs = tuple(dataclasses.replace(f, message=f.message + note,
                                   evidence=f.evidence + (("nso_releases", where),))
               if f.status is worst else f for f in first.findings)
    return RuleResult(first.meta, worst, _summarize_message(worst, fs), fs)


def _evaluate(rule: Rule, facts: Facts) -> RuleResult:
    meta = rule.meta
    if facts.version.version not in meta.versions:
        fs: Tuple[Finding, ...] = (finding(Status.NOT_APPLICABLE,
                                           f"does not apply to NSO {facts.version.version}"),)
    else:
        fs = _missing_sources(rule, facts)
        if not fs:
            try:
                fs = tuple(rule.check(facts))
            except ConfValueError as e:
                # A value the rule reads cannot be judged: ERROR naming it, never a guess.
                fs = (finding(Status.ERROR, f"cannot judge ncs.conf: {e}"),)
            except Exception as e:  # noqa: BLE001 - isolation is the point
                fs = (finding(Status.ERROR, f"rule crashed: {type(e).__name__}: {e}"),)
            if not fs:
                fs = (finding(Status.ERROR, "rule returned no verdict"),)
    status = max((f.status for f in fs), key=lambda s: s.badness)
    return RuleResult(meta, status, _summarize_message(status, fs), fs)


MISSING_SOURCE = {"ncs_conf": "no ncs.conf given", "host": "host not inspected",
                  "keys": "keys file not inspected", "cdb": "no CDB data given (use --cdb-xml)",
                  "fleet": "one node audited: cross-node rules need several (audit --node, or secure-deploy fleet)"}


def _missing_sources(rule: Rule, facts: Facts) -> Tuple[Finding, ...]:
    for source in rule.meta.needs:
        err = facts.error(source)
        if err:
            return (finding(Status.ERROR, f"could not read {source.replace('_', '.')}: {err}"),)
        if getattr(facts, source) is None:
            what = MISSING_SOURCE[source]
            if rule.meta.manual:
                # The guidance item still applies: say what a person has to check.
                return (finding(Status.MANUAL, f"{what}: {rule.meta.manual}"),)
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
