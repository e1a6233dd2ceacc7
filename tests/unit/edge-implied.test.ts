import { describe, expect, it } from 'vitest';
import {
  type BracketQuote,
  bracketProbabilities,
  detectSignal,
  edgeDegF,
  forecastImplied,
  forecastSigma,
  leadDays,
  legEdges,
  marketImplied,
  normalCdf,
  parseLadder,
  recommendLeg,
  representativeTemps,
} from '../../src/edge/index.js';
import { NY_EVENT, nyLadderMarkets } from './edge-helpers.js';

const ladder = parseLadder(nyLadderMarkets());
const T = (suffix: string) => `${NY_EVENT}-${suffix}`;

/** Quotes in cents: [bid, ask] per bracket, ascending. */
function quotes(pairs: ReadonlyArray<readonly [number | undefined, number | undefined]>): BracketQuote[] {
  return ladder.brackets.map((b, i) => {
    const [bid, ask] = pairs[i] ?? [undefined, undefined];
    return {
      ticker: b.ticker,
      ...(bid !== undefined ? { yesBid: bid * 100 } : {}),
      ...(ask !== undefined ? { yesAsk: ask * 100 } : {}),
    };
  });
}

describe('the normal CDF', () => {
  it('matches tabulated values to 1e-7', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1)).toBeCloseTo(0.8413447461, 7);
    expect(normalCdf(-1.96)).toBeCloseTo(0.0249978951, 7);
    expect(normalCdf(3)).toBeCloseTo(0.998650102, 7);
    expect(normalCdf(Infinity)).toBe(1);
  });
});

describe('forecast-implied', () => {
  it('integrates whole-degree rounding: a bracket 57–58 holds X in [56.5, 58.5)', () => {
    const p = bracketProbabilities(ladder, 60, 2);
    expect(p[1]).toBeCloseTo(normalCdf(-0.75) - normalCdf(-1.75), 12);
    expect(p[0]).toBeCloseTo(normalCdf(-1.75), 12);
    expect(p[5]).toBeCloseTo(1 - normalCdf(2.25), 12);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('implies a temperature inside the ladder, near the mean when the ladder is centred', () => {
    const f = forecastImplied(ladder, 60.5, 2);
    expect(f.impliedTempF).toBeCloseTo(60.5, 1);
    expect(forecastImplied(ladder, 90, 2).impliedTempF).toBeCloseTo(65.5, 6);
    expect(forecastImplied(ladder, 20, 2).impliedTempF).toBeCloseTo(55.5, 6);
  });

  it('widens sigma with lead time and the forecast spread, within bounds', () => {
    expect(forecastSigma(undefined, 0)).toBe(1.5);
    expect(forecastSigma(0, 1)).toBe(2.5);
    expect(forecastSigma(3, 1)).toBeCloseTo(Math.sqrt(9 + 6.25), 12);
    expect(forecastSigma(0, 100)).toBe(12);
    expect(leadDays(Date.UTC(2026, 2, 15, 12), Date.UTC(2026, 2, 17, 0))).toBe(1.5);
    expect(leadDays(Date.UTC(2026, 2, 18), Date.UTC(2026, 2, 17))).toBe(0);
    expect(() => forecastSigma(-1, 0)).toThrow(/spreadF/);
  });
});

describe('market-implied', () => {
  const fair = quotes([
    [9, 11],
    [19, 21],
    [29, 31],
    [19, 21],
    [11, 13],
    [8, 10],
  ]);

  it('normalizes mids to probabilities and averages the representative temperatures', () => {
    const m = marketImplied(ladder, fair);
    expect(m.ok).toBe(true);
    expect(m.mass).toBeCloseTo(1.01, 12);
    const mids = [0.1, 0.2, 0.3, 0.2, 0.12, 0.09];
    const reps = representativeTemps(ladder);
    const expected = mids.reduce((s, p, i) => s + p * (reps[i] as number), 0) / 1.01;
    expect(m.probabilities?.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(m.impliedTempF).toBeCloseTo(expected, 9);
  });

  it('treats a missing side as 0 / $1, so a cheap one-sided tail still has a mid', () => {
    const q = quotes([
      [undefined, 2],
      [19, 21],
      [39, 41],
      [29, 31],
      [5, 7],
      [undefined, 2],
    ]);
    const m = marketImplied(ladder, q);
    expect(m.ok).toBe(true);
    expect(m.books[0]?.mid).toBeCloseTo(0.01, 12);
  });

  it('reports a bracket with no quotes instead of guessing', () => {
    const q = quotes([
      [9, 11],
      [19, 21],
      [undefined, undefined],
      [19, 21],
      [11, 13],
      [8, 10],
    ]);
    const m = marketImplied(ladder, q);
    expect(m.ok).toBe(false);
    expect(m.impliedTempF).toBeUndefined();
    expect(m.problems).toContainEqual({
      code: 'unquoted',
      ticker: T('B59.5'),
      detail: '59° to 60° has no bid and no ask',
    });
  });

  it('reports a crossed bracket, a wide spread and a ladder far from $1', () => {
    const crossed = marketImplied(
      ladder,
      quotes([
        [9, 11],
        [21, 21],
        [29, 31],
        [19, 21],
        [11, 13],
        [8, 10],
      ]),
    );
    expect(crossed.problems.map((p) => p.code)).toContain('crossed');
    const wide = marketImplied(
      ladder,
      quotes([
        [9, 11],
        [5, 40],
        [29, 31],
        [19, 21],
        [11, 13],
        [8, 10],
      ]),
    );
    expect(wide.problems.map((p) => p.code)).toEqual(['wide_spread']);
    const thin = marketImplied(
      ladder,
      quotes([
        [1, 3],
        [1, 3],
        [29, 31],
        [1, 3],
        [1, 3],
        [1, 3],
      ]),
    );
    expect(thin.ok).toBe(false);
    expect(thin.problems.map((p) => p.code)).toContain('mass_off');
  });

  it('flags a ladder whose asks sum below $1 without blocking it', () => {
    const cheap = marketImplied(
      ladder,
      quotes([
        [8, 9],
        [18, 19],
        [28, 29],
        [18, 19],
        [10, 11],
        [7, 9],
      ]),
    );
    expect(cheap.ok).toBe(true);
    expect(cheap.problems.map((p) => p.code)).toEqual(['ladder_cheap']);
  });

  it('refuses a quote for a market outside the ladder', () => {
    expect(() => marketImplied(ladder, [{ ticker: 'KXHIGHNY-26MAR17-B57.5', yesBid: 100 }])).toThrow(
      /not a bracket/,
    );
  });
});

describe('signal and bracket edges', () => {
  it('derives the signal from the edge and the threshold', () => {
    expect(edgeDegF(62, 60.5)).toBe(1.5);
    expect(detectSignal(1.5, 1.5)).toBe('buy_high');
    expect(detectSignal(-1.6, 1.5)).toBe('buy_low');
    expect(detectSignal(1.4, 1.5)).toBe('no_trade');
    expect(detectSignal(0, 0)).toBe('no_trade');
  });

  it('prices both legs of every bracket after the taker fee, and recommends the best leg of the right direction', () => {
    const q = quotes([
      [9, 11],
      [19, 21],
      [29, 31],
      [19, 21],
      [11, 13],
      [8, 10],
    ]);
    const market = marketImplied(ladder, q);
    const model = forecastImplied(ladder, 63, 2);
    const reps = representativeTemps(ladder);
    const legs = legEdges(ladder, model.probabilities, q, reps, market.impliedTempF as number);
    expect(legs).toHaveLength(12);
    const yes63 = legs.find((l) => l.ticker === T('B63.5') && l.side === 'yes');
    const p = model.probabilities[4] as number;
    // YES at 13¢: taker fee per contract 0.07 × 0.13 × 0.87.
    expect(yes63?.takerEdgeCents).toBeCloseTo(100 * (p - 0.13 - 0.07 * 0.13 * 0.87), 9);
    expect(yes63?.makerEdgeCents).toBeCloseTo(100 * (p - 0.11), 9);
    expect(yes63?.direction).toBe('high');
    const no57 = legs.find((l) => l.ticker === T('B57.5') && l.side === 'no');
    expect(no57?.direction).toBe('high');
    expect(no57?.takerPrice).toBe(8_100);
    expect(no57?.makerPrice).toBe(7_900);

    const signal = detectSignal(edgeDegF(model.impliedTempF, market.impliedTempF as number), 1.5);
    expect(signal).toBe('buy_high');
    const pick = recommendLeg(signal, legs);
    const best = Math.max(
      ...legs.filter((l) => l.direction === 'high').map((l) => l.takerEdgeCents ?? -Infinity),
    );
    expect(pick?.takerEdgeCents).toBe(best);
    expect(pick?.direction).toBe('high');
    expect(recommendLeg('no_trade', legs)).toBeUndefined();
    expect(recommendLeg(signal, legs, 1_000)).toBeUndefined();
  });
});
