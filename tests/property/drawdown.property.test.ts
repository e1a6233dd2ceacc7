/** Equity drawdown against a naive reference: peak, drawdown and basis points at every point. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { drawdownSeries, maxDrawdown } from '../../src/report/index.js';

function naive(equities: number[]) {
  return equities.map((e, i) => {
    const peak = Math.max(...equities.slice(0, i + 1));
    const drawdown = peak - e;
    return { peak, drawdown, drawdownBps: peak > 0 ? Math.floor((drawdown * 10_000) / peak) : 0 };
  });
}

describe('drawdownSeries', () => {
  it('matches the naive running-peak definition', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -1_000_000_000, max: 1_000_000_000_000 }), { maxLength: 200 }),
        (equities) => {
          const got = drawdownSeries(equities.map((equity, at) => ({ at, equity })));
          expect(got.map(({ peak, drawdown, drawdownBps }) => ({ peak, drawdown, drawdownBps }))).toEqual(
            naive(equities),
          );
          const worst = maxDrawdown(got);
          expect(worst.drawdown).toBe(Math.max(0, ...naive(equities).map((p) => p.drawdown)));
          for (const p of got) expect(p.drawdown).toBeGreaterThanOrEqual(0);
        },
      ),
    );
  });
});
