"""Text made safe for output: secrets scrubbed (scrub), controls escaped (printable).

Last line of defence against leaking secrets into output.

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


# --- terminal safety -----------------------------------------------------------------
# Text that came from input (a file name, a waiver's reason, a value read from a file)
# may hold ESC (clear the screen, retitle the terminal), BEL, CR/LF (forge a second
# line), C1 controls, bidi overrides or, for a file name that is not valid UTF-8, lone
# surrogates (which cannot even be encoded for output). Each such character is shown
# as a visible escape (\x1b, \u202e); a non-UTF-8 file name's bytes come out as \xNN.

# C0 controls, DEL, C1 controls, bidi embeddings/overrides/isolates, line/paragraph
# separators, BOM/zero-width no-break space, and surrogates (file names that were not
# UTF-8 arrive as U+DC80..U+DCFF through os.fsdecode's surrogateescape).
_OTHER = "\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff\ud800-\udfff"
_ONE_LINE = re.compile(f"[\x00-\x1f{_OTHER}]")
# Keeps TAB, LF and the CR of a CRLF line end (a CR alone rewrites the line on a terminal).
_MULTI_LINE = re.compile(f"\r(?!\n)|[\x00-\x08\x0b\x0c\x0e-\x1f{_OTHER}]")


def _escape(m: "re.Match[str]") -> str:
    c = m.group(0)
    n = ord(c)
    if 0xDC80 <= n <= 0xDCFF:        # an undecodable byte of a file name
        return f"\\x{n - 0xDC00:02x}"
    return f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}"


def printable(text: object) -> str:
    """`text` on one line with every control or invisible character escaped."""
    s = text if isinstance(text, str) else str(text)
    return _ONE_LINE.sub(_escape, s)


def terminal_safe(text: str) -> str:
    """Multi-line output: as `printable`, but line ends and tabs stay (for whole outputs
    whose lines the tool wrote itself, e.g. a plan or a diff of a file)."""
    return _MULTI_LINE.sub(_escape, text)


