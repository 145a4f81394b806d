#!/usr/bin/env python3
"""Write docs/rules.md from the registry: the rule table and the guidance checklist.

    .venv/bin/python tools/gen_rules_doc.py          # rewrite docs/rules.md
    .venv/bin/python tools/gen_rules_doc.py --check  # exit 1 when it is out of date

test/test_guidance.py runs the same check, so a rule change without regenerating
the page fails the suite.
"""
from __future__ import annotations

import sys
from pathlib import Path

from secure_deploy import registry
from secure_deploy.cli.catalog import markdown_table
from secure_deploy.cli.guide import rules_page

DOC = Path(__file__).resolve().parents[1] / "docs" / "rules.md"


def generated() -> str:
    return rules_page(markdown_table(registry.all_rules()))


def main(argv: list) -> int:
    text = generated()
    if "--check" in argv:
        current = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
        if current != text:
            print(f"{DOC} is out of date: run tools/gen_rules_doc.py", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(text, encoding="utf-8")
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
