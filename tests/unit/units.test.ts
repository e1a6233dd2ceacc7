import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ceilToCent, complement, divRound, notional } from '../../src/domain/index.js';
import { WireFormatError } from '../../src/kalshi/errors.js';
import {
  formatCount,
  formatDollars,
  formatPrice,
  parseCount,
  parseDollars,
  parseLimitPrice,
  parsePrice,
  parseSignedCount,
} from '../../src/kalshi/units.js';

describe('fixed-point wire values', () => {
  it('parses prices into 1/10,000 dollar units', () => {
    expect(parsePrice('0.5600')).toBe(5600);
    expect(parsePrice('0.960')).toBe(9600);
    expect(parsePrice('1')).toBe(10000);
    expect(parsePrice('0.0000')).toBe(0);
    expect(parseLimitPrice('0.0010')).toBe(10);
  });

  it('parses counts into 1/100 contract units, signed where asked', () => {
    expect(parseCount('10.00')).toBe(1000);
    expect(parseCount('0.01')).toBe(1);
    expect(parseSignedCount('-54.00')).toBe(-5400);
    expect(parseCount('3')).toBe(300);
  });

  it('parses money into micro-dollars, up to 6 decimals', () => {
    expect(parseDollars('12.3400')).toBe(12_340_000);
    expect(parseDollars('-0.000001')).toBe(-1);
  });

  it.each([
    ['NaN', 'not a decimal'],
    ['', 'not a decimal'],
    ['0.12345', 'more than 4 decimal places'],
    ['1.5', 'price outside'],
    ['-0.1', 'price outside'],
    ['0x10', 'not a decimal'],
    ['1e3', 'not a decimal'],
  ])('rejects the price %j with a clear error', (raw, problem) => {
    expect(() => parsePrice(raw, 'yes_price_dollars')).toThrow(WireFormatError);
    expect(() => parsePrice(raw, 'yes_price_dollars')).toThrow(problem);
    expect(() => parsePrice(raw, 'yes_price_dollars')).toThrow(/yes_price_dollars/);
  });

  it('refuses limit prices at or beyond 0 and 1', () => {
    expect(() => parseLimitPrice('0.0000')).toThrow(/strictly between/);
    expect(() => parseLimitPrice('1.0000')).toThrow(/strictly between/);
  });

  it('refuses negative and over-precise counts', () => {
    expect(() => parseCount('-1.00')).toThrow(/negative/);
    expect(() => parseCount('1.001')).toThrow(/2 decimal places/);
    expect(() => parseCount(null)).toThrow(/decimal string/);
  });

  it('formats back to the wire forms', () => {
    expect(formatPrice(5600)).toBe('0.5600');
    expect(formatPrice(10000)).toBe('1.0000');
    expect(formatCount(1000)).toBe('10.00');
    expect(formatCount(-5)).toBe('-0.05');
    expect(formatDollars(12_340_000)).toBe('12.3400');
    expect(formatDollars(-1)).toBe('-0.000001');
  });

  it('round-trips every price and count', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 10000 }), (p) => parsePrice(formatPrice(p)) === p));
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }), (c) => parseSignedCount(formatCount(c)) === c),
    );
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), (m) => parseDollars(formatDollars(m)) === m),
    );
  });

  it('computes exact notional and YES/NO complements', () => {
    expect(notional(1, 10)).toBe(10); // 0.01 contract at $0.001 = $0.00001
    expect(notional(1000, 5600)).toBe(5_600_000);
    expect(complement(3000)).toBe(7000);
    expect(ceilToCent(1)).toBe(10_000);
    expect(ceilToCent(20_000)).toBe(20_000);
  });
});

describe('divRound', () => {
  it('rounds integer quotients half away from zero, exactly', () => {
    expect(divRound(5, 2)).toBe(3);
    expect(divRound(-5, 2)).toBe(-3);
    expect(divRound(4, 3)).toBe(1);
    expect(divRound(Number.MAX_SAFE_INTEGER, 3)).toBe(3002399751580330);
    expect(() => divRound(1, 0)).toThrow(/non-zero/);
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), fc.integer({ min: 1, max: 1e6 }), (n, d) => {
        const q = divRound(n, d);
        return Math.abs(n - q * d) * 2 <= d;
      }),
    );
  });
});
