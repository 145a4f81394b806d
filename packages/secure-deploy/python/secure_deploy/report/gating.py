"""CI gates over a report: severity, minimum score, and "only new findings" baselines.

Exit-code contract of `secure-deploy audit` (docs/cli.md has the table):
0 every gate passed, 1 at least one gate failed, 2 usage or input error.

A finding is identified across runs by (rule id, object): the object is what a rule
reports about (a user, a device, a file) and is stable between runs; messages are
not (they carry actual values), so they are not part of the identity.
"""
from __future__ import annotations

from typing import FrozenSet, Optional, Tuple

from ..frozen import frozen
from ..model import Report, RuleResult, Severity, Status

# Statuses that fail a gate. WARN is a partial pass (score counts it half) and never
# fails a gate on its own; WAIVED is an accepted exception; ERROR means the audit
# could not look, which CI must not read as success.
GATING = (Status.FAIL, Status.ERROR)

FindingKey = Tuple[str, str]


def finding_keys(r: RuleResult, statuses: Tuple[Status, ...] = GATING) -> FrozenSet[FindingKey]:
    return frozenset((r.rule_id, f.object or "") for f in r.findings if f.status in statuses)


def failing_keys(report: Report) -> FrozenSet[FindingKey]:
    out: set = set()
    for r in report.results:
        out |= finding_keys(r)
    return frozenset(out)


@frozen
class GateResult:
    """The verdict of the CI gates: pass or not, and why, for the exit code and stderr."""

    passed: bool
    reasons: Tuple[str, ...]           # one line per failed gate, for stderr
    gated: Tuple[RuleResult, ...]      # the rules that tripped the severity gate

    @property
    def exit_code(self) -> int:
        return 0 if self.passed else 1


def evaluate_gates(report: Report, *, fail_on: Optional[Severity] = Severity.HIGH,
                   min_score: Optional[float] = None,
                   baseline: Optional[Report] = None) -> GateResult:
    """Apply the gates. With a baseline, the severity gate counts only new findings."""
    known = failing_keys(baseline) if baseline is not None else frozenset()
    gated = []
    if fail_on is not None:
        for r in report.results:
            if r.status not in GATING or r.meta.severity.rank < fail_on.rank:
                continue
            if baseline is not None and finding_keys(r) <= known:
                continue  # failing already in the baseline: not new
            gated.append(r)
    reasons = []
    if gated:
        ids = ", ".join(r.rule_id for r in gated[:8]) + (" ..." if len(gated) > 8 else "")
        new = "new " if baseline is not None else ""
        reasons.append(f"{len(gated)} {new}failing rule(s) at or above {fail_on.value if fail_on else ''}: {ids}")
    if min_score is not None and report.summary.score < min_score:
        reasons.append(f"score {report.summary.score} is below the minimum {min_score:g}")
    return GateResult(passed=not reasons, reasons=tuple(reasons), gated=tuple(gated))


__all__ = ["GateResult", "evaluate_gates", "failing_keys", "finding_keys", "GATING"]
