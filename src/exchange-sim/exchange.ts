/**
 * The simulator's exchange core: markets, books, accounts, orders, fills and settlement, over the
 * pure fill rules in ./matching.ts and the fee rules in ./fees.ts. Synchronous and deterministic:
 * time comes only from `opts.clock`, ids only from counters (the same calls give the same ids).
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
 */

import {
  COUNT_SCALE,
  type Count,
  complement,
  MAX_LIMIT_PRICE,
  MIN_LIMIT_PRICE,
  type Micros,
  notional,
  PRICE_SCALE,
  type Price,
} from '../domain/index.js';
import type {
  AmendRequest,
  BookLevels,
  CoreEvent,
  CoreResult,
  DecreaseRequest,
  EventDef,
  ExchangeCore,
  Ladder,
  MarketDef,
  MarketResult,
  MarketStatus,
  OrderFilter,
  OrderIntent,
  SeriesDef,
  SimBalance,
  SimError,
  SimFill,
  SimMarket,
  SimOrder,
  SimPosition,
  SimSettlement,
  SimTrade,
} from './core-types.js';
import { DEFAULT_FEE_SCHEDULE, type FeeSchedule, makerFee, takerFee } from './fees.js';
import {
  applyDecision,
  bestPrice,
  createBook,
  findResting,
  fromYesPrice,
  type IncomingOrder,
  ladderLevels,
  type MatchDecision,
  type OrderBook,
  planOrder,
  reduceResting,
  removeResting,
  wouldCross,
} from './matching.js';

export interface ExchangeCoreOptions {
  clock: () => number;
  /** Distinguishes the ids of several cores; hashed into the first group of every id. */
  idPrefix?: string;
}

/** The error codes this core answers with (see the header for when). */
export type ExchangeErrorCode =
  | 'not_found'
  | 'trading_is_paused'
  | 'market_closed'
  | 'invalid_price'
  | 'invalid_order_size'
  | 'invalid_order'
  | 'available_balance_too_low'
  | 'order_already_exists'
  | 'invalid_status_transition';

/** $1 per contract, in micros per count unit (1/100 contract). */
const MICROS_PER_COUNT_UNIT_PAYOUT: Micros = 10_000;
const DAY_MS = 86_400_000;

interface MarketState {
  market: SimMarket;
  book: OrderBook;
  /** Trades of the last 24 h for volume24h: a queue with a moving head. */
  recent: Array<{ ms: number; count: Count }>;
  recentHead: number;
}

interface AccountState {
  id: string;
  cash: Micros;
  reserved: Micros;
  reservedByTicker: Map<string, Micros>;
  positions: Map<string, SimPosition>;
  /** Order ids in creation order. */
  orderIds: string[];
  /** Resting orders by id, in the order they started resting. */
  resting: Map<string, SimOrder>;
  clientOrderIds: Set<string>;
  fills: SimFill[];
  settlements: SimSettlement[];
  updatedMs: number;
}

/** Each lifecycle edge: the status reached and the lifecycle event it emits. */
const TRANSITIONS: Partial<
  Record<MarketStatus, Partial<Record<MarketStatus, 'activated' | 'deactivated' | 'close_date_updated'>>>
> = {
  // The market opens for trading.
  initialized: { active: 'activated', inactive: 'deactivated', closed: 'close_date_updated' },
  // A pause, or the close (scheduled or early).
  active: { inactive: 'deactivated', closed: 'close_date_updated' },
  // Resumed after a pause, or closed while paused.
  inactive: { active: 'activated', closed: 'close_date_updated' },
};

function fail<T>(status: number, code: ExchangeErrorCode, message: string, details?: string): CoreResult<T> {
  const error: SimError = { status, code, message };
  if (details !== undefined) error.details = details;
  return { ok: false, error };
}

function ok<T>(value: T): CoreResult<T> {
  return { ok: true, value };
}

function ladderOf(order: { bookSide: 'bid' | 'ask' }): Ladder {
  return order.bookSide === 'bid' ? 'yes' : 'no';
}

/** The order's limit on its own ladder. */
function ladderPrice(order: { bookSide: 'bid' | 'ask'; yesPrice: Price }): Price {
  return fromYesPrice(ladderOf(order), order.yesPrice);
}

/** FNV-1a, 32 bit, as 8 hex digits: a stable tag for an id prefix. */
function hashTag(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

function createIds(prefix: string) {
  const tag = hashTag(prefix);
  const counters = { order: 0, trade: 0, fill: 0 };
  const make = (kind: keyof typeof counters, variant: string): string => {
    counters[kind] += 1;
    return `${tag}-0000-4000-${variant}-${counters[kind].toString(16).padStart(12, '0')}`;
  };
  return {
    order: () => make('order', '8000'),
    trade: () => make('trade', '9000'),
    fill: () => make('fill', 'a000'),
  };
}

function inRange(ms: number, minTs?: number, maxTs?: number): boolean {
  return (minTs === undefined || ms >= minTs) && (maxTs === undefined || ms <= maxTs);
}

/** positionCost × n / d, floored, without overflow. */
function proportion(amount: Micros, n: Count, d: Count): Micros {
  if (n >= d) return amount;
  return Number((BigInt(amount) * BigInt(n)) / BigInt(d));
}

export function createExchangeCore(opts: ExchangeCoreOptions): ExchangeCore {
  const clock = opts.clock;
  const ids = createIds(opts.idPrefix ?? 'sim');
  const seriesByTicker = new Map<string, SeriesDef>();
  const eventsByTicker = new Map<string, EventDef>();
  const markets = new Map<string, MarketState>();
  const accounts = new Map<string, AccountState>();
  const orders = new Map<string, SimOrder>();
  /** Resting orders with an expiration time. */
  const expiring = new Set<string>();
  const trades: SimTrade[] = [];
  let tradingActive = true;
  let arrivals = 0;

  // ---- events ------------------------------------------------------------------------------

  const listeners = new Set<(event: CoreEvent) => void>();
  const queue: CoreEvent[] = [];
  let flushing = false;

  function emit(event: CoreEvent): void {
    queue.push(event);
  }

  /** Delivers queued events; a listener's throw is re-thrown after everyone got every event. */
  function flush(): void {
    if (flushing) return;
    flushing = true;
    let failure: { error: unknown } | undefined;
    try {
      for (let i = 0; i < queue.length; i++) {
        const event = queue[i] as CoreEvent;
        for (const listener of [...listeners]) {
          try {
            listener(event);
          } catch (error) {
            failure ??= { error };
          }
        }
      }
    } finally {
      queue.length = 0;
      flushing = false;
    }
    if (failure) throw failure.error;
  }

  function run<T>(operation: () => T): T {
    try {
      return operation();
    } finally {
      flush();
    }
  }

  // ---- lookups -----------------------------------------------------------------------------

  function feeSchedule(market: SimMarket): FeeSchedule {
    const event = eventsByTicker.get(market.eventTicker);
    const series = event ? seriesByTicker.get(event.seriesTicker) : undefined;
    return series ? { feeType: series.feeType, feeMultiplier: series.feeMultiplier } : DEFAULT_FEE_SCHEDULE;
  }

  function position(acct: AccountState, ticker: string, now: number): SimPosition {
    let pos = acct.positions.get(ticker);
    if (!pos) {
      pos = {
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
      acct.positions.set(ticker, pos);
    }
    return pos;
  }

  function heldPosition(acct: AccountState, ticker: string): Count {
    return acct.positions.get(ticker)?.position ?? 0;
  }

  function marketSnapshot(state: MarketState): SimMarket {
    pruneRecent(state, clock());
    return { ...state.market };
  }

  function pruneRecent(state: MarketState, now: number): void {
    while (state.recentHead < state.recent.length) {
      const t = state.recent[state.recentHead] as { ms: number; count: Count };
      if (t.ms > now - DAY_MS) break;
      state.market.volume24h -= t.count;
      state.recentHead += 1;
    }
    if (state.recentHead > 1024 && state.recentHead * 2 > state.recent.length) {
      state.recent.splice(0, state.recentHead);
      state.recentHead = 0;
    }
  }

  // ---- validation ----------------------------------------------------------------------------

  function checkPrice<T>(market: SimMarket, yesPrice: Price): CoreResult<T> | undefined {
    const step = market.priceLevelStructure === 'deci_cent' ? 10 : 100;
    if (!Number.isSafeInteger(yesPrice) || yesPrice < MIN_LIMIT_PRICE || yesPrice > MAX_LIMIT_PRICE) {
      return fail(400, 'invalid_price', `price ${yesPrice} is outside (0, 1)`);
    }
    if (yesPrice % step !== 0) {
      return fail(400, 'invalid_price', `price ${yesPrice} is not on the ${market.priceLevelStructure} grid`);
    }
    return undefined;
  }

  function countStep(market: SimMarket): Count {
    return market.fractionalTradingEnabled ? 1 : COUNT_SCALE;
  }

  function checkCount<T>(market: SimMarket, count: Count, what = 'count'): CoreResult<T> | undefined {
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

  // ---- collateral ----------------------------------------------------------------------------

  interface Hypothetical {
    excludeOrderId?: string;
    extra?: { ladder: Ladder; price: Price; remaining: Count };
  }

  /** See COLLATERAL in the header. */
  function reservationFor(acct: AccountState, state: MarketState, what: Hypothetical = {}): Micros {
    const ticker = state.market.ticker;
    const held = heldPosition(acct, ticker);
    const schedule = feeSchedule(state.market);
    const byLadder: Record<Ladder, Array<{ price: Price; remaining: Count }>> = { yes: [], no: [] };
    for (const o of acct.resting.values()) {
      if (o.ticker !== ticker || o.orderId === what.excludeOrderId) continue;
      byLadder[ladderOf(o)].push({ price: ladderPrice(o), remaining: o.remainingCount });
    }
    if (what.extra) byLadder[what.extra.ladder].push(what.extra);
    let total = 0;
    for (const ladder of ['yes', 'no'] as const) {
      let cover = ladder === 'yes' ? Math.max(-held, 0) : Math.max(held, 0);
      const entries = byLadder[ladder].sort((a, b) => a.price - b.price);
      for (const e of entries) {
        const reducing = Math.min(cover, e.remaining);
        cover -= reducing;
        const increasing = e.remaining - reducing;
        if (increasing > 0) total += notional(increasing, e.price) + makerFee(increasing, e.price, schedule);
      }
    }
    return total;
  }

  /** Recomputes one market's reservation; emits `balance` when it changed. */
  function refreshReservation(acct: AccountState, state: MarketState, now: number, emitAlways = false): void {
    const ticker = state.market.ticker;
    const next = reservationFor(acct, state);
    const prev = acct.reservedByTicker.get(ticker) ?? 0;
    if (next === 0) acct.reservedByTicker.delete(ticker);
    else acct.reservedByTicker.set(ticker, next);
    acct.reserved += next - prev;
    if (next !== prev || emitAlways) {
      acct.updatedMs = now;
      emit({ type: 'balance', accountId: acct.id });
    }
  }

  /** Extra money an order needs (see COLLATERAL); ≤ 0 when it only reduces. */
  function requiredFor(
    acct: AccountState,
    state: MarketState,
    ladder: Ladder,
    price: Price,
    count: Count,
    excludeOrderId?: string,
  ): Micros {
    const current = reservationFor(acct, state);
    const hypothetical: Hypothetical = { extra: { ladder, price, remaining: count } };
    if (excludeOrderId !== undefined) hypothetical.excludeOrderId = excludeOrderId;
    const extra = reservationFor(acct, state, hypothetical) - current;
    return extra > 0 ? extra + takerFee(count, price, feeSchedule(state.market)) : extra;
  }

  // ---- order bookkeeping -------------------------------------------------------------------

  function snapshot(order: SimOrder): SimOrder {
    return { ...order };
  }

  function stopResting(acct: AccountState, order: SimOrder): void {
    acct.resting.delete(order.orderId);
    expiring.delete(order.orderId);
  }

  /** Takes a resting order off the book and marks it canceled. Returns the size removed. */
  function cancelResting(order: SimOrder, reason: string, now: number): Count {
    const acct = accounts.get(order.accountId) as AccountState;
    const state = markets.get(order.ticker) as MarketState;
    const ladder = ladderOf(order);
    const price = ladderPrice(order);
    const removed = removeResting(state.book, ladder, price, order.orderId);
    order.remainingCount = 0;
    order.status = 'canceled';
    order.lastUpdateMs = now;
    order.lastUpdateReason = reason;
    stopResting(acct, order);
    if (removed > 0) bookDelta(state, ladder, price, -removed, order, now);
    emit({ type: 'order', order: snapshot(order) });
    refreshReservation(acct, state, now);
    return removed;
  }

  function bookDelta(
    state: MarketState,
    ladder: Ladder,
    price: Price,
    delta: Count,
    owner: SimOrder,
    now: number,
  ): void {
    emit({
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

  function startResting(state: MarketState, order: SimOrder, now: number): void {
    const acct = accounts.get(order.accountId) as AccountState;
    acct.resting.set(order.orderId, order);
    if (order.expirationMs !== undefined) expiring.add(order.orderId);
    bookDelta(state, ladderOf(order), ladderPrice(order), order.remainingCount, order, now);
  }

  function cancelWhere(predicate: (o: SimOrder) => boolean, reason: string, now: number): SimOrder[] {
    const canceled: SimOrder[] = [];
    for (const acct of accounts.values()) {
      for (const order of [...acct.resting.values()]) {
        if (!predicate(order)) continue;
        cancelResting(order, reason, now);
        canceled.push(snapshot(order));
      }
    }
    return canceled;
  }

  function expireOrders(nowMs: number, ticker: string | undefined, now: number): SimOrder[] {
    const expired: SimOrder[] = [];
    for (const orderId of [...expiring]) {
      const order = orders.get(orderId) as SimOrder;
      if (ticker !== undefined && order.ticker !== ticker) continue;
      if (order.expirationMs === undefined || order.expirationMs > nowMs) continue;
      cancelResting(order, 'expired', now);
      expired.push(snapshot(order));
    }
    return expired;
  }

  // ---- fills -------------------------------------------------------------------------------

  /** Applies one fill to an account's cash and position (see CASH and POSITIONS). */
  function applyFill(
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

  function makeFill(
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
      fillId: ids.fill(),
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

  /**
   * Records what a decision did (the book is already changed): trades, fills, maker updates, STP
   * cancels, and the taker's final state. Returns the taker's fills.
   */
  function recordDecision(
    state: MarketState,
    taker: SimOrder,
    decision: MatchDecision,
    now: number,
  ): SimFill[] {
    if (decision.kind === 'rejected') return [];
    const takerAcct = accounts.get(taker.accountId) as AccountState;
    const schedule = feeSchedule(state.market);
    const market = state.market;
    const takerLadder = ladderOf(taker);
    const takerFills: SimFill[] = [];
    for (const step of decision.steps) {
      if (step.kind === 'self_trade_cancel') {
        const own = orders.get(step.orderId) as SimOrder;
        own.remainingCount = 0;
        own.status = 'canceled';
        own.lastUpdateMs = now;
        own.lastUpdateReason = 'self_trade_prevention';
        stopResting(takerAcct, own);
        bookDelta(state, step.ladder, step.price, -step.count, own, now);
        emit({ type: 'order', order: snapshot(own) });
        refreshReservation(takerAcct, state, now);
        continue;
      }
      const maker = orders.get(step.makerOrderId) as SimOrder;
      const makerAcct = accounts.get(maker.accountId) as AccountState;
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
        tradeId: ids.trade(),
        ticker: market.ticker,
        yesPrice: step.yesPrice,
        count,
        takerOutcomeSide: taker.bookSide === 'bid' ? 'yes' : 'no',
        takerBookSide: taker.bookSide,
        createdMs: now,
      };
      trades.push(trade);

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
        stopResting(makerAcct, maker);
      } else {
        maker.lastUpdateReason = 'partially_filled';
      }

      const takerFill = makeFill(
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

      emit({ type: 'trade', trade: { ...trade } });
      emit({ type: 'fill', fill: { ...takerFill } });
      emit({ type: 'fill', fill: { ...makerFill } });
      bookDelta(state, step.makerLadder, step.makerPrice, -count, maker, now);
      emit({ type: 'order', order: snapshot(maker) });
      emit({ type: 'position', accountId: takerAcct.id, position: { ...takerPos } });
      emit({ type: 'position', accountId: makerAcct.id, position: { ...makerPos } });
      refreshReservation(takerAcct, state, now, true);
      refreshReservation(makerAcct, state, now, true);
    }

    taker.lastUpdateMs = now;
    if (decision.remainder === 'none') {
      taker.status = 'executed';
      taker.lastUpdateReason = 'filled';
      emit({ type: 'order', order: snapshot(taker) });
    } else if (decision.remainder === 'cancel') {
      taker.status = 'canceled';
      taker.remainingCount = 0;
      taker.lastUpdateReason = decision.cancelReason ?? 'canceled';
      emit({ type: 'order', order: snapshot(taker) });
    } else {
      taker.status = 'resting';
      emit({ type: 'order', order: snapshot(taker) });
      startResting(state, taker, now);
      refreshReservation(takerAcct, state, now);
    }
    return takerFills;
  }

  function incomingOf(order: SimOrder, buyMaxCost?: Micros): IncomingOrder {
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
    return incoming;
  }

  // ---- market lifecycle --------------------------------------------------------------------

  function lifecycle(
    state: MarketState,
    eventType: 'created' | 'activated' | 'deactivated' | 'close_date_updated' | 'determined' | 'settled',
    now: number,
  ): void {
    emit({ type: 'lifecycle', ticker: state.market.ticker, eventType, market: { ...state.market }, ts: now });
  }

  function transition(state: MarketState, to: MarketStatus, now: number): CoreResult<SimMarket> {
    const market = state.market;
    if (market.status === to) return ok({ ...market });
    const eventType = TRANSITIONS[market.status]?.[to];
    if (!eventType) {
      return fail(
        400,
        'invalid_status_transition',
        `market ${market.ticker} cannot go from ${market.status} to ${to}` +
          (to === 'determined' || to === 'finalized' ? ' (use settle)' : ''),
      );
    }
    market.status = to;
    market.updatedMs = now;
    if (to === 'closed' && now < market.closeMs) market.closeMs = now;
    lifecycle(state, eventType, now);
    if (to === 'inactive') {
      cancelWhere((o) => o.ticker === market.ticker && o.cancelOnPause, 'market_paused', now);
    } else if (to === 'closed') {
      cancelWhere((o) => o.ticker === market.ticker, 'market_closed', now);
    }
    return ok({ ...market });
  }

  function markYesPrice(state: MarketState): Price | undefined {
    if (state.market.lastPrice > 0) return state.market.lastPrice;
    const bestYes = bestPrice(state.book.yes);
    const bestNo = bestPrice(state.book.no);
    if (bestYes === undefined || bestNo === undefined) return undefined;
    return Math.floor((bestYes + complement(bestNo)) / 2);
  }

  // ---- the core ----------------------------------------------------------------------------

  const core: ExchangeCore = {
    onEvent(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },

    addSeries(series) {
      seriesByTicker.set(series.ticker, { ...series });
    },

    addEvent(event) {
      eventsByTicker.set(event.eventTicker, { ...event });
    },

    addMarket(def: MarketDef) {
      run(() => {
        if (markets.has(def.ticker)) throw new Error(`addMarket: market ${def.ticker} already exists`);
        const now = clock();
        const state: MarketState = {
          market: {
            ...def,
            createdMs: now,
            updatedMs: now,
            result: '',
            lastPrice: 0,
            previousPrice: 0,
            volume: 0,
            volume24h: 0,
            openInterest: 0,
          },
          book: createBook(),
          recent: [],
          recentHead: 0,
        };
        markets.set(def.ticker, state);
        lifecycle(state, 'created', now);
      });
    },

    setMarketStatus(ticker, status) {
      return run(() => {
        const state = markets.get(ticker);
        if (!state) return fail(404, 'not_found', `market ${ticker} not found`);
        return transition(state, status, clock());
      });
    },

    settle(ticker: string, result: MarketResult) {
      return run((): CoreResult<SimSettlement[]> => {
        const state = markets.get(ticker);
        if (!state) return fail(404, 'not_found', `market ${ticker} not found`);
        const market = state.market;
        if (market.status === 'determined' || market.status === 'finalized') {
          return fail(400, 'invalid_status_transition', `market ${ticker} is already settled`);
        }
        const now = clock();
        if (market.status !== 'closed') {
          const closed = transition(state, 'closed', now);
          if (!closed.ok) return closed;
        }
        market.status = 'determined';
        market.result = result;
        if (result === 'yes') market.settlementValue = PRICE_SCALE;
        else if (result === 'no') market.settlementValue = 0;
        market.updatedMs = now;
        lifecycle(state, 'determined', now);

        const created: SimSettlement[] = [];
        for (const acct of accounts.values()) {
          const pos = acct.positions.get(ticker);
          if (!pos || pos.position === 0) continue;
          const yesCount = Math.max(pos.position, 0);
          const noCount = Math.max(-pos.position, 0);
          let revenue: Micros;
          if (result === 'void') revenue = pos.positionCost;
          else revenue = (result === 'yes' ? yesCount : noCount) * MICROS_PER_COUNT_UNIT_PAYOUT;
          const settlement: SimSettlement = {
            ticker,
            eventTicker: market.eventTicker,
            result,
            yesCount,
            yesTotalCost: yesCount > 0 ? pos.positionCost : 0,
            noCount,
            noTotalCost: noCount > 0 ? pos.positionCost : 0,
            revenue,
            fee: 0,
            settledMs: now,
            value: result === 'yes' ? PRICE_SCALE : 0,
          };
          acct.cash += revenue;
          pos.realizedPnl += revenue - pos.positionCost;
          pos.position = 0;
          pos.positionCost = 0;
          pos.marketExposure = 0;
          pos.lastUpdatedMs = now;
          acct.updatedMs = now;
          acct.settlements.push(settlement);
          created.push({ ...settlement });
          emit({ type: 'position', accountId: acct.id, position: { ...pos } });
          emit({ type: 'balance', accountId: acct.id });
        }
        market.openInterest = 0;
        market.status = 'finalized';
        market.settledMs = now;
        lifecycle(state, 'settled', now);
        return ok(created);
      });
    },

    setTradingActive(active) {
      run(() => {
        if (active === tradingActive) return;
        const now = clock();
        tradingActive = active;
        emit({ type: 'exchange_status', tradingActive: active, ts: now });
        if (!active) cancelWhere((o) => o.cancelOnPause, 'exchange_paused', now);
      });
    },

    get tradingActive() {
      return tradingActive;
    },

    openAccount(accountId, cash) {
      if (accounts.has(accountId)) throw new Error(`openAccount: account ${accountId} already exists`);
      if (!Number.isSafeInteger(cash) || cash < 0) throw new RangeError(`openAccount: bad cash ${cash}`);
      accounts.set(accountId, {
        id: accountId,
        cash,
        reserved: 0,
        reservedByTicker: new Map(),
        positions: new Map(),
        orderIds: [],
        resting: new Map(),
        clientOrderIds: new Set(),
        fills: [],
        settlements: [],
        updatedMs: clock(),
      });
    },

    hasAccount(accountId) {
      return accounts.has(accountId);
    },

    place(intent: OrderIntent) {
      return run((): CoreResult<{ order: SimOrder; fills: SimFill[] }> => {
        const now = clock();
        const acct = accounts.get(intent.accountId);
        if (!acct) return fail(404, 'not_found', `account ${intent.accountId} not found`);
        const state = markets.get(intent.ticker);
        if (!state) return fail(404, 'not_found', `market ${intent.ticker} not found`);
        expireOrders(now, intent.ticker, now);
        const market = state.market;
        if (!tradingActive) return fail(400, 'trading_is_paused', 'trading is paused on the exchange');
        if (market.status !== 'active') {
          return fail(
            400,
            'market_closed',
            `market ${market.ticker} is not open for trading (${market.status})`,
          );
        }
        const expectedBookSide = (intent.action === 'buy') === (intent.side === 'yes') ? 'bid' : 'ask';
        if (intent.bookSide !== expectedBookSide) {
          return fail(400, 'invalid_order', 'invalid order', 'book_side does not match action and side');
        }
        const badPrice = checkPrice<{ order: SimOrder; fills: SimFill[] }>(market, intent.yesPrice);
        if (badPrice) return badPrice;
        const badCount = checkCount<{ order: SimOrder; fills: SimFill[] }>(market, intent.count);
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
        const required = requiredFor(acct, state, ladder, price, count);
        if (required > acct.cash - acct.reserved) {
          return fail(
            400,
            'available_balance_too_low',
            `order needs ${required} micros but only ${acct.cash - acct.reserved} are available`,
          );
        }

        arrivals += 1;
        const order: SimOrder = {
          orderId: ids.order(),
          accountId: acct.id,
          clientOrderId: intent.clientOrderId,
          ticker: market.ticker,
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
          arrival: arrivals,
        };
        if (intent.expirationMs !== undefined) order.expirationMs = intent.expirationMs;
        orders.set(order.orderId, order);
        acct.orderIds.push(order.orderId);
        acct.clientOrderIds.add(order.clientOrderId);

        const incoming = incomingOf(order, intent.buyMaxCost);
        const decision = planOrder(state.book, incoming);
        applyDecision(state.book, incoming, decision);
        const fills = recordDecision(state, order, decision, now);
        return ok({ order: snapshot(order), fills: fills.map((f) => ({ ...f })) });
      });
    },

    cancel(accountId, orderId) {
      return run((): CoreResult<{ order: SimOrder; reducedBy: Count }> => {
        const order = orders.get(orderId);
        if (!order || order.accountId !== accountId)
          return fail(404, 'not_found', `order ${orderId} not found`);
        if (order.status !== 'resting') return ok({ order: snapshot(order), reducedBy: 0 });
        const reducedBy = cancelResting(order, 'canceled', clock());
        return ok({ order: snapshot(order), reducedBy });
      });
    },

    cancelAll(accountId, filter) {
      return run(() => {
        const acct = accounts.get(accountId);
        if (!acct) return [];
        const now = clock();
        const canceled: SimOrder[] = [];
        for (const order of [...acct.resting.values()]) {
          if (filter?.ticker !== undefined && order.ticker !== filter.ticker) continue;
          cancelResting(order, 'canceled', now);
          canceled.push(snapshot(order));
        }
        return canceled;
      });
    },

    decrease(accountId, orderId, req: DecreaseRequest) {
      return run((): CoreResult<SimOrder> => {
        const order = orders.get(orderId);
        if (!order || order.accountId !== accountId)
          return fail(404, 'not_found', `order ${orderId} not found`);
        if ((req.reduceBy === undefined) === (req.reduceTo === undefined)) {
          return fail(
            400,
            'invalid_order',
            'invalid order',
            'exactly one of reduce_by or reduce_to is required',
          );
        }
        if (order.status !== 'resting') {
          return fail(400, 'invalid_order', 'invalid order', `order is ${order.status}, not resting`);
        }
        const state = markets.get(order.ticker) as MarketState;
        const step = countStep(state.market);
        const amount = (req.reduceBy ?? req.reduceTo) as Count;
        const minimum = req.reduceBy !== undefined ? step : 0;
        if (!Number.isSafeInteger(amount) || amount < minimum || amount % step !== 0) {
          return fail(400, 'invalid_order_size', `decrease amount ${amount} is not a valid size`);
        }
        const now = clock();
        const target = req.reduceTo ?? order.remainingCount - amount;
        if (target <= 0) {
          cancelResting(order, 'canceled', now);
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
        bookDelta(state, ladder, price, -by, order, now);
        emit({ type: 'order', order: snapshot(order) });
        refreshReservation(accounts.get(accountId) as AccountState, state, now);
        return ok(snapshot(order));
      });
    },

    amend(accountId, orderId, req: AmendRequest) {
      type Amended = { old: SimOrder; order: SimOrder; fills: SimFill[] };
      return run((): CoreResult<Amended> => {
        const order = orders.get(orderId);
        if (!order || order.accountId !== accountId)
          return fail(404, 'not_found', `order ${orderId} not found`);
        const acct = accounts.get(accountId) as AccountState;
        const state = markets.get(order.ticker) as MarketState;
        const now = clock();
        expireOrders(now, order.ticker, now);
        if (order.status !== 'resting') {
          return fail(400, 'invalid_order', 'invalid order', `order is ${order.status}, not resting`);
        }
        if (!tradingActive) return fail(400, 'trading_is_paused', 'trading is paused on the exchange');
        if (state.market.status !== 'active') {
          return fail(
            400,
            'market_closed',
            `market ${order.ticker} is not open for trading (${state.market.status})`,
          );
        }
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
          return fail(
            409,
            'order_already_exists',
            `an order with client_order_id ${newClientId} already exists`,
          );
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
          if (by > 0) bookDelta(state, ladder, oldPrice, -by, order, now);
          emit({ type: 'order', order: snapshot(order) });
          refreshReservation(acct, state, now);
          return ok({ old, order: snapshot(order), fills: [] });
        }

        // A new price or a bigger size: the order goes to the back of the queue and may trade.
        if (order.postOnly && wouldCross(state.book, ladder, newPrice)) {
          return fail(400, 'invalid_order', 'invalid order', 'post only cross');
        }
        const required = requiredFor(acct, state, ladder, newPrice, newRemaining, order.orderId);
        if (required > acct.cash - acct.reserved) {
          return fail(
            400,
            'available_balance_too_low',
            `amend needs ${required} micros but only ${acct.cash - acct.reserved} are available`,
          );
        }
        const removed = removeResting(state.book, ladder, oldPrice, order.orderId);
        stopResting(acct, order);
        if (newClientId !== undefined) {
          acct.clientOrderIds.add(newClientId);
          order.clientOrderId = newClientId;
        }
        bookDelta(state, ladder, oldPrice, -removed, { ...old }, now);
        arrivals += 1;
        order.arrival = arrivals;
        order.yesPrice = req.yesPrice;
        order.remainingCount = newRemaining;
        order.initialCount = req.count;
        order.lastUpdateMs = now;
        order.lastUpdateReason = 'amended';
        const incoming = incomingOf(order);
        const decision = planOrder(state.book, incoming);
        applyDecision(state.book, incoming, decision);
        const fills = recordDecision(state, order, decision, now);
        refreshReservation(acct, state, now);
        return ok({ old, order: snapshot(order), fills: fills.map((f) => ({ ...f })) });
      });
    },

    expire(nowMs) {
      return run(() => expireOrders(nowMs, undefined, clock()));
    },

    series(ticker) {
      const s = seriesByTicker.get(ticker);
      return s ? { ...s } : undefined;
    },

    allSeries() {
      return [...seriesByTicker.values()].map((s) => ({ ...s }));
    },

    event(eventTicker) {
      const e = eventsByTicker.get(eventTicker);
      return e ? { ...e } : undefined;
    },

    events() {
      return [...eventsByTicker.values()].map((e) => ({ ...e }));
    },

    market(ticker) {
      const state = markets.get(ticker);
      return state ? marketSnapshot(state) : undefined;
    },

    markets() {
      return [...markets.values()].map(marketSnapshot);
    },

    book(ticker): BookLevels {
      const state = markets.get(ticker);
      if (!state) return { yes: [], no: [] };
      return { yes: ladderLevels(state.book.yes), no: ladderLevels(state.book.no) };
    },

    order(accountId, orderId) {
      const order = orders.get(orderId);
      return order && order.accountId === accountId ? snapshot(order) : undefined;
    },

    orders(accountId, filter: OrderFilter = {}) {
      const acct = accounts.get(accountId);
      if (!acct) return [];
      const out: SimOrder[] = [];
      for (let i = acct.orderIds.length - 1; i >= 0; i--) {
        const order = orders.get(acct.orderIds[i] as string) as SimOrder;
        if (filter.ticker !== undefined && order.ticker !== filter.ticker) continue;
        if (
          filter.eventTicker !== undefined &&
          markets.get(order.ticker)?.market.eventTicker !== filter.eventTicker
        ) {
          continue;
        }
        if (filter.status !== undefined && order.status !== filter.status) continue;
        if (!inRange(order.createdMs, filter.minTs, filter.maxTs)) continue;
        out.push(snapshot(order));
      }
      return out;
    },

    fills(accountId, filter = {}) {
      const acct = accounts.get(accountId);
      if (!acct) return [];
      const out: SimFill[] = [];
      for (let i = acct.fills.length - 1; i >= 0; i--) {
        const fill = acct.fills[i] as SimFill;
        if (filter.ticker !== undefined && fill.ticker !== filter.ticker) continue;
        if (filter.orderId !== undefined && fill.orderId !== filter.orderId) continue;
        if (!inRange(fill.createdMs, filter.minTs, filter.maxTs)) continue;
        out.push({ ...fill });
      }
      return out;
    },

    trades(filter = {}) {
      const out: SimTrade[] = [];
      for (let i = trades.length - 1; i >= 0; i--) {
        const trade = trades[i] as SimTrade;
        if (filter.ticker !== undefined && trade.ticker !== filter.ticker) continue;
        if (!inRange(trade.createdMs, filter.minTs, filter.maxTs)) continue;
        out.push({ ...trade });
      }
      return out;
    },

    positions(accountId) {
      const acct = accounts.get(accountId);
      if (!acct) return [];
      const out: SimPosition[] = [];
      for (const pos of acct.positions.values()) {
        const status = markets.get(pos.ticker)?.market.status;
        if (status === 'finalized' || status === 'determined') continue;
        if (pos.position !== 0 || pos.volume > 0) out.push({ ...pos });
      }
      return out;
    },

    balance(accountId): SimBalance {
      const acct = accounts.get(accountId);
      if (!acct) return { cash: 0, reserved: 0, portfolioValue: 0, updatedMs: clock() };
      let portfolioValue = 0;
      for (const pos of acct.positions.values()) {
        if (pos.position === 0) continue;
        const state = markets.get(pos.ticker);
        const yesMark = state ? markYesPrice(state) : undefined;
        if (yesMark === undefined) {
          portfolioValue += pos.positionCost;
          continue;
        }
        const legMark = pos.position > 0 ? yesMark : complement(yesMark);
        portfolioValue += notional(Math.abs(pos.position), legMark);
      }
      return { cash: acct.cash, reserved: acct.reserved, portfolioValue, updatedMs: acct.updatedMs };
    },

    settlements(accountId) {
      const acct = accounts.get(accountId);
      if (!acct) return [];
      return [...acct.settlements].reverse().map((s) => ({ ...s }));
    },
  };
  return core;
}
