/**
 * The trader's units. Nothing that is money or a count is ever a float:
 *  - Price  : integer 1/10,000 of a dollar (5600 = $0.56).
 *  - Count  : integer 1/100 of a contract (1000 = 10 contracts).
 *  - Micros : integer 1/1,000,000 of a dollar, for money (cost, fees, P&L, balance).
 *             count × price is exact in micros: (1/100) × (1/10,000) = 1/1,000,000.
 *
 * The arithmetic on them lives here (the YES/NO complement, notional, rounding to the cent); the
 * wire's fixed-point strings are parsed and formatted in src/kalshi/units.ts and nowhere else.
 * The `show*` functions are for people (logs, tables, messages): "$0.56", "10 contracts".
 */

export type Price = number;
export type Count = number;
export type Micros = number;

/** Units of Price in one dollar. */
export const PRICE_SCALE = 10_000;
/** Units of Count in one contract. */
export const COUNT_SCALE = 100;
/** Units of Micros in one dollar. */
export const MICROS_PER_DOLLAR = 1_000_000;
/** Units of Micros in one cent. */
export const MICROS_PER_CENT = 10_000;
/** Lowest and highest price an order may carry (inside the open interval (0, 1)). */
export const MIN_LIMIT_PRICE: Price = 1;
export const MAX_LIMIT_PRICE: Price = PRICE_SCALE - 1;
/** One cent as a Price (Kalshi's usual tick). */
export const CENT: Price = 100;

/** A YES price p is a NO price 1 − p, and the other way round. */
export function complement(p: Price): Price {
  return PRICE_SCALE - p;
}

/** Exact cost of `count` contracts at `price`. */
export function notional(count: Count, price: Price): Micros {
  return count * price;
}

/** Rounds money up to the next whole cent (fees). */
export function ceilToCent(m: Micros): Micros {
  return Math.ceil(m / MICROS_PER_CENT) * MICROS_PER_CENT;
}

/** Integer division rounded half away from zero, exact for any safe integers (averages for display). */
export function divRound(numerator: number, denominator: number): number {
  if (!Number.isSafeInteger(numerator) || !Number.isSafeInteger(denominator) || denominator === 0) {
    throw new RangeError(
      `divRound needs safe integers and a non-zero divisor (got ${numerator} / ${denominator})`,
    );
  }
  const n = BigInt(numerator);
  const d = BigInt(denominator);
  const negative = n < 0n !== d < 0n;
  const a = n < 0n ? -n : n;
  const b = d < 0n ? -d : d;
  const q = (2n * a + b) / (2n * b);
  return Number(negative ? -q : q);
}

/** A Count of `n` whole contracts. */
export function contracts(n: number): Count {
  if (!Number.isSafeInteger(n)) throw new RangeError(`contracts: expected a whole number, got ${n}`);
  return n * COUNT_SCALE;
}

function decimal(n: number, scale: number, minDecimals: number): string {
  const negative = n < 0;
  const abs = Math.abs(n);
  const whole = Math.trunc(abs / scale);
  const digits = String(scale).length - 1;
  let frac = String(abs % scale)
    .padStart(digits, '0')
    .replace(/0+$/, '');
  if (frac.length < minDecimals) frac = frac.padEnd(minDecimals, '0');
  return `${negative ? '-' : ''}${whole}${frac ? `.${frac}` : ''}`;
}

/** For people: "5", "2.5" (contracts). */
export function showCount(c: Count): string {
  return decimal(c, COUNT_SCALE, 0);
}

/** For people: "$0.56", "$0.5625". */
export function showPrice(p: Price): string {
  return `$${decimal(p, PRICE_SCALE, 2)}`;
}

/** For people: "$12.34", "-$0.05", "$0.001234" (never fewer than 2 decimals). */
export function showDollars(m: Micros): string {
  return `${m < 0 ? '-' : ''}$${decimal(Math.abs(m), MICROS_PER_DOLLAR, 2)}`;
}
