"""The `ncs.crypto_keys` file: parse, validate, serialize, fingerprint.

This is the one module that holds key values. Everything it hands to the rest of
the package for display is a fingerprint or a name; `KeySet.entries` is excluded
from `repr` so a stray log line or assertion message cannot print a key.

Two formats (NSO-FACTS.md §3; nso-gitbook `administration/advanced-topics/
cryptographic-keys.md` and `development/connected-topics/encryption-keys.md`):

- legacy: `NAME=hex` lines, one implicit generation (NSO calls it -1);
- rotation format (NSO 6.4+): first line `EXTERNAL_KEY_FORMAT=2`, then
  `NAME[gen]=hex` lines.

Reading is liberal (blank lines, `#` comments and surrounding blanks are accepted
and noted: whether NSO itself accepts them is UNVERIFIED), writing is canonical
(no comments, fixed order), so a file we rewrite never depends on that answer.
"""
from __future__ import annotations

import hmac
import re
from dataclasses import field
from hashlib import sha256
from typing import Dict, List, Optional, Tuple, Union

from ..errors import InputError
from ..frozen import frozen
from ..redact import scrub
from .wellknown import is_dummy_key

FORMAT_LEGACY = "legacy"
FORMAT_2 = "2"
FORMAT_HEADER = "EXTERNAL_KEY_FORMAT=2"

# Name -> number of hex digits. Order is the canonical write order. The IV names are
# documented for the external command protocol (encryption-keys.md).
KEY_LENGTHS: Dict[str, int] = {
    "DES3CBC_KEY1": 16, "DES3CBC_KEY2": 16, "DES3CBC_KEY3": 16, "DES3CBC_IV": 16,
    "AESCFB128_KEY": 32, "AESCFB128_IV": 32,
    "AES256CFB128_KEY": 64,
}
DES3_KEYS = ("DES3CBC_KEY1", "DES3CBC_KEY2", "DES3CBC_KEY3")
AES_KEYS = ("AESCFB128_KEY", "AES256CFB128_KEY")

# The generation NSO gives keys provided in the legacy format. When a legacy file is
# converted to EXTERNAL_KEY_FORMAT=2 the current keys must be provided as generation
# -1 (cryptographic-keys.md, "Reloading After Changes to the Cryptographic Keys",
# step 2), and in that format every key names its generation "within square
# brackets" (same page, "Providing Keys for Key Rotation"): `NAME[-1]=hex`. It is
# spelled in exactly one place, `line_name()` (test_keys_file.py pins it).
LEGACY_GENERATION = -1
MAX_GENERATION = 32767          # the YANG type of generation is int16
MAX_FILE_BYTES = 1024 * 1024

# Domain label of the fingerprint: a fingerprint of these keys can never collide
# with, or be replayed as, a digest computed for another purpose.
_FP_LABEL = b"secure-deploy/nso-key-fingerprint/v1"
_LINE = re.compile(r"^([A-Za-z0-9_]+)(?:\[(-?[0-9]+)\])?\s*=(.*)$")
_HEXCHARS = re.compile(r"^[0-9A-Fa-f]*$")


def line_name(name: str, generation: Optional[int]) -> str:
    """`NAME` (legacy) or `NAME[gen]` (format 2). The only place spelling `[-1]`."""
    return name if generation is None else f"{name}[{generation}]"


@frozen
class KeySet:
    """One generation's keys. `entries` holds secrets and never appears in repr."""

    generation: int
    entries: Tuple[Tuple[str, str], ...] = field(repr=False)

    @property
    def names(self) -> Tuple[str, ...]:
        return tuple(n for n, _ in self.entries)

    def value(self, name: str) -> Optional[str]:
        for n, v in self.entries:
            if n == name:
                return v
        return None

    @property
    def has_des3(self) -> bool:
        return any(n.startswith("DES3CBC") for n in self.names)

    @property
    def is_dummy(self) -> bool:
        """Any key is a well-known local-install demo key (IVs are not keys)."""
        return any(is_dummy_key(n, v) for n, v in self.entries if not n.endswith("_IV"))

    @property
    def fingerprint(self) -> str:
        return fingerprint(self)


@frozen
class KeysFile:
    """A parsed ncs.crypto_keys: its format and key sets per generation (values never leave it)."""

    format: str                                  # FORMAT_LEGACY or FORMAT_2
    generations: Tuple[KeySet, ...]              # sorted by generation
    notes: Tuple[str, ...] = ()                  # tolerated oddities (comments, blanks)

    def generation(self, number: int) -> Optional[KeySet]:
        for g in self.generations:
            if g.generation == number:
                return g
        return None

    @property
    def numbers(self) -> Tuple[int, ...]:
        return tuple(g.generation for g in self.generations)

    @property
    def newest(self) -> KeySet:
        return self.generations[-1]

    @property
    def next_generation(self) -> int:
        """The number a new generation gets: above every one in the file, at least 0."""
        return max(0, max(self.numbers) + 1)


def _canonical(entries: Tuple[Tuple[str, str], ...]) -> Tuple[Tuple[str, str], ...]:
    order = list(KEY_LENGTHS)
    return tuple(sorted(((n, v.lower()) for n, v in entries), key=lambda e: order.index(e[0])))


def make_keyset(generation: int, entries: Dict[str, str]) -> KeySet:
    return KeySet(generation, _canonical(tuple(entries.items())))


def fingerprint(keys: KeySet) -> str:
    """Short, one-way, domain-separated digest of one generation's key lines.

    HMAC-SHA256 keyed with a fixed label over the canonical `NAME=hex` lines (the
    generation number is left out, so the same keys give the same fingerprint as
    generation -1 and as generation 0). 64 bits are shown, as `ab12:cd34:ef56:7890`:
    enough to compare HA nodes, far too few and too one-way to recover 128/256-bit
    keys. The colon groups are short enough that redact.scrub() leaves them alone.
    """
    msg = "".join(f"{n}={v}\n" for n, v in _canonical(keys.entries)).encode()
    return _group(hmac.new(_FP_LABEL, msg, sha256).hexdigest()[:16])


def file_fingerprint(kf: KeysFile) -> str:
    """Digest of the whole key set (format, every generation number and its keys).

    Two HA nodes must hold identical keys before apply-new-keys; equal file
    fingerprints say they do without showing a key.
    """
    msg = "".join(f"{line_name(n, g.generation)}={v}\n" for g in kf.generations
                  for n, v in _canonical(g.entries))
    return _group(hmac.new(_FP_LABEL + b"/file/" + kf.format.encode(), msg.encode(), sha256)
                  .hexdigest()[:16])


def _group(hex16: str) -> str:
    return ":".join(hex16[i:i + 4] for i in range(0, 16, 4))


def _safe_name(name: str) -> str:
    # Names are not secret, but the line is attacker-shaped input: show it only if it
    # is short and the scrubber sees nothing key-like in it.
    # A long "name" may be a key pasted in the wrong place: not even a prefix of it.
    return scrub(name) if len(name) <= 32 else f"<{len(name)} characters>"


def parse_keys(data: Union[bytes, str], name: str) -> KeysFile:
    """Parse a keys file. Errors name the file, the line and the problem, never a value."""
    if isinstance(data, bytes):
        if len(data) > MAX_FILE_BYTES:
            raise InputError(f"{name}: file too large for a keys file ({len(data)} bytes)")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(f"{name}: not a text file (not UTF-8)") from None
    else:
        text = data
    fmt: Optional[str] = None
    notes: List[str] = []
    gens: Dict[int, Dict[str, str]] = {}
    first = True
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        where = f"{name}: line {lineno}"
        if not line:
            notes.append(f"line {lineno}: blank line (ignored)")
            continue
        if line.startswith("#"):
            notes.append(f"line {lineno}: comment (ignored here; NSO's acceptance is unverified)")
            continue
        if first:
            first = False
            if line.replace(" ", "") == FORMAT_HEADER:
                fmt = FORMAT_2
                continue
            if line.upper().startswith("EXTERNAL_KEY_FORMAT"):
                raise InputError(f"{where}: unsupported EXTERNAL_KEY_FORMAT (only 2 is known)")
            fmt = FORMAT_LEGACY
        m = _LINE.match(line)
        if not m:
            raise InputError(f"{where}: not a NAME=value or NAME[generation]=value line")
        key, gen_text, value = m.group(1), m.group(2), m.group(3).strip()
        if key == "ERROR":
            raise InputError(f"{where}: the file holds an ERROR= line")
        if key == "EXTERNAL_KEY_FORMAT":
            raise InputError(f"{where}: EXTERNAL_KEY_FORMAT must be the first line")
        if key not in KEY_LENGTHS:
            raise InputError(f"{where}: unknown key name {_safe_name(key)!r} "
                             f"(known: {', '.join(KEY_LENGTHS)})")
        if fmt == FORMAT_LEGACY and gen_text is not None:
            raise InputError(f"{where}: {key} has a [generation] but the file does not start "
                             f"with {FORMAT_HEADER}")
        if fmt == FORMAT_2 and gen_text is None:
            raise InputError(f"{where}: {key} has no [generation] in an {FORMAT_HEADER} file")
        gen = LEGACY_GENERATION if gen_text is None else int(gen_text)
        if not LEGACY_GENERATION <= gen <= MAX_GENERATION:
            raise InputError(f"{where}: generation out of range ({LEGACY_GENERATION}..{MAX_GENERATION})")
        want = KEY_LENGTHS[key]
        if not _HEXCHARS.match(value):
            raise InputError(f"{where}: {key} is not hexadecimal")
        if len(value) != want:
            raise InputError(f"{where}: {key} must be {want} hex digits, found {len(value)}")
        slot = gens.setdefault(gen, {})
        if key in slot:
            raise InputError(f"{where}: {line_name(key, gen_text and gen)} is given twice")
        slot[key] = value.lower()
    if fmt is None or not gens:
        raise InputError(f"{name}: no keys in the file")
    for gen, entries in gens.items():
        des3 = [k for k in DES3_KEYS if k in entries]
        if des3 and len(des3) != 3:
            raise InputError(f"{name}: generation {gen}: DES3CBC needs KEY1, KEY2 and KEY3 together")
    return KeysFile(fmt, tuple(make_keyset(g, gens[g]) for g in sorted(gens)), tuple(notes))


def serialize(kf: KeysFile) -> str:
    """Canonical text: header (format 2), generations ascending, fixed name order."""
    out: List[str] = [FORMAT_HEADER] if kf.format == FORMAT_2 else []
    if kf.format == FORMAT_LEGACY and len(kf.generations) != 1:
        raise ValueError("a legacy keys file holds exactly one generation")
    for g in kf.generations:
        gen = g.generation if kf.format == FORMAT_2 else None
        out.extend(f"{line_name(n, gen)}={v}" for n, v in _canonical(g.entries))
    return "\n".join(out) + "\n"


__all__ = ["KeySet", "KeysFile", "parse_keys", "serialize", "fingerprint", "file_fingerprint",
           "line_name", "make_keyset", "KEY_LENGTHS", "LEGACY_GENERATION", "FORMAT_2",
           "FORMAT_LEGACY", "FORMAT_HEADER"]
