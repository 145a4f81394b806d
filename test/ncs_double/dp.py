"""Stand-in for `ncs.dp`: the Action base class and its `action` decorator."""
from __future__ import annotations

import functools
from typing import Any, Callable


class Action:
    """Base class of action handlers, instantiated once by register_action()."""

    def __init__(self, daemon: Any, actionpoint: str, log: Any = None, init_args: Any = None) -> None:
        self.daemon = daemon
        self.actionpoint = actionpoint
        self.log = log if log is not None else getattr(daemon, "log", None)
        self.init(init_args)

    def init(self, init_args: Any) -> None:
        """Override to use init_args."""

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    @staticmethod
    def action(fn: Callable) -> Callable:
        """Marks cb_action(self, uinfo, name, kp, input, output, trans).

        In NSO the decorator turns the raw C arguments into maagic nodes and a
        read-only Transaction; the double passes those directly, so it only marks.
        """
        @functools.wraps(fn)
        def wrapper(self: Any, uinfo: Any, name: Any, kp: Any, input: Any, output: Any,
                    trans: Any = None) -> Any:
            return fn(self, uinfo, name, kp, input, output, trans)
        wrapper._ncs_action = True  # type: ignore[attr-defined]
        return wrapper


class Daemon:
    def __init__(self, name: str, log: Any = None) -> None:
        self.name = name
        self.log = log
