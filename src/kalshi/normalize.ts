/**
 * Wire → domain: Kalshi's REST models and WebSocket payloads become the trader's integer types
 * (src/domain.ts). Every conversion goes through units.ts, so garbage throws a WireFormatError
 * naming the field; a missing or mistyped field throws KALSHI_WIRE_BAD_MESSAGE.
 */
import type {
  ExchangeStatus,
  Fill,
  GetAccountApiLimitsResponse,
  GetAccountEndpointCostsResponse,
  GetBalanceResponse,
  MarketPosition,
  Order,
  OrderGroup,
  Settlement,
} from 'kalshi-typescript';
import type {
  BookSide,
  Count,
  ExchangeBalance,
  ExchangeFill,
  ExchangeOrder,
  ExchangeOrderStatus,
  ExchangePosition,
  ExchangeStatusView,
  Price,
} from '../domain/index.js';
import {
  DEFAULT_COST,
  type EndpointCosts,
  isHttpMethod,
  isRoutePath,
  isTokenCost,
} from './endpoint-costs.js';
import { KalshiError } from './errors.js';
import type { BucketSpec, TierSpec } from './rate-limit.js';
import {
  centsToMicros,
  parseCount,
  parseDollars,
  parseLimitPrice,
  parsePrice,
  parseSignedCount,
} from './units.js';
import type {
  FillMessage,
  MarketPositionMessage,
  OrderGroupEventType,
  OrderGroupUpdatesMessage,
  UserOrderMessage,
} from './ws-types.js';

function bad(what: string): KalshiError {
  return new KalshiError('KALSHI_WIRE_BAD_MESSAGE', what);
}

function str(v: unknown, field: string): string {
  if (typeof v !== 'string' || v === '') throw bad(`${field} must be a non-empty string`);
  return v;
}

function timeMs(v: unknown, field: string): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string') {
    const ms = Date.parse(v);
    if (!Number.isNaN(ms)) return ms;
  }
  throw bad(`${field} must be a timestamp`);
}

/** book_side when present (May 2026+), else the legacy (action, side) pair. */
function bookSideOf(
  o: { book_side?: unknown; side?: unknown; action?: unknown; purchased_side?: unknown },
  what: string,
): BookSide {
  if (o.book_side === 'bid' || o.book_side === 'ask') return o.book_side;
  if ((o.side === 'yes' || o.side === 'no') && (o.action === 'buy' || o.action === 'sell')) {
    return (o.action === 'buy') === (o.side === 'yes') ? 'bid' : 'ask';
  }
  throw bad(`${what}: neither book_side nor side/action says which side it is`);
}

function orderStatus(v: unknown, field: string): ExchangeOrderStatus {
  if (v === 'resting' || v === 'canceled' || v === 'executed') return v;
  throw bad(`${field} must be resting, canceled or executed (got ${JSON.stringify(v)})`);
}

export function orderFromRest(o: Order): ExchangeOrder {
  const fees =
    parseDollars(o.taker_fees_dollars ?? '0', 'taker_fees_dollars') +
    parseDollars(o.maker_fees_dollars ?? '0', 'maker_fees_dollars');
  return {
    orderId: str(o.order_id, 'order.order_id'),
    clientOrderId: typeof o.client_order_id === 'string' ? o.client_order_id : '',
    ticker: str(o.ticker, 'order.ticker'),
    bookSide: bookSideOf(o, 'order'),
    yesPrice: parseLimitPrice(o.yes_price_dollars, 'order.yes_price_dollars'),
    status: orderStatus(o.status, 'order.status'),
    initialCount: parseCount(o.initial_count_fp, 'order.initial_count_fp'),
    fillCount: parseCount(o.fill_count_fp, 'order.fill_count_fp'),
    remainingCount: parseCount(o.remaining_count_fp, 'order.remaining_count_fp'),
    fees,
    createdMs: o.created_time ? timeMs(o.created_time, 'order.created_time') : 0,
    updatedMs: o.last_update_time ? timeMs(o.last_update_time, 'order.last_update_time') : 0,
  };
}

export function orderFromWs(m: UserOrderMessage['msg']): ExchangeOrder {
  const fees =
    parseDollars(m.taker_fees_dollars ?? '0', 'taker_fees_dollars') +
    parseDollars(m.maker_fees_dollars ?? '0', 'maker_fees_dollars');
  return {
    orderId: str(m.order_id, 'user_order.order_id'),
    clientOrderId: typeof m.client_order_id === 'string' ? m.client_order_id : '',
    ticker: str(m.ticker, 'user_order.ticker'),
    bookSide: bookSideOf(m, 'user_order'),
    yesPrice: parseLimitPrice(m.yes_price_dollars, 'user_order.yes_price_dollars'),
    status: orderStatus(m.status, 'user_order.status'),
    initialCount: parseCount(m.initial_count_fp, 'user_order.initial_count_fp'),
    fillCount: parseCount(m.fill_count_fp, 'user_order.fill_count_fp'),
    remainingCount: parseCount(m.remaining_count_fp, 'user_order.remaining_count_fp'),
    fees,
    createdMs: timeMs(m.created_ts_ms ?? m.created_time, 'user_order.created_time'),
    updatedMs: timeMs(m.last_updated_ts_ms ?? m.last_update_time, 'user_order.last_update_time'),
  };
}

export function fillFromRest(f: Fill): ExchangeFill {
  return {
    fillId: str(f.trade_id ?? f.fill_id, 'fill.trade_id'),
    orderId: str(f.order_id, 'fill.order_id'),
    ticker: str(f.ticker ?? f.market_ticker, 'fill.ticker'),
    bookSide: bookSideOf(f, 'fill'),
    yesPrice: parseLimitPrice(f.yes_price_dollars, 'fill.yes_price_dollars'),
    count: parseCount(f.count_fp, 'fill.count_fp'),
    fee: parseDollars(f.fee_cost ?? '0', 'fill.fee_cost'),
    isTaker: f.is_taker === true,
    createdMs: f.created_time
      ? timeMs(f.created_time, 'fill.created_time')
      : f.ts === undefined
        ? 0
        : timeMs(f.ts, 'fill.ts') * 1000,
  };
}

export function fillFromWs(m: FillMessage['msg']): ExchangeFill {
  return {
    fillId: str(m.trade_id, 'fill.trade_id'),
    orderId: str(m.order_id, 'fill.order_id'),
    ...(typeof m.client_order_id === 'string' && m.client_order_id !== ''
      ? { clientOrderId: m.client_order_id }
      : {}),
    ticker: str(m.market_ticker, 'fill.market_ticker'),
    bookSide: bookSideOf(m, 'fill'),
    yesPrice: parseLimitPrice(m.yes_price_dollars, 'fill.yes_price_dollars'),
    count: parseCount(m.count_fp, 'fill.count_fp'),
    fee: parseDollars(m.fee_cost ?? '0', 'fill.fee_cost'),
    isTaker: m.is_taker === true,
    createdMs: m.ts_ms !== undefined ? timeMs(m.ts_ms, 'fill.ts_ms') : timeMs(m.ts, 'fill.ts') * 1000,
    ...(m.post_position_fp !== undefined
      ? { postPosition: parseSignedCount(m.post_position_fp, 'fill.post_position_fp') }
      : {}),
  };
}

export function positionFromRest(p: MarketPosition): ExchangePosition {
  return {
    ticker: str(p.ticker, 'position.ticker'),
    position: parseSignedCount(p.position_fp, 'position.position_fp'),
    realizedPnl: parseDollars(p.realized_pnl_dollars ?? '0', 'position.realized_pnl_dollars'),
    feesPaid: parseDollars(p.fees_paid_dollars ?? '0', 'position.fees_paid_dollars'),
    exposure: parseDollars(p.market_exposure_dollars ?? '0', 'position.market_exposure_dollars'),
    ...(p.last_updated_ts === undefined || p.last_updated_ts === null
      ? {}
      : { updatedMs: timeMs(p.last_updated_ts, 'position.last_updated_ts') }),
  };
}

export function positionFromWs(m: MarketPositionMessage['msg']): ExchangePosition {
  return {
    ticker: str(m.market_ticker, 'market_position.market_ticker'),
    position: parseSignedCount(m.position_fp, 'market_position.position_fp'),
    realizedPnl: parseDollars(m.realized_pnl_dollars ?? '0', 'market_position.realized_pnl_dollars'),
    feesPaid: parseDollars(m.fees_paid_dollars ?? '0', 'market_position.fees_paid_dollars'),
    exposure: parseDollars(m.position_cost_dollars ?? '0', 'market_position.position_cost_dollars'),
  };
}

export function balanceFromRest(b: GetBalanceResponse): ExchangeBalance {
  const cash =
    typeof b.balance_dollars === 'string'
      ? parseDollars(b.balance_dollars, 'balance_dollars')
      : centsToMicros(b.balance, 'balance');
  return { cash, portfolioValue: centsToMicros(b.portfolio_value ?? 0, 'portfolio_value') };
}

/**
 * The account's rate limits as our buckets: `refill_rate` tokens per second up to
 * `bucket_capacity`. A bucket that cannot hold one default-cost request (10 tokens) is refused:
 * adopting it would refuse every request.
 */
export function limitsFromRest(r: GetAccountApiLimitsResponse): { tier: string; spec: TierSpec } {
  if (typeof r !== 'object' || r === null) throw bad('account limits must be a JSON object');
  const bucket = (name: 'read' | 'write'): BucketSpec => {
    const b: unknown = r[name];
    if (typeof b !== 'object' || b === null) throw bad(`account limits: ${name} must be an object`);
    const { refill_rate, bucket_capacity } = b as Record<string, unknown>;
    if (typeof refill_rate !== 'number' || !Number.isFinite(refill_rate) || refill_rate <= 0) {
      throw bad(
        `account limits: ${name}.refill_rate must be a positive number of tokens per second (got ${JSON.stringify(refill_rate)})`,
      );
    }
    if (
      typeof bucket_capacity !== 'number' ||
      !Number.isFinite(bucket_capacity) ||
      bucket_capacity < DEFAULT_COST
    ) {
      throw bad(
        `account limits: ${name}.bucket_capacity must be a number of tokens ≥ ${DEFAULT_COST}, one request (got ${JSON.stringify(bucket_capacity)})`,
      );
    }
    return { refillPerSec: refill_rate, capacity: bucket_capacity };
  };
  const tier = typeof r.usage_tier === 'string' && r.usage_tier !== '' ? r.usage_tier : 'unnamed';
  return { tier, spec: { read: bucket('read'), write: bucket('write') } };
}

/**
 * The exchange's endpoint costs (GET /account/endpoint_costs) as our table: its default cost and
 * each endpoint whose cost differs. Anything we could not charge requests by is refused, naming
 * the field: a default that is not a positive number, a cost that is not a non-negative number,
 * an entry without a method or a "/" path.
 */
export function endpointCostsFromRest(r: GetAccountEndpointCostsResponse): EndpointCosts {
  if (typeof r !== 'object' || r === null) throw bad('endpoint costs must be a JSON object');
  const defaultCost: unknown = r.default_cost;
  if (!isTokenCost(defaultCost) || defaultCost === 0) {
    throw bad(
      `endpoint costs: default_cost must be a positive number of tokens (got ${JSON.stringify(defaultCost)})`,
    );
  }
  const list: unknown = r.endpoint_costs;
  if (!Array.isArray(list)) throw bad('endpoint costs: endpoint_costs must be an array');
  const entries = list.map((e: unknown, i) => {
    const where = `endpoint costs: endpoint_costs[${i}]`;
    if (typeof e !== 'object' || e === null) throw bad(`${where} must be an object`);
    const { method, path, cost } = e as Record<string, unknown>;
    if (!isHttpMethod(method))
      throw bad(`${where}.method must be an HTTP method (got ${JSON.stringify(method)})`);
    if (!isRoutePath(path))
      throw bad(`${where}.path must be a route path starting with "/" (got ${JSON.stringify(path)})`);
    if (!isTokenCost(cost))
      throw bad(`${where}.cost must be a non-negative number of tokens (got ${JSON.stringify(cost)})`);
    return { method, path, cost };
  });
  return { defaultCost, entries };
}

export function statusFromRest(s: ExchangeStatus): ExchangeStatusView {
  if (typeof s.trading_active !== 'boolean' || typeof s.exchange_active !== 'boolean') {
    throw bad('exchange status must carry boolean exchange_active and trading_active');
  }
  return { exchangeActive: s.exchange_active, tradingActive: s.trading_active };
}

/** A settlement's payout to us (revenue is integer cents on the wire). */
/**
 * A settlement: when, what it paid, and — when the exchange reports the counts — the signed
 * position it paid out on (yes − no, Count units).
 */
export function settlementFromRest(s: Settlement): {
  ticker: string;
  settledMs: number;
  revenue: number;
  position?: number;
} {
  const out = {
    ticker: str(s.ticker, 'settlement.ticker'),
    settledMs: timeMs(s.settled_time, 'settlement.settled_time'),
    revenue: centsToMicros(s.revenue, 'settlement.revenue'),
  };
  if (s.yes_count_fp === undefined || s.no_count_fp === undefined) return out;
  const yes = parseCount(s.yes_count_fp, 'settlement.yes_count_fp');
  const no = parseCount(s.no_count_fp, 'settlement.no_count_fp');
  return { ...out, position: yes - no };
}

/** An order group as listed by GET /portfolio/order_groups. */
export interface OrderGroupView {
  id: string;
  /** Undefined when the exchange did not say. */
  contractsLimit: Count | undefined;
  /** `is_auto_cancel_enabled`: true while the group is triggered (its orders canceled, new ones refused). */
  triggered: boolean;
}

export function orderGroupFromRest(g: OrderGroup): OrderGroupView {
  if (typeof g.is_auto_cancel_enabled !== 'boolean') {
    throw bad('order_group.is_auto_cancel_enabled must be a boolean');
  }
  return {
    id: str(g.id, 'order_group.id'),
    contractsLimit:
      g.contracts_limit_fp === undefined
        ? undefined
        : parseCount(g.contracts_limit_fp, 'order_group.contracts_limit_fp'),
    triggered: g.is_auto_cancel_enabled,
  };
}

const ORDER_GROUP_EVENTS: readonly OrderGroupEventType[] = [
  'created',
  'triggered',
  'reset',
  'deleted',
  'limit_updated',
];

/** An order_group_updates message. */
export function orderGroupUpdateFromWs(m: OrderGroupUpdatesMessage['msg']): {
  eventType: OrderGroupEventType;
  orderGroupId: string;
  contractsLimit?: Count;
  tsMs: number;
} {
  if (!ORDER_GROUP_EVENTS.includes(m.event_type)) {
    throw bad(`order_group_updates.event_type must be one of ${ORDER_GROUP_EVENTS.join(', ')}`);
  }
  return {
    eventType: m.event_type,
    orderGroupId: str(m.order_group_id, 'order_group_updates.order_group_id'),
    ...(m.contracts_limit_fp !== undefined
      ? { contractsLimit: parseCount(m.contracts_limit_fp, 'order_group_updates.contracts_limit_fp') }
      : {}),
    tsMs: timeMs(m.ts_ms, 'order_group_updates.ts_ms'),
  };
}

/** One side of a REST order book: [price, count] levels, as the exchange lists them. */
export interface RestBookLevels {
  readonly yes: ReadonlyArray<{ readonly price: Price; readonly count: Count }>;
  readonly no: ReadonlyArray<{ readonly price: Price; readonly count: Count }>;
}

/** GET /markets/{ticker}/orderbook's `orderbook_fp` ({yes_dollars, no_dollars}: [["0.4500","10.00"], …]). */
export function orderbookFromRest(
  book: { yes_dollars?: unknown; no_dollars?: unknown } | undefined,
): RestBookLevels {
  const side = (raw: unknown, name: string) => {
    if (raw === undefined || raw === null) return [];
    if (!Array.isArray(raw)) throw bad(`orderbook_fp.${name} must be an array`);
    return raw.map((level, i) => {
      if (!Array.isArray(level) || level.length < 2)
        throw bad(`orderbook_fp.${name}[${i}] must be [price, count]`);
      return {
        price: parsePrice(level[0], `orderbook_fp.${name}[${i}].price`),
        count: parseCount(level[1], `orderbook_fp.${name}[${i}].count`),
      };
    });
  };
  return { yes: side(book?.yes_dollars, 'yes_dollars'), no: side(book?.no_dollars, 'no_dollars') };
}
