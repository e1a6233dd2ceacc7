import { describe, expect, it } from 'vitest';
import { PRICE_SCALE } from '../../src/domain/index.js';
import { type Activity, type ActivityTimers, createActivity } from '../../src/exchange-sim/activity.js';
import type { ExchangeCore, SimTrade } from '../../src/exchange-sim/core-types.js';
import { createExchangeCore } from '../../src/exchange-sim/exchange.js';
import { buildUniverse, installUniverse } from '../../src/exchange-sim/universe.js';

const NOW = Date.UTC(2025, 11, 1, 15, 20, 0);

interface World {
  core: ExchangeCore;
  activity: Activity;
  tickers: string[];
  advance(ms: number): void;
  now(): number;
}

function world(seed: number, opts: { markets?: number; ratePerSec?: number } = {}): World {
  let t = NOW;
  const clock = () => t;
  const core = createExchangeCore({ clock, idPrefix: 'sim' });
  const universe = buildUniverse({ seed, markets: opts.markets ?? 20, nowMs: NOW });
  installUniverse(core, universe);
  const tickers = universe.markets.map((m) => m.ticker);
  const activity = createActivity({
    core,
    seed,
    tickers,
    fairValues: universe.fairValues,
    ratePerSec: opts.ratePerSec ?? 0,
    clock,
  });
  return {
    core,
    activity,
    tickers,
    advance: (ms) => {
      t += ms;
    },
    now: () => t,
  };
}

function expectTwoSidedUncrossed(core: ExchangeCore, ticker: string): void {
  const book = core.book(ticker);
  expect(book.yes.length, `${ticker} YES ladder`).toBeGreaterThan(0);
  expect(book.no.length, `${ticker} NO ladder`).toBeGreaterThan(0);
  expectUncrossed(core, ticker);
}

function expectUncrossed(core: ExchangeCore, ticker: string): void {
  const book = core.book(ticker);
  const bestYes = book.yes.at(-1)?.[0];
  const bestNo = book.no.at(-1)?.[0];
  if (bestYes !== undefined && bestNo !== undefined) {
    expect(bestYes + bestNo, `${ticker} crossed`).toBeLessThan(PRICE_SCALE);
  }
}

function run(seed: number, steps: number): { w: World; trades: SimTrade[] } {
  const w = world(seed);
  w.activity.seedBooks();
  for (let i = 0; i < steps; i++) {
    w.advance(50);
    w.activity.step();
  }
  return { w, trades: w.core.trades() };
}

describe('synthetic market activity', () => {
  it('seeds a two-sided, uncrossed book on every market', () => {
    const w = world(42);
    w.activity.seedBooks();
    for (const ticker of w.tickers) expectTwoSidedUncrossed(w.core, ticker);
    expect(w.activity.stats.errors, JSON.stringify(w.activity.lastError)).toBe(0);
    expect(w.activity.stats.placed).toBeGreaterThanOrEqual(w.tickers.length * 6);
    expect(w.core.trades()).toHaveLength(0);
  });

  it('prints trades over 2,000 steps, counts its work and keeps books uncrossed', () => {
    const { w, trades } = run(7, 2_000);
    const { stats } = w.activity;
    expect(trades.length).toBeGreaterThan(50);
    expect(stats.actions).toBe(2_000);
    expect(stats.placed).toBeGreaterThan(500);
    expect(stats.canceled).toBeGreaterThan(50);
    expect(stats.takes).toBeGreaterThan(50);
    expect(stats.errors, JSON.stringify(w.activity.lastError)).toBe(0);
    for (const ticker of w.tickers) expectUncrossed(w.core, ticker);
    // Trades happen on many markets, at integer prices inside (0, 1), in whole contracts.
    expect(new Set(trades.map((tr) => tr.ticker)).size).toBeGreaterThan(w.tickers.length / 2);
    for (const tr of trades) {
      expect(Number.isInteger(tr.yesPrice)).toBe(true);
      expect(tr.yesPrice).toBeGreaterThan(0);
      expect(tr.yesPrice).toBeLessThan(PRICE_SCALE);
      expect(tr.count % 100).toBe(0);
    }
  });

  it('keeps walked fair values inside (0.02, 0.98)', () => {
    const { w } = run(11, 2_000);
    for (const ticker of w.tickers) {
      const fair = w.activity.fairValue(ticker) as number;
      expect(fair).toBeGreaterThan(200);
      expect(fair).toBeLessThan(9_800);
    }
  });

  it('repeats exactly the same trades for the same seed, and different ones for another', () => {
    const a = run(99, 2_000).trades;
    const b = run(99, 2_000).trades;
    expect(a.length).toBeGreaterThan(0);
    expect(b).toEqual(a);
    const c = run(100, 2_000).trades;
    expect(c).not.toEqual(a);
  });

  it('leaves markets that are not active alone', () => {
    const w = world(3, { markets: 6 });
    const [closed, ...open] = w.tickers as [string, ...string[]];
    expect(w.core.setMarketStatus(closed, 'closed').ok).toBe(true);
    w.activity.seedBooks();
    for (let i = 0; i < 500; i++) w.activity.step();
    expect(w.core.book(closed)).toEqual({ yes: [], no: [] });
    expect(w.core.trades({ ticker: closed })).toHaveLength(0);
    for (const ticker of open) expectUncrossed(w.core, ticker);
    expect(w.activity.stats.errors, JSON.stringify(w.activity.lastError)).toBe(0);
  });

  it('does nothing while exchange trading is paused', () => {
    const w = world(4, { markets: 6 });
    w.core.setTradingActive(false);
    w.activity.seedBooks();
    for (let i = 0; i < 100; i++) w.activity.step();
    expect(w.activity.stats.actions).toBe(100);
    expect(w.activity.stats.placed).toBe(0);
    expect(w.activity.stats.errors).toBe(0);
  });
});

describe('the activity driver', () => {
  function fakeTimers(): ActivityTimers & { fire(): void; active: number } {
    const handlers = new Map<number, () => void>();
    let next = 1;
    return {
      setInterval(handler: () => void) {
        handlers.set(next, handler);
        return next++;
      },
      clearInterval(handle: unknown) {
        handlers.delete(handle as number);
      },
      fire() {
        for (const h of handlers.values()) h();
      },
      get active() {
        return handlers.size;
      },
    };
  }

  it('runs about ratePerSec steps per second of clock time, until stopped', () => {
    const w = world(5, { markets: 6, ratePerSec: 20 });
    const timers = fakeTimers();
    w.activity.start(timers);
    w.activity.start(timers); // idempotent
    expect(timers.active).toBe(1);
    for (let i = 0; i < 20; i++) {
      w.advance(50);
      timers.fire();
    }
    expect(w.activity.stats.actions).toBe(20);
    w.activity.stop();
    expect(timers.active).toBe(0);
    w.advance(10_000);
    timers.fire();
    expect(w.activity.stats.actions).toBe(20);
  });

  it('runs at most one second of backlog after a stall', () => {
    const w = world(5, { markets: 6, ratePerSec: 20 });
    const timers = fakeTimers();
    w.activity.start(timers);
    w.advance(60_000);
    timers.fire();
    expect(w.activity.stats.actions).toBe(20);
    w.advance(500);
    timers.fire();
    expect(w.activity.stats.actions).toBe(30);
    w.activity.stop();
  });

  it('starts nothing at rate 0', () => {
    const w = world(5, { markets: 6, ratePerSec: 0 });
    const timers = fakeTimers();
    w.activity.start(timers);
    expect(timers.active).toBe(0);
  });
});
