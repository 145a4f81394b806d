"""Stand-in for `ncs.experimental` (pyapi/ncs.experimental.md): Query.

As in NSO, the module must be imported explicitly (`import ncs.experimental`):
`import ncs` alone does not offer it (install() loads it on import only).
"""
from __future__ import annotations

from typing import Any, Iterator, List, Optional, Sequence

from . import maapi as _maapi

__all__ = ["Query"]


class Query:
    """Runs an XPath query over a transaction in chunks: query_start, then
    query_result per chunk until an empty one, then query_stop (_ncs.maapi calls on
    the transaction's MAAPI socket, as NSO's does)."""

    def __init__(self, trans: Any, expr: str, context_node: str, select: Sequence[str], chunk_size: int = 1000,
                 initial_offset: int = 1, result_as: int = 3, sort: Sequence[str] = []) -> None:
        self._sock = trans.maapi._sock
        self._qh: Optional[int] = _maapi.query_start(self._sock, trans.th, expr, context_node, chunk_size,
                                                     initial_offset, result_as, list(select), list(sort))
        self._rows: List[Any] = []

    def next(self) -> Any:
        if not self._rows:
            if self._qh is None:
                raise StopIteration
            res = _maapi.query_result(self._sock, self._qh)
            if res.nresults == 0:
                raise StopIteration
            self._rows = list(res)
        return self._rows.pop(0)

    __next__ = next

    def __iter__(self) -> Iterator[Any]:
        return self

    def stop(self) -> None:
        if self._qh is not None:
            _maapi.query_stop(self._sock, self._qh)
            self._qh = None

    def __enter__(self) -> "Query":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()
