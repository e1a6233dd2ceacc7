/**
 * Kalshi trading fees (fee schedule effective 1 Jul 2025), computed per fill in exact integers.
 *
 *   taker fee = ceil_to_cent(0.07   × C × P × (1 − P)) × multiplier
 *   maker fee = ceil_to_cent(0.0175 × C × P × (1 − P)) × multiplier   (fee_type quadratic_with_maker_fees only)
 *
 * C = contracts, P = execution price in dollars (P(1 − P) is the same on the YES and the NO leg).
 * The series `feeMultiplier` is in 1/10,000 (10,000 = 1×) and scales the exact fee *before* the
 * rounding up to a whole cent (KALSHI.md §8 marks the exact placement as unconfirmed).
 * `flat` fee types use a per-series table that is not published; they are charged like `quadratic`
 * (taker only) until we know better. Settlement and cancels are free.
 *
 * All products are taken in BigInt: C (≤ 2^53) × P × (1 − P) × multiplier exceeds 2^53 easily.
 */

import {
  type Count,
  MICROS_PER_CENT,
  MICROS_PER_DOLLAR,
  type Micros,
  PRICE_SCALE,
  type Price,
} from '../domain/index.js';
import type { FeeType } from './core-types.js';

/** 1× in the units of a series' fee multiplier. */
export const FEE_MULTIPLIER_ONE = 10_000;

export type FeeRole = 'taker' | 'maker';

/** What the fee depends on besides the fill itself (a series, or an event's override of it). */
export interface FeeSchedule {
  feeType: FeeType;
  /** 1/10,000 units; 10,000 = 1×. */
  feeMultiplier: number;
}

/** Markets whose series is unknown pay the standard schedule. */
export const DEFAULT_FEE_SCHEDULE: FeeSchedule = { feeType: 'quadratic', feeMultiplier: FEE_MULTIPLIER_ONE };

/** A fee rate as an exact fraction of a dollar per contract per P(1 − P). */
interface Rate {
  num: bigint;
  den: bigint;
}

/** 0.07 */
const TAKER_RATE: Rate = { num: 7n, den: 100n };
/** 0.0175 */
const MAKER_RATE: Rate = { num: 175n, den: 10_000n };

const COUNT_SCALE_N = 100n;
const PRICE_SCALE_N = BigInt(PRICE_SCALE);
const MULTIPLIER_SCALE_N = BigInt(FEE_MULTIPLIER_ONE);
const MICROS_PER_DOLLAR_N = BigInt(MICROS_PER_DOLLAR);
const MICROS_PER_CENT_N = BigInt(MICROS_PER_CENT);

/**
 * ceil_to_cent(rate × C × P × (1 − P) × multiplier), in micros.
 * In units: C = count/100, P = price/10,000, multiplier = m/10,000, so the exact fee in micros is
 *   rate.num × count × price × (10,000 − price) × m × 10^6 / (rate.den × 100 × 10,000³),
 * and we divide once more by 10,000 micros per cent, rounding up.
 */
function quadraticFee(rate: Rate, count: Count, price: Price, multiplier: number): Micros {
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`fee: bad count ${count}`);
  if (!Number.isSafeInteger(price) || price < 0 || price > PRICE_SCALE) {
    throw new RangeError(`fee: bad price ${price}`);
  }
  if (!Number.isSafeInteger(multiplier) || multiplier < 0) {
    throw new RangeError(`fee: bad multiplier ${multiplier}`);
  }
  const numerator =
    rate.num *
    BigInt(count) *
    BigInt(price) *
    (PRICE_SCALE_N - BigInt(price)) *
    BigInt(multiplier) *
    MICROS_PER_DOLLAR_N;
  const denominator =
    rate.den * COUNT_SCALE_N * PRICE_SCALE_N * PRICE_SCALE_N * MULTIPLIER_SCALE_N * MICROS_PER_CENT_N;
  const cents = (numerator + denominator - 1n) / denominator;
  return Number(cents * MICROS_PER_CENT_N);
}

/** Fee of one taker fill of `count` at `price` (either leg's price: the fee is symmetric). */
export function takerFee(count: Count, price: Price, schedule: FeeSchedule = DEFAULT_FEE_SCHEDULE): Micros {
  return quadraticFee(TAKER_RATE, count, price, schedule.feeMultiplier);
}

/** Fee of one maker fill; zero unless the series charges maker fees. */
export function makerFee(count: Count, price: Price, schedule: FeeSchedule = DEFAULT_FEE_SCHEDULE): Micros {
  if (schedule.feeType !== 'quadratic_with_maker_fees') return 0;
  return quadraticFee(MAKER_RATE, count, price, schedule.feeMultiplier);
}

/** The fee of one fill for the given role. */
export function fillFee(
  role: FeeRole,
  count: Count,
  price: Price,
  schedule: FeeSchedule = DEFAULT_FEE_SCHEDULE,
): Micros {
  return role === 'taker' ? takerFee(count, price, schedule) : makerFee(count, price, schedule);
}
