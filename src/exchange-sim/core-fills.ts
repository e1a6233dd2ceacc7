/**
 * Fills: what a matching decision does to accounts, orders and the market (CASH and POSITIONS in
 * exchange.ts's header), and the events it emits, per execution in this order: trade, fill
 * (taker), fill (maker), book_delta (maker's level), order (maker), position (taker, maker),
 * balance (taker, maker). The taker's own `order` event follows all its fills. Each execution
 * counts in the window of the taker's and the maker's order group; groups it took to their limit
 * are triggered after the taker's final state (ORDER GROUPS).
 */
import { type Count, complement, type Micros, notional, type Price } from '../domain/index.js';
import { refreshReservation } from './core-collateral.js';
import { enforceGroupLimits, recordGroupMatch } from './core-order-groups.js';
import { bookDelta, startResting, stopResting } from './core-resting.js';
import {
  type AccountState,
  type CoreState,
  feeSchedule,
  heldPosition,
  ladderOf,
  ladderPrice,
  type MarketState,
  MICROS_PER_COUNT_UNIT_PAYOUT,
  position,
  proportion,
  pruneRecent,
  snapshot,
} from './core-state.js';
import type { Ladder, SimFill, SimOrder, SimPosition, SimTrade } from './core-types.js';
import { makerFee, takerFee } from './fees.js';
import { fromYesPrice, type GroupCap, type IncomingOrder, type MatchDecision } from './matching.js';

/** Applies one fill to an account's cash and position (see CASH and POSITIONS). */
export function applyFill(
  acct: AccountState,
  ticker: string,
  ladder: Ladder,
  count: Count,
  legPrice: Price,
  fee: Micros,
  now: number,
): SimPosition {
  const pos = position(acct, ticker, now);
  const held = pos.position;
  const closing = Math.min(count, ladder === 'yes' ? Math.max(-held, 0) : Math.max(held, 0));
  const opening = count - closing;
  const cost = notional(count, legPrice);
  acct.cash += closing * MICROS_PER_COUNT_UNIT_PAYOUT - cost - fee;
  if (closing > 0) {
    const removed = proportion(pos.positionCost, closing, Math.abs(held));
    pos.positionCost -= removed;
    pos.realizedPnl += notional(closing, complement(legPrice)) - removed;
  }
  pos.positionCost += notional(opening, legPrice);
  pos.position += ladder === 'yes' ? count : -count;
  pos.marketExposure = pos.positionCost;
  pos.totalTraded += cost;
  pos.feesPaid += fee;
  pos.volume += count;
  pos.lastUpdatedMs = now;
  acct.updatedMs = now;
  return pos;
}

export function makeFill(
  s: CoreState,
  order: SimOrder,
  tradeId: string,
  isTaker: boolean,
  yesPrice: Price,
  count: Count,
  fee: Micros,
  postPosition: Count,
  now: number,
): SimFill {
  return {
    fillId: s.ids.fill(),
    tradeId,
    accountId: order.accountId,
    orderId: order.orderId,
    clientOrderId: order.clientOrderId,
    ticker: order.ticker,
    isTaker,
    action: order.action,
    side: order.side,
    bookSide: order.bookSide,
    yesPrice,
    count,
    fee,
    postPosition,
    createdMs: now,
    subaccount: order.subaccount,
  };
}

/** The matching core's view of an order about to be matched. */
export function incomingOf(order: SimOrder, buyMaxCost?: Micros, group?: GroupCap): IncomingOrder {
  const incoming: IncomingOrder = {
    orderId: order.orderId,
    accountId: order.accountId,
    clientOrderId: order.clientOrderId,
    ladder: ladderOf(order),
    price: ladderPrice(order),
    count: order.remainingCount,
    timeInForce: order.timeInForce,
    postOnly: order.postOnly,
    selfTradePrevention: order.selfTradePrevention,
    arrival: order.arrival,
  };
  if (buyMaxCost !== undefined) incoming.maxCost = buyMaxCost;
  if (group !== undefined) incoming.group = group;
  return incoming;
}

/** An STP cancel of the taker's own resting order, already taken off the book by the decision. */
function selfTradeCancel(
  s: CoreState,
  state: MarketState,
  takerAcct: AccountState,
  step: { orderId: string; ladder: Ladder; price: Price; count: Count },
  now: number,
): void {
  const own = s.orders.get(step.orderId) as SimOrder;
  own.remainingCount = 0;
  own.status = 'canceled';
  own.lastUpdateMs = now;
  own.lastUpdateReason = 'self_trade_prevention';
  stopResting(s, takerAcct, own);
  bookDelta(s, state, step.ladder, step.price, -step.count, own, now);
  s.emit({ type: 'order', order: snapshot(own) });
  refreshReservation(s, takerAcct, state, now);
}

/**
 * Records what a decision did (the book is already changed): trades, fills, maker updates, STP
 * cancels, and the taker's final state. Returns the taker's fills.
 */
export function recordDecision(
  s: CoreState,
  state: MarketState,
  taker: SimOrder,
  decision: MatchDecision,
  now: number,
): SimFill[] {
  if (decision.kind === 'rejected') return [];
  const takerAcct = s.accounts.get(taker.accountId) as AccountState;
  const schedule = feeSchedule(s, state.market);
  const market = state.market;
  const takerLadder = ladderOf(taker);
  const takerFills: SimFill[] = [];
  const groups = new Set<string>();
  for (const step of decision.steps) {
    if (step.kind === 'self_trade_cancel') {
      selfTradeCancel(s, state, takerAcct, step, now);
      continue;
    }
    const maker = s.orders.get(step.makerOrderId) as SimOrder;
    const makerAcct = s.accounts.get(maker.accountId) as AccountState;
    const count = step.count;
    const takerLeg = fromYesPrice(takerLadder, step.yesPrice);
    const makerLeg = step.makerPrice;
    const tFee = takerFee(count, step.yesPrice, schedule);
    const mFee = makerFee(count, step.yesPrice, schedule);
    const takerBefore = heldPosition(takerAcct, market.ticker);
    const makerBefore = heldPosition(makerAcct, market.ticker);
    const takerPos = applyFill(takerAcct, market.ticker, takerLadder, count, takerLeg, tFee, now);
    const makerPos = applyFill(makerAcct, market.ticker, step.makerLadder, count, makerLeg, mFee, now);
    market.openInterest +=
      Math.max(takerPos.position, 0) -
      Math.max(takerBefore, 0) +
      Math.max(makerPos.position, 0) -
      Math.max(makerBefore, 0);
    market.previousPrice = market.lastPrice;
    market.lastPrice = step.yesPrice;
    market.volume += count;
    market.volume24h += count;
    state.recent.push({ ms: now, count });
    pruneRecent(state, now);

    const trade: SimTrade = {
      tradeId: s.ids.trade(),
      ticker: market.ticker,
      yesPrice: step.yesPrice,
      count,
      takerOutcomeSide: taker.bookSide === 'bid' ? 'yes' : 'no',
      takerBookSide: taker.bookSide,
      createdMs: now,
    };
    s.trades.push(trade);

    taker.fillCount += count;
    taker.remainingCount -= count;
    taker.takerFillCost += notional(count, takerLeg);
    taker.takerFees += tFee;
    taker.lastUpdateMs = now;
    maker.fillCount += count;
    maker.remainingCount -= count;
    maker.makerFillCost += notional(count, makerLeg);
    maker.makerFees += mFee;
    maker.lastUpdateMs = now;
    if (maker.remainingCount === 0) {
      maker.status = 'executed';
      maker.lastUpdateReason = 'filled';
      stopResting(s, makerAcct, maker);
    } else {
      maker.lastUpdateReason = 'partially_filled';
    }
    for (const o of [taker, maker]) {
      const group = recordGroupMatch(s, o, count, now);
      if (group !== undefined) groups.add(group);
    }

    const takerFill = makeFill(
      s,
      taker,
      trade.tradeId,
      true,
      step.yesPrice,
      count,
      tFee,
      takerPos.position,
      now,
    );
    const makerFill = makeFill(
      s,
      maker,
      trade.tradeId,
      false,
      step.yesPrice,
      count,
      mFee,
      makerPos.position,
      now,
    );
    takerAcct.fills.push(takerFill);
    makerAcct.fills.push(makerFill);
    takerFills.push(takerFill);

    s.emit({ type: 'trade', trade: { ...trade } });
    s.emit({ type: 'fill', fill: { ...takerFill } });
    s.emit({ type: 'fill', fill: { ...makerFill } });
    bookDelta(s, state, step.makerLadder, step.makerPrice, -count, maker, now);
    s.emit({ type: 'order', order: snapshot(maker) });
    s.emit({ type: 'position', accountId: takerAcct.id, position: { ...takerPos } });
    s.emit({ type: 'position', accountId: makerAcct.id, position: { ...makerPos } });
    refreshReservation(s, takerAcct, state, now, true);
    refreshReservation(s, makerAcct, state, now, true);
  }

  taker.lastUpdateMs = now;
  if (decision.remainder === 'none') {
    taker.status = 'executed';
    taker.lastUpdateReason = 'filled';
    s.emit({ type: 'order', order: snapshot(taker) });
  } else if (decision.remainder === 'cancel') {
    taker.status = 'canceled';
    taker.remainingCount = 0;
    taker.lastUpdateReason = decision.cancelReason ?? 'canceled';
    s.emit({ type: 'order', order: snapshot(taker) });
  } else {
    taker.status = 'resting';
    s.emit({ type: 'order', order: snapshot(taker) });
    startResting(s, state, taker, now);
    refreshReservation(s, takerAcct, state, now);
  }
  enforceGroupLimits(s, groups, now);
  return takerFills;
}
