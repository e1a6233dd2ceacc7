/**
 * Position and P&L arithmetic against a naive reference that never nets anything:
 *   - every fill buys one leg: a bid buys YES at p, an ask buys NO at 1 − p; cash out = count × leg price;
 *   - Kalshi nets YES against NO: every pair held returns $1, so cash in = min(ΣYES, ΣNO) × $1;
 *   - what is left is |ΣYES − ΣNO| contracts of one leg, worth mark (YES) or 1 − mark (NO) each.
 * All amounts in micros, fees excluded (realizedPnl is before fees; fees are checked on their own).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createBus } from '../../src/bus.js';
import type { BookSide, ExchangeFill } from '../../src/domain/index.js';
import { complement, PRICE_SCALE } from '../../src/domain/index.js';
import {
  applyFill,
  emptyPosition,
  type PositionState,
  PositionTracker,
  positionsFromFills,
  unrealized,
} from '../../src/services/position-tracker.js';

const T = 'KXPROP';

interface Leg {
  side: BookSide;
  yesPrice: number;
  count: number;
  fee: number;
}

const legArb: fc.Arbitrary<Leg> = fc.record({
  side: fc.constantFrom<BookSide>('bid', 'ask'),
  // Whole cents 1..99 mostly, with some sub-cent prices (the wire carries 4 decimals).
  yesPrice: fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 1, max: 99 }).map((c) => c * 100) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: PRICE_SCALE - 1 }) },
  ),
  // Small counts collide with each other (exact closes); huge ones push products past 2^53.
  count: fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 1, max: 50 }).map((n) => n * 100) },
    { weight: 2, arbitrary: fc.integer({ min: 1, max: 5_000 }) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 1_000_000_000 }) },
  ),
  fee: fc.integer({ min: 0, max: 200_000 }),
});

/** A step is a leg, or "flatten whatever is held" at a price (exact closes are otherwise rare). */
type Step = Leg | { flatten: true; yesPrice: number; fee: number };

/** Turns flatten steps into the legs that close the position held at that point (naive sum). */
function resolve(steps: readonly Step[]): Leg[] {
  const legs: Leg[] = [];
  let position = 0;
  for (const step of steps) {
    if ('flatten' in step) {
      if (position === 0) continue;
      legs.push({
        side: position > 0 ? 'ask' : 'bid',
        yesPrice: step.yesPrice,
        count: Math.abs(position),
        fee: step.fee,
      });
      position = 0;
    } else {
      legs.push(step);
      position += step.side === 'bid' ? step.count : -step.count;
    }
  }
  return legs;
}

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: legArb },
  {
    weight: 1,
    arbitrary: fc.record({
      flatten: fc.constant(true as const),
      yesPrice: fc.integer({ min: 1, max: PRICE_SCALE - 1 }),
      fee: fc.integer({ min: 0, max: 200_000 }),
    }),
  },
);
const legsArb = fc.array(stepArb, { maxLength: 40 }).map(resolve);

const markArb = fc.integer({ min: 0, max: PRICE_SCALE });

function toFill(leg: Leg, i: number): ExchangeFill {
  return {
    fillId: `f${i}`,
    orderId: `o${i}`,
    ticker: T,
    bookSide: leg.side,
    yesPrice: leg.yesPrice,
    count: leg.count,
    fee: leg.fee,
    isTaker: true,
    createdMs: i,
  };
}

function fold(legs: readonly Leg[]): PositionState {
  return legs.map(toFill).reduce(applyFill, emptyPosition(T));
}

/** The reference: gross legs, no netting logic. */
function reference(legs: readonly Leg[]) {
  let yes = 0;
  let no = 0;
  let cashOut = 0;
  let fees = 0;
  for (const l of legs) {
    if (l.side === 'bid') {
      yes += l.count;
      cashOut += l.count * l.yesPrice;
    } else {
      no += l.count;
      cashOut += l.count * complement(l.yesPrice);
    }
    fees += l.fee;
  }
  const pairs = Math.min(yes, no);
  const cashIn = pairs * PRICE_SCALE; // $1 per pair, in micros
  const position = yes - no;
  const valueAt = (mark: number): number => (position >= 0 ? position * mark : -position * complement(mark));
  return { position, cashIn, cashOut, netCashSpent: cashOut - cashIn, fees, valueAt };
}

describe('position and P&L arithmetic (property)', () => {
  it('position is the sum of signed counts, and fees the sum of fees', () => {
    fc.assert(
      fc.property(legsArb, (legs) => {
        const s = fold(legs);
        const ref = reference(legs);
        expect(s.position).toBe(ref.position);
        expect(s.feesPaid).toBe(ref.fees);
      }),
    );
  });

  it('realized + unrealized(mark) = value at the mark − net cash spent, exactly, for any mark', () => {
    fc.assert(
      fc.property(legsArb, markArb, (legs, mark) => {
        const s = fold(legs);
        const ref = reference(legs);
        expect(s.realizedPnl + unrealized(s, mark)).toBe(ref.valueAt(mark) - ref.netCashSpent);
        // The same, in closed form on the YES leg: Σ signedCount × (mark − yesPrice).
        const closed = legs.reduce(
          (sum, l) => sum + (l.side === 'bid' ? 1 : -1) * l.count * (mark - l.yesPrice),
          0,
        );
        expect(s.realizedPnl + unrealized(s, mark)).toBe(closed);
      }),
    );
  });

  it('the basis stays between 0 and $1 per contract held, and is 0 when flat', () => {
    fc.assert(
      fc.property(legsArb, (legs) => {
        let s = emptyPosition(T);
        legs.forEach((l, i) => {
          s = applyFill(s, toFill(l, i));
          expect(s.costBasis).toBeGreaterThanOrEqual(0);
          expect(s.costBasis).toBeLessThanOrEqual(Math.abs(s.position) * PRICE_SCALE);
          if (s.position === 0) expect(s.costBasis).toBe(0);
        });
      }),
    );
  });

  it('closing a position completely leaves no basis and realizes cash in − cash out', () => {
    fc.assert(
      fc.property(legsArb, fc.integer({ min: 1, max: PRICE_SCALE - 1 }), (legs, closePrice) => {
        const open = fold(legs);
        const closing: Leg[] =
          open.position === 0
            ? []
            : [
                {
                  side: open.position > 0 ? 'ask' : 'bid',
                  yesPrice: closePrice,
                  count: Math.abs(open.position),
                  fee: 0,
                },
              ];
        const all = [...legs, ...closing];
        const s = fold(all);
        const ref = reference(all);
        expect(s.position).toBe(0);
        expect(s.costBasis).toBe(0);
        expect(s.realizedPnl).toBe(ref.cashIn - ref.cashOut);
      }),
    );
  });

  it('the order of fills changes only the realized/basis split, never the totals at a mark', () => {
    const permuted = legsArb.chain((legs) =>
      fc.tuple(
        fc.constant(legs),
        fc.shuffledSubarray(legs, { minLength: legs.length, maxLength: legs.length }),
        markArb,
      ),
    );
    fc.assert(
      fc.property(permuted, ([legs, shuffled, mark]) => {
        const a = fold(legs);
        const b = fold(shuffled);
        expect(b.position).toBe(a.position);
        expect(b.feesPaid).toBe(a.feesPaid);
        expect(b.costBasis - b.realizedPnl).toBe(a.costBasis - a.realizedPnl);
        expect(b.realizedPnl + unrealized(b, mark)).toBe(a.realizedPnl + unrealized(a, mark));
      }),
    );
  });

  it('the tracker equals the pure fold over first deliveries, whatever is delivered twice', () => {
    const deliveries = legsArb.chain((legs) =>
      fc.tuple(
        fc.constant(legs),
        fc.array(fc.integer({ min: 0, max: Math.max(0, legs.length - 1) }), { maxLength: legs.length }),
      ),
    );
    fc.assert(
      fc.property(deliveries, ([legs, repeats]) => {
        const fills = legs.map(toFill);
        const bus = createBus();
        const tracker = new PositionTracker({ bus, clock: () => 0 });
        const sent: ExchangeFill[] = [...fills];
        // Re-deliver some fills later (replays after a reconnect).
        for (const i of repeats) {
          const f = fills[i];
          if (f) sent.push(f);
        }
        for (const f of sent) bus.emit('exchange.fillReported', f);
        expect(tracker.state(T)).toEqual(positionsFromFills(fills).get(T));
      }),
    );
  });
});
