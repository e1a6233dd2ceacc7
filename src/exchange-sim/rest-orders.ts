/** REST handlers for order entry: V2 (/portfolio/events/orders) and legacy v1 (/portfolio/orders). */
import { randomUUID } from 'node:crypto';
import { divRound, type Price } from '../domain/index.js';
import { formatDollars as dollars, formatCount, formatPrice } from '../kalshi/index.js';
import type { CoreResult, OrderIntent, SimFill, SimOrder } from './core-types.js';
import { badRequest, HttpProblem } from './http-util.js';
import {
  asObject,
  bookSideOf,
  legacyCount,
  legacyYesPrice,
  parseCreateOrderV1,
  parseCreateOrderV2,
  parseDecrease,
} from './order-requests.js';
import { renderOrder } from './render.js';
import { ownOrder } from './rest-portfolio.js';
import { created, ok, type Reply, type RestContext, type RestRequest, unwrap } from './rest-route.js';

const MAX_BATCH = 20;

/** Places an API order; the withhold_private fault (faults.ts) watches its creation. */
function placeOrder(
  ctx: RestContext,
  intent: OrderIntent,
): CoreResult<{ order: SimOrder; fills: SimFill[] }> {
  ctx.faults.beginWithhold(intent.accountId, intent.clientOrderId, intent.ticker);
  let placed = false;
  try {
    const r = ctx.core.place(intent);
    placed = r.ok;
    return r;
  } finally {
    ctx.faults.endWithhold(placed);
  }
}

/** Items billed for a batch request (the rate limit bills per order). */
export const batchCount = (body: unknown): number => {
  const orders =
    (body as { orders?: unknown; ids?: unknown } | null)?.orders ?? (body as { ids?: unknown } | null)?.ids;
  return Array.isArray(orders) ? orders.length : 1;
};

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

export function createOrderV2(ctx: RestContext, req: RestRequest): Reply {
  const intent = parseCreateOrderV2(req.body, req.accountId, req.now, randomUUID);
  const { order, fills } = unwrap(placeOrder(ctx, intent));
  return created(v2OrderResult(order, fills, req.now));
}

export function cancelOrderV2(ctx: RestContext, req: RestRequest): Reply {
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

export function batchCreateOrdersV2(ctx: RestContext, req: RestRequest): Reply {
  const results = batchItems(req.body).map((item) => {
    const coid =
      typeof (item as { client_order_id?: unknown })?.client_order_id === 'string'
        ? (item as { client_order_id: string }).client_order_id
        : null;
    try {
      const intent = parseCreateOrderV2(item, req.accountId, req.now, randomUUID);
      const { order, fills } = unwrap(placeOrder(ctx, intent));
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

export function batchCancelOrdersV2(ctx: RestContext, req: RestRequest): Reply {
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

export function cancelAllOrders(ctx: RestContext, req: RestRequest): Reply {
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

export function amendOrderV2(ctx: RestContext, req: RestRequest): Reply {
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

export function decreaseOrderV2(ctx: RestContext, req: RestRequest): Reply {
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

export function createOrderV1(ctx: RestContext, req: RestRequest): Reply {
  const intent = parseCreateOrderV1(req.body, req.accountId, req.now, randomUUID);
  return created({ order: renderOrder(unwrap(placeOrder(ctx, intent)).order) });
}

export function cancelOrderV1(ctx: RestContext, req: RestRequest): Reply {
  const { order, reducedBy } = unwrap(ctx.core.cancel(req.accountId, req.params[0]!));
  return ok({ order: renderOrder(order), reduced_by_fp: formatCount(reducedBy) });
}

export function batchCreateOrdersV1(ctx: RestContext, req: RestRequest): Reply {
  const results = batchItems(req.body).map((item) => {
    const coid = (item as { client_order_id?: unknown } | null)?.client_order_id;
    try {
      const intent = parseCreateOrderV1(item, req.accountId, req.now, randomUUID);
      return {
        client_order_id: intent.clientOrderId,
        order: renderOrder(unwrap(placeOrder(ctx, intent)).order),
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

export function batchCancelOrdersV1(ctx: RestContext, req: RestRequest): Reply {
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

export function amendOrderV1(ctx: RestContext, req: RestRequest): Reply {
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

export function decreaseOrderV1(ctx: RestContext, req: RestRequest): Reply {
  const order = ownOrder(ctx, req);
  return ok({
    order: renderOrder(unwrap(ctx.core.decrease(req.accountId, order.orderId, parseDecrease(req.body)))),
  });
}
