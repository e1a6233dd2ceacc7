/**
 * The record behind the reports: `traderv3 report --html FILE` over a PGlite database filled
 * through the repositories, and the dashboard's record endpoints (equity from the ledger, the
 * reconciliation log) over the same data.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBus } from '../../src/bus.js';
import { runReport } from '../../src/cli/report.js';
import { createRepositories, type Database, migrate, openDatabase } from '../../src/persistence/index.js';
import { buildFigures, loadRecord, recordView } from '../../src/report/index.js';
import { buildServer, type TraderView } from '../../src/server/index.js';

let dir: string;
let database: Database;
let sessionId: string;
const T0 = Date.UTC(2026, 10, 29, 23, 59, 0);
const at = (s: number) => new Date(T0 + s * 1000);
const TICKER = 'KXTEST-26NOV30-T50';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tv3-report-'));
  database = await openDatabase({ dataDir: dir });
  await migrate(database);
  const repos = createRepositories(database);
  sessionId = (
    await repos.sessions.start({ environment: 'sim', config: {}, dryRun: false, startedAt: at(0) })
  ).id;
  const fill = (
    fillId: string,
    bookSide: 'bid' | 'ask',
    yesPrice: number,
    count: number,
    fee: number,
    s: number,
  ) => ({
    fillId,
    sessionId,
    orderId: `o-${fillId}`,
    ticker: TICKER,
    bookSide,
    yesPrice,
    count,
    fee,
    isTaker: true,
    createdAt: at(s),
    receivedAt: at(s),
  });
  // Bought 5 YES at $0.40 (fee $0.02), then sold 2 at $0.50 (fee $0.01) — after midnight UTC.
  await repos.fills.insertMany([
    fill('f1', 'bid', 4_000, 500, 20_000, 10),
    fill('f2', 'ask', 5_000, 200, 10_000, 120),
  ]);
  const l = (
    s: number,
    kind: 'fill' | 'fee' | 'reconciliation',
    ref: string,
    amount: number,
    balanceAfter: number,
    ticker: string | null = TICKER,
  ) => ({
    sessionId,
    at: at(s),
    kind,
    ticker,
    ref,
    amount,
    balanceAfter,
  });
  await repos.ledger.insertMany([
    l(1, 'reconciliation', `${sessionId}#1`, 100_000_000, 100_000_000, null),
    l(10, 'fill', 'f1', -2_000_000, 98_000_000),
    l(10, 'fee', 'f1', -20_000, 97_980_000),
    l(120, 'fill', 'f2', 1_000_000, 98_980_000),
    l(120, 'fee', 'f2', -10_000, 98_970_000),
    l(200, 'reconciliation', `${sessionId}#2`, 500_000, 99_470_000, null),
  ]);
  await repos.bulk.insertRiskEvents([
    {
      sessionId,
      at: at(150),
      kind: 'position_drift',
      reason: TICKER,
      detail: 'local 300 vs exchange 400',
      data: { ticker: TICKER, local: 300, exchange: 400 },
    },
  ]);
}, 60_000);

afterAll(async () => {
  await database?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('report figures', () => {
  it('replays the ledger into equity at cost, P&L by market and day, and the reconciliation log', async () => {
    const f = buildFigures(await loadRecord(database, { sessionId }));
    expect(f.equity.map((p) => p.equity)).toEqual([
      100_000_000, 100_000_000, 99_980_000, 100_180_000, 100_170_000, 100_670_000,
    ]);
    expect(f.byMarket).toEqual([{ key: TICKER, realized: 200_000, fees: 30_000, net: 170_000, fills: 2 }]);
    expect(f.byDay.map((d) => d.key)).toEqual(['2026-11-29', '2026-11-30']);
    expect(f.reconciliation.map((r) => [r.kind, r.amount])).toEqual([
      ['balance', 100_000_000],
      ['position_drift', 100],
      ['balance', 500_000],
    ]);
  });
});

describe('traderv3 report --html', () => {
  it('writes one self-contained file with every section and the data', async () => {
    const file = join(dir, 'report.html');
    const out: string[] = [];
    // The command opens the database itself: close ours first (PGlite is single-process).
    await database.close();
    const code = await runReport(
      { dataDir: dir, limit: 50, session: sessionId.slice(0, 8), html: file },
      {},
      { stdout: (t) => out.push(t), stderr: (t) => out.push(t), tty: false },
    );
    database = await openDatabase({ dataDir: dir });
    expect(code).toBe(0);
    expect(JSON.parse(out.join(''))).toEqual({ report: { file, fills: 2, points: 6 } });
    const html = readFileSync(file, 'utf8');
    for (const id of ['summary', 'equity', 'drawdown', 'pnl-market', 'pnl-day', 'fills', 'reconciliation']) {
      expect(html).toContain(`<section id="${id}">`);
    }
    expect(html).toContain(`<td>${TICKER}</td><td>2</td><td>$0.2000</td><td>$0.0300</td><td>$0.1700</td>`);
    expect(html).toContain('<td>2026-11-30</td>');
    expect(html).toContain('<td>position drift</td>');
    expect(html).toContain('<td>1.00 contracts</td>');
    expect(html).toContain('Max drawdown</td><td>$0.0200 (0.02%)');
    // Self-contained: uPlot inline, nothing fetched from elsewhere.
    expect(html).toContain('var uPlot');
    expect(html).not.toMatch(/(src|href)=["']https?:/);
    expect(html).toContain('"equity":[100,100,99.98,100.18,100.17,100.67]');
  }, 60_000);
});

describe('dashboard record endpoints', () => {
  it('serve the equity curve from the ledger and the reconciliation log', async () => {
    const view: TraderView = {
      bus: createBus(),
      control: {
        status: async () => ({}),
        sync: async () => ({}),
        halt: async () => ({}),
        resume: async () => ({}),
        cancelAll: async () => ({}),
      },
      snapshot: () => ({ at: 0 }),
      record: recordView(database, sessionId),
    };
    const { app } = await buildServer({ view });
    try {
      const eq = (await app.inject({ url: '/api/equity' })).json();
      expect(eq).toMatchObject({
        source: 'record',
        is_empty: false,
        state_missing: false,
        max_drawdown: '0.0200',
        max_drawdown_pct: '0.02',
      });
      expect(eq.points.at(-1)).toMatchObject({ equity: '100.6700', peak: '100.6700', drawdown: '0.0000' });
      const rec = (await app.inject({ url: '/api/reconciliation' })).json();
      expect(rec.entries.map((e: { kind: string; amount: string }) => [e.kind, e.amount])).toEqual([
        ['balance', '100.0000'],
        ['position_drift', '1.00'],
        ['balance', '0.5000'],
      ]);
      expect((await app.inject({ url: '/api/equity?session=not-a-uuid!' })).statusCode).toBe(400);
    } finally {
      await app.close();
    }
  });
});
