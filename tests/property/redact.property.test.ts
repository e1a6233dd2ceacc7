/**
 * scrubSecretLine against a structural reference: for any JSON value with secret-named keys (any
 * case, any depth, any value), the scrubbed line is still one JSON line and equals the value with
 * every secret-named key's value replaced — nothing else changed, nothing of a secret left.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REDACTED, SECRET_KEYS, scrubSecretLine } from '../../src/config/index.js';

const SECRET = new Set(SECRET_KEYS.map((k) => k.toLowerCase()));

function reference(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reference);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, item] of Object.entries(v))
    out[k] = SECRET.has(k.toLowerCase()) ? REDACTED : reference(item);
  return out;
}

/** A secret key in a random case: `toKen`, `PRIVATE_KEY_pem`. */
const secretKey = fc
  .tuple(fc.constantFrom(...SECRET_KEYS), fc.array(fc.boolean(), { minLength: 24, maxLength: 24 }))
  .map(([k, upper]) => [...k].map((c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase())).join(''));
/** Strings with quotes, backslashes, control and non-ASCII characters, but no URL and no PEM marker. */
const text = fc
  .string({ unit: 'binary', maxLength: 24 })
  .filter((s) => !s.includes('://') && !s.includes('PRIVATE'));
const key = fc.oneof(
  secretKey,
  text,
  fc.constantFrom('msg', 'keyId', 'tokens', 'my_token', 'x"token', '"token', 'a\\', ',"token":'),
);
const scalar = fc.oneof(
  text,
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
);
const { value } = fc.letrec<{ value: unknown; object: Record<string, unknown> }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    tie('object'),
    fc.array(tie('value'), { maxLength: 4 }),
  ),
  object: fc.dictionary(key, tie('value'), { maxKeys: 5, noNullPrototype: true }),
}));
const line = fc.dictionary(key, value, { minKeys: 1, maxKeys: 6, noNullPrototype: true });

describe('scrubSecretLine', () => {
  it('equals a structural redaction of the line, and the line stays JSON', () => {
    fc.assert(
      fc.property(line, (obj) => {
        const serialized = `${JSON.stringify(obj)}\n`;
        const out = scrubSecretLine(serialized);
        expect(out.endsWith('\n')).toBe(true);
        expect(out.slice(0, -1).includes('\n')).toBe(false);
        expect(JSON.parse(out)).toEqual(JSON.parse(JSON.stringify(reference(obj))));
      }),
      { numRuns: 2_000 },
    );
  });

  it('leaves a line without a secret-named key exactly as it was', () => {
    const plain = `${JSON.stringify({ level: 'info', tokens: 3, 'x"token': 'x', url: 'http://h:80/p', msg: ',"token":"a"' })}\n`;
    expect(scrubSecretLine(plain)).toBe(plain);
  });
});
