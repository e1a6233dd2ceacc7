import { describe, expect, it } from 'vitest';
import { PRICE_SCALE } from '../../src/domain/index.js';
import type { ExchangeCore, MarketDef } from '../../src/exchange-sim/core-types.js';
import { createRng } from '../../src/exchange-sim/rng.js';
import {
  buildUniverse,
  installUniverse,
  tickerDate,
  tickerDateHour,
} from '../../src/exchange-sim/universe.js';

const NOW = Date.UTC(2025, 11, 1, 15, 20, 0); // 2025-12-01T15:20Z
const TICKER = /^[A-Z0-9.-]+$/;
const EVENT = /^[A-Z0-9]+-\d{2}(JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)\d{2}(\d{2})?$/;

function ladderOf(markets: MarketDef[], eventTicker: string): MarketDef[] {
  return markets.filter((m) => m.eventTicker === eventTicker);
}

describe('the seeded random generator', () => {
  it('repeats its sequence for the same seed and differs for another', () => {
    const draw = (seed: number) => {
      const r = createRng(seed);
      return Array.from({ length: 20 }, () => r.nextUint32());
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
  });

  it('keeps int() inside its inclusive bounds and reaches both ends', () => {
    const r = createRng(1);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const v = r.int(-2, 2);
      expect(v).toBeGreaterThanOrEqual(-2);
      expect(v).toBeLessThanOrEqual(2);
      seen.add(v);
    }
    expect([...seen].sort((a, b) => a - b)).toEqual([-2, -1, 0, 1, 2]);
  });

  it('picks, flips and draws normal-ish values deterministically', () => {
    const a = createRng('label');
    const b = createRng('label');
    for (let i = 0; i < 50; i++) {
      expect(a.pick(['x', 'y', 'z'])).toBe(b.pick(['x', 'y', 'z']));
      expect(a.chance(0.3)).toBe(b.chance(0.3));
      const n = a.normal();
      expect(n).toBe(b.normal());
      expect(Math.abs(n)).toBeLessThanOrEqual(Math.sqrt(12));
    }
    expect(createRng(3).chance(0)).toBe(false);
    expect(createRng(3).chance(1)).toBe(true);
    expect(() => createRng(3).pick([])).toThrow(RangeError);
  });
});

describe('ticker dates', () => {
  it('formats UTC dates as YYMONDD and hours as YYMONDDHH', () => {
    expect(tickerDate(NOW)).toBe('25DEC01');
    expect(tickerDateHour(Date.UTC(2025, 7, 5, 17))).toBe('25AUG0517');
  });
});

describe('buildUniverse', () => {
  const u = buildUniverse({ seed: 42, markets: 40, nowMs: NOW });

  it('creates exactly the requested number of markets with unique Kalshi-shaped tickers', () => {
    expect(u.markets).toHaveLength(40);
    expect(new Set(u.markets.map((m) => m.ticker)).size).toBe(40);
    for (const s of u.series) expect(s.ticker).toMatch(/^[A-Z0-9]+$/);
    for (const e of u.events) {
      expect(e.eventTicker).toMatch(EVENT);
      expect(e.eventTicker.startsWith(`${e.seriesTicker}-`)).toBe(true);
      expect(u.series.some((s) => s.ticker === e.seriesTicker)).toBe(true);
    }
    for (const m of u.markets) {
      expect(m.ticker).toMatch(TICKER);
      expect(m.ticker.startsWith(`${m.eventTicker}-`)).toBe(true);
      expect(u.events.some((e) => e.eventTicker === m.eventTicker)).toBe(true);
    }
  });

  it('starts with a six-market weather ladder dated from now', () => {
    const first = u.markets[0] as MarketDef;
    expect(first.eventTicker).toBe('KXHIGHCHI-25DEC01');
    const ladder = ladderOf(u.markets, 'KXHIGHCHI-25DEC01');
    expect(ladder).toHaveLength(6);
    expect(u.events.find((e) => e.eventTicker === 'KXHIGHCHI-25DEC01')?.mutuallyExclusive).toBe(true);

    const [lower, ...rest] = ladder as [MarketDef, ...MarketDef[]];
    const upper = rest.pop() as MarketDef;
    const brackets = rest;
    expect(brackets).toHaveLength(4);

    // Lower tail T<x>: YES if value < cap_strike = x.
    expect(lower.strikeType).toBe('less');
    expect(lower.floorStrike).toBeUndefined();
    const low = lower.capStrike as number;
    expect(lower.ticker).toBe(`KXHIGHCHI-25DEC01-T${low}`);

    // Brackets B<x.5>: between, floor x, cap x + 1, contiguous 2°F steps.
    brackets.forEach((b, i) => {
      const x = low + 2 * i;
      expect(b.strikeType).toBe('between');
      expect(b.floorStrike).toBe(x);
      expect(b.capStrike).toBe(x + 1);
      expect(b.ticker).toBe(`KXHIGHCHI-25DEC01-B${x}.5`);
      expect(b.yesSubTitle).toBe(`${x}° to ${x + 1}°`);
    });

    // Upper tail T<y>: YES if value > floor_strike = y, the last bracket's cap.
    expect(upper.strikeType).toBe('greater');
    expect(upper.capStrike).toBeUndefined();
    expect(upper.floorStrike).toBe(low + 7);
    expect(upper.ticker).toBe(`KXHIGHCHI-25DEC01-T${low + 7}`);
  });

  it('prices every weather ladder so its fair values sum to $1', () => {
    const ladders = u.events.filter((e) => e.seriesTicker.startsWith('KXHIGH')).map((e) => e.eventTicker);
    expect(ladders.length).toBeGreaterThan(3);
    for (const eventTicker of ladders) {
      const ladder = ladderOf(u.markets, eventTicker);
      if (ladder.length < 6) continue; // the last block may be cut short
      const sum = ladder.reduce((acc, m) => acc + (u.fairValues.get(m.ticker) as number), 0);
      expect(sum).toBe(PRICE_SCALE);
      for (const m of ladder) expect(u.fairValues.get(m.ticker)).toBeGreaterThan(200);
    }
  });

  it('gives every market an integer fair value strictly inside (0, 1)', () => {
    expect(u.fairValues.size).toBe(40);
    for (const m of u.markets) {
      const p = u.fairValues.get(m.ticker) as number;
      expect(Number.isInteger(p)).toBe(true);
      expect(p).toBeGreaterThan(0);
      expect(p).toBeLessThan(PRICE_SCALE);
    }
  });

  it('includes a maker-fee series, a plain quadratic one, a deci-cent market and one fractional market', () => {
    expect(u.series.find((s) => s.feeType === 'quadratic_with_maker_fees')?.ticker).toBe('KXCPI');
    expect(u.series.some((s) => s.feeType === 'quadratic')).toBe(true);
    expect(u.markets.filter((m) => m.priceLevelStructure === 'deci_cent')).toHaveLength(1);
    expect(u.markets.filter((m) => m.fractionalTradingEnabled)).toHaveLength(1);
    const hourly = u.events.find((e) => e.seriesTicker === 'KXBTCD');
    expect(hourly?.eventTicker).toBe('KXBTCD-25DEC0118'); // closes three hours after 15:00Z
  });

  it('opens every market before now and closes it some hours later', () => {
    for (const m of u.markets) {
      expect(m.status).toBe('active');
      expect(m.openMs).toBeLessThanOrEqual(NOW);
      expect(m.closeMs).toBeGreaterThan(NOW + 3_600_000);
      expect(m.expectedExpirationMs).toBeGreaterThan(m.closeMs);
    }
  });

  it('is deterministic for a seed and varies with it', () => {
    const again = buildUniverse({ seed: 42, markets: 40, nowMs: NOW });
    expect(again.markets).toEqual(u.markets);
    expect(again.events).toEqual(u.events);
    expect(again.series).toEqual(u.series);
    expect([...again.fairValues]).toEqual([...u.fairValues]);
    const other = buildUniverse({ seed: 43, markets: 40, nowMs: NOW });
    expect([...other.fairValues]).not.toEqual([...u.fairValues]);
  });

  it('takes the first N markets of the ladder when fewer than six are asked for', () => {
    const small = buildUniverse({ seed: 42, markets: 3, nowMs: NOW });
    expect(small.markets.map((m) => m.ticker)).toEqual(u.markets.slice(0, 3).map((m) => m.ticker));
    expect(small.events).toHaveLength(1);
    expect(small.series).toHaveLength(1);
    expect(() => buildUniverse({ seed: 1, markets: 0, nowMs: NOW })).toThrow(RangeError);
  });
});

describe('installUniverse', () => {
  it('adds series, then events, then markets to the core', () => {
    const u = buildUniverse({ seed: 5, markets: 12, nowMs: NOW });
    const calls: string[] = [];
    const core = {
      addSeries: (s: { ticker: string }) => calls.push(`series:${s.ticker}`),
      addEvent: (e: { eventTicker: string }) => calls.push(`event:${e.eventTicker}`),
      addMarket: (m: { ticker: string }) => calls.push(`market:${m.ticker}`),
    } as unknown as ExchangeCore;
    installUniverse(core, u);
    expect(calls).toHaveLength(u.series.length + u.events.length + 12);
    const kinds = calls.map((c) => c.split(':')[0]);
    expect(kinds.lastIndexOf('series')).toBeLessThan(kinds.indexOf('event'));
    expect(kinds.lastIndexOf('event')).toBeLessThan(kinds.indexOf('market'));
  });
});
