/** REST handlers for account and portfolio reads: limits, balance, positions, orders, fills, settlements. */
import { formatDollars as dollars, formatCount, RATE_LIMIT_TIERS } from '../kalshi/index.js';
import type { OrderStatus, SimOrder, SimPosition } from './core-types.js';
import { badRequest, listParam, notFound, paginate } from './http-util.js';
import { renderBalance, renderFill, renderOrder, renderPosition, renderSettlement } from './render.js';
import { ok, type Reply, type RestContext, type RestRequest, timeRange } from './rest-route.js';

// ---------- account ----------

/**
 * A budget no client reaches: what GET /account/limits reports while rate limits are off (the
 * simulator then never answers 429).
 */
const UNLIMITED_TOKENS = 1_000_000_000;

/** GET /account/limits: the tier every key is limited by, in Kalshi's shape (tokens, per second). */
export function getAccountLimits(ctx: RestContext): Reply {
  const bucket = (b: { refillPerSec: number; capacity: number }) => ({
    refill_rate: b.refillPerSec,
    bucket_capacity: b.capacity,
  });
  if (ctx.rateLimit === false) {
    const unlimited = bucket({ refillPerSec: UNLIMITED_TOKENS, capacity: UNLIMITED_TOKENS });
    return ok({ usage_tier: 'unlimited', read: unlimited, write: unlimited, grants: [] });
  }
  const spec = RATE_LIMIT_TIERS[ctx.rateLimit];
  return ok({ usage_tier: ctx.rateLimit, read: bucket(spec.read), write: bucket(spec.write), grants: [] });
}

/** GET /account/endpoint_costs: the costs this exchange charges that differ from its default. */
export function getAccountEndpointCosts(ctx: RestContext): Reply {
  const costs = ctx.endpointCosts;
  if (costs === 'unlisted') throw notFound('no endpoint costs are listed on this exchange');
  return ok({
    default_cost: costs.defaultCost,
    endpoint_costs: costs.entries.map((e) => ({ method: e.method, path: e.path, cost: e.cost })),
  });
}

// ---------- portfolio reads ----------

export function getBalance(ctx: RestContext, req: RestRequest): Reply {
  const b = ctx.core.balance(req.accountId);
  const drift = ctx.faults.balanceDrift.get(req.accountId) ?? 0;
  return ok(renderBalance(b.cash + drift, b.portfolioValue, b.updatedMs));
}

/** The account's positions as reported: the ledger's, moved by the drift_position fault. */
export function reportedPositions(ctx: RestContext, accountId: string): SimPosition[] {
  const positions = ctx.core.positions(accountId);
  const drift = ctx.faults.positionDrift.get(accountId);
  if (!drift) return positions;
  for (const [ticker, delta] of drift) {
    const status = ctx.core.market(ticker)?.status;
    if (status === 'determined' || status === 'finalized') continue;
    const pos = positions.find((p) => p.ticker === ticker);
    if (pos) pos.position += delta;
    else positions.push({ ...emptyPosition(ticker, ctx.clock()), position: delta });
  }
  return positions;
}

function emptyPosition(ticker: string, now: number): SimPosition {
  return {
    ticker,
    position: 0,
    positionCost: 0,
    totalTraded: 0,
    marketExposure: 0,
    realizedPnl: 0,
    feesPaid: 0,
    volume: 0,
    lastUpdatedMs: now,
  };
}

export function getPositions(ctx: RestContext, req: RestRequest): Reply {
  const q = req.query;
  const ticker = q.get('ticker');
  const eventTicker = q.get('event_ticker');
  const countFilter = listParam(q, 'count_filter');
  const positions = reportedPositions(ctx, req.accountId).filter((p) => {
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

export function getOrders(ctx: RestContext, req: RestRequest): Reply {
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

export function ownOrder(ctx: RestContext, req: RestRequest): SimOrder {
  const o = ctx.core.order(req.accountId, req.params[0]!);
  if (!o) throw notFound(`order ${req.params[0]} not found`);
  return o;
}

export function getOrder(ctx: RestContext, req: RestRequest): Reply {
  return ok({ order: renderOrder(ownOrder(ctx, req)) });
}

export function getFills(ctx: RestContext, req: RestRequest): Reply {
  const q = req.query;
  const fills = ctx.core.fills(req.accountId, {
    ...(q.get('ticker') ? { ticker: q.get('ticker')! } : {}),
    ...(q.get('order_id') ? { orderId: q.get('order_id')! } : {}),
    ...timeRange(q),
  });
  const page = paginate(fills, q, 1000, 100);
  return ok({ fills: page.items.map(renderFill), cursor: page.cursor });
}

export function getSettlements(ctx: RestContext, req: RestRequest): Reply {
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
