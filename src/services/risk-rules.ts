/**
 * The RiskController's pre-trade rules: a pure function of the intent, the trading mode, a state
 * snapshot and the limits. risk-controller.ts wraps it with the providers, the bus and the breakers.
 *
 * Checks, in this order (the first failing one is the verdict):
 *   RISK_BREAKER_OPEN          a breaker is open (consecutive order errors, daily loss, manual trip)
 *   RISK_HALTED                the trading state is HALTED: no order passes (only cancels, which do
 *                              not come here)
 *   RISK_REDUCE_ONLY           the mode is REDUCING (the trader or this market: a doubtful book, a
 *                              position that disagrees with the exchange, an operator's reduce) and
 *                              the order does not reduce |position| in its market, or could flip it
 *                              (together with our resting orders on the same side)
 *   RISK_EXCHANGE_PAUSED       the exchange reports trading inactive
 *   RISK_MARKET_NOT_OPEN       the intent market is not open (upcoming, paused, past its close,
 *                              determined or settled — MarketSchedule); unknown markets pass here
 *   RISK_BOOK_NOT_LIVE         the intent market's local book is not 'live' (or there is none) and the
 *                              order does not reduce the position: exits still pass on a doubtful book
 *   RISK_MAX_ORDER_SIZE        count > maxContractsPerOrder
 *   RISK_MAX_POSITION          |position + same-direction open orders in the market + this order| >
 *                              maxPositionPerMarket; an order that reduces |position| always passes
 *   RISK_MAX_OPEN_ORDERS       open orders + 1 > maxOpenOrders
 *   RISK_MAX_EXPOSURE          Σ cost basis of positions + worst-case cost of open orders + this
 *                              order's opening cost > maxExposure (an order that opens nothing passes)
 *   RISK_INSUFFICIENT_BALANCE  this order's opening cost + fee allowance > available cash, where
 *                              available = cash − what our resting orders reserve (risk-cash.ts)
 *   RISK_PORTFOLIO_*           the portfolio limits (risk-portfolio.ts), when configured
 *
 * Costs are on the leg bought: a bid costs count × yesPrice, an ask count × (1 − yesPrice). The part
 * of an order that closes a held position costs nothing (it releases cash), so "opening cost"
 * counts only the contracts beyond |position| on the other leg. Open orders are counted at their
 * full remaining worst case. The fee allowance is the taker fee formula
 * ceil_to_cent(rate × C × P × (1 − P)) with rate = feeAllowanceBps / 10,000 (Kalshi: 0.07).
 */
import type { TradingState } from '../../machines/index.js';
import type { BookStatus } from '../bus.js';
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
import { checkPortfolioRisk, type PortfolioRiskState, type RiskPortfolioLimits } from './risk-portfolio.js';

/** What an intent may do: everything, only reduce its market's position, or nothing. */
export type RiskMode = TradingState;

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
  /** The portfolio limits (seed 002 §4.2, §5); undefined = not checked. */
  readonly portfolio?: RiskPortfolioLimits;
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
  /**
   * Cash available for new orders — the balance less what our resting orders reserve
   * (risk-cash.ts); undefined when the balance is not known.
   */
  readonly availableCash?: Micros;
  /** What the portfolio limits read (market metadata, capital); undefined skips them. */
  readonly portfolio?: PortfolioRiskState;
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
export function money(m: Micros): string {
  return `${m < 0 ? '-' : ''}$${formatDollars(Math.abs(m))}`;
}

function refuse(code: Exclude<RiskVerdict, { ok: true }>['code'], detail: string): RiskVerdict {
  return { ok: false, code, detail };
}

const OK: RiskVerdict = Object.freeze({ ok: true });

/** Whether the order reduces |position| in its market; `strict` also refuses a possible flip. */
function reducesPosition(
  position: Count,
  direction: 1 | -1,
  count: Count,
  sameSideResting: Count,
  strict: boolean,
): boolean {
  if (position === 0 || Math.sign(position) === direction) return false;
  // Strict (REDUCING): this order and our resting orders on its side together must not flip it.
  return strict ? count + sameSideResting <= Math.abs(position) : count < 2 * Math.abs(position);
}

/**
 * The pre-trade verdict (pure) in trading mode `mode`. Throws RangeError on a malformed intent
 * (a programmer error).
 */
export function evaluateRisk(
  intent: OrderIntent,
  state: RiskState,
  limits: RiskLimits,
  mode: RiskMode = 'ACTIVE',
): RiskVerdict {
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
  if (mode === 'HALTED') return refuse('RISK_HALTED', 'trading is HALTED: only cancels pass');

  const direction = intent.bookSide === 'bid' ? 1 : -1;
  const position = state.positions.find((p) => p.ticker === ticker)?.position ?? 0;
  const pendingSameDirection = state.openOrders
    .filter((o) => o.ticker === ticker && o.bookSide === intent.bookSide)
    .reduce((sum, o) => sum + o.remaining, 0);
  const reduces = reducesPosition(position, direction, intent.count, pendingSameDirection, false);
  if (
    mode === 'REDUCING' &&
    !reducesPosition(position, direction, intent.count, pendingSameDirection, true)
  ) {
    return refuse(
      'RISK_REDUCE_ONLY',
      `${ticker} is REDUCING: a ${intent.bookSide} of ${formatCount(intent.count)}` +
        (pendingSameDirection > 0 ? ` (+ ${formatCount(pendingSameDirection)} resting on that side)` : '') +
        ` does not reduce position ${formatCount(position)} without flipping it`,
    );
  }

  if (!state.tradingActive) return refuse('RISK_EXCHANGE_PAUSED', 'the exchange reports trading paused');
  if (state.marketPhase !== undefined && state.marketPhase !== 'open') {
    return refuse('RISK_MARKET_NOT_OPEN', `${ticker} is ${state.marketPhase}, not open for trading`);
  }
  // A doubtful book blocks new exposure, not exits (the market is REDUCING meanwhile).
  if (state.bookStatus !== 'live' && !reduces) {
    return refuse('RISK_BOOK_NOT_LIVE', `book for ${ticker} is ${state.bookStatus ?? 'missing'}, not live`);
  }
  if (intent.count > limits.maxContractsPerOrder) {
    return refuse(
      'RISK_MAX_ORDER_SIZE',
      `order count ${formatCount(intent.count)} exceeds max ${formatCount(limits.maxContractsPerOrder)} per order`,
    );
  }

  const after = position + direction * intent.count;
  if (!reduces) {
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
  // The portfolio caps are about new exposure: an order that only closes always passes them.
  if (limits.portfolio !== undefined && state.portfolio !== undefined && openingCount > 0) {
    return checkPortfolioRisk(intent, state, limits.portfolio, state.portfolio);
  }
  return OK;
}
