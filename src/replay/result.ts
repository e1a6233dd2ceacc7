/**
 * A replay's result: P&L net of fees, trades, win rate, maximum drawdown and Sharpe by hour.
 *
 *   net P&L     realized + unrealized (at the last mid) − fees, the PositionTracker's definition;
 *   trades      fills;
 *   win rate    of the closing events (a position change that realized P&L), the share whose
 *               realized P&L net of that event's fees was > 0;
 *   drawdown    the largest fall of equity (opening cash + net P&L, sampled at every fill and at
 *               the end) from its running peak (src/report/equity.ts);
 *   Sharpe/hour mean ÷ standard deviation of the P&L of each UTC clock hour the replay spans (not
 *               annualized); undefined with fewer than two hours or no variation.
 */
import { formatDollars } from '../kalshi/index.js';
import { drawdownSeries, maxDrawdown } from '../report/equity.js';

export interface EquityPoint {
  readonly at: number;
  readonly equity: number;
}

export interface ReplayResult {
  readonly netPnl: number;
  readonly realized: number;
  readonly fees: number;
  readonly trades: number;
  readonly closes: number;
  readonly winRate: number | undefined;
  readonly maxDrawdown: number;
  readonly maxDrawdownBps: number;
  readonly sharpeHourly: number | undefined;
  readonly hours: number;
}

const HOUR_MS = 3_600_000;

export function sharpeByHour(
  equity: readonly EquityPoint[],
  openingCash: number,
): { sharpe?: number; hours: number } {
  if (equity.length === 0) return { hours: 0 };
  const first = Math.floor(equity[0]!.at / HOUR_MS);
  const last = Math.floor(equity[equity.length - 1]!.at / HOUR_MS);
  const closeOf = new Map<number, number>();
  for (const p of equity) closeOf.set(Math.floor(p.at / HOUR_MS), p.equity);
  const pnl: number[] = [];
  let prev = openingCash;
  for (let h = first; h <= last; h++) {
    const close = closeOf.get(h) ?? prev;
    pnl.push(close - prev);
    prev = close;
  }
  if (pnl.length < 2) return { hours: pnl.length };
  const mean = pnl.reduce((s, x) => s + x, 0) / pnl.length;
  const variance = pnl.reduce((s, x) => s + (x - mean) ** 2, 0) / (pnl.length - 1);
  const sd = Math.sqrt(variance);
  return sd > 0 ? { sharpe: mean / sd, hours: pnl.length } : { hours: pnl.length };
}

export function summarize(input: {
  totals: { realized: number; unrealized: number; fees: number; net: number };
  equity: readonly EquityPoint[];
  openingCash: number;
  fills: number;
  closes: readonly number[];
}): ReplayResult {
  const dd = maxDrawdown(drawdownSeries(input.equity));
  const wins = input.closes.filter((c) => c > 0).length;
  const s = sharpeByHour(input.equity, input.openingCash);
  return {
    netPnl: input.totals.net,
    realized: input.totals.realized,
    fees: input.totals.fees,
    trades: input.fills,
    closes: input.closes.length,
    winRate: input.closes.length > 0 ? wins / input.closes.length : undefined,
    maxDrawdown: dd.drawdown,
    maxDrawdownBps: dd.drawdownBps,
    sharpeHourly: s.sharpe,
    hours: s.hours,
  };
}

/** One row of the result table: strategy, net P&L, fees, trades, win rate, max drawdown, Sharpe/h. */
export function resultRow(name: string, r: ReplayResult): string[] {
  return [
    name,
    formatDollars(r.netPnl),
    formatDollars(r.fees),
    String(r.trades),
    r.winRate === undefined ? 'n/a' : `${(r.winRate * 100).toFixed(1)}% of ${r.closes}`,
    `${formatDollars(r.maxDrawdown)} (${(r.maxDrawdownBps / 100).toFixed(2)}%)`,
    r.sharpeHourly === undefined ? `n/a (${r.hours} h)` : `${r.sharpeHourly.toFixed(2)} (${r.hours} h)`,
  ];
}

export const RESULT_HEADERS = [
  'strategy',
  'net P&L $',
  'fees $',
  'trades',
  'win rate',
  'max drawdown',
  'Sharpe/hour',
];
