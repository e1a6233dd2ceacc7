import type { Micros } from '../domain/index.js';

/**
 * MoneyWatch: the figures the money breakers watch (DESIGN §3), and the marks that let a restart,
 * a crash or a supervisor's respawn continue them (money-marks are kept in the record; see
 * src/persistence/repos/money.ts and planning/decisions.md).
 *
 *   equity      cash (the ledger's running balance) + the open positions at their mark (the book's
 *               mid, else their cost) — read from the `equity` provider, trusted only once the run
 *               has calibrated (`open()`).
 *   day open    the equity at the first observation of the UTC day — or, after a restart on the
 *               same day, the day open an earlier run recorded (`restored`).
 *   daily net   equity − day open. Realized and unrealized alike: a loss held open counts as much as
 *               one taken.
 *   peak        the highest equity seen — across runs, from the record's last peak mark.
 *   drawdown    (peak − equity) / peak, in basis points.
 *   flows       deposits and withdrawals (a balance difference calibration books as a
 *               reconciliation) are not P&L: each moves the day open and the peak by its amount.
 *
 * `onMark` hands each new day open (at once) and each new peak (at most every `peakMarkMs`, and
 * the latest one when the next observation comes after that) to be written to the record; the
 * restored figures are taken as already adjusted for the flows since they were written. A peak
 * that rose in the last `peakMarkMs` before a kill -9 may be lost: the drawdown then errs low by
 * that rise.
 * All integers: micros and basis points.
 */

export const DAY_MS = 86_400_000;

/** The UTC day number of an epoch-ms time. */
export function utcDay(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

export interface MoneyView {
  /** Net P&L today (UTC), micros. */
  readonly net: Micros;
  /** Equity now, its peak and the drawdown from it; absent until the run has calibrated. */
  readonly equity?: Micros;
  readonly peakEquity?: Micros;
  readonly drawdownBps?: number;
}

/** A figure to keep in the record. */
export interface EquityMark {
  readonly kind: 'day_open' | 'peak';
  /** UTC day number (utcDay). */
  readonly day: number;
  readonly equity: Micros;
  readonly at: number;
}

/** What earlier runs left in the record, adjusted for the flows since each was written. */
export interface RestoredMoney {
  readonly dayOpen?: { readonly day: number; readonly equity: Micros };
  readonly peak?: Micros;
}

export interface MoneyWatchOptions {
  readonly clock: () => number;
  /** Equity now (cash + positions at their mark); undefined while the balance is unknown. */
  readonly equity: () => Micros | undefined;
  readonly restored?: RestoredMoney;
  readonly onMark?: (mark: EquityMark) => void;
  /** Least time between two peak marks (default 5 s). */
  readonly peakMarkMs?: number;
}

function whole(what: string, m: Micros): Micros {
  if (!Number.isSafeInteger(m)) throw new RangeError(`${what} must be whole micros, got ${m}`);
  return m;
}

export class MoneyWatch {
  readonly #o: MoneyWatchOptions;
  #opened = false;
  #day: number | undefined;
  #dayOpen: Micros | undefined;
  #peak: Micros | undefined;
  #peakMarked: Micros | undefined;
  #peakMarkedAt = Number.NEGATIVE_INFINITY;

  constructor(options: MoneyWatchOptions) {
    this.#o = options;
    const r = options.restored;
    if (r?.dayOpen) {
      this.#day = r.dayOpen.day;
      this.#dayOpen = whole('restored day open', r.dayOpen.equity);
    }
    if (r?.peak !== undefined) this.#peak = this.#peakMarked = whole('restored peak', r.peak);
  }

  get opened(): boolean {
    return this.#opened;
  }

  /** The run has calibrated: equity can be trusted from now on. */
  open(): void {
    this.#opened = true;
  }

  /** A deposit (+) or withdrawal (−) seen at calibration: not P&L. */
  flow(amount: Micros): void {
    whole('a flow', amount);
    if (this.#dayOpen !== undefined) this.#dayOpen += amount;
    if (this.#peak !== undefined) this.#peak += amount;
    if (this.#peakMarked !== undefined) this.#peakMarked += amount;
  }

  /** The figures now (moves the day and the peak; hands new marks to `onMark`). */
  observe(): MoneyView {
    const equity = this.#opened ? this.#o.equity() : undefined;
    if (equity === undefined) return { net: 0 };
    whole('equity', equity);
    const now = this.#o.clock();
    const day = utcDay(now);
    if (day !== this.#day || this.#dayOpen === undefined) {
      this.#day = day;
      this.#dayOpen = equity;
      this.#o.onMark?.({ kind: 'day_open', day, equity, at: now });
    }
    if (this.#peak === undefined || equity > this.#peak) this.#peak = equity;
    const peak = this.#peak;
    if (peak !== this.#peakMarked && now - this.#peakMarkedAt >= (this.#o.peakMarkMs ?? 5_000)) {
      this.#peakMarked = peak;
      this.#peakMarkedAt = now;
      this.#o.onMark?.({ kind: 'peak', day, equity: peak, at: now });
    }
    const drawdownBps = peak > 0 ? Number((BigInt(peak - equity) * 10_000n) / BigInt(peak)) : 0;
    return { net: equity - this.#dayOpen, equity, peakEquity: peak, drawdownBps };
  }
}
