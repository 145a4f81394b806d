"""Waivers: an accepted, justified, expiring exception to one rule (optionally one object).

A waived finding keeps showing in every report with status WAIVED and the
justification; the rule's verdict is recomputed from its findings. Waivers expire:
an expired waiver no longer applies and the report says so, one expiring within
EXPIRY_WARNING_DAYS is flagged. The clock is always the caller's (`today`), never
read here, so expiry is testable and an NSO action and the CLI agree.

File format (TOML or JSON; see docs/waivers.md):

    [[waiver]]
    rule = "SD-IF-001"
    object = "admin"               # optional: only the finding about this object
    justification = "..."          # required
    approved-by = "..."            # optional (recommended)
    created = 2026-01-10           # optional
    expires = 2026-06-30           # required: last day the waiver applies
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import re
from typing import Any, Iterable, List, Mapping, Optional, Sequence, Tuple

from ..errors import InputError
from ..fileio import read_input
from ..redact import printable
from ..frozen import frozen
from ..model import Report, RuleMeta, RuleResult, Status
from ..ruledocs import kinds_of, matching_kind

EXPIRY_WARNING_DAYS = 14
RULE_ID = re.compile(r"^SD-[A-Z]+-\d{3}$")
# Only a rule's negative verdicts can be waived. ERROR ("could not read") is never
# waivable: waiving it would hide that the audit did not look.
WAIVABLE = (Status.FAIL, Status.WARN)
_KEYS = {"rule", "object", "justification", "approved-by", "created", "expires"}


@frozen
class Waiver:
    """An accepted failure of one rule (optionally one object) until an expiry date."""

    rule: str
    justification: str
    expires: _dt.date                  # last day on which the waiver applies
    approved_by: str = ""
    created: Optional[_dt.date] = None
    object: Optional[str] = None       # None: every finding of the rule

    @property
    def label(self) -> str:
        return f"{self.rule} ({self.object})" if self.object else self.rule

    def days_left(self, today: _dt.date) -> int:
        return (self.expires - today).days

    def expired(self, today: _dt.date) -> bool:
        return today > self.expires

    def matches(self, rule_id: str, obj: Optional[str]) -> bool:
        return self.rule == rule_id and (self.object is None or self.object == obj)


# ---------------------------------------------------------------- parsing

def _date(value: Any, where: str, key: str) -> _dt.date:
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            # A date, or a full ISO 8601 date-time (NSO's yang:date-and-time); nothing else.
            if len(text) == 10:
                return _dt.date.fromisoformat(text)
            return _dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
        except ValueError:
            pass
    raise InputError(f"{where}: {key} must be a date YYYY-MM-DD, got {str(value)[:40]!r}")


def _text(value: Any, where: str, key: str, required: bool) -> str:
    if value is None:
        if required:
            raise InputError(f"{where}: {key} is required")
        return ""
    if not isinstance(value, str):
        raise InputError(f"{where}: {key} must be a string")
    if required and not value.strip():
        raise InputError(f"{where}: {key} must not be empty")
    return value.strip()


def waiver_from_mapping(entry: Mapping[str, Any], where: str) -> Waiver:
    """One waiver from a file entry or an NSO configuration list entry."""
    if not isinstance(entry, Mapping):
        raise InputError(f"{where}: a waiver must be a table/object")
    norm: dict = {}
    for k, v in entry.items():
        key = str(k).replace("_", "-")
        if key in norm:
            # approved_by and approved-by both given: which one is meant is a guess.
            raise InputError(f"{where}: field {printable(key)} given twice "
                             f"(as {' and '.join(repr(printable(x)) for x in entry if str(x).replace('_', '-') == key)})")
        norm[key] = v
    unknown = sorted(set(norm) - _KEYS)
    if unknown:
        # A typo ("expire", "justfication") must not silently drop a required field.
        raise InputError(f"{where}: unknown field(s) {', '.join(unknown)} "
                         f"(expected: {', '.join(sorted(_KEYS))})")
    rule_id = _text(norm.get("rule"), where, "rule", True).upper()
    if not RULE_ID.match(rule_id):
        raise InputError(f"{where}: rule {rule_id!r} is not a rule id like SD-AUTH-001")
    if norm.get("expires") is None:
        raise InputError(f"{where}: expires is required (waivers must expire)")
    expires = _date(norm["expires"], where, "expires")
    created = _date(norm["created"], where, "created") if norm.get("created") is not None else None
    if created is not None and created > expires:
        raise InputError(f"{where}: created {created} is after expires {expires}")
    if "object" in norm and isinstance(norm["object"], str) and not norm["object"].strip():
        # Blank is not "every object": it would read as a narrowed waiver that waives the
        # whole rule (or, compared literally, nothing). Omit `object` for the whole rule.
        raise InputError(f"{where}: object is blank (omit it to waive every finding of the rule)")
    obj = _text(norm.get("object"), where, "object", False) or None
    if obj is None and norm.get("object") is not None:
        # `object = " "` must not silently widen the waiver to every object of the rule.
        raise InputError(f"{where}: object is blank; leave it out to waive the whole rule")
    return Waiver(rule=rule_id, justification=_text(norm.get("justification"), where, "justification", True),
                  expires=expires, approved_by=_text(norm.get("approved-by"), where, "approved-by", False),
                  created=created, object=obj)


def _load_toml(data: bytes, name: str) -> Any:
    try:
        import tomllib as toml  # Python 3.11+
    except ModuleNotFoundError:  # pragma: no cover - exercised on 3.10 only
        try:
            import tomli as toml  # type: ignore[no-redef]
        except ModuleNotFoundError:
            raise InputError(f"{name}: TOML waiver files need Python 3.11 or the 'tomli' package; "
                             "install tomli or write the waivers as JSON") from None
    try:
        return toml.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError(f"{name}: not UTF-8 text") from None
    except toml.TOMLDecodeError as e:
        raise InputError(f"{name}: invalid TOML: {e}") from None
    except RecursionError:
        raise InputError(f"{name}: invalid TOML: nested too deeply") from None


def _load_json(data: bytes, name: str) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise InputError(f"{name}: invalid JSON: {e}") from None


def parse_waivers(data: bytes, name: str) -> Tuple[Waiver, ...]:
    """Waivers from JSON (*.json, or content starting with '{') or TOML (anything else).

    Content starting with '[' is ambiguous ('[[waiver]]' is TOML, '[{...}]' JSON): it
    is tried as JSON first and read as TOML when that fails.
    """
    head = data.lstrip()[:1]
    lower = name.lower()
    doc: Any
    if lower.endswith(".json") or (head == b"{" and not lower.endswith(".toml")):
        doc = _load_json(data, name)
    elif head == b"[" and not lower.endswith(".toml"):
        try:
            doc = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            doc = _load_toml(data, name)
    else:
        doc = _load_toml(data, name)
    if isinstance(doc, Mapping):
        extra = sorted(set(doc) - {"waiver", "waivers"})
        if extra:
            raise InputError(f"{name}: unknown top-level key(s) {', '.join(extra)} (expected 'waiver')")
        entries = doc.get("waiver", doc.get("waivers", []))
    else:
        entries = doc
    if not isinstance(entries, list):
        raise InputError(f"{name}: 'waiver' must be a list of waivers")
    out = tuple(waiver_from_mapping(e, f"{name}: waiver {i + 1}") for i, e in enumerate(entries))
    seen = set()
    for i, w in enumerate(out):
        key = (w.rule, w.object)
        if key in seen:
            raise InputError(f"{name}: waiver {i + 1}: {w.label} is waived twice")
        seen.add(key)
    return out


def load_waivers(path: str) -> Tuple[Waiver, ...]:
    data = read_input(path, "waiver file")
    assert data is not None
    return parse_waivers(data, path)


def waiver_dict(w: Waiver) -> dict:
    d = {"rule": w.rule, "justification": w.justification, "approved-by": w.approved_by,
         "created": w.created.isoformat() if w.created else None, "expires": w.expires.isoformat(),
         "object": w.object}
    return {k: v for k, v in d.items() if v not in (None, "")}


# ---------------------------------------------------------------- applying

def _recompute(r: RuleResult, findings: Sequence) -> RuleResult:
    from ..engine import _summarize_message  # the engine's own wording for a verdict
    status = max((f.status for f in findings), key=lambda s: s.badness)
    return dataclasses.replace(r, status=status, message=_summarize_message(status, findings),
                               findings=tuple(findings))


def waive_results(results: Sequence[RuleResult], waivers: Sequence[Waiver],
                  today: _dt.date, nodes: Sequence[str] = ()) -> Tuple[Tuple[RuleResult, ...], Tuple[str, ...]]:
    """Results with waivable findings covered by a live waiver turned WAIVED, plus notes."""
    live = [w for w in waivers if not w.expired(today)]
    used: set = set()
    out: List[RuleResult] = []
    for r in results:
        changed = False
        fs = []
        for f in r.findings:
            w = next((w for w in live if f.status in WAIVABLE and w.matches(r.rule_id, f.object)), None)
            if w is None:
                fs.append(f)
                continue
            used.add(w)
            changed = True
            fs.append(dataclasses.replace(f, status=Status.WAIVED, waiver=w.justification))
        out.append(_recompute(r, fs) if changed else r)
    metas = {r.rule_id: r.meta for r in results}
    return tuple(out), tuple(waiver_notes(waivers, today, used, set(metas), metas, nodes))


def waiver_notes(waivers: Sequence[Waiver], today: _dt.date, used: Iterable[Waiver] = (),
                 evaluated: Optional[Iterable[str]] = None, metas: Optional[Mapping[str, RuleMeta]] = None,
                 nodes: Sequence[str] = ()) -> List[str]:
    used = set(used)
    evaluated = set(evaluated) if evaluated is not None else None
    notes = []
    for w in waivers:
        who = f", approved by {w.approved_by}" if w.approved_by else ""
        if w.expired(today):
            notes.append(f"waiver for {w.label} expired on {w.expires.isoformat()}: it no longer applies")
            continue
        left = w.days_left(today)
        if w in used:
            notes.append(f"waiver for {w.label} applied (until {w.expires.isoformat()}{who})")
        elif evaluated is None or w.rule in evaluated:
            never = object_problem(w, (metas or {}).get(w.rule), nodes)
            notes.append(f"waiver for {w.label} can never match: {never}" if never else
                         f"waiver for {w.label} matched no failing finding: consider removing it")
        if left <= EXPIRY_WARNING_DAYS:
            when = "today" if left == 0 else f"in {left} day{'s' if left != 1 else ''}"
            notes.append(f"waiver for {w.label} expires {when} ({w.expires.isoformat()})")
    return notes


def object_problem(w: Waiver, meta: Optional[RuleMeta], nodes: Sequence[str] = ()) -> Optional[str]:
    """Why `w`'s object can never match a finding of its rule, or None.

    `nodes`: fleet node names; a merged fleet report prefixes objects with the node
    ("n1: admin", or just "n1" for a rule without objects).
    """
    if w.object is None or meta is None:
        return None
    obj = w.object
    for node in nodes:
        if obj == node:
            return None
        if obj.startswith(node + ": "):
            obj = obj[len(node) + 2:]
            break
    if not meta.objects:
        return f"{meta.id}'s findings carry no object: omit `object` to waive the rule"
    if matching_kind(obj, meta.objects) is None:
        kinds = "; ".join(f"{k.name} (e.g. {k.example!r})" for k in kinds_of(meta.objects))
        return f"object {obj!r} is not one of {meta.id}'s object kinds: {kinds}"
    return None


def waiver_source_note(path: str, count: int) -> str:
    """The report's note naming the waiver file a run read (an auto-found file included)."""
    return f"waivers read from {path} ({count} waiver{'s' if count != 1 else ''})"


def to_date(now: Any) -> _dt.date:
    """The caller's clock as a date: a date, a datetime or an ISO 8601 string."""
    if isinstance(now, _dt.datetime):
        return now.date()
    if isinstance(now, _dt.date):
        return now
    return _dt.date.fromisoformat(str(now)[:10])


def apply_waivers(report: Report, waivers: Sequence[Waiver], now: Any) -> Report:
    """The report with waivers applied and their notes added. `now`: the caller's clock."""
    if not waivers:
        return report
    # A merged fleet report's objects carry the node ("n1", "n1: admin").
    nodes = tuple(n.info.name for n in report.nodes)
    results, notes = waive_results(report.results, waivers, to_date(now), nodes)
    return dataclasses.replace(report, results=results, notes=tuple(report.notes) + notes)


__all__ = ["Waiver", "parse_waivers", "load_waivers", "waiver_from_mapping", "apply_waivers",
           "waive_results", "waiver_notes", "waiver_dict", "to_date", "waiver_source_note", "object_problem", "EXPIRY_WARNING_DAYS"]
