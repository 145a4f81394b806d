"""Text report: grouped by severity, 80 columns, colour only when asked."""
from __future__ import annotations

import datetime as dt

from report_samples import SECRET_HASH, SECRET_KEY, file_report, sample_files, sample_report
from secure_deploy.report import Format, RenderOptions, render
from secure_deploy.report.waivers import Waiver, apply_waivers


def test_grouped_by_severity_with_summary():
    out = render(sample_report(), Format.TEXT)
    lines = out.splitlines()
    heads = [ln for ln in lines if ln.startswith("== ")]
    order = [h.split()[1] for h in heads]
    assert order == sorted(order, key=["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFO"].index)
    assert "CRITICAL" in order and "HIGH" in order
    crit = lines.index(next(h for h in heads if "CRITICAL" in h))
    group = lines[crit + 1:lines.index("", crit)]
    assert any("SD-TEST-003" in ln and "[ERROR" in ln for ln in group)
    assert not any("SD-TEST-003" in ln for ln in lines[:crit])
    assert "SD-AUTH-001" in out and "fix: Set /ncs-config/aaa/local-authentication/enabled" in out
    assert "at ncs.conf:" in out                                   # location of the element
    assert lines[-2].startswith(f"{len(sample_report().results)} rules: ")
    assert lines[-1] == f"score {sample_report().summary.score}"


def test_80_columns_and_no_colour_by_default():
    reports = [sample_report()] + [file_report(p) for p in sample_files()]
    for rep in reports:
        out = render(rep, Format.TEXT)
        assert "\x1b[" not in out
        # Longer only where one token is longer than the line (never split).
        too_long = [ln for ln in out.splitlines() if len(ln) > 80 and len(ln.split()) > 1]
        assert too_long == []


def test_colour_when_asked():
    out = render(sample_report(), Format.TEXT, RenderOptions(color=True))
    assert "\x1b[31m[FAIL  ]\x1b[0m" in out
    plain = out.replace("\x1b[0m", "")
    for code in ("\x1b[31m", "\x1b[35m", "\x1b[33m", "\x1b[36m", "\x1b[1;31m"):
        plain = plain.replace(code, "")
    assert plain == render(sample_report(), Format.TEXT)


def test_waivers_and_notes_are_shown():
    rep = apply_waivers(sample_report(), [Waiver("SD-AUTH-001", "lab network only", dt.date(2026, 12, 1),
                                                 approved_by="sec")], dt.date(2026, 11, 26))
    out = render(rep, Format.TEXT)
    assert "[WAIVED] SD-AUTH-001" in out and "waived: lab network only" in out
    assert "note: waiver for SD-AUTH-001 applied (until 2026-12-01, approved by sec)" in out
    assert "note: waiver for SD-AUTH-001 expires in 5 days" in out
    assert "without waivers" in out.splitlines()[-1]


def test_no_secret_in_text():
    out = render(sample_report(), Format.TEXT)
    assert SECRET_HASH not in out and SECRET_KEY not in out and "QQQQQQQQ" not in out
