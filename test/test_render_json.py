"""JSON report: validates against the shipped JSON Schema; round-trips into a Report."""
from __future__ import annotations

import json
from importlib import resources

import pytest

from report_samples import file_report, sample_files, sample_report
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


@pytest.mark.parametrize("path", sample_files() or ["(no samples)"])
def test_every_sample_report_validates(validator, path):
    if not sample_files():
        pytest.skip("../shared/samples is absent")
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
    (lambda d: d.update(schema_version="2.0"), "schema version 2.0 is not supported"),
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
