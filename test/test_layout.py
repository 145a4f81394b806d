"""The folder layout is the architecture: imports point inward, one folder per capability.

core (top-level modules) <- facts <- checks / keys / harden / report <- cli / nso; fleet (cross-node
merging) reads facts and checks and is used by cli / nso; guidance (the guidance checklist)
reads only the core and is used by report, cli and nso.
"""
from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, Iterator, Set, Tuple

from conftest import REPO

PKG = REPO / "packages" / "secure-deploy" / "python" / "secure_deploy"
CORE = "core"

# What each folder may import besides itself. harden verifies its result by running
# the rules, so it may read checks; nothing else crosses between the capability folders.
ALLOWED: Dict[str, Set[str]] = {
    CORE: set(),
    "facts": {CORE},
    "checks": {CORE, "facts"},
    "keys": {CORE, "facts"},
    "harden": {CORE, "facts", "checks"},
    "guidance": {CORE},
    "report": {CORE, "facts", "guidance"},
    "alarms": {CORE},
    "fleet": {CORE, "facts", "checks"},
    "cli": {CORE, "facts", "checks", "keys", "harden", "report", "fleet", "guidance"},
    "nso": {CORE, "facts", "checks", "keys", "harden", "report", "alarms", "fleet", "guidance"},
}


def folder_of(module: str) -> str:
    """`secure_deploy.keys.plan` -> `keys`; a top-level module is the core."""
    parts = module.split(".")
    if len(parts) >= 2 and (PKG / parts[1]).is_dir():
        return parts[1]
    return CORE


def module_name(py: Path) -> str:
    rel = py.relative_to(PKG.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """All nodes except those under `if TYPE_CHECKING:` (annotations only, never imported)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            stack.extend(node.orelse)
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


def imports_of(py: Path) -> Iterator[Tuple[int, str]]:
    me = module_name(py)
    package = me if py.name == "__init__.py" else me.rsplit(".", 1)[0]
    for node in _runtime_nodes(ast.parse(py.read_text(), str(py))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target == "secure_deploy" or target.startswith("secure_deploy."):
                # `from . import x` may name a sub-package: judge by what is imported
                for alias in node.names:
                    sub = f"{target}.{alias.name}"
                    yield node.lineno, sub if (PKG.parent / sub.replace(".", "/")).exists() else target
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("secure_deploy."):
                    yield node.lineno, alias.name


def test_imports_point_inward():
    offenders = []
    for py in sorted(PKG.rglob("*.py")):
        mine = folder_of(module_name(py))
        for lineno, target in imports_of(py):
            theirs = folder_of(target)
            if theirs != mine and theirs not in ALLOWED[mine]:
                offenders.append(f"{py.relative_to(PKG)}:{lineno} ({mine}) imports {target} ({theirs})")
    assert not offenders, "\n".join(offenders)


def test_every_folder_is_a_documented_package():
    """Each capability folder says in its __init__ what it is (and so ships in the wheel)."""
    folders = [d for d in PKG.iterdir() if d.is_dir() and not d.name.startswith(("_", ".")) and d.name != "schemas"]
    assert {d.name for d in folders} == set(ALLOWED) - {CORE}
    for d in folders:
        init = d / "__init__.py"
        assert init.is_file(), f"{d.name}/ has no __init__.py"
        assert ast.get_docstring(ast.parse(init.read_text())), f"{d.name}/__init__.py has no docstring"


def test_the_core_stays_small():
    """Issue 16: at most about ten modules beside the capability folders."""
    top = [p.name for p in PKG.glob("*.py")]
    assert len(top) <= 10, top


def test_the_checker_sees_an_upward_import(tmp_path):
    """The walker resolves relative imports; a facts module reaching into report/ is caught."""
    fake = PKG / "facts" / "_layout_probe.py"
    fake.write_text("from ..report.gating import evaluate_gates\n")
    try:
        found = [(folder_of(t)) for _, t in imports_of(fake)]
    finally:
        fake.unlink()
    assert found == ["report"] and "report" not in ALLOWED["facts"]
