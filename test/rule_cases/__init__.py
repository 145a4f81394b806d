"""Pass/fail fixtures per rule: each module here exposes CASES (a list of Case)."""
from __future__ import annotations

import importlib
import pkgutil
from typing import List

from factsbuilder import Case


def all_cases() -> List[Case]:
    out: List[Case] = []
    for info in pkgutil.iter_modules(__path__):
        out.extend(importlib.import_module(f"{__name__}.{info.name}").CASES)
    return out
