"""What a key rotation will do: the new key set, the plan shown by dry runs, and the
plan for moving inline ncs.conf keys to an external keys file.

Pure except for key generation, which uses `secrets` (the OS CSPRNG).
"""
from __future__ import annotations

import secrets
from typing import Callable, Dict, Optional, Tuple

from ..facts.keyfile import (AES_KEYS, DES3_KEYS, FORMAT_2, FORMAT_LEGACY, KEY_LENGTHS,
                            LEGACY_GENERATION, MAX_GENERATION, KeySet, KeysFile, file_fingerprint,
                            line_name, make_keyset)
from ..fileio import create_new
from ..frozen import frozen
from ..redact import printable
from .writer import RotationError

# 3DES was removed in NSO 6.5 (NSO-FACTS.md §2.2): new DES3 keys only for 6.4.
DES3_RELEASES = ("6.4",)
DEFAULT_WAIT_COMMIT_QUEUE = 60


def new_keyset(generation: int, template: KeySet, version: str,
               token_hex: Callable[[int], str] = secrets.token_hex) -> KeySet:
    """Fresh random keys of the right lengths for the kinds the active set uses.

    AES-128 and AES-256 keys always; IVs where the active set has them; DES3 only when
    the release still supports it and the active set has it.
    """
    names = list(AES_KEYS)
    if "AESCFB128_IV" in template.names:
        names.append("AESCFB128_IV")
    if template.has_des3 and version in DES3_RELEASES:
        names.extend(DES3_KEYS)
        if "DES3CBC_IV" in template.names:
            names.append("DES3CBC_IV")
    entries: Dict[str, str] = {n: token_hex(KEY_LENGTHS[n] // 2) for n in names}
    return make_keyset(generation, entries)


def nso_commands(to_generation: int, wait_commit_queue: int) -> Tuple[str, ...]:
    """The documented NSO steps after the file is written (cryptographic-keys.md)."""
    return (
        "ncs --reload",
        "ncs_cli -C -u admin",
        "  key-rotation get-active-generation",
        f"  key-rotation apply-new-keys new-key-generation {to_generation} "
        f"wait-commit-queue {wait_commit_queue}",
    )


@frozen
class RotationPlan:
    """A rotation decided before anything is written: generations, fingerprints, backup."""

    keys_path: str
    from_format: str
    from_generation: Optional[int]       # None: NSO's active generation is unknown
    to_generation: int
    kept_generations: Tuple[int, ...]
    dropped_generations: Tuple[int, ...]
    old_fingerprint: str
    new_fingerprint: str
    new_key_names: Tuple[str, ...]
    new_file_fingerprint: str
    backup_path: str
    wait_commit_queue: int
    migrates_legacy: bool
    notes: Tuple[str, ...] = ()
    newest_generation: int = 0
    kept_fingerprints: Tuple[str, ...] = ()     # parallel to kept_generations

    @property
    def active_text(self) -> str:
        if self.from_generation is None:
            return f"unknown (newest is {self.newest_generation}): every generation is kept"
        return f"{self.from_generation}  fingerprint {self.old_fingerprint}"

    @property
    def nso_steps(self) -> Tuple[str, ...]:
        return nso_commands(self.to_generation, self.wait_commit_queue)

    def text(self) -> str:
        out = [f"keys file:          {self.keys_path} (format {self.from_format})",
               f"active generation:  {self.active_text}",
               f"new generation:     {self.to_generation}  fingerprint {self.new_fingerprint}",
               f"new keys:           {', '.join(self.new_key_names)}",
               f"generations kept:   {', '.join(map(str, self.kept_generations))}"]
        if self.dropped_generations:
            out.append(f"generations dropped (inactive): {', '.join(map(str, self.dropped_generations))}")
        if self.migrates_legacy:
            out.append(f"format:             legacy -> EXTERNAL_KEY_FORMAT=2; the current keys become "
                       f"generation {LEGACY_GENERATION} (spelling {line_name('NAME', LEGACY_GENERATION)}"
                       "=..., unverified)")
        out += [f"new file fingerprint (compare on every HA node): {self.new_file_fingerprint}",
                f"backup:             {self.backup_path} (mode 0600, owner kept)",
                *(f"note: {n}" for n in self.notes),
                "NSO steps:", *(f"  {s}" for s in self.nso_steps)]
        return "\n".join(out) + "\n"


def plan_rotation(kf: KeysFile, *, keys_path: str, active: Optional[int], version: str,
                  backup_path: str, wait_commit_queue: int = DEFAULT_WAIT_COMMIT_QUEUE,
                  token_hex: Callable[[int], str] = secrets.token_hex) -> Tuple[RotationPlan, KeysFile]:
    """The new file: the current generations plus a new one.

    NSO refuses a key set that lacks its active generation, and NSO alone knows which
    one that is (it persists it; the newest is not necessarily active after a failed
    rotation). So:
    - `active` known (NSO's answer, --active-generation, or a completed rotation in
      the history): it is kept unchanged and the other, inactive generations are
      dropped (apply-new-keys re-encrypted everything with the active one), so old
      keys do not pile up; the backup keeps them.
    - `active` None (unknown): EVERY generation is kept. Whichever NSO uses, the new
      file still holds it.
    """
    if active is not None and kf.generation(active) is None:
        raise RotationError(f"{keys_path}: the active generation {active} is not in the keys file "
                            f"(it holds {', '.join(map(str, kf.numbers))}); NSO would refuse it. "
                            "Restore the file from its backup before rotating")
    to = kf.next_generation
    if to > MAX_GENERATION:
        raise RotationError(f"{keys_path}: no generation number left (the next would be {to})")
    # The template decides which kinds of keys the new generation gets.
    template = kf.generation(active) if active is not None else kf.newest
    assert template is not None
    notes = []
    if template.has_des3 and version not in DES3_RELEASES:
        notes.append(f"the {'active' if active is not None else 'newest'} generation has DES3 keys, "
                     f"which NSO {version} no longer uses; the new generation has none")
    elif template.has_des3:
        notes.append("DES3 keys are generated for NSO 6.4 only; migrate $7$ data to AES before 6.5")
    if active is None:
        notes.append(f"the active generation is unknown (the newest is {kf.newest.generation}), so "
                     "every generation is kept; pass the answer of `key-rotation "
                     "get-active-generation` as --active-generation N to drop inactive ones")
    new = new_keyset(to, template, version, token_hex)
    if kf.format == FORMAT_LEGACY:
        kept: Tuple[KeySet, ...] = (KeySet(LEGACY_GENERATION, kf.generations[0].entries),)
    elif active is None:
        kept = kf.generations
    else:
        kept = (template,)
    new_kf = KeysFile(FORMAT_2, kept + (new,))
    kept_numbers = tuple(k.generation for k in kept)
    plan = RotationPlan(
        keys_path=keys_path, from_format=kf.format, from_generation=active, to_generation=to,
        kept_generations=kept_numbers,
        dropped_generations=tuple(n for n in kf.numbers if n not in kept_numbers),
        old_fingerprint=template.fingerprint if active is not None else "",
        new_fingerprint=new.fingerprint, new_key_names=new.names,
        new_file_fingerprint=file_fingerprint(new_kf), backup_path=backup_path,
        wait_commit_queue=wait_commit_queue, migrates_legacy=kf.format == FORMAT_LEGACY,
        notes=tuple(notes), newest_generation=kf.newest.generation,
        kept_fingerprints=tuple(k.fingerprint for k in kept))
    return plan, new_kf


# --- inline keys (ncs.conf) -> external keys file ---------------------------------------

EXTERNAL_KEYS_FRAGMENT = """<encrypted-strings>
  <external-keys>
    <command>${{NCS_DIR}}/bin/ncs_crypto_keys</command>
    <command-argument>{path}</command-argument>
  </external-keys>
</encrypted-strings>"""


@frozen
class InlineMigrationPlan:
    """Moving keys out of ncs.conf: written only on request, ncs.conf never edited."""

    conf_path: str
    keys_path: str
    format: str
    generations: Tuple[Tuple[int, str], ...]      # (generation, fingerprint)
    dummy: bool
    conf_fragment: str

    def text(self) -> str:
        out = [f"{self.conf_path} holds its encryption keys inline (/ncs-config/encrypted-strings).",
               f"1. Write them to {self.keys_path} (mode 0600, owned by the NSO user), "
               f"format {self.format}:",
               *(f"     generation {g}: fingerprint {fp}" for g, fp in self.generations),
               "2. In ncs.conf replace the whole /ncs-config/encrypted-strings element with:",
               *(f"     {line}" for line in self.conf_fragment.splitlines()),
               "3. Restart NSO or run `ncs --reload`; the keys are unchanged, so nothing is re-encrypted.",
               "4. Then rotate: secure-deploy keys rotate --keys-file " + self.keys_path]
        if self.dummy:
            out.insert(1, "WARNING: these are the well-known demo keys of a local install: rotate "
                          "right after moving them.")
        return "\n".join(out) + "\n"


def plan_inline_migration(conf_path: str, inline: KeysFile, keys_path: str) -> InlineMigrationPlan:
    return InlineMigrationPlan(
        conf_path=conf_path, keys_path=keys_path, format=inline.format,
        generations=tuple((g.generation, g.fingerprint) for g in inline.generations),
        dummy=any(g.is_dummy for g in inline.generations),
        conf_fragment=EXTERNAL_KEYS_FRAGMENT.format(path=keys_path))


def write_new_keys_file(path: str, text: str) -> None:
    """Create a keys file that must not exist yet: exclusive, 0600, fsynced."""
    try:
        create_new(path, text.encode("utf-8"), mode=0o600)
    except FileExistsError:
        raise RotationError(f"{printable(path)}: already exists; refusing to overwrite a keys file") from None
    except OSError as e:
        raise RotationError(f"{printable(path)}: cannot create: {e.strerror}") from None


__all__ = ["RotationPlan", "plan_rotation", "new_keyset", "nso_commands", "InlineMigrationPlan",
           "plan_inline_migration", "write_new_keys_file", "DES3_RELEASES"]
