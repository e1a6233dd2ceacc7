/** MoneyWatch: the day's net P&L and the drawdown the money breakers watch, on a simulated clock. */
import { describe, expect, it } from 'vitest';
import { MICROS_PER_DOLLAR } from '../../src/domain/index.js';
import { MoneyWatch } from '../../src/services/money-watch.js';

const $ = (d: number) => d * MICROS_PER_DOLLAR;
const DAY = 86_400_000;

describe('MoneyWatch', () => {
  it('reports the net P&L of the run on its first day, and only the net', () => {
    const w = new MoneyWatch(() => 10 * DAY + 5_000);
    expect(w.opened).toBe(false);
    expect(w.observe($(-3))).toEqual({ net: $(-3) });
  });

  it('starts each UTC day from the net P&L at its first observation', () => {
    let now = 10 * DAY + 1_000;
    const w = new MoneyWatch(() => now);
    expect(w.observe($(-40)).net).toBe($(-40));
    now = 11 * DAY; // midnight
    expect(w.observe($(-45)).net).toBe(0);
    expect(w.observe($(-60)).net).toBe($(-15));
    now = 12 * DAY + 1;
    expect(w.observe($(-60)).net).toBe(0);
  });

  it('tracks equity from the opening equity, its peak, and the drawdown in basis points', () => {
    const w = new MoneyWatch(() => 0);
    w.open($(1_000));
    w.open($(5)); // only the first opening counts
    expect(w.observe(0)).toEqual({ net: 0, equity: $(1_000), peakEquity: $(1_000), drawdownBps: 0 });
    expect(w.observe($(200))).toMatchObject({ equity: $(1_200), peakEquity: $(1_200), drawdownBps: 0 });
    expect(w.observe($(-300))).toMatchObject({ equity: $(700), peakEquity: $(1_200), drawdownBps: 4_166 });
    expect(w.observe($(0))).toMatchObject({ peakEquity: $(1_200), drawdownBps: 1_666 });
  });

  it('stays exact for large accounts', () => {
    const w = new MoneyWatch(() => 0);
    w.open($(50_000_000));
    expect(w.observe($(-25_000_000)).drawdownBps).toBe(5_000);
  });

  it('refuses an opening equity that is not whole micros', () => {
    expect(() => new MoneyWatch(() => 0).open(0.5)).toThrow(/opening equity/);
  });
});
