/**
 * The money breakers on a live trader, and a tripped breaker outliving the process (DESIGN §6 rule 4): a trader restarted on the same
 * exchange and data folder after a trip starts HALTED, and only the operator's resume lifts it —
 * after which the next restart trades again. In-process traders against a loopback simulator
 * reached by URL (so it is "the same exchange" across runs), on PGlite.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { MICROS_PER_DOLLAR } from '../../src/domain/index.js';
import { type SimCredentials, type Simulator, startSimulator } from '../../src/exchange-sim/index.js';
import { type RunningTrader, startTrader } from '../../src/runtime/index.js';
import { simOrder } from '../sim-order.js';

let sim: Simulator;
let dir: string;
let creds: SimCredentials;
let keyFile: string;

beforeAll(async () => {
  sim = await startSimulator({ seed: 3, markets: 4, ratePerSec: 0, rateLimit: false });
  creds = sim.createAccount({ balance: 100 * MICROS_PER_DOLLAR });
  dir = mkdtempSync(join(tmpdir(), 'tv3-breaker-'));
  keyFile = join(dir, 'key.pem');
  writeFileSync(keyFile, creds.private_key_pem, { mode: 0o600 });
});

afterAll(async () => {
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

function start(extra: Record<string, string> = {}, account = creds, key = keyFile): Promise<RunningTrader> {
  const config = loadConfig(
    {
      env: 'sim',
      apiUrl: account.rest_url,
      wsUrl: account.ws_url,
      keyId: account.key_id,
      privateKey: key,
      dataDir: join(dir, 'data'),
      strategy: 'none',
      rateLimitTier: 'prime',
      ...(extra.tickers === undefined ? { markets: '2' } : {}),
      ...extra,
    },
    {},
  );
  return startTrader(config, { logger: pino({ level: 'silent' }) });
}

async function settledIn(trader: RunningTrader, states: readonly string[]): Promise<string> {
  const end = Date.now() + 20_000;
  for (;;) {
    const value = String(trader.actor!.getSnapshot().value);
    if (states.includes(value)) return value;
    if (Date.now() > end) throw new Error(`trader in ${value}, expected one of ${states.join(', ')}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

it('a trip survives restarts until an operator resumes', async () => {
  const first = await start();
  expect(await settledIn(first, ['READY'])).toBe('READY');
  first.services!.risk.trip('daily_loss', 'net -$60.00 below -$50.00');
  expect(await settledIn(first, ['HALTED'])).toBe('HALTED');
  await first.shutdown({ cancelOrders: true });

  const second = await start();
  try {
    expect(await settledIn(second, ['HALTED', 'READY'])).toBe('HALTED');
    const breaker = second.services!.risk.breaker();
    expect(breaker).toMatchObject({ open: true, reason: 'daily_loss' });
    expect(breaker.detail).toMatch(/net -\$60\.00 .*in an earlier run/);
    await second.control.resume();
    expect(await settledIn(second, ['READY'])).toBe('READY');
  } finally {
    await second.shutdown({ cancelOrders: true });
  }

  const third = await start();
  try {
    expect(await settledIn(third, ['HALTED', 'READY'])).toBe('READY');
    expect(third.services!.risk.breaker().open).toBe(false);
  } finally {
    await third.shutdown({ cancelOrders: true });
  }
}, 90_000);

it("an operator's halt survives a restart (keep-orders too) until the operator resumes", async () => {
  const first = await start();
  expect(await settledIn(first, ['READY'])).toBe('READY');
  await first.control.halt('news at noon', { keepOrders: true });
  expect(await settledIn(first, ['HALTED'])).toBe('HALTED');
  await first.shutdown({ cancelOrders: false });

  const second = await start();
  try {
    expect(await settledIn(second, ['HALTED', 'READY'])).toBe('HALTED');
    expect(second.actor!.getSnapshot().context.halt).toMatchObject({
      source: 'operator',
      keepOrders: true,
    });
    expect(second.actor!.getSnapshot().context.halt!.reason).toMatch(/news at noon .*earlier run/);
    await second.control.resume();
    expect(await settledIn(second, ['READY'])).toBe('READY');
  } finally {
    await second.shutdown({ cancelOrders: true });
  }

  const third = await start();
  try {
    expect(await settledIn(third, ['HALTED', 'READY'])).toBe('READY');
  } finally {
    await third.shutdown({ cancelOrders: true });
  }
}, 120_000);

it('a real loss trips the daily-loss breaker of a live trader', async () => {
  // Its own account and database, so the trip above does not carry over.
  const account = sim.createAccount({ balance: 100 * MICROS_PER_DOLLAR });
  const key = join(dir, 'loss.pem');
  writeFileSync(key, account.private_key_pem, { mode: 0o600 });
  const ticker = sim.core.markets()[0]!.ticker;
  const trader = await start(
    { tickers: ticker, dataDir: join(dir, 'loss'), maxDailyLossDollars: '0.01' },
    account,
    key,
  );
  try {
    expect(await settledIn(trader, ['READY'])).toBe('READY');
    sim.core.openAccount('seller', 100 * MICROS_PER_DOLLAR);
    const ask = sim.core.place(simOrder({ accountId: 'seller', ticker, bookSide: 'ask', yesPrice: 6_000 }));
    expect(ask.ok).toBe(true);
    trader.actor!.send({
      type: 'INTENT',
      intent: {
        ticker,
        bookSide: 'bid',
        yesPrice: 6_000,
        count: 500,
        timeInForce: 'immediate_or_cancel',
        strategy: 'test',
        reason: 'test',
      },
    });
    const end = Date.now() + 15_000;
    while ((trader.services!.positions.get(ticker)?.position ?? 0) === 0) {
      if (Date.now() > end) throw new Error('the trader never filled');
      await new Promise((r) => setTimeout(r, 25));
    }
    // YES loses: whatever the fill cost, it is lost — far beyond a one-cent daily limit.
    expect(sim.core.settle(ticker, 'no').ok).toBe(true);
    expect(await settledIn(trader, ['HALTED'])).toBe('HALTED');
    expect(trader.services!.risk.breaker()).toMatchObject({ open: true, reason: 'daily_loss' });
    const status = (await trader.control.status()) as { money: Record<string, unknown> };
    expect(status.money).toMatchObject({ max_daily_loss_dollars: '0.0100', max_drawdown_pct: 30 });
    expect(Number(status.money.daily_net_dollars)).toBeLessThan(-0.01);
  } finally {
    await trader.shutdown({ cancelOrders: true });
  }
}, 60_000);
