"""Which NSO release's defaults apply: --nso-version, $NCS_DIR/VERSION, runtime."""
from __future__ import annotations

import os
import re
from typing import Mapping, Optional

from ..errors import InputError
from ..fileio import read_input
from ..model import SUPPORTED_NSO_VERSIONS, VERSION_UNKNOWN, NsoVersionInfo

_VERSION_RE = re.compile(r"(\d+)\.(\d+)(?:\.\d+)*(?:_[0-9A-Za-z]+)?")
# When nothing says which release runs, 6.4 is only the nominal value (reports need one):
# NsoVersionInfo.unknown makes the engine judge an absent element under every supported
# release and keep the strictest verdict, and harden pin what any release would default to.
ASSUMED_DEFAULT = "6.4"


def parse_version(text: str, source: str) -> NsoVersionInfo:
    m = _VERSION_RE.search(text.strip())
    if not m:
        raise InputError(f"{source}: cannot read an NSO version from {text.strip()[:40]!r}")
    major_minor = f"{m.group(1)}.{m.group(2)}"
    if major_minor not in SUPPORTED_NSO_VERSIONS:
        raise InputError(f"{source}: NSO {m.group(0)} is not supported "
                         f"(supported: {', '.join(SUPPORTED_NSO_VERSIONS)})")
    return NsoVersionInfo(major_minor, m.group(0), source)


def resolve_version(explicit: Optional[str] = None, ncs_dir: Optional[str] = None,
                    runtime: Optional[str] = None,
                    environ: Optional[Mapping[str, str]] = None) -> NsoVersionInfo:
    """Explicit option first, then the running NSO, then $NCS_DIR/VERSION."""
    if explicit:
        return parse_version(explicit, "--nso-version")
    if runtime:
        return parse_version(runtime, "runtime")
    env = os.environ if environ is None else environ
    ncs_dir = ncs_dir or env.get("NCS_DIR")
    if ncs_dir:
        data = read_input(os.path.join(ncs_dir, "VERSION"), "VERSION file", 4096, missing_ok=True)
        if data is not None:
            return parse_version(data.decode("utf-8", "replace")[:200], "$NCS_DIR/VERSION")
    return NsoVersionInfo(ASSUMED_DEFAULT, ASSUMED_DEFAULT, VERSION_UNKNOWN)
