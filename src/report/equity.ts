/**
 * Equity and drawdown arithmetic, pure and in integers (micro-dollars; drawdown in basis points).
 *
 *  - The running peak is the highest equity seen so far (at or before each point).
 *  - drawdown = peak − equity (≥ 0); drawdown_bps = floor(drawdown × 10,000 / peak) when peak > 0,
 *    else 0. The maximum drawdown is the largest drawdown over the series.
 */
import type { Micros } from '../domain/index.js';

export interface EquitySample {
  readonly at: number;
  readonly equity: Micros;
}

export interface DrawdownPoint {
  readonly at: number;
  readonly equity: Micros;
  readonly peak: Micros;
  readonly drawdown: Micros;
  readonly drawdownBps: number;
}

export function drawdownSeries(samples: readonly EquitySample[]): DrawdownPoint[] {
  let peak: number | undefined;
  return samples.map((s) => {
    peak = peak === undefined ? s.equity : Math.max(peak, s.equity);
    const drawdown = peak - s.equity;
    return {
      at: s.at,
      equity: s.equity,
      peak,
      drawdown,
      drawdownBps: peak > 0 ? Math.floor((drawdown * 10_000) / peak) : 0,
    };
  });
}

export function maxDrawdown(points: readonly DrawdownPoint[]): {
  drawdown: Micros;
  drawdownBps: number;
  at: number | null;
} {
  let worst: DrawdownPoint | undefined;
  for (const p of points) if (!worst || p.drawdown > worst.drawdown) worst = p;
  return worst
    ? { drawdown: worst.drawdown, drawdownBps: worst.drawdownBps, at: worst.at }
    : { drawdown: 0, drawdownBps: 0, at: null };
}
