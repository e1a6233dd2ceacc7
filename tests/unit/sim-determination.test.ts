import { describe, expect, it } from 'vitest';
import { PRICE_SCALE } from '../../src/domain/index.js';
import type { MarketDef } from '../../src/exchange-sim/core-types.js';
import {
  createDeterminer,
  type DrawnResult,
  drawEventResults,
} from '../../src/exchange-sim/determination.js';
import { createExchangeCore } from '../../src/exchange-sim/exchange.js';
import { buildUniverse, installUniverse } from '../../src/exchange-sim/universe.js';

type Strikes = Pick<MarketDef, 'ticker' | 'strikeType' | 'floorStrike' | 'capStrike'>;

/** A weather-like ladder: lower tail, four brackets, upper tail, fair values summing to $1. */
const LADDER: Strikes[] = [
  { ticker: 'L-T40', strikeType: 'less', capStrike: 40 },
  { ticker: 'L-B40.5', strikeType: 'between', floorStrike: 40, capStrike: 41 },
  { ticker: 'L-B42.5', strikeType: 'between', floorStrike: 42, capStrike: 43 },
  { ticker: 'L-B44.5', strikeType: 'between', floorStrike: 44, capStrike: 45 },
  { ticker: 'L-B46.5', strikeType: 'between', floorStrike: 46, capStrike: 47 },
  { ticker: 'L-T47', strikeType: 'greater', floorStrike: 47 },
];
const LADDER_FAIR = new Map([
  ['L-T40', 500],
  ['L-B40.5', 1_500],
  ['L-B42.5', 3_000],
  ['L-B44.5', 2_500],
  ['L-B46.5', 1_500],
  ['L-T47', 1_000],
]);

/** Threshold markets "above s", listed out of strike order on purpose. */
const THRESHOLDS: Strikes[] = [
  { ticker: 'C-T0.3', strikeType: 'greater', floorStrike: 0.3 },
  { ticker: 'C-T0.1', strikeType: 'greater', floorStrike: 0.1 },
  { ticker: 'C-T0.5', strikeType: 'greater', floorStrike: 0.5 },
  { ticker: 'C-T0.2', strikeType: 'greater', floorStrike: 0.2 },
  { ticker: 'C-T0.4', strikeType: 'greater', floorStrike: 0.4 },
];
const THRESHOLD_FAIR = new Map([
  ['C-T0.1', 9_000],
  ['C-T0.2', 7_000],
  ['C-T0.3', 5_000],
  ['C-T0.4', 2_500],
  ['C-T0.5', 800],
]);
const BY_STRIKE = ['C-T0.1', 'C-T0.2', 'C-T0.3', 'C-T0.4', 'C-T0.5'];

const ladderEvent = (i: number) => ({ eventTicker: `KXHIGHCHI-EV${i}`, mutuallyExclusive: true });
const thresholdEvent = (i: number) => ({ eventTicker: `KXCPI-EV${i}`, mutuallyExclusive: false });

function yesCount(results: Map<string, DrawnResult>): number {
  return [...results.values()].filter((r) => r === 'yes').length;
}

/** Results by strike must read YES…YES NO…NO: once a threshold is NO every higher one is. */
function expectMonotone(results: Map<string, DrawnResult>, byStrike: readonly string[]): void {
  const seq = byStrike.map((t) => results.get(t));
  const firstNo = seq.indexOf('no');
  if (firstNo >= 0) expect(seq.slice(firstNo), seq.join(' ')).toEqual(seq.slice(firstNo).map(() => 'no'));
}

describe('drawing results from fair values', () => {
  it('gives the same results for the same seed and event, whatever the call order', () => {
    const fair = (t: string) => LADDER_FAIR.get(t);
    for (let i = 0; i < 50; i++) {
      const a = drawEventResults(7, ladderEvent(i), LADDER, fair);
      drawEventResults(7, ladderEvent(i + 1), LADDER, fair); // another draw in between changes nothing
      expect(drawEventResults(7, ladderEvent(i), LADDER, fair)).toEqual(a);
    }
  });

  it('depends on the seed and on the event', () => {
    const fair = (t: string) => LADDER_FAIR.get(t);
    const winners = (seed: number) =>
      Array.from(
        { length: 40 },
        (_, i) => [...drawEventResults(seed, ladderEvent(i), LADDER, fair)].find(([, r]) => r === 'yes')?.[0],
      );
    expect(winners(7)).toEqual(winners(7));
    expect(winners(7)).not.toEqual(winners(8));
    expect(new Set(winners(7)).size).toBeGreaterThan(2);
  });

  it('resolves exactly one market of a mutually exclusive ladder YES, each about as often as its fair value', () => {
    const fair = (t: string) => LADDER_FAIR.get(t);
    const wins = new Map<string, number>();
    const draws = 4_000;
    for (let i = 0; i < draws; i++) {
      const results = drawEventResults(3, ladderEvent(i), LADDER, fair);
      expect(results.size).toBe(6);
      expect(yesCount(results)).toBe(1);
      for (const [t, r] of results) if (r === 'yes') wins.set(t, (wins.get(t) ?? 0) + 1);
    }
    for (const [t, p] of LADDER_FAIR) {
      // Binomial sd at n = 4000 is at most 0.8 percentage points; allow about four of them.
      expect(Math.abs((wins.get(t) ?? 0) / draws - p / PRICE_SCALE), t).toBeLessThan(0.03);
    }
  });

  it('resolves at most one market of a cut-short ladder, none with the missing probability', () => {
    const short = LADDER.slice(0, 3); // fair values sum to $0.50
    const fair = (t: string) => LADDER_FAIR.get(t);
    let none = 0;
    for (let i = 0; i < 2_000; i++) {
      const n = yesCount(drawEventResults(5, ladderEvent(i), short, fair));
      expect(n).toBeLessThanOrEqual(1);
      if (n === 0) none += 1;
    }
    expect(none / 2_000).toBeGreaterThan(0.45);
    expect(none / 2_000).toBeLessThan(0.55);
  });

  it('keeps threshold results monotone (above 0.3 YES ⇒ above 0.2 YES) with P(yes) ≈ fair value', () => {
    const fair = (t: string) => THRESHOLD_FAIR.get(t);
    const yes = new Map<string, number>();
    const draws = 4_000;
    let mixed = 0;
    for (let i = 0; i < draws; i++) {
      const results = drawEventResults(11, thresholdEvent(i), THRESHOLDS, fair);
      expectMonotone(results, BY_STRIKE);
      const n = yesCount(results);
      if (n > 0 && n < 5) mixed += 1;
      for (const [t, r] of results) if (r === 'yes') yes.set(t, (yes.get(t) ?? 0) + 1);
    }
    expect(mixed).toBeGreaterThan(draws / 2);
    for (const [t, p] of THRESHOLD_FAIR) {
      expect(Math.abs((yes.get(t) ?? 0) / draws - p / PRICE_SCALE), t).toBeLessThan(0.03);
    }
  });

  it('stays monotone when fair values are not, and for `less` thresholds too', () => {
    const crooked = new Map([...THRESHOLD_FAIR, ['C-T0.4', 6_000]]); // above 0.4 priced over above 0.3
    const below: Strikes[] = [
      { ticker: 'B-T3', strikeType: 'less', capStrike: 3 },
      { ticker: 'B-T1', strikeType: 'less', capStrike: 1 },
      { ticker: 'B-T2', strikeType: 'less', capStrike: 2 },
    ];
    const belowFair = new Map([
      ['B-T1', 2_000],
      ['B-T2', 5_000],
      ['B-T3', 8_000],
    ]);
    for (let i = 0; i < 1_000; i++) {
      expectMonotone(
        drawEventResults(13, thresholdEvent(i), THRESHOLDS, (t) => crooked.get(t)),
        BY_STRIKE,
      );
      // Below c: YES at cap 1 ⇒ YES at caps 2 and 3, so read from the highest cap down.
      expectMonotone(
        drawEventResults(13, thresholdEvent(i), below, (t) => belowFair.get(t)),
        ['B-T3', 'B-T2', 'B-T1'],
      );
    }
  });
});

describe('the determiner', () => {
  it('draws each event of a universe once, from the core, consistently with drawEventResults', () => {
    const nowMs = Date.UTC(2025, 11, 1, 15, 20, 0);
    const u = buildUniverse({ seed: 42, markets: 16, nowMs });
    const core = createExchangeCore({ clock: () => nowMs });
    installUniverse(core, u);
    const determiner = createDeterminer({ core, seed: 42, fairValue: (t) => u.fairValues.get(t) });
    for (const event of u.events) {
      const markets = u.markets.filter((m) => m.eventTicker === event.eventTicker);
      const expected = drawEventResults(42, event, markets, (t) => u.fairValues.get(t));
      for (const m of markets) expect(determiner.resultFor(m.ticker), m.ticker).toBe(expected.get(m.ticker));
    }
    const ladder = u.markets.filter((m) => m.eventTicker === 'KXHIGHCHI-25DEC01');
    expect(ladder.filter((m) => determiner.resultFor(m.ticker) === 'yes')).toHaveLength(1);
    expect(determiner.resultFor('NO-SUCH-MARKET')).toBeUndefined();
  });

  it('leaves a market without a fair value (one the simulator did not list) undecided', () => {
    const nowMs = Date.UTC(2025, 11, 1, 15, 20, 0);
    const u = buildUniverse({ seed: 42, markets: 6, nowMs });
    const core = createExchangeCore({ clock: () => nowMs });
    installUniverse(core, u);
    const first = u.markets[0] as MarketDef;
    core.addMarket({ ...first, ticker: 'KXTEST-25DEC01-X', eventTicker: 'KXTEST-25DEC01' });
    const determiner = createDeterminer({ core, seed: 42, fairValue: (t) => u.fairValues.get(t) });
    expect(determiner.resultFor('KXTEST-25DEC01-X')).toBeUndefined();
    expect(determiner.resultFor(first.ticker)).toMatch(/^(yes|no)$/);
  });
});
