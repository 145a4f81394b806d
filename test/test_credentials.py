"""facts/credentials.py: crypt implementations against published vectors and crypt(3)."""
from __future__ import annotations

import random
import string
import warnings

import pytest

from secure_deploy.facts import credentials as cr
from secure_deploy.facts.credentials import classify_hash, crypt_matches, matches_default, md5_crypt, sha_crypt

# Ulrich Drepper, "Unix crypt using SHA-256 and SHA-512", test vectors (salt spec, password, result).
SHA256_VECTORS = [
    ("saltstring", None, "Hello world!", "$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5"),
    ("saltstringsaltstring", 10000, "Hello world!",
     "$5$rounds=10000$saltstringsaltst$3xv.VbSHBb41AL9AvLeujZkZRBAwqFMz2.opqey6IcA"),
    ("toolongsaltstring", 5000, "This is just a test",
     "$5$rounds=5000$toolongsaltstrin$Un/5jzAHMgOGZ5.mWJpuVolil07guHPvOW8mGRcvxa5"),
    ("short", 77777, "we have a short salt string but not a short password",
     "$5$rounds=77777$short$JiO1O3ZpDAxGJeaDIuqCoEFysAe1mZNJRs3pw0KQRd/"),
    ("asaltof16chars..", 123456, "a short string",
     "$5$rounds=123456$asaltof16chars..$gP3VQ/6X7UUEW3HkBn2w1/Ptq2jxPyzV/cZKmF/wJvD"),
    ("roundstoolow", 10, "the minimum number is still observed",
     "$5$rounds=1000$roundstoolow$yfvwcWrQ8l/K0DAWyuPMDNHpIVlTQebY9l/gL972bIC"),
]
SHA512_VECTORS = [
    ("saltstring", None, "Hello world!",
     "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1"),
    ("saltstringsaltstring", 10000, "Hello world!",
     "$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/"
     "YTBmSK6H9qs/y3RnOaw5v."),
    ("toolongsaltstring", 5000, "This is just a test",
     "$6$rounds=5000$toolongsaltstrin$lQ8jolhgVRVhY4b5pZKaysCLi0QBxGoNeKQzQ3glMhwllF7oGDZxUhx1yxdYcz/"
     "e1JSbq3y6JMxxl8audkUEm0"),
    ("roundstoolow", 10, "the minimum number is still observed",
     "$6$rounds=1000$roundstoolow$kUMsbe306n21p9R.FRkW3IGn.S9NPN0x50YhH1xhLsPuWGsUSklZt58jaTfF4ZEQpyUNGc0dqbpBYYBaHHrsX."),
]
# FreeBSD MD5-crypt of "password" with salt "saltsalt" (as glibc and OpenSSL `passwd -1` give it).
MD5_VECTOR = ("saltsalt", "password", "$1$saltsalt$qjXMvbEw8oaL.CzflDtaK/")
SHA512_OF_ADMIN = ("$6$rRWHtvurNY1sHtKl$YmsHe4V9v91NtwfCUY7RqH/I/IWcXo.pBEmE2Xqfr0gElyIaR0hEME1x4LDxmxARy"
                   "HT/dUJdhujsSBIQjH9lO1")


@pytest.mark.parametrize("salt,rounds,pw,expected", SHA256_VECTORS)
def test_sha256_spec_vectors(salt, rounds, pw, expected):
    assert sha_crypt(pw.encode(), salt.encode(), rounds, bits=256) == expected
    assert crypt_matches(pw, expected)
    assert not crypt_matches(pw + "x", expected)


@pytest.mark.parametrize("salt,rounds,pw,expected", SHA512_VECTORS)
def test_sha512_spec_vectors(salt, rounds, pw, expected):
    assert sha_crypt(pw.encode(), salt.encode(), rounds, bits=512) == expected
    assert crypt_matches(pw, expected)
    assert not crypt_matches(pw[:-1], expected)


def test_md5_vector():
    salt, pw, expected = MD5_VECTOR
    assert md5_crypt(pw.encode(), salt.encode()) == expected
    assert crypt_matches(pw, expected) and not crypt_matches("Password", expected)


def _crypt_module():
    """The platform crypt(3): the stdlib module up to 3.12, crypt-r (a test extra) from 3.13."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            import crypt
        except ImportError:
            import crypt_r as crypt   # pip install -e '.[test]' installs it on Python >= 3.13
    return crypt


def test_agrees_with_crypt3_for_random_salts_and_passwords():
    crypt = _crypt_module()
    rng = random.Random(1234)
    methods = [m for m in (crypt.METHOD_MD5, crypt.METHOD_SHA256, crypt.METHOD_SHA512) if m in crypt.methods]
    assert methods, "the platform crypt(3) supports none of MD5/SHA-crypt"
    for _ in range(60):
        pw = "".join(rng.choice(string.printable[:94]) for _ in range(rng.randint(0, 80)))
        for m in methods:
            rounds = None if m is crypt.METHOD_MD5 else rng.choice([None, 1000, 5000, 7777])
            stored = crypt.crypt(pw, crypt.mksalt(m, rounds=rounds))
            assert crypt_matches(pw, stored), (m.name, rounds)
            assert not crypt_matches(pw + "!", stored)


@pytest.mark.parametrize("value,scheme", [
    (None, "none"), ("", "none"), ("  ", "none"), ("$0$admin", "$0$"),
    (MD5_VECTOR[2], "$1$"), (SHA256_VECTORS[0][3], "$5$"), (SHA256_VECTORS[1][3], "$5$"),
    (SHA512_VECTORS[0][3], "$6$"), (SHA512_VECTORS[3][3], "$6$"),
    # Only shaped like a scheme (iana-crypt-hash patterns): not that scheme.
    ("$1$ab$cd", "other"), ("$5$ab$cd", "other"), ("$6$rounds=9$ab$cd", "other"),
    (SHA512_VECTORS[0][3][:-6], "other"), ("$2b$10$xyz", "other"), ("*", "other"), ("plain", "other"),
])
def test_classify_hash(value, scheme):
    assert classify_hash(value) == scheme


def test_matches_default_cleartext_and_hashed():
    assert matches_default("admin", "$0$admin")
    assert matches_default("oper", "$0$oper")
    assert matches_default("alice", "$0$alice")           # own name, cleartext: always tried
    assert matches_default("alice", "$0$changeme")        # common password
    assert not matches_default("admin", "$0$Admin")
    assert matches_default("admin", SHA512_OF_ADMIN)
    assert matches_default("admin", md5_crypt(b"admin", b"Xy12ab34"))
    assert not matches_default("admin", md5_crypt(b"s3cret-X", b"Xy12ab34"))
    assert not matches_default("admin", None) and not matches_default("admin", "")
    assert not matches_default("admin", "$6$malformed") and not matches_default("admin", "$2b$10$abc")


def test_hashed_values_only_tried_for_well_known_users():
    """Documented trade-off: hashes of made-up users are not tried (cost), cleartext is."""
    alice = sha_crypt(b"alice", b"abcdefgh", None, bits=512)
    assert cr.hashed_candidates("alice") == frozenset()
    assert not matches_default("alice", alice)
    assert "admin" in cr.hashed_candidates("admin") and "oper" in cr.hashed_candidates("public")


def test_hostile_rounds_are_refused_without_hashing(monkeypatch):
    # A real hash of "admin" would need 10**9 rounds: it is not computed at all.
    # Behaviour, not a stopwatch: no SHA-crypt round runs for a rounds count over the cap.
    computed = []
    real = cr.sha_crypt
    monkeypatch.setattr(cr, "sha_crypt", lambda *a, **k: computed.append(a[2]) or real(*a, **k))
    stored = "$6$rounds=999999999$abcdefgh$" + "A" * 86
    assert not matches_default("admin", stored)
    at_cap = real(b"admin", b"capsalt", cr.MAX_ROUNDS + 1, bits=256)
    assert not crypt_matches("admin", at_cap)
    assert computed == []


def test_cost_per_well_known_user_is_bounded(monkeypatch):
    """A default user costs fewer than 8 hashed candidates (the time is in `make bench`)."""
    calls = []
    real = cr.sha_crypt
    monkeypatch.setattr(cr, "sha_crypt", lambda *a, **k: calls.append(a[2]) or real(*a, **k))
    stored = real(b"not-a-default-9", b"perfsalt", None, bits=512)
    assert not matches_default("admin", stored)
    assert 0 < len(calls) < 8, calls
    assert all(r is None or r <= cr.MAX_ROUNDS for r in calls)
