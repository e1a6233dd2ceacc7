/**
 * Calibration's reads: it tells its progress (each read as it starts, every page as it arrives,
 * then done), and it reads its lists in the largest pages Kalshi documents (1,000), so a big
 * account is a few pages a list rather than a hundred; an exchange that refuses that page size on
 * the first page (HTTP 400) is asked again at 200 and then at its default, with a warning.
 */
import { describe, expect, it } from 'vitest';
import { createBus } from '../../src/bus.js';
import { wantsBar } from '../../src/cli/calibration-bar.js';
import {
  CALIBRATION_PAGE_LIMITS,
  type CalibrationDeps,
  type CalibrationProgress,
  calibrate,
} from '../../src/integrations/index.js';
import { KalshiHttpError } from '../../src/kalshi/index.js';
import { idleOrders, pageFrom, pages } from '../calibration-fakes.js';

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
    orders: idleOrders(),
    positions: {
      reconcile: () => [],
      positions: () => [],
      unapplied: () => [],
      anchor: () => 0,
      hasFill: () => false,
      anchored: true,
    } as unknown as CalibrationDeps['positions'],
    bus: createBus(),
    clock: () => 0,
    cleanup: false,
    fillsSinceMs: 0,
    ...over,
  };
}

describe('calibration progress', () => {
  it('tells each step as it starts and every page it reads, then done', async () => {
    const seen: CalibrationProgress[] = [];
    await calibrate(deps({ onProgress: (p) => seen.push(p) }));
    const told = seen.map((p) => `${p.step}:${p.stepsDone}:${p.items}`);
    // Positions and orders start together; fills and settlements after the positions; then the
    // balance, then the check (the positions took three pages: one page of the newest fills and
    // settlements, no second read of the positions), and done.
    expect(told.slice(0, 2)).toEqual(['positions:0:0', 'orders:0:0']);
    expect(told.slice(-3)).toEqual(['balance:4:0', 'check:5:0', 'done:6:0']);
    // Every page of a step is told (here one item a page), in order, and the count of finished steps never goes back.
    expect(seen.filter((p) => p.step === 'positions').map((p) => p.items)).toEqual([0, 1, 2, 3]);
    const done = seen.map((p) => p.stepsDone);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(new Set(seen.map((p) => p.attempt))).toEqual(new Set([1]));
  });

  it('reads positions and orders at once, fills and settlements after the positions, then the balance and the check', async () => {
    // A fill the positions show must be in the fills read (the first calibration adopts the
    // positions: a fill missing from the read would be counted again when its WS message comes).
    const log: string[] = [];
    let bothStarted: () => void = () => {};
    const barrier = new Promise<void>((r) => {
      bothStarted = r;
    });
    const started = new Set<string>();
    const begin = async (name: string, waitForPair: boolean) => {
      log.push(`start ${name}`);
      started.add(name);
      if (started.has('positions') && started.has('orders')) bothStarted();
      // Positions and orders each wait for the other to start: one after the other never ends.
      if (waitForPair) await barrier;
      log.push(`end ${name}`);
    };
    const list = (name: string, waitForPair: boolean) => () =>
      pageFrom(async () => {
        await begin(name, waitForPair);
        return [];
      });
    const base = deps();
    let positionsReads = 0;
    const rest = {
      ...base.rest,
      allPositions: () => (positionsReads++ === 0 ? list('positions', true)() : list('check', false)()),
      allOrders: () => list('orders', true)(),
      allFills: () => list('fills', false)(),
      allSettlements: () => list('settlements', false)(),
      getBalance: async () => {
        await begin('balance', false);
        return { balance: 10_000, portfolio_value: 0 };
      },
    } as unknown as CalibrationDeps['rest'];
    expect((await calibrate({ ...base, rest })).attempts).toBe(1);
    const at = (what: string) => log.indexOf(what);
    expect(at('start fills')).toBeGreaterThan(at('end positions'));
    expect(at('start settlements')).toBeGreaterThan(at('end positions'));
    expect(at('start balance')).toBeGreaterThan(Math.max(at('end fills'), at('end settlements')));
    // The second read of the positions also comes after the fills (it must see every fill they list).
    expect(at('start check')).toBeGreaterThan(Math.max(at('end fills'), at('end settlements')));
  });

  it('takes a list a page at a time: one telling a page, not one an item', async () => {
    const seen: CalibrationProgress[] = [];
    const flat = ['KX-A', 'KX-B', 'KX-C'].map((ticker) => ({ ticker, position_fp: '0.00' }));
    const base = deps({ onProgress: (p) => seen.push(p) });
    const rest = { ...base.rest, allPositions: () => pages(flat, 2) } as CalibrationDeps['rest'];
    await calibrate({ ...base, rest });
    expect(seen.filter((p) => p.step === 'positions').map((p) => p.items)).toEqual([0, 2, 3]);
  });

  it('calibrates the same without a listener', async () => {
    expect((await calibrate(deps())).attempts).toBe(1);
  });
});

type Asked = Record<'positions' | 'orders' | 'fills' | 'settlements', Array<number | undefined>>;

/** Lists that record the page size each walk asked for, and refuse pages above `refuseAbove`. */
function sizedRest(asked: Asked, refuseAbove?: number): CalibrationDeps['rest'] {
  const list =
    <T>(items: T[], seen: Array<number | undefined>, refusable: boolean) =>
    (filters: { limit?: number } = {}) =>
      pageFrom(async () => {
        seen.push(filters.limit);
        if (refusable && refuseAbove !== undefined && (filters.limit ?? 100) > refuseAbove) {
          throw new KalshiHttpError({ method: 'GET', path: '/portfolio/orders' }, 400, {
            error: { code: 'invalid_parameters', message: 'limit must be at most 200' },
          });
        }
        return [...items];
      });
  const flat = ['KX-A', 'KX-B'].map((ticker) => ({ ticker, position_fp: '0.00' }));
  return {
    allPositions: list(flat, asked.positions, false),
    allOrders: list([], asked.orders, true),
    allFills: list([], asked.fills, true),
    allSettlements: list([], asked.settlements, true),
    getBalance: async () => ({ balance: 10_000, portfolio_value: 0 }),
  } as unknown as CalibrationDeps['rest'];
}

const noneAsked = (): Asked => ({ positions: [], orders: [], fills: [], settlements: [] });

/** sizedRest on an account whose three positions take two pages (a big account's path). */
function bigAccount(asked: Asked, refuseAbove?: number): CalibrationDeps['rest'] {
  const flat = ['KX-A', 'KX-B', 'KX-C'].map((ticker) => ({ ticker, position_fp: '0.00' }));
  return {
    ...sizedRest(asked, refuseAbove),
    allPositions: (f: { limit?: number }) => {
      asked.positions.push(f.limit);
      return pages(flat, 2);
    },
  } as unknown as CalibrationDeps['rest'];
}

describe('calibration page sizes', () => {
  it('asks every list for pages of 1,000', async () => {
    const asked = noneAsked();
    await calibrate(deps({ rest: sizedRest(asked) }));
    expect(CALIBRATION_PAGE_LIMITS).toEqual({
      positions: 1000,
      orders: 1000,
      fills: 1000,
      settlements: 1000,
    });
    // positions twice: the read and the invariant's check (one page: read again with the balance).
    expect(asked).toEqual({ positions: [1000, 1000], orders: [1000], fills: [1000], settlements: [1000] });
  });

  it('on a bigger account, checks with one page of the newest fills and settlements after the balance', async () => {
    const asked = noneAsked();
    const log: string[] = [];
    const base = bigAccount(asked);
    const rest = {
      ...base,
      allFills: (f: { limit?: number }) => {
        log.push('fills');
        return base.allFills(f);
      },
      getBalance: async () => {
        log.push('balance');
        return base.getBalance();
      },
    } as unknown as CalibrationDeps['rest'];
    expect((await calibrate(deps({ rest }))).attempts).toBe(1);
    // The positions once (two pages), not again; the fills and settlements twice: whole, then the tail.
    expect(asked).toEqual({
      positions: [1000],
      orders: [1000],
      fills: [1000, 1000],
      settlements: [1000, 1000],
    });
    expect(log).toEqual(['fills', 'balance', 'fills']);
  });

  it('reads at --calibration-page-size; the tail after the balance stays at the largest page', async () => {
    const asked = noneAsked();
    expect((await calibrate(deps({ rest: bigAccount(asked), pageSize: 2 }))).attempts).toBe(1);
    expect(asked).toEqual({ positions: [2], orders: [2], fills: [2, 1000], settlements: [2, 1000] });
    // A page size the exchange refuses falls back only to smaller ones (then its default).
    const small = noneAsked();
    await calibrate(deps({ rest: sizedRest(small, 100), pageSize: 150 }));
    expect(small.orders).toEqual([150, undefined]);
  });

  it('asks the tail again lower when the exchange refuses its page size', async () => {
    const asked = noneAsked();
    const refused: string[] = [];
    const summary = await calibrate(
      deps({
        rest: bigAccount(asked, 200),
        onPageLimitRefused: (e) => refused.push(`${e.step} ${e.limit}→${e.next ?? 'default'}`),
      }),
    );
    expect(summary.attempts).toBe(1);
    expect(asked.fills).toEqual([1000, 200, 1000, 200]);
    expect(refused).toEqual(expect.arrayContaining(['check 1000→200']));
  });

  it('reads a list again at 200, then at the default, when the exchange refuses the page size', async () => {
    const asked = noneAsked();
    const refused: string[] = [];
    const summary = await calibrate(
      deps({
        rest: sizedRest(asked, 200),
        onPageLimitRefused: (e) => refused.push(`${e.step} ${e.limit}→${e.next ?? 'default'}: ${e.why}`),
      }),
    );
    expect(summary.attempts).toBe(1);
    expect(asked.orders).toEqual([1000, 200]);
    const why = 'GET /portfolio/orders answered HTTP 400 (invalid_parameters: limit must be at most 200)';
    expect(refused).toEqual([
      `orders 1000→200: ${why}`,
      `fills 1000→200: ${why}`,
      `settlements 1000→200: ${why}`,
    ]);

    // Refused at every size: the exchange's error, not swallowed.
    const every = noneAsked();
    await expect(calibrate(deps({ rest: sizedRest(every, 0) }))).rejects.toThrow(/HTTP 400/);
    expect(every.orders).toEqual([1000, 200, undefined]);
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
