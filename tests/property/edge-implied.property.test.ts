/**
 * Forecast-implied and market-implied temperatures, the edge and the signal, against naive
 * references: bracket probabilities against numerical integration of the normal density, sums,
 * monotonicity in the mean, and antisymmetry under mirroring the ladder (t → −t).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type BracketQuote,
  bracketProbabilities,
  detectSignal,
  edgeDegF,
  feePerContract,
  forecastImplied,
  legEdges,
  marketImplied,
  parseLadder,
  representativeTemps,
} from '../../src/edge/index.js';
import { ladderArb, mirrorLadder } from '../unit/edge-helpers.js';

/** ∫ φ over [a, b] by composite Simpson (a, b clipped to μ ± 12σ). */
function integrate(mu: number, sigma: number, a: number, b: number): number {
  const lo = Math.max(a, mu - 12 * sigma);
  const hi = Math.min(b, mu + 12 * sigma);
  if (hi <= lo) return 0;
  const n = 2000;
  const h = (hi - lo) / n;
  const f = (x: number) => Math.exp(-0.5 * ((x - mu) / sigma) ** 2) / (sigma * Math.sqrt(2 * Math.PI));
  let s = f(lo) + f(hi);
  for (let i = 1; i < n; i++) s += (i % 2 === 0 ? 2 : 4) * f(lo + i * h);
  return (s * h) / 3;
}

const muArb = fc.double({ min: -40, max: 130, noNaN: true });
const sigmaArb = fc.double({ min: 0.5, max: 12, noNaN: true });

describe('bracket probabilities', () => {
  it('match the integral of the density over each bracket ± ½°, and sum to 1', () => {
    fc.assert(
      fc.property(ladderArb, muArb, sigmaArb, (markets, mu, sigma) => {
        const ladder = parseLadder(markets);
        const p = bracketProbabilities(ladder, mu, sigma);
        expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
        ladder.brackets.forEach((b, i) => {
          expect(p[i]).toBeGreaterThanOrEqual(0);
          expect(Math.abs((p[i] as number) - integrate(mu, sigma, b.lo - 0.5, b.hi + 0.5))).toBeLessThan(
            2e-6,
          );
        });
      }),
      { numRuns: 150 },
    );
  });

  it('move up with the mean: every cumulative probability falls, the implied temperature rises', () => {
    fc.assert(
      fc.property(
        ladderArb,
        muArb,
        fc.double({ min: 0, max: 10, noNaN: true }),
        sigmaArb,
        (markets, mu, step, sigma) => {
          const ladder = parseLadder(markets);
          const a = bracketProbabilities(ladder, mu, sigma);
          const b = bracketProbabilities(ladder, mu + step, sigma);
          let ca = 0;
          let cb = 0;
          for (let i = 0; i < a.length - 1; i++) {
            ca += a[i] as number;
            cb += b[i] as number;
            expect(cb).toBeLessThanOrEqual(ca + 1e-12);
          }
          expect(b[b.length - 1] as number).toBeGreaterThanOrEqual((a[a.length - 1] as number) - 1e-12);
          const fa = forecastImplied(ladder, mu, sigma).impliedTempF;
          const fb = forecastImplied(ladder, mu + step, sigma).impliedTempF;
          expect(fb).toBeGreaterThanOrEqual(fa - 1e-9);
          const reps = representativeTemps(ladder);
          expect(fa).toBeGreaterThanOrEqual((reps[0] as number) - 1e-9);
          expect(fa).toBeLessThanOrEqual((reps[reps.length - 1] as number) + 1e-9);
        },
      ),
      { numRuns: 150 },
    );
  });
});

/** Quotes around given probabilities: bid = p − s, ask = p + s in whole cents (clamped inside (0, $1)). */
function quotesAround(
  tickers: readonly string[],
  probs: readonly number[],
  spreadCents: number,
): BracketQuote[] {
  return tickers.map((ticker, i) => {
    const c = Math.round((probs[i] as number) * 100);
    const bid = Math.max(1, c - spreadCents);
    const ask = Math.min(99, Math.max(bid + 1, c + spreadCents));
    return { ticker, yesBid: bid * 100, yesAsk: ask * 100 };
  });
}

describe('edge', () => {
  it('is antisymmetric: mirroring the ladder and the forecast negates the edge and swaps the signal', () => {
    fc.assert(
      fc.property(
        ladderArb,
        muArb,
        sigmaArb,
        fc.array(fc.integer({ min: 1, max: 60 }), { minLength: 8, maxLength: 8 }),
        fc.double({ min: 0, max: 3, noNaN: true }),
        (markets, mu, sigma, cents, threshold) => {
          const ladder = parseLadder(markets);
          const mirror = parseLadder(mirrorLadder(markets));
          const n = ladder.brackets.length;
          const q: BracketQuote[] = ladder.brackets.map((b, i) => {
            const c = cents[i % cents.length] as number;
            return { ticker: b.ticker, yesBid: c * 100, yesAsk: (c + 2) * 100 };
          });
          const mq = q.map((x) => ({ ...x }));
          const m1 = marketImplied(ladder, q, { maxSpread: 10_000, massTolerance: 100 });
          const m2 = marketImplied(mirror, mq, { maxSpread: 10_000, massTolerance: 100 });
          const f1 = forecastImplied(ladder, mu, sigma);
          const f2 = forecastImplied(mirror, -mu, sigma);
          expect(f2.impliedTempF).toBeCloseTo(-f1.impliedTempF, 6);
          expect(m2.impliedTempF as number).toBeCloseTo(-(m1.impliedTempF as number), 9);
          const e1 = edgeDegF(f1.impliedTempF, m1.impliedTempF as number);
          const e2 = edgeDegF(f2.impliedTempF, m2.impliedTempF as number);
          expect(e2).toBeCloseTo(-e1, 6);
          const swap = { buy_high: 'buy_low', buy_low: 'buy_high', no_trade: 'no_trade' } as const;
          // Away from the threshold (rounding could tip a boundary case either way).
          if (Math.abs(Math.abs(e1) - threshold) > 1e-6)
            expect(detectSignal(e2, threshold)).toBe(swap[detectSignal(e1, threshold)]);
          expect(n).toBe(mirror.brackets.length);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('is near zero when the market quotes the forecast', () => {
    fc.assert(
      fc.property(ladderArb, fc.double({ min: 20, max: 90, noNaN: true }), sigmaArb, (markets, mu, sigma) => {
        const ladder = parseLadder(markets);
        const f = forecastImplied(ladder, mu, sigma);
        // Exact mids: bid and ask straddle p × 10,000 by one unit.
        const q = ladder.brackets.map((b, i) => {
          const p = Math.round((f.probabilities[i] as number) * 10_000);
          return {
            ticker: b.ticker,
            yesBid: Math.max(0, Math.min(9_999, p - 1)),
            yesAsk: Math.min(10_000, Math.max(1, p + 1)),
          };
        });
        const m = marketImplied(ladder, q, { maxSpread: 10_000, massTolerance: 1 });
        const reps = representativeTemps(ladder);
        const range = (reps[reps.length - 1] as number) - (reps[0] as number);
        expect(Math.abs(edgeDegF(f.impliedTempF, m.impliedTempF as number))).toBeLessThanOrEqual(
          ladder.brackets.length * 2e-4 * (range + 1),
        );
      }),
      { numRuns: 150 },
    );
  });
});

describe('leg edges', () => {
  it('YES taker edge + NO maker edge = −taker fee (maker-free weather series), and the legs win with q and 1 − q', () => {
    fc.assert(
      fc.property(
        ladderArb,
        muArb,
        sigmaArb,
        fc.integer({ min: 1, max: 20 }),
        (markets, mu, sigma, spread) => {
          const ladder = parseLadder(markets);
          const f = forecastImplied(ladder, mu, sigma);
          const tickers = ladder.brackets.map((b) => b.ticker);
          const q = quotesAround(tickers, f.probabilities, spread);
          const legs = legEdges(ladder, f.probabilities, q, representativeTemps(ladder), f.impliedTempF);
          for (let i = 0; i < tickers.length; i++) {
            const yes = legs[2 * i];
            const no = legs[2 * i + 1];
            expect(yes?.side).toBe('yes');
            expect((yes?.winProb as number) + (no?.winProb as number)).toBeCloseTo(1, 12);
            const ask = q[i]?.yesAsk as number;
            expect((yes?.takerEdgeCents as number) + (no?.makerEdgeCents as number)).toBeCloseTo(
              -100 * feePerContract('taker', ask),
              9,
            );
            if (yes?.direction !== 'neutral') expect(no?.direction).not.toBe(yes?.direction);
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
