"""No key material, password hash or token appears in any output, for any input.

A deployment full of secrets (well-known dummy keys, random keys inline and in the
keys file, password hashes, cleartext `$0$` passwords, an HA token, authgroup
passwords) is audited in every format and through every command that reads it; every
byte written to stdout, stderr, logs and output files is searched for each secret.
"""
from __future__ import annotations

import logging
import secrets
from pathlib import Path
from typing import Dict, List

import pytest

from secure_deploy.cli import main
from secure_deploy.report import Format

NS = "http://tail-f.com/yang/tailf-ncs-config"
DUMMY16 = "0123456789abcdef"


def _secrets() -> Dict[str, str]:
    return {
        "inline_aes128": secrets.token_hex(16),
        "inline_aes256": secrets.token_hex(32),
        "inline_iv": secrets.token_hex(16),
        "file_aes128_g0": secrets.token_hex(16),
        "file_aes256_g0": secrets.token_hex(32),
        "file_aes128_g1": secrets.token_hex(16),
        "file_aes256_g1": secrets.token_hex(32),
        "sha512_hash": "$6$" + secrets.token_urlsafe(12).replace("-", ".").replace("_", "/")
                       + "$" + secrets.token_urlsafe(70).replace("-", ".").replace("_", "/")[:86],
        "md5_hash": "$1$" + secrets.token_hex(4) + "$" + secrets.token_urlsafe(16).replace("-", ".")[:22],
        "cleartext_password": "Pw" + secrets.token_hex(10),
        "ha_token": "tok" + secrets.token_hex(12),
        "authgroup_password": "Ag" + secrets.token_hex(10),
    }


def _deployment(tmp: Path, s: Dict[str, str]) -> Dict[str, Path]:
    etc, run = tmp / "etc", tmp / "run"
    (run / "cdb").mkdir(parents=True)
    etc.mkdir()
    (etc / "ncs.conf").write_text(f"""<ncs-config xmlns="{NS}">
  <encrypted-strings>
    <DES3CBC><key1>{DUMMY16}</key1><key2>{DUMMY16}</key2><key3>{DUMMY16}</key3><initVector>{DUMMY16}</initVector></DES3CBC>
    <AESCFB128><key>{s['inline_aes128']}</key><initVector>{s['inline_iv']}</initVector></AESCFB128>
    <AES256CFB128><key>{s['inline_aes256']}</key></AES256CFB128>
  </encrypted-strings>
  <ha><enabled>true</enabled></ha>
</ncs-config>
""")
    keys = etc / "ncs.crypto_keys"
    keys.write_text("EXTERNAL_KEY_FORMAT=2\n"
                    f"AESCFB128_KEY[0]={s['file_aes128_g0']}\nAES256CFB128_KEY[0]={s['file_aes256_g0']}\n"
                    f"AESCFB128_KEY[1]={s['file_aes128_g1']}\nAES256CFB128_KEY[1]={s['file_aes256_g1']}\n")
    keys.chmod(0o600)
    (run / "cdb" / "aaa_init.xml").write_text(f"""<config xmlns="http://tail-f.com/ns/config/1.0">
  <aaa xmlns="http://tail-f.com/ns/aaa/1.1"><authentication><users>
    <user><name>admin</name><uid>1000</uid><gid>100</gid><password>$0$admin</password><ssh_keydir>/x</ssh_keydir><homedir>/x</homedir></user>
    <user><name>alice</name><uid>1001</uid><gid>100</gid><password>{s['sha512_hash']}</password><ssh_keydir>/x</ssh_keydir><homedir>/x</homedir></user>
    <user><name>bob</name><uid>1002</uid><gid>100</gid><password>{s['md5_hash']}</password><ssh_keydir>/x</ssh_keydir><homedir>/x</homedir></user>
    <user><name>carol</name><uid>1003</uid><gid>100</gid><password>$0${s['cleartext_password']}</password><ssh_keydir>/x</ssh_keydir><homedir>/x</homedir></user>
  </users></authentication></aaa>
  <high-availability xmlns="http://tail-f.com/ns/ncs"><token>{s['ha_token']}</token></high-availability>
  <devices xmlns="http://tail-f.com/ns/ncs"><authgroups><group><name>default</name>
    <umap><local-user>admin</local-user><remote-name>admin</remote-name><remote-password>$0${s['authgroup_password']}</remote-password></umap>
    <default-map><remote-name>admin</remote-name><remote-password>$0$admin</remote-password></default-map>
  </group></authgroups></devices>
</config>
""")
    return {"etc": etc, "run": run, "keys": keys}


def _needles(s: Dict[str, str]) -> List[str]:
    out = [DUMMY16]
    for v in s.values():
        out += [v, v.upper()]
        if v.startswith("$"):
            out.append(v.split("$")[-1])       # the digest part alone
    return out


@pytest.fixture
def deployment(tmp_path):
    s = _secrets()
    return s, _deployment(tmp_path, s)


def test_no_secret_in_any_output(deployment, tmp_path, capsys, caplog):
    s, d = deployment
    caplog.set_level(logging.DEBUG)
    outdir = tmp_path / "out"
    outdir.mkdir()
    base = ["--config-dir", str(d["etc"]), "--run-dir", str(d["run"]), "--no-host", "--nso-version", "6.4"]
    texts: List[str] = []
    for fmt in Format:
        target = outdir / f"report.{fmt.extension}"
        rc = main(["audit", *base, "--format", fmt.value, "--output", str(target)])
        assert rc == 1, fmt
        texts.append(target.read_text())
    main(["audit", *base])                                  # text on stdout
    main(["keys", "status", "--keys-file", str(d["keys"])])
    main(["keys", "rotate", "--keys-file", str(d["keys"]), "--dry-run"])
    captured = capsys.readouterr()
    texts += [captured.out, captured.err, caplog.text]
    texts += [p.read_text(errors="replace") for p in tmp_path.rglob("*")
              if p.is_file() and p.parent != d["etc"] and p.parent != d["run"] / "cdb"]
    blob = "\n".join(texts)
    assert "SD-KEYS-002" in blob and "bob" in blob and "carol" in blob  # secrets were judged
    for needle in _needles(s):
        assert needle not in blob, f"secret leaked ({len(needle)} chars)"
