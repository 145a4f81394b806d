"""Shared set-up of the NSO-layer tests (test_nso_*.py): a double holding the
package's YANG, AAA/NACM and the tailf-ncs subset the audit reads, the package
loaded as NSO would load it, and a small deployment on disk the settings point to."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Iterator, Optional

import pytest

import ncs_double as nd

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
NSO_YANG = HERE / "nso_yang"
# The alarm types module imports tailf-ncs-alarms: its test subset comes first.
ALARM_YANG = (NSO_YANG / "ncs-alarms-subset" / "tailf-ncs-alarms.yang",
              REPO / "packages" / "secure-deploy" / "src" / "yang" / "secure-deploy-alarms.yang")
EXTRA_YANG = (NSO_YANG / "tailf-ncs-subset-double.yang", NSO_YANG / "tailf-ncs-monitoring-double.yang",
              *ALARM_YANG)
EXAMPLES = REPO / "examples"
SD_NS = "urn:secure-deploy:yang:secure-deploy"
CONF_NS = "http://tail-f.com/yang/tailf-ncs-config"
AAA_NS = "http://tail-f.com/ns/aaa/1.1"
NACM_NS = "urn:ietf:params:xml:ns:yang:ietf-netconf-acm"
NCS_NS = "http://tail-f.com/ns/ncs"
DUMMY_AES = "0123456789abcdef" * 2

# A development-style ncs.conf: inline demo key, local auth, HTTP WebUI, CLI over SSH.
DEV_NCS_CONF = f"""<ncs-config xmlns="{CONF_NS}">
  <encrypted-strings><AESCFB128><key>{DUMMY_AES}</key><initVector>{DUMMY_AES}</initVector></AESCFB128>
  </encrypted-strings>
  <aaa><local-authentication><enabled>true</enabled></local-authentication>
    <pam><enabled>true</enabled><service>common-auth</service></pam></aaa>
  <cli><ssh><enabled>true</enabled></ssh></cli>
  <webui><enabled>true</enabled><transport><tcp><enabled>true</enabled><ip>0.0.0.0</ip><port>8080</port></tcp>
  </transport></webui>
  <logs><audit-log><enabled>true</enabled><file><enabled>true</enabled><name>./logs/audit.log</name></file>
  </audit-log></logs>
</ncs-config>
"""

DEV_CDB_XML = f"""<config xmlns="http://tail-f.com/ns/config/1.0">
  <aaa xmlns="{AAA_NS}"><authentication><users>
    <user><name>admin</name><uid>9000</uid><gid>100</gid><password>$0$admin</password>
      <ssh_keydir>/var/ncs/homes/admin/.ssh</ssh_keydir><homedir>/var/ncs/homes/admin</homedir></user>
    <user><name>oper</name><uid>9000</uid><gid>100</gid><password>$0$oper</password>
      <ssh_keydir>/var/ncs/homes/oper/.ssh</ssh_keydir><homedir>/var/ncs/homes/oper</homedir></user>
  </users></authentication></aaa>
  <nacm xmlns="{NACM_NS}"><write-default>permit</write-default>
    <groups><group><name>admin</name><user-name>admin</user-name><user-name>private</user-name></group>
      <group><name>oper</name><user-name>oper</user-name></group></groups>
    <rule-list><name>admin</name><group>admin</group>
      <rule><name>any-access</name><action>permit</action></rule>
      <cmdrule xmlns="http://tail-f.com/yang/acm"><name>any-command</name><action>permit</action></cmdrule>
    </rule-list>
  </nacm>
  <devices xmlns="{NCS_NS}">
    <authgroups><group><name>default</name>
      <umap><local-user>admin</local-user><remote-name>admin</remote-name><remote-password>$0$admin</remote-password></umap>
      <umap><local-user>oper</local-user><remote-name>oper</remote-name><remote-password>$0$oper</remote-password></umap>
    </group></authgroups>
    <device><name>ce0</name><address>127.0.0.1</address><port>10022</port><authgroup>default</authgroup>
      <ssh><host-key-verification>none</host-key-verification></ssh></device>
    <device><name>ce1</name><address>127.0.0.1</address><port>10023</port><authgroup>default</authgroup>
      <ssh-algorithms><kex>diffie-hellman-group14-sha1</kex><mac>hmac-sha1</mac></ssh-algorithms></device>
  </devices>
</config>
"""


def sd_xml(inner: str) -> str:
    return f'<secure-deploy xmlns="{SD_NS}">{inner}</secure-deploy>'


def scaled_xml(users: int, devices: int) -> bytes:
    """users + devices grow; NACM and authgroups stay as in the development CDB."""
    out = ['<config xmlns="http://tail-f.com/ns/config/1.0">', f'<aaa xmlns="{AAA_NS}"><authentication><users>']
    hashed = "$6$" + "s" * 16 + "$" + "h" * 86      # shaped like SHA-512 crypt, of no password
    out += [f"<user><name>u{i}</name><uid>{i}</uid><gid>1</gid><password>{hashed}</password>"
            f"<ssh_keydir>/h/u{i}/.ssh</ssh_keydir><homedir>/h/u{i}</homedir></user>" for i in range(users)]
    out.append(f'</users></authentication></aaa><devices xmlns="{NCS_NS}">')
    out += [f"<device><name>d{i}</name><address>192.0.2.1</address><authgroup>default</authgroup>"
            f"<ssh><host-key-verification>{'none' if i % 97 == 0 else 'reject-unknown'}</host-key-verification>"
            "</ssh></device>" for i in range(devices)]
    out.append("</devices></config>")
    return "\n".join(out).encode()


def new_nso() -> nd.NcsDouble:
    return nd.new_double(list(EXTRA_YANG), aaa=True)


class Deployment:
    """A double with the package loaded plus the on-disk files its settings name."""

    def __init__(self, d: nd.NcsDouble, root: Path) -> None:
        self.d = d
        self.root = root
        self.etc = root / "etc"
        self.run = root / "run"

    @property
    def ncs_conf(self) -> Path:
        return self.etc / "ncs.conf"

    def write_conf(self, text: str) -> None:
        self.ncs_conf.write_text(text)

    def settings(self, **leaves: Any) -> None:
        """Replace /secure-deploy/settings leaves (None deletes)."""
        import ncs
        with ncs.maapi.single_write_trans("admin", "system", db=ncs.RUNNING) as t:
            s = ncs.maagic.get_root(t).secure_deploy.settings
            for k, v in leaves.items():
                setattr(s, k, v)
            t.apply()

    def waiver(self, wid: str, **leaves: Any) -> None:
        import ncs
        with ncs.maapi.single_write_trans("admin", "system", db=ncs.RUNNING) as t:
            w = ncs.maagic.get_root(t).secure_deploy.waiver.create(wid)
            for k, v in leaves.items():
                setattr(w, k, v)
            t.apply()

    def audit(self, user: str = "admin", **inp: Any) -> Dict[str, Any]:
        return self.d.request_action("/secure-deploy/audit", user=user, **inp)

    def result(self, rule_id: str) -> Optional[str]:
        return self.d.get(f"/secure-deploy/last-run/result{{{rule_id}}}/status")

    def history(self) -> list:
        return [k[0] for k in self.d.keys("/secure-deploy/history/run")] \
            if self.d.exists("/secure-deploy/history") else []


@pytest.fixture(autouse=True)
def oper_valid(request, yanglint_check):
    """After every action test the oper datastore must validate with yanglint."""
    dep = request.getfixturevalue("dep") if "dep" in request.fixturenames else None
    yield
    if dep is not None:
        xml = dep.d.dump_xml("secure-deploy", config=False)
        if xml.strip():          # nothing stored (e.g. a refused request) is valid too
            yanglint_check(xml)


@pytest.fixture
def no_rotation_resumer(monkeypatch):
    """The package's key-rotation check thread (started by Main.setup, first read after
    5 s) would read the double's CDB while a long audit writes it: the double is not
    thread-safe for that (test/ncs_double/README.md), and it has no rotation to settle."""
    monkeypatch.setenv("SECURE_DEPLOY_RESUME_DELAY", "3600")


def make_deployment(tmp_path: Path, monkeypatch: Any, *, cdb_xml: Optional[str] = DEV_CDB_XML,
                    ncs_conf: str = DEV_NCS_CONF, version: Optional[str] = "6.4.2") -> Iterator[Deployment]:
    for var in ("NCS_DIR", "NCS_CONFIG_DIR", "NCS_RUN_DIR", "NCS_LOG_DIR"):
        monkeypatch.delenv(var, raising=False)
    d = new_nso()
    with nd.install(d):
        dep = Deployment(d, tmp_path / "nso")
        dep.etc.mkdir(parents=True)
        (dep.run / "cdb").mkdir(parents=True)
        dep.write_conf(ncs_conf)
        if cdb_xml:
            d.seed_xml(cdb_xml)
        if version:
            d.seed_xml(f'<ncs-state xmlns="http://tail-f.com/yang/ncs-monitoring"><version>{version}</version>'
                       "</ncs-state>", db=4)
        d.seed_xml(sd_xml(f"<settings><ncs-conf>{dep.ncs_conf}</ncs-conf><config-dir>{dep.etc}</config-dir>"
                          f"<run-dir>{dep.run}</run-dir></settings>"))
        d.load_package(nd.PACKAGE_DIR)
        d.reset_counters()
        yield dep
