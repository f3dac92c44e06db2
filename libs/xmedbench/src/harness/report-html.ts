import { LANGUAGES } from '@apollo/benchmark-items';
import { PAPER_ROWS, PAPER_SOURCES } from '../paper';
import type { ScoreSummary } from '../score';

/** The parts of results.json the report shows. */
export interface ReportInput {
  label: string;
  mode: string;
  alpha: number | null;
  createdAt: string;
  summary: ScoreSummary;
  config: Record<string, unknown>;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

const pct = (v: number | null | undefined) => (v === null || v === undefined ? '-' : (v * 100).toFixed(2));

function sourceRows(s: ScoreSummary): string {
  return Object.entries(s.bySource)
    .map(([key, v]) => {
      const ci = v.ci95 ? `${pct(v.ci95[0])}&ndash;${pct(v.ci95[1])}` : '-';
      return `<tr><td>${escapeHtml(key)}</td><td>${v.n}</td><td>${pct(v.accuracy)}</td><td>${pct(v.stderr)}</td><td>${ci}</td><td>${v.invalid}</td></tr>`;
    })
    .join('\n');
}

function paperRows(label: string, s: ScoreSummary): string {
  const rows = PAPER_ROWS.map(
    (r) => `<tr class="paper"><td>${escapeHtml(r.model)} (paper)</td>${PAPER_SOURCES.map((c) => `<td>${r.scores[c.key]!.toFixed(2)}</td>`).join('')}<td>${r.average.toFixed(2)}</td></tr>`,
  );
  const avg = pct(s.paper.average) + (s.paper.complete || s.paper.average === null ? '' : '*');
  rows.push(`<tr class="this"><td><b>${escapeHtml(label)}</b></td>${PAPER_SOURCES.map((c) => `<td>${pct(s.bySource[c.key]?.accuracy)}</td>`).join('')}<td>${avg}</td></tr>`);
  return rows.join('\n');
}

/**
 * Draws one SVG bar chart per language from the embedded data: a bar per source (accuracy,
 * with the 95% interval as an error bar) and a dashed line at the paper's Apollo-7B score where
 * the paper has one. Runs in the browser; kept free of dependencies so the file works offline.
 */
const CHART_SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var NS = 'http://www.w3.org/2000/svg';
  function el(name, attrs, text) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) e.setAttribute(k, String(attrs[k]));
    if (text !== undefined) e.textContent = text;
    return e;
  }
  var host = document.getElementById('charts');
  data.languages.forEach(function (lang) {
    var sources = lang.sources;
    var W = 120 + sources.length * 110, H = 260, top = 20, bottom = 60, left = 50;
    var plotH = H - top - bottom;
    var y = function (v) { return top + plotH * (1 - v); };
    var fig = document.createElement('figure');
    fig.className = 'chart';
    fig.setAttribute('data-language', lang.language);
    var svg = el('svg', { width: W, height: H, viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': 'accuracy by source, ' + lang.language });
    [0, 0.25, 0.5, 0.75, 1].forEach(function (t) {
      svg.appendChild(el('line', { x1: left, x2: W - 10, y1: y(t), y2: y(t), stroke: '#ddd' }));
      svg.appendChild(el('text', { x: left - 6, y: y(t) + 4, 'text-anchor': 'end', 'font-size': 11 }, Math.round(t * 100) + '%'));
    });
    sources.forEach(function (s, i) {
      var x = left + 20 + i * 110;
      var bar = el('rect', { x: x, y: y(s.accuracy), width: 60, height: Math.max(0, plotH * s.accuracy), fill: '#4a7ebb', 'class': 'bar', 'data-source': s.source });
      bar.appendChild(el('title', {}, s.source + ': ' + (s.accuracy * 100).toFixed(2) + '% (n=' + s.n + ')'));
      svg.appendChild(bar);
      if (s.ci95) svg.appendChild(el('line', { x1: x + 30, x2: x + 30, y1: y(s.ci95[1]), y2: y(s.ci95[0]), stroke: '#222', 'stroke-width': 1.5, 'class': 'ci' }));
      if (s.paper !== null) svg.appendChild(el('line', { x1: x - 6, x2: x + 66, y1: y(s.paper / 100), y2: y(s.paper / 100), stroke: '#c33', 'stroke-dasharray': '4 3', 'class': 'paper' }));
      svg.appendChild(el('text', { x: x + 30, y: H - bottom + 16, 'text-anchor': 'middle', 'font-size': 11 }, s.source));
      svg.appendChild(el('text', { x: x + 30, y: y(s.accuracy) - 4, 'text-anchor': 'middle', 'font-size': 10 }, (s.accuracy * 100).toFixed(1)));
    });
    var cap = document.createElement('figcaption');
    cap.textContent = lang.language + ': micro ' + (lang.micro * 100).toFixed(2) + '%, macro ' + (lang.macro * 100).toFixed(2) + '% (' + lang.n + ' items); dashed: Apollo-7B in the paper';
    fig.appendChild(svg);
    fig.appendChild(cap);
    host.appendChild(fig);
  });
  document.body.setAttribute('data-rendered', String(data.languages.length));
})();
`;

/** The paper's Apollo-7B score per source (the strongest open model of the paper), for the charts. */
const REFERENCE_ROW = PAPER_ROWS.find((r) => r.model === 'Apollo-7B')!;

/** A self-contained HTML page (no network): a chart per language, the per-source table, and the paper's table with this run beside. */
export function htmlReport(doc: ReportInput): string {
  const s = doc.summary;
  const languages = LANGUAGES.filter((l) => s.byLanguage[l]).map((l) => {
    const lang = s.byLanguage[l]!;
    return {
      language: l,
      micro: lang.micro.accuracy,
      macro: lang.macro,
      n: lang.micro.n,
      sources: lang.sources.map((key) => ({
        source: key,
        n: s.bySource[key]!.n,
        accuracy: s.bySource[key]!.accuracy,
        ci95: s.bySource[key]!.ci95,
        paper: REFERENCE_ROW.scores[key] ?? null,
      })),
    };
  });
  // Inside <script type="application/json">, only "</" could end the element early.
  const json = JSON.stringify({ languages }).replace(/</g, '\\u003c');
  const title = `XMedBench, ${doc.label}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
td, th { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
td:first-child, th:first-child { text-align: left; }
tr.this { background: #eef4ff; }
figure.chart { display: inline-block; margin: 0 2em 2em 0; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p>mode ${escapeHtml(doc.mode)}${doc.alpha !== null ? `, proxy alpha ${doc.alpha}` : ''}; ${s.overall.n} items; accuracy ${pct(s.overall.accuracy)}% (95% CI ${s.overall.ci95 ? `${pct(s.overall.ci95[0])}&ndash;${pct(s.overall.ci95[1])}` : '-'}); ${escapeHtml(doc.createdAt)}</p>
<h2>By language</h2>
<div id="charts"></div>
<h2>The paper's table</h2>
<table id="paper-table">
<tr><th>Model</th>${PAPER_SOURCES.map((c) => `<th>${escapeHtml(c.paperColumn!)}</th>`).join('')}<th>Avg</th></tr>
${paperRows(doc.label, s)}
</table>
<h2>By source</h2>
<table id="source-table">
<tr><th>source</th><th>n</th><th>acc %</th><th>stderr</th><th>95% CI</th><th>invalid</th></tr>
${sourceRows(s)}
</table>
<script type="application/json" id="report-data">${json}</script>
<script>${CHART_SCRIPT}</script>
</body>
</html>
`;
}
