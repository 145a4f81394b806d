"""Leaf values read through maagic, as text.

maagic gives an enumeration leaf as an `ncs.maagic.Enum` whose label is its `string`
attribute (pyapi/ncs.maagic.md, class Enum); the reference documents no string form
for it, so `str()` is not relied on. Other leaves give Python values whose str() is
their YANG text.
"""
from __future__ import annotations

from typing import Any, Optional


def text(value: Any) -> Optional[str]:
    """The leaf's text: an enumeration's label, anything else's str(); None stays None."""
    if value is None:
        return None
    label = getattr(value, "string", None)     # ncs.maagic.Enum
    return str(label) if label is not None else str(value)


def nonempty(value: Any) -> Optional[str]:
    """text(), with "" read as unset."""
    s = text(value)
    return s if s else None
