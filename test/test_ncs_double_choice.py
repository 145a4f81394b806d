"""The NSO double's YANG choice semantics, thread-safe type checks and XPath
existence of empty leaf-lists (see ncs_double/choice.py)."""
from __future__ import annotations

import sys
import threading

import pytest

import ncs_double as nd
from ncs_double.pytest_plugin import TEST_YANG

DT_NS = "urn:ncs-double:test"
R = "/things/route{r1}"


@pytest.fixture
def dt(double_test):
    return double_test


def running():
    import ncs
    return ncs.maapi.single_write_trans("admin", "system", db=ncs.RUNNING)


def route_xml(inner: str, name: str = "r1") -> str:
    return f'<things xmlns="{DT_NS}"><route><name>{name}</name>{inner}</route></things>'


# ---- mandatory nodes and choices -------------------------------------------------------

def test_mandatory_leaf_in_an_inactive_case_is_not_required(dt) -> None:
    # protocol (mandatory) is in case dynamic; with case static chosen or none, it is not asked for
    dt.seed_xml(route_xml("<gateway>192.0.2.1</gateway>"))
    dt.seed_xml(route_xml("<gateway>192.0.2.1</gateway><metric>5</metric>", "r2"))
    assert dt.get(R + "/gateway") == "192.0.2.1" and dt.get("/things/route{r2}/metric") == 5


def test_mandatory_leaf_in_the_active_case_is_required(dt) -> None:
    import _ncs
    with pytest.raises(nd.SchemaError, match=r"route\{r1\}/protocol is mandatory"):
        dt.seed_xml(route_xml("<gateway>g</gateway><preference>3</preference>"))
    with running() as t:
        t.create(R)
        t.set_elem("g", R + "/gateway")
        t.set_elem("5", R + "/preference")            # activates case dynamic
        with pytest.raises(_ncs.error.Error, match="protocol is mandatory"):
            t.apply()
    assert not dt.exists(R)


def test_mandatory_leaf_in_a_container_of_the_active_case(dt) -> None:
    with pytest.raises(nd.SchemaError, match=r"timers/hold is mandatory"):
        dt.seed_xml(route_xml("<gateway>g</gateway><protocol>ospf</protocol>"))
    dt.seed_xml(route_xml("<gateway>g</gateway><protocol>ospf</protocol><timers><hold>9</hold></timers>"))
    assert dt.get(R + "/timers/hold") == 9


def test_mandatory_choice_needs_one_case(dt) -> None:
    import _ncs
    with pytest.raises(nd.SchemaError, match="choice target is mandatory"):
        dt.seed_xml(route_xml("<metric>2</metric>"))
    with running() as t:
        t.create(R)
        with pytest.raises(_ncs.error.Error, match="choice target is mandatory"):
            t.apply()
        t.set_elem("eth0", R + "/interface")
        t.apply()
    assert dt.get(R + "/interface") == "eth0"


def test_nacm_rule_without_a_path_is_valid(ncs_double_aaa) -> None:
    """NSO's own any-access rule chooses no case of rule-type: `path` is not required."""
    nacm = "urn:ietf:params:xml:ns:yang:ietf-netconf-acm"
    ncs_double_aaa.seed_xml(f'<nacm xmlns="{nacm}"><rule-list><name>admin</name><group>admin</group>'
                            "<rule><name>any-access</name><action>permit</action></rule>"
                            "</rule-list></nacm>")
    assert ncs_double_aaa.exists("/nacm/rule-list{admin}/rule{any-access}")
    with running() as t:                                  # and through a MAAPI commit
        t.create("/nacm/rule-list{admin}/rule{read-all}")
        t.set_elem("read", "/nacm/rule-list{admin}/rule{read-all}/access-operations")
        t.set_elem("permit", "/nacm/rule-list{admin}/rule{read-all}/action")
        t.apply()


def test_nacm_rule_type_cases_replace_each_other(ncs_double_aaa) -> None:
    d = ncs_double_aaa
    d.seed_xml('<nacm xmlns="urn:ietf:params:xml:ns:yang:ietf-netconf-acm"><rule-list><name>admin</name>'
               "<group>admin</group></rule-list></nacm>")
    rule = "/nacm/rule-list{admin}/rule{r}"
    with running() as t:
        t.create(rule)
        t.set_elem("permit", rule + "/action")
        t.set_elem("commit", rule + "/rpc-name")          # case protocol-operation: fine
        t.apply()
    assert d.get(rule + "/rpc-name") == "commit"
    with running() as t:
        t.set_elem("/devices", rule + "/path")            # case data-node replaces it
        t.apply()
    assert d.get(rule + "/path") == "/devices" and d.get(rule + "/rpc-name") is None
    with running() as t:
        t.delete(rule + "/path")
        t.apply()                                         # no case left: valid again
    assert not d.exists(rule + "/path")


# ---- one case at a time ----------------------------------------------------------------

def test_setting_a_node_of_another_case_removes_the_old_case(dt) -> None:
    dt.seed_xml(route_xml("<gateway>g</gateway>"))
    with running() as t:
        t.set_elem("eth0", R + "/interface")
        assert not t.exists(R + "/gateway")               # the transaction sees it at once
        t.apply()
    assert dt.get(R + "/interface") == "eth0" and dt.get(R + "/gateway") is None


def test_switching_case_removes_all_nodes_of_the_old_case_and_nested_choices(dt) -> None:
    import ncs
    dt.seed_xml(route_xml("<gateway>g</gateway><protocol>ospf</protocol><preference>3</preference>"
                          "<timers><hold>9</hold></timers><region>eu</region><zone-a>z</zone-a>"))
    with running() as t:
        route = ncs.maagic.get_root(t).things.route["r1"]
        route.metric = 7                                  # case static
        route.zone_b = "y"                                # inner case b: region (outer) stays
        t.apply()
    assert dt.get(R + "/metric") == 7
    assert [dt.get(R + "/" + n) for n in ("protocol", "preference", "timers/hold")] == [None, None, None]
    assert dt.get(R + "/zone-b") == "y" and dt.get(R + "/zone-a") is None and dt.get(R + "/region") == "eu"
    with running() as t:
        ncs.maagic.get_root(t).things.route["r1"].tag = ["x"]   # case everywhere: outer case goes
        t.apply()
    assert dt.get(R + "/tag") == ["x"] and dt.get(R + "/region") is None and dt.get(R + "/zone-b") is None


def test_a_failed_write_does_not_switch_the_case(dt) -> None:
    import _ncs
    dt.seed_xml(route_xml("<gateway>g</gateway><protocol>ospf</protocol><timers><hold>9</hold></timers>"))
    with running() as t:
        with pytest.raises(_ncs.error.Error):
            t.set_elem("not-a-number", R + "/metric")     # case static, but a bad value
        assert t.exists(R + "/protocol")
        t.set_elem("bgp", R + "/protocol")
        t.apply()
    assert dt.get(R + "/protocol") == "bgp" and dt.get(R + "/timers/hold") == 9


def test_xml_merge_replaces_the_case_and_rejects_two_cases_at_once(dt) -> None:
    dt.seed_xml(route_xml("<gateway>g</gateway>"))
    dt.seed_xml(route_xml("<interface>eth1</interface>"))
    assert dt.get(R + "/interface") == "eth1" and dt.get(R + "/gateway") is None
    with pytest.raises(nd.SchemaError, match="cases 'gateway' and 'interface' of choice 'target'"):
        dt.seed_xml(route_xml("<gateway>g</gateway><interface>eth1</interface>", "r9"))
    assert not dt.exists("/things/route{r9}")


def test_defaults_of_a_case_apply_only_when_it_is_in_force(dt) -> None:
    dt.seed_xml(route_xml("<gateway>g</gateway>"))
    # no case of `kind` given: the default case (static) supplies its defaults
    assert dt.get(R + "/metric") == 1 and dt.get(R + "/preference") is None
    dt.seed_xml(route_xml("<protocol>bgp</protocol><timers><hold>3</hold></timers>"))
    assert dt.get(R + "/metric") is None and dt.get(R + "/preference") == 10


def test_yanglint_agrees_with_the_choice_handling(dt, yanglint_check) -> None:
    dt.seed_xml(route_xml("<gateway>g</gateway><protocol>ospf</protocol><timers><hold>9</hold></timers>"))
    dt.seed_xml(route_xml("<interface>i</interface><metric>3</metric>"))
    yanglint_check(dt.dump_xml("double-test", config=True), extra_yang=[TEST_YANG])


# ---- XPath: an empty leaf-list does not exist --------------------------------------------

def test_query_treats_an_empty_leaf_list_as_absent(dt) -> None:
    import ncs
    import ncs.experimental
    with running() as t:
        root = ncs.maagic.get_root(t).things
        for name, tags in (("a", ["x"]), ("b", [])):
            r = root.route.create(name)
            r.gateway = "g"
            r.tag = tags
        root.route.create("c").gateway = "g"
        t.apply()
    assert dt.get("/things/route{b}/tag") == []
    with ncs.maapi.single_read_trans("admin", "system") as t:
        def names(expr: str) -> list:
            with ncs.experimental.Query(t, expr, "/", ["name"], result_as=ncs.QUERY_STRING) as q:
                return [r[0] for r in q]
        assert names("/things/route[tag]") == ["a"]
        assert names("/things/route[not(tag)]") == ["b", "c"]
        with ncs.experimental.Query(t, "/things/route", "/", ["name", "tag"], result_as=ncs.QUERY_STRING) as q:
            assert [r[1] for r in q] == ["x", None, None]


# ---- thread safety -----------------------------------------------------------------------

def test_type_checks_are_thread_safe(ncs_double) -> None:
    """Patterned values checked from many threads at once are judged one by one
    (pyang's pattern check alone shares one lxml element between calls)."""
    from ncs_double.schema import SchemaError
    node = ncs_double.schema.find_schema("/secure-deploy/waiver/rule-id")
    good, bad = "SD-AUTH-001", "-bad id-"
    errors: list = []
    start = threading.Barrier(8)

    def worker(i: int) -> None:
        start.wait()
        for _ in range(2000):
            try:
                value = good if i % 2 else bad
                try:
                    node.type.parse(value, node.path)
                    ok = True
                except SchemaError:
                    ok = False
                if ok != (value == good):
                    errors.append(value)
            except Exception as e:  # noqa: BLE001
                errors.append(repr(e))
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)          # switch threads often: races show up reliably
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    assert not errors, errors[:5]
