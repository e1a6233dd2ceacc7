/**
 * The order path's wire adapter: a domain OrderRequest (src/domain/order-request.ts) becomes the
 * V2 create body, and the exchange's create / cancel answers become domain values. Units are
 * formatted and parsed here (units.ts) and nowhere in the OrderService; garbage throws
 * WireFormatError naming the field.
 */
import type { CancelOrderV2Response, CreateOrderV2Request, CreateOrderV2Response } from 'kalshi-typescript';
import type { Count, OrderPlacement, OrderRequest } from '../domain/index.js';
import { formatCount, formatPrice, parseCount } from './units.js';

/** POST /portfolio/events/orders body for one order. */
export function createOrderBody(o: OrderRequest): CreateOrderV2Request {
  return {
    ticker: o.ticker,
    client_order_id: o.clientOrderId,
    side: o.bookSide,
    count: formatCount(o.count),
    price: formatPrice(o.yesPrice),
    time_in_force: o.timeInForce,
    self_trade_prevention_type: o.selfTradePrevention,
    post_only: o.postOnly,
    reduce_only: o.reduceOnly,
    ...(o.orderGroupId !== undefined ? { order_group_id: o.orderGroupId } : {}),
  };
}

/** The create answer: order id, filled at once, still resting. Throws on unreadable counts. */
export function placementFromRest(v: CreateOrderV2Response): OrderPlacement {
  return {
    orderId: v.order_id,
    fillCount: parseCount(v.fill_count, 'fill_count'),
    remainingCount: parseCount(v.remaining_count, 'remaining_count'),
  };
}

/** How much a cancel removed (0 when the answer does not say or cannot be read). */
export function reducedByFromRest(v: CancelOrderV2Response): Count {
  try {
    return parseCount(v.reduced_by, 'reduced_by');
  } catch {
    return 0;
  }
}
