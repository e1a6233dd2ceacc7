/**
 * Seeding an account with many positions and resting orders at once (admin: `POST /_sim/accounts`
 * with `positions` / `resting_orders`), for testing a trader's start-up against a big account.
 *
 * Deterministic, over the markets that are `active`, in listing order:
 *  - positions: market i gets one block trade (core-block-trade.ts, fee-free, off the book) with
 *    the house account at YES 50¢ for 1 + (i mod 3) contracts; even i the account buys YES (long),
 *    odd i it sells YES (short: long NO). So at most one position per active market.
 *  - resting orders: order j rests in market j mod K (K active markets) at level ℓ = ⌊j / K⌋: a
 *    post-only YES bid of 1 contract at (ℓ + 1) ticks (1¢, 2¢, …; 0.1¢ steps on deci_cent markets);
 *    if that would cross, a post-only YES ask at 1 − (ℓ + 1) ticks; if that crosses too, the order
 *    is skipped (counted). ℓ stays below 40 (< 40¢ from the edge).
 * The house account (`sim-house`) is opened on first use with $1,000,000,000.
 */
import { COUNT_SCALE, MICROS_PER_DOLLAR, type Micros } from '../domain/index.js';
import type { ExchangeCore, OrderIntent } from './core-types.js';

export const HOUSE_ACCOUNT = 'sim-house';
const HOUSE_CASH: Micros = 1_000_000_000 * MICROS_PER_DOLLAR;
const POSITION_PRICE = 5_000;
const MAX_LEVELS = 40;

export interface SeedRequest {
  positions: number;
  restingOrders: number;
}

export interface SeedResult {
  positions: number;
  restingOrders: number;
  /** Resting orders that would have crossed on both sides. */
  skipped: number;
}

export function seedAccount(core: ExchangeCore, accountId: string, req: SeedRequest): SeedResult {
  const active = core
    .markets()
    .filter((m) => m.status === 'active')
    .map((m) => m.ticker);
  if (req.positions > active.length) {
    throw new RangeError(`positions ${req.positions} exceeds the ${active.length} active markets (one each)`);
  }
  if (req.restingOrders > 0 && active.length === 0)
    throw new RangeError('no active market to rest orders in');
  if (req.restingOrders > active.length * MAX_LEVELS) {
    throw new RangeError(`resting_orders ${req.restingOrders} exceeds ${MAX_LEVELS} per active market`);
  }
  if (!core.hasAccount(HOUSE_ACCOUNT)) core.openAccount(HOUSE_ACCOUNT, HOUSE_CASH);

  for (let i = 0; i < req.positions; i++) {
    const long = i % 2 === 0;
    const r = core.blockTrade({
      ticker: active[i] as string,
      buyerId: long ? accountId : HOUSE_ACCOUNT,
      sellerId: long ? HOUSE_ACCOUNT : accountId,
      yesPrice: POSITION_PRICE,
      count: (1 + (i % 3)) * COUNT_SCALE,
    });
    if (!r.ok) throw new Error(`seeding position ${i} in ${active[i]}: ${r.error.code} ${r.error.message}`);
  }

  let placed = 0;
  let skipped = 0;
  for (let j = 0; j < req.restingOrders; j++) {
    const ticker = active[j % active.length] as string;
    const tick = core.market(ticker)?.priceLevelStructure === 'deci_cent' ? 10 : 100;
    const away = (Math.floor(j / active.length) + 1) * tick;
    const base: OrderIntent = {
      accountId,
      ticker,
      clientOrderId: `seed-${j}`,
      action: 'buy',
      side: 'yes',
      bookSide: 'bid',
      yesPrice: away,
      count: COUNT_SCALE,
      timeInForce: 'good_till_canceled',
      postOnly: true,
      reduceOnly: false,
      selfTradePrevention: 'maker',
      cancelOnPause: false,
      subaccount: 0,
    };
    let r = core.place(base);
    if (!r.ok && r.error.details === 'post only cross') {
      r = core.place({
        ...base,
        clientOrderId: `seed-${j}-ask`,
        action: 'sell',
        bookSide: 'ask',
        yesPrice: 10_000 - away,
      });
    }
    if (r.ok) placed += 1;
    else if (r.error.details === 'post only cross') skipped += 1;
    else throw new Error(`seeding resting order ${j} in ${ticker}: ${r.error.code} ${r.error.message}`);
  }
  return { positions: req.positions, restingOrders: placed, skipped };
}
