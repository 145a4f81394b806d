"""Static check of the whole tree: unused imports, undefined names, syntax errors."""
from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from conftest import REPO


def test_pyflakes_clean():
    ruff = shutil.which("ruff") or str(REPO / ".venv" / "bin" / "ruff")
    if not shutil.which(ruff):
        pytest.skip("ruff not installed (it is a test extra: pip install -e '.[test]')")
    r = subprocess.run([ruff, "check", "--no-cache", "packages", "test", "bench"], cwd=REPO,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr


def test_ncs_is_imported_only_in_the_nso_layer():
    """DESIGN: `ncs`/`_ncs` appear only under secure_deploy/nso/."""
    pkg = REPO / "packages" / "secure-deploy" / "python" / "secure_deploy"
    offenders = []
    for py in pkg.rglob("*.py"):
        if "nso" in py.relative_to(pkg).parts[:1]:
            continue
        for line in py.read_text().splitlines():
            s = line.strip()
            if s.startswith(("import ncs", "import _ncs", "from ncs", "from _ncs")):
                offenders.append(f"{py.relative_to(pkg)}: {s}")
    assert not offenders, offenders
    assert sys.modules.get("ncs") is None or "double" in repr(sys.modules["ncs"])
