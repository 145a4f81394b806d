"""Regressions found in review: output targets, deep input, missing keys file, waivers."""
from __future__ import annotations

import json
import os
import stat

import pytest

from conftest import REPO
from secure_deploy.cli import main
from secure_deploy.errors import InputError

DEV = REPO / "examples" / "dev-local-install" / "etc" / "ncs.conf"
PROD = REPO / "examples" / "prod-system-install"


def test_output_through_a_symlink_is_refused(tmp_path, capsys):
    # Issue 11: a root-run command never writes through a link it did not create (the
    # link's target may be anywhere); the operator names the file itself.
    target, link = tmp_path / "target.json", tmp_path / "link.json"
    link.symlink_to(target)
    assert main(["audit", "--ncs-conf", str(DEV), "--no-host", "-f", "json", "-o", str(link)]) == 2
    assert link.is_symlink() and not target.exists()
    assert "symbolic link" in capsys.readouterr().err


def test_output_to_a_fifo_writes_to_it_instead_of_replacing_it(tmp_path, capsys):
    import threading
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(open(fifo, "rb").read()), daemon=True)
    reader.start()
    main(["audit", "--ncs-conf", str(DEV), "--no-host", "-f", "json", "-o", str(fifo)])
    reader.join(10)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert json.loads(got[0])["results"]


def test_no_output_is_written_when_one_destination_is_bad(tmp_path, capsys):
    ok = tmp_path / "ok.json"
    rc = main(["audit", "--ncs-conf", str(DEV), "--no-host", "-f", "json", "-o", str(ok),
               "-f", "sarif", "-o", str(tmp_path / "missing" / "x.sarif")])
    assert rc == 2 and not ok.exists()
    assert main(["audit", "--ncs-conf", str(DEV), "--no-host", "-f", "json", "-o", str(tmp_path)]) == 2
    assert "is a directory" in capsys.readouterr().err


def test_version_file_that_is_a_directory(tmp_path, capsys):
    (tmp_path / "VERSION").mkdir()
    assert main(["audit", "--ncs-conf", str(DEV), "--ncs-dir", str(tmp_path), "--no-host"]) == 2
    assert "VERSION" in capsys.readouterr().err


def test_deeply_nested_json_is_an_input_error(tmp_path, capsys):
    p = tmp_path / "w.json"
    p.write_text('{"waiver": ' + "[" * 100000 + "]" * 100000 + "}")
    assert main(["waivers", "check", str(p)]) == 2
    assert main(["diff", str(p), str(p)]) == 2


def test_waiver_for_an_unknown_rule_and_junk_dates(tmp_path, capsys):
    p = tmp_path / "w.json"
    p.write_text(json.dumps({"waiver": [{"rule": "SD-ZZZ-999", "justification": "x", "expires": "2099-01-01"}]}))
    assert main(["audit", "--ncs-conf", str(DEV), "--no-host", "--waivers", str(p)]) == 2
    assert "SD-ZZZ-999" in capsys.readouterr().err
    from secure_deploy.report.waivers import parse_waivers
    bad = json.dumps({"waiver": [{"rule": "SD-AUTH-001", "justification": "x", "expires": "2099-01-01junk"}]})
    with pytest.raises(InputError):
        parse_waivers(bad.encode(), "w.json")


def test_configured_but_missing_keys_file_fails(tmp_path, capsys):
    import shutil
    d = tmp_path / "p"
    shutil.copytree(PROD, d)
    (d / "etc" / "ncs.crypto_keys").unlink()
    main(["audit", "--config-dir", str(d / "etc"), "--run-dir", str(d / "run"), "--no-host",
          "-f", "json", "--rule", "SD-KEYS-003"])
    (r,) = json.loads(capsys.readouterr().out)["results"]
    assert r["status"] == "fail" and "does not exist" in r["message"]


def test_a_key_pasted_as_a_name_is_not_echoed(tmp_path, capsys):
    key = "ab" * 48
    p = tmp_path / "k"
    p.write_text(f"EXTERNAL_KEY_FORMAT=2\n{key}=1\n")
    assert main(["keys", "status", "--keys-file", str(p)]) == 2
    err = capsys.readouterr().err
    assert "unknown key name" in err and key[:8] not in err


def test_system_install_needs_an_installer_trace(tmp_path):
    """Separate config/run dirs and external keys can be arranged by hand anywhere."""
    import shutil

    from secure_deploy.facts.host import detect_install_type
    from secure_deploy.facts.ncsconf import read_ncs_conf
    d = tmp_path / "p"
    shutil.copytree(PROD, d)
    conf = read_ncs_conf(str(d / "etc" / "ncs.conf"), "6.4")
    kind, why = detect_install_type(ncs_dir=None, config_dir=str(d / "etc"), run_dir=str(d / "run"), conf=conf)
    assert kind == "unknown" and "installer" in why
    (d / "etc" / "ncs.systemd.conf").write_text("")
    kind, _ = detect_install_type(ncs_dir=None, config_dir=str(d / "etc"), run_dir=str(d / "run"), conf=conf)
    assert kind == "system"


@pytest.mark.parametrize("argv", [["audit", "--cdb-xml"], ["audit", "--no-such-option"], ["audit", "--fail-on", "x"],
                                  ["explain"], ["no-such-command"]])
def test_usage_errors_are_one_line_and_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and ": error: " in err and "--help" in err, err


def test_netconf_ssh_exposure_names_the_default_port(tmp_path, capsys):
    from factsbuilder import wrap
    p = tmp_path / "ncs.conf"
    p.write_bytes(wrap(""))
    main(["audit", "--ncs-conf", str(p), "--no-host", "--rule", "SD-IF-002", "-f", "json", "--nso-version", "6.4"])
    res = json.loads(capsys.readouterr().out)["results"][0]
    assert res["status"] == "fail" and "0.0.0.0:2022" in res["message"], res["message"]


def test_unchecked_device_password_message_says_who_could_not_decrypt():
    from secure_deploy import registry
    from secure_deploy.engine import evaluate
    from secure_deploy.facts.types import NSO_CDB_SOURCE, AuthgroupFacts, CdbFacts, Facts, UmapFacts
    from secure_deploy.facts.version import parse_version
    umap = UmapFacts(local_user="admin", remote_name="admin", credential="remote-password", password_unchecked=True)
    groups = (AuthgroupFacts("default", (umap,)),)
    rule = registry.get("SD-SB-002")
    for sources, says in (((NSO_CDB_SOURCE,), "NSO could not decrypt it"),
                          (("devices.xml",), "run the NSO audit action")):
        facts = Facts(version=parse_version("6.4", "test"), now="2026-01-01T00:00:00+00:00",
                      cdb=CdbFacts(sources=sources, authgroups=groups))
        result = evaluate(rule, facts)
        assert result.status.value == "manual" and says in result.findings[0].message


def test_help_width_of_a_terminal_reporting_zero_columns(monkeypatch):
    import os as _os
    from secure_deploy import cli
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.setattr(_os, "get_terminal_size", lambda fd=None: _os.terminal_size((0, 0)))
    assert cli._help_width() == 78
    monkeypatch.setattr(_os, "get_terminal_size", lambda fd=None: _os.terminal_size((120, 40)))
    assert cli._help_width() == 118

