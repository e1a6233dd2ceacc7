/**
 * The fixed-point parsers against a naive reference: the regular expression and BigInt they were
 * first written with. The hot path (a one-pass character scan) must give the same integer for
 * every string the reference accepts, and the same coded error (same message) for every string it
 * refuses — leading zeros, long digit runs, trailing zeros, signs, whitespace and all.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WireFormatError } from '../../src/kalshi/errors.js';
import { parseDollars, parseLimitPrice, parseSignedCount } from '../../src/kalshi/units.js';

/** The reference: what parseScaled was before the fast path. Returns the integer or the problem text. */
function reference(raw: string, decimals: number): number | string {
  const m = /^(-)?(\d+)(?:\.(\d*))?$/.exec(raw.trim());
  if (!m) return 'not a decimal number';
  const [, sign, whole = '', fracRaw = ''] = m;
  const frac = fracRaw.replace(/0+$/, '');
  if (frac.length > decimals) return `more than ${decimals} decimal places`;
  const scaled = BigInt(whole + frac.padEnd(decimals, '0'));
  if (scaled > BigInt(Number.MAX_SAFE_INTEGER)) return 'out of range';
  const n = Number(scaled);
  return sign && n !== 0 ? -n : n;
}

function outcome(parse: () => number): number | string {
  try {
    return parse();
  } catch (err) {
    expect(err).toBeInstanceOf(WireFormatError);
    expect((err as WireFormatError).field).toBe('f');
    return (err as Error).message.replace(/^f: /, '').replace(/ \(got .*\)$/s, '');
  }
}

const digits = (max: number) => fc.stringMatching(new RegExp(`^\\d{0,${max}}$`));
/** Strings shaped like wire values, with the edges the fast path must hand over or agree on. */
const decimalish = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('', '-', '+', ' ', '--'),
      digits(20),
      fc.constantFrom('', '.', ','),
      digits(10),
      fc.constantFrom('', '0', '000000', ' ', '\n', 'x'),
    )
    .map(([a, b, c, d, e]) => a + b + c + d + e),
  fc.stringMatching(/^-?0{0,20}\d{0,17}(\.\d{0,8}0{0,4})?$/),
  fc.bigInt({ min: -(2n ** 60n), max: 2n ** 60n }).map((b) => b.toString()),
  fc.string({ maxLength: 12 }),
);

describe('fixed-point parsing agrees with the naive reference', () => {
  it('signed counts (2 decimals)', () => {
    fc.assert(
      fc.property(decimalish, (s) => {
        expect(outcome(() => parseSignedCount(s, 'f'))).toEqual(reference(s, 2));
      }),
      { numRuns: 5_000 },
    );
  });

  it('dollars (6 decimals)', () => {
    fc.assert(
      fc.property(decimalish, (s) => {
        expect(outcome(() => parseDollars(s, 'f'))).toEqual(reference(s, 6));
      }),
      { numRuns: 5_000 },
    );
  });

  it('limit prices (4 decimals, strictly inside (0, 1))', () => {
    fc.assert(
      fc.property(decimalish, (s) => {
        const ref = reference(s, 4);
        const expected =
          typeof ref === 'number' && (ref < 1 || ref > 9_999)
            ? 'limit price must be strictly between 0 and 1'
            : ref;
        expect(outcome(() => parseLimitPrice(s, 'f'))).toEqual(expected);
      }),
      { numRuns: 5_000 },
    );
  });

  it('the edges of exactness: 15 and 16 digits, MAX_SAFE_INTEGER and one past it', () => {
    for (const s of [
      '999999999999999',
      '9999999999999.99',
      '-999999999999.999999',
      '9007199254740.991',
      '9007199254740.992',
      '90071992547409.91',
      '90071992547409.92',
      '0000000000000000000001.00',
      '-0.00',
      '-0',
      '0.',
      '12.',
      '.5',
      '-',
      '',
    ]) {
      expect(
        outcome(() => parseSignedCount(s, 'f')),
        s,
      ).toEqual(reference(s, 2));
      expect(
        outcome(() => parseDollars(s, 'f')),
        s,
      ).toEqual(reference(s, 6));
    }
  });
});
