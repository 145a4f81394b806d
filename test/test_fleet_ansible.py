"""The Ansible example, run for real: ansible-playbook drives examples/ansible/site.yml over
an inventory of three local "nodes" (ansible_connection=local, one folder each), which
installs the tool into each node's venv, audits each node as the NSO user, fetches the
reports, merges them on the controller and fails the play on the gate.

ansible-core comes with the test extra; the test skips only where it is not installed.
Bounded: every ansible-playbook run has a timeout.
"""
from __future__ import annotations

import getpass
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO
from fleet_nodes import DRIFT_LEAF, DRIFT_NODE, KEYS_NODE, NODES, make_cluster

PLAYBOOK = REPO / "examples" / "ansible" / "site.yml"
BIN = Path(sys.executable).parent
ANSIBLE = shutil.which("ansible-playbook", path=str(BIN)) or shutil.which("ansible-playbook")
TIMEOUT = 600

pytestmark = pytest.mark.skipif(ANSIBLE is None, reason="ansible-core is not installed (pip install -e '.[test]')")


def run_playbook(inventory: Path, home: Path, *extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    env.update(ANSIBLE_HOME=str(home), ANSIBLE_LOCAL_TEMP=str(home / "tmp"), ANSIBLE_REMOTE_TEMP=str(home / "rtmp"),
               ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0", ANSIBLE_RETRY_FILES_ENABLED="0",
               ANSIBLE_PYTHON_INTERPRETER=sys.executable, PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}")
    return subprocess.run([ANSIBLE, "-i", str(inventory), str(PLAYBOOK), *extra], capture_output=True,
                          text=True, timeout=TIMEOUT, env=env, cwd=str(home))


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(REPO)],
                   check=True, capture_output=True, timeout=TIMEOUT)
    return next(out.glob("secure_deploy-*.whl"))


@pytest.fixture(scope="module")
def fleet_run(tmp_path_factory, wheel):
    root = tmp_path_factory.mktemp("ansible")
    nodes = make_cluster(root / "nodes")
    reports = root / "reports"
    root_user = os.geteuid() == 0
    hosts = {n: {"ansible_connection": "local",
                 "secure_deploy_config_dir": str(nodes[n] / "etc"),
                 "secure_deploy_run_dir": str(nodes[n] / "run"),
                 "secure_deploy_venv": str(root / "venvs" / n),
                 "secure_deploy_work_dir": str(root / "work" / n)} for n in NODES}
    inventory = root / "inventory.json"       # YAML inventory, written as JSON
    inventory.write_text(json.dumps({"nso": {"hosts": hosts, "vars": {
        "secure_deploy_package": str(wheel),
        "secure_deploy_python": sys.executable,
        "secure_deploy_nso_user": getpass.getuser(),
        # As root, su to the NSO user needs no password; elsewhere the test can only
        # run as itself.
        "secure_deploy_become": root_user,
        "ansible_become_method": "su",
        "secure_deploy_ncs_dir": "",
        "secure_deploy_nso_version": "6.4",
        "secure_deploy_inspect_host": False,
        "secure_deploy_fail_on": "high",
        "secure_deploy_controller_command": str(BIN / "secure-deploy"),
        "secure_deploy_reports_dir": str(reports),
    }}}))
    result = run_playbook(inventory, root)
    return root, inventory, reports, result


def test_playbook_audits_every_node_and_fails_on_the_gate(fleet_run):
    _, _, reports, result = fleet_run
    log = result.stdout + result.stderr
    assert result.returncode == 2, log            # ansible-playbook: a task failed
    assert "secure-deploy fleet gate failed" in log and "SD-FLEET-001" in log, log
    for n in NODES:                               # each node: audited and its report fetched
        node = json.loads((reports / f"{n}.json").read_text())["node"]
        assert node["name"] == n and node["cluster"] == "c1"
    merged = json.loads((reports / "fleet.json").read_text())
    assert [n["name"] for n in merged["fleet"]["nodes"]] == list(NODES)
    results = {r["rule_id"]: r for r in merged["results"]}
    keys = results["SD-FLEET-001"]
    assert keys["status"] == "fail"
    assert [f["object"] for f in keys["findings"] if f["status"] == "fail"] == [KEYS_NODE]
    drift = [f for f in results["SD-FLEET-002"]["findings"] if f["status"] == "fail"]
    assert [(f["evidence"]["node"], f["evidence"]["leaf"]) for f in drift] == [(DRIFT_NODE, DRIFT_LEAF)]
    assert 'id="node-matrix"' in (reports / "fleet.html").read_text()
    assert "== NODES (3) ==" in (reports / "fleet.txt").read_text()


def test_each_node_got_its_own_install(fleet_run):
    root, *_ = fleet_run
    for n in NODES:
        assert (root / "venvs" / n / "bin" / "secure-deploy").is_file()


def test_gate_below_the_findings_lets_the_play_pass(fleet_run):
    """The gate is the variable's: with critical, the same reports pass (fleet tasks only)."""
    root, inventory, reports, _ = fleet_run
    result = run_playbook(inventory, root, "--tags", "fleet", "-e", "secure_deploy_fail_on=critical")
    assert result.returncode == 0, result.stdout + result.stderr
    merged = json.loads((reports / "fleet.json").read_text())
    assert {r["rule_id"]: r["status"] for r in merged["results"]}["SD-FLEET-001"] == "fail"
