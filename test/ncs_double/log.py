"""Stand-in for `ncs.log`: Log wraps a logging.Logger (pytest's caplog sees it)."""
from __future__ import annotations

import logging
from typing import Any


class Log:
    def __init__(self, logobject: Any, add_timestamp: bool = False) -> None:
        self._log = logobject if logobject is not None else logging.getLogger("ncs")

    def debug(self, *args: Any) -> None:
        self._log.debug(" ".join(str(a) for a in args))

    def info(self, *args: Any) -> None:
        self._log.info(" ".join(str(a) for a in args))

    def warning(self, *args: Any) -> None:
        self._log.warning(" ".join(str(a) for a in args))

    def error(self, *args: Any) -> None:
        self._log.error(" ".join(str(a) for a in args))

    def critical(self, *args: Any) -> None:
        self._log.critical(" ".join(str(a) for a in args))

    def exception(self, *args: Any) -> None:
        self._log.exception(" ".join(str(a) for a in args))
