/**
 * Changing a resting order: decrease (keeps time priority) and amend. An amend to the same price
 * and no larger size is an in-place decrease that keeps time priority; a new price or a larger size
 * takes the order off the book and sends it back through matching with a new arrival number (the
 * back of the queue), where it may trade. Both refuse an order that is not resting.
 */
import type { Count } from '../domain/index.js';
import { refreshReservation, requiredFor } from './core-collateral.js';
import { incomingOf, recordDecision } from './core-fills.js';
import { checkCount, checkPrice, checkTradable, countStep } from './core-order-entry.js';
import { makerCaps, takerCap } from './core-order-groups.js';
import { bookDelta, cancelResting, expireOrders, stopResting } from './core-resting.js';
import {
  type AccountState,
  type CoreState,
  fail,
  ladderOf,
  ladderPrice,
  type MarketState,
  ok,
  snapshot,
} from './core-state.js';
import type { AmendRequest, CoreResult, DecreaseRequest, SimFill, SimOrder } from './core-types.js';
import {
  applyDecision,
  findResting,
  fromYesPrice,
  planOrder,
  reduceResting,
  removeResting,
  wouldCross,
} from './matching.js';

export function decrease(
  s: CoreState,
  accountId: string,
  orderId: string,
  req: DecreaseRequest,
): CoreResult<SimOrder> {
  const order = s.orders.get(orderId);
  if (!order || order.accountId !== accountId) return fail(404, 'not_found', `order ${orderId} not found`);
  if ((req.reduceBy === undefined) === (req.reduceTo === undefined)) {
    return fail(400, 'invalid_order', 'invalid order', 'exactly one of reduce_by or reduce_to is required');
  }
  if (order.status !== 'resting') {
    return fail(400, 'invalid_order', 'invalid order', `order is ${order.status}, not resting`);
  }
  const state = s.markets.get(order.ticker) as MarketState;
  const step = countStep(state.market);
  const amount = (req.reduceBy ?? req.reduceTo) as Count;
  const minimum = req.reduceBy !== undefined ? step : 0;
  if (!Number.isSafeInteger(amount) || amount < minimum || amount % step !== 0) {
    return fail(400, 'invalid_order_size', `decrease amount ${amount} is not a valid size`);
  }
  const now = s.clock();
  const target = req.reduceTo ?? order.remainingCount - amount;
  if (target <= 0) {
    cancelResting(s, order, 'canceled', now);
    return ok(snapshot(order));
  }
  if (target >= order.remainingCount) {
    return fail(400, 'invalid_order_size', `reduce_to ${target} must be less than the remaining count`);
  }
  const by = order.remainingCount - target;
  const ladder = ladderOf(order);
  const price = ladderPrice(order);
  reduceResting(state.book, ladder, price, order.orderId, by);
  order.remainingCount = target;
  order.lastUpdateMs = now;
  order.lastUpdateReason = 'decreased';
  bookDelta(s, state, ladder, price, -by, order, now);
  s.emit({ type: 'order', order: snapshot(order) });
  refreshReservation(s, s.accounts.get(accountId) as AccountState, state, now);
  return ok(snapshot(order));
}

type Amended = { old: SimOrder; order: SimOrder; fills: SimFill[] };

export function amend(
  s: CoreState,
  accountId: string,
  orderId: string,
  req: AmendRequest,
): CoreResult<Amended> {
  const order = s.orders.get(orderId);
  if (!order || order.accountId !== accountId) return fail(404, 'not_found', `order ${orderId} not found`);
  const acct = s.accounts.get(accountId) as AccountState;
  const state = s.markets.get(order.ticker) as MarketState;
  const now = s.clock();
  expireOrders(s, now, order.ticker, now);
  if (order.status !== 'resting') {
    return fail(400, 'invalid_order', 'invalid order', `order is ${order.status}, not resting`);
  }
  const untradable = checkTradable<Amended>(s, state.market);
  if (untradable) return untradable;
  const badPrice = checkPrice<Amended>(state.market, req.yesPrice);
  if (badPrice) return badPrice;
  const badCount = checkCount<Amended>(state.market, req.count);
  if (badCount) return badCount;
  if (req.count <= order.fillCount) {
    return fail(
      400,
      'invalid_order_size',
      `count ${req.count} must exceed the filled count ${order.fillCount} (count = filled + remaining)`,
    );
  }
  const newClientId = req.updatedClientOrderId;
  if (
    newClientId !== undefined &&
    newClientId !== order.clientOrderId &&
    acct.clientOrderIds.has(newClientId)
  ) {
    return fail(409, 'order_already_exists', `an order with client_order_id ${newClientId} already exists`);
  }
  const old = snapshot(order);
  const ladder = ladderOf(order);
  const oldPrice = ladderPrice(order);
  const newPrice = fromYesPrice(ladder, req.yesPrice);
  const newRemaining = req.count - order.fillCount;

  // Same price, no bigger: an in-place decrease that keeps time priority.
  if (newPrice === oldPrice && newRemaining <= order.remainingCount) {
    const by = order.remainingCount - newRemaining;
    if (by > 0) reduceResting(state.book, ladder, oldPrice, order.orderId, by);
    if (newClientId !== undefined) {
      acct.clientOrderIds.add(newClientId);
      order.clientOrderId = newClientId;
      const entry = findResting(state.book, ladder, oldPrice, order.orderId);
      if (entry) entry.clientOrderId = newClientId;
    }
    order.remainingCount = newRemaining;
    order.initialCount = req.count;
    order.lastUpdateMs = now;
    order.lastUpdateReason = 'amended';
    if (by > 0) bookDelta(s, state, ladder, oldPrice, -by, order, now);
    s.emit({ type: 'order', order: snapshot(order) });
    refreshReservation(s, acct, state, now);
    return ok({ old, order: snapshot(order), fills: [] });
  }

  // A new price or a bigger size: the order goes to the back of the queue and may trade.
  if (order.postOnly && wouldCross(state.book, ladder, newPrice)) {
    return fail(400, 'invalid_order', 'invalid order', 'post only cross');
  }
  const required = requiredFor(s, acct, state, ladder, newPrice, newRemaining, order.orderId);
  if (required > acct.cash - acct.reserved) {
    return fail(
      400,
      'available_balance_too_low',
      `amend needs ${required} micros but only ${acct.cash - acct.reserved} are available`,
    );
  }
  const removed = removeResting(state.book, ladder, oldPrice, order.orderId);
  stopResting(s, acct, order);
  if (newClientId !== undefined) {
    acct.clientOrderIds.add(newClientId);
    order.clientOrderId = newClientId;
  }
  bookDelta(s, state, ladder, oldPrice, -removed, { ...old }, now);
  s.arrivals += 1;
  order.arrival = s.arrivals;
  order.yesPrice = req.yesPrice;
  order.remainingCount = newRemaining;
  order.initialCount = req.count;
  order.lastUpdateMs = now;
  order.lastUpdateReason = 'amended';
  const incoming = incomingOf(order, undefined, takerCap(s, order, now));
  const decision = planOrder(state.book, incoming, makerCaps(s, now));
  applyDecision(state.book, incoming, decision);
  const fills = recordDecision(s, state, order, decision, now);
  refreshReservation(s, acct, state, now);
  return ok({ old, order: snapshot(order), fills: fills.map((f) => ({ ...f })) });
}
