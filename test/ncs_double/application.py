"""Stand-in for `ncs.application`: the Application base class of a package component."""
from __future__ import annotations

import logging
from typing import Any, Dict, Tuple

from . import runtime
from .dp import Daemon
from .log import Log


class Application:
    """NSO instantiates the component class, calls setup(), and teardown() on stop."""

    def __init__(self, *args: Any, **kwds: Any) -> None:
        self.log = Log(logging.getLogger(f"ncs-python-vm.{type(self).__name__}"))
        self._daemon = Daemon(type(self).__name__, self.log)
        self._actions: Dict[str, Any] = {}
        self._services: Dict[str, Tuple[Any, Any]] = {}

    def setup(self) -> None:
        """Override: register callbacks."""

    def teardown(self) -> None:
        """Override: release resources."""

    def register_action(self, actionpoint: str, action_cls: Any, init_args: Any = None) -> None:
        handler = action_cls(self._daemon, actionpoint, log=self.log, init_args=init_args)
        self._actions[actionpoint] = handler
        runtime.current().register_actionpoint(actionpoint, handler, self)

    def register_service(self, servicepoint: str, service_cls: Any, init_args: Any = None) -> None:
        self._services[servicepoint] = (service_cls, init_args)

    def add_running_thread(self, class_name: str) -> None:
        """Announce a thread the package started (nso-python-vm.md): recorded on the
        double as ("add", class_name) in `d.thread_log`."""
        runtime.current().thread_log.append(("add", class_name))

    def del_running_thread(self, class_name: str) -> None:
        runtime.current().thread_log.append(("del", class_name))

    def register_fun(self, start_fun: Any, stop_fun: Any) -> None:
        self._services[f"fun-{len(self._services)}"] = (start_fun, stop_fun)
        start_fun(self._daemon)
