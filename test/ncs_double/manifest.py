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


@functools.lru_cache(maxsize=1)
def load() -> Dict[str, Any]:
    return json.loads(PATH.read_text(encoding="utf-8"))


def module(name: str) -> Dict[str, Any]:
    return load()["modules"][name]


def constants(name: str) -> Dict[str, Any]:
    """Constants of a module with plain values (ints, strings)."""
    return {k: v for k, v in module(name)["constants"].items() if not isinstance(v, dict)}
