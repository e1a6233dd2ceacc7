/**
 * MoneyWatch: the day's net P&L and the drawdown the money breakers watch, on a simulated clock,
 * from an equity provider — continued from restored marks, with deposits and withdrawals kept out.
 */
import { describe, expect, it } from 'vitest';
import { MICROS_PER_DOLLAR } from '../../src/domain/index.js';
import { type EquityMark, MoneyWatch, type RestoredMoney } from '../../src/services/money-watch.js';

const $ = (d: number) => d * MICROS_PER_DOLLAR;
const DAY = 86_400_000;

function watch(start: number, restored?: RestoredMoney) {
  const t = { now: start, equity: undefined as number | undefined };
  const marks: EquityMark[] = [];
  const w = new MoneyWatch({
    clock: () => t.now,
    equity: () => t.equity,
    ...(restored ? { restored } : {}),
    onMark: (m) => marks.push(m),
  });
  return { t, w, marks };
}

describe('MoneyWatch', () => {
  it('reports nothing until the run has calibrated', () => {
    const { t, w, marks } = watch(10 * DAY);
    t.equity = $(1_000);
    expect(w.observe()).toEqual({ net: 0 });
    expect(marks).toEqual([]);
    w.open();
    expect(w.observe()).toEqual({ net: 0, equity: $(1_000), peakEquity: $(1_000), drawdownBps: 0 });
  });

  it('starts each UTC day from the equity at its first observation, and records it', () => {
    const { t, w, marks } = watch(10 * DAY + 1_000);
    w.open();
    t.equity = $(960);
    expect(w.observe().net).toBe(0);
    t.equity = $(940);
    expect(w.observe().net).toBe($(-20));
    t.now = 11 * DAY; // midnight
    expect(w.observe().net).toBe(0);
    t.equity = $(925);
    expect(w.observe().net).toBe($(-15));
    expect(marks.filter((m) => m.kind === 'day_open')).toEqual([
      { kind: 'day_open', day: 10, equity: $(960), at: 10 * DAY + 1_000 },
      { kind: 'day_open', day: 11, equity: $(940), at: 11 * DAY },
    ]);
  });

  it('tracks the peak and the drawdown in basis points, exactly for large accounts', () => {
    const { t, w } = watch(0);
    w.open();
    t.equity = $(1_000);
    w.observe();
    t.equity = $(1_200);
    expect(w.observe()).toMatchObject({ peakEquity: $(1_200), drawdownBps: 0 });
    t.equity = $(700);
    expect(w.observe()).toMatchObject({ equity: $(700), peakEquity: $(1_200), drawdownBps: 4_166 });
    t.equity = $(50_000_000);
    w.observe();
    t.equity = $(25_000_000);
    expect(w.observe().drawdownBps).toBe(5_000);
  });

  it('continues the day and the peak an earlier run recorded', () => {
    const { t, w, marks } = watch(10 * DAY + 5_000, { dayOpen: { day: 10, equity: $(100) }, peak: $(120) });
    w.open();
    t.equity = $(90);
    expect(w.observe()).toMatchObject({ net: $(-10), peakEquity: $(120), drawdownBps: 2_500 });
    // Nothing new to record: the day was opened and the peak reached before.
    expect(marks).toEqual([]);
  });

  it('keeps deposits and withdrawals out of the P&L and the drawdown', () => {
    const { t, w } = watch(10 * DAY);
    w.open();
    t.equity = $(100);
    w.observe();
    t.equity = $(150);
    w.flow($(50)); // a deposit
    expect(w.observe()).toMatchObject({ net: 0, peakEquity: $(150), drawdownBps: 0 });
    t.equity = $(120);
    w.flow($(-30)); // a withdrawal
    expect(w.observe()).toMatchObject({ net: 0, peakEquity: $(120), drawdownBps: 0 });
  });

  it('records a rising peak at most every 5 s, and the latest one after that', () => {
    const { t, w, marks } = watch(0);
    w.open();
    const peaks = () => marks.filter((m) => m.kind === 'peak').map((m) => m.equity);
    for (const [at, eq] of [
      [0, 100],
      [1_000, 110],
      [2_000, 120],
      [6_000, 120],
    ] as const) {
      t.now = at;
      t.equity = $(eq);
      w.observe();
    }
    expect(peaks()).toEqual([$(100), $(120)]);
  });

  it('refuses an equity that is not whole micros', () => {
    const { t, w } = watch(0);
    w.open();
    t.equity = 0.5;
    expect(() => w.observe()).toThrow(/equity must be whole micros/);
  });
});
