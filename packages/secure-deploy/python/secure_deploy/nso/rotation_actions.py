"""/secure-deploy/keys/rotate and /secure-deploy/keys/status, and settling a rotation
that the Python VM restart of /key-rotation/apply-new-keys interrupted.

The handlers stay thin: YANG input -> rotation.Rotator / rotation_status.key_status
-> YANG output. State lives in CDB oper data (rotation_cdb), the NSO steps in
key_ops. Errors become one-sentence action errors (actions.SafeAction); nothing
here ever holds a key: the core hands out fingerprints only.

After a VM restart main.Main.setup() calls `resume_pending(log)`. setup() must stay
light (NSO waits for it, and apply-new-keys is still finishing its upgrade when it
restarts the VMs: step 7 of 8 in cryptographic-keys.md), so resume_pending only
opens a MAAPI connection and starts a daemon thread; after RESUME_DELAY seconds the
thread reads the persisted state and, if a rotation is unfinished, settles it with
/key-rotation/get-active-generation, retrying for RESUME_DEADLINE seconds. The
first keys action settles it too (Rotator.rotate does; StatusAction calls
reconcile), so a thread that could not finish loses nothing.
"""
from __future__ import annotations

import datetime as _dt
import os
import threading
import time
from typing import Any, Callable, Optional

import _ncs
import ncs

from ..errors import UsageError
from ..facts.collect import keys_path, resolve
from ..facts.ncsconf import read_ncs_conf
from ..frozen import frozen
from ..keys.writer import RotationError, RotationInProgress
from ..keys.rotation import RotationOutcome, Rotator
from ..keys.plan import DEFAULT_WAIT_COMMIT_QUEUE
from ..keys.status import KeyStatus, key_status
from ..keys.store import RotationRecord, State
from . import audit_action
from .actions import SafeAction
from .key_ops import MaapiKeyOps, why
from .rotation_cdb import RESULT_OF, CdbRotationStore, fill_record, maapi_trans, user_trans
from .settings import read_settings, sources_for

# apply-new-keys re-encrypts all of CDB, rollbacks and the history log: give the
# action that much on top of the commit-queue wait (NSO's default is PT240S).
APPLY_TIMEOUT_MARGIN_S = 900

# The background settling runs without an invoking user. ("admin", "system") is the
# usual identity of package-internal MAAPI sessions; whether NACM lets it read and
# write this package's oper data on every deployment is UNVERIFIED. If it cannot,
# the record stays as it is and the next keys action (run by an operator) settles it.
RESUME_USER = "admin"
RESUME_CONTEXT = "system"
# Tunables (seconds); the environment variables exist for tests and slow systems.
RESUME_DELAY_ENV, RESUME_DELAY_S = "SECURE_DEPLOY_RESUME_DELAY", 5.0
RESUME_POLL_ENV, RESUME_POLL_S = "SECURE_DEPLOY_RESUME_POLL", 2.0
RESUME_DEADLINE_S = 600.0


def utc_now_iso() -> str:
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()


@frozen
class Target:
    """The keys file a rotation writes and the NSO release it runs under."""

    keys_path: str
    version: str


def keys_file_of(settings: Any, environ: Any, version: str) -> str:
    """settings keys-file, else the external-keys command-argument of ncs.conf."""
    if settings.keys_file:
        return str(settings.keys_file)
    r = resolve(sources_for(settings, environ))
    conf = read_ncs_conf(r.ncs_conf, version, r.env)
    kp = keys_path(r, conf, None)
    if kp is None:
        raise UsageError(f"{r.ncs_conf} keeps the encryption keys inline in ncs.conf; rotation works "
                         "on an external key file: move them out first (`secure-deploy keys migrate`, "
                         "see docs/key-rotation.md)")
    return kp


def target(trans: Any) -> Target:
    """Key file and NSO version, from the package settings and the NSO environment."""
    settings = read_settings(ncs.maagic.get_root(trans).secure_deploy)
    env = dict(os.environ)
    version, _ = audit_action.nso_version(settings, audit_action.runtime_version(trans), env)
    return Target(os.path.realpath(keys_file_of(settings, env, version.version)), version.version)


def _reporter(log: Any, trans: Any) -> Callable[[str], None]:
    def note(msg: str) -> None:
        log.info(f"secure-deploy: {msg}")
        audit_action.info(trans, msg)     # `| details` in the CLI
    return note


# -- rotate -----------------------------------------------------------------------------

def _dry_run_message(out: RotationOutcome) -> str:
    p = out.plan
    kept = ", ".join(map(str, p.kept_generations))
    active = (f"generation {p.from_generation} (active, fingerprint {p.old_fingerprint})"
              if p.from_generation is not None else f"generations {kept}")
    # The backup path is the one this rotation would use (<keys>.bak-<rotation-id>); a
    # real run gets a new id, so the same pattern with another time tag.
    text = [f"dry run: nothing changed. A rotation would write generation {p.to_generation} "
            f"({', '.join(p.new_key_names)}) to {p.keys_path}, keep {active}, back the file "
            f"up to {p.backup_path}, run `ncs --reload` and "
            f"/key-rotation/apply-new-keys new-key-generation {p.to_generation} wait-commit-queue "
            f"{p.wait_commit_queue}."]
    if p.dropped_generations:
        text.append(f"Inactive generations dropped from the file: {', '.join(map(str, p.dropped_generations))}.")
    if p.migrates_legacy:
        text.append("The legacy file becomes EXTERNAL_KEY_FORMAT=2 with the current keys as generation -1.")
    text.extend(f"Note: {n}." for n in p.notes)
    return " ".join(text)


def fill_rotate_output(output: Any, out: RotationOutcome) -> None:
    p = out.plan
    output.old_generation = p.from_generation
    output.old_fingerprint = p.old_fingerprint
    if out.dry_run or out.record is None:
        # The keys a dry run generated are thrown away: no fingerprint, no backup.
        output.result = True
        output.new_generation = p.to_generation
        output.message = _dry_run_message(out)
        return
    rec = out.record
    done = rec.state is State.COMPLETED
    output.result = done
    output.new_generation = rec.to_generation if done else rec.from_generation
    output.new_fingerprint = rec.new_fingerprint or None
    output.backup_path = rec.backup_path or None
    earlier = (f" (first settled the unfinished rotation {out.reconciled.id}: "
               f"{out.reconciled.state.value})") if out.reconciled is not None else ""
    output.message = f"rotation {rec.id} {rec.state.value}: {rec.message}{earlier}"


class RotateAction(SafeAction):
    """/secure-deploy/keys/rotate"""

    def handle(self, uinfo: Any, name: str, kp: Any, input: Any, output: Any, trans: Any) -> None:
        dry = bool(input.dry_run)
        wait = int(input.wait_commit_queue) if input.wait_commit_queue is not None else DEFAULT_WAIT_COMMIT_QUEUE
        reason = str(input.reason) if input.reason is not None else ""
        _ncs.dp.action_set_timeout(uinfo, wait + APPLY_TIMEOUT_MARGIN_S)
        tgt = target(trans)
        store = CdbRotationStore(user_trans(uinfo), keys_path=tgt.keys_path)
        note = _reporter(self.log, trans)
        ops = MaapiKeyOps(uinfo.username, uinfo.context, caller=uinfo, log=note)
        rot = Rotator(store, ops, now=utc_now_iso, log=note)
        with audit_action.span(trans, "secure-deploy key rotation"):
            try:
                out = rot.rotate(tgt.keys_path, version=tgt.version, user=uinfo.username,
                                 reason=reason, dry_run=dry, wait_commit_queue=wait)
            except RotationInProgress as e:
                if dry and "unfinished" in str(e):
                    raise RotationInProgress(f"{e}; `secure-deploy keys status` settles it") from None
                raise
        fill_rotate_output(output, out)
        self.log.info(f"secure-deploy keys rotate by {uinfo.username}: "
                      f"{'dry run' if out.dry_run else out.record.state.value if out.record else '?'}")


# -- status -----------------------------------------------------------------------------

def settle_if_unfinished(store: CdbRotationStore, ops: MaapiKeyOps, log: Any) -> Optional[RotationRecord]:
    """Settle a rotation left unfinished; a running one (lock held) is left alone.

    Never raises: status must answer even when settling cannot be done now. Every
    failure is logged as one sentence and the record stays for a later try."""
    try:
        cur = store.current()
        if cur is None or cur.state.terminal:
            return None
        return Rotator(store, ops, now=utc_now_iso, log=lambda m: log.info(f"secure-deploy: {m}")).reconcile()
    except RotationInProgress:
        return None
    except RotationError as e:
        log.warning(f"secure-deploy: {e}")
        return None
    except Exception as e:  # noqa: BLE001 - e.g. a CDB error reading the record
        log.warning(f"secure-deploy: cannot settle the unfinished key rotation now ({why(e)}); "
                    "a later `keys status` tries again")
        return None


def fill_status_output(output: Any, st: KeyStatus) -> None:
    output.active_generation = st.active_generation
    output.loaded_generation = [g.generation for g in st.generations]
    if st.age_days is not None:
        output.key_age_days = st.age_days
    for g in st.generations:
        output.fingerprint.create(g.generation).fingerprint = g.fingerprint
    last = st.last
    if last is None or last.state not in RESULT_OF:
        return
    output.last_rotation.id = last.id
    fill_record(output.last_rotation, last, clear_empty=False)


class StatusAction(SafeAction):
    """/secure-deploy/keys/status"""

    def handle(self, uinfo: Any, name: str, kp: Any, input: Any, output: Any, trans: Any) -> None:
        tgt = target(trans)
        store = CdbRotationStore(user_trans(uinfo), keys_path=tgt.keys_path)
        ops = MaapiKeyOps(uinfo.username, uinfo.context, caller=uinfo)
        settle_if_unfinished(store, ops, self.log)
        try:
            active: Optional[int] = ops.get_active_generation()
        except RotationError as e:
            # Still useful without NSO's answer: key_status falls back to the history.
            self.log.warning(f"secure-deploy keys status: {e}; using the rotation history")
            active = None
        st = key_status(tgt.keys_path, store, now=utc_now_iso(), active_generation=active)
        fill_status_output(output, st)


# -- settling after a VM restart ------------------------------------------------------------

def _env_seconds(name: str, default: float) -> float:
    try:
        return max(0.0, float(os.environ.get(name, default)))
    except ValueError:
        return default


class Resumer(threading.Thread):
    """Settles the rotation a VM restart interrupted, off NSO's package-start path."""

    def __init__(self, maapi: Any, log: Any, *, delay: float, poll: float, deadline: float,
                 app: Any = None) -> None:
        super().__init__(name="secure-deploy-key-rotation-resume", daemon=True)
        self.maapi, self.log = maapi, log
        # The Application, told about this thread while it runs: `show python-vm
        # status current` lists threads a package announces (nso-python-vm.md;
        # add_running_thread/del_running_thread, pyapi/ncs.application.md).
        self.app = app
        self.delay, self.poll, self.deadline = delay, poll, deadline
        self.settled: Optional[RotationRecord] = None
        self.outcome = "running"
        # Set by Main.teardown(): a package reload must not leave a thread polling NSO.
        self.stopping = threading.Event()

    def run(self) -> None:
        try:
            if self.stopping.wait(self.delay):
                self.outcome = "stopped"
                return
            self.outcome = self._settle()
        except Exception as e:  # noqa: BLE001 - a thread must not die with a traceback only
            self.outcome = "error"
            self.log.warning(f"secure-deploy: could not check for an interrupted key rotation "
                             f"({why(e)}); the next `secure-deploy keys status` settles it")
        finally:
            try:
                self.maapi.close()
            except Exception:  # noqa: BLE001
                pass
            if self.app is not None:
                try:
                    self.app.del_running_thread(THREAD_NAME)
                except Exception:  # noqa: BLE001 - bookkeeping only
                    pass

    def _settle(self) -> str:
        """Retry until settled, RESUME_DEADLINE_S passed, or teardown. Every attempt opens
        its own user session and reads the record anew: right after the restart NSO may
        still refuse sessions or CDB access while apply-new-keys ends its upgrade."""
        end = time.monotonic() + self.deadline
        first: Optional[RotationRecord] = None
        last_error = ""
        while True:
            try:
                with ncs.maapi.Session(self.maapi, RESUME_USER, RESUME_CONTEXT):
                    done = self._attempt(first)
                if isinstance(done, str):
                    return done
                first = done                    # unfinished, and now announced
                continue
            except RotationInProgress:
                pass        # the interrupted call is still unwinding, or a new rotation runs
            except Exception as e:  # noqa: BLE001 - RotationError, a refused session, CDB errors
                text = str(e) if isinstance(e, RotationError) else why(e)
                if text != last_error:          # NSO may still be ending apply-new-keys
                    self.log.warning(f"secure-deploy: {text}; retrying")
                    last_error = text
            if time.monotonic() >= end:
                what = (f"key rotation {first.id} stays in state {first.state.value}"
                        if first is not None else "an interrupted key rotation may be unsettled")
                self.log.warning(f"secure-deploy: {what}; `secure-deploy keys status` settles it")
                return "gave up"
            if self.stopping.wait(self.poll):
                return "stopped"

    def _attempt(self, first: Optional[RotationRecord]) -> Any:
        """One try, inside a session. Returns the outcome (str) when done, or the
        unfinished record the first time it is seen (the caller then tries to settle)."""
        store = CdbRotationStore(maapi_trans(self.maapi))
        cur = store.current()
        if first is None:
            if cur is None or cur.state.terminal:
                return "nothing to settle"
            self.log.info(f"secure-deploy: key rotation {cur.id} was interrupted in state "
                          f"{cur.state.value}; settling it")
            return cur
        if cur is None or cur.id != first.id or cur.state.terminal:
            return "settled elsewhere"          # an action settled it meanwhile
        ops = MaapiKeyOps(RESUME_USER, RESUME_CONTEXT, maapi=self.maapi)
        rot = Rotator(store, ops, now=utc_now_iso, log=lambda m: self.log.info(f"secure-deploy: {m}"))
        self.settled = rot.reconcile()
        return "settled" if self.settled is not None else "settled elsewhere"


_RESUMER: Optional[Resumer] = None


THREAD_NAME = "secure-deploy key-rotation resume"


def resume_pending(log: Any, app: Any = None) -> None:
    """Called by main.Main.setup(): start the background settling. Never raises.
    `app` (the Application) is told about the thread (nso-python-vm.md)."""
    global _RESUMER
    try:
        # Opened here so the thread talks to the NSO that started this VM; no session
        # and no transaction yet (setup stays free of CDB access).
        m = ncs.maapi.Maapi()
        r = Resumer(m, log, delay=_env_seconds(RESUME_DELAY_ENV, RESUME_DELAY_S),
                    poll=_env_seconds(RESUME_POLL_ENV, RESUME_POLL_S), deadline=RESUME_DEADLINE_S, app=app)
        if app is not None:
            app.add_running_thread(THREAD_NAME)
        r.start()
        _RESUMER = r
    except Exception as e:  # noqa: BLE001 - the package must start regardless
        log.warning(f"secure-deploy: cannot start the key-rotation check ({why(e)}); the next "
                    "`secure-deploy keys status` settles an interrupted rotation")


def stop_resume(timeout: float = 5.0) -> None:
    """Called by Main.teardown(): end the background settling, if it still runs."""
    r = _RESUMER
    if r is not None and r.is_alive():
        r.stopping.set()
        r.join(timeout)


def wait_resumed(timeout: Optional[float] = None) -> Optional[Resumer]:
    """The background settling of this VM, after it finished (tests, diagnostics)."""
    r = _RESUMER
    if r is not None:
        r.join(timeout)
    return r


__all__ = ["RotateAction", "StatusAction", "resume_pending", "stop_resume", "wait_resumed", "Resumer",
           "keys_file_of", "fill_rotate_output", "fill_status_output"]
