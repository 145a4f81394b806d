"""The small XPath subset the double's query_start understands.

Location paths of names (prefix optional) with predicates `[leaf='value']`,
`[leaf="value"]`, `[leaf]` (exists; an empty leaf-list does not) and `[not(leaf)]`; select expressions are
relative paths to leaves (`name`, `a/b`) or `.`. Anything else raises an error, so a
test notices when production code relies on XPath the double cannot check.
"""
from __future__ import annotations

import re
from typing import Any, List, Optional, Sequence, Tuple

from . import lowlevel as _ncs
from .schema import SchemaError
from .tree import NotFound, Step, Tree, iter_entries, keypath

_STEP = re.compile(r"""([A-Za-z_][\w.:-]*)((?:\[[^\]]*\])*)""")
_PRED = re.compile(r"""\[\s*(not\(\s*([\w.:/-]+)\s*\)|([\w.:/-]+)\s*(?:=\s*(?:'([^']*)'|"([^"]*)"))?)\s*\]""")

Instance = Tuple[List[Step], dict]


def _split(expr: str) -> List[str]:
    parts, depth, buf = [], 0, []
    for ch in expr.strip():
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        if ch == "/" and depth == 0:
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
    parts.append("".join(buf))
    return [p for p in parts if p]


def _unsupported(expr: str) -> NotImplementedError:
    # Not an NSO error: code that degrades on NSO's errors must not swallow the
    # double's own limits, so a test notices XPath the double cannot check.
    return NotImplementedError(f"XPath not supported by the NSO double: {expr!r}")


def _xpath_error(msg: str) -> _ncs.Error:
    # NSO rejects an XPath expression naming a node its schema lacks with ERR_XPATH
    # (pyapi/_ncs.md), where a keypath gets ERR_BADPATH.
    return _ncs.Error(_ncs.ERR_XPATH, f"XPath error: {msg}")


def _leaf_value(tree: Tree, steps: List[Step], rel: str) -> Optional[object]:
    node = steps[-1][0]
    path = list(steps)
    for name in rel.split("/"):
        child = node.child(name)
        path.append((child, None))
        node = child
    try:
        value = tree.get(path)
    except NotFound:
        return None
    # An empty leaf-list has no instances: in XPath it selects no node, so `[ll]` is
    # false and `[not(ll)]` true, as in NSO.
    return None if isinstance(value, list) and not value else value


def _matches(tree: Tree, steps: List[Step], preds: str, expr: str) -> bool:
    try:
        return _matches_all(tree, steps, preds, expr)
    except SchemaError as exc:      # a predicate names a node the schema lacks
        raise _xpath_error(str(exc)) from None


def _matches_all(tree: Tree, steps: List[Step], preds: str, expr: str) -> bool:
    pos = 0
    while pos < len(preds):
        m = _PRED.match(preds, pos)
        if m is None:
            raise _unsupported(expr)
        pos = m.end()
        if m.group(2):                      # not(leaf)
            if _leaf_value(tree, steps, m.group(2)) is not None:
                return False
            continue
        value = _leaf_value(tree, steps, m.group(3))
        want = m.group(4) if m.group(4) is not None else m.group(5)
        if want is None:
            if value is None:
                return False
        elif value is None or _text(steps, m.group(3), value) != want:
            return False
    return True


def _text(steps: List[Step], rel: str, value: object) -> str:
    node = steps[-1][0]
    for name in rel.split("/"):
        node = node.child(name)
    if isinstance(value, list):
        return " ".join(node.type.to_text(v) for v in value)
    return node.type.to_text(value)


def _instances(tree: Tree, expr: str) -> List[List[Step]]:
    if not expr.startswith("/"):
        raise _unsupported(expr)
    current: List[List[Step]] = [[]]
    node = tree.root
    for part in _split(expr):
        m = _STEP.fullmatch(part.strip())
        if m is None:
            raise _unsupported(expr)
        name, preds = m.group(1), m.group(2)
        try:
            node = node.child(name)
        except SchemaError as exc:
            raise _xpath_error(str(exc)) from None
        nxt: List[List[Step]] = []
        for steps in current:
            if node.kind == "list":
                for keys, _entry in iter_entries(tree, steps + [(node, None)]):
                    cand = steps + [(node, keys)]
                    if _matches(tree, cand, preds, expr):
                        nxt.append(cand)
            else:
                cand = steps + [(node, None)]
                if tree.exists(cand) and (not preds or _matches(tree, cand, preds, expr)):
                    nxt.append(cand)
        current = nxt
    return current


def evaluate(tree: Tree, expr: str, context_node: str, select: Sequence[str], result_as: int) -> List[list]:
    rows: List[list] = []
    for steps in _instances(tree, expr):
        row: List[Any] = []
        for sel in select or ["."]:
            if sel.strip() == ".":
                kp, value = keypath(steps), None
                if steps[-1][0].kind == "leaf":
                    value = tree.get(steps)
            else:
                try:
                    value = _leaf_value(tree, steps, sel.strip())
                except SchemaError as exc:
                    raise _xpath_error(str(exc)) from None
                kp = keypath(steps) + "/" + sel.strip()
            if result_as == _ncs.QUERY_STRING:
                row.append(None if value is None else (
                    _text(steps, sel, value) if sel.strip() != "." else str(value)))
            elif result_as == _ncs.QUERY_HKEYPATH:
                row.append(kp)
            elif result_as == _ncs.QUERY_HKEYPATH_VALUE:
                row.append((kp, None if value is None else _ncs.Value(value)))
            else:
                tag = sel.strip().split("/")[-1].split(":")[-1]
                row.append(_ncs.TagValue(None, _ncs.Value(value), tag, None))
        rows.append(row)
    return rows
