"""YANG choice/case semantics on the double's instance data (RFC 7950 7.9).

Choices and cases are not data nodes: the nodes of a case sit directly in the parent
data node, so schema.py flattens them and tags each data node with the innermost
`Case` it belongs to. This module applies the rules NSO applies to them:

- a case is active when any of its data nodes exists;
- writing a node of one case (set, create, XML merge) deletes the nodes of the
  choice's other cases, as NETCONF/MAAPI writes do in NSO (RFC 7950 7.9: "at most
  one of the choice's branches exists");
- a mandatory node inside a case is required only while that case is active, and a
  mandatory choice needs one active case (RFC 7950 7.6.5, 7.9.4);
- defaults under a case apply only when that case is active, or when it is the
  choice's default case and no case is active (RFC 7950 7.9.3).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, Iterator, List, Optional


@dataclass(eq=False)
class Choice:
    name: str
    mandatory: bool
    default: Optional[str]          # name of the default case
    config: bool
    case: Optional["Case"] = None   # the case this choice is nested in
    cases: Dict[str, "Case"] = field(default_factory=dict)


@dataclass(eq=False)
class Case:
    name: str
    choice: Choice
    members: List[Any] = field(default_factory=list)  # SNodes, those of nested choices included

    def chain(self) -> Iterator["Case"]:
        """This case, then the cases it is nested in (innermost first)."""
        case: Optional[Case] = self
        while case is not None:
            yield case
            case = case.choice.case


def data_key(node: Any) -> str:
    """The key of `node` in its parent's data dict (prefixed when names collide)."""
    parent = node.parent
    if parent is not None and parent.children.get(node.name) is not node:
        return f"{node.prefix}:{node.name}"
    return node.name


def present(node: Any, data: dict) -> bool:
    """Whether `node` has an instance in `data` (the parent's dict).

    A non-presence container exists only when something below it does (its dict
    may be there empty: the double creates it on the way down).
    """
    key = data_key(node)
    if key not in data:
        return False
    if node.kind in ("list", "leaf-list"):
        return bool(data[key])
    if node.kind == "container" and not node.presence:
        return any(present(ch, data[key]) for ch in node.data_children())
    return True


def case_active(case: Case, data: dict) -> bool:
    return any(present(m, data) for m in case.members)


def choose(node: Any, data: dict) -> None:
    """`node` is being written in `data`: drop the other cases of every choice it is in."""
    if node.case is None:
        return
    for case in node.case.chain():
        for other in case.choice.cases.values():
            if other is not case:
                for m in other.members:
                    data.pop(data_key(m), None)


def default_applies(node: Any, data: dict) -> bool:
    """Whether `node`'s YANG default is in use (it is unset in `data`)."""
    if node.case is None:
        return True
    for case in node.case.chain():
        if case_active(case, data):
            continue
        choice = case.choice
        if choice.default == case.name and not any(case_active(c, data) for c in choice.cases.values()):
            continue
        return False
    return True


def in_force(node: Any, data: dict) -> bool:
    """Whether the constraints (mandatory) of a node inside a case apply in `data`."""
    return node.case is None or case_active(node.case, data)


def missing(snode: Any, data: dict, *, config_only: bool) -> List[str]:
    """Mandatory leaves and mandatory choices missing directly below `snode`."""
    out = []
    for ch in snode.data_children():
        if config_only and not ch.config:
            continue
        if ch.kind == "leaf" and ch.mandatory and data_key(ch) not in data and in_force(ch, data):
            out.append(ch.name)
    for choice in snode.choices:
        if not choice.mandatory or (config_only and not choice.config):
            continue
        if choice.case is not None and not case_active(choice.case, data):
            continue
        if not any(case_active(c, data) for c in choice.cases.values()):
            out.append(f"choice {choice.name}")
    return out


def check_exclusive(nodes: Iterable[Any], where: str) -> None:
    """One XML element gave nodes of two cases of the same choice: reject it, as
    NSO does when loading such data (yanglint rejects it too)."""
    chosen: Dict[int, Case] = {}
    for node in nodes:
        if node.case is None:
            continue
        for case in node.case.chain():
            prev = chosen.setdefault(id(case.choice), case)
            if prev is not case:
                from .schema import SchemaError
                raise SchemaError(f"{where}: nodes of cases {prev.name!r} and {case.name!r} of "
                                  f"choice {case.choice.name!r} given together")
