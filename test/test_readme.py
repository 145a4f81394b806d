"""The README is the user's manual: its rule table and commands must match the code."""
from __future__ import annotations

import re
import subprocess
import sys

from conftest import REPO
from secure_deploy.cli.catalog import markdown_table
from secure_deploy import registry

README = (REPO / "README.md").read_text()


def test_rule_table_is_current():
    """Regenerate with: secure-deploy rules --format markdown (between the markers)."""
    block = re.search(r"<!-- RULES:BEGIN[^>]*-->\n(.*?)<!-- RULES:END -->", README, re.S)
    assert block, "rule table markers missing"
    assert block.group(1) == markdown_table(registry.all_rules())


def test_two_commands_and_ci_entry_point():
    assert "make demo" in README and "make test" in README
    ci = (REPO / ".ci" / "run").read_text()
    assert re.search(r"^make test$", ci, re.M), ".ci/run must call exactly the README's test command"


def test_every_documented_subcommand_exists():
    for cmd in sorted(set(re.findall(r"^secure-deploy ([a-z]+)", README, re.M))):
        r = subprocess.run([sys.executable, "-m", "secure_deploy.cli", cmd, "--help"],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, (cmd, r.stderr)
