"""Last line of defence against leaking secrets into output.

Checks are written never to put key material, password hashes or tokens into
messages or evidence; the facts layer does not even carry them. This scrubber runs
over every message and evidence value anyway, so a mistake shows up as
`<redacted>` instead of a leaked secret.
"""
from __future__ import annotations

import re

REDACTED = "<redacted>"

# crypt(3)-style hashes and NSO encrypted strings: $0$ (cleartext input), $1$ md5,
# $5$/$6$ sha, $7$/$8$/$9$ NSO 3DES/AES, $2a$/$2b$/$2y$ bcrypt, $y$ yescrypt.
_CRYPT = re.compile(r"\$(0|1|2[aby]?|5|6|7|8|9|y|gy|sha1|md5)\$[^\s\"'<>,;)]+")
# Long runs of hex: every NSO key is 16, 32 or 64 hex digits. Any such run, whatever
# precedes or follows it (`X7f3a...` is a key with a letter glued in front, and
# leaving its tail would still leak all but one digit). Fingerprints are printed in
# colon-separated groups of four, which this does not match.
_HEX = re.compile(r"[0-9A-Fa-f]{16,}")
# NAME=value lines of a keys file and key=value assignments of known secret names.
_ASSIGN = re.compile(r"(?i)\b((?:DES3CBC|AESCFB128|AES256CFB128)_(?:KEY\d?|IV)(?:\[-?\d+\])?|token|password|passphrase|secret)\s*[=:]\s*[^\s,;]+")


def scrub(text: str) -> str:
    """Replace anything that looks like a secret with a marker, keeping the scheme."""
    if not text:
        return text
    text = _ASSIGN.sub(lambda m: f"{m.group(1)}={REDACTED}", text)
    text = _CRYPT.sub(lambda m: f"${m.group(1)}${REDACTED}", text)
    return _HEX.sub(REDACTED, text)
