"""`harden --keys-file F`: the inline keys move to F (mode 0600, never overwritten), the
hardened copy reads F through external-keys and passes SD-KEYS-001, F holds exactly
the old keys, and nothing printed shows a key.

Run on the bundled example, on synthetic ncs.conf files covering each inline form
(legacy AES, AES256 and DES3, key-rotation generations, a namespace prefix, CRLF, one
line) and, when ../shared is present, on every sample ncs.conf with inline keys.
"""
from __future__ import annotations

import json
import os
import secrets
import stat
from pathlib import Path
from typing import List

import pytest

from conftest import SAMPLES
from secure_deploy.cli import main

from secure_deploy.facts.keys import inline_keys_file, read_keys_file

REPO = Path(__file__).resolve().parent.parent
NS = "http://tail-f.com/yang/tailf-ncs-config"


def _hex(n: int) -> str:
    return secrets.token_hex(n)


def synthetic() -> dict:
    k1, k2, iv = _hex(16), _hex(32), _hex(16)
    return {
        "legacy-aes": f'<ncs-config xmlns="{NS}">\n  <encrypted-strings>\n    <AESCFB128>\n      <key>{k1}</key>\n'
                      f"    </AESCFB128>\n    <AES256CFB128>\n      <key>{k2}</key>\n    </AES256CFB128>\n"
                      "  </encrypted-strings>\n  <cli><enabled>true</enabled></cli>\n</ncs-config>\n",
        "legacy-des3": f'<ncs-config xmlns="{NS}"><encrypted-strings><DES3CBC><key1>{_hex(8)}</key1>'
                       f"<key2>{_hex(8)}</key2><key3>{_hex(8)}</key3><initVector>{_hex(8)}</initVector></DES3CBC>"
                       f"<AESCFB128><key>{_hex(16)}</key><initVector>{iv}</initVector></AESCFB128>"
                       "</encrypted-strings></ncs-config>\n",
        "key-rotation": f'<ncs-config xmlns="{NS}">\n  <encrypted-strings>\n'
                        + "".join(f"    <key-rotation>\n      <generation>{g}</generation>\n"
                                  f"      <AESCFB128><key>{_hex(16)}</key></AESCFB128>\n"
                                  f"      <AES256CFB128><key>{_hex(32)}</key></AES256CFB128>\n    </key-rotation>\n"
                                  for g in (3, 4))
                        + "  </encrypted-strings>\n</ncs-config>\n",
        "prefixed-crlf": (f'<nc:ncs-config xmlns:nc="{NS}">\n  <nc:encrypted-strings>\n    <nc:AESCFB128>\n'
                          f"      <nc:key>{_hex(16)}</nc:key>\n    </nc:AESCFB128>\n  </nc:encrypted-strings>\n"
                          "</nc:ncs-config>\n").replace("\n", "\r\n"),
    }


def cases() -> List[tuple]:
    out = [("example:dev-local-install", (REPO / "examples" / "dev-local-install" / "etc" / "ncs.conf").read_bytes())]
    out += [(f"synthetic:{k}", v.encode()) for k, v in synthetic().items()]
    if SAMPLES.is_dir():
        out += [(f"sample:{p.name}", p.read_bytes()) for p in sorted(SAMPLES.glob("*.xml"))
                if b"<key>" in p.read_bytes() or b"key-rotation" in p.read_bytes()]
    return out


def key_values(kf) -> List[str]:
    return [v for g in kf.generations for _, v in g.entries]


@pytest.mark.parametrize("name,data", cases(), ids=[c[0] for c in cases()])
def test_harden_moves_the_inline_keys(tmp_path, capsys, name, data):
    conf = tmp_path / "ncs.conf"
    conf.write_bytes(data)
    os.chmod(conf, 0o600)
    old = inline_keys_file(str(conf))
    assert old is not None and key_values(old)
    keys = tmp_path / "secrets" / "ncs.crypto_keys"
    keys.parent.mkdir()
    out = tmp_path / "ncs.conf.hardened"
    assert main(["harden", "--ncs-conf", str(conf), "-o", str(out), "--keys-file", str(keys),
                 "--nso-version", "6.4"]) == 0
    printed = capsys.readouterr()
    # The keys file: 0600, exactly the old keys (same generations, names and values).
    assert stat.S_IMODE(keys.stat().st_mode) == 0o600
    new = read_keys_file(str(keys))
    assert [(g.generation, g.entries) for g in new.generations] == [(g.generation, g.entries) for g in old.generations]
    # The hardened copy holds no key and reads the file: SD-KEYS-001 passes on it.
    assert inline_keys_file(str(out)) is None
    text = out.read_bytes().decode()
    assert f"command-argument>{keys}</" in text and "${NCS_DIR}/bin/ncs_crypto_keys" in text
    if b"\r\n" in data:
        assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    assert main(["audit", "--ncs-conf", str(out), "--no-host", "--nso-version", "6.4", "--no-waivers",
                 "--rule", "SD-KEYS-001", "-f", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["results"][0]["status"] == "pass"
    # What comes next is said, with fingerprints and never a key.
    assert f"generation {old.next_generation}" in printed.out and f"keys rotate --keys-file {keys}" in printed.out
    assert "keys settle" in printed.out
    for value in key_values(old):
        assert value not in printed.out and value not in printed.err
        assert value not in text
    # Never overwritten: a second run refuses and writes no hardened copy either.
    again = tmp_path / "again.hardened"
    assert main(["harden", "--ncs-conf", str(conf), "-o", str(again), "--keys-file", str(keys)]) == 2
    assert "refusing to overwrite" in capsys.readouterr().err
    assert not again.exists() and read_keys_file(str(keys)) == new


def test_keys_file_is_absolute_and_diff_only_writes_nothing(tmp_path, capsys, monkeypatch):
    conf = tmp_path / "ncs.conf"
    conf.write_text(synthetic()["legacy-aes"])
    monkeypatch.chdir(tmp_path)
    assert main(["harden", "--ncs-conf", "ncs.conf", "--keys-file", "k", "--diff-only"]) == 0
    diff = capsys.readouterr().out
    assert f"<command-argument>{tmp_path / 'k'}</command-argument>" in diff
    assert not (tmp_path / "k").exists() and not (tmp_path / "ncs.conf.hardened").exists()


def test_no_inline_keys_writes_no_keys_file(tmp_path, capsys):
    conf = tmp_path / "ncs.conf"
    conf.write_text(f'<ncs-config xmlns="{NS}"><cli><enabled>true</enabled></cli></ncs-config>\n')
    keys = tmp_path / "k"
    assert main(["harden", "--ncs-conf", str(conf), "--keys-file", str(keys)]) == 0
    assert "holds no inline keys; nothing written there" in capsys.readouterr().out
    assert not keys.exists()


def test_without_keys_file_the_keys_stay_and_a_manual_step_says_how(tmp_path, capsys):
    conf = tmp_path / "ncs.conf"
    conf.write_text(synthetic()["legacy-aes"])
    assert main(["harden", "--ncs-conf", str(conf)]) == 0
    assert "move the inline encryption keys" in capsys.readouterr().out
    assert inline_keys_file(str(tmp_path / "ncs.conf.hardened")) is not None


@pytest.mark.parametrize("where", ["output", "default-output", "in-place"])
def test_keys_file_that_is_the_hardened_copy_is_refused(tmp_path, capsys, monkeypatch, where):
    # --keys-file naming the file the hardened copy goes to: the copy would replace the
    # keys just written (keys lost, ncs.conf reading itself as its keys file).
    conf = tmp_path / "ncs.conf"
    conf.write_text(synthetic()["legacy-aes"])
    before = conf.read_bytes()
    monkeypatch.chdir(tmp_path)
    args = {"output": ["-o", "out.conf", "--keys-file", str(tmp_path / "out.conf")],
            "default-output": ["--keys-file", "ncs.conf.hardened"],
            "in-place": ["--in-place", "--keys-file", "ncs.conf"]}[where]
    assert main(["harden", "--ncs-conf", "ncs.conf", *args]) == 2
    err = capsys.readouterr().err
    assert "keys file" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ncs.conf"]
    assert conf.read_bytes() == before
