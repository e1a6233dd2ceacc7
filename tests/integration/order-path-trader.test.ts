/**
 * The order path of a live trader against the simulator over loopback, checked on the exchange's
 * own records: every order it creates carries its order group id; fill frames the exchange drops
 * are noticed from the filled counts (create answer, user_order) and read back by REST at once, so
 * positions agree with the exchange's within seconds — with no sync, calibration or periodic
 * reconciliation (its interval is an hour here).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { MICROS_PER_DOLLAR, type OrderIntent } from '../../src/domain/index.js';
import { type SimCredentials, type Simulator, startSimulator } from '../../src/exchange-sim/index.js';
import { collect, KalshiRestClient } from '../../src/kalshi/rest.js';
import { createSigner } from '../../src/kalshi/signer.js';
import { parseSignedCount } from '../../src/kalshi/units.js';
import { type RunningTrader, startTrader } from '../../src/runtime/index.js';
import { simOrder } from '../sim-order.js';

let sim: Simulator;
let dir: string;
let n = 0;

beforeAll(async () => {
  sim = await startSimulator({ seed: 5, markets: 4, ratePerSec: 0, rateLimit: false });
  sim.core.openAccount('seller', 1_000 * MICROS_PER_DOLLAR);
  dir = mkdtempSync(join(tmpdir(), 'tv3-order-path-'));
});

afterAll(async () => {
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A trader on its own account and data folder, watching one market. */
async function start(ticker: string): Promise<{ trader: RunningTrader; rest: KalshiRestClient }> {
  n += 1;
  const creds: SimCredentials = sim.createAccount({ balance: 1_000 * MICROS_PER_DOLLAR });
  const keyFile = join(dir, `key-${n}.pem`);
  writeFileSync(keyFile, creds.private_key_pem, { mode: 0o600 });
  const config = loadConfig(
    {
      env: 'sim',
      apiUrl: creds.rest_url,
      wsUrl: creds.ws_url,
      keyId: creds.key_id,
      privateKey: keyFile,
      dataDir: join(dir, `data-${n}`),
      strategy: 'none',
      rateLimitTier: 'prime',
      tickers: ticker,
      reconcileInterval: '3600',
    },
    {},
  );
  const trader = await startTrader(config, { logger: pino({ level: 'silent' }) });
  const rest = new KalshiRestClient({
    baseUrl: creds.rest_url,
    signer: createSigner({ keyId: creds.key_id, privateKeyPem: creds.private_key_pem }),
    rateLimiter: false,
  });
  return { trader, rest };
}

async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const ready = (t: RunningTrader) => until('READY', () => t.actor!.getSnapshot().value === 'READY');

function intent(ticker: string, over: Partial<OrderIntent>): OrderIntent {
  return {
    ticker,
    bookSide: 'bid',
    yesPrice: 1_000,
    count: 100,
    timeInForce: 'good_till_canceled',
    strategy: 'test',
    reason: 'test',
    ...over,
  };
}

/** Sends an intent through the machine and waits until it is back in READY with the order placed. */
async function place(t: RunningTrader, i: OrderIntent): Promise<void> {
  const before = t.services!.orders.all().length;
  t.actor!.send({ type: 'INTENT', intent: i });
  await until('the order to be answered', () => {
    const mine = t.services!.orders.all();
    return (
      mine.length > before && mine.at(-1)!.status !== 'submitting' && t.actor!.getSnapshot().value === 'READY'
    );
  });
}

/** A YES price below both the best bid and the ask: an order there rests and nobody hits it. */
function passive(ticker: string, ticks = 5): number {
  const book = sim.core.book(ticker);
  const bestYes = book.yes.at(-1)?.[0] ?? 5_000;
  const bestNo = book.no.at(-1)?.[0];
  const ask = bestNo === undefined ? 9_900 : 10_000 - bestNo;
  return Math.max(100, Math.min(bestYes, ask - 100) - ticks * 100);
}

async function exchangePosition(rest: KalshiRestClient, ticker: string): Promise<number> {
  const p = (await collect(rest.allPositions({ ticker }))).find((x) => x.ticker === ticker);
  return p ? parseSignedCount(p.position_fp) : 0;
}

it('puts every order it creates in its order group, as the exchange lists them', async () => {
  const ticker = sim.core.markets()[0]!.ticker;
  const { trader, rest } = await start(ticker);
  try {
    await ready(trader);
    await place(trader, intent(ticker, { yesPrice: passive(ticker, 6) }));
    await place(trader, intent(ticker, { yesPrice: passive(ticker, 5), postOnly: true }));
    expect(trader.services!.orders.open().map((o) => o.status)).toEqual(['resting', 'resting']);
    const status = (await trader.control.status()) as { order_group: { id: string | null } };
    const group = status.order_group.id;
    expect(group).toEqual(expect.any(String));
    const listed = await collect(rest.allOrders({ ticker }));
    expect(listed).toHaveLength(2);
    for (const o of listed) expect(o.order_group_id).toBe(group);
  } finally {
    await trader.shutdown({ cancelOrders: true });
  }
}, 60_000);

it('notices fill frames the exchange dropped from the filled counts and converges in seconds', async () => {
  const ticker = sim.core.markets()[1]!.ticker;
  const { trader, rest } = await start(ticker);
  try {
    await ready(trader);
    sim.applyFault({ action: 'drop_fill_messages', count: 100 });

    // A taker order: the create answer says 5 filled; no fill frame comes.
    expect(
      sim.core.place(simOrder({ accountId: 'seller', ticker, bookSide: 'ask', yesPrice: 6_000, count: 500 }))
        .ok,
    ).toBe(true);
    await place(trader, intent(ticker, { yesPrice: 6_000, count: 500, timeInForce: 'immediate_or_cancel' }));
    // A resting order of ours filled later by someone else: only user_order says so.
    const bid = passive(ticker);
    await place(trader, intent(ticker, { yesPrice: bid, count: 300 }));
    expect(trader.services!.orders.open().map((o) => o.status)).toEqual(['resting']);
    // The seller sweeps every bid down to ours (ours included).
    const sweep = sim.core
      .book(ticker)
      .yes.filter(([p]) => p >= bid)
      .reduce((sum, [, size]) => sum + size, 0);
    expect(
      sim.core.place(simOrder({ accountId: 'seller', ticker, bookSide: 'ask', yesPrice: bid, count: sweep }))
        .ok,
    ).toBe(true);

    const exchange = await exchangePosition(rest, ticker);
    expect(exchange).toBe(800);
    await until(
      'the position to agree with the exchange',
      () => trader.services!.positions.get(ticker)?.position === exchange,
      5_000,
    );
    expect(sim.faults.snapshot().dropFillMessages).toBeLessThan(100);
    expect(trader.services!.orders.stats().fillGapFetches).toBeGreaterThanOrEqual(2);
  } finally {
    sim.applyFault({ action: 'clear' });
    await trader.shutdown({ cancelOrders: true });
  }
}, 60_000);
