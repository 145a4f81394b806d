"""What ships: the NSO package tarball (`make package`), the wheel and sdist, the
license and the project metadata; and no build artefact ever lands in the package
folder (an editable install used to write secure_deploy.egg-info there)."""
from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from conftest import REPO

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

PKG = REPO / "packages" / "secure-deploy"
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())
# sha256 of the Apache License 2.0 text as the ASF publishes it (LICENSE-2.0.txt)
APACHE_2_SHA256 = "cfc7749b96f63bd31c3c42b5c471bf756814053e847c10f3eb003417bc523d30"
JUNK = re.compile(r"(__pycache__|\.pyc$|\.egg-info|load-dir|\.fxs$|/\.|~$)")

_spec = importlib.util.spec_from_file_location("nso_package", REPO / "tools" / "nso_package.py")
nso_package = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(nso_package)


def _tracked(folder: Path):
    r = subprocess.run(["git", "-C", str(REPO), "ls-files", "-z", str(folder.relative_to(REPO))],
                       capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip("not a git checkout")
    return {Path(p).relative_to(folder.relative_to(REPO)).as_posix() for p in r.stdout.split("\0") if p}


@pytest.fixture
def src_with_junk(tmp_path):
    """A copy of the package folder with every kind of artefact a build or a test leaves."""
    src = tmp_path / "secure-deploy"
    shutil.copytree(PKG, src, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "load-dir"))
    py = src / "python"
    (py / "secure_deploy" / "__pycache__").mkdir()
    (py / "secure_deploy" / "__pycache__" / "model.cpython-311.pyc").write_bytes(b"\0")
    (py / "secure_deploy.egg-info").mkdir()
    (py / "secure_deploy.egg-info" / "PKG-INFO").write_text("x")
    (src / "load-dir").mkdir()
    (src / "load-dir" / "secure-deploy.fxs").write_bytes(b"\0")
    (src / ".DS_Store").write_bytes(b"\0")
    (py / "secure_deploy" / "model.py~").write_text("x")
    return src


def _members(tgz: Path):
    with tarfile.open(tgz) as t:
        return {m.name: m for m in t.getmembers()}


def test_tarball_is_the_package_folder_and_nothing_else(src_with_junk, tmp_path):
    out = nso_package.build(src_with_junk, tmp_path / "dist", REPO / "LICENSE")
    version = nso_package.version_of(PKG)
    assert out.name == f"secure-deploy-{version}.tar.gz"
    members = _members(out)
    files = {n[len("secure-deploy/"):] for n, m in members.items() if m.isfile()}
    assert all(n == "secure-deploy" or n.startswith("secure-deploy/") for n in members)
    assert files == _tracked(PKG) | {"LICENSE"}
    assert not [n for n in members if JUNK.search(n)]
    for needed in ("package-meta-data.xml", "src/Makefile", "src/yang/secure-deploy.yang",
                   "python/secure_deploy/__init__.py", "python/secure_deploy/nso/main.py",
                   "python/secure_deploy/schemas/report.schema.json", "LICENSE"):
        assert needed in files


def test_tarball_entries_are_owned_by_root_with_plain_modes(src_with_junk, tmp_path):
    for m in _members(nso_package.build(src_with_junk, tmp_path, REPO / "LICENSE")).values():
        assert (m.uid, m.gid, m.uname) == (0, 0, "root")
        assert m.mode in ((0o755,) if m.isdir() else (0o644, 0o755)), (m.name, oct(m.mode))
        assert m.isdir() or m.isfile(), m.name


def test_tarball_is_reproducible(src_with_junk, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    a = nso_package.build(src_with_junk, tmp_path / "a", REPO / "LICENSE").read_bytes()
    os.utime(src_with_junk / "package-meta-data.xml", (0, 0))
    b = nso_package.build(src_with_junk, tmp_path / "b", REPO / "LICENSE").read_bytes()
    assert a == b


def test_links_are_refused_not_followed(src_with_junk, tmp_path):
    (src_with_junk / "python" / "secure_deploy" / "evil.py").symlink_to("/etc/passwd")
    with pytest.raises(nso_package.PackageError, match="evil.py"):
        nso_package.build(src_with_junk, tmp_path, REPO / "LICENSE")


def test_versions_must_agree(src_with_junk, tmp_path):
    meta = src_with_junk / "package-meta-data.xml"
    meta.write_text(re.sub(r"<package-version>[^<]*", "<package-version>9.9.9", meta.read_text()))
    with pytest.raises(nso_package.PackageError, match="version mismatch"):
        nso_package.build(src_with_junk, tmp_path, REPO / "LICENSE")
    assert not list(tmp_path.glob("*.tar.gz"))


def test_package_meta_data_names_a_class_the_tarball_has(src_with_junk, tmp_path):
    cls = re.search(r"<python-class-name>([\w.]+)</python-class-name>",
                    (PKG / "package-meta-data.xml").read_text()).group(1)
    module = "python/" + "/".join(cls.split(".")[:-1]) + ".py"
    files = _members(nso_package.build(src_with_junk, tmp_path, REPO / "LICENSE"))
    assert f"secure-deploy/{module}" in files


# --- license and metadata -----------------------------------------------------------

def test_license_is_the_apache_2_text():
    assert hashlib.sha256((REPO / "LICENSE").read_bytes()).hexdigest() == APACHE_2_SHA256
    project = PYPROJECT["project"]
    assert project["license"] == "Apache-2.0" and project["license-files"] == ["LICENSE"]


def test_project_metadata_is_complete_and_consistent():
    project = PYPROJECT["project"]
    assert project["authors"] and project["maintainers"] and project["keywords"] and project["description"]
    classifiers = project["classifiers"]
    versions = {c.rsplit(":: ", 1)[1] for c in classifiers if re.search(r"Python :: 3\.\d+$", c)}
    assert versions == {"3.10", "3.11", "3.12", "3.13"}
    assert project["requires-python"] == ">=3.10"
    assert "Topic :: Security" in classifiers
    # one version, in the Python package (the build reads it) and the NSO package
    assert project["dynamic"] == ["version"]
    import secure_deploy
    assert nso_package.version_of(PKG) == secure_deploy.__version__


# --- the build backend, called as pip calls it ---------------------------------------

@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A copy of the checkout, built with its build backend's PEP 517/660 hooks, as pip does."""
    backend = PYPROJECT["build-system"]["build-backend"]
    pytest.importorskip(backend.split(".")[0])
    root = tmp_path_factory.mktemp("checkout")
    src = root / "repo"
    shutil.copytree(REPO, src, ignore=shutil.ignore_patterns(
        ".git", ".venv*", "dist", "build", "__pycache__", "*.egg-info", ".pytest_cache", "load-dir"))
    before = sorted(p.relative_to(src).as_posix() for p in (src / "packages").rglob("*"))
    outs = [root / d for d in ("editable", "wheel", "sdist")]  # editable and wheel share a file name
    for d in outs:
        d.mkdir()
    code = (f"import importlib, json, sys; b = importlib.import_module({backend!r}); e, w, s = sys.argv[1:]; "
            "print(json.dumps([b.build_editable(e), b.build_wheel(w), b.build_sdist(s)]))")
    r = subprocess.run([sys.executable, "-c", code, *map(str, outs)], cwd=src, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    names = json.loads(r.stdout.strip().splitlines()[-1])
    after = sorted(p.relative_to(src).as_posix() for p in (src / "packages").rglob("*"))
    built = {k: d / n for k, d, n in zip(("editable", "wheel", "sdist"), outs, names)}
    return {"src": src, "before": before, "after": after, **built}


def test_builds_leave_the_package_folder_untouched(built):
    assert built["after"] == built["before"]


def test_pip_editable_install_writes_nothing_into_the_package_folder(tmp_path):
    """Regression: with setuptools, `pip install -e .` left secure_deploy.egg-info in
    packages/secure-deploy/python, which the copy into NSO then shipped. This is the
    real pip flow (build isolation: the backend comes from the package index)."""
    src = tmp_path / "repo"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(REPO / name, src / name)
    shutil.copytree(PKG, src / "packages" / "secure-deploy",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "load-dir"))
    before = sorted(p.relative_to(src).as_posix() for p in src.rglob("*"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    py = venv / "bin" / "python"
    r = subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "-q", "--no-deps",
                        "-e", str(src)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert sorted(p.relative_to(src).as_posix() for p in src.rglob("*")) == before
    r = subprocess.run([str(py), "-c", "import secure_deploy; print(secure_deploy.__file__)"],
                       capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert r.stdout.strip() == str(src / "packages/secure-deploy/python/secure_deploy/__init__.py")


def test_editable_install_points_at_the_package_folder(built):
    with zipfile.ZipFile(built["editable"]) as z:
        pth = [n for n in z.namelist() if n.endswith(".pth")]
        assert pth and str(built["src"] / "packages" / "secure-deploy" / "python") in z.read(pth[0]).decode()
        assert not [n for n in z.namelist() if "egg-info" in n]


def test_wheel_contents_and_metadata(built):
    with zipfile.ZipFile(built["wheel"]) as z:
        names = z.namelist()
        meta = z.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "secure_deploy/schemas/report.schema.json" in names
    assert "secure_deploy/nso/main.py" in names and "secure_deploy/cli/__init__.py" in names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert not [n for n in names if JUNK.search(n) or n.startswith(("test/", "packages/"))]
    assert "License-Expression: Apache-2.0" in meta and "Requires-Python: >=3.10" in meta


def test_sdist_has_sources_tests_and_license_but_no_artefacts(built):
    with tarfile.open(built["sdist"]) as t:
        names = [n.split("/", 1)[1] for n in t.getnames() if "/" in n]
    for needed in ("LICENSE", "pyproject.toml", "README.md", "packages/secure-deploy/package-meta-data.xml",
                   "packages/secure-deploy/src/yang/secure-deploy.yang", "test/conftest.py",
                   "tools/nso_package.py"):
        assert needed in names
    visible = [n for n in names if n not in (".ci/run", ".gitignore")]   # the only dotfiles shipped
    assert not [n for n in visible if JUNK.search("/" + n)]
