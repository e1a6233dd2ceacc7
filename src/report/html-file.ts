/**
 * `traderv3 report --html FILE [--session ID | --from ISO --to ISO]`: the self-contained HTML
 * report (src/report) of one session or a time range, written to FILE.
 */
import { writeFileSync } from 'node:fs';
import type { Database } from '../persistence/index.js';
import { buildFigures } from './build.js';
import { renderHtmlReport } from './html.js';
import { loadRecord } from './record.js';

export interface HtmlReportOptions {
  html: string;
  sessionId?: string;
  from?: string;
  to?: string;
}

function time(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const t = Date.parse(value);
  if (Number.isNaN(t))
    throw new Error(`${flag} ${value}: not a date (use ISO-8601, e.g. 2026-11-30 or 2026-11-30T12:00:00Z)`);
  return t;
}

/** Writes the report; returns what it covered (for the command's one-line answer). */
export async function writeHtmlReport(
  database: Database,
  o: HtmlReportOptions,
  now: number = Date.now(),
): Promise<{ file: string; fills: number; points: number }> {
  const fromMs = time('--from', o.from);
  const toMs = time('--to', o.to);
  const record = await loadRecord(database, {
    ...(o.sessionId ? { sessionId: o.sessionId } : {}),
    ...(toMs !== undefined ? { toMs } : {}),
  });
  const figures = buildFigures(record, {
    ...(fromMs !== undefined ? { fromMs } : {}),
    ...(toMs !== undefined ? { toMs } : {}),
  });
  const scope = o.sessionId ? `session ${o.sessionId}` : `${o.from ?? 'the beginning'} to ${o.to ?? 'now'}`;
  const html = renderHtmlReport({
    title: `traderv3 report — ${scope}`,
    scope,
    generatedAt: now,
    figures,
    sessions: record.sessions,
  });
  writeFileSync(o.html, html);
  return { file: o.html, fills: figures.fills.length, points: figures.equity.length };
}
