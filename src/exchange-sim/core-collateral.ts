/**
 * COLLATERAL (the rule is stated in exchange.ts's header): reserved = for each market, for each
 * ladder, the cost of the exposure-increasing part of the account's resting orders — the held
 * opposite position covers the cheapest orders first — plus their maker-fee bound at their limit.
 */
import { type Count, type Micros, notional, type Price } from '../domain/index.js';
import {
  type AccountState,
  type CoreState,
  feeSchedule,
  heldPosition,
  ladderOf,
  ladderPrice,
  type MarketState,
} from './core-state.js';
import type { Ladder } from './core-types.js';
import { makerFee, takerFee } from './fees.js';

interface Hypothetical {
  excludeOrderId?: string;
  extra?: { ladder: Ladder; price: Price; remaining: Count };
}

/** The account's reservation in one market (optionally without one order, or with one more). */
export function reservationFor(
  s: CoreState,
  acct: AccountState,
  state: MarketState,
  what: Hypothetical = {},
): Micros {
  const ticker = state.market.ticker;
  const held = heldPosition(acct, ticker);
  const schedule = feeSchedule(s, state.market);
  const byLadder: Record<Ladder, Array<{ price: Price; remaining: Count }>> = { yes: [], no: [] };
  for (const o of acct.restingByTicker.get(ticker)?.values() ?? []) {
    if (o.orderId === what.excludeOrderId) continue;
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

/** Recomputes one market's reservation; emits `balance` when it changed (or always, if asked). */
export function refreshReservation(
  s: CoreState,
  acct: AccountState,
  state: MarketState,
  now: number,
  emitAlways = false,
): void {
  const ticker = state.market.ticker;
  const next = reservationFor(s, acct, state);
  const prev = acct.reservedByTicker.get(ticker) ?? 0;
  if (next === 0) acct.reservedByTicker.delete(ticker);
  else acct.reservedByTicker.set(ticker, next);
  acct.reserved += next - prev;
  if (next !== prev || emitAlways) {
    acct.updatedMs = now;
    s.emit({ type: 'balance', accountId: acct.id });
  }
}

/**
 * Extra money an order needs if it rested whole, plus (when that is positive) its taker fee for
 * the whole count at its limit; ≤ 0 when it only reduces.
 */
export function requiredFor(
  s: CoreState,
  acct: AccountState,
  state: MarketState,
  ladder: Ladder,
  price: Price,
  count: Count,
  excludeOrderId?: string,
): Micros {
  const current = reservationFor(s, acct, state);
  const hypothetical: Hypothetical = { extra: { ladder, price, remaining: count } };
  if (excludeOrderId !== undefined) hypothetical.excludeOrderId = excludeOrderId;
  const extra = reservationFor(s, acct, state, hypothetical) - current;
  return extra > 0 ? extra + takerFee(count, price, feeSchedule(s, state.market)) : extra;
}
