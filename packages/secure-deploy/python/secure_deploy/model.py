"""The domain model: severities, statuses, rule metadata, findings and reports.

Everything here is immutable plain data so it can cross threads (NSO runs action
callbacks in threads) and be compared in tests.
"""
from __future__ import annotations

import enum
from dataclasses import field
from typing import Callable, Iterable, Mapping, Optional, Sequence, Tuple

from .frozen import frozen
from .redact import scrub, terminal_safe

# 1.1: optional "node" (per-node) and "fleet" (merged) blocks.
# 2.0: `evidence` is a name -> value object everywhere (1.x had a list of name/value
# pairs at result level); status `accepted`. Reports of 1.x still load.
SCHEMA_VERSION = "2.0"
READABLE_SCHEMA_MAJORS = ("1", "2")
SUPPORTED_NSO_VERSIONS: Tuple[str, ...] = ("6.4", "6.5", "6.6", "6.7")
# NsoVersionInfo.source when no release was given or found.
VERSION_UNKNOWN = "assumed"


class Severity(enum.Enum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is more severe; used for --fail-on and sorting."""
        return _SEVERITY_RANK[self]

    @property
    def weight(self) -> int:
        """Score weight: one critical rule weighs as much as ten low ones."""
        return _SEVERITY_WEIGHT[self]

    @classmethod
    def parse(cls, text: str) -> "Severity":
        try:
            return cls(text.strip().lower())
        except ValueError:
            names = ", ".join(s.value for s in cls)
            raise ValueError(f"unknown severity {text!r} (expected one of: {names})") from None


_SEVERITY_RANK = {Severity.CRITICAL: 4, Severity.HIGH: 3, Severity.MEDIUM: 2, Severity.LOW: 1, Severity.INFO: 0}
_SEVERITY_WEIGHT = {Severity.CRITICAL: 10, Severity.HIGH: 5, Severity.MEDIUM: 3, Severity.LOW: 1, Severity.INFO: 0}


class Status(enum.Enum):
    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    NOT_APPLICABLE = "not-applicable"
    MANUAL = "manual"
    ERROR = "error"
    WAIVED = "waived"
    # An exposure the operator declared intended (an interface enabled on purpose,
    # with a reason and an approver): never PASS, never gating, always shown.
    ACCEPTED = "accepted"

    @property
    def badness(self) -> int:
        """Order used to pick a rule's overall status from its findings."""
        return _STATUS_BADNESS[self]


_STATUS_BADNESS = {
    Status.NOT_APPLICABLE: 0,
    Status.PASS: 1,
    Status.ACCEPTED: 2,
    Status.WAIVED: 3,
    Status.MANUAL: 4,
    Status.WARN: 5,
    Status.FAIL: 6,
    Status.ERROR: 7,
}
# Accepted risks: count as fixed in `score`, as failing in `score_without_waivers`.
EXCEPTED = (Status.WAIVED, Status.ACCEPTED)

# Where the facts a rule needs come from; the engine answers NOT_APPLICABLE or ERROR
# for a rule whose source was not collected or failed, without calling it. "fleet" is
# the per-node facts of several nodes (cross-node rules; see secure_deploy/fleet/).
SOURCES = ("ncs_conf", "host", "keys", "cdb", "fleet")


@frozen
class RuleMeta:
    """A rule's documentation: what it checks, why, how to fix, where the guidance says so."""

    id: str
    title: str
    severity: Severity
    rationale: str
    remediation: str
    section: str                       # section of the Secure Deployment guidance
    paths: Tuple[str, ...] = ()        # /ncs-config/... or CDB paths the rule evaluates
    references: Tuple[str, ...] = ()   # ncs.conf(5), NSO guide pages, CIS/NIST
    tags: Tuple[str, ...] = ()
    needs: Tuple[str, ...] = ("ncs_conf",)   # sources that must be present (else N/A)
    reads: Tuple[str, ...] = ()              # also read when present; documentation only
    versions: Tuple[str, ...] = SUPPORTED_NSO_VERSIONS
    example: str = ""                  # a failing example, shown by `explain`
    fix_example: str = ""              # the same, fixed
    # What a person checks when a source the rule needs was not given (the guidance
    # item still applies): the engine then answers MANUAL with this, not NOT_APPLICABLE.
    manual: str = ""
    objects: Tuple[str, ...] = ()      # object kinds its findings carry (ruledocs.KINDS); () = none


@frozen
class Location:
    """A file and line that a finding points at."""

    file: str
    line: Optional[int] = None

    def __post_init__(self) -> None:
        # File names come from the command line or a saved report: never raw to a terminal.
        object.__setattr__(self, "file", terminal_safe(self.file))


@frozen
class Finding:
    """One verdict of one rule, optionally about one object (a user, a device, a file).

    Evidence values are scrubbed on construction: a check that slips a key or a hash
    into its evidence still cannot leak it.
    """

    status: Status
    message: str
    evidence: Tuple[Tuple[str, str], ...] = ()
    paths: Tuple[str, ...] = ()
    object: Optional[str] = None
    location: Optional[Location] = None
    waiver: Optional[str] = None       # why a WAIVED finding is waived
    acceptance: Optional[str] = None   # why an ACCEPTED finding is accepted, and by whom

    def __post_init__(self) -> None:
        # Scrubbed (secrets) and made safe for a terminal (controls, undecodable names).
        object.__setattr__(self, "message", terminal_safe(scrub(self.message)))
        object.__setattr__(self, "evidence", tuple((terminal_safe(k), terminal_safe(scrub(str(v))))
                                                   for k, v in self.evidence))
        if self.object is not None:
            object.__setattr__(self, "object", terminal_safe(scrub(self.object)))
        if self.waiver is not None:
            object.__setattr__(self, "waiver", terminal_safe(scrub(self.waiver)))

    @property
    def evidence_map(self) -> Mapping[str, str]:
        return dict(self.evidence)


def finding(status: Status, message: str, *, paths: Iterable[str] = (), obj: Optional[str] = None,
            location: Optional[Location] = None, **evidence: object) -> Finding:
    """Convenience constructor: evidence as keyword arguments (None values dropped)."""
    ev = tuple((k, str(v)) for k, v in evidence.items() if v is not None)
    return Finding(status, message, ev, tuple(paths), obj, location)


@frozen
class Rule:
    """A rule: its metadata and the pure function that checks it."""

    meta: RuleMeta
    check: Callable[..., Sequence[Finding]] = field(compare=False, repr=False)

    @property
    def id(self) -> str:
        return self.meta.id


@frozen
class RuleResult:
    """A rule's overall verdict: the worst of its findings."""

    meta: RuleMeta
    status: Status
    message: str
    findings: Tuple[Finding, ...]

    @property
    def rule_id(self) -> str:
        return self.meta.id

    @property
    def paths(self) -> Tuple[str, ...]:
        seen: dict = {p: None for p in self.meta.paths}
        for f in self.findings:
            for p in f.paths:
                seen.setdefault(p, None)
        return tuple(seen)

    @property
    def evidence(self) -> Tuple[Tuple[str, str], ...]:
        """Evidence of the findings that decided the status (all of them if one)."""
        deciding = [f for f in self.findings if f.status is self.status] or list(self.findings)
        out = []
        for f in deciding:
            prefix = f"{f.object}: " if f.object and len(deciding) > 1 else ""
            out.extend((prefix + k, v) for k, v in f.evidence)
        return tuple(out)

    @property
    def location(self) -> Optional[Location]:
        for f in self.findings:
            if f.location is not None and f.status is self.status:
                return f.location
        return None


@frozen
class NsoVersionInfo:
    """The NSO release assumed for defaults, and where that came from."""

    version: str      # "6.4" (major.minor used for defaults)
    full: str         # as found, e.g. "6.4.1.2"
    source: str       # "--nso-version", "$NCS_DIR/VERSION", "runtime", "assumed"

    @property
    def unknown(self) -> bool:
        """No release was given or found: every supported release's defaults may apply."""
        return self.source == VERSION_UNKNOWN

    @property
    def statement(self) -> str:
        if self.unknown:
            return (f"NSO version unknown: an absent element is judged by the strictest of the defaults of "
                    f"NSO {', '.join(SUPPORTED_NSO_VERSIONS)} (give --nso-version)")
        if self.source == "per node":   # a fleet report over nodes of several releases
            return f"defaults of each node's NSO release assumed: {self.full}"
        return f"defaults of NSO {self.version} assumed (version {self.full} from {self.source})"


@frozen
class NodeInfo:
    """What cross-node rules need from one node, carried in its JSON report.

    Never a secret: the keys file is reduced to its one-way fingerprint
    (facts/keyfile.file_fingerprint) and the settings are ncs.conf leaves other
    than /encrypted-strings, so a per-node report can leave its node and be merged
    with the others (`secure-deploy fleet`).
    """

    name: str
    cluster: Optional[str] = None        # HA cluster the node belongs to, if any
    cluster_source: str = ""             # "--cluster" or the ncs.conf leaf it came from
    keys_fingerprint: Optional[str] = None  # of the whole keys file; None: not read
    keys_state: str = ""                 # "external file", "inline in ncs.conf", "absent", ...
    settings: Tuple[Tuple[str, str], ...] = ()  # (ncs.conf path, effective value), sorted


@frozen
class NodeRun:
    """One node of a merged fleet report: what was audited there and each rule's verdict."""

    info: NodeInfo
    target: str
    started_at: str
    nso_version: str
    score: float
    statuses: Tuple[Tuple[str, Status], ...]   # (rule id, status on this node)

    def status(self, rule_id: str) -> Optional[Status]:
        return dict(self.statuses).get(rule_id)


@frozen
class Summary:
    """Counts per status and failing severity, and the score with and without waivers."""

    total: int
    by_status: Tuple[Tuple[str, int], ...]
    failed_by_severity: Tuple[Tuple[str, int], ...]
    score: float                # waived and accepted findings count as fixed
    score_without_waivers: float  # waived and accepted findings count as failing


@frozen
class Report:
    """One audit: every rule's result, the NSO release assumed, and the run's metadata."""

    results: Tuple[RuleResult, ...]
    nso_version: NsoVersionInfo
    target: str                      # what was audited (file paths or "NSO runtime")
    started_at: str                  # ISO 8601, supplied by the caller's clock
    duration_s: float = 0.0
    tool_version: str = ""
    notes: Tuple[str, ...] = ()      # source errors, expired waivers, ...
    node: Optional[NodeInfo] = None  # a per-node report: the node and its cross-node facts
    nodes: Tuple[NodeRun, ...] = ()  # a merged fleet report: every node's verdicts

    def __post_init__(self) -> None:
        object.__setattr__(self, "target", terminal_safe(self.target))
        object.__setattr__(self, "notes", tuple(terminal_safe(scrub(n)) for n in self.notes))

    @property
    def summary(self) -> Summary:
        return summarize(self.results)

    def failing(self, at_least: Severity = Severity.INFO) -> Tuple[RuleResult, ...]:
        return tuple(r for r in self.results
                     if r.status in (Status.FAIL, Status.ERROR) and r.meta.severity.rank >= at_least.rank)


def _score(results: Sequence[RuleResult], waived_counts_as_pass: bool) -> float:
    total = 0.0
    got = 0.0
    for r in results:
        w = r.meta.severity.weight
        if r.status in (Status.NOT_APPLICABLE, Status.MANUAL, Status.ERROR) or w == 0:
            continue
        total += w
        if r.status is Status.PASS or (r.status in EXCEPTED and waived_counts_as_pass):
            got += w
        elif r.status is Status.WARN:
            got += w / 2
    return round(100.0 * got / total, 1) if total else 100.0


def summarize(results: Sequence[RuleResult]) -> Summary:
    by_status = {s.value: 0 for s in Status}
    failed = {s.value: 0 for s in Severity}
    for r in results:
        by_status[r.status.value] += 1
        if r.status is Status.FAIL:
            failed[r.meta.severity.value] += 1
    return Summary(
        total=len(results),
        by_status=tuple(by_status.items()),
        failed_by_severity=tuple(failed.items()),
        score=_score(results, True),
        score_without_waivers=_score(results, False),
    )
