/**
 * Resting orders: putting them on the book, taking them off (cancel, expiry, mass cancels) and
 * the book_delta events that say so. Every change of a resting size emits exactly one book_delta
 * attributed to the order that changed, then the order's `order` event, then the reservation is
 * recomputed (see COLLATERAL in exchange.ts).
 */
import type { Count, Price } from '../domain/index.js';
import { refreshReservation } from './core-collateral.js';
import {
  type AccountState,
  type CoreState,
  ladderOf,
  ladderPrice,
  type MarketState,
  snapshot,
} from './core-state.js';
import type { Ladder, SimOrder } from './core-types.js';
import { removeResting } from './matching.js';

export function stopResting(s: CoreState, acct: AccountState, order: SimOrder): void {
  acct.resting.delete(order.orderId);
  const inMarket = acct.restingByTicker.get(order.ticker);
  if (inMarket?.delete(order.orderId) && inMarket.size === 0) acct.restingByTicker.delete(order.ticker);
  s.expiring.delete(order.orderId);
}

export function bookDelta(
  s: CoreState,
  state: MarketState,
  ladder: Ladder,
  price: Price,
  delta: Count,
  owner: SimOrder,
  now: number,
): void {
  s.emit({
    type: 'book_delta',
    ticker: state.market.ticker,
    ladder,
    price,
    delta,
    accountId: owner.accountId,
    clientOrderId: owner.clientOrderId,
    ts: now,
  });
}

/** Records an order (already on the book) as resting and announces its size. */
export function startResting(s: CoreState, state: MarketState, order: SimOrder, now: number): void {
  const acct = s.accounts.get(order.accountId) as AccountState;
  acct.resting.set(order.orderId, order);
  let inMarket = acct.restingByTicker.get(order.ticker);
  if (!inMarket) {
    inMarket = new Map();
    acct.restingByTicker.set(order.ticker, inMarket);
  }
  inMarket.set(order.orderId, order);
  if (order.expirationMs !== undefined) s.expiring.add(order.orderId);
  bookDelta(s, state, ladderOf(order), ladderPrice(order), order.remainingCount, order, now);
}

/** Takes a resting order off the book and marks it canceled. Returns the size removed. */
export function cancelResting(s: CoreState, order: SimOrder, reason: string, now: number): Count {
  const acct = s.accounts.get(order.accountId) as AccountState;
  const state = s.markets.get(order.ticker) as MarketState;
  const ladder = ladderOf(order);
  const price = ladderPrice(order);
  const removed = removeResting(state.book, ladder, price, order.orderId);
  order.remainingCount = 0;
  order.status = 'canceled';
  order.lastUpdateMs = now;
  order.lastUpdateReason = reason;
  stopResting(s, acct, order);
  if (removed > 0) bookDelta(s, state, ladder, price, -removed, order, now);
  s.emit({ type: 'order', order: snapshot(order) });
  refreshReservation(s, acct, state, now);
  return removed;
}

/** Cancels every resting order (of any account) the predicate picks. */
export function cancelWhere(
  s: CoreState,
  predicate: (o: SimOrder) => boolean,
  reason: string,
  now: number,
): SimOrder[] {
  const canceled: SimOrder[] = [];
  for (const acct of s.accounts.values()) {
    for (const order of [...acct.resting.values()]) {
      if (!predicate(order)) continue;
      cancelResting(s, order, reason, now);
      canceled.push(snapshot(order));
    }
  }
  return canceled;
}

/** Cancels resting orders (of one market, or all) whose expiration time is at or before nowMs. */
export function expireOrders(
  s: CoreState,
  nowMs: number,
  ticker: string | undefined,
  now: number,
): SimOrder[] {
  const expired: SimOrder[] = [];
  for (const orderId of [...s.expiring]) {
    const order = s.orders.get(orderId) as SimOrder;
    if (ticker !== undefined && order.ticker !== ticker) continue;
    if (order.expirationMs === undefined || order.expirationMs > nowMs) continue;
    cancelResting(s, order, 'expired', now);
    expired.push(snapshot(order));
  }
  return expired;
}
