/**
 * StrategyRunner: on every book update (throttled per market to one evaluation per `throttleMs`),
 * shows the strategy a MarketView and publishes the decision. A trade is handed to the machine
 * (`act`) only when the machine can act; otherwise it is recorded as a hold with the reason. The
 * executeIntent actor publishes the decision of a trade that goes on to the RiskController.
 *
 * Triggers (`trigger`):
 *   updated   every 'book.updated' (time: the runner's clock);
 *   recorded  only an update the record accepted: a 'book.recorded' for the ticker followed by its
 *             'book.updated' (seed 003: a shed update never triggers). Time: the record's
 *             receivedMs, so a replay of the record sees the same times as the live run.
 * A strategy's `onBookUpdate` hears every trigger, throttled or not (the policy's history).
 *
 * A strategy may answer asynchronously (the policy's inference): while a market's evaluation is in
 * flight, further triggers of that market are not evaluated (`busy`); `idle()` waits for them all.
 */
import type { BusEvents, EventBus } from '../bus.js';
import type { Decision, DecisionEvidence, OrderIntent } from '../domain/index.js';
import type { MarketView, Strategy, StrategyResult } from './types.js';

export interface StrategyRunnerDeps {
  bus: EventBus;
  clock: () => number;
  strategy: Strategy;
  throttleMs: number;
  /** Default 'updated'. */
  trigger?: 'updated' | 'recorded';
  view(ticker: string): MarketView | undefined;
  /** Whether the machine accepts an intent now (READY), and if not, why. */
  canAct(): { ok: true } | { ok: false; reason: string };
  act(intent: OrderIntent, evidence: DecisionEvidence | undefined): void;
}

export interface StrategyRunnerStats {
  evaluations: number;
  trades: number;
  holds: number;
  throttled: number;
  /** Triggers skipped because the market's previous evaluation was still running. */
  busy: number;
  /** Evaluations that failed (published as holds with the error). */
  errors: number;
}

/** The evidence part of a strategy's result (only the fields it set). */
function evidenceOf(r: DecisionEvidence): DecisionEvidence | undefined {
  const e: DecisionEvidence = {
    ...(r.features ? { features: r.features } : {}),
    ...(r.model ? { model: r.model } : {}),
    ...(r.details ? { details: r.details } : {}),
  };
  return Object.keys(e).length > 0 ? e : undefined;
}

export class StrategyRunner {
  private readonly lastEvaluation = new Map<string, number>();
  private readonly recordedAt = new Map<string, number>();
  private readonly inFlight = new Map<string, Promise<void>>();
  private running = false;
  readonly stats: StrategyRunnerStats = {
    evaluations: 0,
    trades: 0,
    holds: 0,
    throttled: 0,
    busy: 0,
    errors: 0,
  };
  private readonly onRecorded = (e: BusEvents['book.recorded'][0]) =>
    this.recordedAt.set(e.ticker, e.receivedMs);
  private readonly onBook = (e: BusEvents['book.updated'][0]) => {
    if (this.deps.trigger !== 'recorded') {
      this.evaluate(e.ticker);
      return;
    }
    const at = this.recordedAt.get(e.ticker);
    if (at === undefined) return;
    this.recordedAt.delete(e.ticker);
    this.evaluate(e.ticker, at);
  };

  constructor(private readonly deps: StrategyRunnerDeps) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.deps.bus.on('book.recorded', this.onRecorded);
    this.deps.bus.on('book.updated', this.onBook);
  }

  stop(): void {
    this.running = false;
    this.deps.bus.off('book.recorded', this.onRecorded);
    this.deps.bus.off('book.updated', this.onBook);
  }

  /** When `ticker` was last evaluated (the throttle's reference), undefined before its first. */
  lastEvaluatedAt(ticker: string): number | undefined {
    return this.lastEvaluation.get(ticker);
  }

  /** Evaluations in flight. */
  get pending(): number {
    return this.inFlight.size;
  }

  /** Resolves when no evaluation is in flight. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight.values()]);
  }

  private publish(decision: Decision): void {
    this.deps.bus.emit('strategy.decided', decision);
  }

  /** One trigger of `ticker` at `now` (default: the clock). */
  evaluate(ticker: string, now = this.deps.clock()): void {
    if (!this.running) return;
    this.deps.strategy.onBookUpdate?.(ticker, now);
    if (now - (this.lastEvaluation.get(ticker) ?? Number.NEGATIVE_INFINITY) < this.deps.throttleMs) {
      this.stats.throttled += 1;
      return;
    }
    if (this.inFlight.has(ticker)) {
      this.stats.busy += 1;
      return;
    }
    const found = this.deps.view(ticker);
    if (!found) return;
    const view = found.now === now ? found : { ...found, now };
    this.lastEvaluation.set(ticker, now);
    this.stats.evaluations += 1;
    const base = { at: now, ticker, strategy: this.deps.strategy.name };
    if (view.bookStatus !== 'live') {
      this.stats.holds += 1;
      this.publish({ ...base, action: 'hold', reason: `book_${view.bookStatus}` });
      return;
    }
    if (view.marketPhase !== undefined && view.marketPhase !== 'open') {
      this.stats.holds += 1;
      this.publish({ ...base, action: 'hold', reason: `market_${view.marketPhase}` });
      return;
    }
    const result = this.deps.strategy.evaluate(view);
    if (!(result instanceof Promise)) {
      this.conclude(base, result);
      return;
    }
    const done = result
      .then(
        (r) => this.conclude(base, r),
        (err: unknown) => {
          this.stats.errors += 1;
          this.stats.holds += 1;
          const message = err instanceof Error ? err.message : String(err);
          this.publish({ ...base, action: 'hold', reason: `strategy_error: ${message}` });
        },
      )
      .finally(() => this.inFlight.delete(ticker));
    this.inFlight.set(ticker, done);
  }

  private conclude(base: { at: number; ticker: string; strategy: string }, result: StrategyResult): void {
    const evidence = evidenceOf(result);
    if (result.action === 'hold') {
      this.stats.holds += 1;
      this.publish({ ...base, ...evidence, action: 'hold', reason: result.reason });
      return;
    }
    if (!this.running) {
      this.stats.holds += 1;
      this.publish({ ...base, ...evidence, action: 'hold', reason: 'stopped', intent: result.intent });
      return;
    }
    const ready = this.deps.canAct();
    if (!ready.ok) {
      this.stats.holds += 1;
      this.publish({
        ...base,
        ...evidence,
        action: 'hold',
        reason: `not_ready:${ready.reason}`,
        intent: result.intent,
      });
      return;
    }
    this.stats.trades += 1;
    this.deps.act(result.intent, evidence);
  }
}
