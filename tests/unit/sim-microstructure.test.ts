import { beforeAll, describe, expect, it } from 'vitest';
import { createActivity } from '../../src/exchange-sim/activity.js';
import { createExchangeCore } from '../../src/exchange-sim/exchange.js';
import type { MicrostructureParams } from '../../src/exchange-sim/microstructure.js';
import {
  centre,
  checkParams,
  DEFAULT_MICROSTRUCTURE,
  flowState,
  impact,
  takerSide,
  walk,
} from '../../src/exchange-sim/microstructure.js';
import { createRng } from '../../src/exchange-sim/rng.js';
import { buildUniverse, installUniverse } from '../../src/exchange-sim/universe.js';

const NOW = Date.UTC(2025, 11, 1, 15, 20, 0);
const OFF: Partial<MicrostructureParams> = { impactPerContract: 0, burstChance: 0 };

describe('the microstructure rules', () => {
  it('moves the makers’ centre with taker flow and gives back 1/shockDecay of it per requote', () => {
    const p = { ...DEFAULT_MICROSTRUCTURE, impactPerContract: 50, shockDecay: 4 };
    const f = flowState(5_000);
    impact(f, 300, p); // bought 3 contracts
    expect(f.shock).toBe(150);
    impact(f, -100, p);
    expect(f.shock).toBe(100);
    const rng = createRng(1);
    walk(f, rng, p);
    expect(f.shock).toBe(75);
    expect(centre(f)).toBe(f.belief + 75);
    // The centre never leaves (0.02, 0.98), however hard the flow pushes.
    impact(f, 1_000_000, p);
    expect(centre(f)).toBe(9_799);
  });

  it('keeps a burst’s side for its whole length, then goes back to a coin', () => {
    const p = { ...DEFAULT_MICROSTRUCTURE, burstChance: 1, burstMin: 4, burstMax: 4 };
    const f = flowState(5_000);
    const rng = createRng(3);
    const first = takerSide(f, rng, p);
    const rest = [takerSide(f, rng, p), takerSide(f, rng, p), takerSide(f, rng, p)];
    expect(rest).toEqual([first, first, first]);
    expect(f.burstLeft).toBe(0);
    expect(f.burstSide).toBe(0);
  });

  it('refuses parameters that make no sense', () => {
    expect(() => checkParams({ ...DEFAULT_MICROSTRUCTURE, shockDecay: 0 })).toThrow(/shockDecay/);
    expect(() => checkParams({ ...DEFAULT_MICROSTRUCTURE, burstChance: 2 })).toThrow(/burstChance/);
    expect(() => checkParams({ ...DEFAULT_MICROSTRUCTURE, burstMin: 5, burstMax: 4 })).toThrow(/burstMin/);
  });
});

interface Series {
  mid: number[];
  flow: number[];
}

/** One market driven by the participants for `steps` actions: its mid and signed taker volume. */
function simulate(seed: number, steps: number, microstructure?: Partial<MicrostructureParams>): Series {
  let t = NOW;
  const core = createExchangeCore({ clock: () => t, idPrefix: 'sim' });
  const universe = buildUniverse({ seed, markets: 1, nowMs: NOW });
  installUniverse(core, universe);
  const ticker = universe.markets[0]!.ticker;
  const activity = createActivity({
    core,
    seed,
    tickers: [ticker],
    fairValues: universe.fairValues,
    ratePerSec: 0,
    clock: () => t,
    ...(microstructure ? { microstructure } : {}),
  });
  activity.seedBooks();
  const mid: number[] = [];
  const flow: number[] = [];
  let seen = 0;
  for (let i = 0; i < steps; i++) {
    t += 50;
    activity.step();
    const trades = core.trades(); // newest first
    let signed = 0;
    for (const tr of trades.slice(0, trades.length - seen))
      signed += (tr.takerBookSide === 'bid' ? 1 : -1) * tr.count;
    seen = trades.length;
    flow.push(signed);
    const book = core.book(ticker);
    const yes = book.yes.at(-1)?.[0];
    const no = book.no.at(-1)?.[0];
    mid.push(yes !== undefined && no !== undefined ? (yes + 10_000 - no) / 2 : (mid.at(-1) ?? 5_000));
  }
  return { mid, flow };
}

function correlation(xs: number[], ys: number[]): { rho: number; sdx: number } {
  const n = xs.length;
  const mx = xs.reduce((s, v) => s + v, 0) / n;
  const my = ys.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
    syy += (ys[i]! - my) ** 2;
  }
  return { rho: sxy / Math.sqrt(sxx * syy), sdx: Math.sqrt(sxx / n) };
}

/** The signals of planning/simulator.md: mid − slow EMA vs the next moves; recent flow vs next flow. */
function edge(s: Series) {
  const H = 30;
  const ALPHA = 1 / 100;
  const W = 10;
  let ema = s.mid[0]!;
  const dev: number[] = [];
  const move: number[] = [];
  const recent: number[] = [];
  const next: number[] = [];
  for (let i = 0; i < s.mid.length - H; i++) {
    ema += ALPHA * (s.mid[i]! - ema);
    if (i < 500 || i % 5 !== 0) continue;
    dev.push(s.mid[i]! - ema);
    move.push(s.mid[i + H]! - s.mid[i]!);
    recent.push(s.flow.slice(i - W + 1, i + 1).reduce((a, b) => a + b, 0));
    next.push(s.flow.slice(i + 1, i + 1 + W).reduce((a, b) => a + b, 0));
  }
  const reversion = correlation(dev, move);
  return { reversion: reversion.rho, deviationSd: reversion.sdx, momentum: correlation(recent, next).rho };
}

describe('the learnable edge', () => {
  let on: ReturnType<typeof edge>;
  let off: ReturnType<typeof edge>;

  beforeAll(() => {
    on = edge(simulate(17, 15_000));
    off = edge(simulate(17, 15_000, OFF));
  });

  it('makes large deviations of the mid from its slow average, which revert', () => {
    // Deviations are big (about 2¢ sd against under 1¢ without the effect) and predict the next
    // 30 moves with the opposite sign.
    expect(on.deviationSd).toBeGreaterThan(2 * off.deviationSd);
    expect(on.deviationSd).toBeGreaterThan(150);
    expect(on.reversion).toBeLessThan(-0.3);
  });

  it('makes order flow persist: recent signed taker volume predicts the next', () => {
    expect(on.momentum).toBeGreaterThan(0.1);
    expect(Math.abs(off.momentum)).toBeLessThan(0.08);
  });
});
