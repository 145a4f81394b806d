"""NcsDouble: the emulated NSO (CDB, action dispatch, package Python VM) behind the fakes."""
from __future__ import annotations

import copy
import importlib
import sys
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from lxml import etree

from . import choice
from . import lowlevel as _ncs
from .maagic import ActionParams, Params
from .schema import Enum, Schema, SchemaError, SNode
from .tree import NotFound, Tree, dump_xml, keypath, load_xml

BuiltinFn = Callable[[ActionParams, ActionParams], None]


class ActionFailed(Exception):
    """What a CLI/RESTCONF user would see as the action's error."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class VmKilled(BaseException):
    """The package's Python VM went away under a running callback (NSO restarted it).

    A BaseException so production `except Exception:` handlers cannot swallow it,
    just as they could not run in a killed process.
    """


class NcsDouble:
    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.tree = Tree(schema.root)
        self.calls: Counter = Counter()
        self.transactions: Dict[int, Any] = {}
        self.action_errors: Dict[int, str] = {}
        self.action_timeouts: List[Tuple[int, int]] = []
        self.progress: List[Tuple[str, str]] = []
        self.crypto_keys_installed = False
        self.secrets: Dict[str, str] = {}          # encrypted form -> cleartext, for _ncs.decrypt
        self.actionpoints: Dict[str, Tuple[Any, Any]] = {}
        self.builtins: Dict[str, Tuple[BuiltinFn, Optional[str]]] = {}
        self.app_specs: List[str] = []
        self.apps: List[Any] = []
        self.restarts = 0
        # Modules forgotten on a VM restart and on uninstall: the NSO glue holds module
        # state and references to the fake `ncs`. The core (model, engine...) is not
        # purged: tests hold its enums, and a fresh copy would make them compare unequal.
        self.purge_prefixes: Tuple[str, ...] = ("secure_deploy.nso", "ncs_double.sample_app")
        self.sessions: Dict[int, Any] = {}          # usid -> maapi._UserSession
        self.trans_sessions: List[Tuple[str, str, Tuple[str, ...]]] = []   # (user, context, groups) per trans
        self.thread_log: List[Tuple[str, str]] = []   # Application.add/del_running_thread
        self.queries: Dict[int, Tuple[Any, list]] = {}   # qh -> (socket, state)
        self.on_reload_config: Optional[Callable[[], None]] = None
        self._next_th = 1
        self._next_usid = 1
        self._next_qh = 0
        self._depth = 0
        self._restart_pending = False

    # ---- counters ------------------------------------------------------------
    def count(self, op: str, n: int = 1) -> None:
        self.calls[op] += n

    @property
    def round_trips(self) -> int:
        return sum(self.calls.values())

    def reset_counters(self) -> None:
        self.calls.clear()

    def new_session(self, user: str, context: str, groups: Sequence[str]) -> Any:
        from .maapi import _UserSession
        self._next_usid += 1
        s = _UserSession(self._next_usid, user, context, groups)
        self.sessions[s.usid] = s
        return s

    def new_query(self, sock: Any, state: list) -> int:
        self._next_qh += 1
        self.queries[self._next_qh] = (sock, state)
        return self._next_qh

    def query_state(self, sock: Any, qh: int) -> list:
        """A query's state; like NSO, a query handle belongs to the socket that started it."""
        entry = self.queries.get(qh)
        if entry is None or entry[0] is not sock:
            raise _ncs.Error(_ncs.ERR_NOEXISTS, f"no query {qh} on this socket")
        return entry[1]

    def register_trans(self, t: Any) -> int:
        self._next_th += 1
        self.transactions[self._next_th] = t
        return self._next_th

    # ---- CDB -------------------------------------------------------------------
    def commit(self, db: int, log: Sequence[tuple]) -> None:
        """Replay a transaction's writes on CDB atomically (validated for RUNNING)."""
        if not log:
            return
        cand = Tree(self.tree.root, dict(self.tree.data))
        copied: set = set()
        try:
            for op, path, *args in log:
                steps = cand.resolve(path)
                top = Tree._key(steps[0][0])
                if top not in copied:
                    copied.add(top)
                    if top in cand.data:
                        cand.data[top] = copy.deepcopy(cand.data[top])
                getattr(cand, op)(steps, *args)
        except (SchemaError, NotFound) as exc:
            raise _ncs.Error(_ncs.ERR_NOEXISTS, f"commit failed: {exc}") from None
        if db == _ncs.RUNNING:
            errs = cand.mandatory_errors()
            if errs:
                raise _ncs.Error(_ncs.ERR_BADPATH, "validation failed: " + "; ".join(errs))
        self.tree.data = cand.data

    def seed_xml(self, xml: Union[bytes, str, Path], *, db: int = _ncs.RUNNING) -> None:
        """Load XML instance data (e.g. aaa_init.xml, `show running-config | display xml`).

        RUNNING accepts config only; OPERATIONAL accepts both. Schema errors raise.
        """
        if isinstance(xml, Path) or (isinstance(xml, str) and not xml.lstrip().startswith("<")):
            xml = Path(xml).read_bytes()
        if isinstance(xml, str):
            xml = xml.encode()
        cand = self.tree.copy()
        load_xml(cand, xml, config_only=(db == _ncs.RUNNING))
        if db == _ncs.RUNNING:
            errs = cand.mandatory_errors()
            if errs:
                raise SchemaError("seed data invalid: " + "; ".join(errs))
        self.tree = cand

    def get(self, path: str) -> Any:
        """Test helper (not counted): the canonical value at a keypath, None if absent."""
        try:
            return self.tree.get(self.tree.resolve(path))
        except NotFound:
            return None

    def exists(self, path: str) -> bool:
        return self.tree.exists(self.tree.resolve(path))

    def keys(self, path: str) -> List[Tuple[Any, ...]]:
        return self.tree.keys(self.tree.resolve(path))

    def dump_xml(self, module: str = "secure-deploy", *, config: Optional[bool] = None) -> bytes:
        """Instance data of `module` (None: config + oper, False: oper only)."""
        return dump_xml(self.tree, module, config=config)

    def decrypt(self, value: str) -> str:
        if value in self.secrets:
            return self.secrets[value]
        raise _ncs.Error(_ncs.ERR_BADTYPE, "cannot decrypt value (not seeded in double.secrets)")

    # ---- packages and the Python VM ------------------------------------------------
    def load_package(self, package_dir: Union[str, Path]) -> List[Any]:
        """Start every <application> component named in package-meta-data.xml."""
        meta = etree.parse(str(Path(package_dir) / "package-meta-data.xml"))
        names = meta.xpath("//*[local-name()='application']/*[local-name()='python-class-name']/text()")
        return [self.start_application(n.strip()) for n in names]

    def start_application(self, cls: Union[str, type]) -> Any:
        spec = cls if isinstance(cls, str) else f"{cls.__module__}.{cls.__qualname__}"
        if spec not in self.app_specs:
            self.app_specs.append(spec)
        return self._start(spec)

    def _start(self, spec: str) -> Any:
        module, _, name = spec.rpartition(".")
        app = getattr(importlib.import_module(module), name)()
        self.apps.append(app)
        app.setup()
        return app

    def restart_vm(self, *, graceful: bool = True, purge_modules: bool = True) -> None:
        """Stop the package's VM and start it again: teardown() (if graceful), a fresh
        import of the package modules (module state is lost, as in a new process),
        a new Application instance and setup()."""
        if graceful:
            for app in self.apps:
                app.teardown()
        self.apps = []
        self.actionpoints.clear()
        self.crypto_keys_installed = False
        self.restarts += 1
        if purge_modules:
            self.purge_modules()
        for spec in self.app_specs:
            self._start(spec)

    def purge_modules(self) -> None:
        for name in [m for m in sys.modules
                     if any(m == p or m.startswith(p + ".") for p in self.purge_prefixes)]:
            del sys.modules[name]

    def register_actionpoint(self, actionpoint: str, handler: Any, app: Any) -> None:
        if actionpoint not in {n.actionpoint for n in self._actions()}:
            raise _ncs.Error(_ncs.ERR_BADPATH, f"actionpoint {actionpoint!r} is not in any loaded YANG")
        self.actionpoints[actionpoint] = (handler, app)

    def _actions(self) -> Iterable[SNode]:
        stack = [self.schema.root]
        while stack:
            n = stack.pop()
            if n.kind in ("action", "rpc"):
                yield n
            stack.extend(c for c in n.children.values() if c.kind not in ("input", "output"))

    # ---- actions ------------------------------------------------------------------
    def register_builtin_action(self, path: str, fn: BuiltinFn, *, restart_vm: Optional[str] = None) -> None:
        """Emulate an NSO-internal action at `path` (prefixes optional, e.g.
        /key-rotation/apply-new-keys). fn(input, output) fills the output params.
        restart_vm: None; "after" restarts the package VM once the outermost action
        call returns; "during" restarts it and raises VmKilled into the caller."""
        steps = self.tree.resolve(path, action=True)
        if steps[-1][0].kind not in ("action", "rpc"):
            raise SchemaError(f"{path} is not an action")
        if restart_vm not in (None, "after", "during"):
            raise ValueError("restart_vm must be None, 'after' or 'during'")
        self.builtins[steps[-1][0].path] = (fn, restart_vm)

    def request_action(self, path: str, input: Optional[Mapping[str, Any]] = None, *,
                       user: str = "admin", context: str = "cli", groups: Sequence[str] = ("admin",),
                       **kw: Any) -> Dict[str, Any]:
        """Run an action as a northbound user would; returns its output as a dict.

        The user's session carries `groups` (NSO gives a session the groups of its
        user, from AAA or an external authenticator)."""
        steps = self.tree.resolve(path, action=True)
        inp = Tree(steps[-1][0].children["input"])
        fill_tree(inp, inp.root, inp.data, {**(input or {}), **kw})
        try:
            out = self.invoke_action(path, inp, user=user, context=context, groups=groups)
        except VmKilled:
            raise ActionFailed("application communication failure (Python VM restarted)") from None
        return tree_to_dict(out.root, out.data)

    def invoke_action(self, path: str, inp: Tree, *, user: str, context: str,
                      groups: Sequence[str] = ()) -> Tree:
        steps = self.tree.resolve(path, action=True)
        node = steps[-1][0]
        if len(steps) > 1 and not self.tree.exists(steps[:-1]):
            raise _ncs.Error(_ncs.ERR_NOEXISTS, f"{path}: parent does not exist")
        missing = choice.missing(node.children["input"], inp.data, config_only=False)
        if missing:
            raise ActionFailed(f"{path}: missing mandatory input {', '.join(missing)}")
        out = Tree(node.children["output"])
        self._depth += 1
        try:
            if node.path in self.builtins:
                self._run_builtin(node, inp, out)
            else:
                self._run_callback(node, steps, inp, out, user, context, groups)
        finally:
            self._depth -= 1
        if self._restart_pending and self._depth == 0:
            self._restart_pending = False
            self.restart_vm()
        return out

    def _run_builtin(self, node: SNode, inp: Tree, out: Tree) -> None:
        fn, restart = self.builtins[node.path]
        fn(ActionParams(Params(inp, self), inp.root, "/"), ActionParams(Params(out, self), out.root, "/"))
        self.count("action")
        if restart == "after":
            self._restart_pending = True
        elif restart == "during":
            self.restart_vm()
            raise VmKilled(f"{node.path} restarted the Python VM")

    def _run_callback(self, node: SNode, steps: list, inp: Tree, out: Tree, user: str, context: str,
                      groups: Sequence[str]) -> None:
        from .maapi import Maapi
        if node.actionpoint not in self.actionpoints:
            raise ActionFailed(f"no registered callback for actionpoint {node.actionpoint!r}")
        handler, _app = self.actionpoints[node.actionpoint]
        cb = getattr(type(handler), "cb_action", None)
        if cb is None or not getattr(cb, "_ncs_action", False):
            raise ActionFailed(f"{type(handler).__name__}.cb_action lacks @ncs.dp.Action.action")
        # The northbound user's session: its usid is in uinfo, and the package may
        # start transactions in it (Maapi.start_*_trans(usid=...)).
        m = Maapi()
        m.start_user_session(user, context, groups)
        session = m._sock.session
        trans = m.start_read_trans(db=_ncs.RUNNING)
        trans._read_only_reason = "the action's transaction is read-only"
        uinfo = _ncs.UserInfo(user, context, session.usid, trans.th)
        name = _ncs.XmlTag(node.ns, node.name)
        kp = _ncs.HKeypathRef(keypath(steps[:-1]))
        try:
            ret = handler.cb_action(uinfo, name, kp, ActionParams(Params(inp, self), inp.root, "/"),
                                    ActionParams(Params(out, self), out.root, "/"), trans)
        except Exception as exc:  # NSO reports a Python exception as the action's error
            raise ActionFailed(f"Python cb_action error. {exc}") from exc
        finally:
            trans.finish()
            m.end_user_session()
        if ret == _ncs.CONFD_ERR:
            raise ActionFailed(self.action_errors.pop(uinfo.usid, "action failed"))


# ---- dict <-> tree for action parameters ------------------------------------------

def _yang_name(snode: SNode, key: str) -> SNode:
    for cand in (key, key.replace("_", "-")):
        if cand in snode.children:
            return snode.children[cand]
    raise SchemaError(f"{snode.path}: no parameter {key!r}")


def fill_tree(tree: Tree, snode: SNode, data: dict, values: Mapping[str, Any]) -> None:
    for key, value in values.items():
        ch = _yang_name(snode, key)
        if value is None:
            continue
        choice.choose(ch, data)
        if ch.kind == "leaf":
            data[ch.name] = ch.type.parse(value, ch.path)
        elif ch.kind == "leaf-list":
            data[ch.name] = [ch.type.parse(v, ch.path) for v in value]
        elif ch.kind == "container":
            fill_tree(tree, ch, data.setdefault(ch.name, {}), value)
        elif ch.kind == "list":
            entries = data.setdefault(ch.name, {})
            for item in value:
                item = {k.replace("_", "-"): v for k, v in item.items()}
                keys = tuple(ch.children[k].type.parse(item[k], ch.path) for k in ch.keys)
                entry = entries.setdefault(keys, dict(zip(ch.keys, keys)))
                fill_tree(tree, ch, entry, {k: v for k, v in item.items() if k not in ch.keys})


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.string
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "as_tuple"):       # Decimal
        return float(value)
    return value


def tree_to_dict(snode: SNode, data: dict) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    for ch in snode.data_children():
        key = Tree._key(ch)
        if key not in data:
            continue
        if ch.kind in ("leaf", "leaf-list"):
            out[ch.name] = _plain(data[key])
        elif ch.kind == "container":
            out[ch.name] = tree_to_dict(ch, data[key])
        else:
            out[ch.name] = [tree_to_dict(ch, e) for e in data[key].values()]
    return out
