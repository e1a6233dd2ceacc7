/**
 * Adopting: an order on the account that is not ours (its client_order_id is unknown to us — placed
 * by hand, by another program, or by an earlier run whose record is gone) is taken under watch. It
 * is tracked with strategy 'adopted', counts against exposure like our own open orders, is canceled
 * by cancel-all, and is flagged on the bus ('order.foreignFound'); `--foreign-orders halt` turns
 * that flag into a breaker trip (the runtime's bridge). This is the only meaning of "adopt" in the
 * order path.
 */
import type { EventBus } from '../../bus.js';
import type { ExchangeOrder, OrderIntent, TrackedOrder } from '../../domain/index.js';
import type { OrderEvent } from '../order-lifecycle.js';
import type { OrderStore } from './store.js';
import { ADOPTED_STRATEGY } from './types.js';

export const REPORT_EVENT: Record<ExchangeOrder['status'], OrderEvent> = {
  resting: 'EXCHANGE_REPORTED_RESTING',
  executed: 'EXCHANGE_REPORTED_EXECUTED',
  canceled: 'EXCHANGE_REPORTED_CANCELED',
};

/** Takes a foreign order under watch and flags it; returns the tracked order. */
export function adoptForeign(
  store: OrderStore,
  bus: EventBus,
  o: ExchangeOrder,
  source: string,
): TrackedOrder {
  const clientOrderId = o.clientOrderId !== '' ? o.clientOrderId : `adopted:${o.orderId}`;
  const now = store.clock();
  const intent: OrderIntent = {
    ticker: o.ticker,
    bookSide: o.bookSide,
    yesPrice: o.yesPrice,
    count: o.initialCount,
    // Not reported by the exchange; a resting order behaves as good-till-canceled.
    timeInForce: 'good_till_canceled',
    strategy: ADOPTED_STRATEGY,
    reason:
      'found at the exchange with no local record (not ours: placed by hand, another program or a lost record)',
  };
  // It starts as unknown (we know nothing of it but the report), then the report moves it.
  const order: TrackedOrder = {
    clientOrderId,
    orderId: o.orderId,
    intent,
    status: 'unknown',
    fillCount: 0,
    fillNotional: 0,
    fees: 0,
    createdMs: o.createdMs || now,
    updatedMs: now,
    history: [{ status: 'unknown', at: now, why: `adopted from the exchange (${source})` }],
  };
  store.put(order);
  store.stats.foreignOrders += 1;
  const moved = store.move(order, REPORT_EVENT[o.status], `adopted: exchange says ${o.status}`, 'exchange');
  store.hooks.orderIdLearned(o.orderId);
  bus.emit('order.foreignFound', { order: moved, source, at: now });
  return moved;
}
