"""The schema the double's datastore is checked against, built from YANG with pyang.

pyang already resolves groupings, augments, typedef chains, ranges and patterns; this
module flattens its statement tree into small `SNode`s (choices and cases disappear,
as they do in instance data, but each node keeps the case it belongs to: see
choice.py) and turns pyang's type specs into one `parse()` that either returns the
canonical value or raises `SchemaError`.
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

from pyang import context, repository, types as ptypes

from .choice import Case, Choice

DATA_KINDS = ("container", "list", "leaf", "leaf-list")
TOP_KINDS = DATA_KINDS + ("action", "rpc")

# pyang's pattern check (types.XSDPattern) writes each value into one lxml element
# shared by every pattern and validates that element: two threads checking values at
# once see each other's value. NSO's own type checks are thread-safe, so the double
# serializes pyang's instead of making tests of concurrent code work around it.
_PYANG_LOCK = threading.Lock()


class SchemaError(Exception):
    """A path, key or value that the YANG does not allow."""


@dataclass(frozen=True)
class Enum:
    """An enumeration value as maagic returns it: `.string`, `.value`, str() gives the name."""

    string: str
    value: int

    def __str__(self) -> str:
        return self.string

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Enum):
            return self.string == other.string
        if isinstance(other, str):
            return self.string == other
        if isinstance(other, int) and not isinstance(other, bool):
            return self.value == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.string)


class LeafType:
    """One leaf's type: `parse()` checks a value and gives its canonical Python form.

    Canonical forms (what the double stores and maagic returns): int for integer
    types, bool, Decimal for decimal64 (NSO's maagic gives a float-like value here;
    Decimal keeps the fraction digits exact), `Enum` for enumerations, str otherwise
    (unions are stored as the string that matched a member).
    """

    def __init__(self, type_stmt) -> None:
        self.stmt = type_stmt
        self.module = type_stmt.i_module
        self.spec = type_stmt.i_type_spec
        self.kind, self.root = self._classify(type_stmt)

    @staticmethod
    def _classify(type_stmt):
        spec = type_stmt.i_type_spec
        # leafref: the target's type decides (pyang sets i_target_node on the spec)
        target = getattr(spec, "i_target_node", None)
        if target is not None:
            return LeafType._classify(target.search_one("type"))
        root = spec
        while getattr(root, "base", None) is not None and not isinstance(root, ptypes.EnumTypeSpec):
            root = root.base
        if isinstance(spec, ptypes.UnionTypeSpec) or isinstance(root, ptypes.UnionTypeSpec):
            return "union", root
        if isinstance(root, ptypes.EnumTypeSpec) or isinstance(spec, ptypes.EnumTypeSpec):
            return "enum", root
        if isinstance(root, ptypes.IntTypeSpec):
            return "int", root
        if isinstance(root, ptypes.Decimal64TypeSpec):
            return "decimal64", root
        if isinstance(root, ptypes.BooleanTypeSpec):
            return "boolean", root
        if isinstance(root, ptypes.EmptyTypeSpec):
            return "empty", root
        return "string", root

    @property
    def enums(self) -> Tuple[Tuple[str, int], ...]:
        spec = self.spec
        while spec is not None and not isinstance(spec, ptypes.EnumTypeSpec):
            spec = getattr(spec, "base", None)
        return tuple(spec.enums) if spec is not None else ()

    def to_text(self, value: object) -> str:
        """The XML/CLI string of a Python value (before checking it)."""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, Enum):
            return value.string
        if isinstance(value, float):
            return repr(value)
        return str(value)

    def parse(self, value: object, where: str) -> object:
        if value is None:
            raise SchemaError(f"{where}: no value given")
        if self.kind == "enum" and isinstance(value, int) and not isinstance(value, bool):
            for name, num in self.enums:
                if num == value:
                    return Enum(name, num)
            raise SchemaError(f"{where}: {value} is not a value of the enumeration")
        if self.kind == "boolean" and not isinstance(value, (bool, str)):
            raise SchemaError(f"{where}: {value!r} is not a boolean")
        if self.kind == "int" and isinstance(value, (bool, float, Decimal)):
            raise SchemaError(f"{where}: {value!r} is not an integer")
        if self.kind == "empty":
            return True
        text = self.to_text(value)
        errors: list = []
        pos = self.stmt.pos
        with _PYANG_LOCK:
            val = self.spec.str_to_val(errors, pos, text, self.module)
            ok = val is not None and not errors and self.spec.validate(errors, pos, val, self.module) is not False
        if not ok:
            raise SchemaError(f"{where}: bad value {text!r} ({_first_error(errors)})")
        if self.kind == "int":
            return int(val)
        if self.kind == "boolean":
            return bool(val)
        if self.kind == "decimal64":
            return Decimal(str(val)).quantize(Decimal(1).scaleb(-self.root.fraction_digits))
        if self.kind == "enum":
            return Enum(text, dict(self.enums)[text])
        return text


def _first_error(errors: list) -> str:
    if not errors:
        return "does not match the type"
    _pos, tag, args = errors[0]
    return f"{tag}: {args[-1] if isinstance(args, tuple) else args}"


@dataclass(eq=False)
class SNode:
    name: str
    kind: str                       # container list leaf leaf-list action rpc input output
    module: str
    ns: str
    prefix: str
    config: bool
    parent: Optional["SNode"] = None
    presence: bool = False
    keys: Tuple[str, ...] = ()
    type: Optional[LeafType] = None
    default: Tuple[str, ...] = ()   # leaf: 0 or 1 values; leaf-list: any number
    mandatory: bool = False
    children: Dict[str, "SNode"] = field(default_factory=dict)
    actionpoint: Optional[str] = None
    case: Optional[Case] = None     # innermost case this node is in (choice.py)
    choices: List[Choice] = field(default_factory=list)  # choices directly below, nested too

    def child(self, name: str) -> "SNode":
        """A child by `name` or `prefix:name`; SchemaError when the YANG has none."""
        node = self.children.get(name)
        if node is None and ":" in name:
            prefix, local = name.split(":", 1)
            node = self.children.get(local)
            if node is not None and prefix not in (node.prefix, node.module):
                node = self.children.get(name)
        if node is None:
            raise SchemaError(f"{self.path or '/'}: no node {name!r} in the schema")
        return node

    def data_children(self) -> Iterator["SNode"]:
        return (c for c in self.children.values() if c.kind in DATA_KINDS)

    @property
    def path(self) -> str:
        parts = []
        node: Optional[SNode] = self
        while node is not None and node.kind != "root":
            parts.append(node.name)
            node = node.parent
        return "/" + "/".join(reversed(parts)) if parts else ""

    @property
    def in_action(self) -> bool:
        node: Optional[SNode] = self
        while node is not None:
            if node.kind in ("input", "output"):
                return True
            node = node.parent
        return False

    def parse_default(self) -> Tuple[object, ...]:
        return tuple(self.type.parse(d, self.path) for d in self.default) if self.type else ()


class Schema:
    """The union of the loaded modules' top-level nodes."""

    def __init__(self, root: SNode, modules: Dict[str, object]) -> None:
        self.root = root
        self.modules = modules  # module name -> pyang statement

    def ns_of(self, module: str) -> str:
        return self.modules[module].search_one("namespace").arg

    def find_schema(self, path: str) -> SNode:
        """A schema node by a key-less path such as /sd:secure-deploy/last-run/result."""
        node = self.root
        for part in [p for p in path.split("/") if p]:
            node = node.child(part.split("{", 1)[0])
        return node


def _config(stmt, parent_config: bool) -> bool:
    c = stmt.search_one("config")
    return parent_config and (c is None or c.arg == "true")


def _choice(stmt, parent: SNode, case: Optional[Case]) -> Iterable[SNode]:
    """The data nodes of a choice, each tagged with its case; the choice is recorded
    on `parent` (the data node its cases' nodes belong to)."""
    m = stmt.search_one("mandatory")
    d = stmt.search_one("default")
    config = _config(stmt, parent.config) if not parent.in_action else False
    choice = Choice(stmt.arg, m is not None and m.arg == "true", d.arg if d is not None else None,
                    config, case)
    parent.choices.append(choice)
    for cstmt in stmt.i_children:
        # pyang wraps a shorthand case (a data node directly in the choice) in a case
        name = cstmt.arg
        sub = Case(name, choice)
        choice.cases[name] = sub
        children = cstmt.i_children if cstmt.keyword == "case" else [cstmt]
        for ch in children:
            yield from _build(ch, parent, sub)


def _build(stmt, parent: SNode, case: Optional[Case] = None) -> Iterable[SNode]:
    kw = stmt.keyword
    if kw == "choice":
        yield from _choice(stmt, parent, case)
        return
    if kw not in TOP_KINDS + ("input", "output"):
        return
    mod = stmt.i_module
    if kw in ("action", "rpc", "input", "output"):
        config = False
    else:
        config = _config(stmt, parent.config) if not parent.in_action else False
    node = SNode(
        name=stmt.arg if kw not in ("input", "output") else kw,
        kind=kw, module=mod.arg, ns=mod.search_one("namespace").arg,
        prefix=mod.search_one("prefix").arg, config=config, parent=parent, case=case,
    )
    if case is not None:
        for c in case.chain():
            c.members.append(node)
    if kw == "container":
        node.presence = stmt.search_one("presence") is not None
    if kw == "list":
        key = stmt.search_one("key")
        node.keys = tuple(key.arg.split()) if key is not None else ()
    if kw in ("leaf", "leaf-list"):
        node.type = LeafType(stmt.search_one("type"))
        node.default = tuple(d.arg for d in stmt.search("default"))
        if not node.default and kw == "leaf":
            # typedef defaults apply too
            td = getattr(stmt.search_one("type"), "i_typedef", None)
            while td is not None and not node.default:
                node.default = tuple(d.arg for d in td.search("default"))
                td = getattr(td.search_one("type"), "i_typedef", None)
        m = stmt.search_one("mandatory")
        node.mandatory = m is not None and m.arg == "true"
    if kw in ("action", "rpc"):
        for sub in stmt.substmts:
            if isinstance(sub.keyword, tuple) and sub.keyword[1] == "actionpoint":
                node.actionpoint = sub.arg
    for ch in getattr(stmt, "i_children", []):
        for built in _build(ch, node):
            key = built.name
            if key in node.children and node.children[key].module != built.module:
                key = f"{built.prefix}:{built.name}"
            node.children[key] = built
    if kw in ("action", "rpc"):
        # actions always have input and output in the API, even if the YANG omits one
        for io in ("input", "output"):
            node.children.setdefault(io, SNode(io, io, node.module, node.ns, node.prefix, False, node))
    yield node


def load_schema(yang_files: Sequence[Path], search_path: Sequence[Path]) -> Schema:
    """Parse `yang_files` with pyang (imports found on `search_path`); errors are fatal."""
    repo = repository.FileRepository(os.pathsep.join(str(p) for p in search_path), use_env=False)
    ctx = context.Context(repo)
    ctx.strict = True
    mods = []
    for f in yang_files:
        text = Path(f).read_text()
        m = ctx.add_module(str(f), text)
        if m is None:
            raise SchemaError(f"pyang could not parse {f}")
        mods.append(m)
    ctx.validate()
    fatal = [(p, t, a) for (p, t, a) in ctx.errors
             if not _is_warning(t) and str(p.ref) in {str(f) for f in yang_files}]
    if fatal:
        raise SchemaError("YANG errors: " + "; ".join(f"{p}: {t} {a}" for p, t, a in fatal))
    root = SNode("", "root", "", "", "", True)
    for m in mods:
        for stmt in m.i_children:
            for built in _build(stmt, root):
                root.children[built.name] = built
    return Schema(root, {m.arg: m for m in mods})


def _is_warning(tag: str) -> bool:
    from pyang import error
    return error.is_warning(error.err_level(tag))


def first_key_leaf(node: SNode) -> List[SNode]:
    return [node.children[k] for k in node.keys]
