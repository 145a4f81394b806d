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
from . import runtime
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
        self.double, self.msg = double, msg
        self.span_id = f"span-{len(double.progress)}"
        self.trace_id = "trace-double"
        double.progress.append(("start", msg))

    def end(self, annotation: Optional[str] = None) -> None:
        self.double.progress.append(("end", self.msg))

    def __enter__(self) -> "ProgressSpan":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.end()


class _Progress:
    double: Any

    def start_progress_span(self, msg: str, verbosity: int = 0, attrs: Any = None,
                            links: Any = None, path: Optional[str] = None) -> ProgressSpan:
        return ProgressSpan(self.double, msg)

    def progress_info(self, msg: str, verbosity: int = 0, attrs: Any = None,
                      links: Any = None, path: Optional[str] = None) -> None:
        self.double.progress.append(("info", msg))


class Maapi(_Progress):
    def __init__(self, ip: str = "127.0.0.1", port: int = 4569, path: Optional[str] = None,
                 msock: Any = None, load_schemas: bool = True) -> None:
        self.double = runtime.current()
        self.msock = object()
        self.user: Optional[str] = None
        self.context = "system"
        self.usid = 0

    def __enter__(self) -> "Maapi":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        pass

    def start_user_session(self, user: str, context: str, groups: Sequence[str] = (),
                           src_ip: str = "127.0.0.1", src_port: int = 0, proto: int = 1,
                           vendor: Any = None, product: Any = None, version: Any = None,
                           client_id: Any = None, path: Any = None) -> None:
        self.user, self.context = user, context
        self.usid = self.double.new_usid()

    def end_user_session(self) -> None:
        self.user = None

    def start_read_trans(self, db: int = RUNNING, usid: int = 0, flags: int = 0, **kw: Any) -> "Transaction":
        return Transaction(self, db, READ)

    def start_write_trans(self, db: int = RUNNING, usid: int = 0, flags: int = 0, **kw: Any) -> "Transaction":
        return Transaction(self, db, READ_WRITE)

    def start_trans(self, rw: int, db: int = RUNNING, usid: int = 0, flags: int = 0, **kw: Any) -> "Transaction":
        return Transaction(self, db, rw)

    def attach(self, ctx_or_th: Any, hashed_ns: int = 0, usid: int = 0) -> "Transaction":
        th = ctx_or_th if isinstance(ctx_or_th, int) else getattr(ctx_or_th, "th", ctx_or_th)
        return self.double.transactions[th]

    def detach(self, ctx_or_th: Any) -> None:
        pass

    def install_crypto_keys(self) -> None:
        self.double.count("install_crypto_keys")
        self.double.crypto_keys_installed = True

    # maagic on a Maapi (no transaction) can only call actions
    def _bk_action(self, path: str, inp: Tree) -> Tree:
        return self.double.invoke_action(path, inp, user=self.user or "system", context=self.context)


class Session:
    def __init__(self, maapi: Maapi, user: str, context: str, groups: Sequence[str] = (), **kw: Any) -> None:
        self.maapi = maapi
        maapi.start_user_session(user, context, groups)

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.maapi.end_user_session()


class Transaction(_Progress):
    """A MAAPI transaction. Writes go to a private copy and reach CDB on apply()."""

    def __init__(self, maapi: Maapi, db: int = RUNNING, rw: int = READ, read_only_reason: str = "") -> None:
        if db not in (RUNNING, OPERATIONAL):
            raise _ncs.Error(_ncs.ERR_PROTOUSAGE, f"the double supports RUNNING and OPERATIONAL, not db={db}")
        self.maapi = maapi
        self.double = maapi.double
        self.db, self.rw = db, rw
        self.read_only_reason = read_only_reason
        self.th = self.double.register_trans(self)
        self._tree = Tree(self.double.tree.root, dict(self.double.tree.data))
        self._touched: set = set()
        self._log: List[tuple] = []
        self._queries: dict = {}
        self.finished = False
        self.double.count("start_trans")

    # ---- context manager / lifecycle ------------------------------------
    def __enter__(self) -> "Transaction":
        return self

    def __exit__(self, *exc: Any) -> None:
        if not self.finished:
            self.finish()

    def finish(self) -> None:
        self.finished = True
        self.double.transactions.pop(self.th, None)

    def apply(self, keep_open: bool = True, flags: int = 0) -> None:
        self._check_open()
        self.double.count("apply")
        self.double.commit(self.db, self._log)
        self._log = []

    # ---- the data API ---------------------------------------------------
    def _check_open(self) -> None:
        if self.finished:
            raise _ncs.Error(_ncs.ERR_PROTOUSAGE, "transaction is finished")

    def _resolve(self, path: str) -> List[Step]:
        self._check_open()
        try:
            return self._tree.resolve(str(path))
        except (SchemaError, NotFound) as exc:
            raise _err(exc) from None

    def _writable(self, path: str, steps: List[Step]) -> None:
        if self.rw != READ_WRITE:
            raise _ncs.Error(_ncs.ERR_NOT_WRITABLE,
                             f"{path}: {self.read_only_reason or 'read-only transaction'}")
        node = steps[-1][0]
        if self.db == RUNNING and not node.config:
            raise _ncs.Error(_ncs.ERR_NOT_WRITABLE, f"{path}: config false node written in RUNNING")
        if self.db == OPERATIONAL and node.config:
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
        self.double.count("get_elem")
        return _ncs.Value(self._do("get", path))

    def set_elem(self, value: Any, path: Any) -> None:
        """Like NSO: a Value is taken as is, anything else as its str() (so True -> 'True')."""
        self.double.count("set_elem")
        v = value._v if isinstance(value, _ncs.Value) else str(value)
        self._do("set", path, v)

    def set_elem2(self, value: str, path: Any) -> None:
        self.set_elem(str(value), path)

    def create(self, path: Any) -> None:
        self.double.count("create")
        self._do("create", path)

    def delete(self, path: Any) -> None:
        self.double.count("delete")
        self._do("delete", path)

    def exists(self, path: Any) -> bool:
        self.double.count("exists")
        return bool(self._do("exists", path))

    def num_instances(self, path: Any) -> int:
        self.double.count("num_instances")
        return len(self._do("keys", path))

    # ---- XPath queries ---------------------------------------------------
    def query_start(self, expr: str, context_node: str = "/", chunk_size: int = 0,
                    initial_offset: int = 1, result_as: int = _ncs.QUERY_TAG_VALUE,
                    select: Sequence[str] = (), sort: Sequence[str] = ()) -> int:
        self._check_open()
        self.double.count("query_start")
        rows = evaluate(self._tree, expr, context_node, list(select), result_as)
        qh = len(self._queries) + 1
        self._queries[qh] = [rows[max(initial_offset, 1) - 1:], chunk_size or len(rows) or 1,
                             max(initial_offset, 1), result_as]
        return qh

    def query_result(self, qh: int) -> "QueryResult":
        self.double.count("query_result")
        state = self._queries[qh]
        rows, size, offset, kind = state
        chunk, state[0] = rows[:size], rows[size:]
        state[2] = offset + len(chunk)
        return QueryResult(chunk, offset, kind)

    def query_stop(self, qh: int) -> None:
        self._queries.pop(qh, None)

    # ---- backend for maagic ----------------------------------------------
    def _bk_get(self, path: str) -> Any:
        self.double.count("get_elem")
        try:
            return self._do("get", path)
        except _ncs.Error as exc:
            if exc.confd_errno == _ncs.ERR_NOEXISTS:
                return None
            raise

    def _bk_set(self, path: str, value: Any) -> None:
        self.double.count("set_elem")
        self._do("set", path, value)

    def _bk_create(self, path: str) -> None:
        self.create(path)

    def _bk_delete(self, path: str) -> None:
        self.delete(path)

    def _bk_exists(self, path: str) -> bool:
        return self.exists(path)

    def _bk_keys(self, path: str) -> list:
        keys = self._do("keys", path)
        self.double.count("get_next", len(keys) + 1)   # a cursor: one call per entry + end
        return keys

    def _bk_num(self, path: str) -> int:
        return self.num_instances(path)

    def _bk_action(self, path: str, inp: Tree) -> Tree:
        return self.double.invoke_action(path, inp, user=self.maapi.user or "system",
                                         context=self.maapi.context)

    @property
    def _bk_root(self) -> SNode:
        return self._tree.root


class QueryResult:
    def __init__(self, rows: list, offset: int, kind: int) -> None:
        self._rows = rows
        self.nresults = len(rows)
        self.offset = offset
        self.type = kind
        self.nelements = len(rows[0]) if rows else 0

    def __iter__(self) -> Iterator[list]:
        return iter(self._rows)

    def __len__(self) -> int:
        return self.nresults


class Query:
    """`ncs.maapi.Query`: iterate an XPath query in chunks (context manager)."""

    def __init__(self, trans: Transaction, expr: str, context_node: str, select: Sequence[str],
                 chunk_size: int = 1000, initial_offset: int = 1,
                 result_as: int = _ncs.QUERY_TAG_VALUE, sort: Sequence[str] = ()) -> None:
        self.trans = trans
        self.qh = trans.query_start(expr, context_node, chunk_size, initial_offset, result_as, select, sort)

    def __iter__(self) -> Iterator[list]:
        while True:
            res = self.trans.query_result(self.qh)
            if res.nresults == 0:
                return
            yield from res

    def stop(self) -> None:
        self.trans.query_stop(self.qh)

    def __enter__(self) -> "Query":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


@contextlib.contextmanager
def single_read_trans(user: str, context: str, groups: Sequence[str] = (), db: int = RUNNING,
                      **kw: Any) -> Iterator[Transaction]:
    with Maapi() as m:
        with Session(m, user, context, groups):
            with m.start_read_trans(db=db) as t:
                yield t


@contextlib.contextmanager
def single_write_trans(user: str, context: str, groups: Sequence[str] = (), db: int = RUNNING,
                       **kw: Any) -> Iterator[Transaction]:
    """Like NSO: nothing is written unless the body calls t.apply()."""
    with Maapi() as m:
        with Session(m, user, context, groups):
            with m.start_write_trans(db=db) as t:
                yield t


def retry_on_conflict(retries: int = 10, log: Any = None):
    """The double has no conflicts; the decorator just calls the function."""
    def deco(fn):
        @functools.wraps(fn)
        def wrapper(*a: Any, **kw: Any) -> Any:
            return fn(*a, **kw)
        return wrapper
    return deco


CommitParams = dict   # placeholder: apply_params is not emulated
