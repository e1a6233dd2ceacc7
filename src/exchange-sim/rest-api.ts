/**
 * The simulator's REST surface under /trade-api/v2: Kalshi's paths, field shapes, status codes and
 * error bodies. Each route is one line of the table at the bottom; handlers are small and call the
 * exchange core, then render.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { divRound, type Price } from '../domain/index.js';
import { formatDollars as dollars, formatCount, formatPrice } from '../kalshi/index.js';
import type { AuthResult, KeyRegistry } from './auth.js';
import type { CoreResult, ExchangeCore, MarketStatus, OrderStatus, SimFill, SimOrder } from './core-types.js';
import type { FaultInjector } from './faults.js';
import {
  badRequest,
  HttpProblem,
  listParam,
  notFound,
  optionalIntParam,
  paginate,
  readJsonBody,
  sendJson,
  sendProblem,
  sendTooManyRequests,
} from './http-util.js';
import {
  asObject,
  bookSideOf,
  legacyCount,
  legacyYesPrice,
  parseCreateOrderV1,
  parseCreateOrderV2,
  parseDecrease,
} from './order-requests.js';
import {
  renderBalance,
  renderEvent,
  renderFill,
  renderLevels,
  renderMarket,
  renderOrder,
  renderPosition,
  renderSeries,
  renderSettlement,
  renderTrade,
  unixSeconds,
} from './render.js';

export const REST_PREFIX = '/trade-api/v2';
const MAX_BATCH = 20;

/** Anything that decides whether a request may pass the rate limit now. */
export interface RequestGate {
  tryAcquire(method: string, path: string, items?: number): boolean;
}

export interface RestContext {
  core: ExchangeCore;
  clock: () => number;
  keys: KeyRegistry;
  faults: FaultInjector;
  /** The rate-limit gate for a caller (key id, or `anon:<ip>`); undefined = unlimited. */
  gate(caller: string): RequestGate | undefined;
  /** Stable per-market uuid (Kalshi's market_id). */
  marketId(ticker: string): string;
}

interface Request {
  method: string;
  path: string;
  query: URLSearchParams;
  params: string[];
  body: unknown;
  accountId: string;
  now: number;
}

interface Reply {
  status: number;
  body: unknown;
}

type Handler = (ctx: RestContext, req: Request) => Reply;

interface Route {
  method: string;
  pattern: RegExp;
  auth: boolean;
  handler: Handler;
  /** Items billed for the rate limit (batch endpoints bill per order). */
  items?: (body: unknown) => number;
}

const ok = (body: unknown): Reply => ({ status: 200, body });
const created = (body: unknown): Reply => ({ status: 201, body });

function unwrap<T>(r: CoreResult<T>): T {
  if (!r.ok) throw HttpProblem.from(r.error);
  return r.value;
}

// ---------- exchange & market data ----------

const MARKET_STATUS_FILTER: Record<string, MarketStatus[]> = {
  unopened: ['initialized'],
  open: ['active'],
  paused: ['inactive'],
  closed: ['closed'],
  settled: ['determined', 'finalized'],
};

function getExchangeStatus(ctx: RestContext): Reply {
  return ok({
    exchange_active: true,
    trading_active: ctx.core.tradingActive,
    exchange_estimated_resume_time: null,
  });
}

function getExchangeSchedule(): Reply {
  const day = [{ open_time: '00:00', close_time: '23:59' }];
  return ok({
    schedule: {
      standard_hours: [
        {
          start_time: '2020-01-01T00:00:00Z',
          end_time: '2100-01-01T00:00:00Z',
          monday: day,
          tuesday: day,
          wednesday: day,
          thursday: day,
          friday: day,
          saturday: day,
          sunday: day,
        },
      ],
      maintenance_windows: [],
    },
  });
}

function marketView(ctx: RestContext, ticker: string) {
  const m = ctx.core.market(ticker);
  if (!m) throw notFound(`market ${ticker} not found`);
  return renderMarket(m, ctx.core.book(ticker));
}

function getMarkets(ctx: RestContext, req: Request): Reply {
  const q = req.query;
  const statusFilter = q.get('status');
  if (statusFilter && !(statusFilter in MARKET_STATUS_FILTER)) {
    throw badRequest(`status must be one of ${Object.keys(MARKET_STATUS_FILTER).join(', ')}`);
  }
  const allowed = statusFilter ? MARKET_STATUS_FILTER[statusFilter] : undefined;
  const tickers = listParam(q, 'tickers');
  const eventTickers = listParam(q, 'event_ticker');
  const series = q.get('series_ticker');
  const closeTs = secondsRange(q, 'min_close_ts', 'max_close_ts');
  const createdTs = secondsRange(q, 'min_created_ts', 'max_created_ts');
  const settledTs = secondsRange(q, 'min_settled_ts', 'max_settled_ts');
  const all = ctx.core.markets().filter((m) => {
    if (allowed && !allowed.includes(m.status)) return false;
    if (tickers && !tickers.includes(m.ticker)) return false;
    if (eventTickers && !eventTickers.includes(m.eventTicker)) return false;
    if (series && ctx.core.event(m.eventTicker)?.seriesTicker !== series) return false;
    if (!closeTs(m.closeMs) || !createdTs(m.createdMs) || !settledTs(m.settledMs)) return false;
    return true;
  });
  const page = paginate(all, q, 1000, 100);
  return ok({
    markets: page.items.map((m) => renderMarket(m, ctx.core.book(m.ticker))),
    cursor: page.cursor,
  });
}

/**
 * A `min_…_ts` / `max_…_ts` pair (Unix seconds, inclusive) as a test on a millisecond time; a time
 * that is not set (a market not settled) passes only when neither bound is given.
 */
function secondsRange(q: URLSearchParams, minName: string, maxName: string): (ms?: number) => boolean {
  const min = optionalIntParam(q, minName);
  const max = optionalIntParam(q, maxName);
  if (min === undefined && max === undefined) return () => true;
  return (ms) =>
    ms !== undefined &&
    (min === undefined || unixSeconds(ms) >= min) &&
    (max === undefined || unixSeconds(ms) <= max);
}

function getMarket(ctx: RestContext, req: Request): Reply {
  return ok({ market: marketView(ctx, req.params[0]!) });
}

function orderbookFp(ctx: RestContext, ticker: string, depth: number) {
  if (!ctx.core.market(ticker)) throw notFound(`market ${ticker} not found`);
  const book = ctx.core.book(ticker);
  return { yes_dollars: renderLevels(book.yes, depth), no_dollars: renderLevels(book.no, depth) };
}

function getMarketOrderbook(ctx: RestContext, req: Request): Reply {
  const depth = optionalIntParam(req.query, 'depth') ?? 0;
  if (depth > 100) throw badRequest('depth must be between 0 and 100');
  return ok({ orderbook_fp: orderbookFp(ctx, req.params[0]!, depth) });
}

function getMarketOrderbooks(ctx: RestContext, req: Request): Reply {
  const tickers = listParam(req.query, 'tickers');
  if (!tickers || tickers.length > 100) throw badRequest('tickers must list 1 to 100 markets');
  return ok({ orderbooks: tickers.map((t) => ({ ticker: t, orderbook_fp: orderbookFp(ctx, t, 0) })) });
}

/** `min_ts` / `max_ts` (Unix seconds, inclusive) as a millisecond range. */
function timeRange(q: URLSearchParams): { minTs?: number; maxTs?: number } {
  const minTs = optionalIntParam(q, 'min_ts');
  const maxTs = optionalIntParam(q, 'max_ts');
  return {
    ...(minTs !== undefined ? { minTs: minTs * 1000 } : {}),
    ...(maxTs !== undefined ? { maxTs: maxTs * 1000 + 999 } : {}),
  };
}

function getTrades(ctx: RestContext, req: Request): Reply {
  const q = req.query;
  const trades = ctx.core.trades({
    ...(q.get('ticker') ? { ticker: q.get('ticker')! } : {}),
    ...timeRange(q),
  });
  const page = paginate(trades, q, 1000, 100);
  return ok({ trades: page.items.map(renderTrade), cursor: page.cursor });
}

/**
 * An event's status for the `status` filter of GET /events: that of its least advanced market
 * (unopened while any market is unopened, open while any trades or is paused, closed while any is
 * closed but not determined, settled once all are). Kalshi does not document the rule.
 */
function eventStatus(statuses: readonly MarketStatus[]): string {
  if (statuses.includes('initialized')) return 'unopened';
  if (statuses.includes('active') || statuses.includes('inactive')) return 'open';
  if (statuses.includes('closed')) return 'closed';
  return 'settled';
}

const EVENT_STATUS_FILTER = ['unopened', 'open', 'closed', 'settled'];

function getEvents(ctx: RestContext, req: Request): Reply {
  const q = req.query;
  const series = q.get('series_ticker');
  const nested = q.get('with_nested_markets') === 'true';
  const status = q.get('status');
  if (status && !EVENT_STATUS_FILTER.includes(status)) {
    throw badRequest(`status must be one of ${EVENT_STATUS_FILTER.join(', ')}`);
  }
  const statuses = new Map<string, MarketStatus[]>();
  if (status) {
    for (const m of ctx.core.markets()) {
      const list = statuses.get(m.eventTicker) ?? [];
      list.push(m.status);
      statuses.set(m.eventTicker, list);
    }
  }
  const events = ctx.core.events().filter((e) => {
    if (series && e.seriesTicker !== series) return false;
    if (status && eventStatus(statuses.get(e.eventTicker) ?? []) !== status) return false;
    return true;
  });
  const page = paginate(events, q, 200, 200);
  return ok({
    events: page.items.map((e) => eventView(ctx, e.eventTicker, nested)),
    cursor: page.cursor,
  });
}

function eventView(ctx: RestContext, eventTicker: string, nested: boolean) {
  const e = ctx.core.event(eventTicker);
  if (!e) throw notFound(`event ${eventTicker} not found`);
  const category = ctx.core.series(e.seriesTicker)?.category ?? '';
  const markets = nested ? eventMarkets(ctx, eventTicker) : undefined;
  return renderEvent(e, category, markets);
}

function eventMarkets(ctx: RestContext, eventTicker: string) {
  return ctx.core
    .markets()
    .filter((m) => m.eventTicker === eventTicker)
    .map((m) => renderMarket(m, ctx.core.book(m.ticker)));
}

function getEvent(ctx: RestContext, req: Request): Reply {
  const ticker = req.params[0]!;
  const nested = req.query.get('with_nested_markets') === 'true';
  return ok({ event: eventView(ctx, ticker, nested), markets: eventMarkets(ctx, ticker) });
}

function getSeriesList(ctx: RestContext, req: Request): Reply {
  const category = req.query.get('category');
  return ok({
    series: ctx.core
      .allSeries()
      .filter((s) => !category || s.category === category)
      .map(renderSeries),
  });
}

function getSeries(ctx: RestContext, req: Request): Reply {
  const s = ctx.core.series(req.params[0]!);
  if (!s) throw notFound(`series ${req.params[0]} not found`);
  return ok({ series: renderSeries(s) });
}

// ---------- portfolio reads ----------

function getBalance(ctx: RestContext, req: Request): Reply {
  const b = ctx.core.balance(req.accountId);
  return ok(renderBalance(b.cash, b.portfolioValue, b.updatedMs));
}

function getPositions(ctx: RestContext, req: Request): Reply {
  const q = req.query;
  const ticker = q.get('ticker');
  const eventTicker = q.get('event_ticker');
  const countFilter = listParam(q, 'count_filter');
  const positions = ctx.core.positions(req.accountId).filter((p) => {
    if (ticker && p.ticker !== ticker) return false;
    if (eventTicker && ctx.core.market(p.ticker)?.eventTicker !== eventTicker) return false;
    if (countFilter?.includes('position') && p.position === 0) return false;
    if (countFilter?.includes('total_traded') && p.totalTraded === 0) return false;
    return true;
  });
  const page = paginate(positions, q, 1000, 100);
  const byEvent = new Map<
    string,
    { cost: number; shares: number; exposure: number; pnl: number; fees: number }
  >();
  for (const p of page.items) {
    const ev = ctx.core.market(p.ticker)?.eventTicker ?? '';
    const agg = byEvent.get(ev) ?? { cost: 0, shares: 0, exposure: 0, pnl: 0, fees: 0 };
    agg.cost += p.totalTraded;
    agg.shares += Math.abs(p.position);
    agg.exposure += p.marketExposure;
    agg.pnl += p.realizedPnl;
    agg.fees += p.feesPaid;
    byEvent.set(ev, agg);
  }
  return ok({
    market_positions: page.items.map(renderPosition),
    event_positions: [...byEvent].map(([event_ticker, a]) => ({
      event_ticker,
      total_cost_dollars: dollars(a.cost),
      total_cost_shares_fp: formatCount(a.shares),
      event_exposure_dollars: dollars(a.exposure),
      realized_pnl_dollars: dollars(a.pnl),
      fees_paid_dollars: dollars(a.fees),
    })),
    cursor: page.cursor,
  });
}

const ORDER_STATUSES: readonly OrderStatus[] = ['resting', 'canceled', 'executed'];

function getOrders(ctx: RestContext, req: Request): Reply {
  const q = req.query;
  const status = q.get('status');
  if (status && !(ORDER_STATUSES as readonly string[]).includes(status)) {
    throw badRequest(`status must be one of ${ORDER_STATUSES.join(', ')}`);
  }
  const eventTickers = listParam(q, 'event_ticker');
  const orders = ctx.core
    .orders(req.accountId, {
      ...(q.get('ticker') ? { ticker: q.get('ticker')! } : {}),
      ...(status ? { status: status as OrderStatus } : {}),
      ...timeRange(q),
    })
    .filter((o) => !eventTickers || eventTickers.includes(ctx.core.market(o.ticker)?.eventTicker ?? ''));
  const page = paginate(orders, q, 1000, 100);
  return ok({ orders: page.items.map(renderOrder), cursor: page.cursor });
}

function ownOrder(ctx: RestContext, req: Request): SimOrder {
  const o = ctx.core.order(req.accountId, req.params[0]!);
  if (!o) throw notFound(`order ${req.params[0]} not found`);
  return o;
}

function getOrder(ctx: RestContext, req: Request): Reply {
  return ok({ order: renderOrder(ownOrder(ctx, req)) });
}

function getFills(ctx: RestContext, req: Request): Reply {
  const q = req.query;
  const fills = ctx.core.fills(req.accountId, {
    ...(q.get('ticker') ? { ticker: q.get('ticker')! } : {}),
    ...(q.get('order_id') ? { orderId: q.get('order_id')! } : {}),
    ...timeRange(q),
  });
  const page = paginate(fills, q, 1000, 100);
  return ok({ fills: page.items.map(renderFill), cursor: page.cursor });
}

function getSettlements(ctx: RestContext, req: Request): Reply {
  const q = req.query;
  const ticker = q.get('ticker');
  const eventTickers = listParam(q, 'event_ticker');
  const { minTs, maxTs } = timeRange(q);
  const settlements = ctx.core.settlements(req.accountId).filter((s) => {
    if (ticker && s.ticker !== ticker) return false;
    if (eventTickers && !eventTickers.includes(s.eventTicker)) return false;
    if (minTs !== undefined && s.settledMs < minTs) return false;
    if (maxTs !== undefined && s.settledMs > maxTs) return false;
    return true;
  });
  const page = paginate(settlements, q, 1000, 100);
  return ok({ settlements: page.items.map(renderSettlement), cursor: page.cursor });
}

// ---------- order entry (V2) ----------

/** Volume-weighted YES price of a set of fills (display only). */
function averageFillPrice(fills: SimFill[]): string | undefined {
  const count = fills.reduce((s, f) => s + f.count, 0);
  if (count === 0) return undefined;
  const notional = fills.reduce((s, f) => s + f.count * f.yesPrice, 0);
  return formatPrice(divRound(notional, count) as Price);
}

function averageFee(fills: SimFill[]): string | undefined {
  const count = fills.reduce((s, f) => s + f.count, 0);
  if (count === 0) return undefined;
  const fees = fills.reduce((s, f) => s + f.fee, 0);
  return dollars(divRound(fees * 100, count));
}

function v2OrderResult(order: SimOrder, fills: SimFill[], now: number) {
  const avg = averageFillPrice(fills);
  const fee = averageFee(fills);
  return {
    order_id: order.orderId,
    client_order_id: order.clientOrderId,
    fill_count: formatCount(order.fillCount),
    remaining_count: formatCount(order.remainingCount),
    ...(avg ? { average_fill_price: avg } : {}),
    ...(fee ? { average_fee_paid: fee } : {}),
    ts_ms: now,
  };
}

function createOrderV2(ctx: RestContext, req: Request): Reply {
  const intent = parseCreateOrderV2(req.body, req.accountId, req.now, randomUUID);
  const { order, fills } = unwrap(ctx.core.place(intent));
  return created(v2OrderResult(order, fills, req.now));
}

function cancelOrderV2(ctx: RestContext, req: Request): Reply {
  const { order, reducedBy } = unwrap(ctx.core.cancel(req.accountId, req.params[0]!));
  return ok({
    order_id: order.orderId,
    client_order_id: order.clientOrderId,
    reduced_by: formatCount(reducedBy),
    ts_ms: req.now,
  });
}

function batchItems(body: unknown): unknown[] {
  const b = asObject(body);
  const orders = b.orders ?? b.ids;
  if (!Array.isArray(orders) || orders.length === 0) throw badRequest('orders must be a non-empty array');
  if (orders.length > MAX_BATCH)
    throw badRequest(`at most ${MAX_BATCH} orders per batch (got ${orders.length})`);
  return orders;
}

function problemBody(err: unknown) {
  if (err instanceof HttpProblem) return { code: err.code, message: err.message, details: err.details };
  throw err;
}

function batchCreateOrdersV2(ctx: RestContext, req: Request): Reply {
  const results = batchItems(req.body).map((item) => {
    const coid =
      typeof (item as { client_order_id?: unknown })?.client_order_id === 'string'
        ? (item as { client_order_id: string }).client_order_id
        : null;
    try {
      const intent = parseCreateOrderV2(item, req.accountId, req.now, randomUUID);
      const { order, fills } = unwrap(ctx.core.place(intent));
      return { ...v2OrderResult(order, fills, req.now), error: null };
    } catch (err) {
      return { client_order_id: coid, error: problemBody(err) };
    }
  });
  return created({ orders: results });
}

function cancelIdOf(item: unknown): string {
  if (typeof item === 'string') return item;
  const id = (item as { order_id?: unknown } | null)?.order_id;
  if (typeof id !== 'string') throw badRequest('each entry needs an order_id');
  return id;
}

function batchCancelOrdersV2(ctx: RestContext, req: Request): Reply {
  const results = batchItems(req.body).map((item) => {
    const orderId = cancelIdOf(item);
    const r = ctx.core.cancel(req.accountId, orderId);
    if (!r.ok) {
      return {
        order_id: orderId,
        reduced_by: '0.00',
        error: { code: r.error.code, message: r.error.message, details: r.error.details },
      };
    }
    return {
      order_id: orderId,
      client_order_id: r.value.order.clientOrderId,
      reduced_by: formatCount(r.value.reducedBy),
      ts_ms: req.now,
      error: null,
    };
  });
  return ok({ orders: results });
}

function cancelAllOrders(ctx: RestContext, req: Request): Reply {
  const ticker = req.query.get('ticker') ?? undefined;
  const canceled = ctx.core.cancelAll(req.accountId, ticker ? { ticker } : undefined);
  return ok({
    orders: canceled.map((o) => ({ order_id: o.orderId, client_order_id: o.clientOrderId, ts_ms: req.now })),
  });
}

function checkAmendMatches(order: SimOrder, b: Record<string, unknown>): void {
  if (typeof b.ticker !== 'string' || b.ticker !== order.ticker) {
    throw badRequest('ticker does not match the order', 'order_ticker_mismatch');
  }
  if (b.client_order_id !== undefined && b.client_order_id !== order.clientOrderId) {
    throw badRequest('client_order_id does not match the order', 'order_id_and_client_order_id_mismatch');
  }
}

function amendOrderV2(ctx: RestContext, req: Request): Reply {
  const order = ownOrder(ctx, req);
  const b = asObject(req.body);
  checkAmendMatches(order, b);
  if (b.side !== order.bookSide) throw badRequest('side does not match the order', 'order_side_mismatch');
  const probe = parseCreateOrderV2(
    {
      ...b,
      client_order_id: order.clientOrderId,
      time_in_force: 'good_till_canceled',
      self_trade_prevention_type: 'maker',
    },
    req.accountId,
    req.now,
    randomUUID,
  );
  const updated = typeof b.updated_client_order_id === 'string' ? b.updated_client_order_id : undefined;
  const r = unwrap(
    ctx.core.amend(req.accountId, order.orderId, {
      yesPrice: probe.yesPrice,
      count: probe.count,
      ...(updated ? { updatedClientOrderId: updated } : {}),
    }),
  );
  return ok(v2OrderResult(r.order, r.fills, req.now));
}

function decreaseOrderV2(ctx: RestContext, req: Request): Reply {
  const order = ownOrder(ctx, req);
  const updated = unwrap(ctx.core.decrease(req.accountId, order.orderId, parseDecrease(req.body)));
  return ok({
    order_id: updated.orderId,
    client_order_id: updated.clientOrderId,
    remaining_count: formatCount(updated.remainingCount),
    ts_ms: req.now,
  });
}

// ---------- order entry (legacy v1) ----------

function createOrderV1(ctx: RestContext, req: Request): Reply {
  const intent = parseCreateOrderV1(req.body, req.accountId, req.now, randomUUID);
  return created({ order: renderOrder(unwrap(ctx.core.place(intent)).order) });
}

function cancelOrderV1(ctx: RestContext, req: Request): Reply {
  const { order, reducedBy } = unwrap(ctx.core.cancel(req.accountId, req.params[0]!));
  return ok({ order: renderOrder(order), reduced_by_fp: formatCount(reducedBy) });
}

function batchCreateOrdersV1(ctx: RestContext, req: Request): Reply {
  const results = batchItems(req.body).map((item) => {
    const coid = (item as { client_order_id?: unknown } | null)?.client_order_id;
    try {
      const intent = parseCreateOrderV1(item, req.accountId, req.now, randomUUID);
      return {
        client_order_id: intent.clientOrderId,
        order: renderOrder(unwrap(ctx.core.place(intent)).order),
      };
    } catch (err) {
      return {
        client_order_id: typeof coid === 'string' ? coid : null,
        order: null,
        error: problemBody(err),
      };
    }
  });
  return created({ orders: results });
}

function batchCancelOrdersV1(ctx: RestContext, req: Request): Reply {
  const results = batchItems(req.body).map((item) => {
    const orderId = cancelIdOf(item);
    const r = ctx.core.cancel(req.accountId, orderId);
    if (!r.ok) {
      return {
        order_id: orderId,
        order: null,
        reduced_by_fp: '0.00',
        error: { code: r.error.code, message: r.error.message, details: r.error.details },
      };
    }
    return {
      order_id: orderId,
      order: renderOrder(r.value.order),
      reduced_by_fp: formatCount(r.value.reducedBy),
    };
  });
  return ok({ orders: results });
}

function amendOrderV1(ctx: RestContext, req: Request): Reply {
  const order = ownOrder(ctx, req);
  const b = asObject(req.body);
  checkAmendMatches(order, b);
  if (
    (b.side !== 'yes' && b.side !== 'no') ||
    (b.action !== 'buy' && b.action !== 'sell') ||
    bookSideOf(b.action, b.side) !== order.bookSide
  ) {
    throw badRequest('side/action do not match the order', 'order_side_mismatch');
  }
  const updated = typeof b.updated_client_order_id === 'string' ? b.updated_client_order_id : undefined;
  const r = unwrap(
    ctx.core.amend(req.accountId, order.orderId, {
      yesPrice: legacyYesPrice(b),
      count: legacyCount(b),
      ...(updated ? { updatedClientOrderId: updated } : {}),
    }),
  );
  return ok({ old_order: renderOrder(r.old), order: renderOrder(r.order) });
}

function decreaseOrderV1(ctx: RestContext, req: Request): Reply {
  const order = ownOrder(ctx, req);
  return ok({
    order: renderOrder(unwrap(ctx.core.decrease(req.accountId, order.orderId, parseDecrease(req.body)))),
  });
}

// ---------- the route table ----------

const SEG = '([^/]+)';
const route = (
  method: string,
  path: string,
  auth: boolean,
  handler: Handler,
  items?: Route['items'],
): Route => ({
  method,
  pattern: new RegExp(`^${path.replace(/\{[a-z_]+\}/g, SEG)}$`),
  auth,
  handler,
  ...(items ? { items } : {}),
});
const batchCount = (body: unknown): number => {
  const orders =
    (body as { orders?: unknown; ids?: unknown } | null)?.orders ?? (body as { ids?: unknown } | null)?.ids;
  return Array.isArray(orders) ? orders.length : 1;
};

const ROUTES: Route[] = [
  route('GET', '/exchange/status', false, getExchangeStatus),
  route('GET', '/exchange/schedule', false, getExchangeSchedule),
  route('GET', '/markets', false, getMarkets),
  route('GET', '/markets/trades', false, getTrades),
  route('GET', '/markets/orderbooks', true, getMarketOrderbooks),
  route('GET', '/markets/{ticker}', false, getMarket),
  route('GET', '/markets/{ticker}/orderbook', false, getMarketOrderbook),
  route('GET', '/events', false, getEvents),
  route('GET', '/events/{event_ticker}', false, getEvent),
  route('GET', '/series', false, getSeriesList),
  route('GET', '/series/{series_ticker}', false, getSeries),
  route('GET', '/portfolio/balance', true, getBalance),
  route('GET', '/portfolio/positions', true, getPositions),
  route('GET', '/portfolio/orders', true, getOrders),
  route('GET', '/portfolio/orders/{order_id}', true, getOrder),
  route('GET', '/portfolio/fills', true, getFills),
  route('GET', '/portfolio/settlements', true, getSettlements),
  // V2 order entry.
  route('POST', '/portfolio/events/orders', true, createOrderV2),
  route('DELETE', '/portfolio/events/orders', true, cancelAllOrders),
  route('POST', '/portfolio/events/orders/batched', true, batchCreateOrdersV2, batchCount),
  route('DELETE', '/portfolio/events/orders/batched', true, batchCancelOrdersV2, batchCount),
  route('DELETE', '/portfolio/events/orders/{order_id}', true, cancelOrderV2),
  route('POST', '/portfolio/events/orders/{order_id}/amend', true, amendOrderV2),
  route('POST', '/portfolio/events/orders/{order_id}/decrease', true, decreaseOrderV2),
  // Legacy v1 order entry.
  route('POST', '/portfolio/orders', true, createOrderV1),
  route('POST', '/portfolio/orders/batched', true, batchCreateOrdersV1, batchCount),
  route('DELETE', '/portfolio/orders/batched', true, batchCancelOrdersV1, batchCount),
  route('DELETE', '/portfolio/orders/{order_id}', true, cancelOrderV1),
  route('POST', '/portfolio/orders/{order_id}/amend', true, amendOrderV1),
  route('POST', '/portfolio/orders/{order_id}/decrease', true, decreaseOrderV1),
];

function findRoute(method: string, path: string): { route: Route; params: string[] } | 'method' | undefined {
  let pathMatched = false;
  for (const r of ROUTES) {
    const m = r.pattern.exec(path);
    if (!m) continue;
    pathMatched = true;
    if (r.method === method) return { route: r, params: m.slice(1).map(decodeURIComponent) };
  }
  return pathMatched ? 'method' : undefined;
}

function authFailure(details: string): HttpProblem {
  return new HttpProblem(401, 'authentication_error', 'authentication_error', details);
}

/** Handles one request whose path starts with /trade-api/v2. */
export async function handleRest(
  ctx: RestContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  const fullPath = url.pathname;
  const path = fullPath.slice(REST_PREFIX.length) || '/';
  try {
    // The body is read first: a request that reached the exchange is processed even if the client
    // gives up during the (injected) latency, as a real exchange would.
    const body = method === 'GET' ? undefined : await readJsonBody(req);
    if (ctx.faults.latencyMs > 0) await new Promise((r) => setTimeout(r, ctx.faults.latencyMs));
    const found = findRoute(method, path);
    if (found === undefined) throw notFound(`no endpoint ${method} ${fullPath}`);
    if (found === 'method')
      throw new HttpProblem(405, 'method_not_allowed', 'method not allowed', `${method} ${fullPath}`);

    const now = ctx.clock();
    let auth: AuthResult | undefined;
    if (found.route.auth || req.headers['kalshi-access-key'] !== undefined) {
      auth = ctx.keys.authenticate(req.headers, method, fullPath, now);
      if (!auth.ok) throw authFailure(auth.details);
    }
    const caller = auth?.ok ? auth.keyId : `anon:${req.socket.remoteAddress ?? ''}`;
    const items = found.route.items?.(body);
    const gate = ctx.gate(caller);
    if (ctx.faults.take('http429') || (gate && !gate.tryAcquire(method, fullPath, items))) {
      sendTooManyRequests(res);
      return;
    }

    const injected = ctx.faults.takeHttpError(method, fullPath);
    if (injected && !injected.afterProcessing) {
      throw new HttpProblem(
        injected.status,
        'internal_server_error',
        'injected fault',
        `injected ${injected.status}`,
      );
    }
    const reply = found.route.handler(ctx, {
      method,
      path,
      query: url.searchParams,
      params: found.params,
      body,
      accountId: auth?.ok ? auth.accountId : '',
      now,
    });
    if (injected) {
      throw new HttpProblem(
        injected.status,
        'internal_server_error',
        'injected fault',
        `injected ${injected.status} after processing`,
      );
    }
    sendJson(res, reply.status, reply.body);
  } catch (err) {
    if (err instanceof HttpProblem) {
      sendProblem(res, err);
      return;
    }
    const message = err instanceof Error ? err.message : String(err);
    sendProblem(res, new HttpProblem(500, 'internal_server_error', 'internal server error', message));
  }
}
