"""Key rotation as a persisted state machine.

    prepared -> keys-loaded -> applying -> completed
        \\            \\            \\-> failed
         \\-> failed   \\-> failed

Every transition is saved in the RotationStore *before* the step it announces, so
whatever kills the process (a crash, or NSO restarting the Python VM inside
/key-rotation/apply-new-keys, NSO-FACTS.md §3) leaves a record that `reconcile()`
settles by asking NSO for the active generation. The NSO layer only supplies a store
and an NsoKeyOps; standalone there is no NsoKeyOps and the rotation stops at
`prepared`, printing the NSO commands still to run.

How the NSO layer uses it (nso/, written against the ncs test double):

    rot = Rotator(CdbRotationStore(...), MaapiKeyOps(...), now=clock, log=self.log.info)
    out = rot.rotate(keys_path, version=..., user=uinfo.username, reason=..., dry_run=...)
    # Application.setup(), after the VM restart:
    Rotator(CdbRotationStore(...), MaapiKeyOps(...), now=clock).reconcile()
"""
from __future__ import annotations

import os
import secrets
from dataclasses import replace
from typing import Callable, Optional, Protocol, Tuple

from ..facts.keyfile import FORMAT_2, KeysFile, parse_keys, serialize
from ..facts.keys import known_active, read_keys_file
from ..frozen import frozen
from . import writer
from .writer import (DEFAULT_MAX_BACKUPS, Hook, RotationError, RotationInProgress,
                     RotationLock, backup_path_for, cleanup_temp, write_keys_file)
from .plan import DEFAULT_WAIT_COMMIT_QUEUE, RotationPlan, plan_rotation
from .store import RotationRecord, RotationStore, State

# Step names for failure injection, besides keyfile_writer.WRITE_STEPS.
STEP_BEFORE_WRITE = "before-write"
STEP_AFTER_RELOAD = "after-reload"
STEP_BEFORE_APPLY = "before-apply"
STEP_AFTER_APPLY = "after-apply"


@frozen
class ApplyResult:
    """Output of /key-rotation/apply-new-keys."""

    result: bool
    new_active_generation: Optional[int] = None
    reason: str = ""


class NsoKeyOps(Protocol):
    """The NSO operations a rotation needs; the nso/ layer implements them.

    reload_keys: the documented step is `ncs --reload` (cryptographic-keys.md, "Reloading
    After Changes to the Cryptographic Keys", step 4). Inside NSO's Python VM the
    package asks for it over MAAPI: `reload_config(sock)` reloads the configuration
    files (pyapi/_ncs.maapi.md; nso/key_ops.py). NSO keeps the old keys when the
    reload fails (cryptographic-keys.md), so a failed reload is safe.
    """

    def reload_keys(self) -> None: ...

    def commit_queue_empty(self) -> bool: ...

    def apply_new_keys(self, generation: int, wait_commit_queue: int) -> ApplyResult: ...

    def get_active_generation(self) -> int: ...


class KnownActiveGeneration:
    """Standalone reconciliation: the operator tells us what
    `key-rotation get-active-generation` answered. Nothing else is available."""

    def __init__(self, generation: int) -> None:
        self.generation = generation

    def get_active_generation(self) -> int:
        return self.generation

    def reload_keys(self) -> None:
        raise RotationError("not connected to NSO: run `ncs --reload` yourself")

    def commit_queue_empty(self) -> bool:
        raise RotationError("not connected to NSO")

    def apply_new_keys(self, generation: int, wait_commit_queue: int) -> ApplyResult:
        raise RotationError("not connected to NSO: run `key-rotation apply-new-keys` yourself")


@frozen
class RotationOutcome:
    """What a rotation did: the plan, the record written and the steps still to run."""

    plan: RotationPlan
    record: Optional[RotationRecord]     # None for a dry run
    dry_run: bool
    next_steps: Tuple[str, ...] = ()     # NSO commands still to run (standalone)
    reconciled: Optional[RotationRecord] = None  # an earlier rotation settled first
    warnings: Tuple[str, ...] = ()       # e.g. old backups could not be removed

    @property
    def ok(self) -> bool:
        return self.dry_run or (self.record is not None and self.record.state is not State.FAILED)


def _no_hook(step: str) -> None:
    return None


def compact(iso: str) -> str:
    """'2026-11-26T12:00:00+00:00' -> '20261126T120000Z' (sortable, file-name safe)."""
    return iso[:19].replace("-", "").replace(":", "") + "Z"


class Rotator:
    """One rotation engine per call site; holds no state between calls but its store."""

    def __init__(self, store: RotationStore, ops: Optional[NsoKeyOps], *, now: Callable[[], str],
                 hook: Optional[Hook] = None, log: Callable[[str], None] = lambda m: None,
                 new_id: Optional[Callable[[], str]] = None) -> None:
        self.store = store
        self.ops = ops
        self.now = now
        self.hook = hook or _no_hook
        self.log = log
        self.new_id = new_id or (lambda: f"{compact(self.now())}-{secrets.token_hex(3)}")

    # -- rotate -----------------------------------------------------------------------

    def rotate(self, keys_path: str, *, version: str, user: str = "", reason: str = "",
               dry_run: bool = False, wait_commit_queue: int = DEFAULT_WAIT_COMMIT_QUEUE,
               max_backups: int = DEFAULT_MAX_BACKUPS,
               active_generation: Optional[int] = None) -> RotationOutcome:
        keys_path = os.path.realpath(keys_path)
        with RotationLock(keys_path):
            settled = self._settle_unfinished(keys_path, dry_run)
            kf = read_keys_file(keys_path)
            active = self._active(kf, active_generation)
            rid = self.new_id()
            plan, new_kf = plan_rotation(kf, keys_path=keys_path, active=active, version=version,
                                         backup_path=backup_path_for(keys_path, rid),
                                         wait_commit_queue=wait_commit_queue)
            if dry_run:
                return RotationOutcome(plan, None, True, plan.nso_steps, settled)
            _cleanup(keys_path, "nothing was changed")
            rec = RotationRecord(id=rid, state=State.PREPARED, keys_path=keys_path,
                                 from_generation=active, to_generation=plan.to_generation,
                                 old_fingerprint=plan.old_fingerprint,
                                 new_fingerprint=plan.new_fingerprint, backup_path=plan.backup_path,
                                 started=self.now(), user=user, reason=reason,
                                 message="writing the new generation to the keys file")
            # Saved before the file changes: a crash from here on leaves a record to settle.
            self.store.save(rec)
            self.hook(STEP_BEFORE_WRITE)
            try:
                res = write_keys_file(keys_path, serialize(new_kf), backup_tag=rid, hook=self.hook,
                                      validate=lambda data: _validate(data, keys_path, plan))
            except Exception as e:  # noqa: BLE001 - any failure here is reported, not hidden
                return self._fail(rec, f"writing the keys file failed ({_why(e)}); "
                                       f"{_gen(active)} stays active", raise_=True, plan=plan)
            rec = rec.to(State.PREPARED, f"generation {plan.to_generation} written; backup "
                                         f"{res.backup_path}", backup_path=res.backup_path or "")
            self.store.save(rec)
            self.log(f"key rotation {rid}: generation {plan.to_generation} written to {keys_path}")
            # The outcome of the write is recorded: only now may old backups go.
            rec, warnings = self._prune(rec, keys_path, max_backups)
            if self.ops is None or isinstance(self.ops, KnownActiveGeneration):
                # Standalone: NSO's steps are the operator's; the record stays `prepared`
                # until a later run learns the active generation.
                return RotationOutcome(plan, rec, False, plan.nso_steps, settled, warnings)
            return replace(self._drive(rec, plan, wait_commit_queue, settled), warnings=warnings)

    def _prune(self, rec: RotationRecord, keys_path: str,
               max_backups: int) -> Tuple[RotationRecord, Tuple[str, ...]]:
        """Remove old backups this tool wrote and recorded. The new keys file is in
        place and recorded, so a failure here is a warning, never a failed rotation."""
        records = (*self.store.history(), rec)
        try:
            pruned = writer.prune_backups(keys_path, max_backups,
                                          recorded=[r.backup_path for r in records],
                                          protect=self._protected_backups())
        except OSError as e:
            warning = (f"removing old backups failed ({_why(e)}); the rotation is not affected, "
                       f"remove old {os.path.basename(keys_path)}.bak-* files by hand")
            self.log(f"key rotation {rec.id}: {warning}")
            return rec, (warning,)
        if not pruned:
            return rec, ()
        rec = rec.to(rec.state, f"{rec.message}; older backups removed: "
                                f"{', '.join(os.path.basename(p) for p in pruned)}")
        try:
            self.store.save(rec)
        except Exception as e:  # noqa: BLE001 - only the annotation is lost
            return rec, (f"recording the removed backups failed ({_why(e)})",)
        return rec, ()

    def _drive(self, rec: RotationRecord, plan: RotationPlan, wait: int,
               settled: Optional[RotationRecord]) -> RotationOutcome:
        ops = self.ops
        assert ops is not None
        to, frm = rec.to_generation, rec.from_generation
        try:
            ops.reload_keys()
        except Exception as e:  # noqa: BLE001
            return self._fail(rec, f"reloading the keys failed ({_why(e)}); NSO keeps its old keys, "
                                   f"generation {frm} stays active", plan=plan)
        self.hook(STEP_AFTER_RELOAD)
        rec = rec.to(State.KEYS_LOADED, f"generation {to} loaded by NSO, not active yet")
        self.store.save(rec)
        try:
            empty = ops.commit_queue_empty()
        except Exception as e:  # noqa: BLE001
            return self._fail(rec, f"cannot check the commit queue ({_why(e)}); generation {frm} "
                                   "stays active", plan=plan)
        if not empty and wait <= 0:
            return self._fail(rec, f"the commit queue is not empty and wait-commit-queue is 0; "
                                   f"generation {frm} stays active", plan=plan)
        rec = rec.to(State.APPLYING, f"apply-new-keys new-key-generation {to} requested; NSO "
                                     "re-encrypts and restarts its VMs")
        # Persisted before the call: the call may end this process (VM restart).
        self.store.save(rec)
        self.hook(STEP_BEFORE_APPLY)
        try:
            out = ops.apply_new_keys(to, wait)
        except Exception as e:  # noqa: BLE001
            raise RotationError(f"apply-new-keys was interrupted ({_why(e)}); rotation {rec.id} "
                                "stays in state applying and is settled when the package "
                                "starts again (or by reconcile)") from None
        self.hook(STEP_AFTER_APPLY)
        if out.result and out.new_active_generation in (None, to):
            done = rec.to(State.COMPLETED, f"generation {to} is active", finished=self.now())
            self.store.finish(done)
            return RotationOutcome(plan, done, False, (), settled)
        why = out.reason or "apply-new-keys returned false"
        return self._fail(rec, f"apply-new-keys failed: {why}; generation {frm} stays active", plan=plan)

    def _fail(self, rec: RotationRecord, message: str, *, plan: RotationPlan,
              raise_: bool = False) -> RotationOutcome:
        failed = rec.to(State.FAILED, message, finished=self.now())
        self.store.finish(failed)
        self.log(f"key rotation {rec.id} failed: {message}")
        if raise_:
            raise RotationError(f"key rotation {rec.id} failed: {message}")
        return RotationOutcome(plan, failed, False)

    def _active(self, kf: KeysFile, explicit: Optional[int]) -> Optional[int]:
        """NSO's active generation when it is known for certain, else None (then the
        plan keeps every generation: see rotation_plan.plan_rotation)."""
        if explicit is not None:
            return explicit
        if self.ops is not None:
            return self.ops.get_active_generation()
        doc = {"history": [r.to_json() for r in self.store.history()]}
        return known_active(kf, doc)

    def _protected_backups(self) -> Tuple[str, ...]:
        """The backup of the most recent completed rotation: "Rolling back" restores it
        together with the ncs-backup taken before that rotation, so pruning spares it."""
        for r in reversed(self.store.history()):
            if r.state is State.COMPLETED and r.backup_path:
                return (r.backup_path,)
        return ()

    # -- reconcile ----------------------------------------------------------------------

    def _settle_unfinished(self, keys_path: str, dry_run: bool) -> Optional[RotationRecord]:
        cur = self.store.current()
        if cur is None or cur.state.terminal:
            return None
        if dry_run:
            raise RotationInProgress(f"rotation {cur.id} is unfinished (state {cur.state.value}); "
                                     "a dry run does not settle it")
        if self.ops is None:
            raise RotationInProgress(
                f"rotation {cur.id} is unfinished (state {cur.state.value}, generation "
                f"{_num(cur.from_generation)} -> {cur.to_generation}). Ask NSO `key-rotation "
                "get-active-generation` and pass its answer as --active-generation N to settle it")
        return self._settle(cur)

    def reconcile(self) -> Optional[RotationRecord]:
        """Settle an unfinished rotation (Application.setup() calls this after the restart).

        Returns the settled record, or None when there was nothing to settle.
        """
        cur = self.store.current()
        if cur is None or cur.state.terminal:
            return None
        if self.ops is None:
            raise RotationError("reconcile needs the active generation from NSO")
        with RotationLock(cur.keys_path):
            cur = self.store.current()
            if cur is None or cur.state.terminal:
                return None
            return self._settle(cur)

    def _settle(self, cur: RotationRecord) -> RotationRecord:
        """Settle `cur` (the caller holds the lock). Whatever goes wrong comes out as a
        RotationError naming the rotation, which stays unfinished for a later try."""
        try:
            return self._settle_now(cur)
        except RotationError:
            raise
        except Exception as e:  # noqa: BLE001 - e.g. OSError from an unreadable keys directory
            raise RotationError(f"settling rotation {cur.id} failed ({_why(e)}); it stays in state "
                                f"{cur.state.value} and is settled by a later `keys status`") from None

    def _settle_now(self, cur: RotationRecord) -> RotationRecord:
        assert self.ops is not None
        _cleanup(cur.keys_path, f"rotation {cur.id} stays in state {cur.state.value}")
        try:
            active = self.ops.get_active_generation()
        except Exception as e:  # noqa: BLE001
            raise RotationError(f"cannot ask NSO for the active generation ({_why(e)}); rotation "
                                f"{cur.id} stays in state {cur.state.value}") from None
        in_file = _file_has(cur.keys_path, cur.to_generation, cur.new_fingerprint)
        was = f"interrupted in state {cur.state.value}"
        # A rotation that did not know the active generation kept every one: any kept
        # generation NSO names is as good as a known `from`.
        kept_active = cur.from_generation is None and active != cur.to_generation and \
            _file_has(cur.keys_path, active, None)
        if active == cur.to_generation:
            rec = cur.to(State.COMPLETED, f"settled: NSO reports generation {active} active",
                         finished=self.now())
        elif active == cur.from_generation or kept_active:
            unused = (f"; the keys file holds the unused generation {cur.to_generation}, which the "
                      "next rotation replaces") if in_file else "; the keys file was not changed"
            rec = cur.to(State.FAILED, f"{was}: generation {active} is still active{unused}",
                         finished=self.now())
        else:
            rec = cur.to(State.FAILED, f"{was}: NSO reports active generation {active}, neither "
                                       f"{_num(cur.from_generation)} nor {cur.to_generation}; check the "
                                       f"keys by hand (backup {cur.backup_path or 'none'})",
                         finished=self.now())
        self.store.finish(rec)
        self.log(f"key rotation {cur.id}: {rec.message}")
        return rec


def _why(e: BaseException) -> str:
    # Exception text from our own layers never carries key material; keep it short.
    text = str(e).splitlines()[0] if str(e) else ""
    return f"{type(e).__name__}: {text[:200]}" if text else type(e).__name__


def _validate(data: bytes, keys_path: str, plan: RotationPlan) -> None:
    """The temp file, read back from disk, must hold the kept and the new generation."""
    kf = parse_keys(data, f"{keys_path} (new)")
    if kf.format != FORMAT_2:
        raise RotationError(f"{keys_path}: new file is not in format 2")
    for gen, fp in zip(plan.kept_generations, plan.kept_fingerprints):
        kept = kf.generation(gen)
        if kept is None or kept.fingerprint != fp:
            raise RotationError(f"{keys_path}: new file lost generation {gen}")
    new = kf.generation(plan.to_generation)
    if new is None or new.fingerprint != plan.new_fingerprint:
        raise RotationError(f"{keys_path}: new file does not hold the new generation")


def _file_has(path: str, generation: int, fp: Optional[str]) -> bool:
    """Generation `generation` is in the file (with fingerprint `fp`, unless None)."""
    try:
        ks = read_keys_file(path).generation(generation)
    except Exception:  # noqa: BLE001 - only used to word a message
        return False
    return ks is not None and (fp is None or ks.fingerprint == fp)


def _gen(n: Optional[int]) -> str:
    return "the active generation (unknown here)" if n is None else f"generation {n}"


def _num(n: Optional[int]) -> str:
    return "unknown" if n is None else str(n)


def _cleanup(keys_path: str, outcome: str) -> None:
    """Remove a killed writer's temp files; an OSError (unreadable directory) becomes a
    RotationError that says what state things are in (`outcome`)."""
    try:
        cleanup_temp(keys_path)
    except OSError as e:
        raise RotationError(f"{os.path.dirname(keys_path) or '.'}: cannot remove temp files of an "
                            f"earlier rotation ({e.strerror or type(e).__name__}); {outcome}") from None


__all__ = ["Rotator", "RotationOutcome", "NsoKeyOps", "ApplyResult", "KnownActiveGeneration",
           "RotationError", "RotationInProgress", "compact"]
