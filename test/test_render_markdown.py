"""The Markdown report (CI job summaries): what it lists, in which order, and escaping."""
from __future__ import annotations

import datetime as dt
import re

from report_samples import sample_report
from secure_deploy.model import Location, Report, RuleResult, Status, finding
from secure_deploy.report import Format, RenderOptions, render
from secure_deploy.report import markdown_report
from secure_deploy.report.waivers import Waiver, apply_waivers


def _one(f) -> Report:
    meta = sample_report(synthetic=False).results[0].meta
    r = RuleResult(meta, f.status, f.message, (f,))
    return Report(results=(r,), nso_version=sample_report(synthetic=False).nso_version, target="t",
                  started_at="x")


def _md(report: Report, base_dir=None) -> str:
    return render(report, Format.MARKDOWN, RenderOptions(base_dir=base_dir))


def _rows(md: str, heading: str):
    part = md.split(heading, 1)[1].split("\n### ", 1)[0]
    return [ln for ln in part.splitlines() if ln.startswith("| ") and not ln.startswith("| severity")
            and not ln.startswith("| rule |")]


def test_summary_line_and_failing_severities():
    rep = sample_report()
    md = _md(rep)
    s = rep.summary
    assert md.startswith("## secure-deploy")
    assert f"**Score {s.score:.1f}**" in md and f"{s.total} rules:" in md
    for sev, n in s.failed_by_severity:
        if n:
            assert f"| {sev} | {n} |" in md


def test_open_findings_worst_first_with_every_open_status():
    rep = sample_report()
    rows = _rows(_md(rep), "### Open findings")
    open_findings = [(r, f) for r in rep.results for f in r.findings
                     if f.status in (Status.FAIL, Status.ERROR, Status.WARN, Status.MANUAL)]
    assert len(rows) == len(open_findings)
    statuses = [row.split("|")[2].strip() for row in rows]
    order = ["fail", "error", "warn", "manual"]
    assert statuses == sorted(statuses, key=order.index)
    # per object: both failing users of the synthetic rule, not the passing one
    per_user = [row for row in rows if "SD-TEST-001" in row]
    assert len(per_user) == 2 and any("admin:" in r for r in per_user) and any("oper:" in r for r in per_user)
    assert not any("alice" in r for r in rows)


def test_locations_relative_to_the_checkout(tmp_path):
    conf = str(tmp_path / "deploy" / "ncs.conf")
    rep = _one(finding(Status.FAIL, "bad", location=Location(conf, 12)))
    md = _md(rep, base_dir=str(tmp_path))
    assert "| deploy/ncs.conf:12 |" in md and str(tmp_path) not in md


def test_waived_findings_listed_with_their_justification():
    rep = apply_waivers(sample_report(), [Waiver("SD-AUTH-001", "lab only (OPS-1)", dt.date(2027, 1, 1))],
                        dt.date(2026, 11, 1))
    rows = _rows(_md(rep), "### Waived")
    assert len(rows) == 1 and rows[0].startswith("| SD-AUTH-001 |") and "lab only \\(OPS-1\\)" in rows[0]
    assert "SD-AUTH-001" not in "".join(_rows(_md(rep), "### Open findings"))


def test_hostile_names_cannot_inject_markup():
    evil = "x | [click](https://evil.example) <img src=x onerror=alert(1)>\n# heading `code`"
    rep = _one(finding(Status.FAIL, "bad user", obj=evil))
    rows = _rows(_md(rep), "### Open findings")
    assert len(rows) == 1
    cells = re.split(r"(?<!\\)\|", rows[0])
    assert len(cells) == 7, cells          # 5 cells: the name's "|" did not open a sixth
    assert not re.search(r"(?<!\\)[<>`\[\]]", rows[0]), rows[0]   # every tag, link and code mark escaped
    assert "\\<img" in rows[0]
    assert "\n" not in rows[0]


def test_long_reports_are_capped(monkeypatch):
    monkeypatch.setattr(markdown_report, "MAX_ROWS", 3)
    rep = sample_report()
    md = _md(rep)
    n_open = sum(1 for r in rep.results for f in r.findings
                 if f.status in (Status.FAIL, Status.ERROR, Status.WARN, Status.MANUAL))
    assert len(_rows(md, "### Open findings")) == 3
    assert f"{n_open - 3} more open findings" in md
