"""The CI recipes in examples/ci work as pasted.

Each file is checked by the validator its CI service would apply (actionlint for the
GitHub workflow, GitLab's CI schema as vendored by check-jsonschema), and the audit
step of each is run as the runner would run it, in a configuration repository laid
out as the recipe's header describes: two deployments, one hardened and one not.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import REPO
from test_render_codequality import CODE_QUALITY_SCHEMA

CI = REPO / "examples" / "ci"
GITHUB = CI / "github-actions.yml"
GITLAB = CI / "gitlab-ci.yml"
BIN = str(Path(sys.executable).parent)
# The current major of each action the workflow uses (2026-12).
CURRENT_MAJOR = {"actions/checkout": 6, "actions/setup-python": 6,
                 "github/codeql-action/upload-sarif": 4, "actions/upload-artifact": 7}


def _tool(name: str) -> str:
    path = shutil.which(name, path=BIN + os.pathsep + os.environ.get("PATH", ""))
    if not path:
        pytest.skip(f"{name} is not installed (pip install -e '.[test]')")
    return path


def _run(cmd, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, **kw)


# --- validators --------------------------------------------------------------------

def test_actionlint_accepts_the_github_workflow():
    r = _run([_tool("actionlint"), "-no-color", str(GITHUB)])
    assert r.returncode == 0, r.stdout + r.stderr


def test_actionlint_does_reject(tmp_path):
    broken = tmp_path / "w.yml"
    broken.write_text(GITHUB.read_text().replace("runs-on: ubuntu-latest", "runs-onn: ubuntu-latest"))
    assert _run([_tool("actionlint"), "-no-color", str(broken)]).returncode != 0


def test_gitlab_ci_schema_accepts_the_gitlab_job():
    r = _run([_tool("check-jsonschema"), "--builtin-schema", "vendor.gitlab-ci", str(GITLAB)])
    assert r.returncode == 0, r.stdout + r.stderr


def test_gitlab_ci_schema_does_reject(tmp_path):
    broken = tmp_path / "g.yml"
    broken.write_text(GITLAB.read_text().replace("when: always", "when: sometimes"))
    assert _run([_tool("check-jsonschema"), "--builtin-schema", "vendor.gitlab-ci", str(broken)]).returncode != 0


# --- what the issue asked of the GitHub workflow -----------------------------------

def _workflow():
    return yaml.safe_load(GITHUB.read_text())


def test_workflow_has_triggers_and_permissions():
    wf = _workflow()
    on = wf[True] if True in wf else wf["on"]          # YAML 1.1 reads the key `on` as true
    assert {"push", "pull_request"} <= set(on)
    assert wf["permissions"] == {"contents": "read", "actions": "read", "security-events": "write"}


def test_workflow_uses_current_action_majors_and_no_category_input():
    steps = _workflow()["jobs"]["audit"]["steps"]
    used = {s["uses"].split("@")[0]: s for s in steps if "uses" in s}
    assert set(used) == set(CURRENT_MAJOR)
    for name, step in used.items():
        major = int(re.match(r"v(\d+)", step["uses"].split("@")[1]).group(1))
        assert major >= CURRENT_MAJOR[name], step["uses"]
    # the SARIF file names its category; upload-sarif would ignore the input anyway
    assert "category" not in used["github/codeql-action/upload-sarif"].get("with", {})


def test_recipes_install_the_package_not_a_local_path():
    spec = _workflow()["env"]["SECURE_DEPLOY"]
    gl = yaml.safe_load(GITLAB.read_text())["secure-deploy"]["variables"]["SECURE_DEPLOY"]
    for s in (spec, gl):
        assert re.match(r"secure-deploy @ (git\+)?https://", s), s


def test_this_repository_does_not_run_the_recipe():
    assert not (REPO / ".github" / "workflows").exists() or not any((REPO / ".github" / "workflows").iterdir())


# --- the audit steps, run as the runners run them ------------------------------------

@pytest.fixture
def config_repo(tmp_path):
    """deployments/prod-eu: hardened, with CDB XML; prod-us: a development ncs.conf with a waiver."""
    eu = tmp_path / "deployments" / "prod-eu"
    (eu / "cdb").mkdir(parents=True)
    shutil.copy(REPO / "examples/prod-system-install/etc/ncs.conf", eu / "ncs.conf")
    for f in (REPO / "examples/prod-system-install/run/cdb").glob("*.xml"):
        shutil.copy(f, eu / "cdb" / f.name)
    us = tmp_path / "deployments" / "prod-us"
    us.mkdir(parents=True)
    shutil.copy(REPO / "examples/dev-local-install/etc/ncs.conf", us / "ncs.conf")
    (us / "waivers.toml").write_text('[[waiver]]\nrule = "SD-IF-001"\njustification = "jump host (OPS-42)"\n'
                                     'expires = 2099-12-31\n')
    return tmp_path


def _env(**extra):
    env = dict(os.environ, PATH=BIN + os.pathsep + os.environ.get("PATH", ""), NO_COLOR="1")
    env.update(extra)
    return env


def _github_steps():
    return {s.get("name"): s for s in _workflow()["jobs"]["audit"]["steps"]}


@pytest.mark.parametrize("deployment, code", [("prod-eu", 0), ("prod-us", 1)])
def test_github_audit_step(config_repo, deployment, code):
    steps = _github_steps()
    env = _env(DEPLOYMENT=deployment, GITHUB_STEP_SUMMARY=str(config_repo / "summary"),
               **_workflow()["env"])
    # GitHub's `run` on Linux: bash --noprofile --norc -eo pipefail
    r = _run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", steps["audit"]["run"]],
             cwd=config_repo, env=env)
    assert r.returncode == code, r.stderr
    assert "secure-deploy audit of" in r.stdout and f"deployments/{deployment}/ncs.conf" in r.stdout
    out = config_repo / "out"
    sarif = json.loads((out / "report.sarif").read_text())
    assert sarif["runs"][0]["automationDetails"]["id"] == f"secure-deploy/{deployment}/"
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"]
            for res in sarif["runs"][0]["results"] for loc in res.get("locations", [])
            if "physicalLocation" in loc}
    assert uris <= {f"deployments/{deployment}/ncs.conf"} | {f"deployments/{deployment}/cdb/{n}"
                                                                  for n in ("aaa_init.xml", "devices_init.xml")}
    for name in ("junit.xml", "report.json", "report.html", "summary.md"):
        assert (out / name).stat().st_size > 0
    r = _run(["bash", "-eo", "pipefail", "-c", steps["job summary"]["run"]], cwd=config_repo, env=env)
    assert r.returncode == 0
    assert (config_repo / "summary").read_text().startswith("## secure-deploy")
    if deployment == "prod-us":       # the waiver file was found and applied
        assert json.loads((out / "report.json").read_text())["summary"]["by_status"]["waived"] >= 1


@pytest.mark.parametrize("deployment, code", [("prod-eu", 0), ("prod-us", 1)])
def test_gitlab_audit_script(config_repo, deployment, code):
    job = yaml.safe_load(GITLAB.read_text())["secure-deploy"]
    script = "\n".join(line for line in job["script"] if "pip install" not in line)
    # POSIX sh: the job must not depend on the image's shell being bash
    r = _run(["sh", "-e", "-c", script], cwd=config_repo, env=_env(DEPLOYMENT=deployment, **job["variables"]))
    assert r.returncode == code, r.stderr
    assert "secure-deploy audit of" in r.stdout
    reports = job["artifacts"]["reports"]
    issues = json.loads((config_repo / reports["codequality"]).read_text())
    import jsonschema
    jsonschema.validate(issues, CODE_QUALITY_SCHEMA)
    assert (code == 0) == (not [i for i in issues if i["severity"] in ("major", "critical", "blocker")])
    assert all(i["location"]["path"].startswith(f"deployments/{deployment}/") for i in issues)
    assert (config_repo / reports["junit"]).read_text().startswith("<?xml")


def test_sarif_category_option(tmp_path):
    from secure_deploy.cli import main
    conf = REPO / "examples/dev-local-install/etc/ncs.conf"
    out = tmp_path / "r.sarif"
    main(["audit", "--ncs-conf", str(conf), "--no-host", "--nso-version", "6.4",
          "--sarif-category", "nso/lab", "-f", "sarif", "-o", str(out)])
    assert json.loads(out.read_text())["runs"][0]["automationDetails"]["id"] == "nso/lab/"
    main(["audit", "--ncs-conf", str(conf), "--no-host", "--nso-version", "6.4", "-f", "json",
          "-o", str(tmp_path / "r.json")])
    main(["report", "render", str(tmp_path / "r.json"), "-f", "sarif", "--sarif-category", "x/", "-o", str(out)])
    assert json.loads(out.read_text())["runs"][0]["automationDetails"]["id"] == "x/"
    with pytest.raises(SystemExit) as e:
        main(["audit", "--ncs-conf", str(conf), "--sarif-category", "a b"])
    assert e.value.code == 2
