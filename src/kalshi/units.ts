/**
 * The one boundary between Kalshi's fixed-point wire strings and the trader's integer units
 * (src/domain/units.ts: Price 1/10,000 $, Count 1/100 contract, Micros 1e-6 $). The wire carries
 * at most 4 decimals for prices, 2 for counts, 6 for money; this module parses and formats them and
 * does nothing else (arithmetic on the units lives in the domain module).
 *
 * Every parser throws a WireFormatError naming the field and the bad value; nothing returns NaN.
 */
import {
  COUNT_SCALE,
  type Count,
  MAX_LIMIT_PRICE,
  MICROS_PER_CENT,
  MIN_LIMIT_PRICE,
  type Micros,
  PRICE_SCALE,
  type Price,
} from '../domain/units.js';
import { WireFormatError } from './errors.js';

const DECIMAL = /^(-)?(\d+)(?:\.(\d*))?$/;

/** 10^k for the scales the wire uses (k ≤ 6). */
const POW10 = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000];
/** Any integer of this many decimal digits is exact in a double (10^15 < 2^53). */
const FAST_MAX_DIGITS = 15;

/** Parses a decimal string into an integer scaled by 10^decimals; throws on garbage or excess precision. */
function parseScaled(raw: unknown, decimals: number, field: string): number {
  if (typeof raw === 'string') {
    const n = parseScaledFast(raw, decimals);
    if (!Number.isNaN(n)) return n;
  }
  return parseScaledGeneral(raw, decimals, field);
}

/**
 * The hot path for what the wire sends ("0.5600", "-12.00"): one pass over the characters, no
 * regular expression, no BigInt. It accepts only what the general path accepts with the same
 * value — `-?digits[.digits]`, no whitespace, at most `decimals` significant decimals, at most
 * FAST_MAX_DIGITS digits, a result within the safe integers — and returns NaN for anything else,
 * so the general path decides it (and names the error).
 */
function parseScaledFast(s: string, decimals: number): number {
  const len = s.length;
  const negative = len > 0 && s.charCodeAt(0) === 45; // '-'
  let i = negative ? 1 : 0;
  const wholeStart = i;
  let n = 0;
  for (; i < len; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    n = n * 10 + d;
  }
  if (i === wholeStart) return Number.NaN;
  let digits = i - wholeStart;
  let scale = decimals;
  if (i < len) {
    if (s.charCodeAt(i) !== 46) return Number.NaN; // not '.'
    i++;
    // Trailing zeros beyond the precision are harmless ("0.560000"); other digits are not.
    let end = len;
    while (end > i && s.charCodeAt(end - 1) === 48) end--;
    if (end - i > decimals) return Number.NaN;
    digits += end - i;
    scale -= end - i;
    for (; i < end; i++) {
      const d = s.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return Number.NaN;
      n = n * 10 + d;
    }
  }
  if (digits > FAST_MAX_DIGITS) return Number.NaN;
  // Both factors are exact integers, so a product within the safe integers is exact too.
  n *= POW10[scale] as number;
  if (n > Number.MAX_SAFE_INTEGER) return Number.NaN;
  return negative && n !== 0 ? -n : n;
}

function parseScaledGeneral(raw: unknown, decimals: number, field: string): number {
  if (typeof raw !== 'string' && typeof raw !== 'number') {
    throw new WireFormatError(field, raw, 'expected a decimal string');
  }
  const text = typeof raw === 'number' ? numberToDecimal(raw, field) : raw.trim();
  const m = DECIMAL.exec(text);
  if (!m) throw new WireFormatError(field, raw, 'not a decimal number');
  const [, sign, whole = '', fracRaw = ''] = m;
  // Trailing zeros beyond the precision are harmless ("0.560000"); other digits are not.
  const frac = fracRaw.replace(/0+$/, '');
  if (frac.length > decimals) {
    throw new WireFormatError(field, raw, `more than ${decimals} decimal places`);
  }
  const scaled = BigInt(whole + frac.padEnd(decimals, '0'));
  if (scaled > BigInt(Number.MAX_SAFE_INTEGER)) throw new WireFormatError(field, raw, 'out of range');
  const n = Number(scaled);
  return sign && n !== 0 ? -n : n;
}

function numberToDecimal(n: number, field: string): string {
  if (!Number.isFinite(n)) throw new WireFormatError(field, n, 'not a finite number');
  // Numbers only come from JSON; toFixed(8) then trimming gives their shortest exact decimal form.
  return n.toFixed(8);
}

function formatScaled(n: number, decimals: number, field: string): string {
  if (!Number.isSafeInteger(n)) throw new WireFormatError(field, n, 'not an integer in units');
  const negative = n < 0;
  const digits = String(Math.abs(n)).padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals);
  const frac = digits.slice(digits.length - decimals);
  return `${negative ? '-' : ''}${whole}.${frac}`;
}

/** A price in dollars ("0.5600") that may be 0 or 1 (quotes, last price, settlement value). */
export function parsePrice(raw: unknown, field = 'price'): Price {
  const p = parseScaled(raw, 4, field);
  if (p < 0 || p > PRICE_SCALE) throw new WireFormatError(field, raw, 'price outside [0, 1]');
  return p;
}

/** A limit price strictly inside (0, 1), as an order carries. */
export function parseLimitPrice(raw: unknown, field = 'price'): Price {
  const p = parseScaled(raw, 4, field);
  if (p < MIN_LIMIT_PRICE || p > MAX_LIMIT_PRICE) {
    throw new WireFormatError(field, raw, 'limit price must be strictly between 0 and 1');
  }
  return p;
}

/** A non-negative contract count ("10.00"). */
export function parseCount(raw: unknown, field = 'count'): Count {
  const c = parseScaled(raw, 2, field);
  if (c < 0) throw new WireFormatError(field, raw, 'count must not be negative');
  return c;
}

/** A signed contract count (position_fp, delta_fp). */
export function parseSignedCount(raw: unknown, field = 'count'): Count {
  return parseScaled(raw, 2, field);
}

/** An amount of money in dollars ("12.3400", may be negative, up to 6 decimals). */
export function parseDollars(raw: unknown, field = 'dollars'): Micros {
  return parseScaled(raw, 6, field);
}

/** An integer number of cents (legacy money fields such as balance). */
export function centsToMicros(cents: unknown, field = 'cents'): Micros {
  if (typeof cents !== 'number' || !Number.isSafeInteger(cents)) {
    throw new WireFormatError(field, cents, 'expected an integer number of cents');
  }
  const micros = cents * MICROS_PER_CENT;
  if (!Number.isSafeInteger(micros)) throw new WireFormatError(field, cents, 'out of range');
  return micros;
}

export function formatPrice(p: Price): string {
  return formatScaled(p, 4, 'price');
}

export function formatCount(c: Count): string {
  return formatScaled(c, 2, 'count');
}

/** Money with 4 decimals, as Kalshi's REST responses carry it; finer amounts keep 6. */
export function formatDollars(m: Micros): string {
  if (m % 100 === 0) return formatScaled(m / 100, 4, 'dollars');
  return formatScaled(m, 6, 'dollars');
}

/** Whole cents, rounding toward zero (for the legacy integer-cent fields). */
export function microsToCents(m: Micros): number {
  return Math.trunc(m / MICROS_PER_CENT);
}

/** Whole contracts from a Count, or a clear error when it is fractional. */
export function wholeContracts(c: Count, field = 'count'): number {
  if (c % COUNT_SCALE !== 0)
    throw new WireFormatError(field, formatCount(c), 'not a whole number of contracts');
  return c / COUNT_SCALE;
}

/** Price from whole cents (1..99), for the legacy integer-cent price fields. */
export function centsToPrice(cents: number, field = 'price'): Price {
  if (!Number.isInteger(cents) || cents < 0 || cents > 100) {
    throw new WireFormatError(field, cents, 'expected whole cents between 0 and 100');
  }
  return cents * 100;
}
