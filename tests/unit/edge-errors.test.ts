import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EDGE_ERROR_CODES } from '../../src/edge/index.js';
import { FORECAST_ERROR_CODES } from '../../src/forecast/index.js';

describe('the edge and forecast error catalogs and planning/edge.md', () => {
  it('list exactly the same codes', () => {
    const doc = readFileSync(join(import.meta.dirname, '..', '..', 'planning', 'edge.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## Error catalogs'));
    const documented = [...section.matchAll(/^\| `((?:EDGE|FORECAST)_[A-Z_]+)` \|/gm)]
      .map((m) => m[1])
      .sort();
    expect(documented).toEqual(
      [...Object.keys(EDGE_ERROR_CODES), ...Object.keys(FORECAST_ERROR_CODES)].sort(),
    );
  });
});
