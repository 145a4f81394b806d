"""facts/cdb.py: CDB init files and exports -> CdbFacts, secrets reduced on read."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from conftest import REPO
from ncs_double import AAA_MODULES, PUBLIC_YANG
from secure_deploy.errors import InputError
from secure_deploy.facts.cdb import parse_cdb_xml, read_cdb_files

EXAMPLES = REPO / "examples"
DEV = EXAMPLES / "dev-local-install" / "run" / "cdb"
PROD = EXAMPLES / "prod-system-install" / "run" / "cdb"
AAA = "http://tail-f.com/ns/aaa/1.1"
NACM = "urn:ietf:params:xml:ns:yang:ietf-netconf-acm"
NCS = "http://tail-f.com/ns/ncs"
CONFIG = "http://tail-f.com/ns/config/1.0"
SHA512_OF_ADMIN = ("$6$rRWHtvurNY1sHtKl$YmsHe4V9v91NtwfCUY7RqH/I/IWcXo.pBEmE2Xqfr0gElyIaR0hEME1x4LDxmxARy"
                   "HT/dUJdhujsSBIQjH9lO1")


def user(name: str, pw: str = None, ipc: str = None) -> str:
    p = f"<password>{pw}</password>" if pw else ""
    i = f"<local_ipc_access>{ipc}</local_ipc_access>" if ipc else ""
    return (f"<user><name>{name}</name><uid>1</uid><gid>1</gid>{p}<ssh_keydir>/h</ssh_keydir>"
            f"<homedir>/h</homedir>{i}</user>")


def aaa(*users: str) -> str:
    return f'<aaa xmlns="{AAA}"><authentication><users>{"".join(users)}</users></authentication></aaa>'


def wrap(*parts: str) -> bytes:
    return f'<config xmlns="{CONFIG}">{"".join(parts)}</config>'.encode()


def test_dev_example_is_read_as_written():
    f = read_cdb_files([DEV / "aaa_init.xml", DEV / "devices_init.xml"])
    assert [(u.name, u.hash_scheme, u.default_password) for u in f.users] == [
        ("admin", "$0$", True), ("oper", "$0$", True)]
    n = f.nacm
    assert n.write_default == "permit" and n.enable_nacm is None and n.read_default is None
    assert [(g.name, g.users) for g in n.groups] == [("admin", ("admin", "private")), ("oper", ("oper", "public"))]
    admin, anyg = n.rule_lists
    assert admin.groups == ("admin",) and admin.rules[0].name == "any-access"
    assert admin.rules[0].module_name is None and admin.rules[0].access_operations is None
    assert [c.name for c in admin.cmdrules] == ["any-command"] and admin.cmdrules[0].action == "permit"
    assert anyg.groups == ("*",) and anyg.rules[0].path.startswith("/aaa:aaa/aaa:authentication")
    assert f.global_host_key_verification == "none"
    assert [(d.name, d.host_key_verification, d.authgroup) for d in f.devices] == [
        ("ex0", "none", "default"), ("ex1", "none", "default")]
    assert f.devices[1].ssh_algorithms == (("kex", ("diffie-hellman-group14-sha1",)), ("mac", ("hmac-sha1",)))
    (group,) = f.authgroups
    assert [(m.local_user, m.remote_name, m.credential, m.default_credentials) for m in group.maps] == [
        ("admin", "admin", "remote-password", True), ("oper", "oper", "remote-password", True)]
    assert f.sources == (str(DEV / "aaa_init.xml"), str(DEV / "devices_init.xml"))


def test_prod_example_is_read_as_written():
    f = read_cdb_files(sorted(str(p) for p in PROD.glob("*.xml")))
    assert f.users == ()            # /aaa present, no users: not None
    n = f.nacm
    assert (n.enable_nacm, n.read_default, n.write_default, n.exec_default) == (True, "deny", "deny", "deny")
    assert (n.cmd_read_default, n.cmd_exec_default) == ("deny", "deny")   # tailf-acm namespace
    oper = next(rl for rl in n.rule_lists if rl.name == "ncsoper")
    assert [r.action for r in oper.rules] == ["deny", "permit"] and len(oper.cmdrules) == 2
    assert f.global_host_key_verification == "reject-unknown"
    assert dict(f.global_ssh_algorithms)["kex"][0] == "curve25519-sha256"
    (m,) = f.authgroups[0].maps
    assert (m.local_user, m.same_user, m.credential, m.default_credentials) == ("default-map", True, "same-pass",
                                                                               False)
    assert f.devices == ()


@pytest.mark.parametrize("doc", [
    aaa(user("admin", "$0$admin")).encode(),                                        # bare root
    f'<data xmlns="urn:ietf:params:xml:ns:netconf:base:1.0">{aaa(user("admin", "$0$admin"))}</data>'.encode(),
    (f'<rpc-reply xmlns="urn:ietf:params:xml:ns:netconf:base:1.0" message-id="1"><data>'
     f'{aaa(user("admin", "$0$admin"))}</data></rpc-reply>').encode(),
    wrap(aaa(user("admin", "$0$admin"))),
], ids=["bare", "netconf-data", "rpc-reply", "config-wrapper"])
def test_accepted_wrappers(doc):
    f = parse_cdb_xml(doc, "x.xml")
    assert [(u.name, u.default_password) for u in f.users] == [("admin", True)]
    assert f.nacm is None and f.devices is None and f.authgroups is None and f.ha_token_set is None


def test_elements_are_recognised_by_namespace_not_name():
    other = '<aaa xmlns="urn:example:not-nso"><authentication><users>' + user("admin", "$0$admin") + \
            "</users></authentication></aaa>"
    with pytest.raises(InputError) as e:
        parse_cdb_xml(wrap(other, '<devices xmlns="urn:example:x"/>'), "export.xml")
    assert "export.xml" in str(e.value) and "no AAA, NACM or device data found" in str(e.value)
    # ...and inside the right root, other modules' elements are ignored.
    f = parse_cdb_xml(wrap(f'<aaa xmlns="{AAA}"><authentication><users>'
                           f'<user xmlns="urn:example:x"><name>ghost</name></user>{user("alice")}'
                           "</users></authentication></aaa>"), "x.xml")
    assert [u.name for u in f.users] == ["alice"]


def test_hashes_and_flags_per_user():
    f = parse_cdb_xml(wrap(aaa(user("admin", SHA512_OF_ADMIN, ipc="true"), user("pam"),
                               user("legacy", "$1$66kDc1MN$f1.XourOHCe9S.IoWLvuh."))), "x.xml")
    assert [(u.name, u.hash_scheme, u.default_password, u.local_ipc_access) for u in f.users] == [
        ("admin", "$6$", True, True), ("pam", "none", False, None), ("legacy", "$1$", False, None)]


def test_no_secret_survives_parsing():
    token, agpw = "tok-5f2a9c1e77", "Ag-7c1d22e9b0"
    f = parse_cdb_xml(wrap(
        aaa(user("admin", SHA512_OF_ADMIN), user("bob", "$0$CorrectHorse42")),
        f'<high-availability xmlns="{NCS}"><token>{token}</token></high-availability>',
        f'<devices xmlns="{NCS}"><authgroups><group><name>g</name><umap><local-user>x</local-user>'
        f"<remote-name>svc</remote-name><remote-password>$0${agpw}</remote-password></umap></group>"
        "</authgroups></devices>"), "x.xml")
    dump = repr(f)
    for secret in (SHA512_OF_ADMIN, "rRWHtvurNY1sHtKl", "CorrectHorse42", token, agpw):
        assert secret not in dump
    assert f.ha_token_set is True


def test_ha_token_absent_or_empty():
    f = parse_cdb_xml(wrap(f'<high-availability xmlns="{NCS}"><ha-node><id>n1</id></ha-node></high-availability>'),
                      "x.xml")
    assert f.ha_token_set is False


@pytest.mark.parametrize("remote,password,default", [
    ("admin", "$0$admin", True),
    ("admin", "admin", True),          # no $n$ prefix: compared as cleartext (UNVERIFIED, both ways safe)
    ("admin", "$9$2Mh0PqvZBdNs8ZkEgJ0=", False),   # encrypted: cannot be compared
    ("admin", "$8$2Mh0PqvZBdNs8ZkEgJ0=", False),
    ("svc-nso", "$0$Z9!random-enough", False),
    ("cisco", "$0$cisco", True),
])
def test_authgroup_default_credentials(remote, password, default):
    doc = wrap(f'<devices xmlns="{NCS}"><authgroups><group><name>g</name><default-map>'
               f"<remote-name>{remote}</remote-name><remote-password>{password}</remote-password>"
               "</default-map></group></authgroups></devices>")
    (m,) = parse_cdb_xml(doc, "x.xml").authgroups[0].maps
    assert m.default_credentials is default and m.local_user == "default-map"


def test_umap_same_user_uses_local_user_name():
    doc = wrap(f'<devices xmlns="{NCS}"><authgroups><group><name>g</name><umap><local-user>admin</local-user>'
               "<same-user/><remote-password>$0$admin</remote-password></umap></group></authgroups></devices>")
    (m,) = parse_cdb_xml(doc, "x.xml").authgroups[0].maps
    assert (m.remote_name, m.same_user, m.default_credentials) == ("admin", True, True)


def test_missing_list_key_names_the_file():
    with pytest.raises(InputError, match=r"bad\.xml: /aaa/authentication/users/user entry without <name>"):
        parse_cdb_xml(wrap(aaa("<user><uid>1</uid></user>")), "bad.xml")


def test_dtd_and_malformed_input_are_input_errors():
    with pytest.raises(InputError, match="evil.xml.*DOCTYPE"):
        parse_cdb_xml(b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + wrap(aaa(user("a"))), "evil.xml")
    with pytest.raises(InputError, match="broken.xml: malformed XML"):
        parse_cdb_xml(b"<config><aaa>", "broken.xml")


def test_merge_later_files_win_and_unrelated_files_are_skipped(tmp_path):
    a = tmp_path / "a_init.xml"
    b = tmp_path / "b_init.xml"
    other = tmp_path / "my_service_init.xml"
    a.write_bytes(wrap(aaa(user("admin", "$0$admin"), user("alice")),
                       f'<nacm xmlns="{NACM}"><write-default>permit</write-default>'
                       "<rule-list><name>x</name><group>g</group></rule-list></nacm>"))
    b.write_bytes(wrap(aaa(user("admin", "$0$Str0ng-and-long")),
                       f'<nacm xmlns="{NACM}"><write-default>deny</write-default></nacm>'))
    other.write_bytes(wrap('<services xmlns="urn:example:svc"/>'))
    f = read_cdb_files([a, other, b])
    assert [(u.name, u.default_password) for u in f.users] == [("admin", False), ("alice", False)]
    assert f.nacm.write_default == "deny" and [rl.name for rl in f.nacm.rule_lists] == ["x"]
    assert f.sources == (str(a), str(b))
    with pytest.raises(InputError, match="no AAA, NACM or device data found"):
        read_cdb_files([other])
    with pytest.raises(InputError, match="missing.xml: file not found"):
        read_cdb_files([tmp_path / "missing.xml"])


def test_scale_10000_users_5000_rules_20000_devices():
    sys.path.insert(0, str(REPO / "bench"))
    from synthetic import cdb_xml  # noqa: E402
    data = cdb_xml(100)
    f = parse_cdb_xml(data, "synthetic.xml")   # its time is measured in `make bench`, not here
    assert len(f.users) == 10000 and len(f.devices) == 20000
    assert sum(len(rl.rules) for rl in f.nacm.rule_lists) == 5000
    assert sum(d.host_key_verification == "none" for d in f.devices) == 21


# --- the examples are valid instance data of the public AAA/NACM modules -----------

# Carried public modules and our tailf-aaa subset (test/yang/README.md).
YANG = PUBLIC_YANG
MODULES = AAA_MODULES


def _yanglint(xml: bytes, tmp: Path) -> subprocess.CompletedProcess:
    if shutil.which("yanglint") is None:
        pytest.skip("yanglint not installed (Debian package libyang2-tools)")
    data = tmp / "data.xml"
    data.write_bytes(xml)
    # Run in an empty folder: libyang also searches the current directory for modules.
    return subprocess.run(["yanglint", "-p", str(YANG), "-t", "config", *[str(m) for m in MODULES],
                           str(data)], cwd=tmp, capture_output=True, text=True, timeout=120)


def _unwrapped(path: Path) -> bytes:
    root = etree.parse(str(path)).getroot()
    assert etree.QName(root).namespace == CONFIG
    return b"".join(etree.tostring(c) for c in root if isinstance(c.tag, str))


@pytest.mark.parametrize("example", ["dev-local-install", "prod-system-install"])
def test_example_aaa_init_is_valid_against_yang(example, tmp_path):
    proc = _yanglint(_unwrapped(EXAMPLES / example / "run" / "cdb" / "aaa_init.xml"), tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_yanglint_check_is_not_vacuous(tmp_path):
    bad = _unwrapped(DEV / "aaa_init.xml").replace(b"<uid>9000</uid>", b"", 1)   # uid is mandatory
    assert _yanglint(bad, tmp_path).returncode != 0


def _algs(**kinds) -> str:
    body = "".join(f"<{k}>{a}</{k}>" for k, v in kinds.items() for a in v)
    return f"<ssh-algorithms>{body}</ssh-algorithms>"


def test_ssh_algorithms_loaded_twice_keep_the_entries_of_both(tmp_path):
    # A weak algorithm from one file must not disappear because another file sets
    # the same profile, device or global list: leaf-lists keep the entries of both.
    a, b = tmp_path / "a_init.xml", tmp_path / "b_init.xml"
    a.write_bytes(wrap(f'<devices xmlns="{NCS}"><global-settings>{_algs(cipher=["aes256-ctr"])}</global-settings>'
                       f"<profiles><profile><name>legacy</name>{_algs(cipher=['aes128-cbc'])}</profile></profiles>"
                       f"<device><name>r1</name><authgroup>g</authgroup>{_algs(mac=['hmac-sha1'])}</device>"
                       "</devices>"))
    b.write_bytes(wrap(f'<devices xmlns="{NCS}"><global-settings>{_algs(mac=["hmac-sha2-256"])}</global-settings>'
                       f"<profiles><profile><name>legacy</name>{_algs(kex=['curve25519-sha256'])}</profile>"
                       "</profiles>"
                       f"<device><name>r1</name>{_algs(mac=['hmac-sha2-256'])}</device></devices>"))
    f = read_cdb_files([a, b])
    assert f.global_ssh_algorithms == (("mac", ("hmac-sha2-256",)), ("cipher", ("aes256-ctr",)))
    assert [(p.name, p.ssh_algorithms) for p in f.profiles] == [
        ("legacy", (("kex", ("curve25519-sha256",)), ("cipher", ("aes128-cbc",))))]
    (r1,) = f.devices
    assert r1.authgroup == "g" and r1.ssh_algorithms == (("mac", ("hmac-sha1", "hmac-sha2-256")),)


def test_one_file_with_a_profile_twice_reads_it_once():
    doc = wrap(*(f'<devices xmlns="{NCS}"><profiles><profile><name>legacy</name>{_algs(cipher=[c])}'
                 "</profile></profiles></devices>" for c in ("aes128-cbc", "3des-cbc")))
    f = parse_cdb_xml(doc, "p.xml")
    assert [(p.name, p.ssh_algorithms) for p in f.profiles] == [("legacy", (("cipher", ("aes128-cbc", "3des-cbc")),))]
