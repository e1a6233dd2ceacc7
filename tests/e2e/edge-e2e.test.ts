/**
 * End to end: `traderv3 start --strategy edge` as a child process against a simulator in this test
 * process, forecasts from the simulator's NWS-shaped service over the loopback port. Checked against
 * the simulator's own order list:
 *  - out of the box (no edge config, the shipped classifier, every simulator city): orders reach the
 *    exchange within a run of 45 s;
 *  - live: the trader places post-only maker orders on the weather ladder it evaluates;
 *  - --dry-run: everything is evaluated and recorded (decisions, would-be orders), nothing is sent.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../src/exchange-sim/index.js';
import { simStartArgs, spawnTrader, type TraderProcess } from './harness.js';

const running: TraderProcess[] = [];
const dirs: string[] = [];
let sim: Simulator;

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'tv3-edge-'));
  dirs.push(d);
  return d;
}

beforeAll(async () => {
  sim = await startSimulator({ seed: 3, markets: 94, ratePerSec: 20, weather: {} });
});
afterEach(() => {
  for (const t of running.splice(0)) t.kill();
});
afterAll(async () => {
  await sim?.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A config that trades on any edge, so a run of seconds always has something to do. */
function eagerConfig(dir: string): string {
  const file = join(dir, 'edge.json');
  writeFileSync(
    file,
    JSON.stringify({
      enabled_cities: ['chicago'],
      require_classifier: false,
      edge_threshold_degf: 0.05,
      min_bracket_edge_cents: 0,
    }),
  );
  return file;
}

/** Forecasts from the test's simulator (the embedded one serves them to `--forecast-source sim`). */
const forecastFlags = () => [
  '--forecast-source',
  'nws',
  '--nws-url',
  sim.forecastUrl,
  '--nws-contact',
  'tests@example.invalid',
];

/**
 * Runs the edge trader until `done` holds (checked every 250 ms), then stops it with SIGTERM — a
 * graceful stop that flushes the record; `--duration` bounds the run when it never holds.
 */
async function runEdge(
  extra: string[],
  done: (account: string, t: TraderProcess) => boolean,
  defaults = false,
): Promise<{ dir: string; account: string; t: TraderProcess }> {
  const dir = tempDir();
  const creds = sim.createAccount();
  const account = sim.accountOf(creds.key_id)!;
  const tuned = defaults
    ? ['--duration', '45']
    : [
        '--edge-config',
        eagerConfig(dir),
        '--edge-model',
        'none',
        '--edge-cycle-ms',
        '2000',
        '--duration',
        '25',
      ];
  const t = spawnTrader([
    ...simStartArgs(creds, dir),
    '--strategy',
    'edge',
    ...forecastFlags(),
    ...tuned,
    '--data-dir',
    join(dir, 'data'),
    ...extra,
  ]);
  running.push(t);
  expect(await t.stopWhen(() => done(account, t)), t.tail()).toBe(0);
  return { dir, account, t };
}

async function rows(dir: string, sql: string): Promise<Record<string, unknown>[]> {
  const db = new PGlite(join(dir, 'data', 'pgdata'));
  try {
    return (await db.query<Record<string, unknown>>(sql)).rows;
  } finally {
    await db.close();
  }
}

describe('traderv3 start --strategy edge', () => {
  it('out of the box (default config and classifier, every simulator city) sends orders within 45 s', async () => {
    const { dir, account, t } = await runEdge([], (a) => sim.core.orders(a).length > 0, true);
    // The exchange's own order list, not the trader's logs.
    const placed = sim.core.orders(account);
    expect(placed.length, t.tail()).toBeGreaterThan(0);
    expect(placed.every((o) => o.ticker.startsWith('KXHIGH'))).toBe(true);
    expect(placed.some((o) => o.postOnly)).toBe(true);
    // Each came through the classifier: the trade decisions carry its probability.
    const trades = await rows(
      dir,
      "select details->>'edge_classifier_prob' as p from decisions where strategy = 'edge' and action = 'trade'",
    );
    expect(trades.length).toBeGreaterThan(0);
    expect(trades.every((r) => r.p !== null)).toBe(true);
  }, 240_000);

  it('places post-only maker orders on the weather ladder and records them with their bracket', async () => {
    const { dir, account, t } = await runEdge([], (a) => sim.core.orders(a).some((o) => o.postOnly));
    const placed = sim.core.orders(account);
    expect(placed.length, t.tail()).toBeGreaterThan(0);
    expect(placed.every((o) => o.ticker.startsWith('KXHIGHCHI-'))).toBe(true);
    const makers = placed.filter((o) => o.postOnly);
    expect(makers.length).toBeGreaterThan(0);
    const recorded = await rows(
      dir,
      'select client_order_id, bracket_label, maker_timeout_ms, dry_run from edge_orders',
    );
    const ids = new Set(makers.map((o) => o.clientOrderId));
    expect(recorded.some((r) => ids.has(String(r.client_order_id)) && r.dry_run === false)).toBe(true);
    const decisions = await rows(
      dir,
      "select details from decisions where strategy = 'edge' and details ? 'forecast_implied_temp'",
    );
    expect(decisions.length).toBeGreaterThan(0);
    const forecasts = await rows(dir, 'select issued_at, seen_at from forecasts');
    expect(forecasts.length).toBeGreaterThan(0);
  }, 120_000);

  it('--dry-run evaluates and records every decision but sends nothing to the exchange', async () => {
    // Stopped once a would-be order shows (a decision line: debug), after the exchange saw nothing.
    const { dir, account, t } = await runEdge(['--dry-run', '--log-level', 'debug'], (_a, trader) =>
      trader.lines.some((l) => l.event === 'decision' && l.reason === 'dry_run'),
    );
    expect(sim.core.orders(account), t.tail()).toHaveLength(0);
    const wouldBe = await rows(
      dir,
      "select client_order_id from decisions where strategy = 'edge' and reason = 'dry_run'",
    );
    expect(wouldBe.length, t.tail()).toBeGreaterThan(0);
    const recorded = await rows(dir, 'select dry_run from edge_orders');
    expect(recorded.length).toBeGreaterThan(0);
    expect(recorded.every((r) => r.dry_run === true)).toBe(true);
  }, 120_000);
});
