/**
 * Cash reserved by our resting orders (seed 001's per-market reserved cash), and the balance check
 * that runs against what is left: two orders can never spend the same dollar.
 */
import { describe, expect, it } from 'vitest';
import { createBus } from '../../src/bus.js';
import type { OrderIntent, TrackedOrder } from '../../src/domain/index.js';
import { contracts, MICROS_PER_DOLLAR } from '../../src/domain/index.js';
import {
  feeAllowance,
  RiskController,
  type RiskOpenOrder,
  reservedByMarket,
  reservedCash,
} from '../../src/services/risk-controller.js';

const $ = (d: number) => Math.round(d * MICROS_PER_DOLLAR);
const BPS = 700;
const rest = (ticker: string, bookSide: 'bid' | 'ask', yesPrice: number, n: number): RiskOpenOrder => ({
  ticker,
  bookSide,
  yesPrice,
  remaining: contracts(n),
});

describe('reservedCash', () => {
  it('reserves price × count plus a fee allowance for a resting buy', () => {
    const r = reservedCash([rest('A', 'bid', 4000, 10)], [], BPS);
    expect(r).toBe($(4) + feeAllowance(contracts(10), 4000, BPS));
  });

  it('reserves the NO leg (1 − p) for a resting ask', () => {
    const r = reservedCash([rest('A', 'ask', 4000, 10)], [], BPS);
    expect(r).toBe($(6) + feeAllowance(contracts(10), 4000, BPS));
  });

  it('reserves nothing for the part that closes a held position, cheapest orders covered first', () => {
    // Long 5 YES: asks close it. Of 3 @ NO 0.30 and 4 @ NO 0.40, the cheaper 3 and 2 of the 4 close.
    const orders = [rest('A', 'ask', 6000, 4), rest('A', 'ask', 7000, 3)];
    const r = reservedCash(orders, [{ ticker: 'A', position: contracts(5), costBasis: 0 }], BPS);
    expect(r).toBe($(0.8) + feeAllowance(contracts(2), 6000, BPS));
  });

  it('keeps markets apart', () => {
    const m = reservedByMarket([rest('A', 'bid', 1000, 1), rest('B', 'bid', 2000, 1)], [], 0);
    expect(Object.fromEntries(m)).toEqual({ A: $(0.1), B: $(0.2) });
  });
});

function tracked(i: OrderIntent, status: TrackedOrder['status'] = 'resting'): TrackedOrder {
  return {
    clientOrderId: `c-${i.ticker}-${i.yesPrice}`,
    intent: i,
    status,
    fillCount: 0,
    fillNotional: 0,
    fees: 0,
    createdMs: 0,
    updatedMs: 0,
    history: [],
  };
}

describe('the RiskController balance check', () => {
  const buy = (ticker: string, yesPrice: number, n: number): OrderIntent => ({
    ticker,
    bookSide: 'bid',
    yesPrice,
    count: contracts(n),
    timeInForce: 'good_till_canceled',
    strategy: 'test',
    reason: 'test',
  });

  it('subtracts what resting orders reserve from the balance', () => {
    const orders: TrackedOrder[] = [];
    const rc = new RiskController({
      bus: createBus(),
      clock: () => 0,
      positions: () => [],
      orders: () => orders,
      bookStatus: () => 'live',
      tradingActive: () => true,
      balance: () => $(5),
    });
    // $4.00 + fee allowance fits in $5 …
    expect(rc.check(buy('A', 4000, 10)).ok).toBe(true);
    orders.push(tracked(buy('A', 4000, 10)));
    expect(rc.reserved()).toBe($(4) + feeAllowance(contracts(10), 4000, BPS));
    // … but a second $4.00 order in another market does not fit in what is left.
    const v = rc.check(buy('B', 4000, 10));
    expect(v.ok ? 'ok' : v.code).toBe('RISK_INSUFFICIENT_BALANCE');
    // An order that ended reserves nothing.
    orders[0] = tracked(buy('A', 4000, 10), 'canceled');
    expect(rc.check(buy('B', 4000, 10)).ok).toBe(true);
  });
});
