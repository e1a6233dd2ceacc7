/**
 * The policy actor as a Strategy (seed 003's LiveObservationAdapter + policy): per market it keeps
 * the History of accepted book updates (onBookUpdate, every trigger), and at each evaluation builds
 * the 52-float observation through src/policy/observation.ts — the builder training uses — masks
 * the 21 actions, runs the ONNX model, and turns the best allowed action into an intent.
 *
 * Which markets it trades (`marketMode`):
 *   hot     the most active market (selectHotMarket, with its hysteresis). Activity here is the
 *           change of total resting depth per accepted update — a delta's |delta| contracts, a
 *           resync snapshot's net change — so the live run and a replay of its record agree.
 *   config  the listed tickers;
 *   all     every market it is shown.
 * Other markets are held (`actor:not_target`) without inference.
 *
 * Every decision it makes carries the evidence the record keeps: features (the 52 values by name;
 * the decision row adds their hash), the model's sha256, the 21 scores, the feature_version, the
 * mask as a 21-character bit string (index 0 first), and details (action index and name, latency).
 */
import type { BusEvents } from '../bus.js';
import type { Count, Micros } from '../domain/index.js';
import {
  ACTION_COUNT,
  ACTION_NAMES,
  type ActionMask,
  type ActionSettings,
  type ActionView,
  actionMask,
  actionToIntent,
  chooseAction,
} from '../policy/actions.js';
import {
  type ActivityValue,
  DEFAULT_HOT_SETTINGS,
  type HotChoice,
  type HotSettings,
  NO_ACTIVITY,
  recordActivity,
  selectHotMarket,
} from '../policy/hot.js';
import {
  type BookInput,
  type BookReader,
  bookInputFromBook,
  buildObservation,
  EMPTY_HISTORY,
  type History,
  historyInputFromBook,
  type OpenOrderInput,
  type PortfolioInput,
  pushHistory,
} from '../policy/observation.js';
import { FEATURE_NAMES, FEATURE_VERSION } from '../policy/spec.js';
import type { MarketView, Strategy, StrategyResult } from './types.js';

/** Scores of one observation, and how long they took. */
export interface PolicyScores {
  readonly scores: Float32Array;
  readonly latencyUs: number;
}

/** What the actor infers with (PolicyModel, or anything with its shape). */
export interface PolicyInference {
  readonly sha256: string;
  infer(obs: Float32Array): Promise<PolicyScores>;
  /**
   * The scores when they are at hand without waiting (a replay's batch, a seeded baseline);
   * undefined: call infer. With it, an evaluation may conclude synchronously.
   */
  inferNow?(obs: Float32Array): PolicyScores | undefined;
}

/** An evaluation that needs the model: the observation, and what the decision is taken on. */
export interface PolicyQuestion {
  readonly ticker: string;
  readonly now: number;
  readonly obs: Float32Array;
  readonly view: ActionView;
  readonly mask: ActionMask;
}

/** What the actor reads of the trader (the runtime's services, or the replay's). */
export interface PolicyPorts {
  book(
    ticker: string,
  ): (BookReader & { bestYesBid(): number | undefined; yesAsk(): number | undefined }) | undefined;
  /** Signed position and what was paid for it. */
  position(ticker: string): { readonly position: Count; readonly costBasis: Micros };
  openOrders(ticker: string): readonly OpenOrderInput[];
  /** Undefined until the account's cash is known (before calibration): the actor holds. */
  cash(): Micros | undefined;
  /** Cash plus positions marked to market. */
  equity(): Micros;
  /** Markets that may be chosen as the hot market now (watched and open). */
  candidates(): readonly string[];
}

export interface PolicySettings {
  readonly marketMode: 'hot' | 'config' | 'all';
  /** The config mode's markets. */
  readonly tickers: readonly string[];
  readonly actions: ActionSettings;
  readonly hot?: HotSettings;
}

/** One chosen action, as the bus's actor.action tells it. */
export type ActorAction = BusEvents['actor.action'][0];

interface MarketMemory {
  history: History;
  activity: ActivityValue;
  depth: Count | undefined;
}

const maskString = (allowed: readonly boolean[]) => allowed.map((a) => (a ? '1' : '0')).join('');

export class PolicyStrategy implements Strategy {
  readonly name = 'policy';
  private readonly markets = new Map<string, MarketMemory>();
  private hot: HotChoice | undefined;

  constructor(
    private readonly model: PolicyInference,
    private readonly ports: PolicyPorts,
    private readonly settings: PolicySettings,
    private readonly onAction?: (a: ActorAction) => void,
  ) {}

  /**
   * A copy that goes on from this one's state (each market's history and activity, the hot
   * choice) on the same model, ports and settings, without publishing actions: a replay looks
   * ahead with it (src/replay/speculate.ts) and this strategy is left as it was.
   */
  fork(): PolicyStrategy {
    const copy = new PolicyStrategy(this.model, this.ports, this.settings);
    for (const [ticker, m] of this.markets) copy.markets.set(ticker, { ...m });
    copy.hot = this.hot;
    return copy;
  }

  private memory(ticker: string): MarketMemory {
    let m = this.markets.get(ticker);
    if (!m) {
      m = { history: EMPTY_HISTORY, activity: NO_ACTIVITY, depth: undefined };
      this.markets.set(ticker, m);
    }
    return m;
  }

  onBookUpdate(ticker: string, now: number): void {
    const book = this.ports.book(ticker);
    if (!book) return;
    const input = historyInputFromBook(book);
    const m = this.memory(ticker);
    m.history = pushHistory(m.history, input, now);
    const depth = input.yesTotal + input.noTotal;
    if (m.depth !== undefined) {
      const halfLife = (this.settings.hot ?? DEFAULT_HOT_SETTINGS).halfLifeMs;
      m.activity = recordActivity(m.activity, now, Math.abs(depth - m.depth), halfLife);
    }
    m.depth = depth;
  }

  /** The hot market as of `now` (hot mode), updating the incumbent. */
  hotMarket(now: number): string | undefined {
    const hot = this.settings.hot ?? DEFAULT_HOT_SETTINGS;
    const candidates = this.ports.candidates().map((ticker) => {
      const a = this.markets.get(ticker)?.activity ?? NO_ACTIVITY;
      const dt = now - a.atMs;
      return { ticker, score: dt > 0 ? a.score * 2 ** (-dt / hot.halfLifeMs) : a.score };
    });
    this.hot = selectHotMarket(candidates, this.hot, now, hot);
    return this.hot?.ticker;
  }

  private isTarget(ticker: string, now: number): boolean {
    switch (this.settings.marketMode) {
      case 'all':
        return true;
      case 'config':
        return this.settings.tickers.includes(ticker);
      case 'hot':
        return this.hotMarket(now) === ticker;
    }
  }

  /** Observation, action view and mask of `ticker` now (the pure half of evaluate). */
  observe(
    ticker: string,
    book: BookInput,
    bookPrices: { bid: number | undefined; ask: number | undefined },
    cash: Micros,
  ) {
    const m = this.memory(ticker);
    const held = this.ports.position(ticker);
    const orders = this.ports.openOrders(ticker);
    const portfolio: PortfolioInput = {
      position: held.position,
      cash,
      costBasis: held.costBasis,
      equity: this.ports.equity(),
    };
    // onBookUpdate has pushed this update already (the runner calls it on every trigger).
    const obs = buildObservation({ book, history: m.history, portfolio, orders });
    const view: ActionView = {
      ticker,
      bestYesBid: bookPrices.bid,
      yesAsk: bookPrices.ask,
      position: held.position,
      cash,
      openOrders: orders,
    };
    return { obs, view, mask: actionMask(view, this.settings.actions) };
  }

  /**
   * The first half of an evaluation: a hold that needs no model (not a target, no book, cash
   * unknown), or the question to put to it. Pure but for the hot choice (hot mode).
   */
  question(ticker: string, now: number): StrategyResult | PolicyQuestion {
    if (!this.isTarget(ticker, now)) return { action: 'hold', reason: 'actor:not_target' };
    const book = this.ports.book(ticker);
    if (!book) return { action: 'hold', reason: 'actor:no_book' };
    const cash = this.ports.cash();
    if (cash === undefined) return { action: 'hold', reason: 'actor:cash_unknown' };
    const { obs, view, mask } = this.observe(
      ticker,
      bookInputFromBook(book),
      { bid: book.bestYesBid(), ask: book.yesAsk() },
      cash,
    );
    return { ticker, now, obs, view, mask };
  }

  /** The second half: the decision on the model's answer, with its evidence. */
  decide(q: PolicyQuestion, answer: PolicyScores): StrategyResult {
    const { ticker, now, obs, view, mask } = q;
    const { scores, latencyUs } = answer;
    const action = chooseAction(scores, mask);
    const features: Record<string, number> = {};
    for (let i = 0; i < FEATURE_NAMES.length; i++) features[FEATURE_NAMES[i]!] = obs[i]!;
    const maskBits = maskString(mask.allowed);
    const output: number[] = [];
    for (let a = 0; a < ACTION_COUNT; a++) output.push(scores[a] ?? Number.NaN);
    const evidence = {
      features,
      model: {
        hash: this.model.sha256,
        output,
        featureVersion: FEATURE_VERSION,
        mask: maskBits,
        observedAt: now,
      },
      details: { action, action_name: ACTION_NAMES[action]!, latency_us: Math.round(latencyUs) },
    };
    this.onAction?.({
      at: now,
      ticker,
      action,
      name: ACTION_NAMES[action]!,
      mask: maskBits,
      latencyUs,
      modelHash: this.model.sha256,
    });
    const decided = actionToIntent(action, view, this.settings.actions);
    return decided.action === 'trade'
      ? { action: 'trade', intent: decided.intent, ...evidence }
      : { action: 'hold', reason: decided.reason, ...evidence };
  }

  /**
   * Synchronous when no model is needed or its scores are at hand (inferNow), else after infer. A
   * throw is answered as a rejection (the runner records it as a strategy_error hold), as before.
   */
  evaluate(market: MarketView): StrategyResult | Promise<StrategyResult> {
    try {
      const q = this.question(market.ticker, market.now);
      if ('action' in q) return q;
      const ready = this.model.inferNow?.(q.obs);
      if (ready !== undefined) return this.decide(q, ready);
      return this.model.infer(q.obs).then((answer) => this.decide(q, answer));
    } catch (err) {
      return Promise.reject(err);
    }
  }
}
