/**
 * Fee-aware Kelly sizing against a naive reference (grow the order one contract at a time while it
 * fits), the fee formula against the simulator's own copy, and the maker timeout's bounds.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contracts, MICROS_PER_DOLLAR, PRICE_SCALE } from '../../src/domain/index.js';
import {
  DEFAULT_MAKER_TIMEOUT,
  type FeeType,
  feePerContract,
  type KellyInput,
  kellySize,
  makerTimeoutMs,
  tradeFee,
} from '../../src/edge/index.js';
import { fillFee } from '../../src/exchange-sim/fees.js';

const kellyArb = fc.record({
  winProb: fc.double({ min: 0, max: 1, noNaN: true }),
  price: fc.integer({ min: 100, max: 9_900 }),
  feeRole: fc.constantFrom<'taker' | 'maker'>('taker', 'maker'),
  kellyFraction: fc.double({ min: 0, max: 1, noNaN: true }),
  bankroll: fc.integer({ min: 0, max: 50 * MICROS_PER_DOLLAR }),
  maxBet: fc.integer({ min: 0, max: 50 * MICROS_PER_DOLLAR }),
  trackRecord: fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined }),
});

/** The naive reference: the same stake, then contracts added one by one while the exact cost fits. */
function naive(input: KellyInput): { count: number; cost: number } {
  const p = input.price / PRICE_SCALE;
  const role = input.feeRole ?? 'taker';
  const pEff = p + 0.07 * (role === 'taker' ? 1 : 0) * p * (1 - p);
  let share =
    input.winProb > pEff && pEff < 1 ? ((input.winProb - pEff) / (1 - pEff)) * input.kellyFraction : 0;
  if (share > 0 && (input.trackRecord ?? 0) < 20) share = Math.min(share, 0.01);
  const budget = Math.min(Math.floor(input.bankroll * share), input.maxBet, input.bankroll);
  let n = 0;
  const cost = (k: number) => k * 100 * input.price + tradeFee(role, contracts(k), input.price);
  while (cost(n + 1) <= budget) n += 1;
  return { count: contracts(n), cost: cost(n) };
}

describe('Kelly sizing', () => {
  it('equals the naive reference: never negative, whole contracts, cost within stake, cap and bankroll', () => {
    fc.assert(
      fc.property(kellyArb, (input) => {
        const size = kellySize(input);
        expect({ count: size.count, cost: size.cost }).toEqual(naive(input));
        expect(size.count).toBeGreaterThanOrEqual(0);
        expect(size.count % 100).toBe(0);
        expect(size.cost).toBeLessThanOrEqual(input.maxBet);
        expect(size.cost).toBeLessThanOrEqual(input.bankroll);
        expect(size.fullKelly).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 300 },
    );
  });

  it('is zero without an edge (q ≤ price + fee) and grows with q', () => {
    fc.assert(
      fc.property(kellyArb, fc.double({ min: 0, max: 1, noNaN: true }), (input, q2) => {
        const pEff = input.price / PRICE_SCALE + feePerContract(input.feeRole, input.price);
        if (input.winProb <= pEff) expect(kellySize(input).count).toBe(0);
        const [lo, hi] = input.winProb <= q2 ? [input.winProb, q2] : [q2, input.winProb];
        expect(kellySize({ ...input, winProb: hi }).count).toBeGreaterThanOrEqual(
          kellySize({ ...input, winProb: lo }).count,
        );
      }),
      { numRuns: 300 },
    );
  });
});

describe('fees', () => {
  it("agree with the simulator's fee module for every role, fee type and multiplier", () => {
    fc.assert(
      fc.property(
        fc.constantFrom<'taker' | 'maker'>('taker', 'maker'),
        fc.integer({ min: 0, max: 1_000_000_000 }),
        fc.integer({ min: 0, max: PRICE_SCALE }),
        fc.constantFrom<FeeType>('quadratic', 'quadratic_with_maker_fees', 'flat'),
        fc.integer({ min: 0, max: 40_000 }),
        (role, count, price, feeType, feeMultiplier) => {
          const schedule = { feeType, feeMultiplier };
          expect(tradeFee(role, count, price, schedule)).toBe(fillFee(role, count, price, schedule));
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('maker timeout', () => {
  it('stays within base/m … base×m times the dial, and never shrinks when volume grows', () => {
    const now = 1_800_000_000_000;
    const tradesArb = fc.array(
      fc.record({
        count: fc.integer({ min: 0, max: 50_000 }),
        createdMs: fc.integer({ min: now - 3_600_000, max: now + 60_000 }),
      }),
      { maxLength: 30 },
    );
    fc.assert(
      fc.property(
        tradesArb,
        fc.double({ min: 0.5, max: 1.5, noNaN: true }),
        fc.integer({ min: 1, max: 50_000 }),
        (trades, mult, extra) => {
          const t = makerTimeoutMs(trades, now, mult);
          const { baseMs, volumeMultiplier: m } = DEFAULT_MAKER_TIMEOUT;
          expect(t).toBeGreaterThanOrEqual(Math.round((baseMs / m) * mult) - 1);
          expect(t).toBeLessThanOrEqual(Math.round(baseMs * m * mult) + 1);
          const more = makerTimeoutMs([...trades, { count: extra, createdMs: now - 1 }], now, mult);
          expect(more).toBeGreaterThanOrEqual(t);
        },
      ),
      { numRuns: 200 },
    );
  });
});
