/**
 * The self-contained HTML report: one file with inline CSS, inline uPlot (its JS and CSS read from
 * the installed package) and the data as JSON — it opens offline, from anywhere.
 *
 * Sections: summary, equity curve, drawdown, P&L by market, P&L by day, fills, reconciliation log.
 * Every string from the record is HTML-escaped; the embedded JSON escapes `<` so no value can end
 * the script element.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { formatCount, formatDollars, formatPrice } from '../kalshi/index.js';
import type { ReportFigures } from './build.js';
import { drawdownSeries, maxDrawdown } from './equity.js';

export interface HtmlReportInput {
  readonly title: string;
  readonly scope: string;
  readonly generatedAt: number;
  readonly figures: ReportFigures;
  readonly sessions: ReadonlyArray<{
    id: string;
    environment: string;
    status: string;
    startedAt: number;
    endedAt: number | null;
  }>;
}

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const money = (m: number) => `${m < 0 ? '-' : ''}$${formatDollars(Math.abs(m))}`;

function uplotAssets(): { js: string; css: string } {
  const require = createRequire(import.meta.url);
  const js = readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
  const css = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');
  return { js, css };
}

function table(id: string, headers: string[], rows: string[][], empty: string): string {
  if (rows.length === 0) return `<p class="empty" id="${id}-empty">${esc(empty)}</p>`;
  return `<table id="${id}"><thead><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

export function renderHtmlReport(input: HtmlReportInput): string {
  const { figures } = input;
  const dd = drawdownSeries(figures.equity);
  const worst = maxDrawdown(dd);
  const first = figures.equity[0]?.equity;
  const last = figures.equity.at(-1)?.equity;
  const totals = figures.byMarket.reduce(
    (a, r) => ({ realized: a.realized + r.realized, fees: a.fees + r.fees }),
    { realized: 0, fees: 0 },
  );
  const chartData = {
    t: dd.map((p) => p.at / 1000),
    equity: dd.map((p) => p.equity / 1_000_000),
    drawdown: dd.map((p) => -p.drawdownBps / 100),
  };
  const json = JSON.stringify(chartData).replace(/</g, '\\u003c');
  const { js, css } = uplotAssets();
  const pnlRows = (rows: ReportFigures['byMarket']) =>
    rows.map((r) => [r.key, String(r.fills), money(r.realized), money(r.fees), money(r.net)]);
  const summary = [
    ['Scope', input.scope],
    [
      'Sessions',
      input.sessions.map((s) => `${s.id.slice(0, 8)} (${s.environment}, ${s.status})`).join(', ') || '—',
    ],
    ['First equity', first === undefined ? '—' : money(first)],
    ['Last equity', last === undefined ? '—' : money(last)],
    ['Realized P&L', money(totals.realized)],
    ['Fees', money(totals.fees)],
    ['Net P&L', money(totals.realized - totals.fees)],
    ['Max drawdown', `${money(worst.drawdown)} (${(worst.drawdownBps / 100).toFixed(2)}%)`],
    ['Fills', String(figures.fills.length)],
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(input.title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>${css}
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1100px;padding:16px;color:#1f2933}
h1{font-size:20px}h2{font-size:15px;margin-top:28px;border-bottom:1px solid #e4e7ec;padding-bottom:4px}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}th,td{text-align:left;padding:3px 8px;border-bottom:1px solid #eef0f3}
th{color:#667085;font-weight:600}.empty{color:#667085;font-style:italic}.muted{color:#667085}</style></head>
<body>
<h1>${esc(input.title)}</h1>
<p class="muted">Generated ${esc(iso(input.generatedAt))}. Money in dollars; equity = cash + open positions at cost (from the ledger).</p>
<section id="summary"><h2>Summary</h2>${table('summary-table', ['', ''], summary, '')}</section>
<section id="equity"><h2>Equity curve</h2><div id="equity-chart"></div>${figures.equity.length === 0 ? '<p class="empty">No ledger entries with a balance in this scope.</p>' : ''}</section>
<section id="drawdown"><h2>Drawdown</h2><div id="drawdown-chart"></div></section>
<section id="pnl-market"><h2>P&amp;L by market</h2>${table('pnl-market-table', ['market', 'fills', 'realized', 'fees', 'net'], pnlRows(figures.byMarket), 'No P&L in this scope.')}</section>
<section id="pnl-day"><h2>P&amp;L by day (UTC)</h2>${table('pnl-day-table', ['day', 'fills', 'realized', 'fees', 'net'], pnlRows(figures.byDay), 'No P&L in this scope.')}</section>
<section id="fills"><h2>Fills</h2>${table(
    'fills-table',
    ['time', 'market', 'side', 'contracts', 'YES price', 'fee', 'taker'],
    figures.fills.map((f) => [
      iso(f.at),
      f.ticker,
      f.bookSide === 'bid' ? 'buy YES' : 'sell YES',
      formatCount(f.count),
      formatPrice(f.yesPrice),
      money(f.fee),
      f.isTaker ? 'yes' : 'no',
    ]),
    'No fills in this scope.',
  )}</section>
<section id="reconciliation"><h2>Reconciliation log</h2>${table(
    'reconciliation-table',
    ['time', 'kind', 'market', 'amount', 'detail'],
    figures.reconciliation.map((r) => [
      iso(r.at),
      r.kind === 'balance' ? 'balance' : 'position drift',
      r.ticker ?? '—',
      r.kind === 'balance' ? money(r.amount) : `${(r.amount / 100).toFixed(2)} contracts`,
      r.detail,
    ]),
    'No reconciliation entries in this scope.',
  )}</section>
<script id="report-data" type="application/json">${json}</script>
<script>${js}</script>
<script>
(function () {
  var d = JSON.parse(document.getElementById('report-data').textContent);
  if (!d.t.length) return;
  var range = function (u) { var xs = u.data[0]; var lo = xs[0], hi = xs[xs.length - 1]; return lo === hi ? [lo - 60, hi + 60] : [lo, hi]; };
  var yr = function (_u, lo, hi) { return lo === hi ? [lo - 1, hi + 1] : [lo, hi]; };
  function chart(el, label, values, color) {
    new uPlot({ width: Math.min(1060, window.innerWidth - 40), height: 240, scales: { x: { time: true, range: range }, y: { range: yr } },
      series: [{}, { label: label, stroke: color, width: 2, fill: color + '22' }], axes: [{}, { label: label, size: 70 }] },
      [d.t, values], document.getElementById(el));
  }
  chart('equity-chart', 'equity $', d.equity, '#2563eb');
  chart('drawdown-chart', 'drawdown %', d.drawdown, '#dc2626');
})();
</script>
</body></html>
`;
}
