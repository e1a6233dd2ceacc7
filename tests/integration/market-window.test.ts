/**
 * The trader and its markets' trading windows, in-process against the loopback simulator: an
 * order for a market the exchange has closed is refused before it is sent (RISK_MARKET_NOT_OPEN),
 * and when a market we hold settles the trader re-calibrates so the payout and the flat position
 * are taken in — local positions equal the exchange's again.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusEvents } from '../../src/bus.js';
import { loadConfig } from '../../src/config/index.js';
import type { OrderIntent } from '../../src/domain/index.js';
import { contracts, MICROS_PER_DOLLAR } from '../../src/domain/index.js';
import { type Simulator, startSimulator } from '../../src/exchange-sim/index.js';
import { formatDollars } from '../../src/kalshi/units.js';
import { type RunningTrader, startTrader } from '../../src/runtime/index.js';
import { simOrder } from '../sim-order.js';
import { untilWithin } from '../until.js';

const until = untilWithin(15_000);

let sim: Simulator;
let trader: RunningTrader;
let dir: string;
const transitions: Array<BusEvents['machine.transitioned'][0]> = [];

/** Polls until `check` returns true (the trader reacts to sockets; there is no one event to await). */

const state = () => String(trader.actor!.getSnapshot().value);

function intent(ticker: string, over: Partial<OrderIntent> = {}): OrderIntent {
  return {
    ticker,
    bookSide: 'bid',
    yesPrice: 5_000,
    count: contracts(5),
    timeInForce: 'immediate_or_cancel',
    strategy: 'test',
    reason: 'test',
    ...over,
  };
}

/** The simulator account of each trader, by name. */
const accounts = new Map<string, string>();

/** A trader (strategy none) on its own funded simulator account and data folder. */
async function startOwnTrader(name: string, markets: { tickers: string } | { series: string }) {
  const creds = sim.createAccount({ balance: 1_000 * MICROS_PER_DOLLAR });
  accounts.set(name, sim.accountOf(creds.key_id)!);
  const keyFile = join(dir, `${name}.pem`);
  writeFileSync(keyFile, creds.private_key_pem, { mode: 0o600 });
  const flags = {
    env: 'sim',
    apiUrl: creds.rest_url,
    wsUrl: creds.ws_url,
    keyId: creds.key_id,
    privateKey: keyFile,
    dataDir: join(dir, name),
    strategy: 'none',
    rateLimitTier: 'prime',
    ...markets,
  };
  return startTrader(loadConfig(flags, {}), { logger: pino({ level: 'silent' }) });
}

beforeAll(async () => {
  sim = await startSimulator({ seed: 7, markets: 4, ratePerSec: 0, rateLimit: false });
  dir = mkdtempSync(join(tmpdir(), 'tv3-window-'));
  const [a, b] = sim.core.markets().map((m) => m.ticker);
  trader = await startOwnTrader('one', { tickers: `${a},${b}` });
  trader.services!.bus.on('machine.transitioned', (t) => transitions.push(t));
  await until('READY', () => state() === 'READY', 30_000);
}, 60_000);

afterAll(async () => {
  await trader?.shutdown({ cancelOrders: true });
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('market windows', () => {
  it('refuses, before sending, an order for a market the exchange has closed', async () => {
    const [, b] = sim.core.markets().map((m) => m.ticker);
    const status = async () =>
      (await trader.control.status()) as { markets: Array<{ ticker: string; phase: string }> };
    expect((await status()).markets.find((m) => m.ticker === b)?.phase).toBe('open');

    expect(sim.core.setMarketStatus(b!, 'closed').ok).toBe(true);
    await until(`${b} is closed for the trader`, async () =>
      (await status()).markets.some((m) => m.ticker === b && m.phase === 'closed'),
    );
    const before = trader.services!.orders.all().length;
    trader.actor!.send({ type: 'INTENT', intent: intent(b!) });
    await until(
      'the intent is decided',
      () => trader.services!.orders.all().length > before && state() === 'READY',
    );
    const order = trader.services!.orders.all().at(-1)!;
    expect(order).toMatchObject({ status: 'denied' });
    expect(order.reason).toContain('RISK_MARKET_NOT_OPEN');
    expect(order.orderId).toBeUndefined();
  });

  it('re-calibrates when a market it holds settles, so its positions equal the exchange again', async () => {
    const [a] = sim.core.markets().map((m) => m.ticker);
    // A counterparty rests YES at 50¢; the trader takes 5.
    sim.core.openAccount('counterparty', 1_000 * MICROS_PER_DOLLAR);
    const resting = sim.core.place(
      simOrder({
        accountId: 'counterparty',
        ticker: a!,
        bookSide: 'ask',
        yesPrice: 5_000,
        count: contracts(10),
      }),
    );
    expect(resting.ok).toBe(true);
    trader.actor!.send({ type: 'INTENT', intent: intent(a!) });
    await until(
      'the trader holds 5 YES',
      () => trader.services!.positions.get(a!)?.position === contracts(5),
    );
    await until('READY again', () => state() === 'READY');

    const paid = trader.services!.positions.get(a!)!.costBasis;
    expect(paid).toBeGreaterThan(0);
    const syncsBefore = transitions.filter((t) => t.to === 'CALIBRATING').length;
    expect(sim.core.settle(a!, 'yes').ok).toBe(true);
    await until(
      'a re-calibration ran and the position is flat',
      () =>
        transitions.filter((t) => t.to === 'CALIBRATING').length > syncsBefore &&
        state() === 'READY' &&
        (trader.services!.positions.get(a!)?.position ?? 0) === 0,
    );
    const calibration = transitions.filter((t) => t.to === 'CALIBRATING').at(-1)!;
    expect(calibration).toMatchObject({ from: 'READY', event: 'MARKET_SETTLED' });
    // The 5 YES paid $1 each: $5 less what they cost is realized (fees apart), not lost in adoption.
    expect(trader.services!.positions.get(a!)).toMatchObject({ costBasis: 0, realizedPnl: 5_000_000 - paid });

    // Every later calibration reads the settlement back: the ledger books it once, so its cash
    // stays the exchange's and no balance drift halts the trader.
    const exchangeCash = () => formatDollars(sim.core.balance(accounts.get('one')!).cash);
    const ledgerCash = async () =>
      ((await trader.control.status()) as { cash_dollars?: string }).cash_dollars;
    expect(await ledgerCash()).toBe(exchangeCash());
    for (let i = 0; i < 2; i++) {
      const before = transitions.filter((t) => t.to === 'CALIBRATING').length;
      await trader.control.sync();
      await until(
        'the sync ran',
        () => transitions.filter((t) => t.to === 'CALIBRATING').length > before && state() !== 'CALIBRATING',
      );
      expect(state()).toBe('READY');
      expect(await ledgerCash()).toBe(exchangeCash());
    }
  });
});

describe('rediscovery (--series)', () => {
  it('watches a newly listed market of the series once one it watched closes, and drops the closed one (and its doubts)', async () => {
    const first = sim.core.markets()[2]!;
    const series = first.eventTicker.split('-')[0]!;
    const second = await startOwnTrader('two', { series });
    try {
      const marketsOf = async () =>
        ((await second.control.status()) as { markets: Array<{ ticker: string; phase: string }> }).markets;
      await until('READY', () => String(second.actor!.getSnapshot().value) === 'READY', 30_000);
      const watched = (await marketsOf()).map((m) => m.ticker);
      expect(watched).toContain(first.ticker);
      // A doubt about it (a cross-check disagreement, a resync in flight) that no later check of a
      // watched book will ever clear once the market is gone.
      const reducing = async () =>
        ((await second.control.status()) as { reducing_markets: Array<{ ticker: string }> }).reducing_markets;
      second.services!.bus.emit('market.doubted', {
        ticker: first.ticker,
        reason: 'book_mismatch',
        at: Date.now(),
      });
      second.services!.bus.emit('market.doubted', {
        ticker: first.ticker,
        reason: 'book_resyncing',
        at: Date.now(),
      });
      await until('the market is reduce-only', async () =>
        (await reducing()).some((m) => m.ticker === first.ticker),
      );

      // The exchange lists a successor market in the same series, then a watched market closes.
      const successor = `${first.ticker}-NEXT`;
      sim.core.addMarket({ ...first, ticker: successor, status: 'active', closeMs: Date.now() + 3_600_000 });
      expect(sim.core.setMarketStatus(first.ticker, 'closed').ok).toBe(true);
      await until('the successor is watched and open', async () =>
        (await marketsOf()).some((m) => m.ticker === successor && m.phase === 'open'),
      );
      // The closed market, neither held nor traded, is dropped from the subscription.
      await until('the closed market is no longer watched', async () =>
        (await marketsOf()).every((m) => m.ticker !== first.ticker),
      );
      // …and no longer reduce-only: its doubts went with it (chaos finding 5).
      await until('no market is reduce-only', async () => (await reducing()).length === 0);
      await until('its book is live', async () =>
        (
          (await second.control.status()) as {
            orderbook: { books: Array<{ ticker: string; status: string }> };
          }
        ).orderbook.books.some((b) => b.ticker === successor && b.status === 'live'),
      );
    } finally {
      await second.shutdown({ cancelOrders: true });
    }
  }, 60_000);
});
