"""The package's Application: registers one handler per actionpoint, nothing more.

setup() must stay quick and side-effect free: NSO waits for it while starting the
package, and an exception there marks the package as failed. The audit catalog
is therefore written by the first audit (see audit_action.store), not here.
"""
from __future__ import annotations

import importlib
import sys
from typing import Any, Dict, Optional

import ncs

# actionpoint (tailf:actionpoint in secure-deploy.yang) -> "module.Class" of its
# handler. test_nso_main checks this against the YANG in both directions. The
# key-rotation handlers belong to the rotation code; until their module exists
# they are skipped with a log line (the CLI then reports "no registered callback").
ROTATION_MODULE = "secure_deploy.nso.rotation_actions"
NOTIFY_MODULE = "secure_deploy.nso.notify"
ACTIONPOINTS: Dict[str, str] = {
    "secure-deploy-audit": "secure_deploy.nso.actions.AuditAction",
    "secure-deploy-report": "secure_deploy.nso.actions.ReportAction",
    "secure-deploy-harden-plan": "secure_deploy.nso.actions.HardenPlanAction",
    "secure-deploy-keys-rotate": "secure_deploy.nso.rotation_actions.RotateAction",
    "secure-deploy-keys-status": "secure_deploy.nso.rotation_actions.StatusAction",
}


def handler_class(path: str) -> Optional[Any]:
    """The class named by `path`, or None when its module does not exist (yet)."""
    module, _, name = path.rpartition(".")
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as e:
        if e.name == module:
            return None
        raise
    return getattr(mod, name)


class Main(ncs.application.Application):
    def setup(self) -> None:
        self.log.info("secure-deploy: registering actions")
        # The notification daemon starts at the first audit run, not here; it
        # announces its thread through this Application (notify.Notifier).
        importlib.import_module(NOTIFY_MODULE).NOTIFIER.app = self
        for point, path in ACTIONPOINTS.items():
            cls = handler_class(path)
            if cls is None:
                self.log.warning(f"secure-deploy: {path} not found, actionpoint {point} not served")
                continue
            self.register_action(point, cls)
        # Coordination point for the key-rotation code: DESIGN.md has Main finish a
        # rotation interrupted by the VM restart of /key-rotation/apply-new-keys. If
        # the rotation module provides `resume_pending(log, app)`, it is called here;
        # it announces its thread through `app` (nso-python-vm.md).
        try:
            rot = importlib.import_module(ROTATION_MODULE)
        except ModuleNotFoundError as e:
            if e.name != ROTATION_MODULE:
                raise
            rot = None
        resume = getattr(rot, "resume_pending", None)
        if callable(resume):
            resume(self.log, self)

    def teardown(self) -> None:
        notify = sys.modules.get(NOTIFY_MODULE)
        if notify is not None:
            notify.NOTIFIER.stop()      # the notification daemon, if a run started it
        rot = sys.modules.get(ROTATION_MODULE)
        stop = getattr(rot, "stop_resume", None)
        if callable(stop):
            stop()
        self.log.info("secure-deploy: stopped")
