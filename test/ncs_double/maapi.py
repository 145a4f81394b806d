"""Stand-in for `ncs.maapi`: Maapi, Session, Transaction, single_*_trans, Query.

Every call that would be a MAAPI round trip in NSO is counted on the double
(`double.calls[op]`, `double.round_trips`). Writes are checked against the schema
and against the datastore of the transaction: config-false nodes only in
OPERATIONAL, config nodes only in RUNNING.
"""
from __future__ import annotations

import contextlib
import copy
import functools
from typing import Any, Iterator, List, Optional, Sequence

from . import lowlevel as _ncs
from . import manifest, runtime
from .schema import SchemaError, SNode
from .tree import NotFound, Step, Tree, keypath
from .xpath import evaluate

RUNNING, OPERATIONAL = _ncs.RUNNING, _ncs.OPERATIONAL
READ, READ_WRITE = _ncs.READ, _ncs.READ_WRITE


def _err(exc: Exception) -> _ncs.Error:
    if isinstance(exc, NotFound):
        return _ncs.Error(_ncs.ERR_NOEXISTS, f"item does not exist: {exc}")
    if isinstance(exc, SchemaError) and "bad value" in str(exc):
        return _ncs.Error(_ncs.ERR_BADTYPE, str(exc))
    return _ncs.Error(_ncs.ERR_BADPATH, f"Bad path element: {exc}")


class ProgressSpan:
    def __init__(self, double: Any, msg: str) -> None:
        self._double, self.msg = double, msg
        self.span_id = f"span-{len(double.progress)}"
        self.trace_id = "trace-double"
        double.progress.append(("start", msg))

    def end(self, annotation: Optional[str] = None) -> None:
        self._double.progress.append(("end", self.msg))

    def __enter__(self) -> "ProgressSpan":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.end()


class _Progress:
    _double: Any

    def start_progress_span(self, msg: str, verbosity: int = 0, attrs: Any = None,
                            links: Any = None, path: Optional[str] = None) -> ProgressSpan:
        return ProgressSpan(self._double, msg)

    def progress_info(self, msg: str, verbosity: int = 0, attrs: Any = None,
                      links: Any = None, path: Optional[str] = None) -> None:
        self._double.progress.append(("info", msg))


class _Socket:
    """Stands for a MAAPI socket: the low-level calls take it as first argument."""

    def __init__(self, double: Any) -> None:
        self.double = double
        self.session: Optional["_UserSession"] = None


class _UserSession:
    """A user session as NSO keeps it: user, context, groups (usid -> this)."""

    def __init__(self, usid: int, user: str, context: str, groups: Sequence[str]) -> None:
        self.usid, self.user, self.context, self.groups = usid, user, context, tuple(groups)


def _forward(fn: Any, *bound: Any) -> Any:
    @functools.wraps(fn)
    def call(*args: Any, **kw: Any) -> Any:
        return fn(*bound, *args, **kw)
    return call


class Maapi(_Progress):
    """`ncs.maapi.Maapi` (pyapi/ncs.maapi.md). Like NSO, calls this class does not define
    go to the `_ncs.maapi` function of that name with the socket as first argument
    (NSO-FACTS section 7); the double's `_ncs.maapi` has only the functions it emulates."""

    def __init__(self, ip: str = "127.0.0.1", port: int = 4569, path: Optional[str] = None,
                 load_schemas: bool = True, msock: Any = None) -> None:
        self._double = runtime.current()
        self._sock = _Socket(self._double)

    def __getattr__(self, name: str) -> Any:
        fn = LOWLEVEL.get(name) if not name.startswith("_") else None
        if fn is None:
            raise AttributeError(f"'Maapi' object has no attribute {name!r}")
        return _forward(fn, self._sock)

    def __enter__(self) -> "Maapi":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        pass

    def start_user_session(self, user: str, context: str, groups: Sequence[str] = [],
                           src_ip: str = "127.0.0.1", src_port: int = 0, proto: int = 1,
                           vendor: Any = None, product: Any = None, version: Any = None,
                           client_id: Any = None, path: Any = None) -> None:
        self._sock.session = self._double.new_session(user, context, groups)

    def end_user_session(self) -> None:
        if self._sock.session is not None:
            self._double.sessions.pop(self._sock.session.usid, None)
        self._sock.session = None

    def _session_for(self, usid: int) -> "_UserSession":
        """The session a new transaction runs in: `usid`'s, else this socket's own.

        NSO refuses a transaction without a user session (ERR_NOSESSION)."""
        if usid:
            if usid not in self._double.sessions:
                raise _ncs.Error(_ncs.ERR_NOSESSION, f"no user session {usid}")
            return self._double.sessions[usid]
        if self._sock.session is None:
            raise _ncs.Error(_ncs.ERR_NOSESSION, "no user session on this MAAPI socket")
        return self._sock.session

    def start_read_trans(self, db: int = RUNNING, usid: int = 0, flags: int = 0, vendor: Any = None,
                         product: Any = None, version: Any = None, client_id: Any = None) -> "Transaction":
        return self.start_trans(READ, db, usid, flags)

    def start_write_trans(self, db: int = RUNNING, usid: int = 0, flags: int = 0, vendor: Any = None,
                          product: Any = None, version: Any = None, client_id: Any = None) -> "Transaction":
        return self.start_trans(READ_WRITE, db, usid, flags)

    def start_trans(self, rw: int, db: int = RUNNING, usid: int = 0, flags: int = 0, vendor: Any = None,
                    product: Any = None, version: Any = None, client_id: Any = None) -> "Transaction":
        t = Transaction(self, rw=rw, db=db)
        t._session = s = self._session_for(usid)
        self._double.trans_sessions.append((s.user, s.context, s.groups))
        return t

    def attach(self, ctx_or_th: Any, hashed_ns: int = 0, usid: int = 0) -> "Transaction":
        th = ctx_or_th if isinstance(ctx_or_th, int) else getattr(ctx_or_th, "th", ctx_or_th)
        return self._double.transactions[th]

    def detach(self, ctx_or_th: Any) -> None:
        pass

    # maagic on a Maapi (no transaction) can only call actions
    def _bk_action(self, path: str, inp: Tree) -> Tree:
        s = self._sock.session
        if s is None:   # request_action needs a user session on the socket
            raise _ncs.Error(_ncs.ERR_NOSESSION, f"{path}: no user session on this MAAPI socket")
        return self._double.invoke_action(path, inp, user=s.user, context=s.context, groups=s.groups)


class Session:
    """`ncs.maapi.Session`: a user session on a Maapi for the `with` block."""

    def __init__(self, maapi: Maapi, user: str, context: str, groups: Sequence[str] = [],
                 src_ip: str = "127.0.0.1", src_port: int = 0, proto: int = 1, vendor: Any = None,
                 product: Any = None, version: Any = None, client_id: Any = None, path: Any = None) -> None:
        self._maapi = maapi
        maapi.start_user_session(user, context, groups, src_ip, src_port, proto)

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        self._maapi.end_user_session()


class Transaction(_Progress):
    """`ncs.maapi.Transaction`. Writes go to a private copy and reach CDB on apply().

    Like NSO's, it forwards only calls that take a transaction handle (the Maapi
    methods and `_ncs.maapi` functions whose parameters start `(sock, thandle)`),
    so `query_start` is offered and `query_result`/`query_stop` (which take the
    socket and a query handle) are not (pyapi/_ncs.maapi.md)."""

    def __init__(self, maapi: Maapi, th: Optional[int] = None, rw: Optional[int] = None, db: int = RUNNING,
                 vendor: Any = None, product: Any = None, version: Any = None, client_id: Any = None) -> None:
        if th is not None:
            raise _ncs.Error(_ncs.ERR_PROTOUSAGE, "the double does not wrap existing handles: use attach()")
        if db not in (RUNNING, OPERATIONAL):
            raise _ncs.Error(_ncs.ERR_PROTOUSAGE, f"the double supports RUNNING and OPERATIONAL, not db={db}")
        self.maapi = maapi
        self._double = maapi._double
        self._db, self._rw = db, rw if rw is not None else READ
        self._read_only_reason = ""
        self._session: Optional[_UserSession] = maapi._sock.session
        self.th = self._double.register_trans(self)
        self._tree = Tree(self._double.tree.root, dict(self._double.tree.data))
        self._touched: set = set()
        self._log: List[tuple] = []
        self._finished = False
        self._double.count("start_trans")

    def __getattr__(self, name: str) -> Any:
        fn = LOWLEVEL.get(name) if not name.startswith("_") else None
        if fn is None or name not in _TRANS_FORWARDED:
            raise AttributeError(f"'Transaction' object has no attribute {name!r}")
        return _forward(fn, self.maapi._sock, self.th)

    # ---- context manager / lifecycle ------------------------------------
    def __enter__(self) -> "Transaction":
        return self

    def __exit__(self, *exc: Any) -> None:
        if not self._finished:
            self.finish()

    def finish(self) -> None:
        self._finished = True
        self._double.transactions.pop(self.th, None)

    def apply(self, keep_open: bool = True, flags: int = 0) -> None:
        self._check_open()
        self._double.count("apply")
        self._double.commit(self._db, self._log)
        self._log = []

    # ---- the data API ---------------------------------------------------
    def _check_open(self) -> None:
        if self._finished:
            raise _ncs.Error(_ncs.ERR_PROTOUSAGE, "transaction is finished")

    def _resolve(self, path: str) -> List[Step]:
        self._check_open()
        try:
            return self._tree.resolve(str(path))
        except (SchemaError, NotFound) as exc:
            raise _err(exc) from None

    def _writable(self, path: str, steps: List[Step]) -> None:
        if self._rw != READ_WRITE:
            raise _ncs.Error(_ncs.ERR_NOT_WRITABLE,
                             f"{path}: {self._read_only_reason or 'read-only transaction'}")
        node = steps[-1][0]
        if self._db == RUNNING and not node.config:
            raise _ncs.Error(_ncs.ERR_NOT_WRITABLE, f"{path}: config false node written in RUNNING")
        if self._db == OPERATIONAL and node.config:
            raise _ncs.Error(_ncs.ERR_NOT_WRITABLE, f"{path}: config node written in OPERATIONAL")
        top = Tree._key(steps[0][0])
        if top not in self._touched:
            self._touched.add(top)
            if top in self._tree.data:
                self._tree.data[top] = copy.deepcopy(self._tree.data[top])

    def _do(self, op: str, path: str, *args: Any) -> Any:
        steps = self._resolve(path)
        if op in ("set", "create", "delete"):
            self._writable(path, steps)
        try:
            result = getattr(self._tree, op)(steps, *args)
        except (SchemaError, NotFound) as exc:
            raise _err(exc) from None
        if op in ("set", "create", "delete"):
            self._log.append((op, keypath(steps)) + args)
        return result

    def get_elem(self, path: Any) -> _ncs.Value:
        self._double.count("get_elem")
        return _ncs.Value(self._do("get", path))

    def set_elem(self, value: Any, path: Any) -> None:
        """Like NSO: a Value is taken as is, anything else as its str() (so True -> 'True')."""
        self._double.count("set_elem")
        v = value._v if isinstance(value, _ncs.Value) else str(value)
        self._do("set", path, v)

    def set_elem2(self, strval: str, path: Any) -> None:
        self.set_elem(str(strval), path)

    def create(self, path: Any) -> None:
        self._double.count("create")
        self._do("create", path)

    def delete(self, path: Any) -> None:
        self._double.count("delete")
        self._do("delete", path)

    def exists(self, path: Any) -> bool:
        self._double.count("exists")
        return bool(self._do("exists", path))

    def num_instances(self, path: Any) -> int:
        self._double.count("num_instances")
        return len(self._do("keys", path))

    # ---- backend for maagic ----------------------------------------------
    def _bk_get(self, path: str) -> Any:
        self._double.count("get_elem")
        try:
            return self._do("get", path)
        except _ncs.Error as exc:
            if exc.confd_errno == _ncs.ERR_NOEXISTS:
                return None
            raise

    def _bk_set(self, path: str, value: Any) -> None:
        self._double.count("set_elem")
        self._do("set", path, value)

    def _bk_create(self, path: str) -> None:
        self.create(path)

    def _bk_delete(self, path: str) -> None:
        self.delete(path)

    def _bk_exists(self, path: str) -> bool:
        return self.exists(path)

    def _bk_keys(self, path: str) -> list:
        keys = self._do("keys", path)
        self._double.count("get_next", len(keys) + 1)   # a cursor: one call per entry + end
        return keys

    def _bk_num(self, path: str) -> int:
        return self.num_instances(path)

    def _bk_action(self, path: str, inp: Tree) -> Tree:
        s = self._session
        assert s is not None
        return self._double.invoke_action(path, inp, user=s.user, context=s.context, groups=s.groups)

    @property
    def _bk_root(self) -> SNode:
        return self._tree.root


class QueryResult:
    """`_ncs.QueryResult`: a chunk of rows; indexing, iteration, len()."""

    def __init__(self, rows: list, offset: int, kind: int) -> None:
        self._rows = rows
        self.nresults = len(rows)
        self.offset = offset
        self.type = kind
        self.nelements = len(rows[0]) if rows else 0

    def __iter__(self) -> Iterator[list]:
        return iter(self._rows)

    def __getitem__(self, i: int) -> list:
        return self._rows[i]

    def __len__(self) -> int:
        return self.nresults


# ---- the low-level `_ncs.maapi` functions the double emulates (pyapi/_ncs.maapi.md) ----

def _trans_of(sock: _Socket, thandle: int) -> Transaction:
    t = sock.double.transactions.get(thandle)
    if t is None or t.maapi._sock is not sock:
        raise _ncs.Error(_ncs.ERR_NOEXISTS, f"no transaction {thandle} on this socket")
    return t


def query_start(sock: _Socket, thandle: int, expr: str, context_node: str, chunk_size: int,
                initial_offset: int, result_as: int, select: Sequence[str], sort: Sequence[str]) -> int:
    t = _trans_of(sock, thandle)
    t._check_open()
    sock.double.count("query_start")
    rows = evaluate(t._tree, expr, context_node, list(select), result_as)
    offset = max(initial_offset, 1)
    return sock.double.new_query(sock, [rows[offset - 1:], chunk_size or len(rows) or 1, offset, result_as])


def query_result(sock: _Socket, qh: int) -> QueryResult:
    sock.double.count("query_result")
    state = sock.double.query_state(sock, qh)
    rows, size, offset, kind = state
    chunk, state[0] = rows[:size], rows[size:]
    state[2] = offset + len(chunk)
    return QueryResult(chunk, offset, kind)


def query_stop(sock: _Socket, qh: int) -> None:
    sock.double.query_state(sock, qh)
    sock.double.queries.pop(qh, None)


def get_authorization_info(sock: _Socket, usessid: int) -> "_ncs.AuthorizationInfo":
    """The groups of a user session (pyapi/_ncs.maapi.md)."""
    sock.double.count("get_authorization_info")
    s = sock.double.sessions.get(usessid)
    if s is None:
        raise _ncs.Error(_ncs.ERR_NOEXISTS, f"no user session {usessid}")
    return _ncs.AuthorizationInfo(list(s.groups))


def install_crypto_keys(sock: _Socket) -> None:
    sock.double.count("install_crypto_keys")
    sock.double.crypto_keys_installed = True


def reload_config(sock: _Socket) -> None:
    """NSO re-reads ncs.conf, and with it the external keys (pyapi/_ncs.maapi.md,
    cryptographic-keys.md). The double records the call; tests may set
    `double.on_reload_config` to emulate its effect or an error."""
    sock.double.count("reload_config")
    hook = getattr(sock.double, "on_reload_config", None)
    if hook is not None:
        hook()


LOWLEVEL = {f.__name__: f for f in (query_start, query_result, query_stop, get_authorization_info,
                                     install_crypto_keys, reload_config)}
# Names a Transaction forwards: NSO's rule, from the manifest (tools/nso_api_manifest.py).
_TRANS_FORWARDED = frozenset(manifest.load()["forwarded"]["ncs.maapi.Transaction"])


@contextlib.contextmanager
def single_read_trans(user: str, context: str, groups: Sequence[str] = [], db: int = RUNNING,
                      ip: str = "127.0.0.1", port: int = 4569, path: Any = None, src_ip: str = "127.0.0.1",
                      src_port: int = 0, proto: int = 1, vendor: Any = None, product: Any = None,
                      version: Any = None, client_id: Any = None, load_schemas: bool = True,
                      flags: int = 0) -> Iterator[Transaction]:
    with Maapi() as m:
        with Session(m, user, context, groups):
            with m.start_read_trans(db=db, flags=flags) as t:
                yield t


@contextlib.contextmanager
def single_write_trans(user: str, context: str, groups: Sequence[str] = [], db: int = RUNNING,
                       ip: str = "127.0.0.1", port: int = 4569, path: Any = None, src_ip: str = "127.0.0.1",
                       src_port: int = 0, proto: int = 1, vendor: Any = None, product: Any = None,
                       version: Any = None, client_id: Any = None, load_schemas: bool = True,
                       flags: int = 0) -> Iterator[Transaction]:
    """Like NSO: nothing is written unless the body calls t.apply()."""
    with Maapi() as m:
        with Session(m, user, context, groups):
            with m.start_write_trans(db=db, flags=flags) as t:
                yield t


def retry_on_conflict(retries: int = 10, log: Any = None):
    """The double has no conflicts; the decorator just calls the function."""
    def deco(fn):
        @functools.wraps(fn)
        def wrapper(*a: Any, **kw: Any) -> Any:
            return fn(*a, **kw)
        return wrapper
    return deco
