/**
 * What the server needs from a running trader: the narrow interface the runtime implements
 * (`runtime-view.ts` builds one from today's RunningTrader). Integer units throughout
 * (src/domain/units.ts); the server formats them for the wire.
 */
import type { EventBus } from '../bus.js';
import type { Micros, PositionView, Price, TrackedOrder } from '../domain/index.js';
import type { ControlTarget } from './control-routes.js';

export interface HaltView {
  readonly reason: string;
  readonly detail?: string;
  readonly source?: string;
}

export interface BreakerView {
  readonly open: boolean;
  readonly reason?: string;
  readonly detail?: string;
  readonly trippedAt?: number;
  readonly consecutiveErrors?: number;
}

export interface PnlView {
  readonly realized: Micros;
  readonly unrealized: Micros;
  readonly fees: Micros;
  /** realized + unrealized − fees */
  readonly net: Micros;
}

/** One rate-limit bucket of the REST client. */
export interface BucketView {
  readonly bucket: string;
  /** Tokens available now, and the bucket's size. */
  readonly available: number;
  readonly capacity: number;
}

/**
 * A synchronous, cheap snapshot of the trader. Every section is optional: one the runtime cannot
 * give is shown as `state_missing` (never as zeros).
 */
export interface TraderSnapshot {
  /** Epoch ms the snapshot was taken. */
  readonly at: number;
  readonly machine?: {
    /** The machine's state value, e.g. 'READY' or 'ERROR'. */
    readonly state: string;
    readonly halt: HaltView | null;
    readonly exchangePaused: boolean;
    readonly lastError?: string | null;
  };
  /** Overrides the trading state the server derives from the machine (see messages.ts). */
  readonly tradingState?: string;
  /** Open orders (not terminal). */
  readonly orders?: readonly TrackedOrder[];
  readonly positions?: readonly PositionView[];
  /** The price each position is marked at (YES leg), when a live book gives one. */
  readonly marks?: Readonly<Record<string, Price>>;
  readonly pnl?: PnlView;
  /**
   * Cash now. Best: the ledger's running balance (Recorder.runningBalance). `stale` when it is the
   * exchange's last report and fills have happened since (equity is then not computed).
   */
  readonly balance?: {
    readonly cash: Micros;
    readonly portfolioValue?: Micros;
    readonly at: number;
    readonly stale?: boolean;
  };
  readonly breaker?: BreakerView;
  /** The policy model in use, when the strategy has one. */
  readonly model?: { readonly name: string; readonly version?: string; readonly sha256?: string };
  readonly strategy?: string;
  /** Epoch ms of the last turn of the trader's housekeeping loop (health: a stuck loop shows). */
  readonly lastLoopMs?: number;
  readonly writeQueue?: { readonly depth: number; readonly shedRows: number };
  readonly rateLimit?: readonly BucketView[];
}

/** A point of an equity curve from the record. */
export interface EquityPoint {
  readonly at: number;
  /** Cash after the ledger entry. */
  readonly cash: Micros;
  /** Cash + open positions at cost. */
  readonly equity: Micros;
}

export interface ReconciliationEntry {
  readonly at: number;
  readonly kind: 'balance' | 'position_drift';
  readonly ticker: string | null;
  /** balance: the adjustment in micro-dollars; position_drift: exchange − local, in Count. */
  readonly amount: number;
  readonly detail: string;
}

/** Reads from the trading record (database). */
export interface RecordView {
  readonly sessionId: string;
  equity(options?: { sinceMs?: number; sessionId?: string }): Promise<readonly EquityPoint[]>;
  reconciliation(options?: { sinceMs?: number; sessionId?: string }): Promise<readonly ReconciliationEntry[]>;
}

/** The running trader as the server sees it. */
export interface TraderView {
  readonly bus: EventBus;
  readonly control: ControlTarget;
  snapshot(): TraderSnapshot;
  readonly record?: RecordView;
}
