/**
 * Read-only queries of the exchange core: reference data, markets and books, orders, fills and
 * trades. Every answer is a copy. Order, fill and trade reads return newest first; minTs/maxTs are
 * inclusive epoch milliseconds on the record's creation time.
 */
import { type CoreState, inRange, marketSnapshot, snapshot } from './core-state.js';
import type { BookLevels, OrderFilter, SimFill, SimMarket, SimOrder, SimTrade } from './core-types.js';
import { ladderLevels } from './matching.js';

export function markets(s: CoreState): SimMarket[] {
  return [...s.markets.values()].map((state) => marketSnapshot(s, state));
}

export function book(s: CoreState, ticker: string): BookLevels {
  const state = s.markets.get(ticker);
  if (!state) return { yes: [], no: [] };
  return { yes: ladderLevels(state.book.yes), no: ladderLevels(state.book.no) };
}

export function order(s: CoreState, accountId: string, orderId: string): SimOrder | undefined {
  const o = s.orders.get(orderId);
  return o && o.accountId === accountId ? snapshot(o) : undefined;
}

export function orders(s: CoreState, accountId: string, filter: OrderFilter = {}): SimOrder[] {
  const acct = s.accounts.get(accountId);
  if (!acct) return [];
  const out: SimOrder[] = [];
  for (let i = acct.orderIds.length - 1; i >= 0; i--) {
    const o = s.orders.get(acct.orderIds[i] as string) as SimOrder;
    if (filter.ticker !== undefined && o.ticker !== filter.ticker) continue;
    if (
      filter.eventTicker !== undefined &&
      s.markets.get(o.ticker)?.market.eventTicker !== filter.eventTicker
    ) {
      continue;
    }
    if (filter.status !== undefined && o.status !== filter.status) continue;
    if (!inRange(o.createdMs, filter.minTs, filter.maxTs)) continue;
    out.push(snapshot(o));
  }
  return out;
}

export function fills(
  s: CoreState,
  accountId: string,
  filter: { ticker?: string; orderId?: string; minTs?: number; maxTs?: number } = {},
): SimFill[] {
  const acct = s.accounts.get(accountId);
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
}

export function trades(
  s: CoreState,
  filter: { ticker?: string; minTs?: number; maxTs?: number } = {},
): SimTrade[] {
  const out: SimTrade[] = [];
  for (let i = s.trades.length - 1; i >= 0; i--) {
    const trade = s.trades[i] as SimTrade;
    if (filter.ticker !== undefined && trade.ticker !== filter.ticker) continue;
    if (!inRange(trade.createdMs, filter.minTs, filter.maxTs)) continue;
    out.push({ ...trade });
  }
  return out;
}
