/**
 * The strategy hook: a book update in, an order intent (or a reason to hold) out. Strategies are
 * pure functions of what they are shown; the StrategyRunner throttles them, publishes every
 * decision, and hands intents to the machine.
 */
import type { Count, DecisionEvidence, MarketPhase, OrderIntent, Price } from '../domain/index.js';

/** What a strategy sees of one market at one moment. */
export interface MarketView {
  readonly ticker: string;
  readonly now: number;
  readonly bestYesBid: Price | undefined;
  /** 1 − best NO bid. */
  readonly yesAsk: Price | undefined;
  readonly yesBidSize: Count;
  readonly yesAskSize: Count;
  /** Our signed position (+ YES / − NO). */
  readonly position: Count;
  /** Our open orders in this market. */
  readonly openOrders: number;
  /** Only a live book may be traded on. */
  readonly bookStatus: 'live' | 'resyncing' | 'stale';
  /** Only an open market may be traded; undefined when the trader does not know its window. */
  readonly marketPhase?: MarketPhase;
}

/** A strategy's answer, with the evidence (features, model output, details) the record keeps. */
export type StrategyResult =
  | ({ readonly action: 'trade'; readonly intent: OrderIntent } & DecisionEvidence)
  | ({ readonly action: 'hold'; readonly reason: string } & DecisionEvidence);

export interface Strategy {
  readonly name: string;
  /** May answer later (a model's inference); the runner keeps one evaluation per market in flight. */
  evaluate(view: MarketView): StrategyResult | Promise<StrategyResult>;
  /** Every trigger of a market, throttled or not, at `now` (e.g. to keep a history of updates). */
  onBookUpdate?(ticker: string, now: number): void;
}
