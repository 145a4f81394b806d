"""The alarm types (secure-deploy-alarms.yang) and their alarm-model init data."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import etree

from ncs_double import PACKAGE_DIR, tailf_yang_dir
from ncs_double.schema import load_schema
from secure_deploy.alarms.state import AlarmType

HERE = Path(__file__).resolve().parent
ALARMS_YANG = PACKAGE_DIR / "src" / "yang" / "secure-deploy-alarms.yang"
SUBSET_DIR = HERE / "nso_yang" / "ncs-alarms-subset"
SUBSET = SUBSET_DIR / "tailf-ncs-alarms.yang"
INIT_XML = PACKAGE_DIR / "cdb-init" / "secure-deploy-alarms.xml"
AL_NS = "http://tail-f.com/ns/ncs-alarms"
SD_AL_NS = "urn:secure-deploy:yang:secure-deploy-alarms"


@pytest.fixture(scope="module")
def ydir() -> Path:
    return tailf_yang_dir()     # $NCS_DIR's modules, else the copies carried in test/yang/public


def test_subset_has_nso_names_and_says_it_is_a_subset() -> None:
    text = SUBSET.read_text()
    assert "module tailf-ncs-alarms {" in text
    assert f'namespace "{AL_NS}";' in text and 'prefix al;' in text     # alarm-manager.md
    assert "TEST ONLY: A SUBSET" in text
    # the subset never ships with the package
    assert not list(PACKAGE_DIR.rglob("tailf-ncs-alarms*"))


def test_every_alarm_type_is_an_identity_derived_from_al_alarm_type(ydir: Path) -> None:
    schema = load_schema([ALARMS_YANG], [ydir, SUBSET_DIR])
    mod = schema.modules["secure-deploy-alarms"]
    bases = {i.arg: i.search_one("base").arg for i in mod.search("identity")}
    assert bases["secure-deploy-alarm"] == "al:alarm-type"
    assert {t.value for t in AlarmType} == {k for k, b in bases.items() if b == "secure-deploy-alarm"}
    imp = mod.search_one("import", "tailf-ncs-alarms")
    assert imp is not None and imp.search_one("prefix").arg == "al"


def test_init_data_gives_every_type_an_alarm_model_entry() -> None:
    root = etree.parse(str(INIT_XML)).getroot()
    assert root.tag == f"{{{AL_NS}}}alarms"
    entries = root.findall(f"{{{AL_NS}}}alarm-model/{{{AL_NS}}}alarm-type")
    types = set()
    for e in entries:
        t = e.find(f"{{{AL_NS}}}type")
        prefix, _, name = t.text.partition(":")
        assert t.nsmap[prefix] == SD_AL_NS
        types.add(name)
        assert e.findtext(f"{{{AL_NS}}}has-clear") == "true"       # every type is cleared by the package
    assert types == {t.value for t in AlarmType}


def test_init_data_is_valid_against_the_modules(ydir: Path, tmp_path: Path) -> None:
    if shutil.which("yanglint") is None:
        pytest.skip("yanglint not installed (Debian package libyang2-tools)")
    proc = subprocess.run(["yanglint", "-p", str(ydir), "-p", str(SUBSET_DIR), "-t", "config",
                           str(SUBSET), str(ALARMS_YANG), str(INIT_XML)],
                          cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0 and "err" not in (proc.stdout + proc.stderr).lower(), proc.stderr
    bad = tmp_path / "bad.xml"
    bad.write_text(INIT_XML.read_text().replace("sd-al:secure-deploy-violation", "sd-al:no-such-type"))
    proc = subprocess.run(["yanglint", "-p", str(ydir), "-p", str(SUBSET_DIR), "-t", "config",
                           str(SUBSET), str(ALARMS_YANG), str(bad)], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode != 0
