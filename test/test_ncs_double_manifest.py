"""The double offers NSO's documented Python API and nothing more (issue 9).

Every public name of every fake module (`ncs`, `ncs.maapi`, ..., `_ncs.maapi`) must be
in the manifest (test/ncs_double/nso-api-manifest.json, generated from the pyapi
reference) for that module, with the same parameters (names, kinds, documented
defaults); class members likewise, where Maapi/Transaction may also offer what NSO's
forward to `_ncs.maapi`. Constants are compared by value in test_nso_api_manifest.py.
"""
from __future__ import annotations

import inspect
import types
from typing import Any, Dict, List, Optional

import pytest

import ncs_double as nd
from ncs_double import manifest

KINDS = {inspect.Parameter.POSITIONAL_ONLY: "positional", inspect.Parameter.POSITIONAL_OR_KEYWORD: "positional",
         inspect.Parameter.VAR_POSITIONAL: "var_positional", inspect.Parameter.KEYWORD_ONLY: "keyword_only",
         inspect.Parameter.VAR_KEYWORD: "var_keyword"}
# Instance attributes the pages document in prose rather than as members.
PROSE_ATTRIBUTES = {"ncs.maapi.Transaction": {"maapi", "th"}}
OPTIONAL_IN_PROSE = {(f"{cls}()", p) for cls, ps in manifest.OPTIONAL_IN_PROSE.items() for p in ps}
# Python's own protocol on exception classes (the pages list these as members too).
EXCEPTION_MEMBERS = {"add_note", "args", "with_traceback"}


def _modules() -> Dict[str, types.ModuleType]:
    mods = nd._modules()
    return mods


def _params(fn: Any, drop_first: bool) -> List[Dict[str, Any]]:
    sig = inspect.signature(fn)
    ps = list(sig.parameters.values())
    if drop_first and ps and ps[0].name in ("self", "cls"):
        ps = ps[1:]
    out = []
    for p in ps:
        d: Dict[str, Any] = {"name": p.name, "kind": KINDS[p.kind]}
        if p.default is not inspect.Parameter.empty:
            d["default"] = p.default
        out.append(d)
    return out


def _mismatch(where: str, got: List[Dict[str, Any]], want: Optional[List[Dict[str, Any]]]) -> List[str]:
    if want is None:
        return []          # the page prints no signature for it
    errs = []
    if [(p["name"], p["kind"]) for p in got] != [(p["name"], p["kind"]) for p in want]:
        return [f"{where}: parameters {[p['name'] for p in got]} != documented {[p['name'] for p in want]}"]
    for g, w in zip(got, want):
        if "default" in w:
            if "default" not in g:
                errs.append(f"{where}: {g['name']} has no default, documented {w['default']}")
            elif w.get("default_value") is not None or w["default"] == "None":
                if g["default"] != w["default_value"] and not (w["default"] == "[]" and g["default"] == []):
                    errs.append(f"{where}: {g['name']}={g['default']!r}, documented {w['default']}")
        elif "default" in g and (where, g["name"]) not in OPTIONAL_IN_PROSE:
            errs.append(f"{where}: {g['name']} has a default ({g['default']!r}); NSO's is required")
    return errs


def _class_errors(modname: str, name: str, cls: type) -> List[str]:
    doc = manifest.module(modname)["classes"][name]
    where = f"{modname}.{name}"
    errs: List[str] = []
    if doc["init"] is not None and "__init__" in cls.__dict__:
        errs += _mismatch(f"{where}()", _params(cls.__init__, True), doc["init"])
    members = doc["members"]
    forwarded = manifest.load()["forwarded"].get(where, {})
    exc = issubclass(cls, BaseException)
    for attr in sorted(set(dir(cls)) - set(dir(BaseException if exc else object))):
        if attr.startswith("_"):
            continue
        value = inspect.getattr_static(cls, attr)
        if attr in members:
            want = members[attr]
            if callable(getattr(cls, attr)) and want.get("params") is not None:
                static = isinstance(value, staticmethod)
                errs += _mismatch(f"{where}.{attr}", _params(getattr(cls, attr), not static), want["params"])
        elif attr in forwarded:
            errs += _mismatch(f"{where}.{attr} (forwarded)", _params(getattr(cls, attr), True),
                              forwarded[attr]["params"])
        else:
            errs.append(f"{where}.{attr} is not in NSO's reference")
    return errs


def _surface_errors(modname: str, mod: types.ModuleType) -> List[str]:
    doc = manifest.module(modname)
    errs: List[str] = []
    for name in sorted(n for n in vars(mod) if not n.startswith("_")):
        value = getattr(mod, name)
        if name in doc["constants"]:
            continue                                   # values: test_nso_api_manifest.py
        if isinstance(value, types.ModuleType):
            if f"{modname}.{name}" not in doc["submodules"]:
                errs.append(f"{modname}.{name}: not a documented submodule")
        elif name in doc["functions"]:
            errs += _mismatch(f"{modname}.{name}", _params(value, False), doc["functions"][name]["params"])
        elif name in doc["classes"] and isinstance(value, type):
            errs += _class_errors(modname, name, value)
        else:
            errs.append(f"{modname}.{name} is not in NSO's reference")
    return errs


@pytest.mark.parametrize("modname", ["ncs", "ncs.maapi", "ncs.maagic", "ncs.dp", "ncs.application", "ncs.log",
                                     "ncs.experimental", "_ncs", "_ncs.maapi", "_ncs.dp", "_ncs.error"])
def test_fake_module_offers_only_the_documented_api(modname: str) -> None:
    mod = _modules()[modname]
    assert _surface_errors(modname, mod) == []


def test_instances_carry_only_documented_attributes(ncs_double) -> None:
    import ncs
    with ncs.maapi.single_read_trans("admin", "system") as t:
        public = {a for a in vars(t) if not a.startswith("_")}
        assert public <= PROSE_ATTRIBUTES["ncs.maapi.Transaction"], public
        assert {a for a in vars(t.maapi) if not a.startswith("_")} == set()
    uinfo_doc = set(manifest.module("_ncs")["classes"]["UserInfo"]["members"])
    uinfo = ncs_double_userinfo()
    assert {a for a in vars(uinfo) if not a.startswith("_")} <= uinfo_doc


def ncs_double_userinfo() -> Any:
    from ncs_double import lowlevel
    return lowlevel.UserInfo("admin", "cli", 7, 3)


def test_the_check_finds_an_undocumented_method() -> None:
    # The check itself: a class with a method NSO lacks, or a wrong default, is reported.
    class Transaction:
        def __init__(self, maapi, th=None, rw=None, db=2, vendor=None, product=None, version=None,
                     client_id=None):
            pass

        def query_result(self, qh):
            pass

        def apply(self, keep_open=False, flags=0):
            pass
    errs = _class_errors("ncs.maapi", "Transaction", Transaction)
    assert "ncs.maapi.Transaction.query_result is not in NSO's reference" in errs
    assert any("keep_open=False, documented True" in e for e in errs)
