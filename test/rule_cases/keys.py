"""Fixtures of SD-KEYS-*: KeysFacts are built from keys-file text through the real
parser and reducer (no IO), so the fixtures exercise fingerprints and dummy detection."""
from __future__ import annotations

from typing import Optional

from factsbuilder import Case
from secure_deploy.facts.keyfile import parse_keys
from secure_deploy.facts.keys import FORMAT_ABSENT, SOURCE_HISTORY, SOURCE_MTIME, reduce_keys
from secure_deploy.facts.types import FileFacts, HostFacts, KeysFacts, Settings
from secure_deploy.model import Status

P, F, W, M, NA = Status.PASS, Status.FAIL, Status.WARN, Status.MANUAL, Status.NOT_APPLICABLE
D16 = "0123456789abcdef"
# Random-looking fixture keys (made for these tests, used nowhere else).
R128 = "5f1c0a9e83d24b7790e1c6a2b4d8f013"
R256 = "9b2e4d6f80a1c3e5f7092b4d6f81a3c5e7f9021b3d5f7a9c1e3b5d7f9a1c3e5f"
R128B = "a0b1c2d3e4f5061728394a5b6c7d8e9f"
R256B = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"
PATH = "/etc/ncs/ncs.crypto_keys"

LEGACY_DUMMY = f"AESCFB128_KEY={D16 * 2}\nAES256CFB128_KEY={D16 * 4}\n"
LEGACY_RANDOM = f"AESCFB128_KEY={R128}\nAES256CFB128_KEY={R256}\n"
ROTATED = (f"EXTERNAL_KEY_FORMAT=2\nAESCFB128_KEY[0]={R128}\nAES256CFB128_KEY[0]={R256}\n"
           f"AESCFB128_KEY[1]={R128B}\nAES256CFB128_KEY[1]={R256B}\n")
WITH_DES3 = (f"DES3CBC_KEY1=1a2b3c4d5e6f7081\nDES3CBC_KEY2=2b3c4d5e6f708192\n"
             f"DES3CBC_KEY3=3c4d5e6f708192a3\n{LEGACY_RANDOM}")


def kf(text: str, *, mode: int = 0o600, owner: str = "ncs", uid: int = 1000, exists: bool = True,
       created: Optional[str] = "2026-06-01T00:00:00+00:00", source: str = SOURCE_HISTORY,
       error: Optional[str] = None) -> KeysFacts:
    f = FileFacts(PATH, exists=exists, mode=mode if exists else None, uid=uid, gid=1000,
                  owner=owner, group="ncs", mtime=0.0, error=error)
    if not exists or error:
        return KeysFacts(path=PATH, file=f, format=FORMAT_ABSENT)
    return reduce_keys(PATH, parse_keys(text, PATH), f, created_at=created, created_source=source)


HOST = HostFacts(install_type="system", install_evidence="fixture", daemon_user="ncs",
                 daemon_uid=1000, daemon_user_source="process")
NAMELESS = HostFacts(install_type="system", install_evidence="fixture", daemon_user=None,
                     daemon_uid=1000, daemon_user_source="process")
EXTERNAL = ("<encrypted-strings><external-keys><command>${NCS_DIR}/bin/ncs_crypto_keys</command>"
            "<command-argument>${NCS_CONFIG_DIR}/ncs.crypto_keys</command-argument></external-keys>"
            "</encrypted-strings>")
INLINE_DUMMY = (f"<encrypted-strings><AESCFB128><key>{D16 * 2}</key></AESCFB128>"
                f"<AES256CFB128><key>{D16 * 4}</key></AES256CFB128></encrypted-strings>")
INLINE_RANDOM = (f"<encrypted-strings><AESCFB128><key>{R128}</key></AESCFB128>"
                 f"<AES256CFB128><key>{R256}</key></AES256CFB128></encrypted-strings>")
INLINE_DES3 = (f"<encrypted-strings><DES3CBC><key1>{D16}</key1><key2>{D16}</key2><key3>{D16}</key3>"
               f"<initVector>{D16}</initVector></DES3CBC><AESCFB128><key>{R128}</key></AESCFB128>"
               "</encrypted-strings>")
INLINE_ROTATION = (f"<encrypted-strings><key-rotation><generation>0</generation><AESCFB128><key>{R128}"
                   f"</key></AESCFB128></key-rotation></encrypted-strings>")

CASES = [
    # SD-KEYS-001 external keys
    Case("SD-KEYS-001", P, EXTERNAL),
    Case("SD-KEYS-001", F, INLINE_RANDOM, note="inline-legacy"),
    Case("SD-KEYS-001", F, INLINE_ROTATION, note="inline-key-rotation-list"),
    Case("SD-KEYS-001", F, "", note="nothing-configured"),
    Case("SD-KEYS-001", F, INLINE_RANDOM.replace("</encrypted-strings>", "<external-keys><command>x"
                                                 "</command></external-keys></encrypted-strings>"),
         note="inline-and-external"),
    # SD-KEYS-002 dummy keys (ncs.conf and/or keys file)
    Case("SD-KEYS-002", F, INLINE_DUMMY, note="inline-dummy"),
    Case("SD-KEYS-002", P, INLINE_RANDOM, note="inline-random"),
    Case("SD-KEYS-002", F, EXTERNAL, keys=kf(LEGACY_DUMMY), note="file-dummy"),
    Case("SD-KEYS-002", P, EXTERNAL, keys=kf(ROTATED), note="file-random"),
    Case("SD-KEYS-002", F, None, keys=kf(ROTATED.replace(R256B, D16 * 4)), note="one-gen-dummy-no-conf"),
    Case("SD-KEYS-002", M, EXTERNAL, note="file-not-inspected"),
    Case("SD-KEYS-002", NA, None, note="nothing-read"),
    Case("SD-KEYS-002", P, None, keys=kf(LEGACY_RANDOM), note="keys-file-only"),
    # SD-KEYS-003 file protection
    Case("SD-KEYS-003", P, keys=kf(ROTATED), host=HOST),
    Case("SD-KEYS-003", P, keys=kf(ROTATED, mode=0o640), host=HOST, note="group-read-ok"),
    Case("SD-KEYS-003", M, keys=kf(ROTATED), note="owner-not-judged-without-nso-user"),
    Case("SD-KEYS-003", F, keys=kf(ROTATED, mode=0o644), host=HOST, note="world-read"),
    Case("SD-KEYS-003", F, keys=kf(ROTATED, mode=0o660), host=HOST, note="group-write"),
    Case("SD-KEYS-003", M, keys=kf(ROTATED, mode=0o644), note="host-not-inspected-mode-not-judged"),
    Case("SD-KEYS-003", F, keys=kf(ROTATED, owner="root", uid=0), host=HOST, note="wrong-owner"),
    # A container's daemon uid often has no passwd name: the owner is judged by uid.
    Case("SD-KEYS-003", P, keys=kf(ROTATED, owner=None, uid=1000), host=NAMELESS, note="same-uid-no-name"),
    Case("SD-KEYS-003", F, keys=kf(ROTATED, owner=None, uid=1001), host=NAMELESS, note="other-uid-no-name"),
    Case("SD-KEYS-003", F, keys=kf("", exists=False), note="missing"),
    Case("SD-KEYS-003", Status.ERROR, keys=kf("", error="cannot stat: Permission denied"),
         note="unstattable"),
    Case("SD-KEYS-003", M, note="no-keys-file-check-on-the-host"),
    # SD-KEYS-004 DES3: WARN on every release (migrate before 6.5; unreadable $7$ data after)
    Case("SD-KEYS-004", P, EXTERNAL, keys=kf(ROTATED)),
    Case("SD-KEYS-004", W, EXTERNAL, keys=kf(WITH_DES3), note="file-6.4"),
    Case("SD-KEYS-004", W, EXTERNAL, keys=kf(WITH_DES3), version="6.5", note="file-6.5"),
    Case("SD-KEYS-004", W, INLINE_DES3, note="inline-6.4"),
    Case("SD-KEYS-004", W, INLINE_DES3, version="6.7", note="inline-6.7"),
    Case("SD-KEYS-004", P, INLINE_RANDOM, version="6.6", note="aes-only-6.6"),
    # SD-KEYS-005 key age (facts.now is 2026-11-26)
    Case("SD-KEYS-005", P, keys=kf(ROTATED), note="178-days-from-history"),
    Case("SD-KEYS-005", W, keys=kf(ROTATED, created="2025-01-01T00:00:00+00:00", source=SOURCE_MTIME),
         note="old-mtime-estimate"),
    Case("SD-KEYS-005", W, keys=kf(ROTATED), settings=Settings(max_key_age_days=90),
         note="custom-limit"),
    Case("SD-KEYS-005", F, keys=kf(LEGACY_DUMMY), note="dummy-active"),
    Case("SD-KEYS-005", P, keys=kf(ROTATED.replace(R128, D16 * 2)), note="inactive-gen-0-dummy"),
    Case("SD-KEYS-005", M, keys=kf(ROTATED, created=None, source=""), note="age-unknown"),
    Case("SD-KEYS-005", NA, keys=kf("", exists=False), note="missing-file"),
]
