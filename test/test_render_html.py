"""HTML report: self-contained, and working in a real headless browser (Chromium).

The page's script marks `#sd-status[data-state=ready]` when it initialised and
copies any script error into `#sd-errors`; Chromium's --dump-dom gives the DOM
after scripts ran. Skips where Debian's chromium is absent (`make sysdeps`
installs it).
"""
from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess

import pytest
from lxml import html as lhtml

from report_samples import SECRET_HASH, SECRET_KEY, file_report, sample_file_id, sample_files, sample_report
from secure_deploy.report import Format, HistoryPoint, RenderOptions, render
from secure_deploy.report.waivers import Waiver, apply_waivers

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def report():
    return apply_waivers(sample_report(), [Waiver("SD-TEST-004", "accepted", dt.date(2027, 1, 1))],
                         dt.date(2026, 11, 26))


def dom(tmp_path, page: str, fragment: str = "") -> lhtml.HtmlElement:
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (make sysdeps installs Debian's chromium)")
    f = tmp_path / "report.html"
    f.write_text(page)
    r = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom",
                        f.as_uri() + fragment], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    return lhtml.fromstring(r.stdout)


def visible_rules(doc):
    return [tr.get("data-rule") for tr in doc.xpath('//table[@id="findings"]/tbody/tr')
            if "display: none" not in (tr.get("style") or "")]


def test_self_contained_no_network():
    page = render(report(), Format.HTML, RenderOptions(history=(HistoryPoint("2026-10-01T00:00:00+00:00", 20.0),)))
    # Only namespace URIs may appear (SVG's, and the XML namespaces of the rules'
    # CDB examples): they are identifiers, never fetched.
    # Links to reference pages are navigation the reader chooses, never a load:
    # they are plain <a href="https://..."> (nothing else may carry href/src).
    links = re.findall(r'<a href="(https://[^"]+)" rel="noopener noreferrer">', page)
    assert links, "the rule documentation links its references"
    page = re.sub(r'<a href="https://[^"]+" rel="noopener noreferrer">', "<a>", page)
    without_ns = re.sub(r"xmlns(:\w+)?=(&quot;|\")[^\"&]*(&quot;|\")", "", page)
    urls = set(re.findall(r"https?://[^\s\"'<>)&]+", without_ns))
    assert urls <= {"http://www.w3.org/2000/svg"}, urls
    assert not re.search(r"""\s(src|href)\s*=|url\(|@import""", page)
    assert "default-src 'none'" in page


def test_content_escaped_and_secrets_absent():
    page = render(report(), Format.HTML)
    assert "review the &lt;firewall&gt; &amp; rules by hand" in page
    assert "<firewall>" not in page
    assert SECRET_HASH not in page and SECRET_KEY not in page and "QQQQQQQQ" not in page


def test_loads_in_chromium_without_script_errors_and_shows_findings(tmp_path):
    rep = report()
    doc = dom(tmp_path, render(rep, Format.HTML))
    assert doc.get_element_by_id("sd-status").get("data-state") == "ready"
    assert doc.get_element_by_id("sd-errors").text_content().strip() == ""
    problems = {r.rule_id for r in rep.results if r.status.value in ("fail", "error", "warn", "manual", "waived")}
    assert set(visible_rules(doc)) == problems        # default view: what to act on
    count = doc.get_element_by_id("f-count")
    assert count.get("data-shown") == str(len(problems))
    assert doc.get_element_by_id("score").text_content() == str(rep.summary.score)
    # Charts: one bar per status and per severity, with the report's counts.
    bars = {b.get("data-label"): int(b.get("data-count")) for b in doc.xpath('//*[@id="chart-status"]//*[@class="bar"]')}
    assert bars == dict(rep.summary.by_status)
    assert len(doc.xpath('//*[@id="chart-severity"]//*[@class="bar"]')) == 5
    # Rule documentation on demand.
    row = doc.xpath('//tr[@data-rule="SD-AUTH-001"]')[0]
    assert row.xpath(".//details/summary")[0].text_content() == "rule documentation"
    assert "local-authentication" in row.xpath(".//details")[0].text_content()


def test_filters_work_in_chromium(tmp_path):
    rep = report()
    page = render(rep, Format.HTML)
    passing = {r.rule_id for r in rep.results if r.status.value == "pass"}
    doc = dom(tmp_path, page, "#status=pass")
    assert set(visible_rules(doc)) == passing and passing
    doc = dom(tmp_path, page, "#status=&sev=critical")
    assert set(visible_rules(doc)) == {r.rule_id for r in rep.results if r.meta.severity.value == "critical"}
    doc = dom(tmp_path, page, "#status=&q=alice")
    assert "SD-TEST-001" in visible_rules(doc) and "SD-AUTH-001" not in visible_rules(doc)


def test_script_errors_would_be_caught(tmp_path):
    # The check above can fail: a broken script shows up in #sd-errors.
    page = render(report(), Format.HTML).replace("</body>", "<script>noSuchFunction()</script></body>")
    doc = dom(tmp_path, page)
    assert "noSuchFunction" in doc.get_element_by_id("sd-errors").text_content()


def test_trend_chart_only_with_history(tmp_path):
    rep = report()
    assert 'id="chart-trend"' not in render(rep, Format.HTML)
    hist = (HistoryPoint("2026-09-01T00:00:00+00:00", 10.0), HistoryPoint("2026-10-01T00:00:00+00:00", 20.0))
    doc = dom(tmp_path, render(rep, Format.HTML, RenderOptions(history=hist)))
    assert len(doc.xpath('//*[@id="chart-trend"]//*[@class="pt"]')) == 3   # two earlier runs + this one
    assert doc.get_element_by_id("sd-status").get("data-state") == "ready"


@pytest.mark.parametrize("path", sample_files()[:3], ids=sample_file_id)
def test_samples_render_in_chromium(tmp_path, path):
    rep = file_report(path)
    doc = dom(tmp_path, render(rep, Format.HTML))
    assert doc.get_element_by_id("sd-status").get("data-state") == "ready"
    assert doc.get_element_by_id("sd-errors").text_content().strip() == ""
    assert {r.rule_id for r in rep.results if r.status.value == "fail"} <= set(visible_rules(doc))


def test_fix_is_visible_and_code_is_code():
    """The fix of a failing rule is in the row itself, not in the collapsed docs, and
    the rules' `code` spans are <code> elements: no literal backticks anywhere."""
    page = render(report(), Format.HTML)
    doc = lhtml.fromstring(page)
    row = doc.xpath('//tr[@data-rule="SD-SSH-002"]')[0]
    assert row.get("data-status") == "fail"
    fix = row.xpath('.//div[@class="fix"]')
    assert len(fix) == 1 and not fix[0].xpath("ancestor::details")
    codes = [c.text_content() for c in fix[0].xpath(".//code")]
    assert any("aes128-gcm@openssh.com" in c for c in codes)
    assert "`" not in doc.xpath('//table[@id="findings"]')[0].text_content()
    passing = doc.xpath('//tr[@data-status="pass"]')[0]
    assert not passing.xpath('.//div[@class="fix"]') and "Fix:" in passing.xpath(".//details")[0].text_content()


def test_rich_keeps_unpaired_backticks_as_written():
    from secure_deploy.report.html_report import rich
    assert rich("run `ncs --reload` <now>") == "run <code>ncs --reload</code> &lt;now&gt;"
    assert rich("a ` b") == "a ` b"


def test_severity_filter_is_this_or_higher(tmp_path):
    rep = report()
    page = render(rep, Format.HTML)
    assert ">high or higher</option>" in page
    doc = dom(tmp_path, page, "#status=&sev=high")
    assert set(visible_rules(doc)) == {r.rule_id for r in rep.results if r.meta.severity.rank >= 3}
    assert {r.meta.severity.value for r in rep.results if r.rule_id in visible_rules(doc)} == {"critical", "high"}


def test_trend_points_carry_date_and_time_and_one_trend_per_target():
    rep = report()
    hist = (HistoryPoint("2026-11-26T08:00:00+00:00", 10.0, target=rep.target),
            HistoryPoint("2026-11-26T09:30:00+00:00", 15.0, target=rep.target),
            HistoryPoint("2026-11-25T09:30:00+00:00", 70.0, target="/etc/other/ncs.conf"))
    doc = lhtml.fromstring(render(rep, Format.HTML, RenderOptions(history=hist)))
    charts = doc.xpath('//*[@class="trend"]')
    assert [c.get("data-target") for c in charts] == [rep.target, "/etc/other/ncs.conf"]
    mine = [t.text_content() for t in charts[0].xpath('.//*[@class="pt"]/title')]
    assert mine[:2] == ["2026-11-26 08:00 UTC: score 10.0", "2026-11-26 09:30 UTC: score 15.0"]
    assert len(mine) == 3                                      # + this run
    assert len(charts[1].xpath('.//*[@class="pt"]')) == 1     # the other target's run alone
    assert "2026-11-26 08:00" in charts[0].xpath('.//*[@class="axis"]')[0].text_content()


def test_every_status_has_a_colour_and_a_matrix_letter():
    from secure_deploy.model import Status
    from secure_deploy.report import html_report
    assert {s.value for s in Status} == set(html_report._STATUS_COLOUR) == set(html_report._LETTER)
