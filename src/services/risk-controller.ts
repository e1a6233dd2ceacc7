/**
 * RiskController: the pre-trade checks (a pure function of the intent, a state snapshot and the
 * limits) and the breakers that halt trading until an operator resets them.
 *
 * Checks, in this order (the first failing one is the verdict):
 *   RISK_BREAKER_OPEN          a breaker is open (consecutive order errors, daily loss, manual trip)
 *   RISK_EXCHANGE_PAUSED       the exchange reports trading inactive
 *   RISK_MARKET_NOT_OPEN       the intent market is not open (upcoming, paused, past its close,
 *                              determined or settled — MarketSchedule); unknown markets pass here
 *   RISK_BOOK_NOT_LIVE         the intent market's local book is not 'live' (or there is none)
 *   RISK_MAX_ORDER_SIZE        count > maxContractsPerOrder
 *   RISK_MAX_POSITION          |position + same-direction open orders in the market + this order| >
 *                              maxPositionPerMarket; an order that reduces |position| always passes
 *   RISK_MAX_OPEN_ORDERS       open orders + 1 > maxOpenOrders
 *   RISK_MAX_EXPOSURE          Σ cost basis of positions + worst-case cost of open orders + this
 *                              order's opening cost > maxExposure (an order that opens nothing passes)
 *   RISK_INSUFFICIENT_BALANCE  this order's opening cost + fee allowance > available cash (when known)
 *
 * Costs are on the leg bought: a bid costs count × yesPrice, an ask count × (1 − yesPrice). The part
 * of an order that closes a held position costs nothing (it releases cash), so "opening cost"
 * counts only the contracts beyond |position| on the other leg. Open orders are counted at their
 * full remaining worst case. The fee allowance is the taker fee formula
 * ceil_to_cent(rate × C × P × (1 − P)) with rate = feeAllowanceBps / 10,000 (Kalshi: 0.07).
 *
 * Breakers: N consecutive order errors ('rejected' or 'unknown', each order counted once; a
 * rejection with a `refusal` — 429 throttling, a post-only cross — is not an error; a 'resting' or
 * 'executed' order resets the count) trip 'consecutive_order_errors'; `checkMoney`
 * trips 'daily_loss' when the day's net P&L < −maxDailyLoss and 'drawdown' when equity falls more
 * than maxDrawdownBps below its peak (MoneyWatch gives both); `trip` trips anything else. Only
 * `resetBreaker(by)` (an operator command) closes the breaker — DESIGN.md §6 rule 4.
 */
import type { BookStatus, EventBus } from '../bus.js';
import type {
  BookSide,
  MarketPhase,
  OrderIntent,
  OrderLifecycleStatus,
  RiskVerdict,
  TrackedOrder,
} from '../domain/index.js';
import {
  type Count,
  complement,
  contracts,
  MAX_LIMIT_PRICE,
  MICROS_PER_CENT,
  MICROS_PER_DOLLAR,
  MIN_LIMIT_PRICE,
  type Micros,
  type Price,
} from '../domain/index.js';
import { formatCount, formatDollars, formatPrice } from '../kalshi/index.js';
import type { MoneyView } from './money-watch.js';

export interface RiskLimits {
  /** Count units (1/100 contract). */
  readonly maxContractsPerOrder: Count;
  /** Count units; applies to |position| in one market. */
  readonly maxPositionPerMarket: Count;
  readonly maxOpenOrders: number;
  readonly maxExposure: Micros;
  /** Consecutive order errors that trip the breaker. */
  readonly maxConsecutiveOrderErrors: number;
  /** Net P&L below −maxDailyLoss trips the 'daily_loss' breaker; undefined = no limit. */
  readonly maxDailyLoss?: Micros;
  /** Equity more than this many basis points below its peak trips 'drawdown'; undefined = no limit. */
  readonly maxDrawdownBps?: number;
  /** Fee allowance rate for the balance check, in basis points of C × P × (1 − P) (700 = 0.07). */
  readonly feeAllowanceBps: number;
}

export const DEFAULT_RISK_LIMITS: RiskLimits = Object.freeze({
  maxContractsPerOrder: contracts(100),
  maxPositionPerMarket: contracts(500),
  maxOpenOrders: 20,
  maxExposure: 500 * MICROS_PER_DOLLAR,
  maxConsecutiveOrderErrors: 5,
  feeAllowanceBps: 700,
});

/** Defaults overridden by `overrides`; throws RangeError naming a limit that is not a sane integer. */
export function resolveRiskLimits(overrides: Partial<RiskLimits> = {}): RiskLimits {
  const limits: RiskLimits = { ...DEFAULT_RISK_LIMITS, ...overrides };
  const positive: Array<keyof RiskLimits> = [
    'maxContractsPerOrder',
    'maxPositionPerMarket',
    'maxOpenOrders',
    'maxConsecutiveOrderErrors',
  ];
  for (const key of positive) {
    const v = limits[key];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) {
      throw new RangeError(`risk limit ${key} must be a positive integer, got ${String(v)}`);
    }
  }
  for (const key of ['maxExposure', 'feeAllowanceBps', 'maxDailyLoss', 'maxDrawdownBps'] as const) {
    const v = limits[key];
    if (v === undefined && (key === 'maxDailyLoss' || key === 'maxDrawdownBps')) continue;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
      throw new RangeError(`risk limit ${key} must be a non-negative integer, got ${String(v)}`);
    }
  }
  return limits;
}

/** An order that may still fill, reduced to what risk needs. */
export interface RiskOpenOrder {
  readonly ticker: string;
  readonly bookSide: BookSide;
  readonly yesPrice: Price;
  /** What may still fill. */
  readonly remaining: Count;
}

export interface RiskPosition {
  readonly ticker: string;
  readonly position: Count;
  readonly costBasis: Micros;
}

export interface BreakerState {
  readonly open: boolean;
  readonly reason?: string;
  readonly detail?: string;
  readonly trippedAt?: number;
  readonly consecutiveErrors: number;
}

/** A snapshot of everything the checks read. */
export interface RiskState {
  readonly breaker: Pick<BreakerState, 'open' | 'reason' | 'detail'>;
  /** False when the exchange reports trading paused (or unknown). */
  readonly tradingActive: boolean;
  /** Status of the intent market's local book; undefined when we hold no book for it. */
  readonly bookStatus: BookStatus | undefined;
  /** Where the intent market is in its trading window; undefined when not known. */
  readonly marketPhase?: MarketPhase;
  readonly positions: readonly RiskPosition[];
  readonly openOrders: readonly RiskOpenOrder[];
  /** Cash available for new orders; undefined when the balance is not known. */
  readonly availableCash?: Micros;
}

/** Lifecycle statuses in which an order may still fill. */
export const OPEN_ORDER_STATUSES: ReadonlySet<OrderLifecycleStatus> = new Set<OrderLifecycleStatus>([
  'created',
  'submitting',
  'unknown',
  'resting',
  'canceling',
]);

export function isOpenOrder(order: TrackedOrder): boolean {
  return OPEN_ORDER_STATUSES.has(order.status);
}

export function riskOpenOrder(order: TrackedOrder): RiskOpenOrder {
  return {
    ticker: order.intent.ticker,
    bookSide: order.intent.bookSide,
    yesPrice: order.intent.yesPrice,
    remaining: Math.max(0, order.intent.count - order.fillCount),
  };
}

/** Price of the leg an order buys: YES for a bid, NO (1 − p) for an ask. */
export function legPrice(bookSide: BookSide, yesPrice: Price): Price {
  return bookSide === 'bid' ? yesPrice : complement(yesPrice);
}

/** Worst-case cost of `count` on the leg bought. */
export function orderCost(bookSide: BookSide, yesPrice: Price, count: Count): Micros {
  return count * legPrice(bookSide, yesPrice);
}

/** ceil_to_cent(bps/10,000 × C × P × (1 − P)) in micros, in BigInt (products exceed 2^53). */
export function feeAllowance(count: Count, yesPrice: Price, bps: number): Micros {
  // micros = bps × count × p × (10,000 − p) / 10^8   (count in 1/100, p in 1/10,000)
  const exact = BigInt(bps) * BigInt(count) * BigInt(yesPrice) * BigInt(complement(yesPrice));
  const perCent = 100_000_000n * BigInt(MICROS_PER_CENT);
  return Number((exact + perCent - 1n) / perCent) * MICROS_PER_CENT;
}

/** "$1.2300", "-$0.050000": signed dollars for details. */
function money(m: Micros): string {
  return `${m < 0 ? '-' : ''}$${formatDollars(Math.abs(m))}`;
}

function refuse(code: Exclude<RiskVerdict, { ok: true }>['code'], detail: string): RiskVerdict {
  return { ok: false, code, detail };
}

const OK: RiskVerdict = Object.freeze({ ok: true });

/** The pre-trade verdict (pure). Throws RangeError on a malformed intent (a programmer error). */
export function evaluateRisk(intent: OrderIntent, state: RiskState, limits: RiskLimits): RiskVerdict {
  if (!Number.isSafeInteger(intent.count) || intent.count <= 0) {
    throw new RangeError(`intent for ${intent.ticker}: count must be a positive whole number of units`);
  }
  if (
    !Number.isInteger(intent.yesPrice) ||
    intent.yesPrice < MIN_LIMIT_PRICE ||
    intent.yesPrice > MAX_LIMIT_PRICE
  ) {
    throw new RangeError(`intent for ${intent.ticker}: price must be inside (0, 1), got ${intent.yesPrice}`);
  }
  const { ticker } = intent;

  if (state.breaker.open) {
    return refuse(
      'RISK_BREAKER_OPEN',
      `breaker open (${state.breaker.reason ?? 'unknown'}${state.breaker.detail ? `: ${state.breaker.detail}` : ''}); an operator must reset it`,
    );
  }
  if (!state.tradingActive) return refuse('RISK_EXCHANGE_PAUSED', 'the exchange reports trading paused');
  if (state.marketPhase !== undefined && state.marketPhase !== 'open') {
    return refuse('RISK_MARKET_NOT_OPEN', `${ticker} is ${state.marketPhase}, not open for trading`);
  }
  if (state.bookStatus !== 'live') {
    return refuse('RISK_BOOK_NOT_LIVE', `book for ${ticker} is ${state.bookStatus ?? 'missing'}, not live`);
  }
  if (intent.count > limits.maxContractsPerOrder) {
    return refuse(
      'RISK_MAX_ORDER_SIZE',
      `order count ${formatCount(intent.count)} exceeds max ${formatCount(limits.maxContractsPerOrder)} per order`,
    );
  }

  const direction = intent.bookSide === 'bid' ? 1 : -1;
  const position = state.positions.find((p) => p.ticker === ticker)?.position ?? 0;
  const after = position + direction * intent.count;
  const reduces = position !== 0 && Math.abs(after) < Math.abs(position);
  if (!reduces) {
    const pendingSameDirection = state.openOrders
      .filter((o) => o.ticker === ticker && o.bookSide === intent.bookSide)
      .reduce((sum, o) => sum + o.remaining, 0);
    const projected = after + direction * pendingSameDirection;
    if (Math.abs(projected) > limits.maxPositionPerMarket) {
      return refuse(
        'RISK_MAX_POSITION',
        `${ticker}: position ${formatCount(position)} + open ${intent.bookSide}s ${formatCount(pendingSameDirection)}` +
          ` + this ${intent.bookSide} ${formatCount(intent.count)} → ${formatCount(projected)},` +
          ` beyond max ${formatCount(limits.maxPositionPerMarket)} per market`,
      );
    }
  }

  if (state.openOrders.length + 1 > limits.maxOpenOrders) {
    return refuse(
      'RISK_MAX_OPEN_ORDERS',
      `${state.openOrders.length} open orders; max ${limits.maxOpenOrders} would be exceeded`,
    );
  }

  // Only the contracts beyond the held opposite leg open new exposure.
  const closable = position !== 0 && Math.sign(position) !== direction ? Math.abs(position) : 0;
  const openingCount = Math.max(0, intent.count - closable);
  const cost = orderCost(intent.bookSide, intent.yesPrice, openingCount);
  const positionsCost = state.positions.reduce((sum, p) => sum + p.costBasis, 0);
  const openOrdersCost = state.openOrders.reduce(
    (sum, o) => sum + orderCost(o.bookSide, o.yesPrice, o.remaining),
    0,
  );
  const exposure = positionsCost + openOrdersCost + cost;
  // An order that only closes cannot add exposure: it passes even when exposure is already over.
  if (openingCount > 0 && exposure > limits.maxExposure) {
    return refuse(
      'RISK_MAX_EXPOSURE',
      `exposure ${money(exposure)} (positions ${money(positionsCost)} + open orders ${money(openOrdersCost)}` +
        ` + this order ${money(cost)}) exceeds max ${money(limits.maxExposure)}`,
    );
  }

  if (state.availableCash !== undefined && openingCount > 0) {
    const fee = feeAllowance(openingCount, intent.yesPrice, limits.feeAllowanceBps);
    if (cost + fee > state.availableCash) {
      return refuse(
        'RISK_INSUFFICIENT_BALANCE',
        `order cost ${money(cost)} + fee allowance ${money(fee)} exceeds available cash ${money(state.availableCash)}` +
          ` (${formatCount(openingCount)} at ${formatPrice(legPrice(intent.bookSide, intent.yesPrice))})`,
      );
    }
  }
  return OK;
}

/** Statuses that count as an order error for the consecutive-errors breaker. */
const ERROR_STATUSES: ReadonlySet<OrderLifecycleStatus> = new Set<OrderLifecycleStatus>([
  'rejected',
  'unknown',
]);
/** Statuses that prove the order path works and reset the count. */
const SUCCESS_STATUSES: ReadonlySet<OrderLifecycleStatus> = new Set<OrderLifecycleStatus>([
  'resting',
  'executed',
]);

export interface RiskProviders {
  readonly positions: () => readonly RiskPosition[];
  /** Our orders; the ones not in an open status are ignored. */
  readonly orders: () => readonly TrackedOrder[];
  readonly bookStatus: (ticker: string) => BookStatus | undefined;
  readonly tradingActive: () => boolean;
  /** The market's trading-window phase (MarketSchedule); no provider skips the check. */
  readonly marketPhase?: (ticker: string) => MarketPhase | undefined;
  /** Available cash; undefined (or no provider) skips the balance check. */
  readonly balance?: () => Micros | undefined;
  /** The day's net P&L and the drawdown (MoneyWatch), checked by the money breakers on every `check`. */
  readonly pnl?: () => MoneyView;
}

export interface RiskControllerOptions extends RiskProviders {
  readonly bus: EventBus;
  readonly clock: () => number;
  readonly limits?: Partial<RiskLimits>;
}

export class RiskController {
  readonly limits: RiskLimits;
  readonly #bus: EventBus;
  readonly #clock: () => number;
  readonly #providers: RiskProviders;
  #breaker: BreakerState = { open: false, consecutiveErrors: 0 };
  /** Last status seen per clientOrderId, and the orders already counted as an error. */
  readonly #lastStatus = new Map<string, OrderLifecycleStatus>();
  readonly #counted = new Set<string>();
  readonly #onOrder = (order: TrackedOrder): void => {
    this.#observeOrder(order);
  };

  constructor(options: RiskControllerOptions) {
    this.#bus = options.bus;
    this.#clock = options.clock;
    this.limits = resolveRiskLimits(options.limits);
    this.#providers = options;
    this.#bus.on('order.changed', this.#onOrder);
  }

  dispose(): void {
    this.#bus.off('order.changed', this.#onOrder);
  }

  /** The verdict for an intent against the current state (checks the money breaker first). */
  check(intent: OrderIntent): RiskVerdict {
    const pnl = this.#providers.pnl?.();
    if (pnl) this.checkMoney(pnl);
    return evaluateRisk(intent, this.snapshot(intent.ticker), this.limits);
  }

  /** The state evaluateRisk sees for an intent in `ticker`. */
  snapshot(ticker: string): RiskState {
    const p = this.#providers;
    const cash = p.balance?.();
    const phase = p.marketPhase?.(ticker);
    return {
      breaker: this.#breaker,
      tradingActive: p.tradingActive(),
      bookStatus: p.bookStatus(ticker),
      positions: p.positions(),
      openOrders: p.orders().filter(isOpenOrder).map(riskOpenOrder),
      ...(cash === undefined ? {} : { availableCash: cash }),
      ...(phase === undefined ? {} : { marketPhase: phase }),
    };
  }

  breaker(): BreakerState {
    return this.#breaker;
  }

  /**
   * The money breakers: trips 'daily_loss' when the day's net P&L < −maxDailyLoss, 'drawdown' when
   * equity is more than maxDrawdownBps below its peak. Returns whether it tripped now.
   */
  checkMoney(view: MoneyView): boolean {
    const lossLimit = this.limits.maxDailyLoss;
    if (lossLimit !== undefined && view.net < -lossLimit) {
      return this.trip(
        'daily_loss',
        `net P&L ${money(view.net)} is below the daily loss limit -${money(lossLimit)}`,
      );
    }
    const ddLimit = this.limits.maxDrawdownBps;
    if (ddLimit !== undefined && view.drawdownBps !== undefined && view.drawdownBps > ddLimit) {
      const pct = (bps: number) => `${(bps / 100).toFixed(2)}%`;
      return this.trip(
        'drawdown',
        `equity ${money(view.equity ?? 0)} is ${pct(view.drawdownBps)} below its peak ${money(view.peakEquity ?? 0)}` +
          ` (limit ${pct(ddLimit)})`,
      );
    }
    return false;
  }

  /**
   * Opens the breaker (no-op while it is already open: the first reason stands).
   * Emits 'risk.breakerTripped'. Returns whether it tripped now.
   */
  trip(reason: string, detail: string): boolean {
    if (this.#breaker.open) return false;
    const at = this.#clock();
    this.#breaker = { ...this.#breaker, open: true, reason, detail, trippedAt: at };
    this.#bus.emit('risk.breakerTripped', { reason, detail, at });
    return true;
  }

  /** The operator's reset: the only way to close the breaker. Returns whether it was open. */
  resetBreaker(by: string): boolean {
    const wasOpen = this.#breaker.open;
    this.#breaker = { open: false, consecutiveErrors: 0 };
    if (wasOpen) this.#bus.emit('risk.breakerReset', { by, at: this.#clock() });
    return wasOpen;
  }

  #observeOrder(order: TrackedOrder): void {
    const previous = this.#lastStatus.get(order.clientOrderId);
    this.#lastStatus.set(order.clientOrderId, order.status);
    if (previous === order.status) return;
    // Throttling and post-only crosses say nothing is wrong with the order path: not errors.
    if (ERROR_STATUSES.has(order.status) && order.refusal === undefined) {
      if (this.#counted.has(order.clientOrderId)) return;
      this.#counted.add(order.clientOrderId);
      const consecutiveErrors = this.#breaker.consecutiveErrors + 1;
      this.#breaker = { ...this.#breaker, consecutiveErrors };
      if (consecutiveErrors >= this.limits.maxConsecutiveOrderErrors) {
        this.trip(
          'consecutive_order_errors',
          `${consecutiveErrors} consecutive order errors (limit ${this.limits.maxConsecutiveOrderErrors});` +
            ` last: ${order.clientOrderId} ${order.intent.ticker} ${order.status}${order.reason ? ` (${order.reason})` : ''}`,
        );
      }
    } else if (SUCCESS_STATUSES.has(order.status)) {
      this.#breaker = { ...this.#breaker, consecutiveErrors: 0 };
    }
  }
}
