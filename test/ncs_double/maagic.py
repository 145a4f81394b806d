"""Stand-in for `ncs.maagic`: attribute-style access over a transaction or action params.

Names: YANG `a-b` is attribute `a_b`, `node['a-b']` and `node['prefix:a-b']` also
work. Leaves read as Python values (int, bool, str, float for decimal64, `Enum` with
`.string` for enumerations; None when unset and without default). Every read and
write goes through the backend (a Transaction counts round trips; action params
do not, they are in-process in NSO too).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Dict, Iterator, List, Optional, Tuple

from . import lowlevel as _ncs
from .schema import Enum as _SchemaEnum
from .schema import SchemaError, SNode
from .tree import NotFound, Tree, format_key

__all__ = ["get_root", "get_node", "get_trans", "get_maapi", "cd", "Enum", "Node", "Root",
           "Container", "PresenceContainer", "List", "ListElement", "LeafList", "Action",
           "ActionParams", "MaagicError", "BackendError"]


class Enum:
    """`ncs.maagic.Enum` (pyapi/ncs.maagic.md): `.string` and `.value`; equal to an Enum,
    a string (the label), a number (the value) or a `_ncs.Value`; ordered by value
    against all of those except strings. The reference documents no string form, so
    str() of it is not the label here: read `.string`."""

    def __init__(self, string: str, value: int) -> None:
        self.string = string
        self.value = value

    def _num(self, other: object) -> Optional[int]:
        if isinstance(other, Enum):
            return other.value
        if isinstance(other, _ncs.Value):
            other = other.as_pyval()
        if isinstance(other, int) and not isinstance(other, bool):
            return other
        return None

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            return self.string == other
        n = self._num(other)
        return NotImplemented if n is None else self.value == n

    def __hash__(self) -> int:
        return hash(self.value)

    def _order(self, other: object) -> int:
        n = self._num(other)
        if n is None:
            raise TypeError(f"cannot order an Enum against {type(other).__name__}")
        return n

    def __lt__(self, other: object) -> bool:
        return self.value < self._order(other)

    def __le__(self, other: object) -> bool:
        return self.value <= self._order(other)

    def __gt__(self, other: object) -> bool:
        return self.value > self._order(other)

    def __ge__(self, other: object) -> bool:
        return self.value >= self._order(other)

    def __repr__(self) -> str:
        return f"Enum({self.string!r}, {self.value})"

    __str__ = __repr__


class MaagicError(Exception):
    """`ncs.maagic.MaagicError` (pyapi/ncs.maagic.md)."""


class BackendError(Exception):
    """`ncs.maagic.BackendError`: raised by get_trans/get_maapi without one (pyapi/ncs.maagic.md)."""


class Params:
    """Backend over an action's input or output (a Tree rooted at input/output)."""

    def __init__(self, tree: Tree, double: Any) -> None:
        self.tree = tree
        self.double = double

    def _run(self, op: str, path: str, *args: Any) -> Any:
        try:
            return getattr(self.tree, op)(self.tree.resolve(path), *args)
        except NotFound:
            if op == "get":
                return None
            raise
        except SchemaError as exc:
            raise _ncs.Error(_ncs.ERR_BADTYPE if "bad value" in str(exc) else _ncs.ERR_BADPATH,
                             str(exc)) from None

    def _bk_get(self, path: str) -> Any:
        return self._run("get", path)

    def _bk_set(self, path: str, value: Any) -> None:
        self._run("set", path, value)

    def _bk_create(self, path: str) -> None:
        self._run("create", path)

    def _bk_delete(self, path: str) -> None:
        self._run("delete", path)

    def _bk_exists(self, path: str) -> bool:
        return self._run("exists", path)

    def _bk_keys(self, path: str) -> list:
        return self._run("keys", path)

    def _bk_num(self, path: str) -> int:
        return len(self._run("keys", path))

    @property
    def _bk_root(self) -> SNode:
        return self.tree.root


def _pyname_map(snode: SNode) -> Dict[str, SNode]:
    cache = snode.__dict__.setdefault("_maagic_names", {})
    if not cache:
        for key, ch in snode.children.items():
            if ch.kind in ("input", "output"):
                continue
            cache.setdefault(ch.name.replace("-", "_"), ch)
            cache[f"{ch.prefix}__{ch.name.replace('-', '_')}"] = ch
            cache[ch.name] = ch
            cache[f"{ch.prefix}:{ch.name}"] = ch
            cache[f"{ch.module}:{ch.name}"] = ch
    return cache


def _to_py(snode: SNode, value: Any) -> Any:
    if isinstance(value, list):
        return [_to_py(snode, v) for v in value]
    if isinstance(value, _SchemaEnum):
        return Enum(value.string, value.value)
    if isinstance(value, Decimal):
        return float(value)
    return value


class Node:
    def __init__(self, backend: Any, cs_node: SNode, parent: Any = None, is_root: bool = False) -> None:
        # NSO's signature; the double passes the node's keypath as `parent` (nodes are
        # created by maagic only, never by the package: pyapi/ncs.maagic.md).
        object.__setattr__(self, "_backend", backend)
        object.__setattr__(self, "_cs_node", cs_node)
        object.__setattr__(self, "_path", "/" if is_root else str(parent))

    @property
    def _name(self) -> str:
        return self._cs_node.name

    def __repr__(self) -> str:
        return f"{type(self).__name__}(path={self._path!r})"

    def _child_path(self, ch: SNode) -> str:
        me = self._cs_node
        name = ch.name if me.kind not in ("root",) and ch.ns == me.ns else f"{ch.prefix}:{ch.name}"
        base = "" if self._path == "/" else self._path
        return f"{base}/{name}"


class _Children(Node):
    """Nodes with named children: containers, list entries, the root, action params."""

    def _find(self, name: str) -> SNode:
        ch = _pyname_map(self._cs_node).get(name)
        if ch is None:
            raise AttributeError(f"{self._path}: no child {name!r} in the schema")
        return ch

    def _node_for(self, ch: SNode) -> Any:
        path = self._child_path(ch)
        if ch.kind == "leaf":
            if ch.type is not None and ch.type.kind == "empty":
                return bool(self._backend._bk_exists(path))
            return _to_py(ch, self._backend._bk_get(path))
        cls = {"leaf-list": LeafList, "list": List, "action": Action, "rpc": Action}.get(ch.kind)
        if cls is None:
            cls = PresenceContainer if ch.presence else Container
        return cls(self._backend, ch, path)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return self._node_for(self._find(name))

    def __getitem__(self, name: str) -> Any:
        try:
            return self._node_for(self._find(name))
        except AttributeError as exc:
            raise KeyError(str(exc)) from None

    def __setattr__(self, name: str, value: Any) -> None:
        ch = self._find(name)
        path = self._child_path(ch)
        if ch.kind not in ("leaf", "leaf-list"):
            raise ValueError(f"{path}: cannot assign to a {ch.kind}")
        if value is None:
            if self._backend._bk_exists(path):
                self._backend._bk_delete(path)
            return
        if ch.kind == "leaf" and ch.type is not None and ch.type.kind == "empty":
            (self._backend._bk_create if value else self._backend._bk_delete)(path)
            return
        if ch.kind == "leaf-list":
            value = [v.string if isinstance(v, Enum) else v for v in value]
        elif isinstance(value, Enum):
            value = value.string
        self._backend._bk_set(path, value)

    __setitem__ = __setattr__

    def __delattr__(self, name: str) -> None:
        ch = self._find(name)
        self._backend._bk_delete(self._child_path(ch))

    def __dir__(self) -> List[str]:
        return [c.name.replace("-", "_") for c in self._cs_node.children.values()
                if c.kind not in ("input", "output")]


class Root(_Children):
    pass


class Container(_Children):
    def delete(self) -> None:
        for ch in self._cs_node.data_children():
            path = self._child_path(ch)
            if self._backend._bk_exists(path):
                self._backend._bk_delete(path)


class PresenceContainer(Container):
    def exists(self) -> bool:
        return bool(self._backend._bk_exists(self._path))

    def create(self) -> "PresenceContainer":
        self._backend._bk_create(self._path)
        return self

    def delete(self) -> None:
        self._backend._bk_delete(self._path)

    def __bool__(self) -> bool:
        return self.exists()


class ListElement(Container):
    pass


class List(Node):
    def _keys_of(self, key: Any) -> Tuple[Any, ...]:
        keys = key if isinstance(key, tuple) else (key,)
        if len(keys) != len(self._cs_node.keys):
            raise KeyError(f"{self._path}: needs keys {self._cs_node.keys}, got {keys!r}")
        return keys

    def _entry_path(self, keys: Tuple[Any, ...]) -> str:
        texts = [self._cs_node.children[k].type.to_text(v) for k, v in zip(self._cs_node.keys, keys)]
        return f"{self._path}{{{' '.join(format_key(t) for t in texts)}}}"

    def __getitem__(self, key: Any) -> ListElement:
        path = self._entry_path(self._keys_of(key))
        if not self._backend._bk_exists(path):
            raise KeyError(f"{path} does not exist")
        return ListElement(self._backend, self._cs_node, path)

    def __contains__(self, key: Any) -> bool:
        return bool(self._backend._bk_exists(self._entry_path(self._keys_of(key))))

    def exists(self, keys: Any) -> bool:
        return key_in(self, keys)

    def create(self, *keys: Any) -> ListElement:
        if len(keys) == 1 and isinstance(keys[0], tuple):
            keys = keys[0]
        path = self._entry_path(self._keys_of(tuple(keys)))
        self._backend._bk_create(path)
        return ListElement(self._backend, self._cs_node, path)

    def __delitem__(self, key: Any) -> None:
        path = self._entry_path(self._keys_of(key))
        self._backend._bk_delete(path)

    def delete(self) -> None:
        """Delete every entry (one round trip, as deleting the list node in NSO)."""
        self._backend._bk_delete(self._path)

    def keys(self, xpath_expr: Optional[str] = None, secondary_index: Optional[str] = None) -> List[Tuple[Any, ...]]:
        if xpath_expr is not None or secondary_index is not None:
            raise NotImplementedError("the NSO double has no filtered keys()")
        return [tuple(_to_py(self._cs_node, list(k))) for k in self._backend._bk_keys(self._path)]

    def __iter__(self) -> Iterator[ListElement]:
        for keys in self._backend._bk_keys(self._path):
            yield ListElement(self._backend, self._cs_node, self._entry_path(keys))

    def __len__(self) -> int:
        return int(self._backend._bk_num(self._path))

    def __bool__(self) -> bool:
        return True   # like maagic: a List node is an object, test len() for emptiness


def key_in(lst: List, keys: Any) -> bool:
    return keys in lst


class LeafList(Node):
    def as_list(self) -> List[Any]:
        return _to_py(self._cs_node, self._backend._bk_get(self._path) or [])

    def _path_of(self, value: Any) -> str:
        return f"{self._path}{{{format_key(self._cs_node.type.to_text(value))}}}"

    def create(self, key: Any) -> None:
        self._backend._bk_create(self._path_of(key))

    def remove(self, key: Any) -> None:
        self._backend._bk_delete(self._path_of(key))

    def delete(self) -> None:
        self._backend._bk_delete(self._path)

    def set_value(self, value: Any) -> None:
        self._backend._bk_set(self._path, list(value))

    def __iter__(self) -> Iterator[Any]:
        return iter(self.as_list())

    def __len__(self) -> int:
        return len(self.as_list())

    def __contains__(self, value: Any) -> bool:
        return bool(self._backend._bk_exists(self._path_of(value)))


class ActionParams(_Children):
    """An action's input or output."""


class Action(Node):
    def get_input(self) -> ActionParams:
        from . import runtime
        tree = Tree(self._cs_node.children["input"])
        return ActionParams(Params(tree, runtime.current()), tree.root, "/")

    def __call__(self, params: Optional[ActionParams] = None) -> ActionParams:
        if params is None:
            params = self.get_input()
        if not hasattr(self._backend, "_bk_action"):
            raise _ncs.Error(_ncs.ERR_PROTOUSAGE, f"{self._path}: cannot call an action from here")
        out = self._backend._bk_action(self._path, params._backend.tree)
        return ActionParams(Params(out, params._backend.double), out.root, "/")

    request = __call__


# ---- module functions -----------------------------------------------------------

def _backend_of(backend: Any) -> Any:
    # Documented backends: a Node, a Transaction or a Maapi (pyapi/ncs.maagic.md get_root).
    from .maapi import Maapi, Transaction
    if isinstance(backend, Node):
        return backend._backend
    if isinstance(backend, (Maapi, Transaction)):
        return backend
    raise BackendError(f"not a maagic backend: {type(backend).__name__}")


class _MaapiRoot(Root):
    """get_root(maapi): actions only, as in NSO without a transaction."""


def get_root(backend: Any = None, shared: bool = False) -> Root:
    if backend is None:
        # NSO gives an in-memory tree not connected to NSO; the double has none.
        raise NotImplementedError("the NSO double has no in-memory maagic tree (get_root(None))")
    bk = _backend_of(backend)
    if hasattr(bk, "_bk_root"):
        return Root(bk, bk._bk_root, "/")
    from . import runtime
    return _MaapiRoot(_NoTrans(bk), runtime.current().tree.root, "/")


class _NoTrans:
    """Backend of a Maapi without transaction: data access fails, actions work."""

    def __init__(self, maapi: Any) -> None:
        self.maapi = maapi

    def _fail(self, *a: Any) -> Any:
        raise _ncs.Error(_ncs.ERR_PROTOUSAGE, "no transaction: data access needs a Transaction backend")

    _bk_get = _bk_set = _bk_create = _bk_delete = _bk_exists = _bk_keys = _bk_num = _fail

    def _bk_action(self, path: str, inp: Tree) -> Tree:
        return self.maapi._bk_action(path, inp)


def get_node(backend_or_node: Any, path: str, shared: bool = False) -> Any:
    node: Any = get_root(backend_or_node)
    from .tree import split_keypath
    for name, keys in split_keypath(str(path)):
        node = node[name]
        if keys is not None:
            if isinstance(node, List):
                node = node[tuple(keys)]
            elif isinstance(node, LeafList):
                return keys[0] if keys[0] in node else None
    return node


def cd(node: Node, path: str) -> Any:
    if path.startswith("/"):
        return get_node(node._backend, path)
    cur = node
    for part in [p for p in path.split("/") if p]:
        if part == "..":
            parent = cur._path.rsplit("/", 1)[0] or "/"
            cur = get_node(cur._backend, parent)
        else:
            cur = cur[part]
    return cur


def get_trans(node_or_trans: Any) -> Any:
    bk = _backend_of(node_or_trans)
    if not hasattr(bk, "th"):
        raise BackendError("no transaction behind this node")
    return bk


def get_maapi(obj: Any) -> Any:
    from .maapi import Maapi
    bk = _backend_of(obj)
    m = getattr(bk, "maapi", bk)
    if not isinstance(m, Maapi):
        raise BackendError("no Maapi behind this object")
    return m
