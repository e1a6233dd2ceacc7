/** Where a calibration's read of fills starts (fillsReadSince). */
import { describe, expect, it } from 'vitest';
import { fillsReadSince } from '../../src/integrations/index.js';

describe('fillsReadSince', () => {
  const run = Date.UTC(2026, 11, 1, 9);
  it("reads the whole run at the run's first calibration (and before the positions are anchored)", () => {
    expect(fillsReadSince({ runSinceMs: run, lastCalibrationStartedMs: undefined, overlapMs: 900_000 })).toBe(
      run,
    );
  });
  it('reads from the last calibration’s start less the overlap, never before the run', () => {
    const last = run + 3_600_000;
    expect(fillsReadSince({ runSinceMs: run, lastCalibrationStartedMs: last, overlapMs: 900_000 })).toBe(
      last - 900_000,
    );
    expect(
      fillsReadSince({ runSinceMs: run, lastCalibrationStartedMs: run + 60_000, overlapMs: 900_000 }),
    ).toBe(run);
  });
});
