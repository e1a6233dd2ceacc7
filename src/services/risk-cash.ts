/**
 * Cash our resting orders hold back (seed 001's "market-specific reserved cash", the exchange's
 * collateral rule as the simulator states it in exchange.ts): per market and per leg, the part of
 * our open orders that would increase exposure — the held opposite position covers the cheapest
 * orders first — costs leg price × count, plus a fee allowance at the order's limit. An order that
 * only closes reserves nothing. Available cash = balance − reserved; the balance check of every
 * new order runs against it, so two orders can never spend the same dollar.
 */
import type { Micros } from '../domain/index.js';
import { feeAllowance, legPrice, orderCost, type RiskOpenOrder, type RiskPosition } from './risk-rules.js';

/** What our open orders reserve, per market (markets that reserve nothing are left out). */
export function reservedByMarket(
  openOrders: readonly RiskOpenOrder[],
  positions: readonly RiskPosition[],
  feeAllowanceBps: number,
): Map<string, Micros> {
  const held = new Map(positions.map((p) => [p.ticker, p.position]));
  const byMarket = new Map<string, RiskOpenOrder[]>();
  for (const o of openOrders) {
    if (o.remaining <= 0) continue;
    const list = byMarket.get(o.ticker) ?? [];
    list.push(o);
    byMarket.set(o.ticker, list);
  }
  const out = new Map<string, Micros>();
  for (const [ticker, orders] of byMarket) {
    const position = held.get(ticker) ?? 0;
    let total = 0;
    for (const side of ['bid', 'ask'] as const) {
      // A bid buys YES: it closes a NO position (negative); an ask buys NO: it closes a YES one.
      let cover = side === 'bid' ? Math.max(-position, 0) : Math.max(position, 0);
      const legs = orders
        .filter((o) => o.bookSide === side)
        .sort((a, b) => legPrice(a.bookSide, a.yesPrice) - legPrice(b.bookSide, b.yesPrice));
      for (const o of legs) {
        const closing = Math.min(cover, o.remaining);
        cover -= closing;
        const opening = o.remaining - closing;
        if (opening > 0) {
          total +=
            orderCost(o.bookSide, o.yesPrice, opening) + feeAllowance(opening, o.yesPrice, feeAllowanceBps);
        }
      }
    }
    if (total > 0) out.set(ticker, total);
  }
  return out;
}

/** Σ reservedByMarket. */
export function reservedCash(
  openOrders: readonly RiskOpenOrder[],
  positions: readonly RiskPosition[],
  feeAllowanceBps: number,
): Micros {
  let sum = 0;
  for (const v of reservedByMarket(openOrders, positions, feeAllowanceBps).values()) sum += v;
  return sum;
}
