"""JUnit XML: one testcase per rule, read back with the junitparser library."""
from __future__ import annotations

import datetime as dt

import pytest

from report_samples import SECRET_HASH, SECRET_KEY, file_report, sample_file_id, sample_files, sample_report
from secure_deploy.report import Format, render
from secure_deploy.report.waivers import Waiver, apply_waivers

junitparser = pytest.importorskip("junitparser")


def parse(report, tmp_path):
    p = tmp_path / "junit.xml"
    p.write_text(render(report, Format.JUNIT))
    return junitparser.JUnitXml.fromfile(str(p))


def cases(xml):
    out = {}
    for suite in xml:
        for case in suite:
            out[case.name.split()[0]] = (suite, case, [type(r).__name__ for r in case.result])
    return out


def test_one_testcase_per_rule_with_outcomes(tmp_path):
    rep = apply_waivers(sample_report(), [Waiver("SD-TEST-001", "lab", dt.date(2027, 1, 1), object="oper"),
                                          Waiver("SD-AUTH-002", "lab", dt.date(2027, 1, 1))], dt.date(2026, 11, 26))
    xml = parse(rep, tmp_path)
    got = cases(xml)
    assert set(got) == {r.rule_id for r in rep.results}
    want = {"fail": ["Failure"], "error": ["Error"], "pass": [], "warn": ["Skipped"], "manual": ["Skipped"],
            "waived": ["Skipped"], "not-applicable": ["Skipped"]}
    for r in rep.results:
        assert got[r.rule_id][2] == want[r.status.value], r.rule_id
    _, case, _ = got["SD-AUTH-001"]
    (failure,) = case.result
    assert failure.type == "high" and "fix:" in failure.text and failure.message == rep.results[
        [r.rule_id for r in rep.results].index("SD-AUTH-001")].message
    assert "waived" in got["SD-AUTH-002"][1].result[0].message
    # Suite counts agree with the cases (what CI dashboards display).
    total = sum(s.tests for s in xml)
    assert total == len(rep.results)
    assert sum(s.failures for s in xml) == sum(r.status.value == "fail" for r in rep.results)
    assert sum(s.errors for s in xml) == 1
    assert {s.name for s in xml} >= {"secure-deploy.auth", "secure-deploy.test"}


def test_notes_go_to_system_out(tmp_path):
    rep = apply_waivers(sample_report(), [Waiver("SD-AUTH-001", "lab", dt.date(2026, 1, 1))], dt.date(2026, 11, 26))
    parse(rep, tmp_path)
    from lxml import etree
    first = etree.parse(str(tmp_path / "junit.xml")).getroot()[0]
    assert "expired on 2026-01-01" in first.findtext("system-out")


@pytest.mark.parametrize("path", sample_files(), ids=sample_file_id)
def test_every_sample_parses(tmp_path, path):
    rep = file_report(path)
    xml = parse(rep, tmp_path)
    assert sum(s.tests for s in xml) == len(rep.results) and sum(s.failures for s in xml) >= 1


def test_control_characters_do_not_break_the_xml(tmp_path):
    import dataclasses
    rep = sample_report()
    r0 = dataclasses.replace(rep.results[0], message="bad\x01value\x1b[31m")
    xml = parse(dataclasses.replace(rep, results=(r0,) + rep.results[1:]), tmp_path)
    assert sum(s.tests for s in xml) == len(rep.results)


def test_no_secret_in_junit():
    out = render(sample_report(), Format.JUNIT)
    assert SECRET_HASH not in out and SECRET_KEY not in out and "QQQQQQQQ" not in out
