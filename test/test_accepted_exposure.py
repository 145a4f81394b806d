"""--accept-exposure: an interface enabled on purpose is ACCEPTED in every format,
never PASS and never failing a gate (the NSO side: test_nso_audit.py)."""
from __future__ import annotations

import json
from pathlib import Path

from lxml import etree

from secure_deploy.cli import main

REPO = Path(__file__).resolve().parent.parent
DEV = REPO / "examples" / "dev-local-install"
BASE = ["audit", "--config-dir", str(DEV / "etc"), "--run-dir", str(DEV / "run"), "--nso-version", "6.4",
        "--no-host", "--no-waivers", "--rule", "SD-IF-001"]


def test_accept_exposure_gives_accepted_in_every_format(tmp_path, capsys):
    assert main(BASE) == 1                                     # CLI over SSH is on in the example
    capsys.readouterr()
    out = {f: tmp_path / f"r.{f}" for f in ("json", "sarif", "junit", "html")}
    rc = main([*BASE, "--accept-exposure", "cli-ssh", "-f", "text", "-o", str(tmp_path / "r.txt"),
               *[a for f, p in out.items() for a in ("-f", f, "-o", str(p))]])
    assert rc == 0                                             # accepted: no gate fails
    doc = json.loads(out["json"].read_text())
    (res,) = doc["results"]
    assert res["status"] == "accepted" and res["findings"][0]["status"] == "accepted"
    assert res["findings"][0]["acceptance"].startswith("accepted exposure cli-ssh")
    assert doc["summary"]["by_status"]["pass"] == 0 and doc["summary"]["by_status"]["accepted"] == 1
    assert doc["summary"]["score"] == 100.0 and doc["summary"]["score_without_waivers"] == 0.0
    text = (tmp_path / "r.txt").read_text()
    assert "[ACCEPT] SD-IF-001" in text and "accepted exposure cli-ssh" in text
    (sres,) = json.loads(out["sarif"].read_text())["runs"][0]["results"]
    assert sres["properties"]["status"] == "accepted"
    assert sres["suppressions"][0]["status"] == "accepted" and "cli-ssh" in sres["suppressions"][0]["justification"]
    junit = etree.fromstring(out["junit"].read_bytes())
    case = junit.find(".//testcase")
    assert case.find("skipped") is not None and case.find("failure") is None
    assert "accepted" in case.find("skipped").get("message")
    assert 'data-status="accepted"' in out["html"].read_text()


def test_accepted_in_markdown_not_in_codequality(tmp_path, capsys):
    md, cq = tmp_path / "r.md", tmp_path / "cq.json"
    assert main([*BASE, "--accept-exposure", "cli-ssh", "-f", "markdown", "-o", str(md),
                 "-f", "gitlab-codequality", "-o", str(cq)]) == 0
    assert "### Accepted exposures (1)" in md.read_text() and "accepted exposure cli-ssh" in md.read_text()
    assert json.loads(cq.read_text()) == []          # nothing open for the merge request widget


def test_accepting_another_interface_changes_nothing(capsys):
    assert main([*BASE, "--accept-exposure", "netconf-ssh"]) == 1
    assert "[FAIL  ] SD-IF-001" in capsys.readouterr().out
