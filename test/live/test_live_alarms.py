"""Live NSO: alarms and the per-run notification in a real NSO (local install).
Runs only when NCS_DIR points at an NSO installation; answers what the reference
leaves open (docs/alarms-and-scheduling.md, "What was not run against real NSO"):
the Alarm encoding ncs.alarm accepts, the alarm model init file, the notification's
TagValue framing. Set up as the documentation tells operators: the alarm model file
in ncs-cdb before the first start, the `secure-deploy` stream in ncs.conf.
"""
from __future__ import annotations

import datetime as _dt
import json
import shutil
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Iterator, List

import pytest

from live.test_live_nso import AUTH, NCS_DIR, PACKAGE, RESTCONF, restconf, started_nso

pytestmark = pytest.mark.skipif(not NCS_DIR, reason="NCS_DIR not set: live NSO tests need an NSO installation")

STREAM = """<stream>
        <name>secure-deploy</name>
        <description>secure-deploy audit runs</description>
        <replay-support>true</replay-support>
        <builtin-replay-store>
          <enabled>true</enabled>
          <dir>./state</dir>
          <max-size>S10M</max-size>
          <max-files>50</max-files>
        </builtin-replay-store>
      </stream>"""


def add_stream(ncs_conf: Path) -> None:
    text = ncs_conf.read_text()
    if "<event-streams>" in text:
        text = text.replace("<event-streams>", "<event-streams>\n      " + STREAM, 1)
    else:
        text = text.replace("</ncs-config>", f"<notifications><event-streams>{STREAM}</event-streams>"
                                             "</notifications>\n</ncs-config>", 1)
    ncs_conf.write_text(text)


def _prepare(run: Path) -> None:
    shutil.copy(PACKAGE / "cdb-init" / "secure-deploy-alarms.xml", run / "ncs-cdb" / "secure-deploy-alarms.xml")
    add_stream(run / "ncs.conf")


@pytest.fixture(scope="module")
def nso(tmp_path_factory) -> Iterator[Path]:
    yield from started_nso(tmp_path_factory.mktemp("nso-alarms") / "run", _prepare)


def _output(out: dict) -> dict:
    return out.get("secure-deploy:output", out.get("output", {}))


def _alarms() -> List[dict]:
    doc = restconf("GET", "/data/tailf-ncs-alarms:alarms/alarm-list?content=nonconfig")
    return doc.get("tailf-ncs-alarms:alarm-list", {}).get("alarm", [])


def _ours(managed_object: str) -> List[dict]:
    return [a for a in _alarms() if str(a.get("type", "")).endswith("secure-deploy-violation")
            and a.get("managed-object") == managed_object]


def test_the_alarm_model_init_file_is_loaded(nso: Path) -> None:
    doc = json.dumps(restconf("GET", "/data/tailf-ncs-alarms:alarms/alarm-model"))
    assert "secure-deploy-violation" in doc and "secure-deploy-rule-not-evaluated" in doc


def test_a_failing_rule_raises_then_clears_an_alarm(nso: Path) -> None:
    from secure_deploy import registry
    from secure_deploy.alarms.state import SEVERITY_FOR
    sev = SEVERITY_FOR[registry.get("SD-AUTH-001").meta.severity].value
    out = _output(restconf("POST", "/data/secure-deploy:secure-deploy/audit", {"input": {"rule": ["SD-AUTH-001"]}}))
    assert "SD-AUTH-001" in json.dumps(out.get("failure", []))     # local install: local auth on
    for _ in range(30):                    # the alarm list may be fed asynchronously
        ours = _ours("SD-AUTH-001")
        if ours:
            break
        time.sleep(1)
    assert ours, f"no secure-deploy alarm in the alarm list; the package log says why:\n{_log(nso)}"
    assert ours[0]["is-cleared"] is False and ours[0]["last-perceived-severity"] == sev
    state = json.dumps(restconf("GET", "/data/secure-deploy:secure-deploy/alarms?content=nonconfig"))
    assert '"in-sync": false' not in state
    # the same findings again: nothing is sent again (one status change)
    restconf("POST", "/data/secure-deploy:secure-deploy/audit", {"input": {"rule": ["SD-AUTH-001"]}})
    assert len(_ours("SD-AUTH-001")[0].get("status-change", [])) == 1
    # rule disabled: the next run clears it
    restconf("PATCH", "/data/secure-deploy:secure-deploy/settings",
             {"secure-deploy:settings": {"disabled-rule": ["SD-AUTH-001"]}})
    try:
        restconf("POST", "/data/secure-deploy:secure-deploy/audit", {"input": {}})
        for _ in range(30):
            if _ours("SD-AUTH-001")[0]["is-cleared"] is True:
                break
            time.sleep(1)
        assert _ours("SD-AUTH-001")[0]["is-cleared"] is True
    finally:
        restconf("DELETE", "/data/secure-deploy:secure-deploy/settings/disabled-rule=SD-AUTH-001")


def test_the_notification_reaches_a_restconf_subscriber(nso: Path) -> None:
    since = (_dt.datetime.now(_dt.timezone.utc) - _dt.timedelta(seconds=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    run_id = _output(restconf("POST", "/data/secure-deploy:secure-deploy/audit", {"input": {}}))["run-id"]
    url = f"{RESTCONF}/streams/secure-deploy/json?start-time={urllib.parse.quote(since)}"
    req = urllib.request.Request(url, headers={"Authorization": AUTH, "Accept": "text/event-stream"})
    seen = []
    with urllib.request.urlopen(req, timeout=60) as resp:      # replayed from the built-in store
        deadline = time.time() + 60
        while time.time() < deadline:
            line = resp.readline().decode()
            seen.append(line)
            if run_id in line:
                break
    text = "".join(seen)
    assert run_id in text and "audit-run-completed" in text, f"{text}\n{_log(nso)}"


def _log(run: Path) -> str:
    log = run / "logs" / "ncs-python-vm-secure-deploy.log"
    return log.read_text()[-4000:] if log.exists() else "(no package log)"
