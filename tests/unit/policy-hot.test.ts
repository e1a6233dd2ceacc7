import { describe, expect, it } from 'vitest';
import {
  activityAt,
  DEFAULT_HOT_SETTINGS,
  NO_ACTIVITY,
  recordActivity,
  selectHotMarket,
} from '../../src/policy/index.js';

const H = 60_000;

describe('market activity', () => {
  it('adds |delta| contracts and halves every half-life', () => {
    let a = recordActivity(NO_ACTIVITY, 1_000, 10, H);
    a = recordActivity(a, 1_000, -30, H);
    expect(activityAt(a, 1_000, H)).toBe(40);
    expect(activityAt(a, 1_000 + H, H)).toBeCloseTo(20, 9);
    expect(activityAt(a, 1_000 + 2 * H, H)).toBeCloseTo(10, 9);
    a = recordActivity(a, 1_000 + H, 5, H);
    expect(a.score).toBeCloseTo(25, 9);
  });

  it('ignores garbage deltas and never goes back in time', () => {
    const a = recordActivity(recordActivity(NO_ACTIVITY, 5_000, 8, H), 1_000, Number.NaN, H);
    expect(a).toEqual({ score: 8, atMs: 5_000 });
  });
});

describe('selectHotMarket', () => {
  const s = DEFAULT_HOT_SETTINGS;

  it('picks the most active market first (ties: smaller ticker)', () => {
    expect(selectHotMarket([], undefined, 0)).toBeUndefined();
    expect(
      selectHotMarket(
        [
          { ticker: 'B', score: 5 },
          { ticker: 'A', score: 5 },
          { ticker: 'C', score: 1 },
        ],
        undefined,
        7,
      ),
    ).toEqual({ ticker: 'A', sinceMs: 7 });
  });

  it('keeps the incumbent during the dwell time, then switches only past the ratio', () => {
    const cur = { ticker: 'A', sinceMs: 0 };
    const busyB = [
      { ticker: 'A', score: 10 },
      { ticker: 'B', score: 100 },
    ];
    expect(selectHotMarket(busyB, cur, s.minDwellMs - 1)).toBe(cur);
    expect(selectHotMarket(busyB, cur, s.minDwellMs)).toEqual({ ticker: 'B', sinceMs: s.minDwellMs });
    const closeB = [
      { ticker: 'A', score: 10 },
      { ticker: 'B', score: 14.9 },
    ];
    expect(selectHotMarket(closeB, cur, 10 * s.minDwellMs)).toBe(cur);
  });

  it('leaves an incumbent that is no longer a candidate at once', () => {
    const cur = { ticker: 'GONE', sinceMs: 0 };
    expect(selectHotMarket([{ ticker: 'B', score: 0 }], cur, 10)).toEqual({ ticker: 'B', sinceMs: 10 });
  });
});
