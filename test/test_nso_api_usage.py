"""The package's NSO layer uses only what NSO's Python API reference documents (issue 9).

nso_api_usage.py reads secure_deploy/nso/ (AST) and checks every `ncs`/`_ncs` use
against the manifest for the kind of object it is made on; see its docstring for how
receivers are typed.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from nso_api_usage import check_source, check_tree

NSO_DIR = Path(__file__).resolve().parent.parent / "packages" / "secure-deploy" / "python" / "secure_deploy" / "nso"


def test_the_nso_layer_uses_only_documented_api() -> None:
    findings = check_tree(NSO_DIR)
    assert [str(f) for f in findings] == []


def test_the_check_reads_every_module_of_the_nso_layer() -> None:
    # Not vacuous: it sees the package's NSO calls (a call the check knows is there).
    assert len(list(NSO_DIR.glob("*.py"))) >= 10
    assert check_source("import ncs\nncs.maapi.single_read_trans('u', 'c', dbx=1)\n")


def _texts(src: str) -> list:
    return [f.text for f in check_source(src)]


def test_query_on_a_transaction_is_found() -> None:
    # Regression: NSO's Transaction has no query_result/query_stop (they take the
    # MAAPI socket: pyapi/_ncs.maapi.md). This failed every audit on a real NSO.
    src = ("import ncs\n"
           "def query(t, expr):\n"
           "    qh = t.query_start(expr, '/', 100, 1, ncs.QUERY_STRING, ['name'], [])\n"
           "    res = t.query_result(qh)\n"
           "    t.query_stop(qh)\n")
    assert _texts(src) == ["ncs.maapi.Transaction.query_result: not in NSO's reference for that class",
                           "ncs.maapi.Transaction.query_stop: not in NSO's reference for that class"]
    fixed = src.replace("t.query_result(qh)", "t.maapi.query_result(qh)").replace("t.query_stop", "t.maapi.query_stop")
    assert _texts(fixed) == []


@pytest.mark.parametrize("src, finding", [
    ("import ncs\nncs.maapi.Query(t, '/x', '/', ['a'])\n", "ncs.maapi has no 'Query'"),
    ("import _ncs\nx = _ncs.QUERY_STRINGS\n", "_ncs has no 'QUERY_STRINGS'"),
    ("import ncs\nwith ncs.maapi.single_read_trans('u', 'c', database=2) as t:\n    pass\n",
     "keyword 'database' not documented"),
    ("import ncs\nwith ncs.maapi.Maapi() as mm:\n    mm.start_read_trans(usid=1, foo=2)\n",
     "keyword 'foo' not documented"),
    ("import ncs\nwith ncs.maapi.Maapi() as mm:\n    mm.no_such_call()\n",
     "ncs.maapi.Maapi.no_such_call: not in NSO's reference"),
    ("import ncs\nclass Main(ncs.application.Application):\n    def setup(self):\n        self.announce_thread('x')\n",
     "ncs.application.Application.announce_thread: not in NSO's reference"),
    ("import ncs\nclass A(ncs.dp.Action):\n    pass\nclass B(A):\n    def f(self):\n        self.nope()\n",
     "ncs.dp.Action.nope: not in NSO's reference"),
    ("import _ncs\ndef f(uinfo):\n    return uinfo.groups\n", "_ncs.UserInfo.groups: not in NSO's reference"),
    ("import ncs\nncs.maagic.get_root(t, True, 3)\n", "3 positional arguments"),
])
def test_undocumented_uses_are_found(src: str, finding: str) -> None:
    assert any(finding in t for t in _texts(src)), _texts(src)


def test_documented_uses_pass() -> None:
    src = ("import ncs, _ncs\n"
           "class Main(ncs.application.Application):\n"
           "    def setup(self):\n"
           "        self.log.info('x')\n"
           "        self.register_action('p', Main)\n"
           "        self.add_running_thread('Main (resume)')\n"
           "def f(uinfo, t):\n"
           "    m = ncs.maapi.Maapi()\n"
           "    with m.start_read_trans(db=ncs.OPERATIONAL, usid=uinfo.usid) as tr:\n"
           "        tr.get_elem('/x')\n"
           "        tr.maapi.reload_config()\n"
           "    _ncs.dp.action_seterr(uinfo, 'no')\n"
           "    m = object()\n"
           "    m.anything\n"          # rebound: no longer a Maapi
           "    return t.exists('/y'), ncs.maagic.get_root(t).a.b\n")
    assert _texts(src) == []
