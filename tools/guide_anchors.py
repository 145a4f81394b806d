#!/usr/bin/env python3
"""Re-derive the recommendation anchors of the Secure Deployment guidance.

Every bullet of the guidance (at any depth) and every hint block is an anchor
`<section-slug>#<n>` (n counts the bullets and hints under that heading, from 1), so
that `secure_deploy/guidance.py` can say, for each one, which recommendation it is
(or why it is context, not a recommendation). test/test_guidance.py compares the
anchors committed there with what this script derives from the seed when the seed
is present; the package never reads the seed.

    python3 tools/guide_anchors.py [../shared/seed/secure-deployment.md]

prints one line per anchor: the anchor, a tab, the first words of the bullet.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Dict, List, Tuple

DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "seed" / "secure-deployment.md"
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")
_BULLET = re.compile(r"^(\s*)[*-]\s+(.*)$")


def slug(heading: str) -> str:
    text = re.sub(r"[^a-z0-9]+", "-", heading.lower()).strip("-")
    return text


def anchors(markdown: str) -> List[Tuple[str, str]]:
    """(anchor, opening words) for every bullet and hint block, in document order.

    A heading whose slug was seen before gets -2, -3, ... (as GitHub does). A section
    with prose but no bullet gets one anchor `<slug>#0` for its first paragraph
    (the guidance words some recommendations as a sentence).
    """
    out: List[Tuple[str, str]] = []
    seen: Dict[str, int] = {}
    section, n, prose = "", 0, ""

    def close() -> None:
        if section and n == 0 and prose:
            out.append((f"{section}#0", " ".join(prose.split()[:6])))
    for line in markdown.splitlines():
        h = _HEADING.match(line)
        if h:
            close()
            base = slug(h.group(2))
            seen[base] = seen.get(base, 0) + 1
            section = base if seen[base] == 1 else f"{base}-{seen[base]}"
            n, prose = 0, ""
            continue
        b = _BULLET.match(line)
        hint = line.strip().startswith("{% hint")
        if b or hint:
            n += 1
            words = "hint" if hint else " ".join(b.group(2).split()[:6])
            out.append((f"{section}#{n}", words))
        elif line.strip() and not prose and not line.strip().startswith("{%"):
            prose = line.strip()
    close()
    return out


def main(argv: List[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT
    if not path.is_file():
        print(f"{path}: no such file (give the seed document's path)", file=sys.stderr)
        return 2
    for anchor, words in anchors(path.read_text(encoding="utf-8")):
        print(f"{anchor}\t{words}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
