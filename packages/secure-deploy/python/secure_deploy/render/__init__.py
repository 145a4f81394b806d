"""Report -> str renderers, one module per format, chosen by the Format enum."""
from __future__ import annotations

import enum
import importlib
from typing import Callable

from ..model import Report


class Format(enum.Enum):
    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"
    JUNIT = "junit"
    HTML = "html"

    @property
    def extension(self) -> str:
        return {"text": "txt", "json": "json", "sarif": "sarif", "junit": "xml", "html": "html"}[self.value]


def renderer(fmt: Format) -> Callable[[Report], str]:
    mod = importlib.import_module(f"{__package__}.{fmt.value}_report")
    return mod.render  # type: ignore[no-any-return]


def render(report: Report, fmt: Format) -> str:
    return renderer(fmt)(report)
