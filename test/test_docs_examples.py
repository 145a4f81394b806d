"""Every shell example in the README and docs/ runs, as written, from a copy of the
checkout; every sample output matches what the command prints today.

Markup (see docs/development.md, "Docs examples"):

- ```console: lines starting with `$ ` are commands, the lines after them the output
  (stdout, then stderr) the command prints. A line `...` stands for any text.
- ```sh (or bash, shell): every command must exit 0.
- A command that must exit otherwise ends with `# exit N`.
- `<!-- nso-only -->` before a block: it needs a running NSO (ncs_cli, RESTCONF, ncsc).
- `<!-- not-run: REASON -->` before a block: not run, for the reason given.
- `<!-- file: NAME -->` before any block: its text is written to NAME in the workspace
  first (a waiver file, a config snippet the next commands use).

The blocks of one page run in order in one workspace: a copy of examples/ (so commands
may write reports and rotate the example keys) with `secure-deploy` on PATH.
Output is compared with the workspace path shown as `~/secure-deploy`; ISO times,
rotation ids, key fingerprints and file owners stand for any value of their kind;
whitespace runs count as one space (the text report wraps at the terminal width).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import List, NamedTuple, Optional

import pytest

from conftest import REPO

PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
SHELL = {"sh", "bash", "shell", "console"}
SHOWN_ROOT = "~/secure-deploy"
MARKER = re.compile(r"<!--\s*(nso-only|not-run:\s*(?P<reason>.*?)|file:\s*(?P<file>\S+))\s*-->\s*$")
FENCE = re.compile(r"^```([\w-]*)[^\n]*\n(.*?)^```\s*$", re.S | re.M)
EXIT = re.compile(r"\s+#\s*exit\s+(\d+)\s*$")
# What differs between runs and machines: rotation ids, key fingerprints, file owners.
RUN_ID = re.compile(r"\b\d{8}T\d{6}(?:\.\d+)?Z-[0-9a-f]{6}\b")
FINGERPRINT = re.compile(r"\b[0-9a-f]{4}(?::[0-9a-f]{4}){3}\b")
OWNER = re.compile(r"\bowner [\w.-]+")
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?")
BIN = str(Path(sys.executable).parent)


class Block(NamedTuple):
    page: Path
    line: int
    lang: str
    text: str
    marker: Optional[str]      # "nso-only", "not-run", "file" or None
    detail: str                # the reason or the file name

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(REPO)}:{self.line}"


def blocks(page: Path) -> List[Block]:
    text = page.read_text()
    out = []
    for m in FENCE.finditer(text):
        before = text[:m.start()].rstrip("\n").rsplit("\n", 1)[-1]
        mk = MARKER.search(before)
        kind = detail = None
        if mk:
            kind = "nso-only" if mk.group(1) == "nso-only" else "file" if mk.group("file") else "not-run"
            detail = mk.group("file") or mk.group("reason") or ""
        out.append(Block(page, text.count("\n", 0, m.start()) + 1, m.group(1), m.group(2), kind, detail or ""))
    return out


class Command(NamedTuple):
    cmd: str
    code: int
    expected: Optional[str]    # console blocks only


def commands(b: Block) -> List[Command]:
    """Shell commands of a block: continuation lines joined, comments kept out."""
    out: List[Command] = []
    lines = b.text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if b.lang == "console":
            if not line.startswith("$ "):
                raise AssertionError(f"{b.where}: console output before any `$ ` command: {line!r}")
            cmd = line[2:]
        else:
            if not line.strip() or line.lstrip().startswith("#"):
                i += 1
                continue
            cmd = line
        while cmd.endswith("\\") and i + 1 < len(lines):
            i += 1
            cmd = cmd[:-1].rstrip() + " " + lines[i].strip()
        i += 1
        expected = None
        if b.lang == "console":
            start = i
            while i < len(lines) and not lines[i].startswith("$ "):
                i += 1
            expected = "\n".join(lines[start:i])
        m = EXIT.search(cmd)
        code = int(m.group(1)) if m else 0
        cmd = EXIT.sub("", cmd)
        out.append(Command(cmd, code, expected))
    return out


def normalise(text: str, root: str) -> str:
    text = text.replace(root, SHOWN_ROOT)
    text = OWNER.sub("owner <user>", FINGERPRINT.sub("<fp>", RUN_ID.sub("<id>", text)))
    return " ".join(TIME.sub("<time>", text).split())


def matches(expected: str, actual: str, root: str) -> bool:
    parts = [normalise(p, root) for p in re.split(r"^\.\.\.$", expected, flags=re.M)]
    pattern = ".*?".join(re.escape(p) for p in parts)
    return re.fullmatch(pattern, normalise(actual, root), re.S) is not None


def _page_id(p: Path) -> str:
    return str(p.relative_to(REPO))


@pytest.mark.parametrize("page", PAGES, ids=_page_id)
def test_shell_examples_run(page, tmp_path):
    work = tmp_path / "secure-deploy"
    # fresh modification times: the keys-age examples say "0 days old"
    shutil.copytree(REPO / "examples", work / "examples", copy_function=shutil.copy)
    os.chmod(work / "examples/prod-system-install/etc/ncs.crypto_keys", 0o600)
    env = dict(os.environ, PATH=BIN + os.pathsep + os.environ.get("PATH", ""), NO_COLOR="1",
               HOME=str(tmp_path), COLUMNS="80")
    for var in ("NCS_DIR", "NCS_CONFIG_DIR", "NCS_RUN_DIR"):
        env.pop(var, None)
    failures = []
    for b in blocks(page):
        if b.marker == "file":
            dest = work / b.detail
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(b.text)
        if b.lang not in SHELL or b.marker in ("nso-only", "not-run"):
            continue
        for c in commands(b):
            r = subprocess.run(["bash", "-c", c.cmd], cwd=work, env=env, capture_output=True, text=True,
                               timeout=120)
            if r.returncode != c.code:
                failures.append(f"{b.where}: `{c.cmd}` exited {r.returncode}, the docs say {c.code}:\n"
                                f"{r.stderr[-2000:]}")
            elif c.expected is not None and not matches(c.expected, r.stdout + r.stderr, str(work)):
                failures.append(f"{b.where}: `{c.cmd}` printed something else today:\n"
                                f"{(r.stdout + r.stderr).replace(str(work), SHOWN_ROOT)}")
    assert not failures, "\n\n".join(failures)


def test_every_shell_block_is_run_or_says_why_not():
    problems = []
    for page in PAGES:
        for b in blocks(page):
            if b.marker == "not-run" and not b.detail.strip():
                problems.append(f"{b.where}: not-run needs a reason")
            if b.lang in SHELL and b.marker is None:
                for c in commands(b):
                    if re.search(r"(^|[\s|;&(])(ncs|ncs_cli|ncs-setup|ncsc|sudo|curl)(\s|$)", c.cmd):
                        problems.append(f"{b.where}: `{c.cmd}` needs NSO or a host: mark the block "
                                        "<!-- nso-only --> or <!-- not-run: REASON -->")
            if b.lang not in SHELL and b.marker is None and re.search(r"^(\$ |secure-deploy )", b.text, re.M):
                problems.append(f"{b.where}: a shell example in a ```{b.lang or ''} block: use ```sh or ```console")
    assert not problems, "\n".join(problems)


# --- the harness itself -------------------------------------------------------------

def _block(text: str, lang: str = "sh") -> Block:
    return Block(REPO / "README.md", 1, lang, text, None, "")


def test_commands_are_split_joined_and_annotated():
    cs = commands(_block("# a comment\nsecure-deploy audit \\\n   --no-host   # exit 1\nsecure-deploy rules  # list\n"))
    assert cs == [Command("secure-deploy audit --no-host", 1, None), Command("secure-deploy rules  # list", 0, None)]
    cs = commands(_block("$ secure-deploy rules --format json # exit 0\n[\n...\n]\n$ true\n", "console"))
    assert cs == [Command("secure-deploy rules --format json", 0, "[\n...\n]"), Command("true", 0, "")]


def test_output_comparison_normalises_and_is_not_blind():
    root = "/tmp/x/secure-deploy"
    assert matches("audit of ~/secure-deploy/a.conf\nstarted <time>",
                   f"audit of {root}/a.conf   started 2026-12-06T15:00:00+00:00\n", root)
    assert matches("first\n...\nlast", "first\nmiddle\nlines\nlast\n", root)
    assert not matches("score 0.0", "score 10.0", root)
    assert not matches("first\n...\nlast", "first\nmiddle", root)
