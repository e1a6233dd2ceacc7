/**
 * Accounts and their portfolio reads: opening an account, positions, balance (with PORTFOLIO
 * VALUE: mark-to-market of open positions, see exchange.ts's header) and settlements.
 */
import { complement, type Micros, notional, type Price } from '../domain/index.js';
import type { CoreState, MarketState } from './core-state.js';
import type { SimBalance, SimPosition, SimSettlement } from './core-types.js';
import { bestPrice } from './matching.js';

export function openAccount(s: CoreState, accountId: string, cash: Micros): void {
  if (s.accounts.has(accountId)) throw new Error(`openAccount: account ${accountId} already exists`);
  if (!Number.isSafeInteger(cash) || cash < 0) throw new RangeError(`openAccount: bad cash ${cash}`);
  s.accounts.set(accountId, {
    id: accountId,
    cash,
    reserved: 0,
    reservedByTicker: new Map(),
    positions: new Map(),
    orderIds: [],
    resting: new Map(),
    restingByTicker: new Map(),
    clientOrderIds: new Set(),
    fills: [],
    settlements: [],
    updatedMs: s.clock(),
  });
}

/** Positions in markets not yet determined that are open or have traded. */
export function positions(s: CoreState, accountId: string): SimPosition[] {
  const acct = s.accounts.get(accountId);
  if (!acct) return [];
  const out: SimPosition[] = [];
  for (const pos of acct.positions.values()) {
    const status = s.markets.get(pos.ticker)?.market.status;
    if (status === 'finalized' || status === 'determined') continue;
    if (pos.position !== 0 || pos.volume > 0) out.push({ ...pos });
  }
  return out;
}

/** The YES mark: last trade, else the mid of best YES bid and YES ask, else none. */
function markYesPrice(state: MarketState): Price | undefined {
  if (state.market.lastPrice > 0) return state.market.lastPrice;
  const bestYes = bestPrice(state.book.yes);
  const bestNo = bestPrice(state.book.no);
  if (bestYes === undefined || bestNo === undefined) return undefined;
  return Math.floor((bestYes + complement(bestNo)) / 2);
}

export function balance(s: CoreState, accountId: string): SimBalance {
  const acct = s.accounts.get(accountId);
  if (!acct) return { cash: 0, reserved: 0, portfolioValue: 0, updatedMs: s.clock() };
  let portfolioValue = 0;
  for (const pos of acct.positions.values()) {
    if (pos.position === 0) continue;
    const state = s.markets.get(pos.ticker);
    const yesMark = state ? markYesPrice(state) : undefined;
    if (yesMark === undefined) {
      portfolioValue += pos.positionCost;
      continue;
    }
    const legMark = pos.position > 0 ? yesMark : complement(yesMark);
    portfolioValue += notional(Math.abs(pos.position), legMark);
  }
  return { cash: acct.cash, reserved: acct.reserved, portfolioValue, updatedMs: acct.updatedMs };
}

/** Newest first. */
export function settlements(s: CoreState, accountId: string): SimSettlement[] {
  const acct = s.accounts.get(accountId);
  if (!acct) return [];
  return [...acct.settlements].reverse().map((x) => ({ ...x }));
}
