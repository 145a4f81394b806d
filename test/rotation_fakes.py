"""A fake NSO for rotation tests: behaves as cryptographic-keys.md describes.

- reload_keys reads the keys file (the generations become *loaded*; a file without
  the active generation is refused and the old keys are kept, as NSO does);
- apply_new_keys activates a loaded generation, or answers result false;
- optionally it "restarts the Python VM": the change is made, then the call raises,
  as the caller's VM would die mid-call.
"""
from __future__ import annotations

from typing import List, Optional, Tuple

from secure_deploy.facts.keys import read_keys_file
from secure_deploy.keys.rotation import ApplyResult


class VmRestart(ConnectionError):
    """What a Python action sees when NSO restarts its VM under it."""


class FakeNso:
    def __init__(self, keys_path: str, active: int, *, reload_fails: bool = False,
                 queue_empty: bool = True, refuse_apply: Optional[str] = None,
                 restart_on_apply: bool = False) -> None:
        self.keys_path = keys_path
        self.active = active
        self.loaded: Tuple[int, ...] = ()
        self.reload_fails = reload_fails
        self.queue_empty = queue_empty
        self.refuse_apply = refuse_apply
        self.restart_on_apply = restart_on_apply
        self.calls: List[str] = []

    def reload_keys(self) -> None:
        self.calls.append("reload")
        if self.reload_fails:
            raise RuntimeError("external keys command failed")
        kf = read_keys_file(self.keys_path)
        if kf.generation(self.active) is None:
            raise RuntimeError("active generation missing from the new keys")
        self.loaded = kf.numbers

    def commit_queue_empty(self) -> bool:
        self.calls.append("queue")
        return self.queue_empty

    def apply_new_keys(self, generation: int, wait_commit_queue: int) -> ApplyResult:
        self.calls.append(f"apply {generation} {wait_commit_queue}")
        if self.refuse_apply:
            return ApplyResult(False, reason=self.refuse_apply)
        if generation not in self.loaded:
            return ApplyResult(False, reason=f"generation {generation} is not loaded")
        self.active = generation
        if self.restart_on_apply:
            raise VmRestart("connection closed: Python VM restarting")
        return ApplyResult(True, generation)

    def get_active_generation(self) -> int:
        self.calls.append("get-active")
        return self.active
