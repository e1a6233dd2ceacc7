/**
 * The exchange core against a naive reference: random sequences of orders, cancels and amends
 * from three accounts on one market, checked step by step.
 *
 * The reference keeps every resting order in one flat array and, for each incoming order, filters
 * the opposite ladder for crossing prices (q + p ≥ $1) and sorts by (price desc, arrival asc) —
 * O(n log n) per order and obviously right. Checked after every step:
 *   (1) contracts are conserved: Σ signed positions over accounts = 0 (every YES has its NO);
 *   (2) cash is conserved: Σ cash + Σ fees charged + $1 × open interest = Σ initial cash, where
 *       open interest = Σ positive positions (each open YES/NO pair locked $1 of the traders' cash);
 *   (3) the book at rest is never crossed: best YES bid + best NO bid < $1;
 *   (4) price-time priority and (7) exactness: the executions (maker, taker, price, count) equal the
 *       reference's, in the same order, and the resting book equals the reference's;
 *   (5) no taker fill is worse than the taker's limit;
 *   (6) fill_or_kill is all-or-nothing (except Kalshi's documented taker_at_cross self-cross stop).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Count, Price } from '../../src/domain/index.js';
import type {
  BookSide,
  CoreEvent,
  ExchangeCore,
  Ladder,
  SelfTradePrevention,
  SimFill,
  TimeInForce,
} from '../../src/exchange-sim/core-types.js';
import { createExchangeCore } from '../../src/exchange-sim/exchange.js';
import {
  createBook,
  type IncomingOrder,
  matchOrder,
  type OrderBook,
  planOrder,
} from '../../src/exchange-sim/matching.js';

const TICKER = 'KXPROP-26JAN01-T1';
const ACCOUNTS = ['a', 'b', 'c'] as const;
const INITIAL_CASH = 1_000_000_000_000; // $1,000,000 each: no balance refusals in these runs
const DOLLAR_PER_COUNT_UNIT = 10_000; // $1 per contract in micros per 1/100 contract

interface MarketConfig {
  name: string;
  deci: boolean;
  fractional: boolean;
}

const CONFIGS: MarketConfig[] = [
  { name: 'linear_cent, whole contracts', deci: false, fractional: false },
  { name: 'deci_cent, fractional contracts', deci: true, fractional: true },
];

type Op =
  | {
      kind: 'place';
      account: number;
      bookSide: BookSide;
      buy: boolean;
      /** YES price. */
      yesPrice: Price;
      count: Count;
      tif: TimeInForce;
      postOnly: boolean;
      stp: SelfTradePrevention;
    }
  | { kind: 'cancel'; pick: number }
  | { kind: 'amend'; pick: number; yesPrice: Price };

function opArb(config: MarketConfig): fc.Arbitrary<Op> {
  const price = config.deci
    ? fc.integer({ min: 350, max: 650 }).map((n) => n * 10)
    : fc.integer({ min: 35, max: 65 }).map((n) => n * 100);
  const count = config.fractional
    ? fc.integer({ min: 1, max: 500 })
    : fc.integer({ min: 1, max: 5 }).map((n) => n * 100);
  const place = fc.record({
    kind: fc.constant('place' as const),
    account: fc.integer({ min: 0, max: ACCOUNTS.length - 1 }),
    bookSide: fc.constantFrom<BookSide>('bid', 'ask'),
    buy: fc.boolean(),
    yesPrice: price,
    count,
    tif: fc.constantFrom<TimeInForce>(
      'good_till_canceled',
      'good_till_canceled',
      'good_till_canceled',
      'immediate_or_cancel',
      'fill_or_kill',
    ),
    postOnly: fc.constantFrom(false, false, false, true),
    stp: fc.constantFrom<SelfTradePrevention>('taker_at_cross', 'maker'),
  });
  return fc.oneof(
    { weight: 8, arbitrary: place },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }) },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant('amend' as const), pick: fc.nat(), yesPrice: price }),
    },
  );
}

// ---- the naive reference ----------------------------------------------------------------------

interface RefOrder {
  orderId: string;
  account: string;
  ladder: Ladder;
  /** Own-ladder price. */
  price: Price;
  remaining: Count;
  arrival: number;
  postOnly: boolean;
}

interface RefExecution {
  makerOrderId: string;
  takerOrderId: string;
  yesPrice: Price;
  count: Count;
}

class Reference {
  resting: RefOrder[] = [];
  arrivals = 0;
  positions = new Map<string, number>(ACCOUNTS.map((a) => [a, 0]));

  crossing(ladder: Ladder, price: Price): RefOrder[] {
    return this.resting
      .filter((o) => o.ladder !== ladder && o.price + price >= 10_000)
      .sort((x, y) => y.price - x.price || x.arrival - y.arrival);
  }

  /** Runs an incoming order; returns null when post-only rejects it. */
  submit(
    orderId: string,
    account: string,
    ladder: Ladder,
    price: Price,
    count: Count,
    tif: TimeInForce,
    postOnly: boolean,
    stp: SelfTradePrevention,
  ): { executions: RefExecution[]; filled: Count; rested: boolean } | null {
    const crossing = this.crossing(ladder, price);
    if (postOnly && crossing.length > 0) return null;
    if (tif === 'fill_or_kill') {
      const available = crossing.filter((o) => o.account !== account).reduce((s, o) => s + o.remaining, 0);
      if (available < count) return { executions: [], filled: 0, rested: false };
    }
    const executions: RefExecution[] = [];
    let left = count;
    let stopped = false;
    for (const maker of crossing) {
      if (left === 0) break;
      if (maker.account === account) {
        if (stp === 'taker_at_cross') {
          stopped = true;
          break;
        }
        this.resting = this.resting.filter((o) => o !== maker);
        continue;
      }
      const n = Math.min(left, maker.remaining);
      left -= n;
      maker.remaining -= n;
      if (maker.remaining === 0) this.resting = this.resting.filter((o) => o !== maker);
      const yesPrice = maker.ladder === 'yes' ? maker.price : 10_000 - maker.price;
      executions.push({ makerOrderId: maker.orderId, takerOrderId: orderId, yesPrice, count: n });
      const sign = (l: Ladder) => (l === 'yes' ? 1 : -1);
      this.positions.set(account, (this.positions.get(account) ?? 0) + sign(ladder) * n);
      this.positions.set(maker.account, (this.positions.get(maker.account) ?? 0) + sign(maker.ladder) * n);
    }
    const rested = left > 0 && !stopped && tif === 'good_till_canceled';
    if (rested) {
      this.arrivals += 1;
      this.resting.push({
        orderId,
        account,
        ladder,
        price,
        remaining: left,
        arrival: this.arrivals,
        postOnly,
      });
    }
    return { executions, filled: count - left, rested };
  }

  levels(ladder: Ladder): Array<[Price, Count]> {
    const totals = new Map<Price, Count>();
    for (const o of this.resting)
      if (o.ladder === ladder) totals.set(o.price, (totals.get(o.price) ?? 0) + o.remaining);
    return [...totals.entries()].sort((x, y) => x[0] - y[0]);
  }
}

// ---- driving the core -------------------------------------------------------------------------

function makeCore(config: MarketConfig): ExchangeCore {
  let now = 1_700_000_000_000;
  const core = createExchangeCore({ clock: () => now++ });
  core.addSeries({
    ticker: 'KXPROP',
    title: 'Property',
    category: 'Testing',
    frequency: 'daily',
    feeType: 'quadratic_with_maker_fees',
    feeMultiplier: 10_000,
  });
  core.addEvent({
    eventTicker: 'KXPROP-26JAN01',
    seriesTicker: 'KXPROP',
    title: 'P',
    subTitle: '',
    mutuallyExclusive: false,
  });
  core.addMarket({
    ticker: TICKER,
    eventTicker: 'KXPROP-26JAN01',
    title: 'Property market',
    yesSubTitle: '',
    noSubTitle: '',
    strikeType: 'custom',
    openMs: 0,
    closeMs: Number.MAX_SAFE_INTEGER,
    expectedExpirationMs: Number.MAX_SAFE_INTEGER,
    priceLevelStructure: config.deci ? 'deci_cent' : 'linear_cent',
    fractionalTradingEnabled: config.fractional,
    status: 'active',
  });
  for (const a of ACCOUNTS) core.openAccount(a, INITIAL_CASH);
  return core;
}

/** Executions of one step as (maker, taker, price, count), from the fill events in order. */
function executionsFrom(events: CoreEvent[]): RefExecution[] {
  const fills = events.flatMap((e) => (e.type === 'fill' ? [e.fill] : []));
  const out: RefExecution[] = [];
  for (let i = 0; i < fills.length; i += 2) {
    const taker = fills[i] as SimFill;
    const maker = fills[i + 1] as SimFill;
    expect(taker.isTaker && !maker.isTaker && taker.tradeId === maker.tradeId).toBe(true);
    out.push({
      makerOrderId: maker.orderId,
      takerOrderId: taker.orderId,
      yesPrice: taker.yesPrice,
      count: taker.count,
    });
  }
  return out;
}

function checkInvariants(core: ExchangeCore, ref: Reference, feesCharged: number): void {
  const book = core.book(TICKER);
  // (3) no crossed book at rest
  const bestYes = book.yes.at(-1)?.[0];
  const bestNo = book.no.at(-1)?.[0];
  if (bestYes !== undefined && bestNo !== undefined) expect(bestYes + bestNo).toBeLessThan(10_000);
  // (7) the resting book equals the reference's
  expect(book).toEqual({ yes: ref.levels('yes'), no: ref.levels('no') });
  // (1) contracts conserved, and positions equal the reference's
  const positions = ACCOUNTS.map((a) => core.positions(a).find((p) => p.ticker === TICKER)?.position ?? 0);
  expect(positions.reduce((s, p) => s + p, 0)).toBe(0);
  expect(positions).toEqual(ACCOUNTS.map((a) => ref.positions.get(a)));
  // (2) cash conserved
  const openInterest = positions.reduce((s, p) => s + Math.max(p, 0), 0);
  expect(core.market(TICKER)?.openInterest).toBe(openInterest);
  const cash = ACCOUNTS.reduce((s, a) => s + core.balance(a).cash, 0);
  expect(cash + feesCharged + openInterest * DOLLAR_PER_COUNT_UNIT).toBe(INITIAL_CASH * ACCOUNTS.length);
  // Fees recorded on positions add up to the fees on fills.
  const feesOnPositions = ACCOUNTS.flatMap((a) => core.positions(a)).reduce((s, p) => s + p.feesPaid, 0);
  expect(feesOnPositions).toBe(feesCharged);
}

function runScenario(config: MarketConfig, ops: Op[]): void {
  const core = makeCore(config);
  const ref = new Reference();
  const events: CoreEvent[] = [];
  core.onEvent((e) => events.push(e));
  const placed: Array<{ orderId: string; account: string }> = [];
  let feesCharged = 0;
  let coid = 0;

  for (const op of ops) {
    events.length = 0;
    let expected: RefExecution[] = [];
    if (op.kind === 'place') {
      const account = ACCOUNTS[op.account] as string;
      const side = op.bookSide === 'bid' ? (op.buy ? 'yes' : 'no') : op.buy ? 'no' : 'yes';
      const result = core.place({
        accountId: account,
        ticker: TICKER,
        clientOrderId: `c${++coid}`,
        action: op.buy ? 'buy' : 'sell',
        side,
        bookSide: op.bookSide,
        yesPrice: op.yesPrice,
        count: op.count,
        timeInForce: op.tif,
        postOnly: op.postOnly,
        reduceOnly: false,
        selfTradePrevention: op.stp,
        cancelOnPause: false,
        subaccount: 0,
      });
      const ladder: Ladder = op.bookSide === 'bid' ? 'yes' : 'no';
      const price = ladder === 'yes' ? op.yesPrice : 10_000 - op.yesPrice;
      const orderId = result.ok ? result.value.order.orderId : `rejected-${coid}`;
      const outcome = ref.submit(orderId, account, ladder, price, op.count, op.tif, op.postOnly, op.stp);
      if (outcome === null) {
        expect(result.ok).toBe(false);
        if (!result.ok) expect(result.error.details).toBe('post only cross');
      } else {
        if (!result.ok) throw new Error(`unexpected refusal: ${JSON.stringify(result.error)}`);
        expected = outcome.executions;
        const order = result.value.order;
        placed.push({ orderId, account });
        expect(order.fillCount).toBe(outcome.filled);
        expect(order.status === 'resting').toBe(outcome.rested);
        // (5) no taker fill worse than the limit
        for (const f of result.value.fills) {
          if (op.bookSide === 'bid') expect(f.yesPrice).toBeLessThanOrEqual(op.yesPrice);
          else expect(f.yesPrice).toBeGreaterThanOrEqual(op.yesPrice);
        }
        // (6) fill_or_kill all-or-nothing
        if (op.tif === 'fill_or_kill' && order.lastUpdateReason !== 'self_trade_prevention') {
          expect([0, op.count]).toContain(order.fillCount);
        }
      }
    } else if (placed.length > 0) {
      const target = placed[op.pick % placed.length] as { orderId: string; account: string };
      const refOrder = ref.resting.find((o) => o.orderId === target.orderId);
      if (op.kind === 'cancel') {
        const result = core.cancel(target.account, target.orderId);
        if (!result.ok) throw new Error(`cancel failed: ${JSON.stringify(result.error)}`);
        expect(result.value.reducedBy).toBe(refOrder?.remaining ?? 0);
        if (refOrder) ref.resting = ref.resting.filter((o) => o !== refOrder);
      } else {
        const current = core.order(target.account, target.orderId);
        if (!current) throw new Error('order vanished');
        const ladder: Ladder = current.bookSide === 'bid' ? 'yes' : 'no';
        const newPrice = ladder === 'yes' ? op.yesPrice : 10_000 - op.yesPrice;
        const result = core.amend(target.account, target.orderId, {
          yesPrice: op.yesPrice,
          count: current.fillCount + current.remainingCount,
        });
        if (!refOrder) {
          expect(result.ok).toBe(false);
        } else if (newPrice === refOrder.price) {
          // Same price and size: an in-place no-op that keeps priority.
          if (!result.ok) throw new Error(`amend failed: ${JSON.stringify(result.error)}`);
          expect(result.value.fills).toEqual([]);
        } else {
          ref.resting = ref.resting.filter((o) => o !== refOrder);
          const outcome = ref.submit(
            refOrder.orderId,
            refOrder.account,
            ladder,
            newPrice,
            refOrder.remaining,
            'good_till_canceled',
            refOrder.postOnly,
            current.selfTradePrevention,
          );
          if (outcome === null) {
            ref.resting.push(refOrder); // rejected: unchanged, priority kept
            ref.resting.sort((x, y) => x.arrival - y.arrival);
            expect(result.ok).toBe(false);
          } else {
            if (!result.ok) throw new Error(`amend failed: ${JSON.stringify(result.error)}`);
            expected = outcome.executions;
          }
        }
      }
    }
    // (4) + (7) the same executions in the same order
    expect(executionsFrom(events)).toEqual(expected);
    feesCharged += events.reduce((s, e) => s + (e.type === 'fill' ? e.fill.fee : 0), 0);
    checkInvariants(core, ref, feesCharged);
  }
}

describe.each(CONFIGS)('exchange core vs a naive reference ($name)', (config) => {
  it('matches the reference and conserves contracts and cash on random order flow', () => {
    fc.assert(
      fc.property(fc.array(opArb(config), { minLength: 1, maxLength: 60 }), (ops) =>
        runScenario(config, ops),
      ),
      { numRuns: 150 },
    );
  });
});

describe('planOrder', () => {
  const incomingArb = fc.record({
    account: fc.constantFrom('a', 'b'),
    ladder: fc.constantFrom<Ladder>('yes', 'no'),
    price: fc.integer({ min: 30, max: 70 }).map((n) => n * 100),
    count: fc.integer({ min: 1, max: 5 }).map((n) => n * 100),
    tif: fc.constantFrom<TimeInForce>('good_till_canceled', 'immediate_or_cancel', 'fill_or_kill'),
    postOnly: fc.boolean(),
    stp: fc.constantFrom<SelfTradePrevention>('taker_at_cross', 'maker'),
  });

  it('never changes the book it reads, and matchOrder then leaves it uncrossed', () => {
    fc.assert(
      fc.property(fc.array(incomingArb, { minLength: 1, maxLength: 40 }), incomingArb, (history, probe) => {
        const book: OrderBook = createBook();
        let n = 0;
        const incoming = (x: typeof probe): IncomingOrder => ({
          orderId: `o${++n}`,
          accountId: x.account,
          clientOrderId: `c${n}`,
          ladder: x.ladder,
          price: x.price,
          count: x.count,
          timeInForce: x.tif,
          postOnly: x.postOnly,
          selfTradePrevention: x.stp,
          arrival: n,
        });
        for (const h of history) {
          matchOrder(book, incoming(h));
          const bestYes = book.yes.prices.at(-1);
          const bestNo = book.no.prices.at(-1);
          if (bestYes !== undefined && bestNo !== undefined) expect(bestYes + bestNo).toBeLessThan(10_000);
        }
        const serialize = (b: OrderBook) =>
          JSON.stringify({
            yes: [...b.yes.levels.entries()],
            yp: b.yes.prices,
            no: [...b.no.levels.entries()],
            np: b.no.prices,
          });
        const before = serialize(book);
        const decision = planOrder(book, incoming(probe));
        expect(serialize(book)).toBe(before);
        if (decision.kind === 'accepted') {
          const executed = decision.steps.reduce((s, st) => s + (st.kind === 'execution' ? st.count : 0), 0);
          expect(executed).toBe(decision.filled);
          expect(decision.filled + decision.remaining).toBe(probe.count);
        }
      }),
      { numRuns: 200 },
    );
  });
});
