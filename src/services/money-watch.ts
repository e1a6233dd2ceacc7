import type { Micros } from '../domain/index.js';

/**
 * MoneyWatch: the figures the money breakers watch (DESIGN §3), from the PositionTracker's net P&L.
 *
 *   daily net   net P&L since the start of the UTC day (or of the run, if it started later):
 *               net − net at the day's first observation. Realized + unrealized − fees, so a
 *               loss held open counts as much as one taken.
 *   equity      opening equity + net P&L, where opening equity = cash + open positions at cost,
 *               taken at the first calibration. Deposits and withdrawals are not seen.
 *   drawdown    (peak equity − equity) / peak equity, in basis points; the peak is the highest
 *               equity observed this run.
 *
 * Unrealized P&L is marked at the book's mid (PositionTracker), so a thin book's mid can swing it.
 * All integers: micros and basis points.
 */

const DAY_MS = 86_400_000;

export interface MoneyView {
  /** Net P&L today (UTC), micros. */
  readonly net: Micros;
  /** Equity now, peak equity this run and the drawdown from it; absent until opened. */
  readonly equity?: Micros;
  readonly peakEquity?: Micros;
  readonly drawdownBps?: number;
}

export class MoneyWatch {
  readonly #clock: () => number;
  #day = Number.NaN;
  #dayBaseline = 0;
  #opening: Micros | undefined;
  #peak: Micros | undefined;

  constructor(clock: () => number) {
    this.#clock = clock;
  }

  get opened(): boolean {
    return this.#opening !== undefined;
  }

  /** Sets the opening equity (first calibration); later calls change nothing. */
  open(equity: Micros): void {
    if (this.#opening !== undefined) return;
    if (!Number.isSafeInteger(equity))
      throw new RangeError(`opening equity must be whole micros, got ${equity}`);
    this.#opening = equity;
    this.#peak = equity;
  }

  /** The figures for a session net P&L of `net` now (moves the day and the peak). */
  observe(net: Micros): MoneyView {
    const day = Math.floor(this.#clock() / DAY_MS);
    if (day !== this.#day) {
      // The first observation of a day sets its baseline; the run's first day starts at 0.
      this.#dayBaseline = Number.isNaN(this.#day) ? 0 : net;
      this.#day = day;
    }
    const daily = net - this.#dayBaseline;
    if (this.#opening === undefined || this.#peak === undefined) return { net: daily };
    const equity = this.#opening + net;
    if (equity > this.#peak) this.#peak = equity;
    const peak = this.#peak;
    const drawdownBps = peak > 0 ? Number((BigInt(peak - equity) * 10_000n) / BigInt(peak)) : 0;
    return { net: daily, equity, peakEquity: peak, drawdownBps };
  }
}
