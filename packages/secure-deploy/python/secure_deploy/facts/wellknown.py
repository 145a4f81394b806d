"""Well-known default secrets shipped with NSO local installs and examples.

Only ever compared against, never printed. Values per NSO-FACTS.md §2.3 (the 6.2.5
local-install ncs.conf and ncs_defaults.xml).
"""
from __future__ import annotations

from typing import FrozenSet, Optional, Tuple

_DEMO16 = "0123456789abcdef"

# Key values by key kind (the last path element / key-file name without generation).
DUMMY_KEYS = {
    "DES3CBC": frozenset({_DEMO16}),
    "AESCFB128": frozenset({_DEMO16 * 2}),
    "AES256CFB128": frozenset({_DEMO16 * 4}),
}

# user -> passwords the local install and the examples use.
DEFAULT_PASSWORDS = {
    "admin": ("admin",),
    "oper": ("oper",),
    "private": ("private",),
    "public": ("public",),
}
# Passwords tried for every user, whatever the name.
COMMON_PASSWORDS: FrozenSet[str] = frozenset({"admin", "oper", "cisco", "changeme", "password", "public", "private"})


def key_kind(name: str) -> str:
    """'AESCFB128_KEY[1]' / 'AESCFB128/key' / 'DES3CBC_KEY2' -> 'AESCFB128'."""
    for kind in DUMMY_KEYS:
        if name.upper().startswith(kind):
            return kind
    return name


def same_secret(a: bytes, b: bytes) -> bool:
    """Equality without an early exit: the time taken does not depend on where a and b differ.

    hmac.compare_digest gives the same guarantee, but importing it loads OpenSSL,
    which costs a standalone audit a few milliseconds of its start-up in every CI
    run; the values compared here are short (at most 64 hex digits) and their length
    is public (it is fixed by the key kind).
    """
    if len(a) != len(b):
        return False
    diff = 0
    for x, y in zip(a, b):
        diff |= x ^ y
    return diff == 0


def is_dummy_key(name: str, value: str) -> bool:
    """True when `value` is the well-known demo key for that key kind."""
    candidates = DUMMY_KEYS.get(key_kind(name), frozenset())
    v = value.strip().lower().encode()
    # Constant-time compare: these are live keys when they are not the demo ones.
    return any(same_secret(v, c.encode()) for c in candidates)


def candidate_passwords(user: str) -> FrozenSet[str]:
    return frozenset(DEFAULT_PASSWORDS.get(user, ())) | COMMON_PASSWORDS | {user}


def device_credential_verdict(remote_name: Optional[str], cleartext: Optional[str]) -> Tuple[bool, bool]:
    """(is a well-known default, was not compared) for an authgroup map's stored password.

    `cleartext` is None when the password is encrypted and was not decrypted. Without
    a remote name (a default map with same-user), the device user is each NSO user's
    own name, so any password of the common set is a default for one of them.
    """
    if cleartext is None:
        return False, True
    if remote_name:
        return cleartext in candidate_passwords(remote_name), False
    return cleartext in COMMON_PASSWORDS, False
