import type { Count, Micros, Price } from '../domain/index.js';
/**
 * The contract between the simulator's exchange core (state: markets, books, accounts, orders,
 * fills, settlement — src/exchange-sim/exchange.ts over the pure src/exchange-sim/matching.ts)
 * and its transports (REST + WebSocket in src/exchange-sim/server.ts).
 *
 * Units: Price = 1/10,000 $, Count = 1/100 contract, Micros = 1/1,000,000 $ (src/kalshi/units.ts).
 * Times are epoch milliseconds from the injected clock.
 *
 * Book model: two bid ladders per market. The YES ladder holds YES bids at their YES price; the
 * NO ladder holds NO bids at their NO price. An order's `bookSide` says which ladder it rests on:
 *   bid ⇔ YES ladder at yesPrice            (buy YES @ p, or sell NO @ q with p = 1 − q)
 *   ask ⇔ NO ladder at noPrice = 1 − yesPrice (buy NO @ q, or sell YES @ p with q = 1 − p)
 */

export type Ladder = 'yes' | 'no';
export type OutcomeSide = 'yes' | 'no';
export type BookSide = 'bid' | 'ask';
export type Action = 'buy' | 'sell';
export type TimeInForce = 'good_till_canceled' | 'immediate_or_cancel' | 'fill_or_kill';
export type SelfTradePrevention = 'taker_at_cross' | 'maker';
export type OrderStatus = 'resting' | 'canceled' | 'executed';
export type FeeType = 'quadratic' | 'quadratic_with_maker_fees' | 'flat';
export type MarketStatus = 'initialized' | 'active' | 'inactive' | 'closed' | 'determined' | 'finalized';
export type MarketResult = 'yes' | 'no' | 'void';
export type PriceLevelStructure = 'linear_cent' | 'deci_cent';

export interface SeriesDef {
  ticker: string;
  title: string;
  category: string;
  frequency: string;
  feeType: FeeType;
  /** Fee multiplier in 1/10,000 (10,000 = 1×). */
  feeMultiplier: number;
}

export interface EventDef {
  eventTicker: string;
  seriesTicker: string;
  title: string;
  subTitle: string;
  mutuallyExclusive: boolean;
}

export interface MarketDef {
  ticker: string;
  eventTicker: string;
  title: string;
  yesSubTitle: string;
  noSubTitle: string;
  strikeType: 'between' | 'greater' | 'less' | 'custom';
  floorStrike?: number;
  capStrike?: number;
  openMs: number;
  closeMs: number;
  expectedExpirationMs: number;
  priceLevelStructure: PriceLevelStructure;
  fractionalTradingEnabled: boolean;
  status: MarketStatus;
}

export interface SimMarket extends MarketDef {
  createdMs: number;
  updatedMs: number;
  result: MarketResult | '';
  settlementValue?: Price;
  settledMs?: number;
  lastPrice: Price;
  previousPrice: Price;
  volume: Count;
  volume24h: Count;
  openInterest: Count;
}

/** A request to place an order, after the transport has validated and converted the wire form. */
export interface OrderIntent {
  accountId: string;
  ticker: string;
  clientOrderId: string;
  /** The user's words (legacy v1 API); V2 bid ⇒ buy yes, ask ⇒ sell yes. Kept for rendering. */
  action: Action;
  side: OutcomeSide;
  bookSide: BookSide;
  /** The order's limit as a YES-leg price; the NO-leg price is its complement. */
  yesPrice: Price;
  count: Count;
  timeInForce: TimeInForce;
  postOnly: boolean;
  reduceOnly: boolean;
  selfTradePrevention: SelfTradePrevention;
  /** Good-till-time: the order is canceled at this time. */
  expirationMs?: number;
  cancelOnPause: boolean;
  /** Fill-or-kill cost cap (legacy buy_max_cost). */
  buyMaxCost?: Micros;
  subaccount: number;
  /** The order group the order joins (ORDER GROUPS in exchange.ts). */
  orderGroupId?: string;
}

export interface SimOrder {
  orderId: string;
  accountId: string;
  clientOrderId: string;
  ticker: string;
  action: Action;
  side: OutcomeSide;
  bookSide: BookSide;
  yesPrice: Price;
  status: OrderStatus;
  initialCount: Count;
  fillCount: Count;
  remainingCount: Count;
  takerFillCost: Micros;
  makerFillCost: Micros;
  takerFees: Micros;
  makerFees: Micros;
  timeInForce: TimeInForce;
  postOnly: boolean;
  reduceOnly: boolean;
  selfTradePrevention: SelfTradePrevention;
  expirationMs?: number;
  cancelOnPause: boolean;
  subaccount: number;
  createdMs: number;
  lastUpdateMs: number;
  /** Why the order last changed, e.g. 'filled', 'canceled', 'expired', 'self_trade_prevention'. */
  lastUpdateReason?: string;
  /** Monotonic arrival number: time priority within a price level. */
  arrival: number;
  orderGroupId?: string;
}

/** One side's view of one execution. Every trade makes two fills (taker and maker). */
export interface SimFill {
  fillId: string;
  tradeId: string;
  accountId: string;
  orderId: string;
  clientOrderId: string;
  ticker: string;
  isTaker: boolean;
  action: Action;
  side: OutcomeSide;
  bookSide: BookSide;
  /** Execution price on the YES leg (the resting order's price). */
  yesPrice: Price;
  count: Count;
  fee: Micros;
  /** The account's signed position in this market after the fill. */
  postPosition: Count;
  createdMs: number;
  subaccount: number;
}

export interface SimTrade {
  tradeId: string;
  ticker: string;
  yesPrice: Price;
  count: Count;
  takerOutcomeSide: OutcomeSide;
  takerBookSide: BookSide;
  createdMs: number;
  /** An off-book trade (core.blockTrade); not on the public trade channel. */
  blockTrade?: boolean;
}

export interface SimPosition {
  ticker: string;
  /** Signed: + YES contracts, − NO contracts. */
  position: Count;
  /** Total cost basis of the open position. */
  positionCost: Micros;
  totalTraded: Micros;
  marketExposure: Micros;
  realizedPnl: Micros;
  feesPaid: Micros;
  volume: Count;
  lastUpdatedMs: number;
}

export interface SimBalance {
  /** Cash (the API's `balance`). */
  cash: Micros;
  /** Collateral held for resting orders; available = cash − reserved. */
  reserved: Micros;
  /** Mark-to-market value of open positions. */
  portfolioValue: Micros;
  updatedMs: number;
}

export interface SimSettlement {
  ticker: string;
  eventTicker: string;
  result: MarketResult;
  yesCount: Count;
  yesTotalCost: Micros;
  noCount: Count;
  noTotalCost: Micros;
  revenue: Micros;
  fee: Micros;
  settledMs: number;
  /** Payout of one YES contract. */
  value: Price;
}

/** An order group (ORDER GROUPS in exchange.ts). */
export interface SimOrderGroup {
  id: string;
  accountId: string;
  subaccount: number;
  /** Contracts that may match over the rolling window. */
  limit: Count;
  /** Triggered (by the limit or by hand): its orders were canceled and it takes none until reset. */
  triggered: boolean;
  /** Contracts matched by its orders within the rolling window, as of now. */
  matchedInWindow: Count;
  /** Every order ever placed in the group, oldest first. */
  orderIds: string[];
  createdMs: number;
}

export type OrderGroupEventType = 'created' | 'triggered' | 'reset' | 'deleted' | 'limit_updated';

/** Aggregated levels of one market, each ladder at its own price, ascending by price. */
export interface BookLevels {
  yes: Array<[Price, Count]>;
  no: Array<[Price, Count]>;
}

/** An error the exchange answers with; the transport renders it as Kalshi's error body. */
export interface SimError {
  status: number;
  code: string;
  message: string;
  details?: string;
}

export type CoreResult<T> = { ok: true; value: T } | { ok: false; error: SimError };

/** What happened inside the core, in order; the WebSocket transport turns these into messages. */
export type CoreEvent =
  | {
      type: 'book_delta';
      ticker: string;
      ladder: Ladder;
      /** The ladder's own price (NO ladder: NO price). */
      price: Price;
      delta: Count;
      /** Set when an account's own order caused the change. */
      accountId?: string;
      clientOrderId?: string;
      ts: number;
    }
  | { type: 'trade'; trade: SimTrade }
  | { type: 'fill'; fill: SimFill }
  | { type: 'order'; order: SimOrder }
  | { type: 'position'; accountId: string; position: SimPosition }
  | { type: 'balance'; accountId: string }
  | {
      type: 'lifecycle';
      ticker: string;
      eventType: 'created' | 'activated' | 'deactivated' | 'close_date_updated' | 'determined' | 'settled';
      market: SimMarket;
      ts: number;
    }
  | { type: 'exchange_status'; tradingActive: boolean; ts: number }
  | { type: 'order_group'; eventType: OrderGroupEventType; group: SimOrderGroup; ts: number };

export interface DecreaseRequest {
  reduceBy?: Count;
  reduceTo?: Count;
}

export interface AmendRequest {
  yesPrice: Price;
  /** New maximum fillable count: already filled + desired remaining. */
  count: Count;
  updatedClientOrderId?: string;
}

export interface BlockTradeRequest {
  ticker: string;
  /** Buys YES at yesPrice. */
  buyerId: string;
  /** Sells YES at yesPrice (buys NO at its complement). */
  sellerId: string;
  yesPrice: Price;
  count: Count;
}

export interface OrderFilter {
  ticker?: string;
  eventTicker?: string;
  status?: OrderStatus;
  minTs?: number;
  maxTs?: number;
}

/** The exchange core: synchronous, deterministic given its clock and id source. */
export interface ExchangeCore {
  /** Subscribe to core events; returns an unsubscribe function. */
  onEvent(listener: (event: CoreEvent) => void): () => void;

  addSeries(series: SeriesDef): void;
  addEvent(event: EventDef): void;
  addMarket(market: MarketDef): void;
  setMarketStatus(ticker: string, status: MarketStatus): CoreResult<SimMarket>;
  /** Determines and settles a market: pays $1 per winning contract (void returns cost). */
  settle(ticker: string, result: MarketResult): CoreResult<SimSettlement[]>;
  setTradingActive(active: boolean): void;
  readonly tradingActive: boolean;

  openAccount(accountId: string, cash: Micros): void;
  hasAccount(accountId: string): boolean;

  place(intent: OrderIntent): CoreResult<{ order: SimOrder; fills: SimFill[] }>;
  cancel(accountId: string, orderId: string): CoreResult<{ order: SimOrder; reducedBy: Count }>;
  cancelAll(accountId: string, filter?: { ticker?: string }): SimOrder[];
  decrease(accountId: string, orderId: string, req: DecreaseRequest): CoreResult<SimOrder>;
  amend(
    accountId: string,
    orderId: string,
    req: AmendRequest,
  ): CoreResult<{ old: SimOrder; order: SimOrder; fills: SimFill[] }>;
  /** Cancels resting orders whose expiration time has passed. */
  expire(nowMs: number): SimOrder[];
  /** An off-book trade between two accounts (admin: seeding); see BLOCK TRADES in exchange.ts. */
  blockTrade(req: BlockTradeRequest): CoreResult<{ buyer: SimOrder; seller: SimOrder; trade: SimTrade }>;

  createOrderGroup(accountId: string, req: { limit: Count; subaccount?: number }): CoreResult<SimOrderGroup>;
  /** The account's groups, oldest first; only one subaccount's when given. */
  orderGroups(accountId: string, subaccount?: number): SimOrderGroup[];
  orderGroup(accountId: string, groupId: string): CoreResult<SimOrderGroup>;
  /** Cancels the group's resting orders and removes it. */
  deleteOrderGroup(accountId: string, groupId: string): CoreResult<SimOrder[]>;
  /** Clears the rolling window and lets the group take orders again. */
  resetOrderGroup(accountId: string, groupId: string): CoreResult<SimOrderGroup>;
  /** Cancels the group's resting orders and blocks new ones until reset (a kill switch). */
  triggerOrderGroup(accountId: string, groupId: string): CoreResult<SimOrder[]>;
  /** A new limit; triggers the group at once when the window already holds that much. */
  setOrderGroupLimit(accountId: string, groupId: string, limit: Count): CoreResult<SimOrderGroup>;

  series(ticker: string): SeriesDef | undefined;
  allSeries(): SeriesDef[];
  event(eventTicker: string): EventDef | undefined;
  events(): EventDef[];
  market(ticker: string): SimMarket | undefined;
  markets(): SimMarket[];
  book(ticker: string): BookLevels;
  order(accountId: string, orderId: string): SimOrder | undefined;
  orders(accountId: string, filter?: OrderFilter): SimOrder[];
  fills(
    accountId: string,
    filter?: { ticker?: string; orderId?: string; minTs?: number; maxTs?: number },
  ): SimFill[];
  trades(filter?: { ticker?: string; minTs?: number; maxTs?: number }): SimTrade[];
  positions(accountId: string): SimPosition[];
  balance(accountId: string): SimBalance;
  settlements(accountId: string): SimSettlement[];
}
