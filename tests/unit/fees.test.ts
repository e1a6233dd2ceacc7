import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contracts, MICROS_PER_CENT } from '../../src/domain/index.js';
import {
  FEE_MULTIPLIER_ONE,
  type FeeSchedule,
  fillFee,
  makerFee,
  takerFee,
} from '../../src/exchange-sim/fees.js';

const standard: FeeSchedule = { feeType: 'quadratic', feeMultiplier: FEE_MULTIPLIER_ONE };
const withMakerFees: FeeSchedule = {
  feeType: 'quadratic_with_maker_fees',
  feeMultiplier: FEE_MULTIPLIER_ONE,
};
const cents = (n: number) => n * MICROS_PER_CENT;

describe('taker fees', () => {
  it('charges 2¢ for one contract at 50¢ (1.75¢ rounded up to the cent)', () => {
    expect(takerFee(contracts(1), 5000, standard)).toBe(cents(2));
  });

  it('charges $1.75 for 100 contracts at 50¢', () => {
    expect(takerFee(contracts(100), 5000, standard)).toBe(cents(175));
  });

  it('charges the same on either leg, since P(1 − P) is symmetric', () => {
    expect(takerFee(contracts(37), 2300, standard)).toBe(takerFee(contracts(37), 7700, standard));
  });

  it('rounds up to a whole cent: 10 contracts at 10¢ is 6.3¢ → 7¢', () => {
    expect(takerFee(contracts(10), 1000, standard)).toBe(cents(7));
  });

  it('charges nothing for nothing, and at least a cent for any fill at an inner price', () => {
    expect(takerFee(0, 5000, standard)).toBe(0);
    expect(takerFee(1, 100, standard)).toBe(cents(1));
  });

  it('stays exact for huge counts where floats would lose cents', () => {
    // 10 million contracts at 50¢: 0.07 × 10^7 × 0.25 = $175,000 exactly.
    expect(takerFee(contracts(10_000_000), 5000, standard)).toBe(175_000 * 1_000_000);
  });

  it('scales by the series fee multiplier before rounding', () => {
    expect(takerFee(contracts(100), 5000, { feeType: 'quadratic', feeMultiplier: 5000 })).toBe(cents(88));
    expect(takerFee(contracts(100), 5000, { feeType: 'quadratic', feeMultiplier: 20_000 })).toBe(cents(350));
    expect(takerFee(contracts(100), 5000, { feeType: 'quadratic', feeMultiplier: 0 })).toBe(0);
  });
});

describe('maker fees', () => {
  it('are zero unless the series is quadratic_with_maker_fees', () => {
    expect(makerFee(contracts(100), 5000, standard)).toBe(0);
    expect(makerFee(contracts(100), 5000, { feeType: 'flat', feeMultiplier: FEE_MULTIPLIER_ONE })).toBe(0);
  });

  it('are a quarter of the taker rate where they apply: 100 at 50¢ → 43.75¢ → 44¢', () => {
    expect(makerFee(contracts(100), 5000, withMakerFees)).toBe(cents(44));
    expect(makerFee(contracts(1), 5000, withMakerFees)).toBe(cents(1));
  });

  it('fillFee picks the role', () => {
    expect(fillFee('taker', contracts(100), 5000, withMakerFees)).toBe(cents(175));
    expect(fillFee('maker', contracts(100), 5000, withMakerFees)).toBe(cents(44));
  });
});

describe('fee arithmetic', () => {
  it('matches an exact rational reference for any fill', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000_000 }),
        fc.integer({ min: 1, max: 9999 }),
        fc.integer({ min: 0, max: 40_000 }),
        (count, price, multiplier) => {
          // Cents = 0.07 × (count/100) × (price/10⁴) × (1 − price/10⁴) × (multiplier/10⁴) × 100
          //       = 7·count·price·(10⁴ − price)·multiplier / 10¹⁴, rounded up.
          const exact = 7n * BigInt(count) * BigInt(price) * BigInt(10_000 - price) * BigInt(multiplier);
          const perCent = 10n ** 14n;
          const expectedCents = (exact + perCent - 1n) / perCent;
          const fee = takerFee(count, price, { feeType: 'quadratic', feeMultiplier: multiplier });
          expect(BigInt(fee)).toBe(expectedCents * 10_000n);
          expect(fee % MICROS_PER_CENT).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });
});
