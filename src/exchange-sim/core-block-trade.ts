/**
 * BLOCK TRADES (exchange.ts): an off-book trade between two accounts at an agreed YES price, used
 * by the admin surface to seed an account with positions. It never touches the book: no
 * book_delta, no public `trade` event, no change of the market's last price; it is recorded (REST
 * trades show is_block_trade: true), makes one executed order and one fill per side (the buyer is
 * the taker), moves positions, cash and open interest by the CASH and POSITIONS rules, and charges
 * no fee. Each side needs the cash its leg costs (after what closing its opposite position returns).
 */
import { type Count, complement, notional } from '../domain/index.js';
import { refreshReservation } from './core-collateral.js';
import { applyFill, makeFill } from './core-fills.js';
import { checkCount, checkPrice } from './core-order-entry.js';
import {
  type AccountState,
  type CoreState,
  fail,
  heldPosition,
  type MarketState,
  MICROS_PER_COUNT_UNIT_PAYOUT,
  ok,
  snapshot,
} from './core-state.js';
import type { BlockTradeRequest, CoreResult, Ladder, SimOrder, SimTrade } from './core-types.js';

type Traded = { buyer: SimOrder; seller: SimOrder; trade: SimTrade };

/** Cash after buying `count` of `ladder`'s leg at `legPrice`, closing held opposite contracts first. */
function cashAfter(
  acct: AccountState,
  ticker: string,
  ladder: Ladder,
  count: Count,
  legPrice: number,
): number {
  const held = heldPosition(acct, ticker);
  const closing = Math.min(count, ladder === 'yes' ? Math.max(-held, 0) : Math.max(held, 0));
  return acct.cash + closing * MICROS_PER_COUNT_UNIT_PAYOUT - notional(count, legPrice);
}

function blockOrder(
  s: CoreState,
  acct: AccountState,
  req: BlockTradeRequest,
  side: 'buy' | 'sell',
  now: number,
) {
  s.arrivals += 1;
  const orderId = s.ids.order();
  const order: SimOrder = {
    orderId,
    accountId: acct.id,
    clientOrderId: `block-${orderId}`,
    ticker: req.ticker,
    action: side,
    side: 'yes',
    bookSide: side === 'buy' ? 'bid' : 'ask',
    yesPrice: req.yesPrice,
    status: 'executed',
    initialCount: req.count,
    fillCount: req.count,
    remainingCount: 0,
    takerFillCost: side === 'buy' ? notional(req.count, req.yesPrice) : 0,
    makerFillCost: side === 'sell' ? notional(req.count, complement(req.yesPrice)) : 0,
    takerFees: 0,
    makerFees: 0,
    timeInForce: 'fill_or_kill',
    postOnly: false,
    reduceOnly: false,
    selfTradePrevention: 'maker',
    cancelOnPause: false,
    subaccount: 0,
    createdMs: now,
    lastUpdateMs: now,
    lastUpdateReason: 'filled',
    arrival: s.arrivals,
  };
  s.orders.set(orderId, order);
  acct.orderIds.push(orderId);
  acct.clientOrderIds.add(order.clientOrderId);
  return order;
}

export function blockTrade(s: CoreState, req: BlockTradeRequest): CoreResult<Traded> {
  const buyer = s.accounts.get(req.buyerId);
  const seller = s.accounts.get(req.sellerId);
  if (!buyer) return fail(404, 'not_found', `account ${req.buyerId} not found`);
  if (!seller) return fail(404, 'not_found', `account ${req.sellerId} not found`);
  if (buyer === seller)
    return fail(400, 'invalid_order', 'invalid order', 'a block trade needs two accounts');
  const state = s.markets.get(req.ticker) as MarketState | undefined;
  if (!state) return fail(404, 'not_found', `market ${req.ticker} not found`);
  const market = state.market;
  if (market.status !== 'active') {
    return fail(400, 'market_closed', `market ${market.ticker} is not open for trading (${market.status})`);
  }
  const badPrice = checkPrice<Traded>(market, req.yesPrice);
  if (badPrice) return badPrice;
  const badCount = checkCount<Traded>(market, req.count);
  if (badCount) return badCount;
  const noPrice = complement(req.yesPrice);
  for (const [acct, ladder, leg] of [
    [buyer, 'yes', req.yesPrice],
    [seller, 'no', noPrice],
  ] as const) {
    if (cashAfter(acct, market.ticker, ladder, req.count, leg) < acct.reserved) {
      return fail(400, 'available_balance_too_low', `account ${acct.id} cannot pay for the block trade`);
    }
  }

  const now = s.clock();
  const buyOrder = blockOrder(s, buyer, req, 'buy', now);
  const sellOrder = blockOrder(s, seller, req, 'sell', now);
  const beforeBuyer = heldPosition(buyer, market.ticker);
  const beforeSeller = heldPosition(seller, market.ticker);
  const buyerPos = applyFill(buyer, market.ticker, 'yes', req.count, req.yesPrice, 0, now);
  const sellerPos = applyFill(seller, market.ticker, 'no', req.count, noPrice, 0, now);
  market.openInterest +=
    Math.max(buyerPos.position, 0) -
    Math.max(beforeBuyer, 0) +
    Math.max(sellerPos.position, 0) -
    Math.max(beforeSeller, 0);
  market.volume += req.count;
  market.volume24h += req.count;
  state.recent.push({ ms: now, count: req.count });
  const trade: SimTrade = {
    tradeId: s.ids.trade(),
    ticker: market.ticker,
    yesPrice: req.yesPrice,
    count: req.count,
    takerOutcomeSide: 'yes',
    takerBookSide: 'bid',
    createdMs: now,
    blockTrade: true,
  };
  s.trades.push(trade);
  const buyFill = makeFill(
    s,
    buyOrder,
    trade.tradeId,
    true,
    req.yesPrice,
    req.count,
    0,
    buyerPos.position,
    now,
  );
  const sellFill = makeFill(
    s,
    sellOrder,
    trade.tradeId,
    false,
    req.yesPrice,
    req.count,
    0,
    sellerPos.position,
    now,
  );
  buyer.fills.push(buyFill);
  seller.fills.push(sellFill);
  s.emit({ type: 'fill', fill: { ...buyFill } });
  s.emit({ type: 'fill', fill: { ...sellFill } });
  s.emit({ type: 'order', order: snapshot(buyOrder) });
  s.emit({ type: 'order', order: snapshot(sellOrder) });
  s.emit({ type: 'position', accountId: buyer.id, position: { ...buyerPos } });
  s.emit({ type: 'position', accountId: seller.id, position: { ...sellerPos } });
  refreshReservation(s, buyer, state, now, true);
  refreshReservation(s, seller, state, now, true);
  return ok({ buyer: snapshot(buyOrder), seller: snapshot(sellOrder), trade: { ...trade } });
}
