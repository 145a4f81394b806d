"""The NSO side of a key rotation: rotation.NsoKeyOps over MAAPI.

Each step follows the documented procedure (cryptographic-keys.md, "Reloading After
Changes to the Cryptographic Keys"):

- reload_keys: `reload_config` over MAAPI (pyapi/_ncs.maapi.md), what `ncs --reload`
  (step 4) asks the daemon to do; see reload_via_maapi. NSO keeps its old keys when
  the reload fails (cryptographic-keys.md). Whether reload_config reports a failing
  external-keys command as an error, and whether it returns before the keys are
  loaded, no page says (UNVERIFIED): if it does not report it, or returns early,
  apply-new-keys refuses the unloaded generation and the rotation fails with NSO's
  reason, so every answer ends in a clear `failed` with the old keys active.
- commit_queue_empty: the number of /devices/commit-queue/queue-item entries, the
  list `show devices commit-queue` prints (NSO's examples wait for
  `show devices commit-queue queue-item | icount` to reach 0).
- apply_new_keys: /key-rotation/apply-new-keys with input new-key-generation and
  wait-commit-queue, output result and new-active-key-generation (cryptographic-keys.md,
  "Key Rotation", step 3 and its CLI example). The public ConfD module
  (tailf-key-rotation.yang) has no wait-commit-queue: if an NSO's input lacks it, we
  wait for the queue ourselves.
- get_active_generation: /key-rotation/get-active-generation, output active-generation
  (same page; -1 for legacy keys).

The module name/prefix of NSO's /key-rotation is on no page (UNVERIFIED), so the
actions are addressed without a prefix (maagic resolves the unique top-level
`key-rotation`).
"""
from __future__ import annotations

import contextlib
import time
from typing import Any, Callable, Iterator, Optional

import _ncs
import ncs

from ..keys.writer import RotationError
from ..redact import scrub
from ..keys.rotation import ApplyResult
from . import caller

COMMIT_QUEUE_ITEMS = "/devices/commit-queue/queue-item"
QUEUE_POLL_S = 1.0

Reload = Callable[[], None]


def _short(text: str, limit: int = 200) -> str:
    """First line, scrubbed and cut: error texts go into oper data and action output."""
    line = next((ln.strip() for ln in (text or "").splitlines() if ln.strip()), "")
    return scrub(line)[:limit]


def why(e: BaseException) -> str:
    text = _short(str(e))
    return f"{type(e).__name__}: {text}" if text else type(e).__name__


def reload_via_maapi() -> None:
    """NSO reloads its configuration files and with them the keys: `reload_config`
    (pyapi/_ncs.maapi.md), the MAAPI request behind `ncs --reload`, which the key
    procedure uses to load a new generation (cryptographic-keys.md, "Reloading After
    Changes to the Cryptographic Keys"). Code running inside the daemon's Python VM
    uses the API, not the `ncs` command (ncs(1) offers `--areload` for scripts the
    daemon runs, as `--reload` waits for the daemon). It reloads the whole ncs.conf,
    as the documented procedure does: other edits waiting in ncs.conf take effect too."""
    try:
        with ncs.maapi.Maapi() as m:
            m.reload_config()
    except Exception as e:  # noqa: BLE001 - one sentence, scrubbed (a key may be named)
        raise RotationError(f"reload_config failed: {why(e)}") from None


class MaapiKeyOps:
    """rotation.NsoKeyOps for a live NSO.

    With `caller` (an action's uinfo), every call opens a MAAPI session of the
    invoking user with that user's groups (caller.session: NACM decides whether they
    may run apply-new-keys). With `maapi`, the calls use that connection and its
    current user session (the background reconciliation after a VM restart).
    """

    def __init__(self, user: str, context: str, *, caller: Any = None, maapi: Any = None,
                 reload: Optional[Reload] = None,
                 log: Callable[[str], None] = lambda m: None, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.user = user
        self.context = context
        self._caller = caller
        self._maapi = maapi
        self._reload = reload or reload_via_maapi
        self._log = log
        self._sleep = sleep
        self._clock = clock

    @contextlib.contextmanager
    def _session(self) -> Iterator[Any]:
        if self._maapi is not None:
            yield self._maapi
            return
        if self._caller is not None:
            with caller.session(self._caller) as m:
                yield m
            return
        with ncs.maapi.Maapi() as m:
            with ncs.maapi.Session(m, self.user, self.context):
                yield m

    # -- NsoKeyOps --------------------------------------------------------------------

    def reload_keys(self) -> None:
        self._reload()

    def commit_queue_empty(self) -> bool:
        with self._session() as m:
            with m.start_read_trans(db=ncs.RUNNING) as t:
                return int(t.num_instances(COMMIT_QUEUE_ITEMS)) == 0

    def get_active_generation(self) -> int:
        try:
            with self._session() as m:
                out = ncs.maagic.get_root(m).key_rotation.get_active_generation()
                value = out.active_generation
        except Exception as e:  # noqa: BLE001 - reported as one sentence
            raise RotationError(f"/key-rotation/get-active-generation failed: {why(e)}") from None
        if value is None:
            raise RotationError("/key-rotation/get-active-generation returned no active-generation")
        return int(value)

    def apply_new_keys(self, generation: int, wait_commit_queue: int) -> ApplyResult:
        with self._session() as m:
            action = ncs.maagic.get_root(m).key_rotation.apply_new_keys
            inp = action.get_input()
            inp.new_key_generation = generation
            if not self._set_wait(inp, wait_commit_queue):
                self._wait_for_queue(wait_commit_queue)
            try:
                # May not return: NSO restarts this Python VM at the end (step 7 of
                # apply-new-keys). The caller has persisted state `applying` first.
                out = action(inp)
            except Exception as e:  # noqa: BLE001 - an error answer, not the VM dying
                return self._after_error(generation, e)
            result = bool(out.result)
            new = out.new_active_key_generation
            reason = getattr(out, "reason", None) if not result else None
        return ApplyResult(result, None if new is None else int(new),
                           _short(str(reason)) if reason is not None else "")

    # -- helpers ----------------------------------------------------------------------

    def _set_wait(self, inp: Any, seconds: int) -> bool:
        try:
            inp.wait_commit_queue = seconds
            return True
        except Exception:  # noqa: BLE001 - this NSO's apply-new-keys has no such input
            self._log("apply-new-keys has no wait-commit-queue input here; waiting for the "
                      "commit queue before calling it")
            return False

    def _wait_for_queue(self, seconds: int) -> None:
        """Poll until the queue is empty or `seconds` passed; apply-new-keys then fails
        by itself if it is still not empty (cryptographic-keys.md)."""
        end = self._clock() + max(0, seconds)
        while not self.commit_queue_empty() and self._clock() < end:
            self._sleep(QUEUE_POLL_S)

    def _after_error(self, generation: int, e: Exception) -> ApplyResult:
        """apply-new-keys raised. Whether anything changed is NSO's to say, so ask it
        instead of assuming; if even that fails, the rotation stays `applying` and is
        settled later (rotation.Rotator treats a raise so).

        Only an error *reply* from NSO ends the rotation `failed`. A transport error
        (EOF, a socket error: the connection or this VM going away) says nothing about
        the outcome: apply-new-keys may still be re-encrypting, so an answer of "old
        generation" now is not final. The rotation then stays `applying` and the
        reconciliation after the restart (or the next keys action) settles it."""
        try:
            active = self.get_active_generation()
        except RotationError:
            raise RotationError(f"apply-new-keys failed ({why(e)}) and the active generation "
                                "cannot be read") from None
        if active == generation:
            return ApplyResult(True, active)
        if is_transport_error(e):
            raise RotationError(f"apply-new-keys was cut off ({why(e)}); NSO still reports "
                                f"generation {active} active, but it may still be re-encrypting")
        return ApplyResult(False, reason=f"NSO answered with an error: {why(e)}")


def is_transport_error(e: BaseException) -> bool:
    """The connection to NSO broke, as opposed to NSO answering with an error.

    _ncs.error.EOF is what the Python API raises when NSO closes the socket
    (pyapi/_ncs.error.md); OSError covers socket errors (ConnectionError,
    BrokenPipeError, ...); an _ncs.error.Error with confd_errno ERR_OS is an OS-level
    failure of the call (pyapi/_ncs.md). Anything else (an action error reply) is
    NSO's answer."""
    if isinstance(e, (_ncs.error.EOF, OSError, EOFError)):
        return True
    return isinstance(e, _ncs.error.Error) and getattr(e, "confd_errno", None) == _ncs.ERR_OS


__all__ = ["MaapiKeyOps", "reload_via_maapi", "COMMIT_QUEUE_ITEMS", "why",
           "is_transport_error"]
