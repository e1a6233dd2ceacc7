/**
 * Fuzz: the wire's fixed-point strings (prices in dollars with 4 decimals, counts with 2,
 * dollar amounts, cents). Garbage, huge numbers, excess precision and wrong types throw a
 * WireFormatError naming the field; valid values round-trip exactly through format → parse.
 */
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WireFormatError } from '../../src/kalshi/errors.js';
import {
  centsToMicros,
  formatCount,
  formatDollars,
  formatPrice,
  parseCount,
  parseDollars,
  parseLimitPrice,
  parsePrice,
  parseSignedCount,
} from '../../src/kalshi/units.js';
import { wrongValue } from './mutate.js';
import { FUZZ_TIMEOUT_MS, fuzzParams } from './runs.js';

const anyInput = fc.oneof(
  wrongValue,
  fc.anything({ maxDepth: 1 }),
  fc.stringMatching(/^\s?-?\d{0,20}(\.\d{0,10})?\s?$/),
  fc.double({ noNaN: false }),
  fc.bigInt().map((b) => b.toString()),
);

const PARSERS: ReadonlyArray<[string, (raw: unknown, field?: string) => number]> = [
  ['parsePrice', parsePrice],
  ['parseLimitPrice', parseLimitPrice],
  ['parseCount', parseCount],
  ['parseSignedCount', parseSignedCount],
  ['parseDollars', parseDollars],
  ['centsToMicros', centsToMicros],
];

describe('fuzz: fixed-point strings', () => {
  for (const [name, parse] of PARSERS) {
    it(
      `${name}: a safe integer or a WireFormatError naming the field`,
      () => {
        fc.assert(
          fc.property(anyInput, (raw) => {
            try {
              const v = parse(raw, 'the_field');
              expect(Number.isSafeInteger(v), `${String(raw)} → ${v}`).toBe(true);
            } catch (err) {
              expect(err, String(err)).toBeInstanceOf(WireFormatError);
              expect((err as WireFormatError).field).toBe('the_field');
              expect((err as Error).message).toMatch(/^the_field: /);
            }
          }),
          fuzzParams(),
        );
      },
      FUZZ_TIMEOUT_MS,
    );
  }

  it(
    'valid prices, counts and dollar amounts round-trip exactly',
    () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 10_000 }),
          fc.integer({ min: 0, max: 1e12 }),
          fc.integer({ min: -1e12, max: 1e12 }),
          (price, count, micros) => {
            expect(parsePrice(formatPrice(price))).toBe(price);
            expect(parseCount(formatCount(count))).toBe(count);
            const cents = Math.round(micros / 100) * 100 || 0; // the wire carries 4 decimals of a dollar
            expect(parseDollars(formatDollars(cents))).toBe(cents);
          },
        ),
        fuzzParams(),
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});
