"""Static check: every `ncs`/`_ncs` use under secure_deploy/nso/ is in the manifest.

The code is read, not run (AST), and each use is checked against the manifest
(test/ncs_double/nso-api-manifest.json, from NSO's pyapi reference) for the kind of
object it is made on:

- module paths: `ncs.maapi.single_read_trans`, `_ncs.dp.action_seterr`,
  `ncs.OPERATIONAL` must be a function, class, constant or submodule of that module;
- calls of those: positional count and keyword names must fit the documented
  parameters;
- receivers: a name stands for an NSO object when it is bound from one
  (`with ncs.maapi.Maapi() as m`, `t = m.start_read_trans()`, `with
  ncs.maapi.single_write_trans(...) as t`, `s = ncs.maapi.Session(...)`) or, for
  parameters and attributes, by the package's naming convention (RECEIVER_NAMES:
  `t`/`trans` a Transaction, `m`/`maapi` a Maapi, `uinfo` a `_ncs.UserInfo`, `log`
  an `ncs.log.Log`). An attribute or method used on it must be a documented member,
  a call that object forwards to `_ncs.maapi`, or an attribute the pages document in
  prose (PROSE_ATTRIBUTES); calls are checked as above;
- subclasses of documented classes (`class Main(ncs.application.Application)`): an
  attribute of `self` that the package class does not define must be a member of
  the documented base.
maagic nodes (get_root/get_node results) are not checked: their attributes are the
YANG model's names.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Set, Tuple

from ncs_double import manifest

RECEIVER_NAMES = {"t": "ncs.maapi.Transaction", "trans": "ncs.maapi.Transaction",
                  "m": "ncs.maapi.Maapi", "maapi": "ncs.maapi.Maapi", "uinfo": "_ncs.UserInfo",
                  "log": "ncs.log.Log"}
# What a call returns, where the result is an NSO object the package uses further.
RETURNS = {"ncs.maapi.Maapi": "ncs.maapi.Maapi", "ncs.maapi.Session": "ncs.maapi.Session",
           "ncs.maapi.single_read_trans": "ncs.maapi.Transaction",
           "ncs.maapi.single_write_trans": "ncs.maapi.Transaction",
           "ncs.maapi.Maapi.start_read_trans": "ncs.maapi.Transaction",
           "ncs.maapi.Maapi.start_write_trans": "ncs.maapi.Transaction",
           "ncs.maapi.Maapi.start_trans": "ncs.maapi.Transaction",
           "ncs.maapi.Maapi.attach": "ncs.maapi.Transaction",
           "ncs.experimental.Query": "ncs.experimental.Query"}
# Attributes documented in prose rather than as members, with the page saying so.
PROSE_ATTRIBUTES = {
    "ncs.maapi.Transaction": {"maapi", "th"},           # ncs.maapi.md, Transaction: trans.maapi, trans.th
    "ncs.application.Application": {"log"},             # ncs.application.md example: self.log.debug(...)
    "ncs.dp.Action": {"log"},                           # ncs.dp.md, Action(daemon, actionpoint, log=...)
}


@dataclass(frozen=True)
class Finding:
    file: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.text}"


def _modules() -> Dict[str, Any]:
    return manifest.load()["modules"]


def _dotted(node: ast.AST) -> Optional[str]:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _split_module(path: str) -> Tuple[Optional[str], List[str]]:
    """('ncs.maapi', ['Maapi', 'x']) for 'ncs.maapi.Maapi.x': the longest module prefix."""
    parts = path.split(".")
    mods = _modules()
    for i in range(len(parts), 0, -1):
        if ".".join(parts[:i]) in mods:
            return ".".join(parts[:i]), parts[i:]
    return None, parts


def _members(cls: str) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    mod, name = cls.rsplit(".", 1)
    doc = _modules()[mod]["classes"][name]
    return doc["members"], manifest.load()["forwarded"].get(cls, {})


def _fits(params: Optional[Sequence[Dict[str, Any]]], call: ast.Call, optional: Set[str] = set()) -> Optional[str]:
    """None when the call fits the documented parameters, else what is wrong."""
    if params is None:
        return None
    if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        return None                                      # *args/**kw: cannot tell statically
    positional = [p for p in params if p["kind"] == "positional"]
    var_pos = any(p["kind"] == "var_positional" for p in params)
    var_kw = any(p["kind"] == "var_keyword" for p in params)
    if len(call.args) > len(positional) and not var_pos:
        return f"{len(call.args)} positional arguments, documented {[p['name'] for p in positional]}"
    names = {p["name"] for p in params if p["kind"] in ("positional", "keyword_only")}
    for k in call.keywords:
        if k.arg not in names and not var_kw:
            return f"keyword {k.arg!r} not documented ({sorted(names)})"
    given = {p["name"] for p in positional[:len(call.args)]} | {k.arg for k in call.keywords}
    missing = [p["name"] for p in params if p["kind"] in ("positional", "keyword_only")
               and "default" not in p and p["name"] not in given and p["name"] not in optional]
    if missing and not var_pos:
        return f"missing documented parameters {missing}"
    return None


class _Checker(ast.NodeVisitor):
    def __init__(self, file: str) -> None:
        self.file = file
        self.findings: List[Finding] = []
        self.types: List[Dict[str, str]] = [{}]
        self.self_bases: List[Optional[Tuple[str, Set[str]]]] = [None]
        self.pkg_classes: Dict[str, Tuple[str, Set[str]]] = {}

    # -- helpers ------------------------------------------------------------------
    def report(self, node: ast.AST, text: str) -> None:
        self.findings.append(Finding(self.file, getattr(node, "lineno", 0), text))

    def type_of(self, node: ast.AST) -> Optional[str]:
        if isinstance(node, ast.Name):
            for scope in reversed(self.types):
                if node.id in scope:
                    return scope[node.id] or None
            return RECEIVER_NAMES.get(node.id)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
            return RECEIVER_NAMES.get(node.attr) if node.attr in ("maapi", "log") else None
        if isinstance(node, ast.Attribute):
            owner = self.type_of(node.value)
            if owner == "ncs.maapi.Transaction" and node.attr == "maapi":
                return "ncs.maapi.Maapi"
        if isinstance(node, ast.Call):
            return self.returns(node)
        return None

    def returns(self, call: ast.Call) -> Optional[str]:
        path = _dotted(call.func)
        if path and path.split(".")[0] in ("ncs", "_ncs"):
            return RETURNS.get(path)
        if isinstance(call.func, ast.Attribute):
            owner = self.type_of(call.func.value)
            if owner:
                return RETURNS.get(f"{owner}.{call.func.attr}")
        return None

    def bind(self, target: ast.AST, typ: Optional[str]) -> None:
        # A name bound to something else is not an NSO object, whatever its name says
        # ("" shadows RECEIVER_NAMES).
        if isinstance(target, ast.Name):
            self.types[-1][target.id] = typ or ""
        elif isinstance(target, (ast.Tuple, ast.List)):
            for elt in target.elts:
                self.bind(elt, None)

    # -- scopes -------------------------------------------------------------------
    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self.types.append({})
        self.generic_visit(node)
        self.types.pop()

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        base: Optional[str] = None
        own = {n.name for n in node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
        for n in ast.walk(node):          # attributes the class assigns itself
            if isinstance(n, ast.Attribute) and isinstance(n.ctx, ast.Store) and _dotted(n.value) == "self":
                own.add(n.attr)
        for b in node.bases:
            path = _dotted(b)
            if path in self.pkg_classes:                  # a package subclass of one
                base, inherited = self.pkg_classes[path]
                own |= inherited
            elif path and path.split(".")[0] in ("ncs", "_ncs"):
                mod, rest = _split_module(path)
                if mod and len(rest) == 1 and rest[0] in _modules()[mod]["classes"]:
                    base = f"{mod}.{rest[0]}"
        if base:
            self.pkg_classes[node.name] = (base, own)
        self.self_bases.append((base, own) if base else None)
        self.types.append({})
        self.generic_visit(node)
        self.types.pop()
        self.self_bases.pop()

    # -- bindings -----------------------------------------------------------------
    def visit_Assign(self, node: ast.Assign) -> None:
        self.generic_visit(node)
        typ = self.type_of(node.value)
        for t in node.targets:
            self.bind(t, typ)

    def visit_For(self, node: ast.For) -> None:
        self.visit(node.iter)
        self.bind(node.target, None)
        for stmt in node.body + node.orelse:
            self.visit(stmt)

    def visit_comprehension(self, node: ast.comprehension) -> None:
        self.visit(node.iter)
        self.bind(node.target, None)
        for cond in node.ifs:
            self.visit(cond)

    def visit_With(self, node: ast.With) -> None:
        for item in node.items:
            self.visit(item.context_expr)
            if item.optional_vars is not None:
                self.bind(item.optional_vars, self.type_of(item.context_expr))
        for stmt in node.body:
            self.visit(stmt)

    # -- uses ---------------------------------------------------------------------
    def visit_Attribute(self, node: ast.Attribute) -> None:
        path = _dotted(node)
        if path and path.split(".")[0] in ("ncs", "_ncs"):
            self.check_module_path(node, path)
            return
        if isinstance(node.value, ast.Name) and node.value.id == "self" and self.self_bases[-1]:
            base, own = self.self_bases[-1]
            if node.attr not in own and not node.attr.startswith("__"):
                self.check_member(node, base, node.attr)
        else:
            owner = self.type_of(node.value)
            if owner:
                self.check_member(node, owner, node.attr)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        path = _dotted(node.func)
        if path and path.split(".")[0] in ("ncs", "_ncs"):
            mod, rest = _split_module(path)
            if mod and len(rest) == 1:
                doc = _modules()[mod]
                if rest[0] in doc["functions"]:
                    self.check_call(node, path, doc["functions"][rest[0]]["params"])
                elif rest[0] in doc["classes"]:
                    self.check_call(node, path, doc["classes"][rest[0]]["init"])
        elif isinstance(node.func, ast.Attribute):
            owner = self.type_of(node.func.value)
            if owner:
                members, forwarded = _members(owner)
                m = members.get(node.func.attr)
                params = m.get("params") if m else (forwarded.get(node.func.attr) or {}).get("params")
                if params is not None:
                    self.check_call(node, f"{owner}.{node.func.attr}", params)
        self.generic_visit(node)

    def check_call(self, node: ast.Call, what: str, params: Optional[Sequence[Dict[str, Any]]]) -> None:
        wrong = _fits(params, node, set(manifest.OPTIONAL_IN_PROSE.get(what, ())))
        if wrong:
            self.report(node, f"{what}(): {wrong}")

    def check_module_path(self, node: ast.AST, path: str) -> None:
        mod, rest = _split_module(path)
        if mod is None:
            self.report(node, f"{path}: no such module in NSO's reference")
            return
        if not rest:
            return
        doc = _modules()[mod]
        head = rest[0]
        if head in doc["functions"] or head in doc["constants"] or f"{mod}.{head}" in doc["submodules"]:
            if len(rest) > 1 and head not in doc["classes"]:
                self.report(node, f"{path}: {mod}.{head} has no attribute {rest[1]!r} in the reference")
            return
        if head in doc["classes"]:
            if len(rest) > 1:
                self.check_member(node, f"{mod}.{head}", rest[1])
            return
        self.report(node, f"{path}: {mod} has no {head!r} in NSO's reference")

    def check_member(self, node: ast.AST, cls: str, attr: str) -> None:
        members, forwarded = _members(cls)
        if attr in members or attr in forwarded or attr in PROSE_ATTRIBUTES.get(cls, ()):
            return
        self.report(node, f"{cls}.{attr}: not in NSO's reference for that class")


def check_source(source: str, file: str = "<string>") -> List[Finding]:
    checker = _Checker(file)
    checker.visit(ast.parse(source))
    return checker.findings


def check_tree(root: Path) -> List[Finding]:
    out: List[Finding] = []
    for path in sorted(root.rglob("*.py")):
        out += check_source(path.read_text(encoding="utf-8"), str(path.relative_to(root.parent)))
    return out

