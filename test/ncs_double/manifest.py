"""The committed NSO Python API manifest (nso-api-manifest.json), read once.

Generated from NSO's pyapi reference pages by tools/nso_api_manifest.py; the double
takes its constants and error numbers from here and test_ncs_double_manifest.py
checks its surface against it.
"""
from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any, Dict

PATH = Path(__file__).resolve().parent / "nso-api-manifest.json"

# Constructor parameters a page calls optional in prose while its printed signature
# has no default: "If type is not provided ..." (pyapi/_ncs.md Value); TagValue's
# four are each "(optional)" in its argument list (pyapi/_ncs.md TagValue).
OPTIONAL_IN_PROSE = {"_ncs.Value": frozenset({"type"}),
                     "_ncs.TagValue": frozenset({"xmltag", "v", "tag", "ns"})}


@functools.lru_cache(maxsize=1)
def load() -> Dict[str, Any]:
    return json.loads(PATH.read_text(encoding="utf-8"))


def module(name: str) -> Dict[str, Any]:
    return load()["modules"][name]


def constants(name: str) -> Dict[str, Any]:
    """Constants of a module with plain values (ints, strings)."""
    return {k: v for k, v in module(name)["constants"].items() if not isinstance(v, dict)}
