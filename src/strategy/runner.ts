/**
 * StrategyRunner: on every book update (throttled to one evaluation per `throttleMs`), shows the
 * strategy a MarketView and publishes the decision. A trade is handed to the machine (`act`) only
 * when the machine can act; otherwise it is recorded as a hold with the reason. The executeIntent
 * actor publishes the decision of a trade that goes on to the RiskController.
 */
import type { BusEvents, EventBus } from '../bus.js';
import type { Decision, DecisionEvidence, OrderIntent } from '../domain/index.js';
import type { MarketView, Strategy } from './types.js';

export interface StrategyRunnerDeps {
  bus: EventBus;
  clock: () => number;
  strategy: Strategy;
  throttleMs: number;
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
  private lastEvaluation = Number.NEGATIVE_INFINITY;
  private running = false;
  readonly stats: StrategyRunnerStats = { evaluations: 0, trades: 0, holds: 0, throttled: 0 };
  private readonly onBook = (e: BusEvents['book.updated'][0]) => this.evaluate(e.ticker);

  constructor(private readonly deps: StrategyRunnerDeps) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.deps.bus.on('book.updated', this.onBook);
  }

  stop(): void {
    this.running = false;
    this.deps.bus.off('book.updated', this.onBook);
  }

  private publish(decision: Decision): void {
    this.deps.bus.emit('strategy.decided', decision);
  }

  evaluate(ticker: string): void {
    if (!this.running) return;
    const now = this.deps.clock();
    if (now - this.lastEvaluation < this.deps.throttleMs) {
      this.stats.throttled += 1;
      return;
    }
    const view = this.deps.view(ticker);
    if (!view) return;
    this.lastEvaluation = now;
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
    const evidence = evidenceOf(result);
    if (result.action === 'hold') {
      this.stats.holds += 1;
      this.publish({ ...base, ...evidence, action: 'hold', reason: result.reason });
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
