/**
 * Batched inference for the replay, exact by construction.
 *
 * Why: one onnxruntime call costs ~15–25 µs whatever it carries (bench/RESULTS.md: the per-call
 * overhead of session.run, async or not), while a batch of 64 observations costs ~0.5–1 µs per
 * observation. A replay that asks the model once per evaluation spends its time in those calls.
 * But a replay cannot simply batch its evaluations: each decision may trade, and a trade changes
 * what every later observation sees (position, cash, open orders).
 *
 * How: when an evaluation needs the model, the replay looks ahead (createLookahead): on scratch
 * copies of the books, and a fork of the policy's memory (PolicyStrategy.fork), it feeds the next
 * records of the stream through the same book feed (book-feed.ts), the same per-market throttle,
 * the same observation builder, as if every decision in between held — and collects the
 * observations the coming evaluations would then put to the model. The current observation and
 * those go to the model as one batch. The evaluations that follow take their scores from the
 * batch (inferNow) only when their real observation is bit-for-bit the predicted one; the first
 * that differs (a trade or a fill changed the portfolio) drops the rest of the batch and asks
 * again. The model is a pure function of its input, so a decision gets the scores it would have
 * got alone — provided the model answers a row of a batch exactly as it answers that row alone:
 * checked on the first batch (rows compared with single inferences); if they differ, batching is
 * switched off for the run (`stats.disabled`) and every evaluation asks alone, as before.
 *
 * The lookahead goes on from where it stopped while its predictions hold (a batch used up
 * without a miss): it never reads a record twice then. After a miss it starts again from the
 * replay's state. The batch size adapts between 2 and 8 rows: it doubles while batches are used
 * up, and shrinks to twice the run of hits when a prediction fails. Small on purpose: a predicted
 * row costs the lookahead about what it saves in model calls (it feeds every record in between
 * through the books and the policy's history, ~25 µs a row on a dense stream), and each trade
 * (one evaluation in ~20 for the shipped policy) drops the rest of its batch (bench/RESULTS.md).
 *
 * Only a pure model may be wrapped (PolicyModel); a stateful inference (the seeded random
 * baseline) must see its evaluations one by one, in order.
 */
import { OrderBook } from '../orderbook/index.js';
import { ACTION_COUNT, type BookRecord, FEATURE_COUNT } from '../policy/index.js';
import type { PolicyInference, PolicyScores, PolicyStrategy } from '../strategy/index.js';
import { applyRecord } from './book-feed.js';

/** A pure model that also scores n observations laid end to end (PolicyModel). */
export interface BatchModel extends PolicyInference {
  inferBatch(obs: Float32Array, n: number): Promise<Float32Array>;
}

export interface SpeculationStats {
  /** Model calls with a lookahead, and the observations they scored (the asked one included). */
  batches: number;
  rows: number;
  /** Evaluations answered from a batch, and predictions that turned out wrong. */
  hits: number;
  misses: number;
  /** Predicted rows dropped unused (after a miss). */
  wasted: number;
  /** Model calls for one observation (batching off, or a non-finite observation). */
  singles: number;
  /** Why batching was switched off, if it was. */
  disabled?: string;
}

export interface SpeculationSettings {
  readonly minBatch: number;
  readonly maxBatch: number;
  /** Rows of the first batch compared with single inferences. */
  readonly checkRows: number;
}

const DEFAULT_SETTINGS: SpeculationSettings = { minBatch: 2, maxBatch: 8, checkRows: 4 };

/**
 * The observations the evaluations after the current one would ask, at most `max`, in order;
 * `fresh`: start from the replay's state (after a miss), else go on from the last prediction.
 */
export type Lookahead = (max: number, fresh: boolean) => Float32Array[];

function sameFloats(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

function allFinite(obs: Float32Array): boolean {
  for (let i = 0; i < obs.length; i++) if (!Number.isFinite(obs[i])) return false;
  return true;
}

export class SpeculativeInference implements PolicyInference {
  readonly sha256: string;
  readonly stats: SpeculationStats = { batches: 0, rows: 0, hits: 0, misses: 0, wasted: 0, singles: 0 };
  private lookahead: Lookahead | undefined;
  private queue: Float32Array[] = [];
  private scores: Float32Array = new Float32Array(0);
  private head = 0;
  private rowLatencyUs = 0;
  private size: number;
  private checked = false;
  /** The lookahead must start again from the replay's state (first call, after a miss). */
  private fresh = true;
  private readonly settings: SpeculationSettings;

  constructor(
    private readonly model: BatchModel,
    settings: Partial<SpeculationSettings> = {},
  ) {
    this.sha256 = model.sha256;
    this.settings = { ...DEFAULT_SETTINGS, ...settings };
    this.size = this.settings.minBatch;
  }

  /** Where the predictions come from (the replay, once its books and strategy exist). */
  attach(lookahead: Lookahead): void {
    this.lookahead = lookahead;
  }

  inferNow(obs: Float32Array): PolicyScores | undefined {
    if (this.head >= this.queue.length) return undefined;
    const at = this.head;
    const predicted = this.queue[at]!;
    if (sameFloats(predicted, obs)) {
      this.head += 1;
      this.stats.hits += 1;
      if (this.head === this.queue.length) this.size = Math.min(this.settings.maxBatch, this.size * 2);
      return {
        scores: this.scores.subarray(at * ACTION_COUNT, (at + 1) * ACTION_COUNT),
        latencyUs: this.rowLatencyUs,
      };
    }
    this.stats.misses += 1;
    this.stats.wasted += this.queue.length - at;
    this.size = Math.min(this.settings.maxBatch, Math.max(this.settings.minBatch, 2 * at));
    this.queue = [];
    this.head = 0;
    this.fresh = true;
    return undefined;
  }

  async infer(obs: Float32Array): Promise<PolicyScores> {
    if (!this.lookahead || this.stats.disabled !== undefined || !allFinite(obs)) {
      this.stats.singles += 1;
      return this.model.infer(obs);
    }
    // Asked with predictions left (the replay asked out of turn): they cannot be trusted to follow.
    if (this.head < this.queue.length) this.fresh = true;
    this.queue = [];
    this.head = 0;
    let ahead: Float32Array[] = [];
    try {
      ahead = this.lookahead(this.size - 1, this.fresh);
      this.fresh = false;
    } catch {
      // A record ahead the replay will refuse when it gets there (a malformed snapshot): this
      // evaluation is asked alone, as it would be without batching, and the next starts afresh.
      this.fresh = true;
    }
    const n = ahead.length + 1;
    const batch = new Float32Array(n * FEATURE_COUNT);
    batch.set(obs, 0);
    for (let r = 0; r < ahead.length; r++) batch.set(ahead[r]!, (r + 1) * FEATURE_COUNT);
    const t0 = performance.now();
    const out = await this.model.inferBatch(batch, n);
    const latencyUs = ((performance.now() - t0) * 1000) / n;
    this.stats.batches += 1;
    this.stats.rows += n;
    if (!this.checked) {
      this.checked = true;
      for (let r = 0; r < Math.min(n, this.settings.checkRows); r++) {
        const alone = await this.model.infer(batch.subarray(r * FEATURE_COUNT, (r + 1) * FEATURE_COUNT));
        if (!sameFloats(alone.scores, out.subarray(r * ACTION_COUNT, (r + 1) * ACTION_COUNT))) {
          this.stats.disabled = `row ${r} of a batch of ${n} scored differently than alone`;
          this.stats.singles += 1;
          return this.model.infer(obs);
        }
      }
    }
    this.queue = ahead;
    this.scores = out.subarray(ACTION_COUNT);
    this.rowLatencyUs = latencyUs;
    return { scores: out.subarray(0, ACTION_COUNT), latencyUs };
  }
}

export interface LookaheadDeps {
  /** The replay's policy, forked (not changed) when the lookahead starts afresh. */
  readonly strategy: PolicyStrategy;
  /** The runner's throttle reference per market. */
  lastEvaluatedAt(ticker: string): number | undefined;
  readonly throttleMs: number;
  /** The replay's books (read, never changed here). */
  readonly books: ReadonlyMap<string, OrderBook>;
  /** Runs `fn` with the strategy's ports (books, marks, candidates) reading `scratch` instead. */
  withBooks<T>(scratch: Map<string, OrderBook>, fn: () => T): T;
  /** A scratch book changed (what was derived from it, a position's mark, is stale). */
  changed(ticker: string): void;
  /** The page being fed and the index of the record after the one being evaluated. */
  upcoming(): { readonly records: readonly BookRecord[]; readonly from: number };
}

/** The replay's lookahead: see the header. */
export function createLookahead(d: LookaheadDeps): Lookahead {
  const spare = new Map<string, OrderBook>();
  const scratch = new Map<string, OrderBook>();
  let fork: PolicyStrategy | undefined;
  const last = new Map<string, number>();
  /** Where the last lookahead stopped: its page and the next record to read there. */
  let page: readonly BookRecord[] | undefined;
  let at = 0;

  const restart = (records: readonly BookRecord[], from: number) => {
    scratch.clear();
    for (const [ticker, book] of d.books) {
      let copy = spare.get(ticker);
      if (!copy) {
        copy = new OrderBook(ticker);
        spare.set(ticker, copy);
      }
      copy.copyFrom(book);
      scratch.set(ticker, copy);
    }
    fork = d.strategy.fork();
    last.clear();
    page = records;
    at = from;
  };

  return (max, fresh) => {
    const out: Float32Array[] = [];
    const { records, from } = d.upcoming();
    // Going on needs the same page and the lookahead behind the current record (it stopped at its
    // last prediction, an evaluation before this one); anything else starts afresh.
    if (fresh || fork === undefined || page !== records || at >= from) restart(records, from);
    const f = fork!;
    d.withBooks(scratch, () => {
      for (; at < records.length && out.length < max; at++) {
        const r = records[at]!;
        if (!applyRecord(scratch, r)) continue;
        const ticker = r.ticker;
        d.changed(ticker);
        const time = r.receivedMs;
        f.onBookUpdate(ticker, time);
        const prev = last.get(ticker) ?? d.lastEvaluatedAt(ticker) ?? Number.NEGATIVE_INFINITY;
        if (time - prev < d.throttleMs) continue;
        last.set(ticker, time);
        const q = f.question(ticker, time);
        // An evaluation at or before the current record is the one being asked, or past.
        if (!('action' in q) && at >= from) out.push(q.obs);
      }
    });
    return out;
  };
}
