/**
 * The simulator's exchange core: markets, books, accounts, orders, fills and settlement, over the
 * pure fill rules in ./matching.ts and the fee rules in ./fees.ts. Synchronous and deterministic:
 * time comes only from `opts.clock`, ids only from counters (the same calls give the same ids).
 *
 * This file is the facade and the spec; the rules live in one module per concern, all over one
 * shared state (core-state.ts):
 *   core-collateral.ts    COLLATERAL           core-market-status.ts  LIFECYCLE, settlement
 *   core-resting.ts       resting orders       core-portfolio.ts      accounts, PORTFOLIO VALUE
 *   core-fills.ts         CASH, POSITIONS      core-queries.ts        reads
 *   core-order-entry.ts   ORDERS: place/cancel core-amend.ts          decrease, amend
 *   core-order-groups.ts  ORDER GROUPS        core-block-trade.ts    BLOCK TRADES
 *
 * ORDERS. An order is accepted only when the exchange is trading, its market is `active`, its YES
 * price sits on the market's grid (linear_cent: whole cents; deci_cent: tenths of a cent) inside
 * (0, 1), and its count is at least one unit of the market's granularity (whole contracts, or
 * 0.01 on fractional markets). A bid (buy YES / sell NO) rests on the YES ladder at the YES price,
 * an ask (buy NO / sell YES) on the NO ladder at 1 − YES price. A buyMaxCost makes it
 * fill-or-kill with that cost cap. reduce_only orders are capped to the size that reduces the
 * current position (the order's initial count is the capped count) and rejected when nothing can
 * be reduced; the cap is checked at placement only. A client_order_id may be used once per account
 * (ever — a retried request must never double an order), also via amend's updated id.
 * takerFillCost/makerFillCost are in the order's own leg (what it paid for its ladder's contracts).
 * Ids are UUID-shaped: a hash of idPrefix, a kind (order 8000, trade 9000, fill a000) and a counter.
 *
 * CASH (all integers, micros). Every order buys the leg of its ladder: a fill of C at leg price x
 * costs C·x plus the fill's fee. Positions net: a fill that buys the leg opposite to a held
 * position first closes held contracts, and each closed YES/NO pair releases $1 to cash (so selling
 * held YES at p nets C·p − fee). Fills never move other money. Settlement pays $1 per winning
 * contract (void: refunds the position's cost basis) and clears the position.
 *
 * COLLATERAL. reserved = for each market, for each ladder, the cost (leg price × size) of the part of
 * the account's resting orders that would increase exposure — the held opposite position covers the
 * cheapest orders first — plus their maker-fee bound at their limit. available = cash − reserved.
 * An order is refused (available_balance_too_low) when the extra reservation it would need if it
 * rested whole, plus (if that is positive) its taker fee for the whole count at its limit, exceeds
 * available. Orders that only reduce a position need nothing, so an account can always close.
 * Known gaps: a position change (a fill elsewhere) can make reserved exceed cash; and per-fill fee
 * rounding on many small partial fills can exceed the fee bound by < 1¢ per fill.
 *
 * POSITIONS. Signed: + YES, − NO contracts. positionCost is the cost basis of the open position;
 * closing n of |position| removes positionCost·n/|position| (floored) and realizes
 * n·(1 − x) − removed (fees are kept apart in feesPaid). marketExposure = positionCost.
 * totalTraded = Σ C·x over fills. Open interest of a market = Σ of positive positions.
 * Cash is conserved: Σ cash + Σ fees + $1 × open interest is constant between settlements.
 *
 * PORTFOLIO VALUE. Mark-to-market of open positions: |position| × the leg's mark, where the YES
 * mark is the last trade price, else the mid of best YES bid and YES ask (1 − best NO bid) when
 * both exist, else the position is valued at its cost basis; the NO mark is 1 − the YES mark.
 *
 * ORDER GROUPS (KALSHI.md §4 "Order groups"). An account's group has a contracts limit (≥ 0.01
 * contract) on the contracts its orders may MATCH over a rolling 15 s window: a match at time t
 * counts while now − t < 15 s, taker and maker matches alike. An order joins a group at placement
 * (order_group_id) and stays in it. Matching is capped: no execution takes a group past its limit
 * (matching.ts, ORDER-GROUP CAPS), so a taker that uses up its group's allowance has its remainder
 * canceled (reason order_group). When an operation leaves a group's window at its limit, the group
 * TRIGGERS: every resting order of the group is canceled (reason order_group_triggered) and new
 * orders naming it are refused (400 order_group_triggered) until RESET, which empties the window.
 * TRIGGER by hand does the same at once (the exchange-side kill switch). A new LIMIT at or below
 * what the window holds triggers at once. DELETE cancels the group's resting orders (reason
 * order_group_deleted) and removes it; its orders keep their order_group_id. The transition table
 * is in core-order-groups.ts. is_auto_cancel_enabled on the wire = triggered.
 *
 * BLOCK TRADES (an admin operation: seeding accounts; rules in core-block-trade.ts): an off-book
 * trade between two accounts at an agreed YES price, fee-free, with an executed order and a fill
 * per side. The book, the last price and the public trade channel do not see it.
 *
 * ERRORS (SimError status / code):
 *   404 not_found                  unknown account, market or order (or another account's order)
 *   400 trading_is_paused          the exchange is paused (place, amend)
 *   400 market_closed              the market is not `active` (place, amend)
 *   400 invalid_price              price off the market's grid or outside (0, 1)
 *   400 invalid_order_size         count not a positive multiple of the market's granularity;
 *                                  decrease/amend sizes that make no sense
 *   400 invalid_order              details: "post only cross", "reduce only", expiration in the
 *                                  past, expiration with IOC/FOK, book_side not matching
 *                                  action/side, decrease needing exactly one of by/to, order not
 *                                  resting (decrease, amend)
 *   400 available_balance_too_low  see COLLATERAL
 *   409 order_already_exists       client_order_id already used by this account (Kalshi documents a
 *                                  409 on create but its code is unconfirmed, KALSHI.md §12)
 *   400 invalid_status_transition  setMarketStatus outside the lifecycle table; settle twice
 *   404 not_found                  unknown order group (or another account's)
 *   400 order_group_triggered      an order names a triggered group (code not published by Kalshi)
 *   400 invalid_parameters         an order-group limit below 0.01 contract
 * An unfillable fill_or_kill and an IOC remainder are not errors: the order is returned canceled.
 *
 * LIFECYCLE (setMarketStatus; settle drives the rest):
 *   initialized → active       'activated'          the market opens
 *   active → inactive          'deactivated'        paused: cancel_order_on_pause orders are canceled
 *   inactive → active          'activated'          resumed
 *   initialized|active|inactive → closed  'close_date_updated'  closeMs := now if earlier; all
 *                                                   resting orders are canceled
 *   closed → determined        'determined'         settle(): result and settlement value set
 *   determined → finalized     'settled'            settle(): payouts done, positions cleared
 * setTradingActive(false) emits exchange_status and cancels every cancel_order_on_pause order.
 *
 * EVENTS are delivered after each operation completes, in causal order. Per execution: trade,
 * fill (taker), fill (maker), book_delta (maker's level, attributed to the maker), order (maker),
 * position (taker, maker), balance (taker, maker). A placed order's own `order` event follows its
 * fills (it carries the final state: the first event for an order id is its creation). book_delta
 * carries accountId/clientOrderId of the order whose resting size changed.
 *
 * Accounts are keyed by accountId alone; `subaccount` is recorded on orders and fills only.
 * Order reads (orders, fills, trades, settlements) return newest first; minTs/maxTs are inclusive
 * epoch milliseconds on the record's creation time.
 *
 * INVARIANTS (after every operation):
 *   - Σ cash + Σ fees + $1 × Σ open interest is constant between settlements (property-tested).
 *   - reserved = Σ reservedByTicker, and each entry equals the COLLATERAL rule for that market.
 *   - An order is `resting` ⇔ it is on its market's book with remainingCount > 0 ⇔ it is in its
 *     account's resting map; it is in `expiring` ⇔ it rests and has an expiration time.
 *   - An order's fillCount never shrinks; only amend can raise its remainingCount.
 * KNOWN GAPS: reserved can exceed cash after a fill elsewhere moves a position; per-fill fee
 * rounding can exceed the maker-fee bound by < 1¢ per fill; subaccounts share one balance.
 */

import { amend, decrease } from './core-amend.js';
import { blockTrade } from './core-block-trade.js';
import * as status from './core-market-status.js';
import { cancel, cancelAll, place } from './core-order-entry.js';
import * as groups from './core-order-groups.js';
import * as portfolio from './core-portfolio.js';
import * as queries from './core-queries.js';
import { expireOrders } from './core-resting.js';
import { type CoreState, createEventQueue, createIds, marketSnapshot } from './core-state.js';
import type { ExchangeCore } from './core-types.js';

export type { ExchangeErrorCode } from './core-state.js';

export interface ExchangeCoreOptions {
  clock: () => number;
  /** Distinguishes the ids of several cores; hashed into the first group of every id. */
  idPrefix?: string;
}

export function createExchangeCore(opts: ExchangeCoreOptions): ExchangeCore {
  const events = createEventQueue();
  const s: CoreState = {
    clock: opts.clock,
    ids: createIds(opts.idPrefix ?? 'sim'),
    seriesByTicker: new Map(),
    eventsByTicker: new Map(),
    markets: new Map(),
    accounts: new Map(),
    orders: new Map(),
    expiring: new Set(),
    trades: [],
    orderGroups: new Map(),
    tradingActive: true,
    arrivals: 0,
    emit: events.emit,
  };
  const { run } = events;

  return {
    onEvent: events.onEvent,

    // reference data and market status
    addSeries: (series) => void s.seriesByTicker.set(series.ticker, { ...series }),
    addEvent: (event) => void s.eventsByTicker.set(event.eventTicker, { ...event }),
    addMarket: (def) => run(() => status.addMarket(s, def)),
    setMarketStatus: (ticker, to) => run(() => status.setMarketStatus(s, ticker, to)),
    settle: (ticker, result) => run(() => status.settle(s, ticker, result)),
    setTradingActive: (active) => run(() => status.setTradingActive(s, active)),
    get tradingActive() {
      return s.tradingActive;
    },

    // accounts
    openAccount: (accountId, cash) => portfolio.openAccount(s, accountId, cash),
    hasAccount: (accountId) => s.accounts.has(accountId),

    // order entry
    place: (intent) => run(() => place(s, intent)),
    cancel: (accountId, orderId) => run(() => cancel(s, accountId, orderId)),
    cancelAll: (accountId, filter) => run(() => cancelAll(s, accountId, filter)),
    decrease: (accountId, orderId, req) => run(() => decrease(s, accountId, orderId, req)),
    amend: (accountId, orderId, req) => run(() => amend(s, accountId, orderId, req)),
    expire: (nowMs) => run(() => expireOrders(s, nowMs, undefined, s.clock())),
    blockTrade: (req) => run(() => blockTrade(s, req)),

    // order groups
    createOrderGroup: (accountId, req) => run(() => groups.createOrderGroup(s, accountId, req)),
    orderGroups: (accountId, subaccount) => groups.orderGroups(s, accountId, subaccount),
    orderGroup: (accountId, groupId) => groups.orderGroup(s, accountId, groupId),
    deleteOrderGroup: (accountId, groupId) => run(() => groups.deleteOrderGroup(s, accountId, groupId)),
    resetOrderGroup: (accountId, groupId) => run(() => groups.resetOrderGroup(s, accountId, groupId)),
    triggerOrderGroup: (accountId, groupId) => run(() => groups.triggerOrderGroup(s, accountId, groupId)),
    setOrderGroupLimit: (accountId, groupId, limit) =>
      run(() => groups.setOrderGroupLimit(s, accountId, groupId, limit)),

    // queries
    series: (ticker) => {
      const x = s.seriesByTicker.get(ticker);
      return x ? { ...x } : undefined;
    },
    allSeries: () => [...s.seriesByTicker.values()].map((x) => ({ ...x })),
    event: (eventTicker) => {
      const e = s.eventsByTicker.get(eventTicker);
      return e ? { ...e } : undefined;
    },
    events: () => [...s.eventsByTicker.values()].map((e) => ({ ...e })),
    market: (ticker) => {
      const state = s.markets.get(ticker);
      return state ? marketSnapshot(s, state) : undefined;
    },
    markets: () => queries.markets(s),
    book: (ticker) => queries.book(s, ticker),
    order: (accountId, orderId) => queries.order(s, accountId, orderId),
    orders: (accountId, filter) => queries.orders(s, accountId, filter),
    fills: (accountId, filter) => queries.fills(s, accountId, filter),
    trades: (filter) => queries.trades(s, filter),
    positions: (accountId) => portfolio.positions(s, accountId),
    balance: (accountId) => portfolio.balance(s, accountId),
    settlements: (accountId) => portfolio.settlements(s, accountId),
  };
}
