"""A test double of the NSO Python API (`ncs`, `_ncs`), checked against YANG.

Never shipped in the package and never importable as `ncs` outside `install()`
(the pytest fixtures in ncs_double.pytest_plugin use it). See README.md here.
"""
from __future__ import annotations

import contextlib
import functools
import os
import sys
import types
from pathlib import Path
from typing import Iterator, Optional, Sequence, Tuple

from . import runtime
from .core import ActionFailed, NcsDouble, VmKilled
from .schema import Enum, Schema, SchemaError, load_schema

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
PACKAGE_DIR = REPO / "packages" / "secure-deploy"
SECURE_DEPLOY_YANG = PACKAGE_DIR / "src" / "yang" / "secure-deploy.yang"
KEY_ROTATION_YANG = HERE / "yang" / "nso-key-rotation-double.yang"
AAA_MODULES = ("tailf-aaa.yang", "ietf-netconf-acm.yang", "tailf-acm.yang")

__all__ = ["NcsDouble", "ActionFailed", "VmKilled", "Enum", "SchemaError", "install", "new_double",
           "shared_yang_dir", "tailf_yang_dir", "PACKAGE_DIR", "SECURE_DEPLOY_YANG"]


def shared_yang_dir() -> Optional[Path]:
    """../shared/yang (or $SECURE_DEPLOY_SHARED/yang) when present."""
    shared = Path(os.environ.get("SECURE_DEPLOY_SHARED", REPO.parent / "shared"))
    return shared / "yang" if (shared / "yang").is_dir() else None


def tailf_yang_dir() -> Optional[Path]:
    """Where tailf-common & co. are: $NCS_DIR/src/ncs/yang if NSO is installed, else shared."""
    ncs_dir = os.environ.get("NCS_DIR")
    if ncs_dir and (Path(ncs_dir) / "src" / "ncs" / "yang").is_dir():
        return Path(ncs_dir) / "src" / "ncs" / "yang"
    return shared_yang_dir()


@functools.lru_cache(maxsize=8)
def _schema(files: Tuple[str, ...], path: Tuple[str, ...]) -> Schema:
    # Parsing tailf-common takes a while; the schema is immutable, so share it.
    return load_schema([Path(f) for f in files], [Path(p) for p in path])


def new_double(extra_yang: Sequence[Path] = (), *, aaa: bool = False) -> NcsDouble:
    """A double whose CDB holds secure-deploy.yang, the key-rotation stand-in,
    optionally the AAA/NACM modules (needs the shared YANG folder) and `extra_yang`."""
    ydir = tailf_yang_dir()
    if ydir is None:
        # The Tail-f modules are reference data from ../shared (or an NSO install):
        # without them the package YANG cannot be parsed, so the test cannot run.
        import pytest
        pytest.skip("tailf-common.yang not found: set NCS_DIR or provide ../shared/yang")
    files = [SECURE_DEPLOY_YANG, KEY_ROTATION_YANG, *extra_yang]
    if aaa:
        sdir = shared_yang_dir() or ydir
        files += [sdir / m for m in AAA_MODULES]
    search = [ydir] + ([shared_yang_dir()] if shared_yang_dir() else []) + [HERE / "yang"]
    return NcsDouble(_schema(tuple(str(f) for f in files), tuple(str(p) for p in search)))


def _modules() -> dict:
    from . import application, dp, log, lowlevel, maagic, manifest, maapi
    ncs = types.ModuleType("ncs", "NSO double: stand-in for the ncs package")
    for name, val in manifest.constants("ncs").items():   # NSO's values (pyapi/ncs.md)
        setattr(ncs, name, val)
    ncs.__path__ = []  # a package, so `import ncs.maapi` works
    low = lowlevel.make_module()
    mods = {"ncs": ncs, "ncs.maapi": maapi, "ncs.maagic": maagic, "ncs.dp": dp,
            "ncs.application": application, "ncs.log": log,
            "_ncs": low, "_ncs.dp": low.dp, "_ncs.maapi": low.maapi, "_ncs.error": low.error}
    for full, mod in mods.items():
        if full.startswith("ncs."):
            setattr(ncs, full.split(".", 1)[1], mod)
    return mods


@contextlib.contextmanager
def install(double: NcsDouble) -> Iterator[NcsDouble]:
    """Make `import ncs` / `import _ncs` resolve to the double while inside."""
    mods = _modules()
    saved = {name: sys.modules.get(name) for name in mods}
    sys.modules.update(mods)
    runtime.set_current(double)
    try:
        yield double
    finally:
        runtime.set_current(None)
        for name, old in saved.items():
            if old is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = old
        # modules imported under the double hold references to the fakes: drop them
        double.purge_modules()
