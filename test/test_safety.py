"""Issue 11: nothing lost, nothing followed, nothing injected.

One regression test (or a few) per numbered defect of the issue; each failed before
the fix. The property-based suite over every command is test_safety_properties.py.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from factsbuilder import wrap
from secure_deploy.cli import main
from secure_deploy.errors import InputError
from secure_deploy.facts.cdb import read_cdb_files
from secure_deploy.facts.keyfile import parse_keys
from secure_deploy.facts.keys import SOURCE_HISTORY, history_path, keys_facts
from secure_deploy.keys.rotation import Rotator
from secure_deploy.keys.store import JsonFileStore, State
from secure_deploy.keys.writer import backups_of, lock_path
from secure_deploy.redact import scrub
from secure_deploy.report.waivers import parse_waivers

ROOT = os.geteuid() == 0
NSO_UID, NSO_GID = 4321, 4322      # an unprivileged "NSO user" for the ownership tests
CONF = wrap("<aaa><local-authentication><enabled>true</enabled></local-authentication></aaa>")
AAA = "http://tail-f.com/ns/aaa/1.1"
NACM = "urn:ietf:params:xml:ns:yang:ietf-netconf-acm"
NCS = "http://tail-f.com/ns/ncs"
HEX_RUN = re.compile(r"[0-9A-Fa-f]{16,}")
NOW = "2026-11-26T12:00:00+00:00"


def cdb(*parts: str) -> bytes:
    return ('<config xmlns="http://tail-f.com/ns/config/1.0">' + "".join(parts) + "</config>").encode()


@pytest.fixture
def site(tmp_path):
    """An ncs.conf, a keys file and a CDB init file, as an operator would point at them."""
    conf = tmp_path / "ncs.conf"
    conf.write_bytes(CONF)
    keys = tmp_path / "ncs.crypto_keys"
    keys.write_text(f"AESCFB128_KEY={secrets.token_hex(16)}\nAES256CFB128_KEY={secrets.token_hex(32)}\n")
    keys.chmod(0o600)
    aaa = tmp_path / "report.xml"     # a CDB input that happens to be named like a JUnit report
    aaa.write_bytes(cdb(f'<aaa xmlns="{AAA}"><authentication><users><user><name>admin</name>'
                        "<password>$0$admin</password></user></users></authentication></aaa>"))
    return tmp_path, conf, keys, aaa


def audit(conf, *extra):
    return main(["audit", "--ncs-conf", str(conf), "--no-host", "--nso-version", "6.4", *extra])


# ---- 1: audit and report render never write onto their own inputs --------------------------

@pytest.mark.parametrize("victim", ["keys", "conf", "cdb"])
def test_audit_output_onto_an_input_is_refused(site, victim, capsys):
    d, conf, keys, aaa = site
    target = {"keys": keys, "conf": conf, "cdb": aaa}[victim]
    before = target.read_bytes(), stat.S_IMODE(target.stat().st_mode)
    rc = audit(conf, "--keys-file", str(keys), "--cdb-xml", str(aaa), "-f", "json", "-o", str(target))
    assert rc == 2 and "input file of this run" in capsys.readouterr().err
    assert (target.read_bytes(), stat.S_IMODE(target.stat().st_mode)) == before


def test_output_dir_junit_onto_a_cdb_input_is_refused(site, capsys, monkeypatch):
    d, conf, keys, aaa = site
    monkeypatch.chdir(d)
    before = aaa.read_bytes()
    assert audit(conf, "--cdb-xml", "report.xml", "-f", "junit", "--output-dir", ".") == 2
    assert aaa.read_bytes() == before


def test_output_onto_a_hard_link_or_symlink_of_an_input_is_refused(site, capsys):
    d, conf, keys, _ = site
    hard = d / "hard.json"
    os.link(keys, hard)
    soft = d / "soft.json"
    soft.symlink_to(keys)
    before = keys.read_bytes()
    for out in (hard, soft):
        assert audit(conf, "--keys-file", str(keys), "-f", "json", "-o", str(out)) == 2
    assert keys.read_bytes() == before and soft.is_symlink()


def test_report_render_onto_its_input_is_refused(site, capsys):
    d, conf, _, _ = site
    rep = d / "r.json"
    audit(conf, "-f", "json", "-o", str(rep))
    before = rep.read_bytes()
    assert main(["report", "render", str(rep), "-f", "html", "-o", str(rep)]) == 2
    assert main(["diff", str(rep), str(rep), "-o", str(rep)]) == 2
    assert rep.read_bytes() == before


# ---- 2: a root-run rotation follows no planted link and keeps the NSO user's ownership -------

def test_rotation_refuses_a_symlink_planted_at_the_history(site, tmp_path, capsys):
    d, _, keys, _ = site
    elsewhere = tmp_path / "root-only"
    elsewhere.mkdir()
    victim = elsewhere / "victim"
    Path(history_path(str(keys))).symlink_to(victim)
    before = keys.read_bytes()
    assert main(["keys", "rotate", "--keys-file", str(keys), "--nso-version", "6.4"]) == 2
    assert "symbolic link" in capsys.readouterr().err
    assert not victim.exists() and keys.read_bytes() == before


@pytest.mark.skipif(not ROOT, reason="changing owners needs root")
def test_root_rotation_gives_lock_history_and_backup_the_keys_files_owner(site, capsys):
    d, _, keys, _ = site
    os.chown(keys, NSO_UID, NSO_GID)
    assert main(["keys", "rotate", "--keys-file", str(keys), "--nso-version", "6.4"]) == 0
    made = [Path(lock_path(str(keys))), Path(history_path(str(keys))), *map(Path, backups_of(str(keys)))]
    assert len(made) == 3
    for p in [keys, *made]:
        st = p.stat()
        assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (NSO_UID, NSO_GID, 0o600), p


@pytest.mark.skipif(not ROOT, reason="changing owners needs root")
def test_a_root_owned_lock_left_by_an_earlier_root_run_is_handed_to_the_keys_owner(site, capsys):
    d, _, keys, _ = site
    lock = Path(lock_path(str(keys)))
    lock.touch(mode=0o600)                       # what a root rotation used to leave
    os.chown(keys, NSO_UID, NSO_GID)
    assert main(["keys", "rotate", "--keys-file", str(keys), "--nso-version", "6.4"]) == 0
    assert (lock.stat().st_uid, lock.stat().st_gid) == (NSO_UID, NSO_GID)


# ---- 3: CDB files loaded together merge like CDB init loading -------------------------------

def _users(*entries: str) -> str:
    return f'<aaa xmlns="{AAA}"><authentication><users>{"".join(entries)}</users></authentication></aaa>'


def test_later_cdb_file_does_not_hide_an_earlier_password(tmp_path):
    a, b = tmp_path / "a.xml", tmp_path / "b.xml"
    a.write_bytes(cdb(_users("<user><name>admin</name><password>$0$admin</password></user>")))
    b.write_bytes(cdb(_users("<user><name>admin</name><uid>1000</uid></user>")))
    (admin,) = read_cdb_files([a, b]).users
    assert admin.default_password and admin.hash_scheme == "$0$"


def test_later_cdb_file_merges_nacm_rule_lists_and_authgroups(tmp_path):
    a, b = tmp_path / "a.xml", tmp_path / "b.xml"
    a.write_bytes(cdb(f'<nacm xmlns="{NACM}"><rule-list><name>any</name><group>*</group>'
                      "<rule><name>all</name><module-name>*</module-name><access-operations>*</access-operations>"
                      "<action>permit</action></rule></rule-list></nacm>",
                      f'<devices xmlns="{NCS}"><authgroups><group><name>g</name><umap><local-user>admin'
                      "</local-user><remote-name>admin</remote-name><remote-password>$0$admin</remote-password>"
                      "</umap></group></authgroups></devices>"))
    b.write_bytes(cdb(f'<nacm xmlns="{NACM}"><rule-list><name>any</name><group>oper</group></rule-list></nacm>',
                      f'<devices xmlns="{NCS}"><authgroups><group><name>g</name><default-map>'
                      "<public-key/></default-map></group></authgroups></devices>"))
    f = read_cdb_files([a, b])
    (rl,) = f.nacm.rule_lists
    assert [r.name for r in rl.rules] == ["all"] and set(rl.groups) == {"*", "oper"}
    (g,) = f.authgroups
    assert {m.local_user: m.default_credentials for m in g.maps} == {"default-map": False, "admin": True}


# ---- 4: no key material in harden's diff or in echoed key names -----------------------------

def test_harden_diff_hides_a_commented_out_key_inside_encrypted_strings(tmp_path, capsys):
    key = secrets.token_hex(16)
    conf = tmp_path / "ncs.conf"
    conf.write_bytes(wrap("<encrypted-strings><external-keys><command>/x</command></external-keys>"
                          f"<!-- old: <AESCFB128><key>{key}</key></AESCFB128> -->"
                          f"<!--{key[:8]} {key[8:]}--></encrypted-strings>"
                          "<cli><ssh><enabled>true</enabled></ssh></cli>"))
    assert main(["harden", "--ncs-conf", str(conf), "--diff-only", "--nso-version", "6.4"]) == 0
    out = capsys.readouterr().out
    assert out and key not in out and key[:8] not in out and key[8:] not in out
    assert "encrypted-strings" in out or "external-keys" in out or "@@" in out
    assert main(["harden", "--ncs-conf", str(conf), "--nso-version", "6.4"]) == 0
    out = capsys.readouterr().out
    assert key not in out and key[8:] not in out


def test_scrubber_catches_a_hex_run_glued_to_a_letter():
    key = secrets.token_hex(16)
    for text in (f"X{key}", f"name=X{key}[0]", f"g{key}h", f"_{key}"):
        assert not HEX_RUN.search(scrub(text)), text
    with pytest.raises(InputError) as e:
        parse_keys(f"X{key}[0]={secrets.token_hex(16)}\n".encode(), "k")
    assert not HEX_RUN.search(str(e.value))


# ---- 5: backup pruning touches only the tool's recorded backups; failures are warnings -------

def _rotate(keys: Path, store, **kw):
    ids = iter(range(100))
    return Rotator(store, None, now=lambda: NOW,
                   new_id=lambda: f"20261126T1200{next(ids):02d}Z-{secrets.token_hex(3)}").rotate(
        str(keys), version="6.5", **kw)


def _settle(store):
    rec = store.current()
    store.finish(rec.to(State.FAILED, "settled by hand"))


def test_pruning_spares_files_the_tool_did_not_record(site):
    d, _, keys, _ = site
    mine = d / "ncs.crypto_keys.bak-before-upgrade"
    mine.write_text("operator's copy")
    lookalike = d / "ncs.crypto_keys.bak-20200101T000000Z-abcdef"   # right pattern, not in the history
    lookalike.write_text("not ours")
    store = JsonFileStore(str(d / "h.json"))
    for _ in range(3):
        _rotate(keys, store, max_backups=1)
        _settle(store)
    assert mine.read_text() == "operator's copy" and lookalike.read_text() == "not ours"
    recorded = {r.backup_path for r in store.history()}
    assert len([b for b in backups_of(str(keys)) if b in recorded]) == 1


def test_a_pruning_failure_is_a_warning_not_a_failed_rotation(site, monkeypatch, capsys):
    d, _, keys, _ = site
    for _ in range(2):
        assert main(["keys", "rotate", "--keys-file", str(keys), "--nso-version", "6.5", "--max-backups", "1"]) == 0
        assert main(["keys", "settle", "--keys-file", str(keys), "--active-generation", "0"]) == 0
    capsys.readouterr()
    import secure_deploy.keys.writer as kw

    def refuse(path, *a, **k):
        raise PermissionError(13, "Permission denied", path)
    monkeypatch.setattr(kw.os, "unlink", refuse)
    assert main(["keys", "rotate", "--keys-file", str(keys), "--nso-version", "6.5", "--max-backups", "1"]) == 0
    err = capsys.readouterr().err
    assert "warning" in err and "removing old backups failed" in err
    cur = JsonFileStore(history_path(str(keys))).current()
    assert cur.state is State.PREPARED and "stays active" not in cur.message


# ---- 6: malformed saved reports and undecodable file names are exit 2, never a traceback ----

@pytest.fixture
def bad_report(site):
    d, conf, _, _ = site
    good = d / "good.json"
    audit(conf, "-f", "json", "-o", str(good))
    doc = json.loads(good.read_text())
    doc["results"] = [1, *doc["results"]]
    bad = d / "bad.json"
    bad.write_text(json.dumps(doc))
    return conf, good, bad


@pytest.mark.parametrize("how", ["render", "diff", "baseline", "history"])
def test_report_with_a_non_object_result_is_exit_2(bad_report, how, capsys):
    conf, good, bad = bad_report
    argv = {"render": ["report", "render", str(bad)], "diff": ["diff", str(good), str(bad)],
            "baseline": ["audit", "--ncs-conf", str(conf), "--no-host", "--baseline", str(bad)],
            "history": ["audit", "--ncs-conf", str(conf), "--no-host", "-f", "html", "-o",
                        str(good.parent / "r.html"), "--history", str(bad)]}[how]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "results[0]" in err and "Traceback" not in err


@pytest.mark.parametrize("fmt", ["json", "html", "sarif", "junit", "text"])
def test_undecodable_file_name_is_not_a_crash(tmp_path, fmt, capsys):
    conf = Path(os.fsdecode(bytes(tmp_path) + b"/n\xff.conf"))
    conf.write_bytes(CONF)
    out = tmp_path / f"r.{fmt}"
    rc = main(["audit", "--ncs-conf", str(conf), "--no-host", "--nso-version", "6.4", "-f", fmt, "-o", str(out)])
    assert rc in (0, 1)
    assert "\\xff" in out.read_bytes().decode("utf-8")      # shown escaped, and valid UTF-8


def test_unexpected_exception_is_one_line_and_exit_2(site, monkeypatch, capsys):
    d, conf, _, _ = site
    import secure_deploy.cli.audit as ca
    monkeypatch.setattr(ca, "run", lambda *a, **k: {}["boom"])
    assert audit(conf) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "internal error (KeyError" in err


# ---- 7: no terminal control characters from input reach the terminal -----------------------

EVIL = "\x1b]0;pwned\x07\x1b[2J\rforged line\n"


def test_error_line_escapes_control_characters(tmp_path, capsys):
    assert main(["audit", "--ncs-conf", str(tmp_path / f"x{EVIL}.conf"), "--no-host"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "\x1b" not in err and "\x07" not in err and "\r" not in err
    assert "\\x1b" in err


def test_text_report_and_waivers_check_escape_control_characters(tmp_path, capsys):
    conf = tmp_path / f"n{EVIL.strip()}.conf"
    conf.write_bytes(CONF)
    waivers = tmp_path / "w.json"
    waivers.write_text(json.dumps({"waiver": [{"rule": "SD-AUTH-001", "justification": f"ok {EVIL}",
                                               "approved-by": f"x{EVIL}", "expires": "2999-01-01"}]}))
    rc = audit(conf, "--rule", "SD-AUTH-001", "--waivers", str(waivers), "--color", "never")
    assert rc == 0
    assert main(["waivers", "check", str(waivers)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\r" not in out
    assert "waived" in out and "\\x1b" in out


# ---- 8: no hangs, bounded work, strict JSON, exact waivers, one history location ------------

def _run_with_timeout(*args):
    return subprocess.run([sys.executable, "-m", "secure_deploy.cli", *args], capture_output=True,
                          text=True, timeout=60)


@pytest.mark.parametrize("which", ["--ncs-conf", "--keys-file", "--cdb-xml"])
def test_a_fifo_input_is_an_error_not_a_hang(site, which):
    d, conf, _, _ = site
    fifo = d / "fifo"
    os.mkfifo(fifo)
    args = {"--ncs-conf": ["--ncs-conf", str(fifo)],
            "--keys-file": ["--ncs-conf", str(conf), "--keys-file", str(fifo)],
            "--cdb-xml": ["--ncs-conf", str(conf), "--cdb-xml", str(fifo)]}[which]
    r = _run_with_timeout("audit", "--no-host", "--nso-version", "6.4", *args)
    assert r.returncode == 2 and "FIFO" in r.stderr and "Traceback" not in r.stderr


def test_keys_status_on_a_fifo_is_an_error(tmp_path, capsys):
    fifo = tmp_path / "k"
    os.mkfifo(fifo)
    r = _run_with_timeout("keys", "status", "--keys-file", str(fifo))
    assert r.returncode == 2 and "FIFO" in r.stderr


def test_many_empty_elements_are_refused_before_parsing(tmp_path, capsys):
    # 2,000,000 empty elements: 8 MB, but ~40 s and ~1 GB of facts before the limit.
    big = tmp_path / "ncs.conf"
    big.write_bytes(b'<ncs-config xmlns="http://tail-f.com/yang/tailf-ncs-config">'
                    + b"<a/>" * 2_000_000 + b"</ncs-config>")
    assert audit(big) == 2
    assert "too many XML elements" in capsys.readouterr().err
    assert main(["audit", "--ncs-conf", str(big.parent / "missing"), "--cdb-xml", str(big), "--no-host"]) == 2


@pytest.mark.parametrize("value", ["NaN", "1e999", "-Infinity"])
def test_saved_report_with_a_non_finite_number_is_refused(site, value, capsys):
    d, conf, _, _ = site
    rep = d / "r.json"
    audit(conf, "-f", "json", "-o", str(rep))
    text = re.sub(r'"duration_s": [^,]+', f'"duration_s": {value}', rep.read_text())
    rep.write_text(text)
    out = d / "out.json"
    assert main(["report", "render", str(rep), "-f", "json", "-o", str(out)]) == 2
    assert not out.exists()


def test_a_blank_waiver_object_is_an_error_not_a_whole_rule_waiver():
    base = 'rule = "SD-AUTH-001"\njustification = "x"\nexpires = "2999-01-01"\n'
    with pytest.raises(InputError, match="object is blank"):
        parse_waivers(f'[[waiver]]\n{base}object = " "\n'.encode(), "w.toml")


def test_approved_by_given_in_both_spellings_is_an_error():
    base = 'rule = "SD-AUTH-001"\njustification = "x"\nexpires = "2999-01-01"\n'
    with pytest.raises(InputError, match="approved-by given twice"):
        parse_waivers(f'[[waiver]]\n{base}approved_by = "a"\napproved-by = "b"\n'.encode(), "w.toml")


def test_symlinked_keys_file_history_is_found_by_the_audit(site, tmp_path, capsys):
    d, _, keys, _ = site
    link_dir = tmp_path / "conf-link"
    link_dir.mkdir()
    link = link_dir / "ncs.crypto_keys"
    link.symlink_to(keys)
    assert main(["keys", "rotate", "--keys-file", str(link), "--nso-version", "6.5"]) == 0
    assert main(["keys", "settle", "--keys-file", str(link), "--active-generation", "0"]) == 0
    assert history_path(str(link)) == history_path(str(keys))
    facts = keys_facts(str(link))
    assert facts.created_source == SOURCE_HISTORY


def test_a_fifo_where_the_systemd_config_would_be_does_not_hang_the_host_audit(site):
    d, conf, _, _ = site
    os.mkfifo(d / "ncs.systemd.conf")
    r = _run_with_timeout("audit", "--config-dir", str(d), "--host", "--nso-version", "6.4")
    assert r.returncode in (0, 1) and "Traceback" not in r.stderr


@pytest.mark.parametrize("history", [
    b'{"format": 1, "current": {"id": "x", "state": "prepared"}, "history": []}',
    b'{"format": 1, "current": null, "history": [{"id": "x", "state": "nope"}]}',
    b'{"format": 1, "current": null, "history": "not a list"}'])
def test_a_damaged_history_record_is_an_input_error(site, history, capsys):
    # Found by the property suite: a record missing fields was a TypeError (exit 2 as
    # "internal error"); it is bad input and says so.
    d, _, keys, _ = site
    Path(history_path(str(keys))).write_bytes(history)
    for argv in (["keys", "status"], ["keys", "rotate", "--nso-version", "6.5"]):
        assert main([*argv, "--keys-file", str(keys)]) == 2
        err = capsys.readouterr().err
        assert "not a rotation history" in err and "internal error" not in err


def test_output_to_dev_stdout_redirected_to_a_file_is_written_not_refused(site):
    # /dev/stdout is a link (to /proc/self/fd/1, then to the redirect's file): it is the
    # process's own stream, written through its descriptor, not a planted link.
    d, conf, _, _ = site
    out = d / "redirected.json"
    with open(out, "wb") as f:
        r = subprocess.run([sys.executable, "-m", "secure_deploy.cli", "audit", "--ncs-conf", str(conf),
                            "--no-host", "-f", "json", "-o", "/dev/stdout"], stdout=f, stderr=subprocess.PIPE,
                           text=True, timeout=60)
    assert r.returncode in (0, 1), r.stderr
    assert json.loads(out.read_text())["results"]


@pytest.mark.skipif(not ROOT, reason="changing owners needs root")
def test_a_report_replacing_a_users_file_keeps_its_owner_and_mode(site, capsys):
    d, conf, _, _ = site
    out = d / "r.json"
    out.write_text("old")
    os.chown(out, NSO_UID, NSO_GID)
    out.chmod(0o640)
    audit(conf, "-f", "json", "-o", str(out))
    st = out.stat()
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (NSO_UID, NSO_GID, 0o640)
    assert json.loads(out.read_text())["results"]
