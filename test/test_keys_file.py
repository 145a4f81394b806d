"""The keys-file model: parsing, validation errors, writing, generations,
fingerprints, dummy detection, keys facts and inline keys of ncs.conf."""
from __future__ import annotations

import os
import secrets

import pytest

from secure_deploy.errors import InputError
from secure_deploy.facts.keyfile import (FORMAT_2, FORMAT_LEGACY, KeysFile, file_fingerprint,
                                         line_name, parse_keys, serialize)
from secure_deploy.facts.keys import (FORMAT_ABSENT, SOURCE_HISTORY, SOURCE_MTIME, inline_keys_file,
                                      keys_facts)
from secure_deploy.redact import scrub
from secure_deploy.keys.plan import new_keyset

D16 = "0123456789abcdef"
NS = "http://tail-f.com/yang/tailf-ncs-config"


def rnd(n: int) -> str:
    return secrets.token_hex(n // 2)


def two_gens(a128: str, a256: str, b128: str, b256: str) -> str:
    return (f"EXTERNAL_KEY_FORMAT=2\nAESCFB128_KEY[0]={a128}\nAES256CFB128_KEY[0]={a256}\n"
            f"AESCFB128_KEY[1]={b128}\nAES256CFB128_KEY[1]={b256}\n")


def test_legacy_and_format2_parse_and_roundtrip():
    legacy = f"AESCFB128_KEY={rnd(32)}\nAES256CFB128_KEY={rnd(64)}\n"
    kf = parse_keys(legacy.encode(), "k")
    assert kf.format == FORMAT_LEGACY and kf.numbers == (-1,)
    assert serialize(kf) == legacy
    text = two_gens(rnd(32), rnd(64), rnd(32), rnd(64))
    kf2 = parse_keys(text, "k")
    assert kf2.format == FORMAT_2 and kf2.numbers == (0, 1) and kf2.next_generation == 2
    assert serialize(kf2) == text
    assert kf2.generation(1).names == ("AESCFB128_KEY", "AES256CFB128_KEY")


def test_all_documented_names_and_ivs_accepted():
    text = (f"DES3CBC_KEY1={rnd(16)}\nDES3CBC_KEY2={rnd(16)}\nDES3CBC_KEY3={rnd(16)}\n"
            f"DES3CBC_IV={rnd(16)}\nAESCFB128_KEY={rnd(32)}\nAESCFB128_IV={rnd(32)}\n"
            f"AES256CFB128_KEY={rnd(64)}\n")
    kf = parse_keys(text, "k")
    assert kf.generations[0].has_des3 and len(kf.generations[0].names) == 7


def test_liberal_read_canonical_write():
    v128, v256 = rnd(32), rnd(64)
    text = f"# made by hand\n\nAES256CFB128_KEY = {v256.upper()}  \nAESCFB128_KEY={v128}\n"
    kf = parse_keys(text, "k")
    assert len(kf.notes) == 2
    assert serialize(kf) == f"AESCFB128_KEY={v128}\nAES256CFB128_KEY={v256}\n"


@pytest.mark.parametrize("body, where, problem", [
    ("AESCFB128_KEY={v31}\n", "line 1", "must be 32 hex digits, found 31"),
    ("AESCFB128_KEY={nothex}\n", "line 1", "not hexadecimal"),
    ("AESCFB128_KEY={v32}\nAESCFB128_KEY={v32}\n", "line 2", "given twice"),
    ("AESCFB128_KEY={v32}\nAES128_KEY={v32}\n", "line 2", "unknown key name 'AES128_KEY'"),
    ("AESCFB128_KEY[0]={v32}\n", "line 1", "does not start with EXTERNAL_KEY_FORMAT=2"),
    ("EXTERNAL_KEY_FORMAT=2\nAESCFB128_KEY={v32}\n", "line 2", "has no [generation]"),
    ("EXTERNAL_KEY_FORMAT=3\nAESCFB128_KEY[0]={v32}\n", "line 1", "unsupported EXTERNAL_KEY_FORMAT"),
    ("EXTERNAL_KEY_FORMAT=2\nAESCFB128_KEY[-2]={v32}\n", "line 2", "generation out of range"),
    ("AESCFB128_KEY={v32}\nERROR={v32}\n", "line 2", "ERROR= line"),
    ("AESCFB128_KEY {v32}\n", "line 1", "not a NAME=value"),
    ("AESCFB128_KEY={v32}\nEXTERNAL_KEY_FORMAT=2\n", "line 2", "must be the first line"),
    ("DES3CBC_KEY1={v16}\nAESCFB128_KEY={v32}\n", "generation -1", "KEY1, KEY2 and KEY3"),
])
def test_errors_name_line_and_problem_never_the_value(body, where, problem):
    vals = {"v31": rnd(32)[:31], "v32": rnd(32), "v16": rnd(16), "nothex": "zz" + rnd(32)[2:]}
    with pytest.raises(InputError) as ei:
        parse_keys(body.format(**vals), "/etc/ncs/ncs.crypto_keys")
    msg = str(ei.value)
    assert msg.startswith("/etc/ncs/ncs.crypto_keys:") and where in msg and problem in msg, msg
    for v in vals.values():
        assert v not in msg and v.upper() not in msg


@pytest.mark.parametrize("data, problem", [(b"", "no keys"), (b"\n# only a comment\n", "no keys"),
                                           (b"\xff\xfe\x00binary", "not UTF-8")])
def test_empty_and_binary_files(data, problem):
    with pytest.raises(InputError, match=problem):
        parse_keys(data, "k")


def test_long_hex_looking_name_is_not_echoed():
    name = rnd(40).upper()
    with pytest.raises(InputError) as ei:
        parse_keys(f"{name}={rnd(32)}\n", "k")
    assert name not in str(ei.value)


def test_legacy_generation_spelling_is_pinned():
    """Current legacy keys go in as generation -1, each key naming its generation in
    square brackets (cryptographic-keys.md): spelled only in line_name()."""
    assert line_name("AESCFB128_KEY", -1) == "AESCFB128_KEY[-1]"
    assert line_name("AESCFB128_KEY", None) == "AESCFB128_KEY"
    kf = parse_keys(f"EXTERNAL_KEY_FORMAT=2\nAESCFB128_KEY[-1]={rnd(32)}\nAESCFB128_KEY[0]={rnd(32)}\n", "k")
    assert kf.numbers == (-1, 0)


def test_fingerprint_format_and_scrub_leaves_it():
    kf = parse_keys(two_gens(rnd(32), rnd(64), rnd(32), rnd(64)), "k")
    fp = kf.generations[0].fingerprint
    assert len(fp) == 19 and fp.count(":") == 3
    assert all(len(p) == 4 and int(p, 16) >= 0 for p in fp.split(":"))
    assert scrub(f"fingerprint {fp}") == f"fingerprint {fp}"
    assert fp != kf.generations[1].fingerprint


def test_ha_fingerprints_equal_for_identical_files_and_differ_otherwise(tmp_path):
    vals = [rnd(32), rnd(64), rnd(32), rnd(64)]
    a, b = tmp_path / "node1", tmp_path / "node2"
    a.mkdir(), b.mkdir()
    (a / "k").write_text(two_gens(*vals))
    (b / "k").write_text(two_gens(*vals))
    fa, fb = keys_facts(str(a / "k")), keys_facts(str(b / "k"))
    assert [g.fingerprint for g in fa.generations] == [g.fingerprint for g in fb.generations]
    ka, kb = parse_keys((a / "k").read_text(), "a"), parse_keys((b / "k").read_text(), "b")
    assert file_fingerprint(ka) == file_fingerprint(kb)
    # One key differs: that generation's and the file's fingerprints differ.
    other = parse_keys(two_gens(vals[0], vals[1], vals[2], rnd(64)), "c")
    assert other.generations[0].fingerprint == ka.generations[0].fingerprint
    assert other.generations[1].fingerprint != ka.generations[1].fingerprint
    assert file_fingerprint(other) != file_fingerprint(ka)
    # Same keys under other generation numbers: same key fingerprint, other file fingerprint.
    renum = parse_keys(two_gens(*vals).replace("[1]", "[5]"), "d")
    assert renum.generation(5).fingerprint == ka.generation(1).fingerprint
    assert file_fingerprint(renum) != file_fingerprint(ka)


def test_dummy_keys_detected_per_generation():
    kf = parse_keys(two_gens(D16 * 2, rnd(64), rnd(32), rnd(64)), "k")
    assert kf.generation(0).is_dummy and not kf.generation(1).is_dummy
    assert parse_keys(f"AES256CFB128_KEY={(D16 * 4).upper()}\n", "k").generations[0].is_dummy


def test_keyset_repr_never_shows_values():
    v = rnd(64)
    kf = parse_keys(f"AES256CFB128_KEY={v}\n", "k")
    assert v not in repr(kf) and v not in str(kf.generations)


def test_keys_facts_mtime_estimate_and_missing(tmp_path):
    p = tmp_path / "ncs.crypto_keys"
    p.write_text(two_gens(rnd(32), rnd(64), rnd(32), rnd(64)))
    p.chmod(0o640)
    os.utime(p, (1_700_000_000, 1_700_000_000))
    kf = keys_facts(str(p))
    assert kf.format == FORMAT_2 and kf.active_generation == 1
    assert kf.created_source == SOURCE_MTIME and kf.created_at.startswith("2023-11-14")
    assert kf.file.mode == 0o640 and kf.file.exists
    given = keys_facts(str(p), created_at="2026-01-01T00:00:00+00:00")
    assert given.created_at.startswith("2026-01-01") and given.created_source == SOURCE_HISTORY
    missing = keys_facts(str(tmp_path / "absent"))
    assert missing.format == FORMAT_ABSENT and not missing.file.exists


def test_keys_facts_malformed_is_input_error(tmp_path):
    p = tmp_path / "k"
    p.write_text("AESCFB128_KEY=123\n")
    with pytest.raises(InputError, match="line 1"):
        keys_facts(str(p))


def test_new_keyset_lengths_des3_rules_and_csprng():
    import inspect
    old = parse_keys(f"DES3CBC_KEY1={rnd(16)}\nDES3CBC_KEY2={rnd(16)}\nDES3CBC_KEY3={rnd(16)}\n"
                     f"AESCFB128_KEY={rnd(32)}\nAESCFB128_IV={rnd(32)}\nAES256CFB128_KEY={rnd(64)}\n",
                     "k").generations[0]
    on64 = new_keyset(0, old, "6.4")
    on65 = new_keyset(0, old, "6.5")
    assert set(on64.names) == {"DES3CBC_KEY1", "DES3CBC_KEY2", "DES3CBC_KEY3", "AESCFB128_KEY",
                               "AESCFB128_IV", "AES256CFB128_KEY"}
    assert not on65.has_des3 and "AESCFB128_IV" in on65.names
    aes_only = parse_keys(f"AESCFB128_KEY={rnd(32)}\n", "k").generations[0]
    assert not new_keyset(0, aes_only, "6.4").has_des3
    for n, v in on64.entries:
        assert len(v) == {"DES3CBC_KEY1": 16, "DES3CBC_KEY2": 16, "DES3CBC_KEY3": 16,
                          "AESCFB128_KEY": 32, "AESCFB128_IV": 32, "AES256CFB128_KEY": 64}[n]
        int(v, 16)
    # Fresh every time, never derived from the old keys.
    assert on64.value("AESCFB128_KEY") != new_keyset(0, old, "6.4").value("AESCFB128_KEY")
    assert on64.value("AESCFB128_KEY") != old.value("AESCFB128_KEY")
    assert inspect.signature(new_keyset).parameters["token_hex"].default is secrets.token_hex


def _conf(tmp_path, inner: str):
    p = tmp_path / "ncs.conf"
    p.write_text(f'<ncs-config xmlns="{NS}">\n  <encrypted-strings>{inner}</encrypted-strings>\n</ncs-config>\n')
    return str(p)


def test_inline_legacy_keys_extracted(tmp_path):
    v128, v256, iv = rnd(32), rnd(64), rnd(32)
    kf = inline_keys_file(_conf(tmp_path, f"<AESCFB128><key>{v128}</key><initVector>{iv}</initVector>"
                                          f"</AESCFB128><AES256CFB128><key>{v256}</key></AES256CFB128>"))
    same = parse_keys(f"AESCFB128_KEY={v128}\nAESCFB128_IV={iv}\nAES256CFB128_KEY={v256}\n", "k")
    assert kf.format == FORMAT_LEGACY
    assert kf.generations[0].fingerprint == same.generations[0].fingerprint
    assert serialize(kf) == serialize(same)


def test_inline_rotation_list_extracted_and_bad_inline_key_reported(tmp_path):
    a, b = rnd(32), rnd(32)
    kf = inline_keys_file(_conf(tmp_path, f"<key-rotation><generation>0</generation><AESCFB128><key>{a}"
                                          f"</key></AESCFB128></key-rotation><key-rotation><generation>1"
                                          f"</generation><AESCFB128><key>{b}</key></AESCFB128></key-rotation>"))
    assert kf.format == FORMAT_2 and kf.numbers == (0, 1)
    bad = rnd(32)[:30]
    with pytest.raises(InputError) as ei:
        inline_keys_file(_conf(tmp_path, f"<AESCFB128><key>{bad}</key></AESCFB128>"))
    assert "AESCFB128_KEY must be 32 hex digits" in str(ei.value) and bad not in str(ei.value)
    assert inline_keys_file(_conf(tmp_path, "<external-keys><command>x</command></external-keys>")) is None


def test_serialize_refuses_multi_generation_legacy():
    kf = parse_keys(two_gens(rnd(32), rnd(64), rnd(32), rnd(64)), "k")
    with pytest.raises(ValueError):
        serialize(KeysFile(FORMAT_LEGACY, kf.generations))
