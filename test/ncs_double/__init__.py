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
from typing import Iterator, Sequence, Tuple

from . import runtime
from .core import ActionFailed, NcsDouble, VmKilled
from .schema import Enum, Schema, SchemaError, load_schema

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
PACKAGE_DIR = REPO / "packages" / "secure-deploy"
SECURE_DEPLOY_YANG = PACKAGE_DIR / "src" / "yang" / "secure-deploy.yang"
KEY_ROTATION_YANG = HERE / "yang" / "nso-key-rotation-double.yang"
# Unmodified public modules carried in the repository, and our tailf-aaa subset
# (test/yang/README.md): the double needs nothing outside the clone.
PUBLIC_YANG = REPO / "test" / "yang" / "public"
AAA_SUBSET_YANG = REPO / "test" / "yang" / "subset" / "tailf-aaa-subset.yang"
AAA_MODULES = (AAA_SUBSET_YANG, PUBLIC_YANG / "ietf-netconf-acm.yang", PUBLIC_YANG / "tailf-acm.yang")

__all__ = ["NcsDouble", "ActionFailed", "VmKilled", "Enum", "SchemaError", "install", "new_double",
           "tailf_yang_dir", "PACKAGE_DIR", "SECURE_DEPLOY_YANG", "PUBLIC_YANG", "AAA_MODULES"]


def tailf_yang_dir() -> Path:
    """Where tailf-common & co. are: $NCS_DIR/src/ncs/yang if NSO is installed, else
    the carried copies in test/yang/public."""
    ncs_dir = os.environ.get("NCS_DIR")
    if ncs_dir and (Path(ncs_dir) / "src" / "ncs" / "yang" / "tailf-common.yang").is_file():
        return Path(ncs_dir) / "src" / "ncs" / "yang"
    return PUBLIC_YANG


@functools.lru_cache(maxsize=8)
def _schema(files: Tuple[str, ...], path: Tuple[str, ...]) -> Schema:
    # Parsing tailf-common takes a while; the schema is immutable, so share it.
    return load_schema([Path(f) for f in files], [Path(p) for p in path])


def new_double(extra_yang: Sequence[Path] = (), *, aaa: bool = False) -> NcsDouble:
    """A double whose CDB holds secure-deploy.yang, the key-rotation stand-in,
    optionally the AAA/NACM modules (tailf-aaa subset, ietf-netconf-acm, tailf-acm)
    and `extra_yang`."""
    ydir = tailf_yang_dir()
    files = [SECURE_DEPLOY_YANG, KEY_ROTATION_YANG, *extra_yang]
    if aaa:
        files += list(AAA_MODULES)
    search = [ydir, PUBLIC_YANG, HERE / "yang"]
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
