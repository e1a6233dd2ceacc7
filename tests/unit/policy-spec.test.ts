import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  FEATURE_COUNT,
  FEATURE_NAMES,
  FEATURE_SPEC,
  FEATURE_SPEC_HASH,
  FEATURE_VERSION,
  POLICY_ERROR_CODES,
  SPEC_CONSTANTS,
  specHash,
} from '../../src/policy/index.js';

const root = join(import.meta.dirname, '..', '..');
const featuresMd = readFileSync(join(root, 'planning', 'features.md'), 'utf8');

/** Pinned: a change to the spec must come with a new FEATURE_VERSION (and a retrained model). */
const PINNED = {
  version: 'tv3-obs-2',
  hash: 'aefea5646ac2f20831858ef8a4904193fe807cdafd9db28a985f8162fe8a9e67',
};

describe('the observation spec', () => {
  it('has 52 uniquely named features', () => {
    expect(FEATURE_SPEC).toHaveLength(FEATURE_COUNT);
    expect(new Set(FEATURE_NAMES).size).toBe(52);
    for (const d of FEATURE_SPEC) expect(d.min).toBeLessThan(d.max);
  });

  it('is the spec the pinned hash was taken of (bump FEATURE_VERSION when this fails)', () => {
    expect({ version: FEATURE_VERSION, hash: FEATURE_SPEC_HASH }).toEqual(PINNED);
  });

  it('changes its hash when a formula, a range, the order, a constant or the version changes', () => {
    const base = specHash(FEATURE_VERSION, SPEC_CONSTANTS, FEATURE_SPEC);
    expect(base).toBe(FEATURE_SPEC_HASH);
    const edited = FEATURE_SPEC.map((d, i) => (i === 33 ? { ...d, formula: `${d.formula} ` } : d));
    const ranged = FEATURE_SPEC.map((d, i) => (i === 30 ? { ...d, max: 2 } : d));
    const swapped = [FEATURE_SPEC[1]!, FEATURE_SPEC[0]!, ...FEATURE_SPEC.slice(2)];
    const variants = [
      specHash(FEATURE_VERSION, SPEC_CONSTANTS, edited),
      specHash(FEATURE_VERSION, SPEC_CONSTANTS, ranged),
      specHash(FEATURE_VERSION, SPEC_CONSTANTS, swapped),
      specHash(FEATURE_VERSION, { ...SPEC_CONSTANTS, historyCapacity: 11 }, FEATURE_SPEC),
      specHash('tv3-obs-3', SPEC_CONSTANTS, FEATURE_SPEC),
    ];
    expect(new Set([base, ...variants]).size).toBe(6);
  });

  it('is the table of planning/features.md, row for row', () => {
    const rows = featuresMd.split('\n').filter((l) => /^\| \d+ \| `/.test(l));
    const expected = FEATURE_SPEC.map(
      (d, i) => `| ${i} | \`${d.name}\` | ${d.group} | [${d.min}, ${d.max}] | ${d.unit} | ${d.formula} |`,
    );
    expect(rows).toEqual(expected);
  });

  it('is named in planning/features.md by its version and hash', () => {
    expect(featuresMd).toContain(`\`${FEATURE_VERSION}\``);
    expect(featuresMd).toContain(FEATURE_SPEC_HASH);
  });
});

describe('the policy error catalog', () => {
  it('lists the same codes as planning/policy.md', () => {
    const doc = readFileSync(join(root, 'planning', 'policy.md'), 'utf8');
    const documented = [...doc.matchAll(/^\| `(POLICY_[A-Z_]+)` \|/gm)].map((m) => m[1]).sort();
    expect(documented).toEqual(Object.keys(POLICY_ERROR_CODES).sort());
  });
});
