"""The NSO side of a key rotation: rotation.NsoKeyOps over MAAPI and `ncs --reload`.

Each step follows the documented procedure (nso-gitbook administration/advanced-topics/
cryptographic-keys.md, "Reloading After Changes to the Cryptographic Keys"):

- reload_keys: `ncs --reload` (step 4). `Maapi.reload_config()` is what that command
  asks NSO to do, but that it re-runs the external-keys command exactly like
  `ncs --reload` is UNVERIFIED, so only the documented command is implemented; the
  choice is isolated in `reload_with_ncs_command` (MaapiKeyOps takes another
  callable). NSO keeps its old keys when the reload fails (encryption-keys.md), so a
  failed reload is safe; whether `ncs --reload` then exits non-zero is UNVERIFIED:
  if it does not, apply-new-keys refuses the unloaded generation and the rotation
  fails with NSO's reason, so both answers end in a clear `failed`.
- commit_queue_empty: the number of /devices/commit-queue/queue-item entries, the
  list `show devices commit-queue` prints (NSO's examples wait for
  `show devices commit-queue queue-item | icount` to reach 0).
- apply_new_keys: /key-rotation/apply-new-keys with new-key-generation and
  wait-commit-queue (cryptographic-keys.md, step 3). The public ConfD module has no
  wait-commit-queue: if this NSO's input lacks it, we wait for the queue ourselves.
- get_active_generation: /key-rotation/get-active-generation.

NSO's own module name/prefix is UNVERIFIED, so the actions are addressed without a
prefix (maagic resolves the unique top-level `key-rotation`).
"""
from __future__ import annotations

import contextlib
import os
import subprocess
import time
from typing import Any, Callable, Iterator, Mapping, Optional

import _ncs
import ncs

from ..keys.writer import RotationError
from ..redact import scrub
from ..keys.rotation import ApplyResult

COMMIT_QUEUE_ITEMS = "/devices/commit-queue/queue-item"
RELOAD_TIMEOUT_S = 300
QUEUE_POLL_S = 1.0

Reload = Callable[[], None]


def _short(text: str, limit: int = 200) -> str:
    """First line, scrubbed and cut: error texts go into oper data and action output."""
    line = next((ln.strip() for ln in (text or "").splitlines() if ln.strip()), "")
    return scrub(line)[:limit]


def why(e: BaseException) -> str:
    text = _short(str(e))
    return f"{type(e).__name__}: {text}" if text else type(e).__name__


def ncs_command(environ: Mapping[str, str]) -> str:
    """$NCS_DIR/bin/ncs (the Python VM inherits NSO's environment), else `ncs` on PATH."""
    ncs_dir = environ.get("NCS_DIR")
    return os.path.join(ncs_dir, "bin", "ncs") if ncs_dir else "ncs"


def reload_with_ncs_command(environ: Optional[Mapping[str, str]] = None,
                            run: Callable[..., Any] = subprocess.run,
                            timeout: int = RELOAD_TIMEOUT_S) -> None:
    """`ncs --reload`: NSO re-reads ncs.conf and runs the external-keys command again,
    which makes the new generation available without activating it.

    Note: it reloads the whole ncs.conf, as the documented procedure does; other edits
    waiting in ncs.conf take effect too. The command finds NSO through the
    environment NSO gave the Python VM (NCS_IPC_* / the default address)."""
    env = dict(os.environ if environ is None else environ)
    cmd = [ncs_command(env), "--reload"]
    try:
        p = run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                env=env, timeout=timeout, check=False)
    except FileNotFoundError:
        raise RotationError(f"{cmd[0]} not found (is NCS_DIR set for the Python VM?)") from None
    except subprocess.TimeoutExpired:
        raise RotationError(f"`{cmd[0]} --reload` did not finish within {timeout} s") from None
    except OSError as e:
        raise RotationError(f"cannot run {cmd[0]}: {e.strerror}") from None
    if p.returncode != 0:
        out = p.stderr or p.stdout or b""
        detail = _short(out.decode("utf-8", "replace") if isinstance(out, bytes) else str(out))
        raise RotationError(f"`ncs --reload` exited with status {p.returncode}"
                            + (f": {detail}" if detail else ""))


class MaapiKeyOps:
    """rotation.NsoKeyOps for a live NSO.

    Without `maapi`, every call opens its own MAAPI session as `user`/`context` (an
    action's invoking user: NACM decides whether they may run apply-new-keys). With
    `maapi`, the calls use that connection and its current user session (the
    background reconciliation after a VM restart).
    """

    def __init__(self, user: str, context: str, *, maapi: Any = None, reload: Optional[Reload] = None,
                 log: Callable[[str], None] = lambda m: None, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.user = user
        self.context = context
        self._maapi = maapi
        self._reload = reload or reload_with_ncs_command
        self._log = log
        self._sleep = sleep
        self._clock = clock

    @contextlib.contextmanager
    def _session(self) -> Iterator[Any]:
        if self._maapi is not None:
            yield self._maapi
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
    (nso-gitbook pyapi `_ncs.error`); OSError covers socket errors (ConnectionError,
    BrokenPipeError, ...); an _ncs.error.Error with confd_errno ERR_OS is an OS-level
    failure of the call. Anything else (an action error reply) is NSO's answer."""
    eof = getattr(getattr(_ncs, "error", None), "EOF", None)
    if isinstance(eof, type) and isinstance(e, eof):
        return True
    if isinstance(e, (OSError, EOFError)):
        return True
    err_os = getattr(_ncs, "ERR_OS", None)
    return err_os is not None and getattr(e, "confd_errno", None) == err_os


__all__ = ["MaapiKeyOps", "reload_with_ncs_command", "ncs_command", "COMMIT_QUEUE_ITEMS", "why",
           "is_transport_error"]
