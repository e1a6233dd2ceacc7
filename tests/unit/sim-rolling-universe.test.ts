/**
 * The rolling universe on simulated time: markets close, are determined and settled at their
 * expected expiration time with seeded results, and each event that stops trading is replaced by
 * the next period's event of its series, which the synthetic participants then trade.
 */
import { describe, expect, it } from 'vitest';
import { MICROS_PER_DOLLAR, PRICE_SCALE } from '../../src/domain/index.js';
import { type Activity, createActivity } from '../../src/exchange-sim/activity.js';
import type { ExchangeCore, MarketResult, OrderIntent } from '../../src/exchange-sim/core-types.js';
import { createDeterminer } from '../../src/exchange-sim/determination.js';
import { createExchangeCore } from '../../src/exchange-sim/exchange.js';
import { createLifecycleDriver, type LifecycleDriver } from '../../src/exchange-sim/lifecycle.js';
import {
  buildUniverse,
  createListings,
  installUniverse,
  type Listings,
} from '../../src/exchange-sim/universe.js';
import { simOrder } from '../sim-order.js';

const NOW = Date.UTC(2025, 11, 1, 15, 20, 0); // 2025-12-01T15:20Z
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** The first weather ladder closes at floorHour(NOW) + 6 h and expires 8 h later. */
const CHI_CLOSE = Date.UTC(2025, 11, 1, 21, 0, 0);
const CHI_EXPIRY = CHI_CLOSE + 8 * HOUR;
const CHI = 'KXHIGHCHI-25DEC01';

interface World {
  core: ExchangeCore;
  listings: Listings;
  driver: LifecycleDriver;
  activity: Activity;
  lifecycle: Array<{ ticker: string; eventType: string; ts: number }>;
  now(): number;
  /** Sets the clock and ticks the driver once. */
  tickAt(ms: number): void;
  /** Ticks every stepMs up to (and including) untilMs, with `actions` activity steps after each tick. */
  runUntil(untilMs: number, stepMs: number, actions: number, each?: () => void): void;
}

function world(seed: number, markets: number): World {
  let t = NOW;
  const clock = () => t;
  const core = createExchangeCore({ clock, idPrefix: 'roll' });
  const listings = createListings({ seed, markets, nowMs: NOW });
  installUniverse(core, listings.universe);
  const lifecycle: World['lifecycle'] = [];
  core.onEvent((e) => {
    if (e.type === 'lifecycle') lifecycle.push({ ticker: e.ticker, eventType: e.eventType, ts: e.ts });
  });
  const determiner = createDeterminer({ core, seed, fairValue: (ticker) => listings.fairValues.get(ticker) });
  const driver = createLifecycleDriver({
    core,
    clock,
    determine: determiner.resultFor,
    relist: (eventTicker, nowMs) => listings.listSuccessor(core, eventTicker, nowMs),
  });
  const activity = createActivity({
    core,
    seed,
    tickers: listings.universe.markets.map((m) => m.ticker),
    fairValues: listings.fairValues,
    ratePerSec: 0,
    clock,
  });
  const tickAt = (ms: number) => {
    t = ms;
    driver.tick(ms);
  };
  return {
    core,
    listings,
    driver,
    activity,
    lifecycle,
    now: () => t,
    tickAt,
    runUntil(untilMs, stepMs, actions, each) {
      while (t + stepMs <= untilMs) {
        tickAt(t + stepMs);
        for (let i = 0; i < actions; i++) activity.step();
        each?.();
      }
    },
  };
}

function results(core: ExchangeCore, eventTicker: string): Map<string, MarketResult | ''> {
  return new Map(
    core.markets().flatMap((m) => (m.eventTicker === eventTicker ? [[m.ticker, m.result]] : [])),
  );
}

function activeCount(core: ExchangeCore): number {
  return core.markets().filter((m) => m.status === 'active').length;
}

let orderSeq = 0;

function order(core: ExchangeCore, over: Partial<OrderIntent> & Pick<OrderIntent, 'accountId' | 'ticker'>) {
  const r = core.place(simOrder({ clientOrderId: `roll-${++orderSeq}`, yesPrice: 3_000, ...over }));
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
}

describe('listing successors', () => {
  it('keeps the initial universe exactly as buildUniverse makes it', () => {
    const listings = createListings({ seed: 42, markets: 40, nowMs: NOW });
    const u = buildUniverse({ seed: 42, markets: 40, nowMs: NOW });
    expect(listings.universe.markets).toEqual(u.markets);
    expect(listings.universe.events).toEqual(u.events);
    expect([...listings.fairValues]).toEqual([...u.fairValues]);
    expect(listings.universe.markets[0]?.ticker).toMatch(/^KXHIGHCHI-25DEC01-T\d+$/);
  });

  it("lists a weather ladder's next day: a full ladder, fair values summing to $1, opening at listing", () => {
    const listings = createListings({ seed: 42, markets: 8, nowMs: NOW });
    const next = listings.successorOf(CHI, CHI_CLOSE);
    expect(next?.events.map((e) => e.eventTicker)).toEqual(['KXHIGHCHI-25DEC02']);
    expect(next?.events[0]?.mutuallyExclusive).toBe(true);
    expect(next?.series.map((s) => s.ticker)).toEqual(['KXHIGHCHI']);
    const markets = next?.markets ?? [];
    expect(markets).toHaveLength(6);
    for (const m of markets) {
      expect(m.ticker).toMatch(/^KXHIGHCHI-25DEC02-[TB][0-9.]+$/);
      expect(m.status).toBe('initialized');
      expect(m.openMs).toBe(CHI_CLOSE);
      expect(m.closeMs).toBe(CHI_CLOSE + 24 * HOUR);
      expect(m.expectedExpirationMs).toBe(CHI_CLOSE + 32 * HOUR);
    }
    const sum = markets.reduce((acc, m) => acc + (listings.fairValues.get(m.ticker) ?? 0), 0);
    expect(sum).toBe(PRICE_SCALE);
    // One successor per event, ever.
    expect(listings.successorOf(CHI, CHI_CLOSE)).toBeUndefined();
    expect(listings.successorOf('KXNOPE-25DEC01', CHI_CLOSE)).toBeUndefined();
  });

  it('lists after the furthest period a series already has, with as many markets as the closed event', () => {
    // 58 markets: every city today (blocks 0, 3…8), CPI, BTC, then Chicago tomorrow (block 9).
    const listings = createListings({ seed: 42, markets: 58, nowMs: NOW });
    expect(listings.universe.events.map((e) => e.eventTicker)).toContain('KXHIGHCHI-25DEC02');
    expect(listings.successorOf(CHI, CHI_CLOSE)?.events[0]?.eventTicker).toBe('KXHIGHCHI-25DEC03');
    expect(listings.successorOf('KXHIGHCHI-25DEC02', CHI_CLOSE + 24 * HOUR)?.events[0]?.eventTicker).toBe(
      'KXHIGHCHI-25DEC04',
    );
    // A cut-short block keeps its size: 8 markets = the ladder and two CPI thresholds.
    const small = createListings({ seed: 42, markets: 8, nowMs: NOW });
    const cpi = small.successorOf('KXCPI-25DEC01', Date.UTC(2025, 11, 1, 20));
    expect(cpi?.events[0]?.eventTicker).toBe('KXCPI-26JAN01');
    expect(cpi?.markets.map((m) => m.ticker)).toEqual(['KXCPI-26JAN01-T0.1', 'KXCPI-26JAN01-T0.2']);
    expect(cpi?.markets[0]?.closeMs).toBe(Date.UTC(2026, 0, 1, 20));
  });

  it('lists the next hour of an hourly series, skipping hours already over after a clock jump', () => {
    const listings = createListings({ seed: 42, markets: 16, nowMs: NOW });
    const btc = listings.universe.events.find((e) => e.seriesTicker === 'KXBTCD')?.eventTicker;
    expect(btc).toBe('KXBTCD-25DEC0118');
    const next = listings.successorOf('KXBTCD-25DEC0118', Date.UTC(2025, 11, 1, 18));
    expect(next?.events[0]?.eventTicker).toBe('KXBTCD-25DEC0119');
    expect(next?.markets).toHaveLength(5);
    expect(next?.markets.every((m) => m.closeMs === Date.UTC(2025, 11, 1, 19))).toBe(true);
    // The 19:00 event closes; the clock then reads 01:20 the next day: the successor is 02:00's.
    const late = listings.successorOf('KXBTCD-25DEC0119', Date.UTC(2025, 11, 2, 1, 20));
    expect(late?.events[0]?.eventTicker).toBe('KXBTCD-25DEC0202');
    expect(late?.markets[0]?.closeMs).toBe(Date.UTC(2025, 11, 2, 2));
  });

  it('lists the same successors with the same fair values for the same seed, others for another', () => {
    const successor = (seed: number) => {
      const listings = createListings({ seed, markets: 8, nowMs: NOW });
      const next = listings.successorOf(CHI, CHI_CLOSE);
      return next?.markets.map((m) => [m.ticker, listings.fairValues.get(m.ticker)]);
    };
    expect(successor(42)).toEqual(successor(42));
    expect(successor(43)).not.toEqual(successor(42));
  });
});

describe('the lifecycle driver with determination and relisting', () => {
  it('closes at close time, relists at once, and determines only at the expected expiration time', () => {
    const w = world(42, 8);
    const ladder = [...results(w.core, CHI).keys()];
    expect(ladder).toHaveLength(6);
    w.tickAt(CHI_CLOSE - 1);
    for (const t of ladder) expect(w.core.market(t)?.status).toBe('active');
    w.tickAt(CHI_CLOSE);
    for (const t of ladder) expect(w.core.market(t)?.status).toBe('closed');

    w.tickAt(CHI_EXPIRY - 1);
    for (const t of ladder) expect(w.core.market(t)?.status).toBe('closed');
    // Only the two CPI thresholds (closed 20:00, expiring an hour later) are determined so far.
    expect(w.lifecycle.filter((e) => e.eventType === 'determined').map((e) => e.ticker)).toEqual([
      'KXCPI-25DEC01-T0.1',
      'KXCPI-25DEC01-T0.2',
    ]);

    w.tickAt(CHI_EXPIRY);
    for (const t of ladder) {
      const m = w.core.market(t);
      expect(m?.status).toBe('finalized');
      expect(m?.settledMs).toBe(CHI_EXPIRY);
      expect(m?.settlementValue).toBe(m?.result === 'yes' ? PRICE_SCALE : 0);
    }
    const chiEvents = w.lifecycle.filter((e) => e.ticker.startsWith(`${CHI}-`));
    expect(chiEvents.filter((e) => e.eventType === 'determined')).toHaveLength(6);
    expect(chiEvents.filter((e) => e.eventType === 'settled')).toHaveLength(6);
  });

  it('resolves exactly one market of every settled weather ladder YES', () => {
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const w = world(seed, 8);
      w.runUntil(NOW + 80 * HOUR, 10 * MINUTE, 0);
      const ladders = w.core.events().filter((e) => e.mutuallyExclusive);
      const settled = ladders.filter((e) =>
        [...results(w.core, e.eventTicker).values()].every((r) => r !== ''),
      );
      expect(settled.map((e) => e.eventTicker)).toEqual([
        'KXHIGHCHI-25DEC01',
        'KXHIGHCHI-25DEC02',
        'KXHIGHCHI-25DEC03',
      ]);
      for (const e of settled) {
        const r = [...results(w.core, e.eventTicker).values()];
        expect(r, `${seed} ${e.eventTicker}`).toHaveLength(6);
        expect(
          r.filter((x) => x === 'yes'),
          `${seed} ${e.eventTicker}`,
        ).toHaveLength(1);
      }
    }
  });

  it('settles threshold events monotonically: above a higher strike YES ⇒ above every lower strike YES', () => {
    let mixed = 0;
    for (const seed of [1, 2, 3]) {
      const w = world(seed, 16); // ladder, five CPI thresholds, five hourly BTC thresholds
      w.runUntil(NOW + 30 * HOUR, 10 * MINUTE, 0);
      const thresholds = w.core.events().filter((e) => !e.mutuallyExclusive);
      let checked = 0;
      for (const e of thresholds) {
        const markets = w.core
          .markets()
          .filter((m) => m.eventTicker === e.eventTicker && m.status === 'finalized')
          .sort((a, b) => (a.floorStrike ?? 0) - (b.floorStrike ?? 0));
        if (markets.length === 0) continue;
        checked += 1;
        const seq = markets.map((m) => m.result);
        const firstNo = seq.indexOf('no');
        if (firstNo >= 0)
          expect(
            seq.slice(firstNo).every((r) => r === 'no'),
            `${e.eventTicker} ${seq}`,
          ).toBe(true);
        if (seq.includes('yes') && seq.includes('no')) mixed += 1;
      }
      expect(checked).toBeGreaterThan(20); // ~27 hourly BTC events and the CPI release
    }
    expect(mixed).toBeGreaterThan(10);
  });

  it('draws the same results and lists the same markets for the same seed', () => {
    const summary = (seed: number) => {
      const w = world(seed, 16);
      w.runUntil(NOW + 12 * HOUR, 5 * MINUTE, 0);
      return w.core.markets().map((m) => `${m.ticker}:${m.status}:${m.result}`);
    };
    const a = summary(9);
    expect(summary(9)).toEqual(a);
    expect(summary(10)).not.toEqual(a);
    expect(a.filter((s) => s.endsWith(':yes')).length).toBeGreaterThan(0);
  });

  it('pays $1 per winning contract and reports every settlement', () => {
    const w = world(42, 8);
    const cash = 1_000 * MICROS_PER_DOLLAR;
    w.core.openAccount('alice', cash);
    w.core.openAccount('bob', cash);
    const ladder = [...results(w.core, CHI).keys()];
    // Bob bids NO at $0.70 (a YES ask at $0.30); Alice lifts it: 10 YES each for $0.30.
    for (const ticker of ladder) {
      order(w.core, {
        accountId: 'bob',
        ticker,
        action: 'buy',
        side: 'no',
        bookSide: 'ask',
        yesPrice: 3_000,
      });
      const taken = order(w.core, { accountId: 'alice', ticker, timeInForce: 'immediate_or_cancel' });
      expect(taken.fills).toHaveLength(1);
    }
    w.tickAt(CHI_CLOSE);
    const aliceBefore = w.core.balance('alice').cash;
    const bobBefore = w.core.balance('bob').cash;
    w.tickAt(CHI_EXPIRY);

    const won = ladder.filter((t) => w.core.market(t)?.result === 'yes');
    expect(won).toHaveLength(1);
    const ten = 10 * MICROS_PER_DOLLAR;
    expect(w.core.balance('alice').cash - aliceBefore).toBe(ten); // 10 winning YES × $1
    expect(w.core.balance('bob').cash - bobBefore).toBe(5 * ten); // 5 winning NO lots × 10 × $1

    const settlements = w.core.settlements('alice');
    expect(settlements).toHaveLength(6);
    for (const s of settlements) {
      expect(s.eventTicker).toBe(CHI);
      expect(s.yesCount).toBe(1_000);
      expect(s.settledMs).toBe(CHI_EXPIRY);
      expect(s.result).toBe(won.includes(s.ticker) ? 'yes' : 'no');
      expect(s.revenue).toBe(won.includes(s.ticker) ? ten : 0);
    }
    expect(w.core.positions('alice').filter((p) => ladder.includes(p.ticker))).toEqual([]);
  });

  it("announces the successor with 'created', then 'activated', in the tick the event closes", () => {
    const w = world(42, 8);
    w.tickAt(CHI_CLOSE);
    const successor = w.core.markets().filter((m) => m.eventTicker === 'KXHIGHCHI-25DEC02');
    expect(successor).toHaveLength(6);
    for (const m of successor) {
      expect(m.status).toBe('active');
      expect(w.lifecycle.filter((e) => e.ticker === m.ticker).map((e) => e.eventType)).toEqual([
        'created',
        'activated',
      ]);
    }
    const closedAt = w.lifecycle.findIndex(
      (e) => e.ticker.startsWith(`${CHI}-`) && e.eventType === 'close_date_updated',
    );
    const createdAt = w.lifecycle.findIndex((e) => e.eventType === 'created');
    expect(closedAt).toBeGreaterThanOrEqual(0);
    expect(createdAt).toBeGreaterThan(closedAt);
    expect(w.core.event('KXHIGHCHI-25DEC02')?.seriesTicker).toBe('KXHIGHCHI');
    expect(w.driver.stats).toMatchObject({ relistedEvents: 2, listed: 8 }); // CPI closed at 20:00 too
  });

  it('lets the participants trade the successor markets and leave the closed ones', () => {
    const w = world(42, 8);
    w.activity.seedBooks();
    w.runUntil(CHI_CLOSE + 2 * HOUR, MINUTE, 10);
    const old = [...results(w.core, CHI).keys()];
    const next = w.core
      .markets()
      .filter((m) => m.eventTicker === 'KXHIGHCHI-25DEC02')
      .map((m) => m.ticker);
    expect(next).toHaveLength(6);
    const successorTrades = w.core.trades().filter((tr) => next.includes(tr.ticker));
    expect(successorTrades.length).toBeGreaterThan(0);
    expect(new Set(successorTrades.map((tr) => tr.ticker)).size).toBeGreaterThan(3);
    for (const ticker of next)
      expect(w.core.book(ticker).yes.length + w.core.book(ticker).no.length).toBeGreaterThan(0);
    // Nothing touches the old ladder after its close, and the participants have forgotten it.
    expect(w.core.trades().filter((tr) => old.includes(tr.ticker) && tr.createdMs >= CHI_CLOSE)).toEqual([]);
    for (const account of ['sim-mm-0', 'sim-mm-1', 'sim-mm-2', 'sim-taker-0', 'sim-noise-0']) {
      const late = w.core.orders(account).filter((o) => old.includes(o.ticker) && o.createdMs >= CHI_CLOSE);
      expect(late, account).toEqual([]);
    }
    expect(w.activity.tickers().filter((t) => old.includes(t))).toEqual([]);
    expect(w.activity.tickers()).toEqual(expect.arrayContaining(next));
    expect(w.activity.fairValue(next[0] as string)).toBeDefined();
    expect(w.activity.stats.errors, JSON.stringify(w.activity.lastError)).toBe(0);
  });

  it('keeps as many markets open over 48 simulated hours as it started with', () => {
    const w = world(7, 16);
    w.activity.seedBooks();
    const initial = activeCount(w.core);
    expect(initial).toBe(16);
    let fewest = initial;
    w.runUntil(NOW + 48 * HOUR, MINUTE, 2, () => {
      fewest = Math.min(fewest, activeCount(w.core));
    });
    expect(fewest).toBe(initial);
    expect(w.driver.stats.settled).toBeGreaterThan(200); // ~45 hourly BTC events × 5, CPI, two ladders
    expect(w.driver.stats.listed).toBe(w.driver.stats.closed - (initial - activeCount(w.core)));
    expect(w.core.trades({ minTs: NOW + 47 * HOUR }).length).toBeGreaterThan(0);
    expect(w.activity.tickers()).toHaveLength(16);
    expect(w.activity.stats.errors, JSON.stringify(w.activity.lastError)).toBe(0);
  });
});
