"""Text that came from input, made safe to print on a terminal or in a one-line error.

A file name, a waiver's reason or a value read from a file may hold ESC (clear the
screen, retitle the terminal), BEL, CR/LF (forge a second line), C1 controls, bidi
overrides or, for a file name that is not valid UTF-8, lone surrogates (which cannot
even be encoded for output). Each such character is shown as a visible escape
(`\\x1b`, `\\u202e`); the bytes of a non-UTF-8 file name come out as `\\xNN`.
"""
from __future__ import annotations

import re

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


__all__ = ["printable", "terminal_safe"]
