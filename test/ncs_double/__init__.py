"""A test double of the NSO Python API (`ncs`, `_ncs`), checked against YANG.

Never shipped in the package and never importable as `ncs` outside `install()`
(the pytest fixtures in ncs_double.pytest_plugin use it). See README.md here.
"""
from __future__ import annotations

import contextlib
import functools
import importlib.abc
import importlib.util
import os
import sys
import types
from pathlib import Path
from typing import Any, Dict, Iterator, Sequence, Tuple

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


# What each fake module offers: only names NSO's reference documents for that module
# (test_ncs_double_manifest.py checks it). Constants come from the manifest.
EXPORTS: Dict[str, Tuple[str, ...]] = {
    "ncs.maapi": ("Maapi", "Session", "Transaction", "single_read_trans", "single_write_trans",
                  "retry_on_conflict"),
    "ncs.maagic": ("get_root", "get_node", "get_trans", "get_maapi", "cd", "Enum", "Node", "Root", "Container",
                   "PresenceContainer", "List", "ListElement", "LeafList", "Action", "ActionParams",
                   "MaagicError", "BackendError"),
    "ncs.dp": ("Action", "Daemon"),
    "ncs.application": ("Application",),
    "ncs.log": ("Log",),
    "ncs.experimental": ("Query",),
    "ncs.alarm": ("Alarm", "AlarmId", "CustomAttribute", "CustomStatusAttribute", "raise_alarm", "clear_alarm",
                  "managed_object_string", "managed_object_oid", "managed_object_instance"),
}
# Imported only on `import ncs.experimental`, as in NSO (pyapi/ncs.experimental.md).
EXPLICIT_IMPORT = ("ncs.experimental",)


def _facade(name: str, impl: types.ModuleType) -> types.ModuleType:
    from . import manifest
    mod = types.ModuleType(name, f"NSO double: stand-in for {name}")
    for const, val in manifest.constants(name).items():
        setattr(mod, const, val)
    for attr in EXPORTS[name]:
        setattr(mod, attr, getattr(impl, attr))
    return mod


def _modules() -> Dict[str, types.ModuleType]:
    from . import alarm, application, dp, experimental, log, lowlevel, maagic, manifest, maapi, notif
    ncs = types.ModuleType("ncs", "NSO double: stand-in for the ncs package")
    for name, val in manifest.constants("ncs").items():   # NSO's values (pyapi/ncs.md)
        setattr(ncs, name, val)
    ncs.__path__ = []  # a package, so `import ncs.maapi` works
    low = lowlevel.make_module()
    low.QueryResult = maapi.QueryResult
    notif.attach(low)       # hashes, DateTime, XmlTag/TagValue, _ncs.dp notification functions
    for name, fn in maapi.LOWLEVEL.items():
        setattr(low.maapi, name, fn)
    impls = {"ncs.maapi": maapi, "ncs.maagic": maagic, "ncs.dp": dp, "ncs.application": application,
             "ncs.log": log, "ncs.experimental": experimental, "ncs.alarm": alarm}
    mods: Dict[str, types.ModuleType] = {"ncs": ncs}
    for full, impl in impls.items():
        mods[full] = _facade(full, impl)
        if full not in EXPLICIT_IMPORT:
            setattr(ncs, full.split(".", 1)[1], mods[full])
    mods.update({"_ncs": low, "_ncs.dp": low.dp, "_ncs.maapi": low.maapi, "_ncs.error": low.error})
    return mods


class _ExplicitImport(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves the modules of EXPLICIT_IMPORT when (and only when) they are imported."""

    def __init__(self, mods: Dict[str, types.ModuleType]) -> None:
        self.mods = mods

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname in self.mods:
            return importlib.util.spec_from_loader(fullname, self)
        return None

    def create_module(self, spec: Any) -> types.ModuleType:
        return self.mods[spec.name]

    def exec_module(self, module: types.ModuleType) -> None:
        pass


@contextlib.contextmanager
def install(double: NcsDouble) -> Iterator[NcsDouble]:
    """Make `import ncs` / `import _ncs` resolve to the double while inside."""
    mods = _modules()
    lazy = {name: mods.pop(name) for name in EXPLICIT_IMPORT}
    finder = _ExplicitImport(lazy)
    saved = {name: sys.modules.get(name) for name in [*mods, *lazy]}
    for name in lazy:
        sys.modules.pop(name, None)
    sys.modules.update(mods)
    sys.meta_path.insert(0, finder)
    runtime.set_current(double)
    try:
        yield double
    finally:
        runtime.set_current(None)
        sys.meta_path.remove(finder)
        for name, old in saved.items():
            if old is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = old
        # modules imported under the double hold references to the fakes: drop them
        double.purge_modules()
