"""Encryption keys: external, not the demo keys, protected, no 3DES, not too old.

Checks see keys only as facts/keys.py reduced them: names, fingerprints and an
"is a well-known dummy key" flag. No key value reaches this module.
"""
from __future__ import annotations

from typing import List, Optional, Sequence

from ..facts.types import Facts, KeysFacts
from ..model import Finding, Severity, Status, finding
from ..registry import rule
from ._common import MANUAL_CHECK, NCS_CONF_MAN

SECTION = "Encryption Keys (Development vs. Production Deployment > Cryptographic keys)"
ES = "/ncs-config/encrypted-strings"
EXT_CMD = f"{ES}/external-keys/command"
EXT_ARG = f"{ES}/external-keys/command-argument"
KEYS_GUIDE = "NSO Administration Guide: Advanced Topics > Cryptographic Keys"
EXTERNAL_FIX = ("<encrypted-strings><external-keys><command>${NCS_DIR}/bin/ncs_crypto_keys</command>"
                "<command-argument>${NCS_CONFIG_DIR}/ncs.crypto_keys</command-argument>"
                "</external-keys></encrypted-strings>")
# Placeholders, not hex: documentation must not carry anything that looks like a key.
INLINE_EXAMPLE = ("<encrypted-strings><AESCFB128><key>32-HEX-DIGITS</key></AESCFB128>"
                  "<AES256CFB128><key>64-HEX-DIGITS</key></AES256CFB128></encrypted-strings>")
DES3_EXAMPLE = ("<encrypted-strings><DES3CBC><key1>16-HEX</key1><key2>16-HEX</key2><key3>16-HEX</key3>"
                "</DES3CBC><AESCFB128><key>32-HEX-DIGITS</key></AESCFB128></encrypted-strings>")
AES_ONLY = ("<encrypted-strings><AESCFB128><key>32-HEX-DIGITS</key></AESCFB128>"
            "<AES256CFB128><key>64-HEX-DIGITS</key></AES256CFB128></encrypted-strings>")


_KEYS_FILE_CHECK = ("on the NSO host, check that the keys file (default /etc/ncs/ncs.crypto_keys) exists, "
                    "is owned by the user NSO runs as and has mode 0600 (0640 with a dedicated group): "
                    "`stat -c '%U %a' /etc/ncs/ncs.crypto_keys`, or audit there with --host")


def _keys_error(facts: Facts) -> Optional[Finding]:
    err = facts.error("keys")
    return finding(Status.ERROR, f"could not read the keys file: {err}") if err else None


@rule("SD-KEYS-001", "Encryption keys come from an external keys file", Severity.HIGH,
      rationale="""
Keys written into ncs.conf are read by everyone who can read ncs.conf, end up in its
backups and copies, and cannot be rotated without editing the main configuration file.
The system install keeps them in ${NCS_CONFIG_DIR}/ncs.crypto_keys, read through the
external-keys command, so that ncs.conf holds no secret and the keys file can be
protected and rotated on its own.""",
      remediation="""
Move the keys to an external keys file (`secure-deploy keys migrate --ncs-conf FILE
--keys-file FILE` writes it and shows the ncs.conf change) and configure
/ncs-config/encrypted-strings/external-keys/command and command-argument.""",
      section=SECTION, paths=(EXT_CMD, EXT_ARG, f"{ES}/AESCFB128/key", f"{ES}/AES256CFB128/key",
                              f"{ES}/key-rotation"),
      references=(NCS_CONF_MAN, KEYS_GUIDE), tags=("keys", "ncs-conf"),
      example=INLINE_EXAMPLE, fix_example=EXTERNAL_FIX)
def external_keys(facts: Facts) -> Sequence[Finding]:
    c = facts.ncs_conf
    assert c is not None
    if c.inline_keys:
        names = sorted({k.name for k in c.inline_keys})
        first = min((k.line for k in c.inline_keys if k.line), default=None)
        loc = c.location(ES)
        return [finding(Status.FAIL, f"{len(c.inline_keys)} encryption key values are written inline "
                                     "in ncs.conf", paths=(ES,), location=loc,
                        keys=", ".join(names), first_line=first,
                        external_keys="configured too" if c.is_set(EXT_CMD) else "not configured")]
    if c.is_set(EXT_CMD):
        return [finding(Status.PASS, "keys are read through the external-keys command",
                        paths=(EXT_CMD, EXT_ARG), location=c.location(EXT_CMD),
                        command=c.described(EXT_CMD), argument=c.described(EXT_ARG))]
    return [finding(Status.FAIL, "no external-keys command is configured (and no inline keys)",
                    paths=(EXT_CMD,), location=c.location(ES), expected="external-keys/command set",
                    actual=c.described(EXT_CMD))]


@rule("SD-KEYS-002", "The well-known demo encryption keys are not used", Severity.CRITICAL, objects=("keys-source",),
      rationale="""
A local install ships ncs.conf with fixed demo keys that are printed in the NSO
documentation. Anyone holding an encrypted value from such an NSO (a $8$/$9$ device
password in a backup, a rollback file, a support bundle) can decrypt it. The
guidance requires random keys for every deployment.""",
      remediation="""
Generate random keys and re-encrypt: `secure-deploy keys rotate --keys-file FILE` (or the
NSO action `secure-deploy keys rotate`) writes a new random generation, then run
`ncs --reload` and `key-rotation apply-new-keys`. Inline demo keys must first move to
a keys file (SD-KEYS-001).""",
      section=SECTION, paths=(ES,), references=(KEYS_GUIDE,), tags=("keys", "ncs-conf", "keys-file"),
      needs=(), reads=("ncs_conf", "keys"),
      example="ncs.conf of a local install, whose keys are the 16 hex digits 0-9a-f in order, repeated",
      fix_example="EXTERNAL_KEY_FORMAT=2 keys file with random keys (secure-deploy keys rotate)")
def no_dummy_keys(facts: Facts) -> Sequence[Finding]:
    out: List[Finding] = []
    c, k = facts.ncs_conf, facts.keys
    if c is not None:
        dummy = [key for key in c.inline_keys if key.is_dummy]
        if dummy:
            out.append(finding(Status.FAIL, "ncs.conf holds the well-known demo keys", paths=(ES,),
                               location=c.location(ES), obj="ncs.conf",
                               keys=", ".join(sorted({d.name for d in dummy}))))
        elif c.inline_keys:
            out.append(finding(Status.PASS, "the inline keys are not the well-known demo keys",
                               obj="ncs.conf"))
    err = _keys_error(facts)
    if err:
        out.append(err)
    elif k is not None and k.file.exists:
        bad = [g for g in k.generations if g.is_dummy]
        if bad:
            out.append(finding(Status.FAIL, "the keys file holds the well-known demo keys", obj=k.path,
                               generations=", ".join(str(g.generation) for g in bad)))
        else:
            out.append(finding(Status.PASS, "the keys file holds no well-known demo key", obj=k.path,
                               generations=", ".join(str(g.generation) for g in k.generations)))
    if not out:
        if c is not None and c.is_set(EXT_CMD):
            return [finding(Status.MANUAL, "the keys file was not inspected (give --keys-file)",
                            paths=(EXT_ARG,), argument=c.described(EXT_ARG))]
        return [finding(Status.NOT_APPLICABLE, "no keys seen (no ncs.conf keys, no keys file)")]
    return out


@rule("SD-KEYS-003", "The keys file is protected", Severity.HIGH, objects=("keys-source",),
      rationale="""
ncs.crypto_keys is the most sensitive file of the installation: with it every
encrypted value in CDB, in backups and in rollback files can be decrypted. It must
exist (NSO does not start without it when external keys are configured), be owned by
the user NSO runs as, and give nobody else write access or any world access.""",
      remediation="""
chown the keys file to the NSO user and `chmod 0600` it (0640 with a dedicated group
is acceptable).""",
      section=SECTION, references=(KEYS_GUIDE,), tags=("keys", "keys-file", "host"), needs=("keys",), reads=("host",),
      manual=_KEYS_FILE_CHECK,
      example="$ ls -l /etc/ncs/ncs.crypto_keys\n-rw-r--r-- 1 root root 245 Jan 10 09:12 /etc/ncs/ncs.crypto_keys",
      fix_example="$ ls -l /etc/ncs/ncs.crypto_keys\n-rw------- 1 nso nso 245 Jan 10 09:12 /etc/ncs/ncs.crypto_keys")
def keys_file_protected(facts: Facts) -> Sequence[Finding]:
    k = facts.keys
    assert k is not None
    f = k.file
    if f.error:
        return [finding(Status.ERROR, f"could not inspect the keys file: {f.error}", obj=k.path)]
    if not f.exists:
        return [finding(Status.FAIL, "the keys file does not exist", obj=k.path, path=k.path)]
    if facts.host is None:
        # The file seen here may be a copy, or this machine's own: its mode and owner
        # say nothing about the NSO host's file.
        return [finding(Status.MANUAL, f"host not inspected: {_KEYS_FILE_CHECK}", obj=k.path,
                        mode_seen_here=f.mode_text)]
    out: List[Finding] = []
    mode = f.mode or 0
    if mode & 0o027:
        what = [w for bit, w in ((0o020, "group write"), (0o007, "world access")) if mode & bit]
        out.append(finding(Status.FAIL, f"the keys file allows {' and '.join(what)}", obj=k.path,
                           mode=f.mode_text, expected="0600 (or 0640)"))
    h = facts.host
    # By uid when known: in containers the daemon's uid often has no passwd entry.
    uid = h.daemon_uid if h is not None else None
    name = h.daemon_user if h is not None else None
    daemon = name or (str(uid) if uid is not None else None)
    if uid is not None and f.uid is not None:
        wrong_owner = f.uid != uid
    else:
        wrong_owner = bool(name) and f.owner != name
    if wrong_owner:
        out.append(finding(Status.FAIL, f"the keys file is owned by {f.owner or f.uid}, NSO runs as "
                                        f"{daemon}", obj=k.path, owner=f.owner or f.uid,
                           daemon_user=daemon, daemon_user_source=h.daemon_user_source if h else None))
    if out:
        return out
    ev = dict(obj=k.path, mode=f.mode_text, owner=f.owner or f.uid, group=f.group or f.gid)
    if not daemon:
        # The mode is right, but "owned by the NSO user" is half of the rule and the
        # NSO user is not known here (no host facts, or NSO not found running).
        return [finding(Status.MANUAL, f"the keys file is not writable by its group nor readable by others; "
                                       f"it is owned by {f.owner or f.uid}, and the NSO user is unknown: "
                                       "check that NSO runs as that user", **ev)]
    return [finding(Status.PASS, "the keys file is not writable by its group nor readable by others, "
                                 f"and is owned by the NSO user {daemon}", **ev)]


@rule("SD-KEYS-004", "No 3DES (DES3CBC) keys", Severity.MEDIUM,
      rationale="""
3DES is no longer considered secure and NSO 6.5 removed it: $7$ values cannot be read
by 6.5 and later. On 6.4 DES3CBC keys mean 3DES-encrypted data may exist and must be
migrated to AES before upgrading; on 6.5+ the keys are dead weight and a sign of
unmigrated data. Either way this is a warning (as the guidance words it), not a
failure: the keys themselves expose nothing new.""",
      remediation="""
Change tailf:des3-cbc-encrypted-string leaves to an AES type, upgrade the packages so
CDB re-encrypts the data, then drop the DES3CBC keys (a rotation by secure-deploy
on 6.5+ writes no DES3 keys).""",
      section=SECTION, paths=(f"{ES}/DES3CBC",), references=(KEYS_GUIDE, NCS_CONF_MAN),
      tags=("keys", "ncs-conf", "keys-file"), needs=(), reads=("ncs_conf", "keys"), example=DES3_EXAMPLE, fix_example=AES_ONLY)
def no_des3(facts: Facts) -> Sequence[Finding]:
    c, k = facts.ncs_conf, facts.keys
    seen = []
    if c is not None and any(key.name.startswith("DES3CBC") for key in c.inline_keys):
        seen.append("ncs.conf")
    if k is not None and k.has_des3:
        seen.append(k.path)
    out: List[Finding] = []
    err = _keys_error(facts)
    if err:
        out.append(err)
    if c is None and k is None and not err:
        return [finding(Status.NOT_APPLICABLE, "no keys seen (no ncs.conf, no keys file)")]
    if not seen:
        return out + [finding(Status.PASS, "no DES3CBC keys")]
    v = facts.version.version
    if v == "6.4":
        return out + [finding(Status.WARN, "DES3CBC keys present: migrate $7$ data to AES before "
                                           "upgrading to NSO 6.5", where=", ".join(seen), nso=v)]
    # A warning on every release, as the guidance asks: on 6.5+ the keys decrypt nothing
    # NSO still accepts, so they point at $7$ data left behind rather than at a live risk.
    return out + [finding(Status.WARN, f"DES3CBC keys present, but NSO {v} no longer supports 3DES: "
                                       "$7$ values left in CDB cannot be read; migrate or re-enter "
                                       "them, then drop the DES3CBC keys", where=", ".join(seen), nso=v)]


def _age_days(created: str, now: str) -> Optional[int]:
    import datetime as _dt  # only deployments with a known key age pay for the import
    try:
        return (_dt.datetime.fromisoformat(now) - _dt.datetime.fromisoformat(created)).days
    except (ValueError, TypeError):
        return None


@rule("SD-KEYS-005", "The active encryption keys are not older than the maximum key age", Severity.MEDIUM, objects=("keys-source",),
      rationale="""
Rotating keys limits how much data one compromised key exposes and keeps the
rotation procedure exercised. NSO 6.4 added key generations and
/key-rotation/apply-new-keys for exactly that; the operator sets the maximum age
(default 365 days). Demo keys are always overdue.""",
      remediation="""
Rotate: `secure-deploy keys rotate --keys-file FILE` then `ncs --reload` and
`key-rotation apply-new-keys`, or the NSO action `secure-deploy keys rotate`.""",
      section=SECTION, references=(KEYS_GUIDE,), tags=("keys", "keys-file"), needs=("keys",),
      manual="check when the active key generation was made (`secure-deploy keys status` on the NSO host, "
             "or the rotation records) and rotate when it is older than the maximum key age",
      example="$ secure-deploy keys status --keys-file /etc/ncs/ncs.crypto_keys\n"
              "active keys from:  2024-03-01T09:00:00+00:00 (rotation history), 731 days old",
      fix_example="$ secure-deploy keys rotate --keys-file /etc/ncs/ncs.crypto_keys\n"
                  "$ ncs --reload\n"
                  "$ ncs_cli -C -u admin    (then: key-rotation apply-new-keys new-key-generation 3)\n"
                  "$ secure-deploy keys status --keys-file /etc/ncs/ncs.crypto_keys\n"
                  "active keys from:  (today) (rotation history), 0 days old")
def key_age(facts: Facts) -> Sequence[Finding]:
    k: KeysFacts = facts.keys  # type: ignore[assignment]
    if not k.file.exists:
        return [finding(Status.NOT_APPLICABLE, "no keys file (see SD-KEYS-003)", obj=k.path)]
    act = next((g for g in k.generations if g.generation == k.active_generation), None)
    if act is None:
        return [finding(Status.ERROR, f"the active generation {k.active_generation} is not in the "
                                      "keys file", obj=k.path)]
    if act.is_dummy:
        return [finding(Status.FAIL, "the active keys are the well-known demo keys", obj=k.path,
                        generation=act.generation)]
    limit = facts.settings.max_key_age_days
    age = _age_days(k.created_at, facts.now) if k.created_at else None
    if age is None:
        return [finding(Status.MANUAL, "the age of the active keys is unknown", obj=k.path,
                        generation=act.generation)]
    ev = dict(generation=act.generation, created=k.created_at, age_source=k.created_source,
              age_days=age, max_key_age_days=limit)
    if age > limit:
        return [finding(Status.WARN, f"the active keys are {age} days old (limit {limit}; "
                                     f"age from {k.created_source})", obj=k.path, **ev)]
    return [finding(Status.PASS, f"the active keys are {age} days old (limit {limit})", obj=k.path, **ev)]


@rule("SD-KEYS-006", "The installer's encryption keys were replaced before first use", Severity.HIGH,
      objects=("keys-source",),
      rationale="""
The installer writes an ncs.crypto_keys; the guidance asks to generate new keys before
or at the first start and to replace the keys the installer generated, so that no
copy of the installation media, image or its build logs holds the keys of the CDB.
A keys file with a generation above 0 was rotated at least once; generation 0 or
legacy keys may still be the installer's, which only the install history can tell.""",
      remediation="""
Before NSO's first start write new keys (`secure-deploy keys rotate` or
`openssl rand -hex` into a new generation); on a running system rotate now
(`secure-deploy keys rotate`, `ncs --reload`, `key-rotation apply-new-keys`).""",
      section=SECTION, references=(KEYS_GUIDE,), tags=("keys", "keys-file", MANUAL_CHECK), needs=("keys",),
      manual="check that the keys in use are not the ones the installer generated: they were replaced before "
             "the first start or rotated since (`secure-deploy keys status` on the NSO host shows generation > 0)",
      example="$ secure-deploy keys status --keys-file /etc/ncs/ncs.crypto_keys\nformat: legacy (no generations)",
      fix_example="$ secure-deploy keys rotate --keys-file /etc/ncs/ncs.crypto_keys\n"
                  "$ secure-deploy keys status --keys-file /etc/ncs/ncs.crypto_keys\nactive generation: 1")
def installer_keys_replaced(facts: Facts) -> Sequence[Finding]:
    k: KeysFacts = facts.keys  # type: ignore[assignment]
    if not k.file.exists:
        return [finding(Status.NOT_APPLICABLE, "no keys file (see SD-KEYS-003)", obj=k.path)]
    if k.any_dummy:
        return [finding(Status.FAIL, "the keys file holds the well-known demo keys (see SD-KEYS-002)", obj=k.path)]
    gen = k.active_generation
    if gen is not None and gen > 0:
        return [finding(Status.PASS, f"the keys were rotated since installation (active generation {gen})",
                        obj=k.path, generation=gen)]
    return [finding(Status.MANUAL, "the active keys may still be the installer's (legacy keys or generation 0): "
                    "check they were written before the first start, or rotate them", obj=k.path,
                    generation=gen if gen is not None else "legacy", format=k.format)]
