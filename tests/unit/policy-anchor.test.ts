import { describe, expect, it } from 'vitest';
import {
  bookInputFromLevels,
  buildObservation,
  EMPTY_HISTORY,
  FEATURE_INDEX,
  type History,
  type PortfolioInput,
  pushHistory,
} from '../../src/policy/index.js';

const flat: PortfolioInput = { position: 0, cash: 0, costBasis: 0, equity: 0 };
/** A two-sided book whose YES mid is `mid` (Price units), 1¢ each side. */
const bookAt = (mid: number) => bookInputFromLevels([[mid - 100, 1000]], [[10_000 - mid - 100, 1000]]);
const oneSided = bookInputFromLevels([[3000, 1000]], []);
const at = (history: History, book = bookAt(5000), name = 'mid_dev_ema_mid') =>
  buildObservation({ book, history, portfolio: flat, orders: [] })[FEATURE_INDEX[name]!]!;

describe('the slow anchor (tv3-obs-2: mid_dev_ema_*, mid_dev_z)', () => {
  it('starts at the first two-sided mid: every deviation is 0 there', () => {
    const h = pushHistory(EMPTY_HISTORY, bookAt(6000), 0);
    expect(h.anchor).toEqual({ ema: [6000, 6000, 6000], meanSq: 0 });
    for (const n of ['mid_dev_ema_fast', 'mid_dev_ema_mid', 'mid_dev_ema_slow', 'mid_dev_z'])
      expect(at(h, bookAt(6000), n)).toBe(0);
  });

  it('advances each EMA by 2/(span + 1) of the move and measures the mid against it', () => {
    const h = pushHistory(pushHistory(EMPTY_HISTORY, bookAt(5000), 0), bookAt(5400), 1);
    const ema = (span: number) => 5000 + (2 / (span + 1)) * 400;
    expect(h.anchor?.ema[0]).toBeCloseTo(ema(30), 9);
    expect(h.anchor?.ema[1]).toBeCloseTo(ema(100), 9);
    expect(h.anchor?.ema[2]).toBeCloseTo(ema(300), 9);
    const book = bookAt(5400);
    expect(at(h, book, 'mid_dev_ema_fast')).toBeCloseTo(5 * (0.54 - ema(30) / 10_000), 6);
    expect(at(h, book, 'mid_dev_ema_mid')).toBeCloseTo(5 * (0.54 - ema(100) / 10_000), 6);
    expect(at(h, book, 'mid_dev_ema_slow')).toBeCloseTo(5 * (0.54 - ema(300) / 10_000), 6);
    // the running mean square of (mid − middle EMA), then the deviation in sds ÷ 4
    const d = 5400 - ema(100);
    const meanSq = (2 / 301) * d * d;
    expect(h.anchor?.meanSq).toBeCloseTo(meanSq, 9);
    const sd = Math.max(0.005, Math.sqrt(meanSq) / 10_000);
    expect(at(h, book, 'mid_dev_z')).toBeCloseTo(Math.min(1, d / 10_000 / sd / 4), 6);
  });

  it('a mid far below its averages reads negative, clipped at −1', () => {
    let h = EMPTY_HISTORY;
    for (let t = 0; t < 200; t++) h = pushHistory(h, bookAt(6000), t);
    h = pushHistory(h, bookAt(5800), 200);
    expect(at(h, bookAt(5800))).toBeLessThan(-0.09);
    expect(at(h, bookAt(5800), 'mid_dev_z')).toBeLessThan(-0.9);
    h = pushHistory(h, bookAt(1000), 201);
    expect(at(h, bookAt(1000), 'mid_dev_ema_slow')).toBe(-1);
  });

  it('a one-sided book leaves the anchor as it was and measures the last two-sided mid', () => {
    let h = EMPTY_HISTORY;
    for (let t = 0; t < 50; t++) h = pushHistory(h, bookAt(t < 40 ? 5000 : 5600), t);
    const before = h.anchor;
    const devBefore = at(h, bookAt(5600));
    h = pushHistory(h, oneSided, 50);
    expect(h.anchor).toBe(before);
    expect(at(h, oneSided)).toBe(devBefore);
  });

  it('is 0 before any two-sided mid, and survives the history window', () => {
    const h = pushHistory(pushHistory(EMPTY_HISTORY, oneSided, 0), oneSided, 1);
    expect(h.anchor).toBeUndefined();
    expect(at(h, oneSided)).toBe(0);
    let long = pushHistory(EMPTY_HISTORY, bookAt(4000), 0);
    for (let t = 1; t < 30; t++) long = pushHistory(long, bookAt(5000), t);
    expect(long.entries).toHaveLength(10);
    // 29 updates at 50¢ after one at 40¢: the middle EMA still remembers the 40¢
    expect(long.anchor!.ema[1]).toBeLessThan(4999);
    expect(at(long)).toBeGreaterThan(0);
  });
});
