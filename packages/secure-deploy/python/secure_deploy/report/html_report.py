"""One self-contained HTML file: score, charts, filterable findings, rule docs, trend.

Self-contained means no network fetch at all: CSS, JS and charts (inline SVG) are in
the file, and a Content-Security-Policy forbids loading anything else, so the report
can be opened from a CI artefact store or an air-gapped jump host.

The table is rendered server-side; JavaScript only filters it, so the findings are
readable even with scripts disabled. The script records a successful start in
`#sd-status[data-state=ready]` and any script error in `#sd-errors` (the headless
browser test reads both).
"""
from __future__ import annotations

import html
from typing import Any, Dict, List, Sequence, Tuple

from .text_report import cluster_rows   # the cluster-wide view, shared with the text report
from ..model import Report, RuleResult, Severity, Status
from ..ruledocs import reference_url
from .checklist import checklist_html

_STATUS_COLOUR = {"fail": "#c62828", "error": "#6a1b9a", "warn": "#ef6c00", "manual": "#00838f",
                  "waived": "#1565c0", "accepted": "#5e35b1", "pass": "#2e7d32", "not-applicable": "#9e9e9e"}
_SEV_COLOUR = {"critical": "#8e0000", "high": "#c62828", "medium": "#ef6c00", "low": "#f9a825",
               "info": "#9e9e9e"}
_PROBLEMS = ("fail", "error", "warn", "manual", "waived", "accepted")

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#212121;background:#fafafa}
header,main{max-width:1200px;margin:0 auto;padding:16px 24px}
header{border-bottom:1px solid #ddd;background:#fff}
h1{font-size:1.4em;margin:0 0 4px}.meta{color:#555;font-size:.9em;margin:2px 0}
.cards{display:flex;flex-wrap:wrap;gap:16px;margin:16px 0}
.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:12px 16px}
.score{font-size:2.4em;font-weight:600}.sub{color:#555;font-size:.85em}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{border-bottom:1px solid #e0e0e0;padding:6px 8px;text-align:left;vertical-align:top;font-size:.9em}
th{background:#f0f0f0;position:sticky;top:0}
.badge{display:inline-block;border-radius:3px;padding:1px 6px;color:#fff;font-size:.8em;white-space:nowrap}
.filters{display:flex;flex-wrap:wrap;gap:12px;align-items:center;margin:12px 0}
details>summary{cursor:pointer;color:#1565c0}pre{background:#f5f5f5;padding:6px;overflow-x:auto;white-space:pre-wrap}
td code{white-space:nowrap}.fix{margin-top:4px}.fix code,.doc code{background:#f0f0f0;padding:0 3px;border-radius:2px;white-space:normal;overflow-wrap:anywhere}ul.f{margin:4px 0;padding-left:18px}.ev{color:#555;font-size:.85em}
#sd-errors:empty{display:none}#sd-errors{color:#b00020;border:1px solid #b00020;padding:8px}
.notes li{margin:2px 0}
"""

# Captures errors before anything else runs, then wires the filters. Plain ES5-ish
# code: the report may be opened in old browsers on jump hosts.
_JS = """
window.onerror=function(msg,src,line){var e=document.getElementById('sd-errors');
 if(e){var d=document.createElement('div');d.className='sd-error';d.textContent=String(msg)+' (line '+line+')';e.appendChild(d);}return false;};
var SEV_RANK=%SEV_RANK%;
function sdFilter(){
 var sev=document.getElementById('f-sev').value,st=document.getElementById('f-status').value,
     q=document.getElementById('f-text').value.toLowerCase(),rows=document.querySelectorAll('#findings tbody tr'),shown=0;
 for(var i=0;i<rows.length;i++){var r=rows[i],ok=true;
  if(sev&&(+r.getAttribute('data-sev-rank'))<(+(SEV_RANK[sev]||0)))ok=false;
  if(st==='problems'){if(r.getAttribute('data-problem')!=='1')ok=false;}else if(st&&r.getAttribute('data-status')!==st)ok=false;
  if(q&&r.textContent.toLowerCase().indexOf(q)<0)ok=false;
  r.style.display=ok?'':'none';if(ok)shown++;}
 var c=document.getElementById('f-count');c.textContent=shown+' of '+rows.length+' rules shown';c.setAttribute('data-shown',String(shown));
}
function sdPreset(){
 // #status=pass&sev=high&q=text in the address presets the filters (shareable views)
 var h=(window.location.hash||'').replace(/^#/,'').split('&'),map={sev:'f-sev',status:'f-status',q:'f-text'};
 for(var i=0;i<h.length;i++){var kv=h[i].split('=');if(map[kv[0]]){document.getElementById(map[kv[0]]).value=decodeURIComponent(kv[1]||'');}}
}
document.addEventListener('DOMContentLoaded',function(){
 sdPreset();
 ['f-sev','f-status','f-text'].forEach(function(id){var el=document.getElementById(id);el.addEventListener('input',sdFilter);el.addEventListener('change',sdFilter);});
 sdFilter();var s=document.getElementById('sd-status');s.setAttribute('data-state','ready');s.textContent='ready';
});
"""


_SEV_RANK_JS = "{" + ",".join(f'"{sv.value}":{sv.rank}' for sv in Severity) + "}"


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _badge(text: str, colour: str) -> str:
    return f'<span class="badge" style="background:{colour}">{_e(text)}</span>'


def bar_chart(title: str, bars: Sequence[Tuple[str, int, str]], chart_id: str) -> str:
    """Horizontal bar chart as inline SVG: (label, count, colour) per bar."""
    top = max([n for _, n, _ in bars] + [1])
    row_h, label_w, bar_w = 22, 110, 220
    h = row_h * len(bars) + 28
    parts = [f'<svg id="{chart_id}" role="img" aria-label="{_e(title)}" width="{label_w + bar_w + 50}" '
             f'height="{h}" xmlns="http://www.w3.org/2000/svg">',
             f'<text x="0" y="14" font-size="13" font-weight="600">{_e(title)}</text>']
    for i, (label, n, colour) in enumerate(bars):
        y = 24 + i * row_h
        w = 0 if n == 0 else max(2, round(bar_w * n / top))
        parts.append(f'<text x="0" y="{y + 14}" font-size="12">{_e(label)}</text>'
                     f'<rect class="bar" data-label="{_e(label)}" data-count="{n}" x="{label_w}" y="{y + 3}" '
                     f'width="{w}" height="14" fill="{colour}"/>'
                     f'<text x="{label_w + w + 6}" y="{y + 14}" font-size="12">{n}</text>')
    parts.append("</svg>")
    return "".join(parts)


def when(iso: str) -> str:
    """'2026-10-01 14:05' from an ISO 8601 time: two runs a day stay apart."""
    return iso[:16].replace("T", " ") if len(iso) >= 16 else iso


def trend_chart(points: Sequence[Tuple[str, float]], chart_id: str = "chart-trend", target: str = "") -> str:
    """Score over time as an inline SVG line chart (0-100 scale), of one target."""
    w, h, pad = 520, 190, 30
    n = len(points)
    xs = [pad + (w - 2 * pad) * (i / (n - 1) if n > 1 else 0.5) for i in range(n)]
    ys = [h - pad - 10 - (h - 2 * pad - 10) * max(0.0, min(100.0, s)) / 100 for _, s in points]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys))
    dots = "".join(f'<circle class="pt" data-time="{_e(t)}" cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#1565c0">'
                   f'<title>{_e(when(t))} UTC: score {s}</title></circle>' for (t, s), x, y in zip(points, xs, ys))
    grid = "".join(f'<line x1="{pad}" x2="{w - pad}" y1="{h - pad - 10 - (h - 2 * pad - 10) * g / 100:.1f}" '
                   f'y2="{h - pad - 10 - (h - 2 * pad - 10) * g / 100:.1f}" stroke="#e0e0e0"/>'
                   f'<text x="2" y="{h - pad - 10 - (h - 2 * pad - 10) * g / 100 + 4:.1f}" font-size="10">{g}</text>'
                   for g in (0, 50, 100))
    first, last = _e(when(points[0][0])), _e(when(points[-1][0]))
    title = f"Score over {n} run{'s' if n != 1 else ''}" + (f": {target}" if target else "")
    return (f'<svg id="{chart_id}" class="trend" data-target="{_e(target)}" role="img" '
            f'aria-label="score trend of {_e(target)}" width="{w}" height="{h}" xmlns="http://www.w3.org/2000/svg">'
            f'<text x="{pad}" y="14" font-size="13" font-weight="600">{_e(title[:90])}</text>{grid}'
            f'<polyline fill="none" stroke="#1565c0" stroke-width="2" points="{line}"/>{dots}'
            f'<text class="axis" x="{pad}" y="{h - 8}" font-size="10">{first}</text>'
            f'<text class="axis" x="{w - pad}" y="{h - 8}" font-size="10" text-anchor="end">{last} UTC</text></svg>')


def trends(history: Sequence[Any], report: Report) -> str:
    """One chart per audited target: runs of different deployments never share a line."""
    series: Dict[str, List[Tuple[str, float]]] = {}
    for p in history:
        series.setdefault(getattr(p, "target", "") or report.target, []).append((p.started_at, float(p.score)))
    series.setdefault(report.target, []).append((report.started_at, report.summary.score))
    ordered = [report.target] + [t for t in series if t != report.target]   # this run's target first
    return "".join(f'<div class="card">{trend_chart(sorted(series[t]), "chart-trend" if i == 0 else f"chart-trend-{i + 1}", t)}</div>'
                   for i, t in enumerate(ordered))


def _reference(text: str) -> str:
    url = reference_url(text)
    if not url:
        return f"<li>{_e(text)}</li>"
    # A link the reader opens on purpose: the CSP governs what the page loads, not this.
    return f'<li><a href="{_e(url)}" rel="noopener noreferrer">{_e(text)}</a></li>'


def rich(text: str) -> str:
    """Escaped text with the rules' `code` spans as <code>, never literal backticks."""
    parts = " ".join(text.split()).split("`")
    if len(parts) % 2 == 0:            # an unpaired backtick: show the text as written
        return _e(" ".join(text.split()))
    return "".join(f"<code>{_e(p)}</code>" if i % 2 else _e(p) for i, p in enumerate(parts))


# Rows whose fix is shown in the row itself (the reader has something to do).
_FIX_SHOWN = (Status.FAIL, Status.WARN, Status.MANUAL)


def _fix(r: RuleResult) -> str:
    return f'<div class="fix"><b>Fix:</b> {rich(r.meta.remediation)}</div>' if r.status in _FIX_SHOWN else ""


def _doc(r: RuleResult) -> str:
    m = r.meta
    out = ["<details class=\"doc\"><summary>rule documentation</summary>", f"<p><b>Why:</b> {rich(m.rationale)}</p>"]
    if r.status not in _FIX_SHOWN:
        out.append(f"<p><b>Fix:</b> {rich(m.remediation)}</p>")
    if m.paths:
        out.append("<p><b>Checks:</b> " + ", ".join(f"<code>{_e(p)}</code>" for p in m.paths) + "</p>")
    if m.example:
        out.append(f"<p><b>Failing example</b></p><pre>{_e(m.example)}</pre>")
    if m.fix_example:
        out.append(f"<p><b>Fixed</b></p><pre>{_e(m.fix_example)}</pre>")
    refs = [f"Secure Deployment guidance: {m.section}", *m.references]
    out.append("<p><b>References:</b></p><ul>" + "".join(_reference(x) for x in refs) + "</ul>")
    out.append(f"<p class=\"ev\">applies to NSO {_e(', '.join(m.versions))}; tags: {_e(', '.join(m.tags))}</p>")
    out.append("</details>")
    return "".join(out)


def _findings_cell(r: RuleResult) -> str:
    items = []
    for f in r.findings:
        ev = "; ".join(f"{k}: {v}" for k, v in f.evidence)
        loc = ""
        if f.location is not None:
            loc = f" <span class=\"ev\">at {_e(f.location.file)}{':' + str(f.location.line) if f.location.line else ''}</span>"
        obj = f"<b>{_e(f.object)}</b>: " if f.object else ""
        waiver = f"<div class=\"ev\">waived: {_e(f.waiver)}</div>" if f.waiver else ""
        if f.acceptance:
            waiver += f"<div class=\"ev\">{_e(f.acceptance)}</div>"
        items.append(f"<li>{_badge(f.status.value, _STATUS_COLOUR[f.status.value])} {obj}{rich(f.message)}{loc}"
                     + (f"<div class=\"ev\">{_e(ev)}</div>" if ev else "") + waiver + "</li>")
    return "<ul class=\"f\">" + "".join(items) + "</ul>"


def _row(r: RuleResult) -> str:
    st, sev = r.status.value, r.meta.severity.value
    return (f'<tr data-rule="{_e(r.rule_id)}" data-severity="{sev}" data-sev-rank="{r.meta.severity.rank}" '
            f'data-status="{st}" '
            f'data-problem="{1 if st in _PROBLEMS else 0}">'
            f"<td><code>{_e(r.rule_id)}</code></td><td>{_badge(sev, _SEV_COLOUR[sev])}</td>"
            f"<td>{_badge(st, _STATUS_COLOUR[st])}</td>"
            f"<td><b>{_e(r.meta.title)}</b><div>{rich(r.message)}</div>{_fix(r)}{_doc(r)}</td>"
            f"<td>{_findings_cell(r)}</td></tr>")


_LETTER = {"pass": "P", "fail": "F", "warn": "W", "manual": "M", "error": "E", "waived": "V", "accepted": "A",
           "not-applicable": "-"}
_QUIET = ("pass", "not-applicable")


def node_matrix(report: Report) -> str:
    """Nodes x rules of a fleet report: one row per node, one column per rule that is not
    passing (or not applicable) on every node; the rest are counted, not drawn."""
    if not report.nodes:
        return ""
    rule_ids = list(dict.fromkeys(rid for n in report.nodes for rid, _ in n.statuses))
    per_node = [dict((rid, st.value) for rid, st in n.statuses) for n in report.nodes]
    cols = [rid for rid in rule_ids if any(m.get(rid, "not-applicable") not in _QUIET for m in per_node)]
    quiet = len(rule_ids) - len(cols)
    head = "".join(f'<th class="rc"><code>{_e(rid)}</code></th>' for rid in cols)
    rows = []
    for n, m in zip(report.nodes, per_node):
        cells = []
        for rid in cols:
            st = m.get(rid, "not-applicable")
            cells.append(f'<td class="mc" data-rule="{_e(rid)}" data-status="{st}" title="{_e(n.info.name)} '
                         f'{_e(rid)}: {st}">{_badge(_LETTER[st], _STATUS_COLOUR[st])}</td>')
        fp = n.info.keys_fingerprint or n.info.keys_state or "-"
        rows.append(f'<tr data-node="{_e(n.info.name)}"><td><b>{_e(n.info.name)}</b></td>'
                    f"<td>{_e(n.info.cluster or '-')}</td><td>{n.score}</td><td><code>{_e(fp)}</code></td>"
                    + "".join(cells) + "</tr>")
    legend = ", ".join(f"{v} {k}" for k, v in _LETTER.items())
    clusters = "".join(
        f'<tr data-cluster="{_e(name)}"><td><b>{_e(name)}</b></td><td>{_e(", ".join(members))}</td><td>'
        + " ".join(f'<span data-rule="{_e(rid)}" data-status="{st.value}"><code>{_e(rid)}</code> '
                   f'{_badge(st.value, _STATUS_COLOUR[st.value])}</span>' for rid, st in verdicts)
        + "</td></tr>" for name, members, verdicts in cluster_rows(report))
    if clusters:
        clusters = ('<h3>HA clusters</h3><table id="clusters"><thead><tr><th>cluster</th><th>members</th>'
                    f"<th>cross-node rules</th></tr></thead><tbody>{clusters}</tbody></table>")
    return ("<section><h2>Nodes &times; rules</h2>" + clusters +
            f"<p class=\"ev\">{len(report.nodes)} nodes; {len(cols)} rules with a problem on some node shown "
            f"({legend}); {quiet} rules pass or do not apply on every node.</p>"
            '<div style="overflow-x:auto"><table id="node-matrix"><thead><tr><th>node</th><th>cluster</th>'
            f"<th>score</th><th>keys fingerprint</th>{head}</tr></thead><tbody>"
            + "".join(rows) + "</tbody></table></div></section>")


def _options(values: Sequence[Tuple[str, str]], selected: str = "") -> str:
    return "".join(f'<option value="{_e(v)}"{" selected" if v == selected else ""}>{_e(t)}</option>'
                   for v, t in values)


def render(report: Report, options: Any = None) -> str:
    history = tuple(getattr(options, "history", ()) or ())
    s = report.summary
    by_status = dict(s.by_status)
    rows = sorted(report.results, key=lambda r: (-r.status.badness, -r.meta.severity.rank, r.rule_id))
    status_chart = bar_chart("Rules by status", [(k, by_status[k], _STATUS_COLOUR[k]) for k in by_status],
                             "chart-status")
    sev_counts = {sv.value: 0 for sv in Severity}
    for r in report.results:
        if r.status in (Status.FAIL, Status.ERROR, Status.WARN):
            sev_counts[r.meta.severity.value] += 1
    sev_chart = bar_chart("Open findings by severity", [(k, n, _SEV_COLOUR[k]) for k, n in sev_counts.items()],
                          "chart-severity")
    trend = trends(history, report) if history else ""
    notes = ""
    if report.notes:
        notes = ("<section><h2>Notes</h2><ul class=\"notes\">"
                 + "".join(f"<li>{_e(n)}</li>" for n in report.notes) + "</ul></section>")
    status_opts = [("problems", ", ".join(_PROBLEMS)), ("", "all statuses")] + \
        [(k, k) for k in by_status]
    # "this severity or higher", as --min-severity and --fail-on read it.
    sev_opts = [("", "all severities")] + [(sv.value, sv.value if sv is Severity.CRITICAL else f"{sv.value} or higher")
                                           for sv in Severity if sv is not Severity.INFO]
    parts: List[str] = [
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">",
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">",
        "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">",
        f"<title>secure-deploy audit: score {s.score}</title><style>{_CSS}</style>",
        f"<script>{_JS.replace('%SEV_RANK%', _SEV_RANK_JS)}</script></head><body>",
        "<header><h1>secure-deploy audit</h1>",
        f"<p class=\"meta\">target: {_e(report.target)}</p>",
        f"<p class=\"meta\">{_e(report.nso_version.statement)}</p>",
        f"<p class=\"meta\">run at {_e(report.started_at)} by secure-deploy {_e(report.tool_version)}</p>",
        "</header><main><div id=\"sd-errors\"></div>",
        "<div class=\"cards\">",
        f"<div class=\"card\"><div class=\"sub\">score</div><div class=\"score\" id=\"score\">{s.score}</div>"
        f"<div class=\"sub\">{s.score_without_waivers} without waivers &middot; {s.total} rules</div></div>",
        f"<div class=\"card\">{status_chart}</div><div class=\"card\">{sev_chart}</div>{trend}</div>",
        notes,
        node_matrix(report),
        checklist_html(report),
        "<section><h2>Findings</h2><div class=\"filters\">",
        f"<label>severity <select id=\"f-sev\">{_options(sev_opts)}</select></label>",
        f"<label>status <select id=\"f-status\">{_options(status_opts, 'problems')}</select></label>",
        "<label>search <input id=\"f-text\" type=\"search\" placeholder=\"rule, object, text\"></label>",
        "<span id=\"f-count\"></span> <span id=\"sd-status\" data-state=\"loading\" hidden>loading</span></div>",
        "<table id=\"findings\"><thead><tr><th>rule</th><th>severity</th><th>status</th>"
        "<th>check</th><th>findings</th></tr></thead><tbody>",
        *(_row(r) for r in rows),
        "</tbody></table></section></main></body></html>",
    ]
    return "\n".join(parts) + "\n"
