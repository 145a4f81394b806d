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


class _DaemonCtx:
    """What Daemon.ctx() returns (the dx of the _ncs.dp functions)."""

    def __init__(self, daemon: "Daemon") -> None:
        self.daemon = daemon


class _WorkerSocket:
    """Daemon.wsock: the daemon's connected worker socket."""


class Daemon:
    """`ncs.dp.Daemon` (pyapi/ncs.dp.md): no thread or socket, only the lifecycle the
    double checks: registrations (e.g. notification streams) happen before start(),
    which calls register_done; finish() ends it."""

    def __init__(self, name: str, log: Any = None, ip: str = "127.0.0.1", port: int = 4569, path: Any = None,
                 state_mgr: Any = None) -> None:
        self.name = name
        self.log = log
        self._ctx = _DaemonCtx(self)
        self._wsock = _WorkerSocket()
        self.started = False
        self.finished = False
        self.schemas_loaded = False

    def ctx(self) -> Any:
        return self._ctx

    @property
    def wsock(self) -> Any:
        return self._wsock

    def load_schemas(self) -> None:
        self.schemas_loaded = True

    def start(self) -> None:
        if self.started:
            raise RuntimeError("threads can only be started once")
        self.started = True

    def finish(self) -> None:
        self.finished = True

    def is_alive(self) -> bool:
        return self.started and not self.finished
