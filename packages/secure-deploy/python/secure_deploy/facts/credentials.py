"""Classify stored passwords without keeping them: scheme, and "is a well-known default".

Pure (no IO): the standalone reader (facts/cdb.py) and the NSO side use it alike.
Python 3.13 dropped the `crypt` module, so MD5-crypt ($1$) and SHA-crypt ($5$/$6$)
are implemented here from Ulrich Drepper's "Unix crypt using SHA-256 and SHA-512"
specification and the FreeBSD MD5-crypt it replaced; the tests check them against the
spec's published vectors and against `crypt.crypt` where it still exists.

Nothing here returns, logs or raises with a hash or a password in it.
"""
from __future__ import annotations

import re
from typing import Callable, FrozenSet, Optional, Tuple

from .wellknown import DEFAULT_PASSWORDS, candidate_passwords

_ITOA64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
SCHEMES = ("none", "$0$", "$1$", "$5$", "$6$", "other")

# SHA-crypt: glibc's default and bounds; rounds outside are clamped by glibc.
DEFAULT_ROUNDS = 5000
_MIN_ROUNDS, _MAX_ROUNDS_SPEC = 1000, 999_999_999
# A stored hash chooses its own work factor. A hostile CDB file with rounds=999999999
# would make the audit spin for hours per candidate, so above this cap the value is
# not tried at all and counts as "not a default" (10**6 rounds ~ seconds in Python).
MAX_ROUNDS = 1_000_000


# The shapes iana-crypt-hash (RFC 7317) allows; NSO refuses anything else on load, so
# a value that only starts like a scheme is "other" (to be looked at), not that scheme.
_SHAPES = (
    ("$1$", re.compile(r"\$1\$[a-zA-Z0-9./]{1,8}\$[a-zA-Z0-9./]{22}")),
    ("$5$", re.compile(r"\$5\$(rounds=\d+\$)?[a-zA-Z0-9./]{1,16}\$[a-zA-Z0-9./]{43}")),
    ("$6$", re.compile(r"\$6\$(rounds=\d+\$)?[a-zA-Z0-9./]{1,16}\$[a-zA-Z0-9./]{86}")),
)


def classify_hash(value: Optional[str]) -> str:
    """'none', '$0$' (cleartext input), '$1$', '$5$', '$6$' (well-formed) or 'other'."""
    if value is None or not value.strip():
        return "none"
    v = value.strip()
    if v.startswith("$0$"):
        return "$0$"
    for scheme, shape in _SHAPES:
        if shape.fullmatch(v):
            return scheme
    return "other"


def _b64(b2: int, b1: int, b0: int, n: int) -> str:
    w = (b2 << 16) | (b1 << 8) | b0
    out = []
    for _ in range(n):
        out.append(_ITOA64[w & 0x3F])
        w >>= 6
    return "".join(out)


def md5_crypt(password: bytes, salt: bytes) -> str:
    """FreeBSD/glibc MD5-crypt: '$1$salt$checksum'. Salt is cut at 8 chars / '$'."""
    import hashlib  # lazy: loading OpenSSL costs ms of start-up, and most audits hash nothing
    salt = salt.split(b"$", 1)[0][:8]
    magic = b"$1$"
    alt = hashlib.md5(password + salt + password).digest()
    ctx = hashlib.md5(password + magic + salt)
    pl = len(password)
    while pl > 0:
        ctx.update(alt[:min(pl, 16)])
        pl -= 16
    i = len(password)
    while i:
        # The original code adds the byte of a zeroed buffer or the first password byte.
        ctx.update(b"\0" if i & 1 else password[:1])
        i >>= 1
    final = ctx.digest()
    for r in range(1000):
        c = hashlib.md5()
        c.update(password if r & 1 else final)
        if r % 3:
            c.update(salt)
        if r % 7:
            c.update(password)
        c.update(final if r & 1 else password)
        final = c.digest()
    f = final
    enc = (_b64(f[0], f[6], f[12], 4) + _b64(f[1], f[7], f[13], 4) + _b64(f[2], f[8], f[14], 4)
           + _b64(f[3], f[9], f[15], 4) + _b64(f[4], f[10], f[5], 4) + _b64(0, 0, f[11], 2))
    return f"$1${salt.decode('ascii', 'replace')}${enc}"


def _repeat(digest: bytes, length: int) -> bytes:
    return (digest * (length // len(digest) + 1))[:length]


def sha_crypt(password: bytes, salt: bytes, rounds: Optional[int], *, bits: int) -> str:
    """Drepper SHA-crypt: bits 256 -> '$5$', 512 -> '$6$'. rounds None = default, not shown."""
    import hashlib
    h: Callable[..., "hashlib._Hash"] = hashlib.sha256 if bits == 256 else hashlib.sha512
    n = 32 if bits == 256 else 64
    salt = salt.split(b"$", 1)[0][:16]
    custom = rounds is not None
    rounds = DEFAULT_ROUNDS if rounds is None else max(_MIN_ROUNDS, min(rounds, _MAX_ROUNDS_SPEC))
    b = h(password + salt + password).digest()
    a = h(password + salt)
    pl = len(password)
    while pl > n:
        a.update(b)
        pl -= n
    a.update(b[:pl])
    i = len(password)
    while i:
        a.update(b if i & 1 else password)
        i >>= 1
    c = a.digest()
    p_seq = _repeat(h(password * len(password)).digest(), len(password))
    s_seq = _repeat(h(salt * (16 + c[0])).digest(), len(salt))
    for r in range(rounds):
        # One bytes concatenation per round is the fastest pure-Python form (one C call).
        c = h((p_seq if r & 1 else c) + (s_seq if r % 3 else b"") + (p_seq if r % 7 else b"")
              + (c if r & 1 else p_seq)).digest()
    if bits == 256:
        groups = [((k * 21) % 30, (k * 21 + 10) % 30, (k * 21 + 20) % 30) for k in range(10)]
        enc = "".join(_b64(c[x], c[y], c[z], 4) for x, y, z in groups) + _b64(0, c[31], c[30], 3)
    else:
        groups = [((k * 22) % 63, (k * 22 + 21) % 63, (k * 22 + 42) % 63) for k in range(21)]
        enc = "".join(_b64(c[x], c[y], c[z], 4) for x, y, z in groups) + _b64(0, 0, c[63], 2)
    prefix = f"${'5' if bits == 256 else '6'}$" + (f"rounds={rounds}$" if custom else "")
    return f"{prefix}{salt.decode('ascii', 'replace')}${enc}"


def _parse_sha(value: str) -> Optional[Tuple[int, Optional[int], bytes, str]]:
    """'$6$[rounds=N$]salt$checksum' -> (bits, rounds, salt, checksum); None if malformed."""
    bits = 256 if value.startswith("$5$") else 512
    rest = value[3:]
    rounds: Optional[int] = None
    if rest.startswith("rounds="):
        num, _, rest = rest[len("rounds="):].partition("$")
        if not num.isdigit():
            return None
        rounds = int(num)
    salt, sep, checksum = rest.rpartition("$")
    if not sep or not checksum:
        return None
    return bits, rounds, salt.encode(), checksum


def _checksum(full: str) -> str:
    return full.rsplit("$", 1)[-1]


def crypt_matches(password: str, stored: str) -> bool:
    """True when `password` hashes to `stored` ($1$/$5$/$6$). Unknown or too costly: False."""
    from hmac import compare_digest
    pw = password.encode()
    if stored.startswith("$1$"):
        salt, sep, checksum = stored[3:].rpartition("$")
        if not sep:
            return False
        mine = md5_crypt(pw, salt.encode())
        return compare_digest(_checksum(mine).encode(), checksum.encode())
    if stored.startswith(("$5$", "$6$")):
        parsed = _parse_sha(stored)
        if parsed is None:
            return False
        bits, rounds, salt, checksum = parsed
        if rounds is not None and rounds > MAX_ROUNDS:
            return False
        mine = sha_crypt(pw, salt, rounds, bits=bits)
        return compare_digest(_checksum(mine).encode(), checksum.encode())
    return False


def hashed_candidates(user: str) -> FrozenSet[str]:
    """Passwords tried against a *hashed* value of `user`.

    Cleartext ($0$) values are compared with every candidate (free). A hash costs
    ~1-5 ms per candidate in pure Python (5000 rounds of SHA-512), so trying the
    whole candidate set for 10,000 users would take minutes. Hashed values are
    therefore only tried for the users the local install and the examples create
    (DEFAULT_PASSWORDS: admin, oper, public, private), with the full candidate set
    (which includes the user's own name). Other users' hashes are not tried: a
    made-up user with a guessable password is out of reach of a fast audit.
    """
    if user in DEFAULT_PASSWORDS:
        return candidate_passwords(user)
    return frozenset()


def matches_default(user: str, value: Optional[str]) -> bool:
    """Whether the stored password of `user` is a well-known default (see hashed_candidates)."""
    if value is None:
        return False
    v = value.strip()
    scheme = classify_hash(v)
    if scheme == "$0$":
        # The stored text is already in the clear in the file being read, so a
        # constant-time compare protects nothing here; a set lookup needs no hmac/OpenSSL.
        return v[3:] in candidate_passwords(user)
    if scheme in ("$1$", "$5$", "$6$"):
        return any(crypt_matches(c, v) for c in sorted(hashed_candidates(user)))
    return False
