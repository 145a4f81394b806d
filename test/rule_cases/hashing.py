"""Fixtures for checks/hashing.py. Hashes below are of throwaway random passwords,
except where a case says it is the well-known default."""
from factsbuilder import Case
from secure_deploy.model import Status

P, F, W, M, NA = Status.PASS, Status.FAIL, Status.WARN, Status.MANUAL, Status.NOT_APPLICABLE

MD5_RANDOM = "$1$66kDc1MN$f1.XourOHCe9S.IoWLvuh."
SHA256_RANDOM = "$5$wJ4U0tZ0Ehrosnvf$.qc.RFu/WBGOQtLdcvaoiPNnjjf7Thc73HKkQ54qD/7"
SHA512_RANDOM = ("$6$/k4CJ.FnxUYhheed$uXPES20oNDX3XnaOp8CxELpJisWYQZDiKB25qcXnPT38Vt6jww7fZ."
                 "R1INHYOdAkNTv4aEBjCgODn8778GXpv/")
SHA512_OF_ADMIN = ("$6$rRWHtvurNY1sHtKl$YmsHe4V9v91NtwfCUY7RqH/I/IWcXo.pBEmE2Xqfr0gElyIaR0hEME1x4LDxmxARy"
                   "HT/dUJdhujsSBIQjH9lO1")


def user(name: str, password: str = None) -> str:
    pw = f"<password>{password}</password>" if password is not None else ""
    return (f"<user><name>{name}</name><uid>1000</uid><gid>100</gid>{pw}"
            f"<ssh_keydir>/var/ncs/homes/{name}/.ssh</ssh_keydir><homedir>/var/ncs/homes/{name}</homedir></user>")


def aaa(*users: str) -> str:
    """A CDB init file (aaa_init.xml style) holding the given users."""
    return ('<config xmlns="http://tail-f.com/ns/config/1.0">'
            '<aaa xmlns="http://tail-f.com/ns/aaa/1.1"><authentication><users>'
            + "".join(users) + "</users></authentication></aaa></config>")


NO_AAA = ('<config xmlns="http://tail-f.com/ns/config/1.0">'
          '<devices xmlns="http://tail-f.com/ns/ncs"><global-settings/></devices></config>')

CASES = [
    # SD-HASH-001: version-aware default (md5 in 6.4/6.5, sha-512 from 6.6).
    Case("SD-HASH-001", P, "<crypt-hash><algorithm>sha-512</algorithm></crypt-hash>"),
    Case("SD-HASH-001", F, "<crypt-hash><algorithm>md5</algorithm></crypt-hash>", version="6.6",
         note="explicit-md5-on-6.6"),
    Case("SD-HASH-001", F, "", version="6.4", note="absent-md5-default-6.4"),
    Case("SD-HASH-001", F, "", version="6.5", note="absent-md5-default-6.5"),
    Case("SD-HASH-001", P, "", version="6.6", note="absent-sha512-default-6.6"),
    Case("SD-HASH-001", P, "", version="6.7", note="absent-sha512-default-6.7"),
    Case("SD-HASH-001", F, "<crypt-hash><algorithm>sha-256</algorithm></crypt-hash>", note="sha-256-is-not-sha-512"),
    Case("SD-HASH-001", W, "<crypt-hash><algorithm>sha-512</algorithm><rounds>1000</rounds></crypt-hash>",
         note="few-rounds"),
    Case("SD-HASH-001", P, "<crypt-hash><algorithm>sha-512</algorithm><rounds>10000</rounds></crypt-hash>",
         note="more-rounds"),
    # rounds are ignored for md5: the verdict stays FAIL for the algorithm, not WARN.
    Case("SD-HASH-001", F, "<crypt-hash><algorithm>md5</algorithm><rounds>100000</rounds></crypt-hash>",
         note="rounds-do-not-save-md5"),
    # SD-HASH-002: schemes of the stored hashes.
    Case("SD-HASH-002", P, cdb_xml=aaa(user("alice", SHA512_RANDOM), user("bob", SHA256_RANDOM),
                                       user("pamonly")), note="sha-hashes"),
    Case("SD-HASH-002", F, cdb_xml=aaa(user("alice", SHA512_RANDOM), user("legacy", MD5_RANDOM)),
         note="md5-hash"),
    Case("SD-HASH-002", F, cdb_xml=aaa(user("admin", "$0$admin")), note="cleartext-in-init-file"),
    Case("SD-HASH-002", NA, cdb_xml=NO_AAA, note="no-aaa-data"),
    Case("SD-HASH-002", Status.MANUAL, note="no-cdb-given-check-by-hand"),
    # SD-HASH-003: well-known default passwords, cleartext or hashed.
    Case("SD-HASH-003", P, cdb_xml=aaa(user("alice", SHA512_RANDOM), user("pamonly"))),
    Case("SD-HASH-003", F, cdb_xml=aaa(user("admin", "$0$admin"), user("alice", SHA512_RANDOM)),
         note="cleartext-default"),
    Case("SD-HASH-003", F, cdb_xml=aaa(user("admin", SHA512_OF_ADMIN)), note="hashed-default"),
    Case("SD-HASH-003", NA, cdb_xml=NO_AAA, note="no-aaa-data"),
]
