/**
 * The write queue for hot paths: the trader and the orderbook collector `push` rows here and go on;
 * the queue writes them in batches, off the caller's stack, one flush in flight per kind.
 *
 * Spec (what the tests hold it to):
 *
 * - `push(kind, row)` is synchronous and O(1) in the number of queued rows (it scans the handful of
 *   kinds, never the rows). It never awaits and never calls a flush function: flushes start from a
 *   timer, so a slow or synchronous flush cannot stall the pushing code.
 * - Batching: a kind's rows are flushed `flushIntervalMs` after the first row lands in an idle kind,
 *   or on the next tick (a 0 ms timer) once `maxBatch` rows are queued. A flush takes at most
 *   `maxBatch` rows, oldest first. After a successful flush, what is left is flushed at once if it
 *   is a full batch, otherwise after the interval.
 * - Ordering: at most one flush per kind is in flight, and a failed batch goes back to the FRONT of
 *   its kind's queue, so each kind is written in push order. Kinds are independent of each other.
 * - Retry: a failed flush is retried after `retryBaseMs · 2^(failures−1)`, capped at `retryMaxMs`;
 *   `onFlushError(kind, error, attempt)` is told about each failure. Nothing is ever given up in the
 *   background: a keep row stays queued until it is written (or `flush()` reports it stuck).
 * - Capacity: `maxRows` bounds the rows held (queued + in flight, all kinds). When a push finds the
 *   queue full:
 *     - a 'shed' row: the deepest shed kind gives way (ties go to the pushing kind) — either the
 *       incoming row is dropped, or, when another shed kind holds more queued rows, that kind's
 *       NEWEST queued row is evicted and the incoming row is accepted. Shed kinds therefore share
 *       the space, and within a kind what is lost is always the newest rows (the written part of
 *       each kind's stream stays a prefix of what reached the queue, less its gaps).
 *     - a 'keep' row: the newest queued row of the deepest shed kind is evicted to make room. If no
 *       shed row is queued (in-flight rows are never evicted), the keep row is accepted anyway and
 *       the queue grows past `maxRows`; each such row is counted in `overCapacity`. Keep rows are
 *       never dropped: losing an order, fill or ledger row is worse than using more memory.
 *   Every shed row is counted per kind and reported through `onShed(kind, count)`, so the caller
 *   can mark its session as having a data gap. Rows in a failed batch that went back to the queue
 *   are sheddable again. Per kind, always: pushed = written + shed + depth.
 * - `flush()` drains every kind (pushes made meanwhile are drained too). A kind that fails
 *   `drainAttempts` times in a row (with the same backoff between attempts) is given up on for this
 *   call: its rows stay queued (see `pending()`), the other kinds are still drained, and `flush()`
 *   rejects with a WriteQueueError (WRITE_QUEUE_FLUSH_FAILED) naming the stuck kinds.
 * - `close()` is a final `flush()` followed by stopping every timer, even if the flush failed (it
 *   then rethrows). Pushes during close are drained; a push after close throws WRITE_QUEUE_CLOSED.
 * - No promise the queue creates can reject unhandled: flush failures are caught, counted and
 *   retried. Hooks (`onShed`, `onFlushError`, `onFlushRecovered`) that throw are counted in `hookErrors` and otherwise
 *   ignored, so a faulty hook cannot stop writes or escape from `push`.
 * - Flush functions receive a fresh array they may keep but must not mutate (on failure it is what
 *   goes back to the queue).
 *
 * Typing: `WriteQueue<K, R>` maps each kind K to its row type R[K]. `createWriteQueue` infers both
 * from the `kinds` object (with `new WriteQueue(...)` give them explicitly, or rows are `unknown`).
 */

import { RowDeque, type RowStore } from './row-store.js';

export type { RowStore } from './row-store.js';

export const WRITE_QUEUE_ERROR_CODES = {
  WRITE_QUEUE_FLUSH_FAILED:
    'a drain gave up on one or more kinds after repeated flush failures; rows stay queued',
  WRITE_QUEUE_CLOSED: 'a row was pushed after the queue was closed',
  WRITE_QUEUE_BAD_OPTIONS: 'the queue was constructed with an unusable option',
} as const;
export type WriteQueueErrorCode = keyof typeof WRITE_QUEUE_ERROR_CODES;

/** One kind that a drain could not write, with the last error its flush function threw. */
export interface StuckKind {
  readonly kind: string;
  readonly attempts: number;
  readonly rows: number;
  readonly error: unknown;
}

export class WriteQueueError extends Error {
  readonly code: WriteQueueErrorCode;
  /** For WRITE_QUEUE_FLUSH_FAILED: the kinds left with rows, in configuration order. */
  readonly stuck: readonly StuckKind[];

  constructor(code: WriteQueueErrorCode, message: string, stuck: readonly StuckKind[] = [], cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'WriteQueueError';
    this.code = code;
    this.stuck = stuck;
  }
}

export type ShedPolicy = 'keep' | 'shed';

export interface WriteQueueKind<Row> {
  /** Writes one batch (e.g. one bulk INSERT). Rejecting means nothing of the batch was written. */
  readonly flush: (rows: readonly Row[]) => Promise<void>;
  /** 'keep': never dropped (orders, fills, ledger, decisions). 'shed': may be dropped under overload. */
  readonly policy: ShedPolicy;
  /** Most rows per flush; reaching it queued triggers a flush on the next tick. */
  readonly maxBatch: number;
  /**
   * Holds the kind's queued rows; default a RowDeque (the rows themselves). A kind with many small
   * rows on a hot path can keep them in columns instead (see DeltaColumns).
   */
  readonly store?: () => RowStore<Row>;
}

/** Method shapes so that Node's globals and a test's fake timers both fit. */
export interface WriteQueueTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface WriteQueueOptions<K extends string, R extends { [P in K]: unknown }> {
  readonly kinds: { readonly [P in K]: WriteQueueKind<R[P]> };
  /** Bound on rows held, all kinds together (default 50,000). Only keep rows may exceed it. */
  readonly maxRows?: number;
  /** Longest a row waits for its batch to fill (default 200 ms). */
  readonly flushIntervalMs?: number;
  /** First retry delay after a failed flush (default 100 ms); doubles per consecutive failure. */
  readonly retryBaseMs?: number;
  /** Cap on the retry delay (default 5,000 ms). */
  readonly retryMaxMs?: number;
  /** Consecutive failures per kind after which `flush()` gives up on that kind (default 5). */
  readonly drainAttempts?: number;
  /** Epoch ms; used for flush latency. */
  readonly clock?: () => number;
  readonly timers?: WriteQueueTimers;
  /** `count` rows of `kind` were shed (dropped on push or evicted): the caller's data has a gap. */
  readonly onShed?: (kind: K, count: number) => void;
  /** A flush of `kind` failed; `attempt` counts consecutive failures (1 = first). It will be retried. */
  readonly onFlushError?: (kind: K, error: unknown, attempt: number) => void;
  /** A flush of `kind` succeeded after `failures` consecutive failed ones: the kind writes again. */
  readonly onFlushRecovered?: (kind: K, failures: number) => void;
}

export interface WriteQueueKindStats {
  readonly policy: ShedPolicy;
  /** Rows held: queued + in flight. */
  readonly depth: number;
  readonly inFlight: number;
  /** High-water mark of depth. */
  readonly maxDepth: number;
  readonly pushed: number;
  readonly written: number;
  readonly shed: number;
  /** Keep rows accepted while the queue was full and held no sheddable row. */
  readonly overCapacity: number;
  /** Successful flushes. */
  readonly flushes: number;
  /** Failed flushes (each retried batch counts once per failure). */
  readonly failures: number;
  readonly consecutiveFailures: number;
  /** Duration of the latest successful flush, ms (undefined before the first). */
  readonly lastFlushLatencyMs: number | undefined;
  readonly maxFlushLatencyMs: number;
}

export interface WriteQueueStats<K extends string> {
  readonly maxRows: number;
  readonly kinds: { readonly [P in K]: WriteQueueKindStats };
  readonly totals: {
    readonly depth: number;
    /** High-water mark of the total depth. */
    readonly maxDepth: number;
    readonly pushed: number;
    readonly written: number;
    readonly shed: number;
    readonly overCapacity: number;
    readonly flushes: number;
    readonly failures: number;
    readonly maxFlushLatencyMs: number;
    /** Hook calls (onShed, onFlushError) that threw. */
    readonly hookErrors: number;
  };
}

export const DEFAULT_MAX_ROWS = 50_000;
export const DEFAULT_FLUSH_INTERVAL_MS = 200;
export const DEFAULT_RETRY_BASE_MS = 100;
export const DEFAULT_RETRY_MAX_MS = 5_000;
export const DEFAULT_DRAIN_ATTEMPTS = 5;

interface Lane<K extends string> {
  readonly kind: K;
  readonly config: WriteQueueKind<unknown>;
  readonly queue: RowStore<unknown>;
  inFlight: readonly unknown[] | undefined;
  /** Settles (never rejects) when the in-flight flush is done; true if it succeeded. */
  running: Promise<boolean> | undefined;
  timer: unknown;
  timerDue: number;
  timerArmed: boolean;
  /** The armed timer was set with delay 0. */
  timerImmediate: boolean;
  maxDepth: number;
  pushed: number;
  written: number;
  shed: number;
  overCapacity: number;
  flushes: number;
  failures: number;
  consecutiveFailures: number;
  lastError: unknown;
  lastFlushLatencyMs: number | undefined;
  maxFlushLatencyMs: number;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) {
    throw new WriteQueueError('WRITE_QUEUE_BAD_OPTIONS', `${name} must be a positive integer, got ${value}`);
  }
  return value;
}

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new WriteQueueError(
      'WRITE_QUEUE_BAD_OPTIONS',
      `${name} must be a non-negative number, got ${value}`,
    );
  }
  return value;
}

const NODE_TIMERS: WriteQueueTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class WriteQueue<K extends string, R extends { [P in K]: unknown } = { [P in K]: unknown }> {
  readonly maxRows: number;
  readonly flushIntervalMs: number;
  readonly #retryBaseMs: number;
  readonly #retryMaxMs: number;
  readonly #drainAttempts: number;
  readonly #clock: () => number;
  readonly #timers: WriteQueueTimers;
  readonly #onShed: ((kind: K, count: number) => void) | undefined;
  readonly #onFlushError: ((kind: K, error: unknown, attempt: number) => void) | undefined;
  readonly #onFlushRecovered: ((kind: K, failures: number) => void) | undefined;
  readonly #lanes = new Map<K, Lane<K>>();
  /** The lanes in configuration order, and the shed ones among them (eviction candidates). */
  readonly #order: Lane<K>[] = [];
  readonly #shedLanes: Lane<K>[] = [];
  #depth = 0;
  #maxDepth = 0;
  #hookErrors = 0;
  #draining = 0;
  #closing = false;
  #closed = false;

  constructor(options: WriteQueueOptions<K, R>) {
    this.maxRows = positiveInteger('maxRows', options.maxRows ?? DEFAULT_MAX_ROWS);
    this.flushIntervalMs = nonNegative(
      'flushIntervalMs',
      options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS,
    );
    this.#retryBaseMs = nonNegative('retryBaseMs', options.retryBaseMs ?? DEFAULT_RETRY_BASE_MS);
    this.#retryMaxMs = nonNegative('retryMaxMs', options.retryMaxMs ?? DEFAULT_RETRY_MAX_MS);
    this.#drainAttempts = positiveInteger('drainAttempts', options.drainAttempts ?? DEFAULT_DRAIN_ATTEMPTS);
    this.#clock = options.clock ?? Date.now;
    this.#timers = options.timers ?? NODE_TIMERS;
    this.#onShed = options.onShed;
    this.#onFlushError = options.onFlushError;
    this.#onFlushRecovered = options.onFlushRecovered;
    for (const kind of Object.keys(options.kinds) as K[]) {
      const config = options.kinds[kind] as WriteQueueKind<unknown>;
      positiveInteger(`kinds.${kind}.maxBatch`, config.maxBatch);
      if (config.policy !== 'keep' && config.policy !== 'shed') {
        throw new WriteQueueError(
          'WRITE_QUEUE_BAD_OPTIONS',
          `kinds.${kind}.policy must be 'keep' or 'shed', got ${String(config.policy)}`,
        );
      }
      const lane: Lane<K> = {
        kind,
        config,
        queue: config.store?.() ?? new RowDeque<unknown>(),
        inFlight: undefined,
        running: undefined,
        timer: undefined,
        timerDue: 0,
        timerArmed: false,
        timerImmediate: false,
        maxDepth: 0,
        pushed: 0,
        written: 0,
        shed: 0,
        overCapacity: 0,
        flushes: 0,
        failures: 0,
        consecutiveFailures: 0,
        lastError: undefined,
        lastFlushLatencyMs: undefined,
        maxFlushLatencyMs: 0,
      };
      this.#lanes.set(kind, lane);
      this.#order.push(lane);
      if (config.policy === 'shed') this.#shedLanes.push(lane);
    }
    if (this.#order.length === 0)
      throw new WriteQueueError('WRITE_QUEUE_BAD_OPTIONS', 'kinds must not be empty');
  }

  /**
   * Queues one row. Synchronous; never waits for, nor starts, a database write on this stack.
   * Returns false when the row itself was shed (dropped at once), true when it was queued.
   */
  push<P extends K>(kind: P, row: R[P]): boolean {
    if (this.#closed) {
      throw new WriteQueueError(
        'WRITE_QUEUE_CLOSED',
        `write queue is closed; a ${kind} row was pushed after close()`,
      );
    }
    const lane = this.#lanes.get(kind);
    if (lane === undefined) {
      throw new WriteQueueError('WRITE_QUEUE_BAD_OPTIONS', `unknown write queue kind: ${String(kind)}`);
    }
    lane.pushed++;
    if (this.#depth >= this.maxRows) {
      if (lane.config.policy === 'shed') {
        const victim = this.#deepestShedLane(lane);
        if (victim === lane) {
          lane.shed++;
          this.#reportShed(lane, 1);
          return false;
        }
        this.#evictNewest(victim);
      } else {
        const victim = this.#deepestShedLane(undefined);
        if (victim === undefined) lane.overCapacity++;
        else this.#evictNewest(victim);
      }
    }
    lane.queue.push(row);
    this.#depth++;
    if (this.#depth > this.#maxDepth) this.#maxDepth = this.#depth;
    const laneDepth = lane.queue.length + (lane.inFlight?.length ?? 0);
    if (laneDepth > lane.maxDepth) lane.maxDepth = laneDepth;
    // While a flush is in flight (or a drain runs), its completion decides what comes next.
    if (lane.running !== undefined || this.#draining > 0) return true;
    if (lane.consecutiveFailures > 0) {
      // A retry is due: keep its backoff, or start one if the lane had gone quiet meanwhile.
      if (!lane.timerArmed) this.#schedule(lane, this.#backoffMs(lane.consecutiveFailures));
    } else if (lane.queue.length >= lane.config.maxBatch) {
      if (!lane.timerImmediate) this.#schedule(lane, 0);
    } else if (!lane.timerArmed) {
      this.#schedule(lane, this.flushIntervalMs);
    }
    return true;
  }

  /** Drains every kind; rejects with WRITE_QUEUE_FLUSH_FAILED naming kinds that stayed stuck. */
  async flush(): Promise<void> {
    this.#draining++;
    for (const lane of this.#order) this.#disarm(lane);
    const stuckByKind = new Map<K, StuckKind>();
    try {
      // Rounds, because a kind drained early may receive pushes while another is still draining.
      for (;;) {
        const lanes = this.#order.filter(
          (lane) => !stuckByKind.has(lane.kind) && (lane.queue.length > 0 || lane.running !== undefined),
        );
        if (lanes.length === 0) break;
        const results = await Promise.all(lanes.map((lane) => this.#drainLane(lane)));
        for (const result of results) if (result !== undefined) stuckByKind.set(result.kind as K, result);
      }
    } finally {
      this.#draining--;
      if (this.#draining === 0 && !this.#closed && !this.#closing) {
        for (const lane of this.#order) this.#afterSettle(lane);
      }
    }
    const stuck = this.#order.flatMap((lane) => {
      const s = stuckByKind.get(lane.kind);
      return s === undefined ? [] : [s];
    });
    if (stuck.length > 0) {
      const names = stuck.map((s) => `${s.kind} (${s.rows} rows, ${s.attempts} attempts)`).join(', ');
      throw new WriteQueueError(
        'WRITE_QUEUE_FLUSH_FAILED',
        `write queue could not write ${names}; the rows stay queued`,
        stuck,
        stuck[0]?.error,
      );
    }
  }

  /** A final flush, then no more timers. Rethrows the flush's error (rows stay in `pending()`). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closing = true;
    try {
      await this.flush();
    } finally {
      this.#closed = true;
      this.#closing = false;
      for (const lane of this.#order) this.#disarm(lane);
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Rows not yet written, per kind, oldest first (an in-flight batch first). Copies. */
  pending(): { [P in K]: R[P][] } {
    const out = {} as { [P in K]: R[P][] };
    for (const lane of this.#order) {
      const rows = (lane.inFlight ?? []).concat(lane.queue.toArray());
      out[lane.kind] = rows as R[K][];
    }
    return out;
  }

  /** Rows held (queued + in flight), all kinds. */
  get depth(): number {
    return this.#depth;
  }

  stats(): WriteQueueStats<K> {
    const kinds = {} as { [P in K]: WriteQueueKindStats };
    let pushed = 0;
    let written = 0;
    let shed = 0;
    let overCapacity = 0;
    let flushes = 0;
    let failures = 0;
    let maxFlushLatencyMs = 0;
    for (const lane of this.#order) {
      const inFlight = lane.inFlight?.length ?? 0;
      kinds[lane.kind] = {
        policy: lane.config.policy,
        depth: lane.queue.length + inFlight,
        inFlight,
        maxDepth: lane.maxDepth,
        pushed: lane.pushed,
        written: lane.written,
        shed: lane.shed,
        overCapacity: lane.overCapacity,
        flushes: lane.flushes,
        failures: lane.failures,
        consecutiveFailures: lane.consecutiveFailures,
        lastFlushLatencyMs: lane.lastFlushLatencyMs,
        maxFlushLatencyMs: lane.maxFlushLatencyMs,
      };
      pushed += lane.pushed;
      written += lane.written;
      shed += lane.shed;
      overCapacity += lane.overCapacity;
      flushes += lane.flushes;
      failures += lane.failures;
      maxFlushLatencyMs = Math.max(maxFlushLatencyMs, lane.maxFlushLatencyMs);
    }
    return {
      maxRows: this.maxRows,
      kinds,
      totals: {
        depth: this.#depth,
        maxDepth: this.#maxDepth,
        pushed,
        written,
        shed,
        overCapacity,
        flushes,
        failures,
        maxFlushLatencyMs,
        hookErrors: this.#hookErrors,
      },
    };
  }

  // ---------- capacity ----------

  /**
   * The shed lane with the most queued (not in-flight) rows; `preferred` wins ties. Undefined when
   * no shed row is queued and no preferred lane was given.
   */
  #deepestShedLane(preferred: Lane<K>): Lane<K>;
  #deepestShedLane(preferred: undefined): Lane<K> | undefined;
  #deepestShedLane(preferred: Lane<K> | undefined): Lane<K> | undefined {
    let best = preferred;
    let bestLength = preferred === undefined ? 0 : preferred.queue.length;
    for (const lane of this.#shedLanes) {
      if (lane.queue.length > bestLength) {
        best = lane;
        bestLength = lane.queue.length;
      }
    }
    return best;
  }

  #evictNewest(lane: Lane<K>): void {
    lane.queue.popNewest();
    this.#depth--;
    lane.shed++;
    this.#reportShed(lane, 1);
  }

  #reportShed(lane: Lane<K>, count: number): void {
    if (this.#onShed === undefined) return;
    try {
      this.#onShed(lane.kind, count);
    } catch {
      this.#hookErrors++;
    }
  }

  // ---------- scheduling ----------

  /** Arms the lane's timer to fire in `delay` ms, unless it is already due no later than that. */
  #schedule(lane: Lane<K>, delay: number): void {
    const due = this.#clock() + delay;
    if (lane.timerArmed) {
      if (lane.timerDue <= due) return;
      this.#timers.clearTimeout(lane.timer);
    }
    lane.timerArmed = true;
    lane.timerImmediate = delay === 0;
    lane.timerDue = due;
    lane.timer = this.#timers.setTimeout(() => {
      lane.timerArmed = false;
      lane.timerImmediate = false;
      lane.timer = undefined;
      if (this.#draining > 0 || this.#closed) return;
      this.#startFlush(lane);
    }, delay);
  }

  #disarm(lane: Lane<K>): void {
    if (!lane.timerArmed) return;
    this.#timers.clearTimeout(lane.timer);
    lane.timerArmed = false;
    lane.timerImmediate = false;
    lane.timer = undefined;
  }

  #backoffMs(failures: number): number {
    return Math.min(this.#retryMaxMs, this.#retryBaseMs * 2 ** Math.max(0, failures - 1));
  }

  /** What follows a settled flush in the background: the next batch, a retry, or nothing. */
  #afterSettle(lane: Lane<K>): void {
    if (this.#draining > 0 || this.#closed || lane.running !== undefined) return;
    if (lane.queue.length === 0) return;
    if (lane.consecutiveFailures > 0) this.#schedule(lane, this.#backoffMs(lane.consecutiveFailures));
    else if (lane.queue.length >= lane.config.maxBatch) this.#schedule(lane, 0);
    else this.#schedule(lane, this.flushIntervalMs);
  }

  #startFlush(lane: Lane<K>): void {
    if (lane.running !== undefined || lane.queue.length === 0) return;
    void this.#attempt(lane).then(() => this.#afterSettle(lane));
  }

  // ---------- flushing ----------

  /** Flushes one batch of the lane. The returned promise never rejects. Caller checks `running`. */
  #attempt(lane: Lane<K>): Promise<boolean> {
    const batch = lane.queue.take(lane.config.maxBatch);
    lane.inFlight = batch;
    const started = this.#clock();
    const running = new Promise<void>((resolve) => resolve(lane.config.flush(batch))).then(
      () => {
        const latency = Math.max(0, this.#clock() - started);
        lane.inFlight = undefined;
        lane.running = undefined;
        this.#depth -= batch.length;
        lane.written += batch.length;
        lane.flushes++;
        const failedBefore = lane.consecutiveFailures;
        lane.consecutiveFailures = 0;
        lane.lastError = undefined;
        if (failedBefore > 0 && this.#onFlushRecovered !== undefined) {
          try {
            this.#onFlushRecovered(lane.kind, failedBefore);
          } catch {
            this.#hookErrors++;
          }
        }
        lane.lastFlushLatencyMs = latency;
        if (latency > lane.maxFlushLatencyMs) lane.maxFlushLatencyMs = latency;
        return true;
      },
      (error: unknown) => {
        lane.inFlight = undefined;
        lane.running = undefined;
        lane.queue.unshiftAll(batch);
        lane.failures++;
        lane.consecutiveFailures++;
        lane.lastError = error;
        if (this.#onFlushError !== undefined) {
          try {
            this.#onFlushError(lane.kind, error, lane.consecutiveFailures);
          } catch {
            this.#hookErrors++;
          }
        }
        return false;
      },
    );
    lane.running = running;
    return running;
  }

  /** Flushes the lane until it is empty, or until `drainAttempts` consecutive failures. */
  async #drainLane(lane: Lane<K>): Promise<StuckKind | undefined> {
    let attempts = 0;
    for (;;) {
      if (lane.running !== undefined) {
        await lane.running;
        continue;
      }
      if (lane.queue.length === 0) return undefined;
      if (await this.#attempt(lane)) {
        attempts = 0;
        continue;
      }
      attempts++;
      if (attempts >= this.#drainAttempts) {
        return { kind: lane.kind, attempts, rows: lane.queue.length, error: lane.lastError };
      }
      await this.#sleep(this.#backoffMs(attempts));
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#timers.setTimeout(resolve, ms);
    });
  }
}

/** Builds a WriteQueue, inferring each kind's row type from its flush function. */
export function createWriteQueue<Rows extends { [kind: string]: unknown }>(
  options: WriteQueueOptions<keyof Rows & string, Rows> & {
    readonly kinds: { readonly [P in keyof Rows]: WriteQueueKind<Rows[P]> };
  },
): WriteQueue<keyof Rows & string, Rows> {
  return new WriteQueue<keyof Rows & string, Rows>(options);
}
