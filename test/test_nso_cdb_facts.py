"""CDB facts through MAAPI equal the standalone reader's (facts/cdb.py) for the same
data, give the same verdicts, and cost a bounded number of round trips."""
from __future__ import annotations

import dataclasses
import os
import tempfile
from pathlib import Path
from typing import List, Sequence

import pytest

import ncs_double as nd
from nso_fixtures import DEV_CDB_XML, EXAMPLES, new_nso, scaled_xml
from secure_deploy import registry
from secure_deploy.engine import run
from secure_deploy.facts.cdb import parse_cdb_xml, read_cdb_files
from secure_deploy.facts.ncsconf import parse_ncs_conf
from secure_deploy.facts.types import CdbFacts, Facts, NacmFacts
from secure_deploy.facts.version import parse_version

EXAMPLE_SETS = ("dev-local-install", "prod-system-install")
CDB_RULES = [r for r in registry.all_rules() if "cdb" in r.meta.needs]


def nso_cdb_facts(d: nd.NcsDouble) -> CdbFacts:
    import ncs
    from secure_deploy.nso import cdb_facts
    with ncs.maapi.Maapi() as m:
        with ncs.maapi.Session(m, "admin", "system"):
            with m.start_read_trans() as t:
                return cdb_facts.read_cdb_facts(t, cdb_facts.make_decrypt(m))


def _d(value, default):
    return default if value is None else value


def as_in_cdb(f: CdbFacts) -> CdbFacts:
    """The standalone facts as a live NSO holding the same data sees them.

    Two documented differences, both "NSO knows more than a file":
    - a section the XML does not mention at all is None standalone ("no data
      given"); in NSO the section exists and is empty;
    - XPath queries see YANG default values (RFC 7950 6.4.1), so leaves read in
      bulk that the XML leaves out come back with their default: users'
      local_ipc_access (false), the global NACM defaults (RFC 8341 + tailf-acm),
      NACM rules' module-name / access-operations / context and cmdrules'
      context / command / access-operations ("*").
    """
    users = tuple(dataclasses.replace(u, local_ipc_access=_d(u.local_ipc_access, False))
                  for u in f.users or ())
    nacm = f.nacm if f.nacm is not None else NacmFacts()
    nacm = dataclasses.replace(nacm, enable_nacm=_d(nacm.enable_nacm, True),
                               read_default=_d(nacm.read_default, "permit"),
                               write_default=_d(nacm.write_default, "deny"),
                               exec_default=_d(nacm.exec_default, "permit"),
                               cmd_read_default=_d(nacm.cmd_read_default, "permit"),
                               cmd_exec_default=_d(nacm.cmd_exec_default, "permit"))
    nacm = dataclasses.replace(nacm, rule_lists=tuple(dataclasses.replace(
        rl,
        rules=tuple(dataclasses.replace(r, module_name=_d(r.module_name, "*"),
                                        access_operations=_d(r.access_operations, "*"),
                                        context=_d(r.context, "*")) for r in rl.rules),
        cmdrules=tuple(dataclasses.replace(c, context=_d(c.context, "*"), command=_d(c.command, "*"),
                                           access_operations=_d(c.access_operations, "*"))
                       for c in rl.cmdrules)) for rl in nacm.rule_lists))
    return dataclasses.replace(
        f, sources=("NSO CDB (MAAPI)",), users=users, nacm=nacm,
        devices=f.devices if f.devices is not None else (),
        authgroups=f.authgroups if f.authgroups is not None else (),
        ha_token_set=bool(f.ha_token_set),
        # Read with a QUERY_STRING query (an enumeration's label needs the schema),
        # which sees the YANG default, like the NACM leaves above.
        global_host_key_verification=_d(f.global_host_key_verification, "reject-unknown"))


def verdicts(cdb: CdbFacts, conf_xml: bytes) -> dict:
    version = parse_version("6.4", "test")
    conf = parse_ncs_conf(conf_xml, "ncs.conf", "6.4", {})
    facts = Facts(version=version, now="2026-11-26T12:00:00+00:00", ncs_conf=conf, cdb=cdb)
    return {r.rule_id: (r.status, r.message) for r in run(facts, CDB_RULES).results}


CONF_VARIANTS = (
    b'<ncs-config xmlns="http://tail-f.com/yang/tailf-ncs-config"/>',
    b'<ncs-config xmlns="http://tail-f.com/yang/tailf-ncs-config"><aaa><local-authentication>'
    b'<enabled>false</enabled></local-authentication></aaa><ha><enabled>true</enabled></ha></ncs-config>',
)


def check_equivalent(xml_files: Sequence[Path], sources: List[bytes]) -> None:
    standalone = read_cdb_files([str(p) for p in xml_files]) if xml_files else _read_inline(sources)
    d = new_nso()
    with nd.install(d):
        for p in xml_files:
            d.seed_xml(p)
        for s in sources:
            d.seed_xml(s)
        nso = nso_cdb_facts(d)
    assert nso == as_in_cdb(standalone)
    for conf in CONF_VARIANTS:
        assert verdicts(nso, conf) == verdicts(as_in_cdb(standalone), conf)


def _read_inline(sources: List[bytes]) -> CdbFacts:
    """Inline init data read the way the standalone command reads files (one merge path)."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, data in enumerate(sources):
            paths.append(os.path.join(tmp, f"inline-{i}.xml"))
            with open(paths[-1], "wb") as f:
                f.write(data)
        return read_cdb_files(paths)


def test_equivalence_on_a_development_cdb() -> None:
    check_equivalent([], [DEV_CDB_XML.encode()])
    # and the facts are not trivially empty
    f = parse_cdb_xml(DEV_CDB_XML.encode(), "dev.xml")
    assert f.users and f.devices and f.authgroups and f.nacm and f.nacm.rule_lists
    assert any(m.default_credentials for g in f.authgroups for m in g.maps)


@pytest.mark.parametrize("name", EXAMPLE_SETS)
def test_equivalence_on_the_examples(name: str) -> None:
    files = sorted((EXAMPLES / name / "run" / "cdb").glob("*.xml"))
    if not files:
        pytest.skip(f"examples/{name}/run/cdb/*.xml not written yet")
    check_equivalent(files, [])


def test_verdicts_differ_when_facts_differ() -> None:
    """Guard for the equivalence test: the verdict comparison can fail."""
    f = parse_cdb_xml(DEV_CDB_XML.encode(), "dev.xml")
    fixed = dataclasses.replace(f, devices=tuple(dataclasses.replace(x, host_key_verification=None)
                                                 for x in f.devices or ()))
    assert verdicts(f, CONF_VARIANTS[0]) != verdicts(fixed, CONF_VARIANTS[0])


def test_encrypted_authgroup_password_is_compared_inside_nso() -> None:
    """What NSO can do and the standalone reader cannot: decrypt and compare."""
    xml = DEV_CDB_XML.replace("<remote-password>$0$admin</remote-password>",
                              "<remote-password>$9$enc-admin</remote-password>")
    d = new_nso()
    with nd.install(d):
        d.seed_xml(xml)
        d.secrets["$9$enc-admin"] = "admin"
        nso = nso_cdb_facts(d)
    standalone = parse_cdb_xml(xml.encode(), "x.xml")
    admin_nso = next(m for g in nso.authgroups for m in g.maps if m.local_user == "admin")
    admin_xml = next(m for g in standalone.authgroups for m in g.maps if m.local_user == "admin")
    assert admin_nso.default_credentials and not admin_xml.default_credentials


def trips_for(users: int, devices: int):
    d = new_nso()
    with nd.install(d):
        d.seed_xml(DEV_CDB_XML)
        d.seed_xml(scaled_xml(users, devices))
        d.reset_counters()
        f = nso_cdb_facts(d)
        return f, d.round_trips, dict(d.calls)


def test_round_trips_are_bounded_for_10k_users_and_devices() -> None:
    f, trips, calls = trips_for(10_000, 10_000)
    assert len(f.users or ()) == 10_002 and len(f.devices or ()) == 10_002
    assert sum(1 for x in f.devices if x.host_key_verification == "none") == 1 + len(range(0, 10_000, 97))
    assert trips < 50, calls


def test_round_trips_grow_only_by_query_chunks() -> None:
    CHUNK = 5000
    _, small, small_calls = trips_for(10, 10)
    _, big, big_calls = trips_for(12_000, 12_000)
    assert big - small == big_calls["query_result"] - small_calls["query_result"]
    assert 0 < big_calls["query_result"] - small_calls["query_result"] <= 2 * (12_000 // CHUNK + 1)


def test_round_trips_on_a_synthetic_100x_deployment() -> None:
    """bench/synthetic.py at 100x: 10,000 users, 5,000 NACM rules in 100 rule-lists,
    20,000 devices. Users and devices stay chunked; each NACM rule-list costs a
    constant 5 round trips (two queries and its group leaf-list)."""
    import sys
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    from synthetic import cdb_xml
    d = new_nso()
    with nd.install(d):
        d.seed_xml(cdb_xml(100))
        d.reset_counters()
        f = nso_cdb_facts(d)
        trips = d.round_trips
    assert len(f.users) == 10_000 and len(f.devices) == 20_000 and len(f.nacm.rule_lists) == 100
    assert trips < 50 + 5 * len(f.nacm.rule_lists), dict(d.calls)


@pytest.mark.parametrize("name", EXAMPLE_SETS)
def test_audit_action_matches_the_standalone_audit(name: str, tmp_path, monkeypatch, yanglint_check) -> None:
    """The whole audit: the action's stored verdicts equal the standalone engine's on
    the same deployment (files + the CDB the init files load)."""
    from nso_fixtures import make_deployment
    from secure_deploy.facts.collect import Sources, collect
    base = EXAMPLES / name
    files = sorted((base / "run" / "cdb").glob("*.xml"))
    if not files or not (base / "etc" / "ncs.conf").is_file():
        pytest.skip(f"examples/{name} not written yet")
    src = Sources(config_dir=str(base / "etc"), run_dir=str(base / "run"), inspect_host=True, environ={})
    facts = collect(src, parse_version("6.4", "setting"), "2026-11-26T12:00:00+00:00", strict=False)
    facts = dataclasses.replace(facts, cdb=as_in_cdb(facts.cdb))
    expected = {r.rule_id: r.status.value for r in run(facts, registry.all_rules()).results}
    for dep in make_deployment(tmp_path, monkeypatch, cdb_xml=None):
        for f in files:
            dep.d.seed_xml(f)
        dep.settings(ncs_conf=str(base / "etc" / "ncs.conf"), config_dir=str(base / "etc"),
                     run_dir=str(base / "run"), nso_version="6.4")
        dep.audit()
        got = {k[0]: str(dep.result(k[0])) for k in dep.d.keys("/secure-deploy/last-run/result")}
        yanglint_check(dep.d.dump_xml(config=False))
    assert got == expected
    assert len(set(got.values())) >= 2, got     # not a degenerate all-error / all-n/a run


def test_a_module_this_nso_lacks_degrades_only_its_sections() -> None:
    # No tailf-ncs (devices, authgroups, /ssh, HA): its queries fail with ERR_XPATH,
    # its keypaths with ERR_BADPATH; only those sections read as absent, users and
    # NACM are still read (before: ERR_XPATH aborted every CDB fact).
    d = nd.new_double(aaa=True)
    with nd.install(d):
        d.seed_xml(_aaa_only(DEV_CDB_XML))
        f = nso_cdb_facts(d)
    assert f.users and f.nacm is not None
    assert (f.devices, f.authgroups, f.global_host_key_verification, f.ha_token_set) == (None, None, None, None)
    assert f.profiles == () and f.global_ssh_algorithms == ()


def _aaa_only(xml: str) -> str:
    from lxml import etree
    root = etree.fromstring(xml.encode())
    for child in list(root):
        if etree.QName(child).localname not in ("aaa", "nacm"):
            root.remove(child)
    return etree.tostring(root).decode()
