/**
 * The contract between `traderv3 start` (src/cli/start.ts) and the trader runtime
 * (src/runtime/index.ts, which implements `startTrader`). Types only.
 */
import type { Logger } from 'pino';
import type { Actor, ActorOptions, InspectionEvent, Observer } from 'xstate';
import type { TraderActorId, TraderMachine } from '../../machines/index.js';
import type { EventBus } from '../bus.js';
import type { TraderConfig } from '../config/index.js';
import type { PnlFields } from '../domain/index.js';
import type { CalibrationProgress } from '../integrations/index.js';
import type { Database, FolderLock } from '../persistence/index.js';
import type { RecordReader } from '../report/index.js';
import type { ControlTarget, TraderView } from '../server/index.js';
import type { OrderService, PositionTracker, RiskController } from '../services/index.js';
import type { Timers } from './timers.js';

export type { ControlTarget } from '../server/index.js';

/**
 * What a finished run reports; printed as the last stdout line `{"event":"summary",...}`. P&L as
 * everywhere (domain/pnl.ts), dollar strings ("12.3400"): `realized_pnl_dollars` before fees,
 * `unrealized_pnl_dollars` at the last marks, `fees_dollars`, `net_pnl_dollars` = realized +
 * unrealized − fees.
 */
export interface TraderSummary extends PnlFields {
  /** The machine states the trader went through, in order. */
  states: string[];
  orders_placed: number;
  fills: number;
  /** Position per market ticker (+ YES / − NO contracts). */
  positions: Record<string, number>;
  /** Set when the run gave up before it ever calibrated (the exchange refused the key, or could not
   * be reached): what went wrong, in words. The run exits non-zero. */
  failed?: string;
  /** `permanent`: the exchange refused the key (exit 2); `unreachable`: it could not be reached (exit 1). */
  failure?: 'permanent' | 'unreachable';
  /** Present (false) only when the record could not be completed: the run exits non-zero. */
  record_complete?: false;
  /** Where the rows the database would not take were saved (JSON lines), when there were any. */
  unwritten_rows_file?: string;
}

export interface StartTraderDeps {
  logger: Logger;
  /**
   * The data folder's lock (trader.lock), when the caller took it already (`traderv3 start` takes it
   * before anything else); the trader releases it when it stops. Without it the trader takes it.
   */
  lock?: FolderLock;
  /**
   * The embedded database the caller began opening (`traderv3 start` starts it the moment the
   * config is read, so Postgres comes up on its thread while the runtime loads). The trader
   * migrates it, owns it from here, and closes it when it stops or fails to start.
   */
  database?: Promise<Database>;
  /** With --inspect: pass to xstate as `createActor(machine, { inspect })`. */
  inspect?: Observer<InspectionEvent>;
  /** Reconnect backoff (default 1 s doubling to 30 s). */
  backoff?: { baseMs: number; maxMs: number };
  /** Failures in a row before the first calibration after which the run gives up (default 5). */
  startupAttempts?: number;
  /** The runtime's clock and timers (default: real ones). Tests may run the runtime on simulated time. */
  timers?: Timers;
  /**
   * Timers for the machine's delayed transitions (the reconnect backoff); real timers by default.
   * Tests that drive the runtime step by step pass one they fire themselves.
   */
  clock?: ActorOptions<TraderMachine>['clock'];
  /**
   * A seam for tests that drive the real runtime step by step (tests/model): each invoked stage
   * awaits `beforeStage` before doing its real work.
   */
  hooks?: { beforeStage?: (stage: TraderActorId) => Promise<void> };
  /** How the run's first calibration (and its retries) goes: each read, every item (start's bar). */
  onCalibrationProgress?: (p: CalibrationProgress) => void;
}

export interface RunningTrader {
  /** What the control API (status, sync, halt, resume, cancel-all) drives. */
  control: ControlTarget;
  /** The running machine (read its snapshot, send it events). */
  actor?: Actor<TraderMachine>;
  /** What the server (dashboard, stream, metrics, health) shows of the trader. */
  view?: TraderView;
  /** The bus and services, for the dashboard, persistence and tests that drive the real runtime. */
  services?: {
    bus: EventBus;
    orders: OrderService;
    positions: PositionTracker;
    risk: RiskController;
  };
  /** The trading record, read back (equity, reconciliation, a day's figures). */
  record?: RecordReader;
  /** What the record said at start: runs that did not end cleanly, and the open orders taken back. */
  startup?: { readonly crashedSessions: number; readonly ordersRestored: number };
  /** Resolves when the trader has stopped (on its own or after shutdown()). */
  done: Promise<TraderSummary>;
  /** Graceful stop: strategy off, resting orders cancelled if asked, queues flushed, sockets closed. */
  shutdown(opts: { cancelOrders: boolean }): Promise<TraderSummary>;
}

export type StartTrader = (config: TraderConfig, deps: StartTraderDeps) => Promise<RunningTrader>;
