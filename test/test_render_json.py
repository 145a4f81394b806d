"""JSON report: validates against the shipped JSON Schema; round-trips into a Report."""
from __future__ import annotations

import json
from importlib import resources

import pytest

from report_samples import file_report, sample_file_id, sample_files, sample_report
from secure_deploy.errors import InputError
from secure_deploy.model import Status
from secure_deploy.report import Format, render
from secure_deploy.report.json_report import load_report, report_dict, report_from_dict
from secure_deploy.report.waivers import Waiver, apply_waivers

jsonschema = pytest.importorskip("jsonschema")


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(resources.files("secure_deploy").joinpath("schemas/report.schema.json").read_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def errors(validator, doc):
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(doc)]


def waived_report():
    import datetime as dt
    return apply_waivers(sample_report(), [Waiver("SD-TEST-001", "lab", dt.date(2027, 1, 1), object="oper"),
                                           Waiver("SD-AUTH-001", "lab", dt.date(2026, 12, 1))],
                         dt.date(2026, 11, 26))


def test_sample_report_validates_and_has_every_status(validator):
    doc = json.loads(render(waived_report(), Format.JSON))
    assert errors(validator, doc) == []
    statuses = {r["status"] for r in doc["results"]}
    assert {"pass", "fail", "warn", "manual", "error", "waived", "not-applicable"} <= statuses
    assert any("expires in 5 days" in n for n in doc["notes"])
    assert doc["summary"]["score"] > doc["summary"]["score_without_waivers"]


@pytest.mark.parametrize("path", sample_files(), ids=sample_file_id)
def test_every_sample_report_validates(validator, path):
    doc = json.loads(render(file_report(path), Format.JSON))
    assert errors(validator, doc) == []
    assert any(r["status"] == "fail" for r in doc["results"])


def test_schema_rejects_what_it_should(validator):
    doc = json.loads(render(sample_report(), Format.JSON))
    bad = json.loads(json.dumps(doc))
    bad["results"][0]["status"] = "failed"
    assert errors(validator, bad)
    bad = json.loads(json.dumps(doc))
    del bad["summary"]["score_without_waivers"]
    assert errors(validator, bad)
    bad = json.loads(json.dumps(doc))
    bad["results"][0]["surprise"] = 1
    assert errors(validator, bad)


def test_round_trip_rebuilds_the_same_report():
    rep = waived_report()
    again = report_from_dict(json.loads(render(rep, Format.JSON)))
    assert again == rep
    assert again.summary == rep.summary
    # Every format renders identically from the rebuilt report.
    for fmt in Format:
        assert render(again, fmt) == render(rep, fmt), fmt


def test_report_without_rule_block_still_loads():
    doc = report_dict(sample_report())
    for r in doc["results"]:
        del r["rule"]
    rep = report_from_dict(doc)
    r = next(r for r in rep.results if r.rule_id == "SD-AUTH-001")
    assert r.status is Status.FAIL and r.meta.remediation and r.meta.rationale == ""


@pytest.mark.parametrize("mutate,problem", [
    (lambda d: d.pop("results"), "missing 'results'"),
    (lambda d: d.update(schema_version="3.0"), "schema version 3.0 is not supported"),
    (lambda d: d["results"][0].update(status="great"), "results[0]: unknown status 'great'"),
    (lambda d: d["results"][0].update(findings="x"), "results[0]: 'findings' has the wrong type"),
])
def test_bad_reports_are_input_errors(mutate, problem):
    doc = report_dict(sample_report())
    mutate(doc)
    with pytest.raises(InputError) as e:
        report_from_dict(doc, "old.json")
    assert str(e.value).startswith("old.json: ") and problem in str(e.value)


def test_load_report_file_errors(tmp_path):
    with pytest.raises(InputError, match="not found"):
        load_report(str(tmp_path / "absent.json"))
    p = tmp_path / "r.json"
    p.write_text("{not json")
    with pytest.raises(InputError, match=r"r.json: not a JSON report"):
        load_report(str(p))
    p.write_text("[]")
    with pytest.raises(InputError, match="expected an object"):
        load_report(str(p))


def test_no_secret_in_json():
    out = render(sample_report(), Format.JSON)
    from report_samples import SECRET_HASH, SECRET_KEY
    assert SECRET_HASH not in out and SECRET_KEY not in out and "QQQQQQQQ" not in out


def accepted_report():
    import dataclasses
    from report_samples import NOW, SYNTHETIC, dev_facts
    from secure_deploy import registry
    from secure_deploy.engine import run
    from secure_deploy.facts.types import AcceptedExposure, Settings
    facts = dataclasses.replace(dev_facts(), settings=Settings(
        accepted_exposures=(AcceptedExposure("cli-ssh", "OSS over the management VLAN", "secops"),)))
    return run(facts, registry.all_rules() + SYNTHETIC, target="ncs.conf", started_at=NOW)


def test_accepted_status_validates_and_round_trips(validator):
    rep = accepted_report()
    doc = json.loads(render(rep, Format.JSON))
    assert errors(validator, doc) == []
    res = {r["rule_id"]: r for r in doc["results"]}["SD-IF-001"]
    assert res["status"] == "accepted" and doc["summary"]["by_status"]["accepted"] >= 1
    assert res["findings"][0]["acceptance"] == \
        "accepted exposure cli-ssh: OSS over the management VLAN (approved by secops)"
    assert doc["summary"]["score"] > doc["summary"]["score_without_waivers"]
    assert report_from_dict(doc) == rep


def test_one_evidence_shape_everywhere(validator):
    """schema 2.0: evidence is a name -> value object in results and findings alike."""
    doc = json.loads(render(waived_report(), Format.JSON))
    assert doc["schema_version"].startswith("2.")
    shapes = {type(r["evidence"]) for r in doc["results"]} | \
        {type(f["evidence"]) for r in doc["results"] for f in r["findings"]}
    assert shapes == {dict}
    auth = {r["rule_id"]: r for r in doc["results"]}["SD-AUTH-002"]
    assert auth["evidence"] and auth["evidence"] == auth["findings"][0]["evidence"]
    bad = json.loads(json.dumps(doc))
    bad["results"][0]["evidence"] = [{"name": "a", "value": "b"}]         # the 1.x shape
    assert errors(validator, bad)


def test_reports_of_schema_1_still_load():
    """Saved 1.x reports (baselines, history) load: their result-level evidence list is
    derived data and not read back."""
    doc = report_dict(waived_report())
    doc["schema_version"] = "1.0"
    for r in doc["results"]:
        r["evidence"] = [{"name": k, "value": v} for k, v in r["evidence"].items()]
    assert report_from_dict(doc) == waived_report()


def test_evidence_object_keeps_repeated_names():
    from secure_deploy.report.json_report import evidence_object
    assert evidence_object([("a", "1"), ("b", "2"), ("a", "3"), ("a", "4")]) == \
        {"a": "1", "b": "2", "a (2)": "3", "a (3)": "4"}
