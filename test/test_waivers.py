"""Waivers: file format, validation, expiry (injected clock), narrowing, scoring."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from report_samples import sample_report
from secure_deploy.errors import InputError
from secure_deploy.model import Status
from secure_deploy.report.waivers import Waiver, apply_waivers, load_waivers, parse_waivers

TOML = b"""
# accepted for the lab until the jump host is in place
[[waiver]]
rule = "SD-TEST-001"
object = "oper"
justification = "lab account, removed with ticket OPS-42"
approved-by = "sec-team"
created = 2026-11-01
expires = 2026-12-31

[[waiver]]
rule = "sd-if-001"
justification = "CLI over SSH needed until the jump host exists"
expires = "2027-03-01"
"""


def w(rule: str, expires: str, obj=None, just: str = "accepted risk") -> Waiver:
    return Waiver(rule=rule, justification=just, expires=dt.date.fromisoformat(expires), object=obj)


def by_id(report):
    return {r.rule_id: r for r in report.results}


def test_toml_and_json_give_the_same_waivers():
    from_toml = parse_waivers(TOML, "w.toml")
    doc = {"waiver": [{"rule": "SD-TEST-001", "object": "oper", "justification": "lab account, removed with ticket OPS-42",
                       "approved_by": "sec-team", "created": "2026-11-01", "expires": "2026-12-31"},
                      {"rule": "SD-IF-001", "justification": "CLI over SSH needed until the jump host exists",
                       "expires": "2027-03-01"}]}
    from_json = parse_waivers(json.dumps(doc).encode(), "w.json")
    assert from_toml == from_json
    assert from_toml[0].approved_by == "sec-team" and from_toml[0].object == "oper"
    assert from_toml[1].rule == "SD-IF-001" and from_toml[1].expires == dt.date(2027, 3, 1)
    # TOML starting with "[[" in a file without extension is still read as TOML.
    bare = TOML.split(b"\n", 2)[2]
    assert bare.startswith(b"[[waiver]]") and parse_waivers(bare, "waivers") == from_toml
    # A bare JSON list is accepted too.
    assert parse_waivers(json.dumps(doc["waiver"]).encode(), "w.json") == from_json


@pytest.mark.parametrize("entry,problem", [
    ({"rule": "SD-IF-001", "expires": "2027-01-01"}, "justification is required"),
    ({"rule": "SD-IF-001", "justification": "  ", "expires": "2027-01-01"}, "must not be empty"),
    ({"rule": "SD-IF-001", "justification": "x"}, "expires is required"),
    ({"rule": "SD-IF-001", "justification": "x", "expires": "next year"}, "must be a date"),
    ({"rule": "IF-1", "justification": "x", "expires": "2027-01-01"}, "not a rule id"),
    ({"rule": "SD-IF-001", "justification": "x", "expire": "2027-01-01"}, "unknown field(s) expire"),
    ({"rule": "SD-IF-001", "justification": "x", "expires": "2027-01-01", "created": "2027-02-01"},
     "after expires"),
])
def test_invalid_waivers_are_input_errors_naming_file_and_entry(entry, problem):
    with pytest.raises(InputError) as e:
        parse_waivers(json.dumps({"waiver": [entry]}).encode(), "site/waivers.json")
    msg = str(e.value)
    assert msg.startswith("site/waivers.json: waiver 1") and problem in msg


def test_malformed_files_and_duplicates():
    with pytest.raises(InputError, match=r"^w.toml: invalid TOML"):
        parse_waivers(b"[[waiver]\nrule=", "w.toml")
    with pytest.raises(InputError, match=r"^w.json: invalid JSON"):
        parse_waivers(b"{nope", "w.json")
    with pytest.raises(InputError, match="unknown top-level"):
        parse_waivers(b'{"waivres": []}', "w.json")
    dup = {"waiver": [{"rule": "SD-IF-001", "justification": "a", "expires": "2027-01-01"}] * 2}
    with pytest.raises(InputError, match="waived twice"):
        parse_waivers(json.dumps(dup).encode(), "w.json")


def test_load_waivers_file_errors(tmp_path):
    with pytest.raises(InputError, match="not found"):
        load_waivers(str(tmp_path / "absent.toml"))
    with pytest.raises(InputError, match="is a directory"):
        load_waivers(str(tmp_path))
    p = tmp_path / "w.toml"
    p.write_bytes(TOML)
    assert len(load_waivers(str(p))) == 2


def test_waiver_turns_failing_rule_waived_and_keeps_it_visible():
    base = sample_report()
    assert by_id(base)["SD-AUTH-001"].status is Status.FAIL
    rep = apply_waivers(base, [w("SD-AUTH-001", "2027-06-30", just="lab only")], "2026-11-26")
    r = by_id(rep)["SD-AUTH-001"]
    assert r.status is Status.WAIVED
    (f,) = r.findings
    assert f.status is Status.WAIVED and f.waiver == "lab only" and f.message == by_id(base)["SD-AUTH-001"].message
    assert any("waiver for SD-AUTH-001 applied" in n for n in rep.notes)
    # Score: waived counts as fixed in `score`, as failing in `score_without_waivers`.
    assert rep.summary.score > base.summary.score
    assert rep.summary.score_without_waivers == base.summary.score == base.summary.score_without_waivers


def test_object_narrowing_only_waives_that_object():
    rep = apply_waivers(sample_report(), [w("SD-TEST-001", "2027-01-01", obj="oper")], "2026-11-26")
    r = by_id(rep)["SD-TEST-001"]
    st = {f.object: f.status for f in r.findings}
    assert st == {"admin": Status.FAIL, "oper": Status.WAIVED, "alice": Status.PASS}
    assert r.status is Status.FAIL and "oper" not in r.message
    # Waiving the other object too makes the whole rule WAIVED.
    rep2 = apply_waivers(sample_report(), [w("SD-TEST-001", "2027-01-01", obj="oper"),
                                            w("SD-TEST-001", "2027-01-01", obj="admin")], "2026-11-26")
    assert by_id(rep2)["SD-TEST-001"].status is Status.WAIVED
    # A narrowed waiver never matches a finding without that object.
    rep3 = apply_waivers(sample_report(), [w("SD-AUTH-001", "2027-01-01", obj="admin")], "2026-11-26")
    assert by_id(rep3)["SD-AUTH-001"].status is Status.FAIL


@pytest.mark.parametrize("today,applies,note", [
    ("2026-06-01", True, None),                               # far from expiry
    ("2026-12-17", True, "expires in 14 days (2026-12-31)"),  # exactly 14 days left: flagged
    ("2026-12-16", True, None),                               # 15 days left: not flagged
    ("2026-12-31", True, "expires today"),                    # last valid day
    ("2027-01-01", False, "expired on 2026-12-31: it no longer applies"),
])
def test_expiry_uses_the_injected_clock(today, applies, note):
    rep = apply_waivers(sample_report(), [w("SD-AUTH-001", "2026-12-31")], dt.date.fromisoformat(today))
    assert (by_id(rep)["SD-AUTH-001"].status is Status.WAIVED) is applies
    flagged = [n for n in rep.notes if "expire" in n]
    if note is None:
        assert not flagged
    else:
        assert any(note in n for n in flagged), rep.notes


def test_clock_accepts_datetime_and_iso_string():
    ws = [w("SD-AUTH-001", "2026-12-31")]
    a = apply_waivers(sample_report(), ws, dt.datetime(2027, 1, 1, 0, 0, tzinfo=dt.timezone.utc))
    b = apply_waivers(sample_report(), ws, "2027-01-01T00:00:00+00:00")
    assert by_id(a)["SD-AUTH-001"].status is by_id(b)["SD-AUTH-001"].status is Status.FAIL


def test_errors_and_passes_are_never_waived():
    rep = apply_waivers(sample_report(), [w("SD-TEST-003", "2027-01-01"), w("SD-TEST-002", "2027-01-01")],
                        "2026-11-26")
    assert by_id(rep)["SD-TEST-003"].status is Status.ERROR   # could not look: stays visible as ERROR
    assert by_id(rep)["SD-TEST-002"].status is Status.MANUAL
    assert any("SD-TEST-003 matched no failing finding" in n for n in rep.notes)


def test_warn_is_waivable_and_unused_waiver_is_reported():
    passing = next(r.rule_id for r in sample_report().results if r.status is Status.PASS)
    rep = apply_waivers(sample_report(), [w("SD-TEST-004", "2027-01-01"), w(passing, "2027-01-01")],
                        "2026-11-26")
    assert by_id(rep)["SD-TEST-004"].status is Status.WAIVED
    assert by_id(rep)[passing].status is Status.PASS
    assert any(f"{passing} matched no failing finding" in n for n in rep.notes)


def test_no_waivers_returns_the_report_unchanged():
    base = sample_report()
    assert apply_waivers(base, (), "2026-11-26") is base


def test_a_waiver_that_can_never_match_says_why_in_the_notes():
    import datetime as _dt2
    from report_samples import sample_report
    from secure_deploy.report.waivers import Waiver as W, apply_waivers as apply
    rep = apply(sample_report(), [W("SD-AUTH-001", "j", _dt2.date(2999, 1, 1), object="admin"),
                                  W("SD-HASH-003", "j", _dt2.date(2999, 1, 1), object="nobody")],
                _dt2.date(2026, 11, 26))
    assert "waiver for SD-AUTH-001 (admin) can never match: SD-AUTH-001's findings carry no object: " \
           "omit `object` to waive the rule" in rep.notes
    # A possible object that is simply not failing here keeps the old note.
    assert "waiver for SD-HASH-003 (nobody) matched no failing finding: consider removing it" in rep.notes
