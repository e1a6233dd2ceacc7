/** Calibration tells its progress: each read as it starts, every item as it arrives, then done. */
import { describe, expect, it } from 'vitest';
import { createBus } from '../../src/bus.js';
import { wantsBar } from '../../src/cli/calibration-bar.js';
import { type CalibrationDeps, type CalibrationProgress, calibrate } from '../../src/integrations/index.js';

async function* pages<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

function deps(over: Partial<CalibrationDeps> = {}): CalibrationDeps {
  const flat = ['KX-A', 'KX-B', 'KX-C'].map((ticker) => ({ ticker, position_fp: '0.00' }));
  return {
    rest: {
      allPositions: () => pages(flat),
      allOrders: () => pages([]),
      allFills: () => pages([]),
      allSettlements: () => pages([]),
      getBalance: async () => ({ balance: 10_000, portfolio_value: 0 }),
    } as unknown as CalibrationDeps['rest'],
    orders: {
      reconcile: () => ({ adopted: 0 }),
      resolveUnknowns: async () => undefined,
      settleMissing: async () => undefined,
      cancelAll: async () => ({ canceled: 0 }),
    } as unknown as CalibrationDeps['orders'],
    positions: {
      reconcile: () => [],
      positions: () => [],
      unapplied: () => [],
      rebase: () => 0,
    } as unknown as CalibrationDeps['positions'],
    bus: createBus(),
    clock: () => 0,
    cleanup: false,
    fillsSinceMs: 0,
    ...over,
  };
}

describe('calibration progress', () => {
  it('tells each step as it starts and every item it reads, then done', async () => {
    const seen: CalibrationProgress[] = [];
    await calibrate(deps({ onProgress: (p) => seen.push(p) }));
    expect(seen.map((p) => `${p.step}:${p.stepsDone}:${p.items}`)).toEqual([
      'positions:0:0',
      'positions:0:1',
      'positions:0:2',
      'positions:0:3',
      'orders:1:0',
      'fills:2:0',
      'settlements:3:0',
      'balance:4:0',
      'check:5:0',
      'check:5:1',
      'check:5:2',
      'check:5:3',
      'done:6:0',
    ]);
    expect(new Set(seen.map((p) => p.attempt))).toEqual(new Set([1]));
  });

  it('calibrates the same without a listener', async () => {
    expect((await calibrate(deps())).attempts).toBe(1);
  });
});

describe("start's calibration bar", () => {
  it('is for a person: stderr and stdout at a terminal, and not in CI', () => {
    const both = { stderrTty: true, stdoutTty: true };
    expect(wantsBar({ ...both, env: {} })).toBe(true);
    expect(wantsBar({ ...both, env: { CI: 'false' } })).toBe(true);
    expect(wantsBar({ ...both, env: { CI: 'true' } })).toBe(false);
    expect(wantsBar({ ...both, env: { CI: '1' } })).toBe(false);
    expect(wantsBar({ stderrTty: false, stdoutTty: true, env: {} })).toBe(false);
    // stdout off a terminal: the logs are JSON lines for a machine.
    expect(wantsBar({ stderrTty: true, stdoutTty: false, env: {} })).toBe(false);
  });
});
