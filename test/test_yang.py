"""The package's YANG: pyang --strict clean, NSO conventions, and a metadata sanity check."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from ncs_double import PACKAGE_DIR, SECURE_DEPLOY_YANG, tailf_yang_dir
from ncs_double.schema import load_schema

YANG_DIR = PACKAGE_DIR / "src" / "yang"
# secure-deploy-alarms imports NSO's tailf-ncs-alarms (not public): its test subset.
ALARMS_SUBSET = Path(__file__).resolve().parent / "nso_yang" / "ncs-alarms-subset"


def _pyang() -> list:
    exe = Path(sys.executable).with_name("pyang")
    if exe.exists():
        return [str(exe)]
    if shutil.which("pyang"):
        return ["pyang"]
    pytest.skip("pyang is not installed (pip install pyang)")


@pytest.fixture(scope="module")
def yang_path() -> Path:
    return tailf_yang_dir()


@pytest.mark.parametrize("module", sorted(YANG_DIR.glob("*.yang")), ids=lambda p: p.name)
def test_pyang_strict_is_clean(module: Path, yang_path: Path) -> None:
    proc = subprocess.run(_pyang() + ["--strict", "-p", f"{yang_path}:{ALARMS_SUBSET}", str(module)],
                          capture_output=True, text=True)
    assert proc.returncode == 0 and not (proc.stdout + proc.stderr).strip(), proc.stdout + proc.stderr


def test_module_header(yang_path: Path) -> None:
    text = SECURE_DEPLOY_YANG.read_text()
    assert 'yang-version 1.1;' in text
    assert 'namespace "urn:secure-deploy:yang:secure-deploy";' in text
    assert "prefix sd;" in text
    assert "revision 2026-11-26" in text
    assert "example.com" not in text


@pytest.fixture(scope="module")
def pyang_module(yang_path: Path):
    schema = load_schema([SECURE_DEPLOY_YANG], [yang_path])
    return schema.modules["secure-deploy"]


def _stmts(stmt):
    yield stmt
    for s in stmt.substmts:
        yield from _stmts(s)


def _is(stmt, ext: str) -> bool:
    return isinstance(stmt.keyword, tuple) and stmt.keyword[1] == ext


def test_every_node_has_description_and_info(pyang_module) -> None:
    missing = []
    for s in _stmts(pyang_module):
        if s.keyword in ("container", "list", "leaf", "leaf-list", "action"):
            has_info = any(_is(c, "info") for c in s.substmts)
            if s.search_one("description") is None or not has_info:
                missing.append(f"{s.keyword} {s.arg} (line {s.pos.line})")
    assert not missing, "nodes without description or tailf:info: " + ", ".join(missing)


def test_actions_have_actionpoints_and_rotation_confirms(pyang_module) -> None:
    actions = {s.arg: s for s in _stmts(pyang_module) if s.keyword == "action"}
    assert set(actions) == {"audit", "report", "harden-plan", "rotate", "status"}
    for name, a in actions.items():
        assert any(_is(c, "actionpoint") for c in a.substmts), name
    assert any(_is(c, "confirm-text") for c in actions["rotate"].substmts)


def test_oper_containers_are_persistent_cdb_oper(pyang_module) -> None:
    top = pyang_module.search_one("container", "secure-deploy")
    oper = [c for c in top.substmts if c.keyword == "container"
            and c.search_one("config") is not None and c.search_one("config").arg == "false"]
    assert {c.arg for c in oper} == {"catalog", "last-run", "history", "alarms", "key-rotation"}
    for c in oper:
        cdb = [s for s in c.substmts if _is(s, "cdb-oper")]
        assert cdb and any(_is(p, "persistent") and p.arg == "true" for p in cdb[0].substmts), c.arg
    # persistent nodes may not sit under non-persistent oper nodes: nothing deeper declares it
    nested = [s for c in oper for s in _stmts(c) if _is(s, "cdb-oper") and s.parent is not c]
    assert not nested


def test_no_python_keywords_as_node_names(pyang_module) -> None:
    """maagic maps names to attributes; `pass`, `from`... would be unusable in Python."""
    import keyword
    bad = [s.arg for s in _stmts(pyang_module)
           if s.keyword in ("container", "list", "leaf", "leaf-list", "action")
           and keyword.iskeyword(s.arg.replace("-", "_"))]
    assert not bad


def test_yanglint_loads_the_module(yang_path: Path, tmp_path: Path) -> None:
    if shutil.which("yanglint") is None:
        pytest.skip("yanglint not installed (Debian package libyang2-tools)")
    proc = subprocess.run(["yanglint", "-p", str(yang_path), str(SECURE_DEPLOY_YANG)],
                          cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_package_meta_data() -> None:
    root = etree.parse(str(PACKAGE_DIR / "package-meta-data.xml")).getroot()
    ns = {"p": "http://tail-f.com/ns/ncs-packages"}
    assert root.tag == "{http://tail-f.com/ns/ncs-packages}ncs-package"
    order = [etree.QName(c).localname for c in root if isinstance(c.tag, str)]
    assert order[:4] == ["name", "package-version", "description", "ncs-min-version"]
    assert root.findtext("p:name", namespaces=ns) == "secure-deploy"
    assert root.findtext("p:ncs-min-version", namespaces=ns) == "6.4"
    cls = root.findtext("p:component/p:application/p:python-class-name", namespaces=ns)
    assert cls == "secure_deploy.nso.main.Main"
    assert root.find("p:component/p:callback", namespaces=ns) is None


def test_makefile_without_ncs_dir_explains(tmp_path: Path) -> None:
    if shutil.which("make") is None:
        pytest.skip("make not installed")
    env = {"PATH": "/usr/bin:/bin"}
    proc = subprocess.run(["make", "-C", str(PACKAGE_DIR / "src")], env=env, capture_output=True, text=True)
    assert proc.returncode != 0
    assert "NCS_DIR" in proc.stderr


def test_makefile_compiles_each_module_with_ncsc(tmp_path: Path) -> None:
    """A fake ncsc records the command line: --fail-on-warnings -c -o ../load-dir/X.fxs."""
    if shutil.which("make") is None:
        pytest.skip("make not installed")
    ncs_dir = tmp_path / "nso"
    (ncs_dir / "bin").mkdir(parents=True)
    log = tmp_path / "ncsc.log"
    ncsc = ncs_dir / "bin" / "ncsc"
    ncsc.write_text(f'#!/bin/sh\necho "$@" >> {log}\n'
                    'while [ $# -gt 0 ]; do [ "$1" = -o ] && { shift; : > "$1"; }; shift; done\n')
    ncsc.chmod(0o755)
    src = tmp_path / "pkg" / "src"
    shutil.copytree(PACKAGE_DIR / "src", src)
    env = {"PATH": "/usr/bin:/bin", "NCS_DIR": str(ncs_dir)}
    proc = subprocess.run(["make", "-C", str(src)], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    cmds = log.read_text().splitlines()
    assert len(cmds) == len(list(YANG_DIR.glob("*.yang")))
    assert all("--fail-on-warnings" in c and " -c -o ../load-dir/" in f" {c}" for c in cmds)
    assert (tmp_path / "pkg" / "load-dir" / "secure-deploy.fxs").exists()
    subprocess.run(["make", "-C", str(src), "clean"], env=env, check=True, capture_output=True)
    assert not list((tmp_path / "pkg" / "load-dir").glob("*.fxs"))
