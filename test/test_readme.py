"""The README and docs/ are the user's manual: links resolve, the commands they show
exist, and the README stays a few screens long (test_guidance.py keeps the generated
docs/rules.md current, test_docs_examples.py runs the examples)."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

from conftest import REPO

README_PATH = REPO / "README.md"
README = README_PATH.read_text()
DOCS = sorted((REPO / "docs").glob("*.md"))
PAGES: Dict[Path, str] = {p: p.read_text() for p in [README_PATH, *DOCS]}
README_MAX_BYTES = 12 * 1024

# [text](target) outside code; images and absolute URLs are not checked.
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```.*?^```", re.S | re.M)


def _links(text: str) -> List[str]:
    return [t for t in LINK.findall(FENCE.sub("", text)) if not re.match(r"[a-z]+:", t)]


def _anchors(text: str) -> set:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    out = set()
    for h in re.findall(r"^#+ (.+)$", FENCE.sub("", text), re.M):
        slug = re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-")
        out.add(slug)
    return out


def test_two_commands_and_ci_entry_point():
    assert "make demo" in README and "make test" in README
    ci = (REPO / ".ci" / "run").read_text()
    assert re.search(r"^make test$", ci, re.M), ".ci/run must call exactly the README's test command"
    make = (REPO / "Makefile").read_text()
    assert re.search(r"^demo:", make, re.M) and re.search(r"^test:", make, re.M)


def test_readme_fits_a_few_screens():
    size = len(README.encode())
    assert size < README_MAX_BYTES, f"README.md is {size} bytes; move detail into docs/ (limit {README_MAX_BYTES})"


def test_every_docs_page_is_linked_from_the_readme():
    linked = {(README_PATH.parent / t.split("#")[0]).resolve() for t in _links(README)}
    missing = [p.name for p in DOCS if p.resolve() not in linked]
    assert not missing, f"add a link to docs/{missing[0]} in README.md's Documentation table: {missing}"


def test_every_link_resolves():
    bad = []
    for page, text in PAGES.items():
        for target in _links(text):
            path, _, anchor = target.partition("#")
            dest = (page.parent / path).resolve() if path else page
            if not dest.exists():
                bad.append(f"{page.name}: {target} (no such file)")
            elif anchor and dest.suffix == ".md" and anchor not in _anchors(dest.read_text()):
                bad.append(f"{page.name}: {target} (no such heading)")
    assert not bad, bad


def test_no_references_to_files_a_user_does_not_have():
    for page, text in PAGES.items():
        for needle in ("DESIGN.md", "../shared", "/work/"):
            assert needle not in text, f"{page.name} refers to {needle}"


def test_every_documented_subcommand_exists():
    cmds = set()
    for text in PAGES.values():
        cmds |= set(re.findall(r"^(?:\$ )?secure-deploy ([a-z]+)", text, re.M))
    assert {"audit", "keys", "harden", "waivers"} <= cmds
    for cmd in sorted(cmds):
        r = subprocess.run([sys.executable, "-m", "secure_deploy.cli", cmd, "--help"],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, (cmd, r.stderr)


def test_included_files_are_shown_as_they_are():
    """`<!-- include: PATH -->` before a fenced block: the block is that file, verbatim."""
    found = 0
    for page, text in PAGES.items():
        for path, block in re.findall(r"<!-- include: (\S+) -->\n```[a-z]*\n(.*?)^```", text, re.S | re.M):
            found += 1
            assert block == (REPO / path).read_text(), f"{page.name}: the copy of {path} differs from the file"
    assert found >= 2


def test_every_command_is_in_the_command_table():
    from secure_deploy.cli import COMMAND_MODULE
    cli = (REPO / "docs" / "cli.md").read_text()
    table = "\n".join(line for line in cli.splitlines() if line.startswith("| `secure-deploy "))
    missing = [c for c in COMMAND_MODULE if not re.search(rf"(`secure-deploy {c}\b|/ `{c}\b)", table)]
    assert not missing, f"add these commands to the table in docs/cli.md: {missing}"


def test_the_exit_code_table_is_written_once():
    """One table of exit codes (docs/cli.md); other pages link to it."""
    rows = [(page.name, line) for page, text in PAGES.items() for line in text.splitlines()
            if re.match(r"\|\s*2\s*\|.*usage", line)]
    assert [name for name, _ in rows] == ["cli.md"], rows


def test_development_page_names_every_capability_folder():
    pkg = REPO / "packages" / "secure-deploy" / "python" / "secure_deploy"
    folders = [d.name for d in pkg.iterdir() if d.is_dir() and (d / "__init__.py").exists()]
    dev = (REPO / "docs" / "development.md").read_text()
    missing = [f for f in folders if f"| `{f}/` |" not in dev]
    assert not missing, f"describe these folders in docs/development.md's architecture table: {missing}"
