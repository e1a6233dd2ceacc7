/**
 * Order entry: placing, canceling and mass-canceling orders (ORDERS, COLLATERAL and ERRORS in
 * exchange.ts's header). Validation happens in a fixed order — account, market, expiry sweep,
 * trading paused, market not active, book_side, price grid, count grid, expiration, duplicate
 * client_order_id, order group (unknown or triggered), reduce-only cap, post-only cross,
 * collateral — so the first failing rule names the error.
 */
import { COUNT_SCALE, type Count, MAX_LIMIT_PRICE, MIN_LIMIT_PRICE, type Price } from '../domain/index.js';
import { requiredFor } from './core-collateral.js';
import { incomingOf, recordDecision } from './core-fills.js';
import { admitToGroup, joinGroup, makerCaps, takerCap } from './core-order-groups.js';
import { cancelResting, expireOrders } from './core-resting.js';
import {
  type AccountState,
  type CoreState,
  fail,
  heldPosition,
  ladderOf,
  ladderPrice,
  type MarketState,
  ok,
  snapshot,
} from './core-state.js';
import type { CoreResult, OrderIntent, SimFill, SimMarket, SimOrder } from './core-types.js';
import { applyDecision, planOrder, wouldCross } from './matching.js';

export function checkPrice<T>(market: SimMarket, yesPrice: Price): CoreResult<T> | undefined {
  const step = market.priceLevelStructure === 'deci_cent' ? 10 : 100;
  if (!Number.isSafeInteger(yesPrice) || yesPrice < MIN_LIMIT_PRICE || yesPrice > MAX_LIMIT_PRICE) {
    return fail(400, 'invalid_price', `price ${yesPrice} is outside (0, 1)`);
  }
  if (yesPrice % step !== 0) {
    return fail(400, 'invalid_price', `price ${yesPrice} is not on the ${market.priceLevelStructure} grid`);
  }
  return undefined;
}

/** The smallest count a market accepts: one contract, or 0.01 on fractional markets. */
export function countStep(market: SimMarket): Count {
  return market.fractionalTradingEnabled ? 1 : COUNT_SCALE;
}

export function checkCount<T>(market: SimMarket, count: Count, what = 'count'): CoreResult<T> | undefined {
  const step = countStep(market);
  if (!Number.isSafeInteger(count) || count < step || count % step !== 0) {
    return fail(
      400,
      'invalid_order_size',
      `${what} ${count} must be a positive multiple of ${step} (${market.fractionalTradingEnabled ? '0.01' : '1'} contract)`,
    );
  }
  return undefined;
}

/** Trading paused, or the market not open: the same two refusals for place and amend. */
export function checkTradable<T>(s: CoreState, market: SimMarket): CoreResult<T> | undefined {
  if (!s.tradingActive) return fail(400, 'trading_is_paused', 'trading is paused on the exchange');
  if (market.status !== 'active') {
    return fail(400, 'market_closed', `market ${market.ticker} is not open for trading (${market.status})`);
  }
  return undefined;
}

type Placed = { order: SimOrder; fills: SimFill[] };

/** Validation of an intent against the market and the account; the order's count if it may go. */
function admit(
  s: CoreState,
  acct: AccountState,
  state: MarketState,
  intent: OrderIntent,
  now: number,
): CoreResult<Count> {
  const market = state.market;
  const untradable = checkTradable<Count>(s, market);
  if (untradable) return untradable;
  const expectedBookSide = (intent.action === 'buy') === (intent.side === 'yes') ? 'bid' : 'ask';
  if (intent.bookSide !== expectedBookSide) {
    return fail(400, 'invalid_order', 'invalid order', 'book_side does not match action and side');
  }
  const badPrice = checkPrice<Count>(market, intent.yesPrice);
  if (badPrice) return badPrice;
  const badCount = checkCount<Count>(market, intent.count);
  if (badCount) return badCount;
  if (intent.expirationMs !== undefined) {
    if (intent.timeInForce !== 'good_till_canceled') {
      return fail(
        400,
        'invalid_order',
        'invalid order',
        'Cannot specify both immediate_or_cancel and expiration_ts',
      );
    }
    if (intent.expirationMs <= now) {
      return fail(400, 'invalid_order', 'invalid order', 'Expiration timestamp must be in the future');
    }
  }
  if (acct.clientOrderIds.has(intent.clientOrderId)) {
    return fail(
      409,
      'order_already_exists',
      `an order with client_order_id ${intent.clientOrderId} already exists`,
    );
  }
  const closedGroup = admitToGroup<Count>(s, acct.id, intent.orderGroupId);
  if (closedGroup) return closedGroup;
  const ladder = ladderOf(intent);
  const price = ladderPrice(intent);
  let count = intent.count;
  if (intent.reduceOnly) {
    const held = heldPosition(acct, market.ticker);
    const reducible = ladder === 'yes' ? Math.max(-held, 0) : Math.max(held, 0);
    if (reducible === 0) {
      return fail(400, 'invalid_order', 'invalid order', 'reduce only: no position to reduce');
    }
    count = Math.min(count, reducible);
  }
  if (intent.postOnly && wouldCross(state.book, ladder, price)) {
    return fail(400, 'invalid_order', 'invalid order', 'post only cross');
  }
  const required = requiredFor(s, acct, state, ladder, price, count);
  if (required > acct.cash - acct.reserved) {
    return fail(
      400,
      'available_balance_too_low',
      `order needs ${required} micros but only ${acct.cash - acct.reserved} are available`,
    );
  }
  return ok(count);
}

export function place(s: CoreState, intent: OrderIntent): CoreResult<Placed> {
  const now = s.clock();
  const acct = s.accounts.get(intent.accountId);
  if (!acct) return fail(404, 'not_found', `account ${intent.accountId} not found`);
  const state = s.markets.get(intent.ticker);
  if (!state) return fail(404, 'not_found', `market ${intent.ticker} not found`);
  expireOrders(s, now, intent.ticker, now);
  const admitted = admit(s, acct, state, intent, now);
  if (!admitted.ok) return admitted;
  const count = admitted.value;

  s.arrivals += 1;
  const order: SimOrder = {
    orderId: s.ids.order(),
    accountId: acct.id,
    clientOrderId: intent.clientOrderId,
    ticker: state.market.ticker,
    action: intent.action,
    side: intent.side,
    bookSide: intent.bookSide,
    yesPrice: intent.yesPrice,
    status: 'resting',
    initialCount: count,
    fillCount: 0,
    remainingCount: count,
    takerFillCost: 0,
    makerFillCost: 0,
    takerFees: 0,
    makerFees: 0,
    timeInForce: intent.timeInForce,
    postOnly: intent.postOnly,
    reduceOnly: intent.reduceOnly,
    selfTradePrevention: intent.selfTradePrevention,
    cancelOnPause: intent.cancelOnPause,
    subaccount: intent.subaccount,
    createdMs: now,
    lastUpdateMs: now,
    arrival: s.arrivals,
  };
  if (intent.expirationMs !== undefined) order.expirationMs = intent.expirationMs;
  if (intent.orderGroupId !== undefined) order.orderGroupId = intent.orderGroupId;
  s.orders.set(order.orderId, order);
  acct.orderIds.push(order.orderId);
  acct.clientOrderIds.add(order.clientOrderId);
  joinGroup(s, order);

  const incoming = incomingOf(order, intent.buyMaxCost, takerCap(s, order, now));
  const decision = planOrder(state.book, incoming, makerCaps(s, now));
  applyDecision(state.book, incoming, decision);
  const fills = recordDecision(s, state, order, decision, now);
  return ok({ order: snapshot(order), fills: fills.map((f) => ({ ...f })) });
}

export function cancel(
  s: CoreState,
  accountId: string,
  orderId: string,
): CoreResult<{ order: SimOrder; reducedBy: Count }> {
  const order = s.orders.get(orderId);
  if (!order || order.accountId !== accountId) return fail(404, 'not_found', `order ${orderId} not found`);
  if (order.status !== 'resting') return ok({ order: snapshot(order), reducedBy: 0 });
  const reducedBy = cancelResting(s, order, 'canceled', s.clock());
  return ok({ order: snapshot(order), reducedBy });
}

export function cancelAll(s: CoreState, accountId: string, filter?: { ticker?: string }): SimOrder[] {
  const acct = s.accounts.get(accountId);
  if (!acct) return [];
  const now = s.clock();
  const canceled: SimOrder[] = [];
  for (const order of [...acct.resting.values()]) {
    if (filter?.ticker !== undefined && order.ticker !== filter.ticker) continue;
    cancelResting(s, order, 'canceled', now);
    canceled.push(snapshot(order));
  }
  return canceled;
}
