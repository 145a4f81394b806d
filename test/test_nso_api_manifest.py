"""The NSO API manifest (test/ncs_double/nso-api-manifest.json) and its generator.

The manifest is generated from NSO's pyapi reference by tools/nso_api_manifest.py;
`make manifest-check` compares it with the reference where the reference is present.
These tests need only the committed manifest.
"""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from ncs_double import manifest
from ncs_double import _modules as double_modules

REPO = Path(__file__).resolve().parent.parent
TOOL = REPO / "tools" / "nso_api_manifest.py"
MODULES = ["ncs", "ncs.alarm", "ncs.application", "ncs.cdb", "ncs.dp", "ncs.experimental", "ncs.log",
           "ncs.maagic", "ncs.maapi", "ncs.progress", "ncs.service_log", "ncs.template", "ncs.util",
           "_ncs", "_ncs.cdb", "_ncs.dp", "_ncs.error", "_ncs.events", "_ncs.ha", "_ncs.maapi"]


def _tool():
    spec = importlib.util.spec_from_file_location("nso_api_manifest", TOOL)
    mod = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(mod)
    return mod


def _names(params):
    return [p["name"] for p in params]


def test_manifest_covers_every_module_of_the_reference():
    assert sorted(manifest.load()["modules"]) == sorted(MODULES)


def test_manifest_records_the_facts_issue_9_depends_on():
    m = manifest.load()["modules"]
    low = m["_ncs"]["constants"]
    assert (low["QUERY_STRING"], low["QUERY_HKEYPATH"], low["QUERY_HKEYPATH_VALUE"], low["QUERY_TAG_VALUE"]) \
        == (0, 1, 2, 3)
    assert (low["ERR_PROTOUSAGE"], low["ERR_VALIDATION_WARNING"], low["ERR_XPATH"], low["ERR_OS"],
            low["ERR_UPGRADE_IN_PROGRESS"], low["ERR_BADPATH"]) == (21, 32, 50, 24, 60, 8)
    assert set(m["_ncs.error"]["exceptions"]) == {"EOF", "Error"}
    assert _names(m["_ncs.maapi"]["functions"]["query_result"]["params"]) == ["sock", "qh"]
    q = m["ncs.experimental"]["classes"]["Query"]
    assert _names(q["init"]) == ["trans", "expr", "context_node", "select", "chunk_size",
                                 "initial_offset", "result_as", "sort"]
    assert "reload_config" in m["_ncs.maapi"]["functions"]
    assert {"raise_alarm", "clear_alarm"} <= set(m["ncs.alarm"]["functions"])
    assert "notification_send" in m["_ncs.dp"]["functions"]
    tr = manifest.load()["forwarded"]["ncs.maapi.Transaction"]
    assert "query_start" in tr and "get_elem" in tr
    assert "query_result" not in tr and "query_stop" not in tr


def test_manifest_is_what_the_generator_writes(tmp_path):
    # Regenerating needs the reference; here: the committed file is in the
    # generator's canonical form (sorted, indented), so a hand edit shows up.
    data = manifest.load()
    assert manifest.PATH.read_text(encoding="utf-8") == _tool().dump(data)


PAGE = """# Python demo.mod Module

## Functions

### frob

```python
frob(sock, thandle, path, flags=0, *rest, **kw) -> int
```

## Classes

### _class_ **Boom**

Members:

<details>

<summary>add_note(...)</summary>

Method:

Exception.add_note(note) --

</details>

<details>

<summary>args</summary>

</details>

<details>

<summary>with_traceback(...)</summary>

Method:

Exception.with_traceback(tb) --

</details>

### _class_ **Thing**

```python
Thing(a, b=None, kind=<class 'demo.mod.K'>)
```

Members:

<details>

<summary>run(...)</summary>

Method:

```python
run(self, x, y='z')
```

</details>

<details>

<summary>make(...)</summary>

Class method:

```python
make(value, other) -> Thing
(class method)
```

</details>

<details>

<summary>size</summary>

_Readonly property_

</details>

## Predefined Values

```python

ANSWER = 42
NAME = 'x'
```
"""


def test_generator_parses_functions_classes_members_constants(tmp_path):
    ref = tmp_path / "ref"
    ref.mkdir()
    (ref / "modules.lst").write_text("demo.mod\n")
    (ref / "demo.mod.md").write_text(PAGE)
    out = tmp_path / "m.json"
    run = subprocess.run([sys.executable, str(TOOL), str(ref), "-o", str(out)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    mod = json.loads(out.read_text())["modules"]["demo.mod"]
    frob = mod["functions"]["frob"]
    assert [(p["name"], p["kind"], p.get("default")) for p in frob["params"]] == [
        ("sock", "positional", None), ("thandle", "positional", None), ("path", "positional", None),
        ("flags", "positional", "0"), ("rest", "var_positional", None), ("kw", "var_keyword", None)]
    assert frob["returns"] == "int"
    thing = mod["classes"]["Thing"]
    assert [(p["name"], p.get("default_value")) for p in thing["init"]] == [
        ("a", None), ("b", None), ("kind", "demo.mod.K")]
    assert [(p["name"], p.get("default_value")) for p in thing["members"]["run"]["params"]] == [("x", None),
                                                                                              ("y", "z")]
    assert thing["members"]["make"]["kind"] == "classmethod"
    assert _names(thing["members"]["make"]["params"]) == ["value", "other"]
    assert thing["members"]["size"]["kind"] == "property"
    assert mod["classes"]["Boom"]["bases"] == ["Exception"] and mod["exceptions"] == ["Boom"]
    assert _names(mod["classes"]["Boom"]["members"]["add_note"]["params"]) == ["note"]
    assert mod["constants"] == {"ANSWER": 42, "NAME": "x"}
    # --check: same reference -> 0; a changed reference -> 1
    assert subprocess.run([sys.executable, str(TOOL), str(ref), "-o", str(out), "--check"],
                          capture_output=True).returncode == 0
    (ref / "demo.mod.md").write_text(PAGE.replace("ANSWER = 42", "ANSWER = 43"))
    assert subprocess.run([sys.executable, str(TOOL), str(ref), "-o", str(out), "--check"],
                          capture_output=True).returncode == 1


def test_generator_refuses_a_missing_folder(tmp_path):
    run = subprocess.run([sys.executable, str(TOOL), str(tmp_path / "nope")], capture_output=True, text=True)
    assert run.returncode == 2 and "not a folder" in run.stderr


# ------------------------------------------------------------ the double's constants

@pytest.mark.parametrize("name", ["ncs", "_ncs", "_ncs.dp", "_ncs.maapi"])
def test_double_constants_are_nsos(name):
    mods = double_modules()
    mod = mods[name] if name in mods else getattr(mods["_ncs"], name.split(".")[1])
    expected = manifest.constants(name)
    got = {k: getattr(mod, k) for k in dir(mod) if (k.isupper() or k in expected) and not k.startswith("_")}
    assert got == expected


def test_double_error_numbers_are_nsos():
    low = double_modules()["_ncs"]
    for name in ("ERR_NOEXISTS", "ERR_BADPATH", "ERR_XPATH", "ERR_PROTOUSAGE", "ERR_VALIDATION_WARNING",
                 "ERR_OS", "ERR_UPGRADE_IN_PROGRESS", "ERR_NOT_WRITABLE", "ERR_BADTYPE", "ERR_EXTERNAL"):
        assert getattr(low, name) == manifest.module("_ncs")["constants"][name], name
    assert issubclass(low.error.EOF, Exception) and issubclass(low.error.Error, Exception)
    e = low.error.Error(low.ERR_OS, "disk full")
    assert (e.confd_errno, e.strerror) == (24, "disk full") and e.confd_lasterr
