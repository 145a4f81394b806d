"""The NSO API test double: schema-checked CDB, maagic semantics, round trips, queries
and XML seeding (actions, VM restarts and yanglint: test_ncs_double_actions.py)."""
from __future__ import annotations

import importlib
import importlib.util
import sys

import pytest

import ncs_double as nd

SD = "/sd:secure-deploy"


@pytest.fixture
def dt(double_test):
    return double_test


def oper_trans(user: str = "admin"):
    import ncs
    return ncs.maapi.single_write_trans(user, "system", db=ncs.OPERATIONAL)


def running_trans():
    import ncs
    return ncs.maapi.single_write_trans("admin", "system", db=ncs.RUNNING)


# ---- installation -------------------------------------------------------------------

def test_ncs_is_not_importable_without_the_fixture() -> None:
    if "ncs" not in sys.modules and importlib.util.find_spec("ncs") is not None:
        pytest.skip("a real NSO Python API is on sys.path")
    with pytest.raises(ImportError):
        importlib.import_module("ncs")
    with pytest.raises(ImportError):
        importlib.import_module("_ncs")


def test_fixture_provides_the_api_modules(ncs_double) -> None:
    import _ncs
    import ncs
    from ncs.application import Application
    from ncs.dp import Action
    assert (ncs.RUNNING, ncs.OPERATIONAL, ncs.CONFD_OK, ncs.CONFD_ERR) == (2, 4, 0, -1)
    assert callable(_ncs.dp.action_seterr) and callable(_ncs.dp.action_set_timeout)
    assert issubclass(_ncs.error.Error, Exception)
    assert Application and Action and ncs.maagic.get_root and ncs.log.Log


# ---- schema checks ---------------------------------------------------------------------

def test_undefined_paths_are_rejected(ncs_double) -> None:
    import _ncs
    import ncs
    with running_trans() as t:
        with pytest.raises(_ncs.error.Error) as err:
            t.set_elem("x", "/secure-deploy/settings/no-such-leaf")
        assert err.value.confd_errno == 8
        with pytest.raises(_ncs.error.Error):
            t.get_elem("/no-such-top")
        with pytest.raises(_ncs.error.Error):
            t.create("/secure-deploy/waiver")          # list without keys
        with pytest.raises(AttributeError):
            ncs.maagic.get_root(t).secure_deploy.settings.no_such_leaf = 1
        with pytest.raises(AttributeError):
            ncs.maagic.get_root(t).secure_deploy.nothing


@pytest.mark.parametrize("leaf, value", [
    ("history-size", "70000"),      # uint16 range 0..1000
    ("history-size", "-1"),
    ("history-size", "twenty"),
    ("max-key-age-days", "0"),      # range 1..max
    ("nso-version", "5.3"),         # pattern 6.[4-7]
    ("nso-version", "6.4.x"),
])
def test_bad_values_are_rejected(ncs_double, leaf: str, value: str) -> None:
    import _ncs
    with running_trans() as t:
        with pytest.raises(_ncs.error.Error) as err:
            t.set_elem(value, f"/secure-deploy/settings/{leaf}")
        assert err.value.confd_errno == 5


def test_good_values_are_accepted_and_canonical(ncs_double) -> None:
    import ncs
    with running_trans() as t:
        s = ncs.maagic.get_root(t).secure_deploy.settings
        s.history_size = 50
        s.nso_version = "6.4.1"
        s.disabled_rule = ["SD-A-001", "SD-B-002"]
        assert s.history_size == 50 and isinstance(s.history_size, int)
        assert str(t.get_elem("/secure-deploy/settings/history-size")) == "50"
        assert s.max_key_age_days == 365                     # YANG default
        t.apply()
    assert ncs_double.get("/secure-deploy/settings/disabled-rule") == ["SD-A-001", "SD-B-002"]


def test_enums_and_decimal64(ncs_double) -> None:
    import _ncs
    import ncs
    with oper_trans() as t:
        lr = ncs.maagic.get_root(t).secure_deploy.last_run
        r = lr.result.create("SD-X-001")
        r.status = "fail"
        assert r.status.string == "fail" and r.status == "fail" and r.status == r.status.value
        # No documented string form (pyapi/ncs.maagic.md Enum): str() is not the label
        # here, and a raw get_elem Value prints the number (the label needs val2str).
        assert str(r.status) != "fail" and str(t.get_elem(f"{r._path}/status")) == str(r.status.value)
        assert r.status > r.status.value - 1 and r.status == _ncs.Value(r.status.value)
        with pytest.raises(_ncs.error.Error):
            r.status = "failed"                               # not an enum value
        with pytest.raises(_ncs.error.Error):
            r.severity = "urgent"
        lr.score = 87.5
        assert lr.score == 87.5
        with pytest.raises(_ncs.error.Error):
            lr.score = 87.25                                  # fraction-digits 1
        with pytest.raises(_ncs.error.Error):
            lr.score = 100.5                                  # range 0.0..100.0


def test_raw_set_elem_stringifies_like_nso(ncs_double) -> None:
    """t.set_elem(True, ...) sends 'True', which a boolean rejects; maagic converts."""
    import _ncs
    import ncs
    with oper_trans() as t:
        root = ncs.maagic.get_root(t)
        with pytest.raises(_ncs.error.Error):
            t.set_elem(True, "/secure-deploy/key-rotation/state")   # enum: 'True' is no value
        root.secure_deploy.key_rotation.state = "idle"


def test_config_false_write_in_running_fails(ncs_double) -> None:
    import _ncs
    import ncs
    with running_trans() as t:
        with pytest.raises(_ncs.error.Error) as err:
            t.set_elem("r1", "/secure-deploy/last-run/run-id")
        assert err.value.confd_errno == 4
        with pytest.raises(_ncs.error.Error):
            ncs.maagic.get_root(t).secure_deploy.catalog.rule.create("SD-X-001")


def test_config_write_in_operational_fails(ncs_double) -> None:
    import _ncs
    with oper_trans() as t:
        with pytest.raises(_ncs.error.Error):
            t.set_elem("20", "/secure-deploy/settings/history-size")
        with pytest.raises(_ncs.error.Error):
            t.create("/secure-deploy/waiver{w1}")


def test_oper_under_config_list_needs_the_entry(dt) -> None:
    import _ncs
    with oper_trans() as t:
        with pytest.raises(_ncs.error.Error) as err:
            t.set_elem("up", '/dt:things/pair{x 1}/state')
        assert err.value.confd_errno == 1
    with running_trans() as t:
        t.create("/things/pair{x 1}")
        t.apply()
    with oper_trans() as t:
        t.set_elem("up", "/things/pair{x 1}/state")
        t.apply()
    assert dt.get("/things/pair{x 1}/state") == "up"


def test_read_only_transactions_refuse_writes(ncs_double) -> None:
    import _ncs
    import ncs
    with ncs.maapi.single_read_trans("admin", "system") as t:
        with pytest.raises(_ncs.error.Error):
            t.set_elem("20", "/secure-deploy/settings/history-size")


def test_writes_reach_cdb_only_on_apply_and_are_validated(ncs_double) -> None:
    import _ncs
    import ncs
    with running_trans() as t:
        w = ncs.maagic.get_root(t).secure_deploy.waiver.create("w1")
        w.rule_id = "SD-X-001"
        assert not ncs_double.exists("/secure-deploy/waiver{w1}")
        with pytest.raises(_ncs.error.Error, match="mandatory"):
            t.apply()                                          # justification, expires missing
        w.justification = "lab only"
        w.expires = "2027-01-31"
        t.apply()
    assert ncs_double.get("/secure-deploy/waiver{w1}/justification") == "lab only"
    with running_trans() as t:
        ncs.maagic.get_root(t).secure_deploy.waiver["w1"].approved_by = "nobody"
        # finished without apply: discarded
    assert ncs_double.get("/secure-deploy/waiver{w1}/approved-by") is None


def test_date_or_time_union(ncs_double) -> None:
    import _ncs
    with running_trans() as t:
        t.create("/secure-deploy/waiver{w}")
        t.set_elem("2027-01-31T12:00:00+00:00", "/secure-deploy/waiver{w}/expires")
        t.set_elem("2027-01-31", "/secure-deploy/waiver{w}/created")
        with pytest.raises(_ncs.error.Error):
            t.set_elem("next tuesday", "/secure-deploy/waiver{w}/expires")


# ---- maagic ------------------------------------------------------------------------------

def test_maagic_list_semantics(ncs_double) -> None:
    import ncs
    with oper_trans() as t:
        rules = ncs.maagic.get_root(t).secure_deploy.catalog.rule
        assert len(rules) == 0 and "SD-A-001" not in rules
        for rid in ("SD-B-001", "SD-A-001", "SD-C-001"):
            rules.create(rid).title = f"title {rid}"
        assert len(rules) == 3 and "SD-A-001" in rules
        assert [r.id for r in rules] == ["SD-B-001", "SD-A-001", "SD-C-001"]   # insertion order
        assert rules["SD-A-001"].title == "title SD-A-001"
        assert rules.keys() == [("SD-B-001",), ("SD-A-001",), ("SD-C-001",)]
        with pytest.raises(KeyError):
            rules["SD-Z-001"]
        again = rules.create("SD-A-001")                                    # idempotent
        assert again.title == "title SD-A-001"
        del rules["SD-B-001"]
        assert "SD-B-001" not in rules and len(rules) == 2
        rules.delete()
        assert len(rules) == 0


def test_maagic_leaf_lists(ncs_double) -> None:
    import ncs
    with oper_trans() as t:
        r = ncs.maagic.get_root(t).secure_deploy.catalog.rule.create("SD-A-001")
        r.tags.create("crypto")
        r.tags.create("keys")
        r.tags.create("crypto")                        # a set: no duplicate
        assert r.tags.as_list() == ["crypto", "keys"] and "keys" in r.tags and len(r.tags) == 2
        r.tags.remove("crypto")
        assert list(r.tags) == ["keys"]
        r.paths = ["/ncs-config/a", "/ncs-config/b"]
        assert r.paths.as_list() == ["/ncs-config/a", "/ncs-config/b"]
        r.tags.delete()
        assert r.tags.as_list() == []


def test_maagic_leaf_delete_and_none(ncs_double) -> None:
    import ncs
    with oper_trans() as t:
        lr = ncs.maagic.get_root(t).secure_deploy.last_run
        assert lr.run_id is None
        lr.run_id = "r1"
        del lr.run_id
        assert lr.run_id is None
        lr.user = "admin"
        lr.user = None
        assert lr.user is None


def test_maagic_presence_two_keys_empty_union(dt) -> None:
    import _ncs
    import ncs
    with running_trans() as t:
        things = ncs.maagic.get_root(t).things
        assert not things.feature.exists()
        things.feature.create()
        things.feature.level = 3
        with pytest.raises(_ncs.error.Error):
            things.feature.level = 9
        p = things.pair.create("a b", 7)                    # key with a space is quoted
        assert ("a b", 7) in things.pair and ("a b", 8) not in things.pair
        assert p._path == '/dt:things/pair{"a b" 7}'
        assert p.flag is False
        p.flag = True
        assert p.flag is True
        p.either = 5
        p.either = "unlimited"
        with pytest.raises(_ncs.error.Error):
            p.either = "lots"
        t.apply()
    assert dt.exists('/things/pair{"a b" 7}/flag') and dt.get("/things/feature/level") == 3
    with running_trans() as t:
        ncs.maagic.get_root(t).things.feature.delete()
        t.apply()
    assert not dt.exists("/things/feature")


def test_get_node_and_paths(ncs_double) -> None:
    import ncs
    with oper_trans() as t:
        ncs.maagic.get_root(t).secure_deploy.catalog.rule.create("SD-A-001").title = "x"
        node = ncs.maagic.get_node(t, "/sd:secure-deploy/catalog/rule{SD-A-001}")
        assert node.title == "x" and node._path == "/sd:secure-deploy/catalog/rule{SD-A-001}"
        assert ncs.maagic.get_trans(node) is t


# ---- round trips and queries ------------------------------------------------------------------

def test_round_trips_are_counted(ncs_double) -> None:
    import ncs
    with oper_trans() as t:
        ncs_double.reset_counters()
        t.set_elem("r1", "/secure-deploy/last-run/run-id")
        t.get_elem("/secure-deploy/last-run/run-id")
        t.exists("/secure-deploy/last-run/run-id")
        t.create("/secure-deploy/catalog/rule{SD-A-001}")
        t.delete("/secure-deploy/catalog/rule{SD-A-001}")
        assert ncs_double.round_trips == 5
        assert ncs_double.calls == {"set_elem": 1, "get_elem": 1, "exists": 1, "create": 1, "delete": 1}
        ncs_double.reset_counters()
        ncs.maagic.get_root(t).secure_deploy.last_run.user = "admin"   # one set_elem
        assert ncs_double.round_trips == 1


def test_query_reads_in_chunks(ncs_double) -> None:
    import ncs
    with oper_trans() as t:
        rules = ncs.maagic.get_root(t).secure_deploy.catalog.rule
        for i in range(25):
            r = rules.create(f"SD-Q-{i:03d}")
            r.severity = "high" if i % 2 else "low"
        t.apply()
    import _ncs
    import ncs.experimental
    with ncs.maapi.single_read_trans("admin", "system", db=ncs.OPERATIONAL) as t:
        ncs_double.reset_counters()
        # NSO's calls: query_start on the transaction (it takes the handle), the rest
        # on the MAAPI socket (pyapi/_ncs.maapi.md): Maapi forwards them.
        qh = t.query_start("/secure-deploy/catalog/rule[severity='high']", "/", 5, 1,
                           ncs.QUERY_STRING, ["id", "severity", "title"], [])
        rows = []
        while True:
            res = t.maapi.query_result(qh)
            if res.nresults == 0:
                break
            rows.extend(res)
        t.maapi.query_stop(qh)
        assert len(rows) == 12 and rows[0] == ["SD-Q-001", "high", None]
        assert ncs_double.calls["query_result"] == 4          # 3 chunks + the empty one
        with ncs.experimental.Query(t, "/secure-deploy/catalog/rule", "/", ["id"], chunk_size=100,
                                    result_as=ncs.QUERY_STRING) as q:
            assert len(list(q)) == 25
        with pytest.raises(NotImplementedError):   # XPath beyond the double's subset
            t.query_start("count(/secure-deploy/catalog/rule)", "/", 0, 1, ncs.QUERY_STRING, ["."], [])
        with pytest.raises(_ncs.error.Error) as e:  # a node the schema lacks: ERR_XPATH
            t.query_start("/secure-deploy/no-such-node", "/", 0, 1, ncs.QUERY_STRING, ["."], [])
        assert e.value.confd_errno == _ncs.ERR_XPATH == 50


def test_transaction_forwards_only_calls_that_take_its_handle(ncs_double) -> None:
    # Regression (issue 9): NSO's Transaction has no query_result/query_stop; they
    # take (sock, qh). The double offered them and hid a bug that failed every audit.
    import ncs
    with ncs.maapi.single_read_trans("admin", "system", db=ncs.OPERATIONAL) as t:
        for name in ("query_result", "query_stop", "install_crypto_keys", "reload_config"):
            assert not hasattr(t, name), name
        assert callable(t.query_start) and callable(t.maapi.query_result)
        assert callable(t.maapi.install_crypto_keys) and callable(t.maapi.reload_config)


def test_experimental_needs_an_explicit_import(ncs_double) -> None:
    import ncs
    assert not hasattr(ncs, "experimental")
    import ncs.experimental
    assert ncs.experimental.Query


# ---- seeding from XML, AAA/NACM ------------------------------------------------------------------

MD5 = "$1$abcdefgh$" + "A" * 22          # shapes iana-crypt-hash accepts
SHA512 = "$6$salt$" + "b" * 86
AAA_XML = ("""<config xmlns="http://tail-f.com/ns/config/1.0">
  <aaa xmlns="http://tail-f.com/ns/aaa/1.1">
    <authentication><users>
      <user><name>admin</name><uid>9000</uid><gid>100</gid><password>{MD5}</password>
        <ssh_keydir>/var/ncs/homes/admin/.ssh</ssh_keydir><homedir>/var/ncs/homes/admin</homedir></user>
      <user><name>oper</name><uid>9000</uid><gid>100</gid><password>{SHA512}</password>
        <ssh_keydir>/var/ncs/homes/oper/.ssh</ssh_keydir><homedir>/var/ncs/homes/oper</homedir></user>
    </users></authentication>
  </aaa>
  <nacm xmlns="urn:ietf:params:xml:ns:yang:ietf-netconf-acm">
    <write-default>permit</write-default>
    <groups><group><name>admin</name><user-name>admin</user-name></group></groups>
    <cmd-read-default xmlns="http://tail-f.com/yang/acm">permit</cmd-read-default>
  </nacm>
</config>""").replace("{MD5}", MD5).replace("{SHA512}", SHA512).encode()


def test_seed_aaa_and_nacm_and_query_users(ncs_double_aaa) -> None:
    import ncs
    ncs_double_aaa.seed_xml(AAA_XML)
    with ncs.maapi.single_read_trans("admin", "system") as t:
        root = ncs.maagic.get_root(t)
        users = root.aaa.authentication.users.user
        assert [u.name for u in users] == ["admin", "oper"]
        assert root.nacm.write_default == "permit"
        assert root.nacm.read_default == "permit"            # RFC 8341 default
        assert root.nacm["tailf-acm:cmd-read-default"] == "permit"
        import ncs.experimental
        with ncs.experimental.Query(t, "/aaa/authentication/users/user", "/", ["name", "password"],
                                    result_as=ncs.QUERY_STRING) as q:
            assert [r[0] for r in q] == ["admin", "oper"]


def test_seed_checks_types_of_aaa_data(ncs_double_aaa) -> None:
    with pytest.raises(nd.SchemaError, match="password"):
        ncs_double_aaa.seed_xml(AAA_XML.replace(MD5.encode(), b"$1$short$xyz"))


def test_seed_rejects_undefined_and_config_false(ncs_double) -> None:
    with pytest.raises(nd.SchemaError):
        ncs_double.seed_xml(b'<secure-deploy xmlns="urn:secure-deploy:yang:secure-deploy">'
                            b'<settings><bogus>1</bogus></settings></secure-deploy>')
    with pytest.raises(nd.SchemaError):
        ncs_double.seed_xml(b'<secure-deploy xmlns="urn:secure-deploy:yang:secure-deploy">'
                            b'<last-run><run-id>r</run-id></last-run></secure-deploy>')
    ncs_double.seed_xml(b'<secure-deploy xmlns="urn:secure-deploy:yang:secure-deploy">'
                        b'<last-run><run-id>r</run-id></last-run></secure-deploy>', db=4)
    assert ncs_double.get("/secure-deploy/last-run/run-id") == "r"


def test_transactions_and_actions_need_a_user_session(ncs_double) -> None:
    # NSO refuses both on a MAAPI socket without a user session (ERR_NOSESSION); a
    # transaction may instead join an existing session with usid= (pyapi/ncs.maapi.md).
    import _ncs
    import ncs
    with ncs.maapi.Maapi() as m:
        with pytest.raises(_ncs.error.Error) as e:
            m.start_read_trans()
        assert e.value.confd_errno == _ncs.ERR_NOSESSION
        with pytest.raises(_ncs.error.Error) as e:
            ncs.maagic.get_root(m).key_rotation.get_active_generation()
        assert e.value.confd_errno == _ncs.ERR_NOSESSION
        s = ncs_double.new_session("carol", "webui", ["ops"])
        with m.start_read_trans(usid=s.usid):
            pass
    assert ncs_double.trans_sessions[-1] == ("carol", "webui", ("ops",))
