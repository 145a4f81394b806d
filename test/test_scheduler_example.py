"""The ready-to-load scheduler task (examples/nso-scheduler/nightly-audit.cfg):
its action exists in the package YANG with a served actionpoint, and its schedule
is a valid five-field cron expression as scheduler.md defines it."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Dict

import pytest

from conftest import REPO
from ncs_double import SECURE_DEPLOY_YANG, tailf_yang_dir
from ncs_double.schema import load_schema

EXAMPLE = REPO / "examples" / "nso-scheduler" / "nightly-audit.cfg"

# scheduler.md, "Schedule Expression": field ranges; names allowed for month and weekday.
FIELDS = ((0, 59, ()), (0, 23, ()), (1, 31, ()),
          (1, 12, ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")),
          (0, 6, ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")))


def task(path: Path = EXAMPLE) -> Dict[str, str]:
    """The C-style CLI configuration file as {leaf: value} (plus 'name')."""
    lines = [ln for ln in path.read_text().splitlines() if ln.strip() and ln.strip() != "!"]
    head = re.fullmatch(r"scheduler task (\S+)", lines[0])
    assert head, lines[0]
    out = {"name": head.group(1)}
    for ln in lines[1:]:
        key, _, value = ln.strip().partition(" ")
        out[key] = value.strip().strip('"')
    return out


def valid_cron(expr: str) -> bool:
    parts = expr.split()
    if len(parts) != 5:
        return False
    for part, (lo, hi, names) in zip(parts, FIELDS):
        for item in part.split(","):
            rng, _, step = item.partition("/")
            if step and not step.isdigit():
                return False
            if rng == "*":
                continue
            for v in rng.split("-", 1):
                if v.upper() in names:     # JAN is 1, SUN is 0
                    v = str(names.index(v.upper()) + lo)
                if not v.isdigit() or not lo <= int(v) <= hi:
                    return False
    return True


def test_cron_check_accepts_and_rejects() -> None:
    assert valid_cron("0 2 1 * *") and valid_cron("*/5 0-6 * JAN-MAR MON,WED,FRI")
    assert not valid_cron("0 24 * * *") and not valid_cron("0 2 * *") and not valid_cron("61 * * * *")


def test_example_task_runs_the_audit_action_nightly() -> None:
    t = task()
    assert t["name"] == "secure-deploy-nightly-audit"
    assert valid_cron(t["schedule"]) and t["schedule"].split()[2:] == ["*", "*", "*"]   # every day
    assert set(t) == {"name", "schedule", "action-name", "action-node"}


def test_example_action_name_and_node_exist_in_the_package_yang(ncs_double) -> None:
    ydir = tailf_yang_dir()
    if ydir is None:
        pytest.skip("tailf-common.yang not available")
    t = task()
    from secure_deploy.nso.main import ACTIONPOINTS      # needs `ncs`: the double is installed
    schema = load_schema([SECURE_DEPLOY_YANG], [ydir])
    node = schema.root
    for step in t["action-node"].strip("/").split("/"):
        node = node.child(step.split(":")[-1])
    assert node.kind == "container", t["action-node"]
    action = node.children.get(t["action-name"])
    assert action is not None and action.kind == "action", f"{t['action-node']} has no action {t['action-name']}"
    assert action.actionpoint in ACTIONPOINTS      # served by the package's Application
    # the audit needs no input: the task passes none
    assert not any(c.mandatory for c in action.children["input"].children.values())
