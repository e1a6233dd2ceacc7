/**
 * Kalshi's trading fees as the edge trader sees them (KALSHI.md §8, fee schedule of 1 Jul 2025):
 *
 *   taker fee = ceil_to_cent(0.07   × C × P × (1 − P) × multiplier)
 *   maker fee = ceil_to_cent(0.0175 × C × P × (1 − P) × multiplier)   only when the series' fee_type is
 *                                                                     quadratic_with_maker_fees; else 0
 *
 * C = contracts, P = price in dollars (P(1 − P) is the same on the YES and the NO leg), multiplier =
 * the series' fee_multiplier (1/10,000 units, 10,000 = 1×), applied before rounding up (KALSHI.md
 * marks its exact placement unconfirmed). Daily-high weather series are `quadratic`: makers pay
 * nothing. `flat` fee tables are not published; they are charged like `quadratic` here.
 *
 * `tradeFee` is the exact integer fee of an order (Micros, BigInt inside: the products exceed
 * 2^53). `feePerContract` is the same rate without the rounding, in dollars, for edge arithmetic.
 * The simulator has its own copy (src/exchange-sim/fees.ts, which the trader must not import);
 * tests/unit/edge-fees.test.ts checks that the two agree.
 */
import {
  type Count,
  MICROS_PER_CENT,
  MICROS_PER_DOLLAR,
  type Micros,
  PRICE_SCALE,
  type Price,
} from '../domain/index.js';
import { requireInt } from './errors.js';

export type FeeType = 'quadratic' | 'quadratic_with_maker_fees' | 'flat';
export type FeeRole = 'taker' | 'maker';

export interface FeeSchedule {
  readonly feeType: FeeType;
  /** 1/10,000 units; 10,000 = 1×. */
  readonly feeMultiplier: number;
}

/** The daily-high weather series' schedule: quadratic, 1×. */
export const WEATHER_FEE_SCHEDULE: FeeSchedule = Object.freeze({
  feeType: 'quadratic',
  feeMultiplier: 10_000,
});

/** Fee rates as exact fractions of a dollar per contract per P(1 − P). */
const RATE: Record<FeeRole, { num: bigint; den: bigint }> = {
  taker: { num: 7n, den: 100n },
  maker: { num: 175n, den: 10_000n },
};

function charges(role: FeeRole, schedule: FeeSchedule): boolean {
  return role === 'taker' || schedule.feeType === 'quadratic_with_maker_fees';
}

/** The fee of one order of `count` (Count units) at `price` (Price units), rounded up to the cent. */
export function tradeFee(
  role: FeeRole,
  count: Count,
  price: Price,
  schedule: FeeSchedule = WEATHER_FEE_SCHEDULE,
): Micros {
  requireInt('count', count);
  requireInt('price', price, 0, PRICE_SCALE);
  requireInt('feeMultiplier', schedule.feeMultiplier);
  if (!charges(role, schedule)) return 0;
  const rate = RATE[role];
  const P = BigInt(PRICE_SCALE);
  // fee in micros = rate × (count/100) × (price/P) × (1 − price/P) × (m/10,000) × 10^6; in cents ÷ 10^4.
  const num =
    rate.num *
    BigInt(count) *
    BigInt(price) *
    (P - BigInt(price)) *
    BigInt(schedule.feeMultiplier) *
    BigInt(MICROS_PER_DOLLAR);
  const den = rate.den * 100n * P * P * 10_000n * BigInt(MICROS_PER_CENT);
  const cents = (num + den - 1n) / den;
  return Number(cents) * MICROS_PER_CENT;
}

/** The fee per contract at `price` without rounding, in dollars (for edge and Kelly arithmetic). */
export function feePerContract(
  role: FeeRole,
  price: Price,
  schedule: FeeSchedule = WEATHER_FEE_SCHEDULE,
): number {
  requireInt('price', price, 0, PRICE_SCALE);
  if (!charges(role, schedule)) return 0;
  const rate = RATE[role];
  const p = price / PRICE_SCALE;
  return (Number(rate.num) / Number(rate.den)) * p * (1 - p) * (schedule.feeMultiplier / 10_000);
}
