/**
 * End to end: `traderv3 start` as a child process, trading over real sockets.
 * - On the embedded simulator: the machine walks STARTUP → … → READY ⇄ ACTING, fills happen,
 *   and a --duration run exits 0 with the summary as its last line.
 * - Against a simulator in this test process (so the exchange's books can be read afterwards):
 *   at shutdown the trader's positions equal the exchange's, resting orders were canceled, and
 *   after a dropped WebSocket the trader goes through ERROR, re-calibrates and trades again
 *   without ever doubling an order.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type SimCredentials, type Simulator, startSimulator } from '../../src/exchange-sim/index.js';
import { collect, KalshiRestClient } from '../../src/kalshi/rest.js';
import { createSigner } from '../../src/kalshi/signer.js';
import { parseSignedCount } from '../../src/kalshi/units.js';
import { type LogLine, simStartArgs, spawnTrader, type TraderProcess } from './harness.js';

const running: TraderProcess[] = [];
const dirs: string[] = [];

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'tv3-e2e-'));
  dirs.push(d);
  return d;
}

afterEach(() => {
  for (const t of running.splice(0)) t.kill();
});

afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function summaryOf(t: TraderProcess): LogLine {
  const last = t.lines[t.lines.length - 1];
  expect(last?.event, t.tail()).toBe('summary');
  return last!;
}

describe('traderv3 start --env sim (embedded simulator)', () => {
  it('walks the machine to READY, trades, and exits 0 with a summary after --duration', async () => {
    const t = spawnTrader([
      'start',
      '--env',
      'sim',
      '--duration',
      '20',
      '--markets',
      '3',
      '--data-dir',
      tempDir(),
    ]);
    running.push(t);
    const code = await t.exited;
    expect(code, t.tail()).toBe(0);
    const states = t.states();
    expect(states.slice(0, 5), t.tail()).toEqual([
      'STARTUP',
      'ORDERBOOK_CONNECT',
      'TRADING_CLIENT_CONNECT',
      'CALIBRATING',
      'READY',
    ]);
    // READY ⇄ ACTING is at debug: trading shows as orders that reached the exchange.
    expect(
      t.lines.some((l) => l.event === 'order' && typeof l.order_id === 'string'),
      t.tail(),
    ).toBe(true);
    const summary = summaryOf(t);
    expect(summary.states).toEqual(
      expect.arrayContaining([
        'STARTUP',
        'ORDERBOOK_CONNECT',
        'TRADING_CLIENT_CONNECT',
        'CALIBRATING',
        'READY',
        'ACTING',
      ]),
    );
    expect(summary.fills as number).toBeGreaterThan(0);
    expect(summary.orders_placed as number).toBeGreaterThan(0);
    expect(typeof summary.realized_pnl_dollars).toBe('string');
  }, 90_000);
});

describe('traderv3 start against a simulator it does not own', () => {
  let sim: Simulator;

  beforeAll(async () => {
    sim = await startSimulator({ seed: 99, markets: 6, ratePerSec: 20 });
  });

  afterAll(async () => {
    await sim.close();
  });

  function exchangeClient(creds: SimCredentials): KalshiRestClient {
    return new KalshiRestClient({
      baseUrl: creds.rest_url,
      signer: createSigner({ keyId: creds.key_id, privateKeyPem: creds.private_key_pem }),
    });
  }

  async function exchangePositions(rest: KalshiRestClient): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const p of await collect(rest.allPositions())) {
      const count = parseSignedCount(p.position_fp);
      if (count !== 0) out[p.ticker] = count / 100;
    }
    return out;
  }

  function nonZero(positions: unknown): Record<string, number> {
    return Object.fromEntries(Object.entries(positions as Record<string, number>).filter(([, v]) => v !== 0));
  }

  it('recovers from a dropped WebSocket through ERROR and re-calibration, never doubling an order', async () => {
    const creds = sim.createAccount({ balance: 1_000_000_000 });
    const t = spawnTrader([...simStartArgs(creds, tempDir()), '--markets', '3', '--data-dir', tempDir()]);
    running.push(t);
    await t.waitForState('READY', 30_000);
    await t.waitForOrderSent(30_000);

    const from = t.lines.length;
    expect(sim.applyFault({ action: 'drop_ws_connections' }).dropped).toBeGreaterThanOrEqual(1);
    await t.waitForState('ERROR', 15_000, from);
    const calibrated = await t.waitForState('CALIBRATING', 30_000, from);
    await t.waitForState('READY', 30_000, t.lines.indexOf(calibrated));
    await t.waitForOrderSent(30_000, t.lines.indexOf(calibrated));

    t.kill('SIGTERM');
    expect(await t.exited, t.tail()).toBe(0);
    const summary = summaryOf(t);

    const rest = exchangeClient(creds);
    const orders = await collect(rest.allOrders());
    const ids = orders.map((o) => o.client_order_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(orders.length).toBe(summary.orders_placed);
    expect(orders.filter((o) => o.status === 'resting')).toEqual([]);
    expect(nonZero(summary.positions)).toEqual(await exchangePositions(rest));
  }, 120_000);

  it('leaves its resting orders alone with --keep-orders and still matches the exchange', async () => {
    // An exchange of its own whose background traders stop when the trader starts shutting down:
    // kept orders filling after the trader has gone would rightly make positions differ.
    const quiet = await startSimulator({ seed: 7, markets: 4, ratePerSec: 20 });
    try {
      const creds = quiet.createAccount({ balance: 1_000_000_000 });
      const t = spawnTrader([
        ...simStartArgs(creds, tempDir()),
        '--markets',
        '2',
        '--duration',
        '8',
        '--keep-orders',
        '--data-dir',
        tempDir(),
      ]);
      running.push(t);
      await t.waitFor((l) => l.event === 'shutdown', 60_000);
      quiet.activity.stop();
      expect(await t.exited, t.tail()).toBe(0);
      const summary = summaryOf(t);
      const rest = exchangeClient(creds);
      expect(nonZero(summary.positions)).toEqual(await exchangePositions(rest));
      const orders = await collect(rest.allOrders());
      expect(orders.length).toBe(summary.orders_placed);
      // The hardcoded strategy's maker orders join the best price; some are still resting.
      expect(orders.filter((o) => o.status === 'resting').length).toBeGreaterThan(0);
    } finally {
      await quiet.close();
    }
  }, 90_000);
});
