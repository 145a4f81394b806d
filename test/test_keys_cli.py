"""`secure-deploy keys ...` end to end, the audit's view of rotated keys, and the leak
test of the whole rotation feature."""
from __future__ import annotations

import json
import logging
import os
import secrets
import stat
from pathlib import Path
from typing import List

import pytest

from rotation_fakes import FakeNso
from secure_deploy.cli import main
from secure_deploy.errors import InputError
from secure_deploy.facts.keyfile import parse_keys
from secure_deploy.facts.keys import history_path, read_keys_file
from secure_deploy.keys.writer import RotationError, backups_of
from secure_deploy.keys.rotation import Rotator
from secure_deploy.keys.store import JsonFileStore

NS = "http://tail-f.com/yang/tailf-ncs-config"
D16 = "0123456789abcdef"


def write_keys(p: Path, a128: str, a256: str) -> None:
    p.write_text(f"AESCFB128_KEY={a128}\nAES256CFB128_KEY={a256}\n")
    p.chmod(0o600)


@pytest.fixture
def keys(tmp_path):
    p = tmp_path / "etc" / "ncs.crypto_keys"
    p.parent.mkdir()
    write_keys(p, secrets.token_hex(16), secrets.token_hex(32))
    return p


def test_status_text_and_json(keys, capsys):
    assert main(["keys", "status", "--keys-file", str(keys)]) == 0
    out = capsys.readouterr().out
    fp = read_keys_file(str(keys)).generations[0].fingerprint
    assert "active generation: -1 (legacy format)" in out and fp in out and "file mtime (estimate)" in out
    assert main(["keys", "status", "--keys-file", str(keys), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["active-generation"] == -1 and doc["generations"][0]["fingerprint"] == fp
    assert doc["mode"] == "0600" and doc["rotation"] is None


def test_rotate_dry_run_then_rotate_then_settle(keys, capsys):
    d = keys.parent
    before = sorted(os.listdir(d))
    assert main(["keys", "rotate", "--keys-file", str(keys), "--dry-run", "--nso-version", "6.4"]) == 0
    out = capsys.readouterr().out
    assert "DRY RUN" in out and "new-key-generation 0" in out
    assert sorted(n for n in os.listdir(d) if not n.endswith(".lock")) == before

    assert main(["keys", "rotate", "--keys-file", str(keys), "--reason", "test"]) == 0
    out = capsys.readouterr().out
    assert "ncs --reload" in out and "key-rotation apply-new-keys new-key-generation 0 wait-commit-queue 60" in out
    assert "keys settle --keys-file" in out and "--active-generation 0" in out
    hist = Path(history_path(str(keys)))
    assert stat.S_IMODE(hist.stat().st_mode) == 0o600
    assert json.loads(hist.read_text())["current"]["state"] == "prepared"
    assert len(backups_of(str(keys))) == 1

    assert main(["keys", "rotate", "--keys-file", str(keys)]) == 2
    assert "unfinished" in capsys.readouterr().err
    # status only reads, even with --active-generation: the rotation stays unfinished ...
    hist_before = hist.read_bytes()
    assert main(["keys", "status", "--keys-file", str(keys), "--active-generation", "0"]) == 0
    out = capsys.readouterr().out
    assert "keys settle --keys-file" in out and hist.read_bytes() == hist_before
    assert main(["keys", "rotate", "--keys-file", str(keys), "--dry-run"]) == 2
    assert "unfinished" in capsys.readouterr().err
    # ... until settle records NSO's answer.
    assert main(["keys", "settle", "--keys-file", str(keys), "--active-generation", "0"]) == 0
    out = capsys.readouterr().out
    assert "completed" in out and json.loads(hist.read_text())["current"]["state"] == "completed"
    assert main(["keys", "settle", "--keys-file", str(keys), "--active-generation", "0"]) == 0
    assert "nothing to settle" in capsys.readouterr().out
    assert main(["keys", "rotate", "--keys-file", str(keys)]) == 0
    assert read_keys_file(str(keys)).numbers == (0, 1)


def test_rotate_bad_input_is_one_line_exit_2(tmp_path, capsys):
    p = tmp_path / "k"
    secret = secrets.token_hex(16)
    p.write_text(f"AESCFB128_KEY={secret[:-1]}\n")
    assert main(["keys", "rotate", "--keys-file", str(p)]) == 2
    err = capsys.readouterr().err
    assert str(p) in err and "line 1" in err and secret[:-1] not in err and len(err.strip().splitlines()) == 1
    assert main(["keys", "status", "--keys-file", str(tmp_path / "absent")]) == 2
    assert "not found" in capsys.readouterr().err


def _conf(tmp_path, inner: str) -> Path:
    p = tmp_path / "ncs.conf"
    p.write_text(f'<ncs-config xmlns="{NS}"><encrypted-strings>{inner}</encrypted-strings></ncs-config>\n')
    return p


def test_migrate_plans_and_writes_only_on_request(tmp_path, capsys, monkeypatch):
    conf = _conf(tmp_path, f"<AESCFB128><key>{D16 * 2}</key></AESCFB128>"
                           f"<AES256CFB128><key>{D16 * 4}</key></AES256CFB128>")
    original = conf.read_text()
    out_keys = tmp_path / "ncs.crypto_keys"
    # A plan exits 0 like `keys rotate --dry-run`, demo keys or not; paths are absolute.
    monkeypatch.chdir(tmp_path)
    assert main(["keys", "migrate", "--ncs-conf", "ncs.conf", "--keys-file", "ncs.crypto_keys"]) == 0
    out = capsys.readouterr().out
    assert "well-known demo keys" in out and "<external-keys>" in out and "DRY RUN" in out
    assert f"<command-argument>{out_keys}</command-argument>" in out
    assert out.startswith("ncs.conf holds its encryption keys inline") and "ncs.conf ncs.conf" not in out
    assert main(["keys", "migrate", "--ncs-conf", "ncs.conf", "--keys-file", "ncs.crypto_keys", "--dry-run"]) == 0
    capsys.readouterr()
    assert not out_keys.exists()
    assert main(["keys", "migrate", "--ncs-conf", str(conf), "--keys-file", str(out_keys), "--write"]) == 0
    assert stat.S_IMODE(out_keys.stat().st_mode) == 0o600
    assert read_keys_file(str(out_keys)).generations[0].is_dummy
    assert conf.read_text() == original                       # ncs.conf never edited
    assert main(["keys", "migrate", "--ncs-conf", str(conf), "--keys-file", str(out_keys), "--write"]) == 2
    assert "refusing to overwrite" in capsys.readouterr().err


def test_audit_sees_rotation_history(tmp_path, capsys):
    etc = tmp_path / "etc"
    etc.mkdir()
    (etc / "ncs.conf").write_text(
        f'<ncs-config xmlns="{NS}"><encrypted-strings><external-keys><command>/bin/true</command>'
        f'<command-argument>{etc}/ncs.crypto_keys</command-argument></external-keys>'
        '</encrypted-strings></ncs-config>\n')
    write_keys(etc / "ncs.crypto_keys", D16 * 2, D16 * 4)
    args = ["audit", "--config-dir", str(etc), "--no-host", "--tag", "keys", "--format", "json",
            "--nso-version", "6.4"]
    main(args)
    res = {r["rule_id"]: r for r in json.loads(capsys.readouterr().out)["results"]}
    assert res["SD-KEYS-002"]["status"] == "fail" and res["SD-KEYS-005"]["status"] == "fail"
    # --no-host: the mode is checked, the owner cannot be compared with an unknown NSO user.
    assert res["SD-KEYS-001"]["status"] == "pass" and res["SD-KEYS-003"]["status"] == "manual"
    main(["keys", "rotate", "--keys-file", str(etc / "ncs.crypto_keys")])
    main(["keys", "settle", "--keys-file", str(etc / "ncs.crypto_keys"), "--active-generation", "0"])
    capsys.readouterr()
    main(args)
    res = {r["rule_id"]: r for r in json.loads(capsys.readouterr().out)["results"]}
    assert res["SD-KEYS-005"]["status"] == "pass"
    assert "rotation history" in json.dumps(res["SD-KEYS-005"])
    # Generation -1 (demo keys, kept until the next rotation) is still flagged.
    assert res["SD-KEYS-002"]["status"] == "fail"


def test_no_key_value_leaks_anywhere(tmp_path, capsys, caplog):
    """Every output, log record, exception message, stored record and file written
    (other than the keys file and its backups) is searched for every key value."""
    caplog.set_level(logging.DEBUG)
    etc = tmp_path / "etc"
    etc.mkdir()
    keys = etc / "ncs.crypto_keys"
    write_keys(keys, secrets.token_hex(16), secrets.token_hex(32))
    conf_keys = (secrets.token_hex(16), secrets.token_hex(32))
    conf = _conf(etc, f"<AESCFB128><key>{conf_keys[0]}</key></AESCFB128>"
                      f"<AES256CFB128><key>{conf_keys[1]}</key></AES256CFB128>")
    texts: List[str] = []
    log = logging.getLogger("secure_deploy.test").info
    state = str(tmp_path / "state.json")
    nso = FakeNso(str(keys), -1)
    for _ in range(2):
        out = Rotator(JsonFileStore(state), nso, now=lambda: "2026-11-26T12:00:00+00:00",
                      log=log).rotate(str(keys), version="6.4", reason="leak test")
        texts += [repr(out), out.plan.text()]
    texts.append(repr(Rotator(JsonFileStore(state), FakeNso(str(keys), 9), now=lambda: "x").reconcile()))
    for argv in (["keys", "status", "--keys-file", str(keys)],
                 ["keys", "status", "--keys-file", str(keys), "--format", "json"],
                 ["keys", "rotate", "--keys-file", str(keys), "--dry-run"],
                 ["keys", "rotate", "--keys-file", str(keys)],
                 ["keys", "migrate", "--ncs-conf", str(conf), "--keys-file", str(tmp_path / "new.keys")],
                 ["audit", "--ncs-conf", str(conf), "--keys-file", str(keys), "--no-host",
                  "--format", "json"]):
        main(argv)
    # Error paths: a keys file whose bad lines carry real key values.
    kv = read_keys_file(str(keys)).generations[-1].entries
    for bad in (f"AESCFB128_KEY={kv[0][1]}0\n", f"{kv[1][1]}\n", f"AESCFB128_KEY={kv[0][1]}\nX={kv[0][1]}\n"):
        with pytest.raises(InputError) as ei:
            parse_keys(bad, "bad")
        texts.append(str(ei.value))
    with pytest.raises(RotationError) as ei:
        Rotator(JsonFileStore(state), FakeNso(str(keys), 42), now=lambda: "x").rotate(
            str(keys), version="6.4")
    texts.append(str(ei.value))
    cap = capsys.readouterr()
    texts += [cap.out, cap.err, caplog.text]
    key_files = {str(keys), *backups_of(str(keys)), str(tmp_path / "new.keys")}
    texts += [p.read_text(errors="replace") for p in tmp_path.rglob("*")
              if p.is_file() and str(p) not in key_files and p != conf]
    blob = "\n".join(texts)
    assert "key rotation" in caplog.text and "fingerprint" in blob    # the run did produce output
    values = set(conf_keys)
    for f in key_files - {str(tmp_path / "new.keys")}:
        for g in read_keys_file(f).generations:
            values.update(v for _, v in g.entries)
    assert len(values) >= 10
    for v in values:
        assert v not in blob and v.upper() not in blob, f"key value leaked ({len(v)} hex digits)"


def test_settle_refuses_a_generation_nso_never_answers(keys, capsys):
    # Below -1 is no generation: the unfinished rotation stays unfinished (exit 2),
    # it is not recorded as failed on a typo.
    assert main(["keys", "rotate", "--keys-file", str(keys), "--nso-version", "6.4"]) == 0
    hist = history_path(str(keys))
    before = Path(hist).read_bytes()
    capsys.readouterr()
    with pytest.raises(SystemExit) as e:
        main(["keys", "settle", "--keys-file", str(keys), "--active-generation", "-3"])
    assert e.value.code == 2 and "--active-generation" in capsys.readouterr().err
    assert Path(hist).read_bytes() == before
    # -1 is NSO's answer for keys without generations: accepted.
    assert main(["keys", "settle", "--keys-file", str(keys), "--active-generation", "-1"]) == 0


def test_settle_on_a_missing_keys_file_is_an_error(tmp_path, capsys):
    missing = tmp_path / "nope" / "ncs.crypto_keys"
    assert main(["keys", "settle", "--keys-file", str(missing), "--active-generation", "0"]) == 2
    captured = capsys.readouterr()
    assert "not found" in captured.err and "nothing to settle" not in captured.out
