"""The one active double: the fake `ncs` modules find their datastore here."""
from __future__ import annotations

from typing import Any, Optional

_current: Optional[Any] = None


def current() -> Any:
    if _current is None:
        raise RuntimeError("no NSO double is installed (use the `ncs_double` fixture)")
    return _current


def set_current(double: Optional[Any]) -> None:
    global _current
    _current = double
