"""Instance data checked against the schema: keypaths, reads, writes, XML in and out.

A data node is a dict keyed like `SNode.children`; a list is a dict from key tuple
to entry dict (insertion ordered, as CDB keeps user order only for ordered-by user
lists; the double keeps insertion order for all), a leaf-list is a Python list, a
leaf holds its canonical value (see schema.LeafType). Non-presence containers exist
implicitly; presence containers exist when their dict is present. Nodes of a YANG
choice follow choice.py (one case at a time; mandatory only in the active case).
"""
from __future__ import annotations

import copy
from typing import Iterator, List, Optional, Sequence, Tuple

from lxml import etree

from . import choice
from .schema import Enum, SchemaError, SNode

Step = Tuple[SNode, Optional[Tuple[object, ...]]]   # node, list keys (None otherwise)


class NotFound(Exception):
    """An instance (list entry, presence container, leaf value) that does not exist."""


def split_keypath(path: str) -> List[Tuple[str, Optional[List[str]]]]:
    """`/a:b/c{k1 "k 2"}/d` -> [('a:b', None), ('c', ['k1', 'k 2']), ('d', None)]."""
    if not path.startswith("/"):
        raise SchemaError(f"{path!r}: keypaths are absolute")
    out: List[Tuple[str, Optional[List[str]]]] = []
    i, n = 1, len(path)
    while i < n:
        j = i
        while j < n and path[j] not in "/{":
            j += 1
        name = path[i:j]
        keys: Optional[List[str]] = None
        if j < n and path[j] == "{":
            keys, j = _parse_keys(path, j + 1)
        if not name:
            raise SchemaError(f"{path!r}: empty path element")
        out.append((name, keys))
        if j < n and path[j] != "/":
            raise SchemaError(f"{path!r}: junk after keys at {j}")
        i = j + 1
    return out


def _parse_keys(path: str, i: int) -> Tuple[List[str], int]:
    keys: List[str] = []
    n = len(path)
    while True:
        while i < n and path[i] == " ":
            i += 1
        if i >= n:
            raise SchemaError(f"{path!r}: unterminated keys")
        if path[i] == "}":
            return keys, i + 1
        if path[i] == '"':
            buf, i = [], i + 1
            while i < n and path[i] != '"':
                if path[i] == "\\" and i + 1 < n:
                    i += 1
                buf.append(path[i])
                i += 1
            keys.append("".join(buf))
            i += 1
        else:
            j = i
            while j < n and path[j] not in " }":
                j += 1
            keys.append(path[i:j])
            i = j


def format_key(value: object) -> str:
    text = str(value)
    if text == "" or any(c in text for c in ' "{}\\'):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


def keypath(steps: Sequence[Step]) -> str:
    parts = []
    prev_ns = None
    for node, keys in steps:
        name = node.name if node.ns == prev_ns else f"{node.prefix}:{node.name}"
        prev_ns = node.ns
        if keys is not None:
            name += "{" + " ".join(format_key(k) for k in keys) + "}"
        parts.append(name)
    return "/" + "/".join(parts)


class Tree:
    """Data under one schema root (the whole CDB, or an action's input/output)."""

    def __init__(self, root: SNode, data: Optional[dict] = None) -> None:
        self.root = root
        self.data: dict = {} if data is None else data

    # ---- paths ----------------------------------------------------------
    def resolve(self, path: str, action: bool = False) -> List[Step]:
        """Schema-check a keypath; `action=True` allows it to end at an action."""
        node = self.root
        steps: List[Step] = []
        parts = split_keypath(path)
        for i, (name, keys) in enumerate(parts):
            if node.kind in ("leaf", "leaf-list"):
                raise SchemaError(f"{path}: {node.path} has no children")
            node = node.child(name)
            if node.kind in ("action", "rpc") and not (action and i == len(parts) - 1):
                raise SchemaError(f"{path}: {node.path} is an action, not data")
            parsed: Optional[Tuple[object, ...]] = None
            if node.kind == "list":
                if keys is not None:
                    if len(keys) != len(node.keys):
                        raise SchemaError(f"{path}: {node.path} has keys {node.keys}, got {keys}")
                    parsed = tuple(node.children[k].type.parse(v, f"{node.path}/{k}")
                                   for k, v in zip(node.keys, keys))
            elif node.kind == "leaf-list" and keys is not None:
                if len(keys) != 1:
                    raise SchemaError(f"{path}: a leaf-list entry has one key")
                parsed = (node.type.parse(keys[0], node.path),)
            elif keys is not None:
                raise SchemaError(f"{path}: {node.path} is not a list")
            steps.append((node, parsed))
        return steps

    def _walk(self, steps: Sequence[Step], create: bool = False) -> dict:
        """The dict of the data node holding the last step (its parent instance)."""
        cur = self.data
        for node, keys in steps[:-1]:
            key = self._key(node)
            if node.kind == "container":
                if create:
                    choice.choose(node, cur)
                if key not in cur:
                    if node.presence and not create:
                        raise NotFound(f"{node.path}: presence container does not exist")
                    cur[key] = {}
                cur = cur[key]
            elif node.kind == "list":
                if keys is None:
                    raise SchemaError(f"{node.path}: list entry needs keys")
                entries = cur.get(key, {})
                if keys not in entries:
                    raise NotFound(f"{keypath(steps)}: list entry {keys} does not exist")
                cur = entries[keys]
            else:
                raise SchemaError(f"{node.path}: a leaf has no children")
        return cur

    @staticmethod
    def _key(node: SNode) -> str:
        return choice.data_key(node)

    # ---- operations -----------------------------------------------------
    def get(self, steps: Sequence[Step]) -> object:
        """A leaf's value (default if unset), a leaf-list's values; NotFound if none."""
        node, keys = steps[-1]
        parent = self._walk(steps)
        key = self._key(node)
        if node.kind == "leaf":
            if key in parent:
                return parent[key]
            defaults = node.parse_default() if choice.default_applies(node, parent) else ()
            if defaults:
                return defaults[0]
            raise NotFound(f"{keypath(steps)}: no value")
        if node.kind == "leaf-list":
            defaults = node.parse_default() if choice.default_applies(node, parent) else ()
            values = parent.get(key, list(defaults))
            if keys is not None:
                if keys[0] not in values:
                    raise NotFound(f"{keypath(steps)}: no such leaf-list entry")
                return keys[0]
            return list(values)
        raise SchemaError(f"{keypath(steps)}: {node.kind} {node.path} has no value")

    def exists(self, steps: Sequence[Step]) -> bool:
        node, keys = steps[-1]
        try:
            parent = self._walk(steps)
        except NotFound:
            return False
        key = self._key(node)
        if node.kind == "list":
            return keys is not None and keys in parent.get(key, {})
        if node.kind == "container":
            return key in parent or not node.presence
        if node.kind == "leaf-list":
            values = parent.get(key, [])
            return keys[0] in values if keys is not None else bool(values)
        return key in parent

    def set(self, steps: Sequence[Step], value: object) -> None:
        node, keys = steps[-1]
        if node.kind == "leaf-list":
            if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
                raise SchemaError(f"{keypath(steps)}: bad value {value!r} (a leaf-list takes a list)")
            values = [node.type.parse(v, node.path) for v in value]
            parent = self._walk(steps, create=True)
            if values:
                choice.choose(node, parent)
            parent[self._key(node)] = list(dict.fromkeys(values))
            return
        if node.kind != "leaf":
            raise SchemaError(f"{keypath(steps)}: {node.kind} {node.path} cannot be set")
        owner = node.parent
        if owner is not None and owner.kind == "list" and node.name in owner.keys:
            raise SchemaError(f"{keypath(steps)}: a list key cannot be changed")
        parsed = node.type.parse(value, node.path)
        parent = self._walk(steps, create=True)
        choice.choose(node, parent)
        parent[self._key(node)] = parsed

    def create(self, steps: Sequence[Step]) -> None:
        node, keys = steps[-1]
        key = self._key(node)
        if node.kind == "list" and keys is None:
            raise SchemaError(f"{keypath(steps)}: create needs the keys of {node.path}")
        if node.kind == "container" and not node.presence:
            raise SchemaError(f"{keypath(steps)}: {node.path} is not a presence container")
        creatable = node.kind in ("list", "container") or (node.kind == "leaf-list" and keys is not None) \
            or (node.kind == "leaf" and node.type.kind == "empty")
        if not creatable:
            raise SchemaError(f"{keypath(steps)}: {node.kind} {node.path} cannot be created")
        parent = self._walk(steps, create=True)     # checked first: a refused create changes nothing
        choice.choose(node, parent)
        if node.kind == "list":
            entries = parent.setdefault(key, {})
            if keys not in entries:
                entries[keys] = {k: v for k, v in zip(node.keys, keys)}
        elif node.kind == "container":
            parent.setdefault(key, {})
        elif node.kind == "leaf-list":
            values = parent.setdefault(key, [])
            if keys[0] not in values:
                values.append(keys[0])
        else:
            parent[key] = True

    def delete(self, steps: Sequence[Step]) -> None:
        node, keys = steps[-1]
        parent = self._walk(steps)
        key = self._key(node)
        if node.kind == "list" and keys is not None:
            entries = parent.get(key, {})
            if keys not in entries:
                raise NotFound(f"{keypath(steps)}: no such entry")
            del entries[keys]
        elif node.kind == "leaf-list" and keys is not None:
            values = parent.get(key, [])
            if keys[0] not in values:
                raise NotFound(f"{keypath(steps)}: no such leaf-list entry")
            values.remove(keys[0])
        else:
            if node.kind == "leaf" and node.parent and node.parent.kind == "list" \
                    and node.name in node.parent.keys:
                raise SchemaError(f"{keypath(steps)}: a list key cannot be deleted")
            parent.pop(key, None)

    def keys(self, steps: Sequence[Step]) -> List[Tuple[object, ...]]:
        node, _ = steps[-1]
        if node.kind != "list":
            raise SchemaError(f"{keypath(steps)}: {node.path} is not a list")
        try:
            return list(self._walk(steps).get(self._key(node), {}))
        except NotFound:
            return []

    # ---- whole-tree helpers --------------------------------------------
    def mandatory_errors(self) -> List[str]:
        """Missing mandatory leaves and choices in the config part of the tree."""
        errs: List[str] = []

        def visit(snode: SNode, data: dict, path: str) -> None:
            errs.extend(f"{path}/{name} is mandatory" for name in choice.missing(snode, data, config_only=True))
            for ch in snode.data_children():
                if not ch.config or not choice.in_force(ch, data):
                    continue        # an inactive case has no nodes, hence no requirements
                key = self._key(ch)
                if ch.kind == "container" and (key in data or not ch.presence):
                    visit(ch, data.get(key, {}), f"{path}/{ch.name}")
                elif ch.kind == "list":
                    for k, entry in data.get(key, {}).items():
                        visit(ch, entry, f"{path}/{ch.name}{{{' '.join(map(str, k))}}}")
        visit(self.root, self.data, "")
        return errs

    def copy(self) -> "Tree":
        return Tree(self.root, copy.deepcopy(self.data))


# ---- XML --------------------------------------------------------------------

def load_xml(tree: Tree, xml: bytes, *, config_only: bool = False) -> None:
    """Merge XML instance data (optionally wrapped in <config>/<data>) into `tree`."""
    root = etree.fromstring(xml)
    tops = list(root) if etree.QName(root).localname in ("config", "data") else [root]
    _load_children(tree.root, tree.data, tops, config_only)


def _load_children(parent_s: SNode, parent_d: dict, elements, config_only: bool) -> None:
    els = [el for el in elements if isinstance(el.tag, str)]
    choice.check_exclusive([_child_for(parent_s, el) for el in els], parent_s.path or "/")
    for el in els:
        _load_el(parent_s, parent_d, el, config_only)


def _child_for(snode: SNode, el) -> SNode:
    q = etree.QName(el)
    for ch in snode.children.values():
        if ch.name == q.localname and (q.namespace is None or ch.ns == q.namespace):
            return ch
    raise SchemaError(f"{snode.path or '/'}: no node {{{q.namespace}}}{q.localname} in the schema")


def _load_el(parent_s: SNode, parent_d: dict, el, config_only: bool) -> None:
    node = _child_for(parent_s, el)
    if config_only and not node.config:
        raise SchemaError(f"{node.path} is config false: not allowed in config data")
    key = Tree._key(node)
    choice.choose(node, parent_d)       # merging a case replaces the choice's other cases
    if node.kind == "leaf":
        parent_d[key] = node.type.parse(el.text or "", node.path)
    elif node.kind == "leaf-list":
        values = parent_d.setdefault(key, [])
        v = node.type.parse(el.text or "", node.path)
        if v not in values:
            values.append(v)
    elif node.kind == "container":
        _load_children(node, parent_d.setdefault(key, {}), list(el), config_only)
    elif node.kind == "list":
        kv = []
        for k in node.keys:
            kel = [c for c in el if isinstance(c.tag, str) and etree.QName(c).localname == k]
            if not kel:
                raise SchemaError(f"{node.path}: entry without key {k}")
            kv.append(node.children[k].type.parse(kel[0].text or "", f"{node.path}/{k}"))
        entry = parent_d.setdefault(key, {}).setdefault(tuple(kv), dict(zip(node.keys, kv)))
        _load_children(node, entry, [c for c in el if isinstance(c.tag, str)
                                     and etree.QName(c).localname not in node.keys], config_only)


def dump_xml(tree: Tree, module: str, *, config: Optional[bool] = None) -> bytes:
    """Instance data of `module`'s top nodes as XML, the form `yanglint -t data` reads
    (top-level elements without an envelope; yanglint rejects a NETCONF <data>).

    config=False keeps only config-false subtrees (plus the keys that lead to them),
    config=True only config, None everything (NSO's operational datastore view).
    """
    holder = etree.Element("holder")
    for snode in tree.root.children.values():
        if snode.module == module and snode.kind in ("container", "list", "leaf", "leaf-list"):
            _dump(snode, tree.data, holder, config)
    return b"".join(etree.tostring(el, pretty_print=True, encoding="UTF-8") for el in holder)


def _text(node: SNode, value: object) -> str:
    return node.type.to_text(value)


def _element(parent_x, node: SNode):
    """A child element that declares the node's namespace as default when it changes."""
    qn = f"{{{node.ns}}}{node.name}"
    if parent_x.nsmap.get(None) == node.ns:
        return etree.SubElement(parent_x, qn)
    return etree.SubElement(parent_x, qn, nsmap={None: node.ns})


def _dump(node: SNode, parent_d: dict, parent_x, config: Optional[bool]) -> bool:
    key = Tree._key(node)
    if key not in parent_d:
        return False
    keep_here = config is None or node.config == config
    if node.kind in ("leaf", "leaf-list"):
        if not keep_here:
            return False
        values = parent_d[key] if node.kind == "leaf-list" else [parent_d[key]]
        for v in values:
            _element(parent_x, node).text = _text(node, v)
        return bool(values)
    instances = parent_d[key].items() if node.kind == "list" else [(None, parent_d[key])]
    wrote = False
    for keys, d in instances:
        el = _element(parent_x, node)
        any_child = False
        if node.kind == "list":
            for k in node.keys:
                _element(el, node.children[k]).text = _text(node.children[k], d[k])
        for ch in node.data_children():
            if node.kind == "list" and ch.name in node.keys:
                continue
            any_child |= _dump(ch, d, el, config)
        if any_child or (keep_here and (node.kind == "list" or node.presence)):
            wrote = True
        else:
            parent_x.remove(el)
    return wrote


def iter_entries(tree: Tree, steps: Sequence[Step]) -> Iterator[Tuple[Tuple[object, ...], dict]]:
    node, _ = steps[-1]
    try:
        yield from tree._walk(steps).get(tree._key(node), {}).items()
    except NotFound:
        return


__all__ = ["Tree", "NotFound", "split_keypath", "keypath", "format_key", "load_xml",
           "dump_xml", "Enum", "iter_entries"]
