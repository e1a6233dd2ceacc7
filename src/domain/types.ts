/**
 * The trader's own vocabulary, in integer units (src/kalshi/units.ts): Price = 1/10,000 $,
 * Count = 1/100 contract (signed positions: + YES, − NO), Micros = 1e-6 $. Times are epoch ms.
 * Wire shapes become these types in src/kalshi/normalize.ts and nowhere else.
 */
import type { Count, Micros, Price } from './units.js';

/** The V2 order side on the YES leg: bid = buy YES, ask = sell YES (≡ buy NO at 1 − price). */
export type BookSide = 'bid' | 'ask';
export type TimeInForce = 'good_till_canceled' | 'immediate_or_cancel' | 'fill_or_kill';
export type ExchangeOrderStatus = 'resting' | 'canceled' | 'executed';

/** What a strategy asks for. The OrderService turns it into an order with a client_order_id. */
export interface OrderIntent {
  readonly ticker: string;
  readonly bookSide: BookSide;
  /** Limit on the YES leg. */
  readonly yesPrice: Price;
  readonly count: Count;
  readonly timeInForce: TimeInForce;
  readonly postOnly?: boolean;
  readonly reduceOnly?: boolean;
  /** Which strategy asked, and a short machine-readable reason (e.g. 'hardcoded:buy_yes'). */
  readonly strategy: string;
  readonly reason: string;
  /**
   * A conversion: the client order id of our resting order this one replaces (maker → taker). The
   * executor cancels that order first and sends at most its unfilled remainder.
   */
  readonly replaces?: string;
  /**
   * A post-only order's own maker timeout (the edge strategy's volume-weighted one): after resting
   * this long its remainder is converted to a taker (runtime/conversions.ts), overriding
   * --maker-to-taker-ms.
   */
  readonly makerTimeoutMs?: number;
}

/** The exchange's view of one of our orders (REST Order or WS user_order). */
export interface ExchangeOrder {
  readonly orderId: string;
  readonly clientOrderId: string;
  readonly ticker: string;
  readonly bookSide: BookSide;
  readonly yesPrice: Price;
  readonly status: ExchangeOrderStatus;
  readonly initialCount: Count;
  readonly fillCount: Count;
  readonly remainingCount: Count;
  readonly fees: Micros;
  readonly createdMs: number;
  readonly updatedMs: number;
}

/** One fill of ours (REST Fill or WS fill). `fillId` is Kalshi's trade_id: unique per fill. */
export interface ExchangeFill {
  readonly fillId: string;
  readonly orderId: string;
  /** WS fills carry it; REST fills no longer do (Mar 2026): join on orderId. */
  readonly clientOrderId?: string;
  readonly ticker: string;
  readonly bookSide: BookSide;
  /** Execution price on the YES leg. */
  readonly yesPrice: Price;
  readonly count: Count;
  readonly fee: Micros;
  readonly isTaker: boolean;
  readonly createdMs: number;
  /** Net position after the fill, when the exchange reports it (WS). */
  readonly postPosition?: Count;
}

/** The exchange's view of a position (REST MarketPosition or WS market_position). */
export interface ExchangePosition {
  readonly ticker: string;
  readonly position: Count;
  readonly realizedPnl: Micros;
  readonly feesPaid: Micros;
  /** Cost basis of the open position, when reported. */
  readonly exposure: Micros;
  /**
   * When the exchange last changed it (REST `last_updated_ts`), if reported: the fills it reflects
   * are those created at or before this moment (the exchange's clock, like a fill's createdMs).
   */
  readonly updatedMs?: number;
}

export interface ExchangeBalance {
  readonly cash: Micros;
  readonly portfolioValue: Micros;
}

export interface ExchangeStatusView {
  readonly exchangeActive: boolean;
  readonly tradingActive: boolean;
}

/**
 * Where a watched market is in its trading window (MarketSchedule): only 'open' may be traded.
 * 'paused' is a market the exchange deactivated; 'closed' is past its close time.
 */
export type MarketPhase = 'upcoming' | 'open' | 'paused' | 'closed' | 'determined' | 'settled';

/** Why the RiskController refused an intent. */
export type RiskRefusalCode =
  | 'RISK_MAX_ORDER_SIZE'
  | 'RISK_MAX_POSITION'
  | 'RISK_MAX_OPEN_ORDERS'
  | 'RISK_MAX_EXPOSURE'
  | 'RISK_BREAKER_OPEN'
  | 'RISK_BOOK_NOT_LIVE'
  | 'RISK_MARKET_NOT_OPEN'
  | 'RISK_EXCHANGE_PAUSED'
  | 'RISK_INSUFFICIENT_BALANCE'
  // The trading state (NautilusTrader's): HALTED lets no order through, REDUCING only reductions.
  | 'RISK_HALTED'
  | 'RISK_REDUCE_ONLY'
  // The portfolio limits (seed 002 §4.2, §5; src/edge/portfolio-limits.ts).
  | 'RISK_PORTFOLIO_MAX_POSITIONS'
  | 'RISK_PORTFOLIO_RESERVE'
  | 'RISK_PORTFOLIO_POSITION'
  | 'RISK_PORTFOLIO_CITY'
  | 'RISK_PORTFOLIO_REGION'
  | 'RISK_PORTFOLIO_TOTAL';

export type RiskVerdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly code: RiskRefusalCode; readonly detail: string };

/** What a model said, for the record: which model, what it saw, what it answered. */
export interface ModelEvidence {
  /** sha256 of the model file. */
  readonly hash: string;
  /** The model's raw outputs (e.g. the policy's 21 action scores, the classifier's probability). */
  readonly output: readonly number[];
  /** The observation's feature version (the spec the inputs follow). */
  readonly featureVersion?: string;
  /** Actions masked before the choice, as a bit string or list (policy). */
  readonly mask?: string;
  /** When the observation the model saw was taken (epoch ms; a trade's decision is published later). */
  readonly observedAt?: number;
}

/**
 * Why a strategy decided what it did, carried with its intent through the machine to the record:
 * the features it looked at, the model's evidence, and strategy-specific fields (the edge trader's
 * forecast- and market-implied temperatures, …) under their own names.
 */
export interface DecisionEvidence {
  readonly features?: Readonly<Record<string, number>>;
  readonly model?: ModelEvidence;
  readonly details?: Readonly<Record<string, unknown>>;
}

/** One strategy evaluation, traded or not. */
export interface Decision extends DecisionEvidence {
  readonly at: number;
  readonly ticker: string;
  readonly strategy: string;
  readonly action: 'trade' | 'hold';
  readonly reason: string;
  readonly intent?: OrderIntent;
  readonly verdict?: RiskVerdict;
  readonly clientOrderId?: string;
}

/**
 * Our lifecycle of an order (OrderService). One pure transition table moves it
 * (src/services/order-lifecycle.ts); illegal moves are errors.
 *   created    recorded with its client_order_id, not yet sent (write-ahead)
 *   denied     refused locally (risk), never sent                      — terminal
 *   submitting the request is in flight
 *   unknown    timeout / 5xx / disconnect: it may or may not exist; stays in flight until a
 *              user_order or fill message or a REST lookup resolves it; never re-sent
 *   rejected   the exchange's answer proves it was not accepted          — terminal
 *   resting    accepted and on the book (possibly partially filled)
 *   canceling  a cancel was requested
 *   canceled   canceled (partial fills stand)                            — terminal
 *   executed   fully filled                                              — terminal
 */
export type OrderLifecycleStatus =
  | 'created'
  | 'denied'
  | 'submitting'
  | 'unknown'
  | 'rejected'
  | 'resting'
  | 'canceling'
  | 'canceled'
  | 'executed';

/**
 * A rejection that says nothing is wrong with our orders or the order path: the exchange throttled
 * us (429), or a post-only order would have crossed. The breaker does not count these as errors.
 */
export type OrderRefusal = 'rate_limited' | 'post_only_cross';

export interface TrackedOrder {
  readonly clientOrderId: string;
  readonly orderId?: string;
  readonly intent: OrderIntent;
  readonly status: OrderLifecycleStatus;
  readonly fillCount: Count;
  /** Sum of count × YES price of our fills. */
  readonly fillNotional: Micros;
  readonly fees: Micros;
  readonly createdMs: number;
  readonly updatedMs: number;
  /** Why it was denied / rejected / left unknown, in words. */
  readonly reason?: string;
  /** Set on a rejection that is not an order error (see OrderRefusal). */
  readonly refusal?: OrderRefusal;
  readonly history: ReadonlyArray<{
    readonly status: OrderLifecycleStatus;
    readonly at: number;
    readonly why?: string;
  }>;
}

export interface PositionView {
  readonly ticker: string;
  readonly position: Count;
  /** Cost basis of the open position (what was paid for the contracts held). */
  readonly costBasis: Micros;
  readonly realizedPnl: Micros;
  readonly feesPaid: Micros;
  /** Marked to the book's mid (or last known price); undefined when no mark exists. */
  readonly unrealizedPnl?: Micros;
}
