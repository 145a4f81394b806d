"""Fleets: per-node reports carry what cross-node rules need, `fleet` merges them, and
`audit --node/--nodes-dir` gives the same verdicts from the nodes' files."""
from __future__ import annotations

import dataclasses
import json
import re
from importlib import resources
from pathlib import Path

import pytest

from fleet_nodes import DRIFT_LEAF, DRIFT_NODE, KEYS_NODE, NODES, OTHER_KEYS, example_keys, make_cluster
from secure_deploy.cli import main
from secure_deploy.model import NodeInfo, Report, Status
from secure_deploy.report import Format, RenderOptions, render
from secure_deploy.report.json_report import load_report, report_from_dict

jsonschema = pytest.importorskip("jsonschema")
V64 = ["--nso-version", "6.4"]


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(resources.files("secure_deploy").joinpath("schemas/report.schema.json").read_text())
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    return make_cluster(tmp_path_factory.mktemp("nodes"))


def node_report(folder: Path, name: str, out: Path, *extra: str) -> Path:
    code = main(["audit", "--config-dir", str(folder / "etc"), "--run-dir", str(folder / "run"), "--no-host",
                 *V64, "--node-name", name, "--format", "json", "--output", str(out), *extra])
    assert code in (0, 1)
    return out


@pytest.fixture(scope="module")
def reports(cluster, tmp_path_factory):
    d = tmp_path_factory.mktemp("reports")
    return {n: node_report(cluster[n], n, d / f"{n}.json") for n in NODES}


@pytest.fixture(scope="module")
def merged(reports, tmp_path_factory):
    out = tmp_path_factory.mktemp("merged") / "fleet.json"
    code = main(["fleet", *map(str, reports.values()), "--format", "json", "--output", str(out)])
    assert code == 1        # SD-FLEET-001 (high) fails: n2 holds other keys
    return json.loads(out.read_text())


def result(doc, rule_id):
    return next(r for r in doc["results"] if r["rule_id"] == rule_id)


def test_per_node_report_carries_name_cluster_fingerprint_and_settings(reports, validator):
    doc = json.loads(reports["n1"].read_text())
    assert not list(validator.iter_errors(doc))
    node = doc["node"]
    assert node["name"] == "n1"
    assert (node["cluster"], node["cluster_source"]) == ("c1", "/ncs-config/ha-raft/cluster-name")
    assert re.fullmatch(r"[0-9a-f]{4}(:[0-9a-f]{4}){3}", node["keys"]["fingerprint"])
    assert node["settings"][DRIFT_LEAF] == "100"
    assert node["settings"]["/ncs-config/crypt-hash/algorithm"] == "sha-512"
    assert not [p for p in node["settings"] if p.startswith("/ncs-config/encrypted-strings")]


def test_fingerprint_reveals_no_key_material(reports):
    """The report leaves its node: no key, no piece of a key, is in it."""
    hexes = [line.split("=", 1)[1] for text in (example_keys(), OTHER_KEYS)
             for line in text.splitlines() if "=" in line and "FORMAT" not in line]
    for name, path in reports.items():
        text = path.read_text().lower()
        for h in hexes:
            for i in range(0, len(h) - 12 + 1, 4):      # no 12-digit run of any key
                assert h[i:i + 12].lower() not in text, name
    fps = {n: json.loads(p.read_text())["node"]["keys"]["fingerprint"] for n, p in reports.items()}
    assert fps["n1"] == fps["n3"] != fps[KEYS_NODE]
    digits = fps["n1"].replace(":", "")
    assert all(digits not in h for h in hexes)     # not a slice of a key either


def test_fleet_merges_nodes_and_names_the_drifted_ones(merged, validator):
    assert not list(validator.iter_errors(merged))
    keys = result(merged, "SD-FLEET-001")
    assert keys["status"] == "fail"
    failing = [f for f in keys["findings"] if f["status"] == "fail"]
    assert [f["object"] for f in failing] == [KEYS_NODE]
    settings = result(merged, "SD-FLEET-002")
    assert settings["status"] == "fail"
    drifts = [f for f in settings["findings"] if f["status"] == "fail"]
    assert [(f["evidence"]["node"], f["evidence"]["leaf"]) for f in drifts] == [(DRIFT_NODE, DRIFT_LEAF)]
    assert DRIFT_NODE in drifts[0]["message"] and DRIFT_LEAF in drifts[0]["message"]
    # Per node: every rule's findings, named after their node.
    hash_rule = result(merged, "SD-HASH-001")
    assert sorted({f["object"].split(":")[0] for f in hash_rule["findings"]}) == list(NODES)
    nodes = {n["name"]: n for n in merged["fleet"]["nodes"]}
    assert list(nodes) == list(NODES)
    assert nodes[KEYS_NODE]["statuses"]["SD-FLEET-001"] == "fail"
    assert nodes["n1"]["statuses"]["SD-FLEET-001"] == "pass"
    assert nodes[DRIFT_NODE]["statuses"]["SD-FLEET-002"] == "fail"
    assert nodes["n1"]["statuses"]["SD-FLEET-002"] == "pass"
    assert "settings" not in nodes["n1"]
    assert merged["target"] == "3 nodes: n1, n2, n3"


def test_single_node_audit_leaves_cross_node_rules_not_applicable(reports):
    doc = json.loads(reports["n1"].read_text())
    r = result(doc, "SD-FLEET-001")
    assert r["status"] == "not-applicable" and "one node audited" in r["message"]


def test_audit_of_several_nodes_gives_the_same_verdicts_as_fleet(cluster, merged, tmp_path):
    """The cross-node rules run on per-node facts: files or reports, same answer."""
    out = tmp_path / "a.json"
    code = main(["audit", "--nodes-dir", str(next(iter(cluster.values())).parent), *V64,
                 "--format", "json", "--output", str(out)])
    assert code == 1
    doc = json.loads(out.read_text())
    assert {r["rule_id"]: r["status"] for r in doc["results"]} == \
        {r["rule_id"]: r["status"] for r in merged["results"]}
    assert [n["statuses"] for n in doc["fleet"]["nodes"]] == [n["statuses"] for n in merged["fleet"]["nodes"]]
    out2 = tmp_path / "b.json"
    args = [a for n in NODES for a in ("--node", f"{n}={cluster[n]}")]
    assert main(["audit", *args, *V64, "--format", "json", "--output", str(out2)]) == 1
    assert json.loads(out2.read_text())["results"] == doc["results"]


def test_every_format_renders_the_merged_report(reports, tmp_path):
    outs = {f: tmp_path / f"fleet.{f.extension}" for f in Format}
    args = [a for f, p in outs.items() for a in ("--format", f.value, "--output", str(p))]
    assert main(["fleet", str(reports["n1"].parent), *args, "--fail-on", "critical"]) == 0
    text = outs[Format.TEXT].read_text()
    assert "== NODES (3) ==" in text and "n2 (cluster c1)" in text
    assert "cluster c1 (3 nodes: n1, n2, n3): SD-FLEET-001 fail, SD-FLEET-002 fail" in " ".join(text.split())
    html = outs[Format.HTML].read_text()
    clusters = re.search(r'<table id="clusters">(.*?)</table>', html, re.S).group(1)
    assert re.search(r'data-cluster="c1">.*?data-rule="SD-FLEET-001" data-status="fail"', clusters, re.S)
    matrix = re.search(r'<table id="node-matrix">(.*?)</table>', html, re.S).group(1)
    assert matrix.count("<tr data-node=") == 3
    assert re.search(r'data-node="n2">.*?data-rule="SD-FLEET-001" data-status="fail"', matrix, re.S)
    assert re.search(r'data-node="n3">.*?data-rule="SD-FLEET-002" data-status="fail"', matrix, re.S)
    sarif = json.loads(outs[Format.SARIF].read_text())
    assert any(r["ruleId"] == "SD-FLEET-002" and r["properties"].get("object", "").startswith(DRIFT_NODE)
               for r in sarif["runs"][0]["results"])
    assert "SD-FLEET-001" in outs[Format.JUNIT].read_text()
    # The merged JSON is a report like any other: it loads and renders again.
    again = load_report(str(outs[Format.JSON]))
    assert len(again.nodes) == 3 and again.nodes[1].status("SD-FLEET-001") is Status.FAIL
    assert render(again, Format.JSON, RenderOptions()) == outs[Format.JSON].read_text()


def test_cluster_from_the_command_line(reports, tmp_path):
    out = tmp_path / "m.json"
    # n1 and n3 alone form cluster x: same keys, but n3 drifted.
    main(["fleet", str(reports["n1"]), str(reports["n3"]), "--cluster", "x=n1,n3",
          "--format", "json", "--output", str(out)])
    doc = json.loads(out.read_text())
    assert result(doc, "SD-FLEET-001")["status"] == "pass"
    assert {n["cluster"] for n in doc["fleet"]["nodes"]} == {"x"}
    assert {n["cluster_source"] for n in doc["fleet"]["nodes"]} == {"--cluster"}


def test_fleet_waiver_for_one_drifted_leaf(reports, tmp_path):
    w = tmp_path / "w.toml"
    w.write_text(f'[[waiver]]\nrule = "SD-FLEET-002"\nobject = "{DRIFT_NODE}: {DRIFT_LEAF}"\n'
                 'justification = "n3 takes the batch jobs"\nexpires = 2099-01-01\n'
                 '[[waiver]]\nrule = "SD-FLEET-001"\njustification = "re-keying n2 tonight"\n'
                 'expires = 2099-01-01\n')
    out = tmp_path / "m.json"
    code = main(["fleet", *map(str, reports.values()), "--waivers", str(w), "--format", "json",
                 "--output", str(out)])
    doc = json.loads(out.read_text())
    assert result(doc, "SD-FLEET-002")["status"] == "waived"
    assert result(doc, "SD-FLEET-001")["status"] == "waived"
    assert code == 0


@pytest.mark.parametrize("args, problem", [
    (["fleet", "{n1}", "{n1}"], "node n1 is also the node of"),
    (["fleet", "{merged}"], "is already a fleet report"),
    (["fleet", "{nonode}"], "has no node name"),
    (["fleet", "{n1}", "--cluster", "c=n9"], "not among the reports: n9"),
    (["fleet", "{empty}"], "no *.json report"),
    (["audit", "--node", "n1"], "expected NAME=DIR"),
    (["audit", "--node", "bad name={dir}"], "not a node name"),
    (["audit", "--node", "n1={dir}", "--config-dir", "{dir}"], "--config-dir: describe one node"),
    (["audit", "--node", "n1={empty}"], "holds no ncs.conf"),
    (["audit", "--ncs-conf", "{conf}", "--cluster", "c=n1"], "only with --node"),
])
def test_bad_fleet_input_is_a_usage_error(args, problem, reports, cluster, tmp_path, capsys):
    merged = tmp_path / "merged.json"
    main(["fleet", str(reports["n1"]), str(reports["n2"]), "--format", "json", "--output", str(merged)])
    nonode = tmp_path / "nonode.json"
    doc = json.loads(reports["n1"].read_text())
    del doc["node"]
    nonode.write_text(json.dumps(doc))
    (tmp_path / "empty").mkdir()
    names = {"n1": reports["n1"], "merged": merged, "nonode": nonode, "empty": tmp_path / "empty",
             "dir": cluster["n1"], "conf": cluster["n1"] / "etc" / "ncs.conf"}
    capsys.readouterr()
    assert main([a.format(**names) for a in args] + V64 * (args[0] == "audit")) == 2
    err = capsys.readouterr().err
    assert problem in err and "Traceback" not in err


def test_settings_never_hold_inline_keys(tmp_path):
    """The dev example keeps its keys in ncs.conf: an HA node gets their fingerprint,
    and none of /encrypted-strings is among its settings."""
    dev = Path(__file__).resolve().parent.parent / "examples" / "dev-local-install"
    out = tmp_path / "dev.json"
    main(["audit", "--config-dir", str(dev / "etc"), "--no-host", *V64, "--node-name", "dev",
          "--cluster", "lab", "--format", "json", "--output", str(out)])
    node = json.loads(out.read_text())["node"]
    assert node["keys"]["state"] == "inline in ncs.conf" and node["keys"]["fingerprint"]
    assert not [p for p in node["settings"] if "encrypted-strings" in p]


def test_node_info_round_trips_through_json():
    info = NodeInfo("n1", "c1", "--cluster", "ab12:cd34:ef56:7890", "external keys file",
                    (("/ncs-config/a", "1"), ("/ncs-config/b", "")))
    rep = Report(results=(), nso_version=load_nso_version(), target="t", started_at="2026-01-01T00:00:00+00:00",
                 node=info)
    assert report_from_dict(json.loads(render(rep, Format.JSON))).node == info


def load_nso_version():
    from secure_deploy.facts.version import parse_version
    return parse_version("6.4", "test")


def test_nodes_on_different_releases_are_named_in_the_statement(reports):
    from secure_deploy import registry
    from secure_deploy.facts.version import parse_version
    from secure_deploy.fleet.merge import merge
    a = load_report(str(reports["n1"]))
    b = dataclasses.replace(load_report(str(reports["n2"])), nso_version=parse_version("6.6", "test"))
    merged = merge([("a", a), ("b", b)], registry.all_rules(), now="2026-01-01T00:00:00+00:00")
    assert merged.nso_version.statement == \
        "defaults of each node's NSO release assumed: 6.4 on n1; 6.6 on n2"
    assert [n.nso_version for n in merged.nodes] == ["6.4", "6.6"]


def test_merged_html_loads_in_chromium_with_the_matrix(reports, tmp_path):
    from test_render_html import dom
    from secure_deploy import registry
    from secure_deploy.fleet.merge import merge
    merged = merge([(str(p), load_report(str(p))) for p in reports.values()], registry.all_rules(),
                   now="2026-01-01T00:00:00+00:00")
    doc = dom(tmp_path, render(merged, Format.HTML))
    assert doc.get_element_by_id("sd-status").get("data-state") == "ready"
    assert doc.get_element_by_id("sd-errors").text_content().strip() == ""
    cells = {(tr.get("data-node"), td.get("data-rule")): td.get("data-status")
             for tr in doc.xpath('//table[@id="node-matrix"]/tbody/tr') for td in tr.xpath("td[@data-rule]")}
    assert cells[(KEYS_NODE, "SD-FLEET-001")] == "fail" and cells[("n1", "SD-FLEET-001")] == "pass"
    assert cells[(DRIFT_NODE, "SD-FLEET-002")] == "fail"
