import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KALSHI_ERROR_CODES } from '../../src/kalshi/errors.js';

describe('the error catalog and the README', () => {
  it('list exactly the same codes', () => {
    const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Errors at the Kalshi boundary'));
    const documented = [...section.matchAll(/^\| `(KALSHI_[A-Z_]+)` \|/gm)].map((m) => m[1]).sort();
    expect(documented).toEqual(Object.keys(KALSHI_ERROR_CODES).sort());
  });
});
