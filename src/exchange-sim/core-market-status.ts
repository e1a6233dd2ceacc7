/**
 * Market status and settlement (LIFECYCLE in exchange.ts's header): listing a market, the status
 * transition table, determining and settling, and the exchange-wide trading switch. Leaving
 * `active` cancels orders: a pause those marked cancel_order_on_pause, a close all of them.
 */
import { type Micros, PRICE_SCALE } from '../domain/index.js';
import { cancelWhere } from './core-resting.js';
import { type CoreState, fail, type MarketState, MICROS_PER_COUNT_UNIT_PAYOUT, ok } from './core-state.js';
import type {
  CoreResult,
  MarketDef,
  MarketResult,
  MarketStatus,
  SimMarket,
  SimSettlement,
} from './core-types.js';
import { createBook } from './matching.js';

type LifecycleEventType =
  | 'created'
  | 'activated'
  | 'deactivated'
  | 'close_date_updated'
  | 'determined'
  | 'settled';

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

function lifecycle(s: CoreState, state: MarketState, eventType: LifecycleEventType, now: number): void {
  s.emit({ type: 'lifecycle', ticker: state.market.ticker, eventType, market: { ...state.market }, ts: now });
}

export function addMarket(s: CoreState, def: MarketDef): void {
  if (s.markets.has(def.ticker)) throw new Error(`addMarket: market ${def.ticker} already exists`);
  const now = s.clock();
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
  s.markets.set(def.ticker, state);
  lifecycle(s, state, 'created', now);
}

export function transition(
  s: CoreState,
  state: MarketState,
  to: MarketStatus,
  now: number,
): CoreResult<SimMarket> {
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
  lifecycle(s, state, eventType, now);
  if (to === 'inactive') {
    cancelWhere(s, (o) => o.ticker === market.ticker && o.cancelOnPause, 'market_paused', now);
  } else if (to === 'closed') {
    cancelWhere(s, (o) => o.ticker === market.ticker, 'market_closed', now);
  }
  return ok({ ...market });
}

export function setMarketStatus(s: CoreState, ticker: string, status: MarketStatus): CoreResult<SimMarket> {
  const state = s.markets.get(ticker);
  if (!state) return fail(404, 'not_found', `market ${ticker} not found`);
  return transition(s, state, status, s.clock());
}

/** Determines and settles: closes first if needed, pays every holder, clears positions. */
export function settle(s: CoreState, ticker: string, result: MarketResult): CoreResult<SimSettlement[]> {
  const state = s.markets.get(ticker);
  if (!state) return fail(404, 'not_found', `market ${ticker} not found`);
  const market = state.market;
  if (market.status === 'determined' || market.status === 'finalized') {
    return fail(400, 'invalid_status_transition', `market ${ticker} is already settled`);
  }
  const now = s.clock();
  if (market.status !== 'closed') {
    const closed = transition(s, state, 'closed', now);
    if (!closed.ok) return closed;
  }
  market.status = 'determined';
  market.result = result;
  if (result === 'yes') market.settlementValue = PRICE_SCALE;
  else if (result === 'no') market.settlementValue = 0;
  market.updatedMs = now;
  lifecycle(s, state, 'determined', now);

  const created: SimSettlement[] = [];
  for (const acct of s.accounts.values()) {
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
    s.emit({ type: 'position', accountId: acct.id, position: { ...pos } });
    s.emit({ type: 'balance', accountId: acct.id });
  }
  market.openInterest = 0;
  market.status = 'finalized';
  market.settledMs = now;
  lifecycle(s, state, 'settled', now);
  return ok(created);
}

export function setTradingActive(s: CoreState, active: boolean): void {
  if (active === s.tradingActive) return;
  const now = s.clock();
  s.tradingActive = active;
  s.emit({ type: 'exchange_status', tradingActive: active, ts: now });
  if (!active) cancelWhere(s, (o) => o.cancelOnPause, 'exchange_paused', now);
}
