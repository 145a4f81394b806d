"""Reports: renderers (one module per format, chosen by the Format enum), gating, diff, waivers.

May import the core and `facts`; never `cli`, `nso` or `ncs`.

Every renderer is pure: `render(report, options) -> str`. What depends on the
outside world (is stdout a colour terminal, the directory SARIF paths are relative
to, earlier runs for the HTML trend) is decided by the caller and passed in.
"""
from __future__ import annotations

import enum
import importlib
import os
from typing import Callable, Optional, Tuple

from ..frozen import frozen
from ..model import Report


class Format(enum.Enum):
    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"
    JUNIT = "junit"
    HTML = "html"
    MARKDOWN = "markdown"                      # e.g. a CI job summary ($GITHUB_STEP_SUMMARY)
    GITLAB_CODEQUALITY = "gitlab-codequality"  # GitLab's Code Quality report (merge-request widget)

    @property
    def extension(self) -> str:
        return {"text": "txt", "json": "json", "sarif": "sarif", "junit": "xml", "html": "html",
                "markdown": "md", "gitlab-codequality": "codequality.json"}[self.value]

    @property
    def module(self) -> str:
        return self.value.replace("-", "_") + "_report"


@frozen
class HistoryPoint:
    """One earlier run, for trend charts: when, score, failing-rule count, and what it audited."""

    started_at: str
    score: float
    failed: int = 0
    target: str = ""     # what that run audited; "" = the same target as the report


@frozen
class RenderOptions:
    """Per-format options for rendering a report."""

    color: bool = False                    # text: ANSI colours (caller checks TTY and NO_COLOR)
    base_dir: Optional[str] = None         # sarif: paths under it become relative URIs
    history: Tuple[HistoryPoint, ...] = ()  # html: earlier runs, oldest first
    width: Optional[int] = 80              # text: wrap width; None: never wrap (pipes, files)
    detail: str = "default"                # text: "quiet" (failures only), "default", "all" (+ passing)
    sarif_category: Optional[str] = None   # sarif: runs[].automationDetails.id (one per deployment)


def relative_path(path: str, base_dir: Optional[str]) -> str:
    """`path` relative to `base_dir` when it lies under it (how CI services name files in
    the checkout), else unchanged."""
    if base_dir and os.path.isabs(path):
        base = base_dir.rstrip(os.sep) + os.sep
        if path.startswith(base):
            return path[len(base):].replace(os.sep, "/")
    return path


def renderer(fmt: Format) -> Callable[..., str]:
    mod = importlib.import_module(f"{__package__}.{fmt.module}")
    return mod.render  # type: ignore[no-any-return]


def render(report: Report, fmt: Format, options: Optional[RenderOptions] = None) -> str:
    return renderer(fmt)(report, options or RenderOptions())
