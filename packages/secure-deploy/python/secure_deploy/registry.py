"""The rule catalog: `@rule` builds a Rule, CHECK_MODULES lists where rules live.

No import-time registration: `@rule` only wraps a function into a Rule value; the
catalog is the Rule values found, in definition order, in the modules listed below.
"""
from __future__ import annotations

import importlib
import re
from functools import lru_cache
from types import ModuleType
from typing import Callable, Iterable, Optional, Sequence, Tuple

from .errors import UsageError
from .model import SUPPORTED_NSO_VERSIONS, Finding, Rule, RuleMeta, Severity
from .ruledocs import kinds_of

RULE_ID = re.compile(r"^SD-[A-Z]+-\d{3}$")

CHECK_MODULES: Tuple[str, ...] = (
    "install", "conf", "keys", "ssh", "auth", "interfaces", "ipc", "hashing", "limits",
    "ha", "root", "nacm", "southbound", "accounting", "fleet",
)


def rule(id: str, title: str, severity: Severity, rationale: str, remediation: str, section: str,
         *, paths: Iterable[str] = (), references: Iterable[str] = (), tags: Iterable[str] = (),
         needs: Iterable[str] = ("ncs_conf",), reads: Iterable[str] = (), versions: Iterable[str] = SUPPORTED_NSO_VERSIONS,
         example: str = "", fix_example: str = "", manual: str = "",
         objects: Iterable[str] = ()) -> Callable[[Callable[..., Sequence[Finding]]], Rule]:
    meta = RuleMeta(id=id, title=title, severity=severity, rationale=rationale.strip(),
                    remediation=remediation.strip(), section=section, paths=tuple(paths),
                    references=tuple(references), tags=tuple(tags), needs=tuple(needs),
                    reads=tuple(dict.fromkeys((*needs, *reads))),
                    versions=tuple(versions), example=example.strip("\n"),
                    fix_example=fix_example.strip("\n"), manual=" ".join(manual.split()),
                    objects=tuple(objects))
    kinds_of(meta.objects)     # a misspelt kind fails at import, not in a waiver check

    def wrap(fn: Callable[..., Sequence[Finding]]) -> Rule:
        return Rule(meta, fn)
    return wrap


def rules_in(module: ModuleType) -> Tuple[Rule, ...]:
    return tuple(v for v in vars(module).values() if isinstance(v, Rule))


@lru_cache(maxsize=1)
def all_rules() -> Tuple[Rule, ...]:
    out = []
    for name in CHECK_MODULES:
        try:
            mod = importlib.import_module(f"{__package__}.checks.{name}")
        except ModuleNotFoundError as e:
            if e.name == f"{__package__}.checks.{name}":
                continue  # topic not written yet
            raise
        out.extend(rules_in(mod))
    return tuple(out)


def get(rule_id: str, rules: Optional[Sequence[Rule]] = None) -> Rule:
    for r in rules if rules is not None else all_rules():
        if r.id == rule_id.upper():
            return r
    raise UsageError(f"unknown rule id {rule_id!r} (see `secure-deploy rules`)")


def select(rules: Sequence[Rule], ids: Iterable[str] = (), tags: Iterable[str] = (),
           skip: Iterable[str] = (), min_severity: Optional[Severity] = None) -> Tuple[Rule, ...]:
    """Rules matching any of `ids` or `tags` (all when both empty), minus `skip`.

    Unknown ids and tags are errors, not silent empty selections.
    """
    ids = [i.upper() for i in ids]
    tags = list(tags)
    skip = [s.upper() for s in skip]
    known = {r.id for r in rules}
    for i in ids + skip:
        if i not in known:
            raise UsageError(f"unknown rule id {i!r} (see `secure-deploy rules`)")
    known_tags = {t for r in rules for t in r.meta.tags}
    for t in tags:
        if t not in known_tags:
            raise UsageError(f"unknown tag {t!r} (known: {', '.join(sorted(known_tags))})")
    chosen = [r for r in rules
              if (not ids and not tags) or r.id in ids or set(tags) & set(r.meta.tags)]
    return tuple(r for r in chosen if r.id not in skip
                 and (min_severity is None or r.meta.severity.rank >= min_severity.rank))
