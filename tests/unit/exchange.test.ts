import { beforeEach, describe, expect, it } from 'vitest';
import { contracts, type Micros, type Price } from '../../src/domain/index.js';
import type {
  CoreEvent,
  CoreResult,
  ExchangeCore,
  FeeType,
  MarketDef,
  OrderIntent,
  SimFill,
  SimOrder,
} from '../../src/exchange-sim/core-types.js';
import { createExchangeCore } from '../../src/exchange-sim/exchange.js';

const TICKER = 'KXTEST-26JAN01-T50';
const dollars = (d: number): Micros => Math.round(d * 100) * 10_000;
const cents = (c: number): Price => c * 100;

function marketDef(over: Partial<MarketDef> = {}): MarketDef {
  return {
    ticker: TICKER,
    eventTicker: 'KXTEST-26JAN01',
    title: 'Test market',
    yesSubTitle: 'Above 50',
    noSubTitle: 'Not above 50',
    strikeType: 'greater',
    floorStrike: 50,
    openMs: 0,
    closeMs: 10_000_000,
    expectedExpirationMs: 11_000_000,
    priceLevelStructure: 'linear_cent',
    fractionalTradingEnabled: false,
    status: 'active',
    ...over,
  };
}

interface Fixture {
  core: ExchangeCore;
  events: CoreEvent[];
  setNow(ms: number): void;
}

function setup(opts: { feeType?: FeeType; market?: Partial<MarketDef>; cash?: Micros } = {}): Fixture {
  let now = 1_000_000;
  const core = createExchangeCore({ clock: () => now });
  core.addSeries({
    ticker: 'KXTEST',
    title: 'Test',
    category: 'Testing',
    frequency: 'daily',
    feeType: opts.feeType ?? 'quadratic',
    feeMultiplier: 10_000,
  });
  core.addEvent({
    eventTicker: 'KXTEST-26JAN01',
    seriesTicker: 'KXTEST',
    title: 'Test event',
    subTitle: '',
    mutuallyExclusive: false,
  });
  core.addMarket(marketDef(opts.market));
  for (const id of ['alice', 'bob', 'carol']) core.openAccount(id, opts.cash ?? dollars(1000));
  const events: CoreEvent[] = [];
  core.onEvent((e) => events.push(e));
  return { core, events, setNow: (ms) => (now = ms) };
}

let seq = 0;

/** An order in the user's words: `price` is the price of the named side in cents. */
function intent(
  accountId: string,
  action: 'buy' | 'sell',
  side: 'yes' | 'no',
  priceCents: number,
  count: number,
  over: Partial<OrderIntent> = {},
): OrderIntent {
  seq += 1;
  const sidePrice = cents(priceCents);
  return {
    accountId,
    ticker: TICKER,
    clientOrderId: `coid-${seq}`,
    action,
    side,
    bookSide: (action === 'buy') === (side === 'yes') ? 'bid' : 'ask',
    yesPrice: side === 'yes' ? sidePrice : 10_000 - sidePrice,
    count: contracts(count),
    timeInForce: 'good_till_canceled',
    postOnly: false,
    reduceOnly: false,
    selfTradePrevention: 'taker_at_cross',
    cancelOnPause: false,
    subaccount: 0,
    ...over,
  };
}

function unwrap<T>(result: CoreResult<T>): T {
  if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result.error)}`);
  return result.value;
}

function place(core: ExchangeCore, i: OrderIntent): { order: SimOrder; fills: SimFill[] } {
  return unwrap(core.place(i));
}

function position(core: ExchangeCore, accountId: string): number {
  return core.positions(accountId).find((p) => p.ticker === TICKER)?.position ?? 0;
}

beforeEach(() => {
  seq = 0;
});

describe('resting and the book', () => {
  it('rests bids on their own ladders, aggregated and ascending by price', () => {
    const { core } = setup();
    place(core, intent('alice', 'buy', 'yes', 40, 10));
    place(core, intent('bob', 'buy', 'yes', 42, 5));
    place(core, intent('carol', 'buy', 'yes', 40, 3));
    place(core, intent('alice', 'sell', 'yes', 60, 7)); // rests as a NO bid at 40¢
    place(core, intent('bob', 'buy', 'no', 45, 2));
    expect(core.book(TICKER)).toEqual({
      yes: [
        [cents(40), contracts(13)],
        [cents(42), contracts(5)],
      ],
      no: [
        [cents(40), contracts(7)],
        [cents(45), contracts(2)],
      ],
    });
  });
});

describe('matching', () => {
  it('fills partially at the maker price and leaves the maker resting with the rest', () => {
    const { core } = setup();
    const maker = place(core, intent('alice', 'buy', 'yes', 40, 10)).order;
    const { order, fills } = place(core, intent('bob', 'buy', 'no', 60, 4));
    expect(order.status).toBe('executed');
    expect(fills).toHaveLength(1);
    expect(fills[0]).toMatchObject({
      yesPrice: cents(40),
      count: contracts(4),
      isTaker: true,
      postPosition: -400,
    });
    expect(core.order('alice', maker.orderId)).toMatchObject({
      status: 'resting',
      fillCount: contracts(4),
      remainingCount: contracts(6),
      makerFillCost: dollars(1.6),
    });
    expect(core.book(TICKER).yes).toEqual([[cents(40), contracts(6)]]);
    expect(position(core, 'alice')).toBe(contracts(4));
    expect(position(core, 'bob')).toBe(-contracts(4));
    // Bob pays 4 × 60¢ plus the taker fee ceil(0.07 × 4 × 0.24) = 7¢; alice pays 4 × 40¢, no maker fee.
    expect(core.balance('bob').cash).toBe(dollars(1000 - 2.4 - 0.07));
    expect(core.balance('alice').cash).toBe(dollars(1000 - 1.6));
    expect(core.balance('alice').reserved).toBe(dollars(6 * 0.4));
  });

  it('gives the taker price improvement and walks price, then time', () => {
    const { core } = setup();
    const a = place(core, intent('alice', 'buy', 'no', 30, 2)).order; // YES ask 70¢
    const c1 = place(core, intent('carol', 'buy', 'no', 30, 2)).order; // YES ask 70¢, later
    const c2 = place(core, intent('carol', 'buy', 'no', 35, 1)).order; // YES ask 65¢, best
    const { order, fills } = place(core, intent('bob', 'buy', 'yes', 75, 4));
    expect(fills.map((f) => [f.yesPrice, f.count])).toEqual([
      [cents(65), contracts(1)],
      [cents(70), contracts(2)],
      [cents(70), contracts(1)],
    ]);
    const makers = core
      .fills('alice')
      .concat(core.fills('carol'))
      .sort((x, y) => x.fillId.localeCompare(y.fillId))
      .map((f) => f.orderId);
    expect(makers).toEqual([c2.orderId, a.orderId, c1.orderId]);
    // 65 + 2 × 70 + 70 = $2.75 rather than 4 × 75¢.
    expect(order.takerFillCost).toBe(dollars(2.75));
    expect(core.book(TICKER).no).toEqual([[cents(30), contracts(1)]]);
  });

  it('cancels the remainder of an immediate_or_cancel order', () => {
    const { core } = setup();
    place(core, intent('alice', 'buy', 'no', 45, 3));
    const { order } = place(
      core,
      intent('bob', 'buy', 'yes', 55, 10, { timeInForce: 'immediate_or_cancel' }),
    );
    expect(order).toMatchObject({
      status: 'canceled',
      fillCount: contracts(3),
      remainingCount: 0,
      lastUpdateReason: 'immediate_or_cancel',
    });
    expect(core.book(TICKER)).toEqual({ yes: [], no: [] });
  });

  it('fills a fill_or_kill completely or not at all', () => {
    const { core } = setup();
    place(core, intent('alice', 'buy', 'no', 45, 3));
    place(core, intent('carol', 'buy', 'no', 44, 3));
    const killed = place(core, intent('bob', 'buy', 'yes', 56, 7, { timeInForce: 'fill_or_kill' }));
    expect(killed.fills).toEqual([]);
    expect(killed.order).toMatchObject({
      status: 'canceled',
      fillCount: 0,
      lastUpdateReason: 'fill_or_kill',
    });
    expect(core.book(TICKER).no).toEqual([
      [cents(44), contracts(3)],
      [cents(45), contracts(3)],
    ]);
    const filled = place(core, intent('bob', 'buy', 'yes', 56, 6, { timeInForce: 'fill_or_kill' }));
    expect(filled.order).toMatchObject({ status: 'executed', fillCount: contracts(6) });
    expect(core.book(TICKER).no).toEqual([]);
  });

  it('kills a fill_or_kill whose whole count would cost more than buyMaxCost', () => {
    const { core } = setup();
    place(core, intent('alice', 'buy', 'no', 45, 10));
    const killed = place(core, intent('bob', 'buy', 'yes', 60, 10, { buyMaxCost: dollars(5.49) }));
    expect(killed.order.status).toBe('canceled');
    const filled = place(core, intent('bob', 'buy', 'yes', 60, 10, { buyMaxCost: dollars(5.5) }));
    expect(filled.order.status).toBe('executed');
  });

  it('rejects a post-only order that would cross, and rests one that would not', () => {
    const { core } = setup();
    place(core, intent('alice', 'buy', 'no', 45, 3));
    const rejected = core.place(intent('bob', 'buy', 'yes', 55, 1, { postOnly: true }));
    expect(rejected).toEqual({
      ok: false,
      error: { status: 400, code: 'invalid_order', message: 'invalid order', details: 'post only cross' },
    });
    expect(core.orders('bob')).toEqual([]);
    const rests = place(core, intent('bob', 'buy', 'yes', 54, 1, { postOnly: true }));
    expect(rests.order.status).toBe('resting');
  });
});

describe('self-trade prevention', () => {
  function book3(core: ExchangeCore): { own: SimOrder } {
    place(core, intent('bob', 'buy', 'no', 40, 2));
    const own = place(core, intent('alice', 'buy', 'no', 40, 2)).order;
    place(core, intent('carol', 'buy', 'no', 40, 2));
    return { own };
  }

  it('taker_at_cross cancels the taker where it meets its own order; earlier fills stand', () => {
    const { core } = setup();
    const { own } = book3(core);
    const { order, fills } = place(core, intent('alice', 'buy', 'yes', 60, 6));
    expect(fills).toHaveLength(1);
    expect(order).toMatchObject({
      status: 'canceled',
      fillCount: contracts(2),
      lastUpdateReason: 'self_trade_prevention',
    });
    expect(core.order('alice', own.orderId)?.status).toBe('resting');
    expect(core.book(TICKER).no).toEqual([[cents(40), contracts(4)]]);
  });

  it('maker cancels the resting own order and keeps matching', () => {
    const { core } = setup();
    const { own } = book3(core);
    const { order, fills } = place(
      core,
      intent('alice', 'buy', 'yes', 60, 6, { selfTradePrevention: 'maker' }),
    );
    expect(fills.map((f) => f.count)).toEqual([contracts(2), contracts(2)]);
    expect(core.order('alice', own.orderId)).toMatchObject({
      status: 'canceled',
      remainingCount: 0,
      lastUpdateReason: 'self_trade_prevention',
    });
    expect(order).toMatchObject({ status: 'resting', fillCount: contracts(4), remainingCount: contracts(2) });
    expect(core.book(TICKER)).toEqual({ yes: [[cents(60), contracts(2)]], no: [] });
  });

  it('counts only other accounts as liquidity for fill_or_kill', () => {
    const { core } = setup();
    book3(core);
    const killed = place(
      core,
      intent('alice', 'buy', 'yes', 60, 5, { timeInForce: 'fill_or_kill', selfTradePrevention: 'maker' }),
    );
    expect(killed.order.status).toBe('canceled');
    expect(killed.fills).toEqual([]);
    expect(core.book(TICKER).no).toEqual([[cents(40), contracts(6)]]);
  });
});

describe('accounts', () => {
  it('answers 409 order_already_exists for a reused client_order_id, even after the order ended', () => {
    const { core } = setup();
    const first = place(core, intent('alice', 'buy', 'yes', 40, 1, { clientOrderId: 'dup' }));
    unwrap(core.cancel('alice', first.order.orderId));
    const again = core.place(intent('alice', 'buy', 'yes', 41, 1, { clientOrderId: 'dup' }));
    expect(again.ok).toBe(false);
    if (!again.ok) expect(again.error).toMatchObject({ status: 409, code: 'order_already_exists' });
    // Another account may use the same id.
    expect(core.place(intent('bob', 'buy', 'yes', 41, 1, { clientOrderId: 'dup' })).ok).toBe(true);
  });

  it('reserves the cost of resting orders and refuses what available cash cannot cover', () => {
    const { core } = setup({ cash: dollars(10) });
    place(core, intent('alice', 'buy', 'yes', 50, 10));
    expect(core.balance('alice')).toMatchObject({ cash: dollars(10), reserved: dollars(5) });
    // $5 more plus the worst-case taker fee (18¢) does not fit into the $5 left.
    const refused = core.place(intent('alice', 'buy', 'yes', 50, 10));
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error).toMatchObject({ status: 400, code: 'available_balance_too_low' });
    expect(core.place(intent('alice', 'buy', 'yes', 50, 9)).ok).toBe(true);
  });

  it('lets an account with no available cash sell what it holds', () => {
    const { core } = setup();
    core.openAccount('dana', dollars(4.17));
    place(core, intent('bob', 'buy', 'no', 60, 10));
    place(core, intent('dana', 'buy', 'yes', 40, 10)); // $4 plus a 17¢ taker fee: all she has
    expect(core.balance('dana').cash).toBe(0);
    expect(core.place(intent('dana', 'buy', 'yes', 1, 1)).ok).toBe(false);
    const sell = place(core, intent('dana', 'sell', 'yes', 45, 10));
    expect(sell.order.status).toBe('resting');
    expect(core.balance('dana').reserved).toBe(0);
  });

  it('nets YES against NO: selling held YES realizes P&L and releases $1 per pair', () => {
    const { core } = setup();
    place(core, intent('bob', 'buy', 'no', 60, 10));
    place(core, intent('alice', 'buy', 'yes', 40, 10)); // alice takes +10 YES at 40¢, fee 17¢
    place(core, intent('carol', 'buy', 'yes', 55, 4));
    const { fills } = place(core, intent('alice', 'sell', 'yes', 55, 4)); // a NO bid at 45¢ crosses carol
    expect(fills[0]).toMatchObject({ yesPrice: cents(55), postPosition: contracts(6), fee: dollars(0.07) });
    expect(core.positions('alice')[0]).toMatchObject({
      position: contracts(6),
      positionCost: dollars(2.4),
      marketExposure: dollars(2.4),
      realizedPnl: dollars(0.6), // 4 × (55¢ − 40¢)
      feesPaid: dollars(0.24),
      volume: contracts(14),
    });
    // −$4.00 − 17¢, then pays 4 × 45¢ for NO and gets $1 back for each of the 4 pairs, − 7¢.
    expect(core.balance('alice').cash).toBe(dollars(1000 - 4 - 0.17 + 4 - 1.8 - 0.07));
    expect(core.market(TICKER)?.openInterest).toBe(contracts(10)); // alice 6 + carol 4 = bob's 10 NO
  });

  it('rejects reduce-only orders that cannot reduce, and caps those that can', () => {
    const { core } = setup();
    const none = core.place(intent('alice', 'sell', 'yes', 50, 5, { reduceOnly: true }));
    expect(none.ok).toBe(false);
    if (!none.ok)
      expect(none.error).toMatchObject({
        status: 400,
        code: 'invalid_order',
        details: expect.stringContaining('reduce only'),
      });
    place(core, intent('bob', 'buy', 'no', 50, 5));
    place(core, intent('alice', 'buy', 'yes', 50, 5));
    const wrongWay = core.place(intent('alice', 'buy', 'yes', 50, 1, { reduceOnly: true }));
    expect(wrongWay.ok).toBe(false);
    const capped = place(core, intent('alice', 'sell', 'yes', 60, 10, { reduceOnly: true }));
    expect(capped.order).toMatchObject({ initialCount: contracts(5), remainingCount: contracts(5) });
  });
});

describe('changing resting orders', () => {
  it('decrease keeps time priority; reduce_to 0 cancels', () => {
    const { core } = setup();
    const first = place(core, intent('alice', 'buy', 'yes', 40, 5)).order;
    place(core, intent('carol', 'buy', 'yes', 40, 5));
    const decreased = unwrap(core.decrease('alice', first.orderId, { reduceBy: contracts(3) }));
    expect(decreased).toMatchObject({
      remainingCount: contracts(2),
      initialCount: contracts(5),
      status: 'resting',
    });
    const { fills } = place(core, intent('bob', 'buy', 'no', 60, 1));
    expect(core.fills('alice')[0]?.tradeId).toBe(fills[0]?.tradeId);
    const canceled = unwrap(core.decrease('alice', first.orderId, { reduceTo: 0 }));
    expect(canceled.status).toBe('canceled');
    expect(core.decrease('alice', first.orderId, {}).ok).toBe(false);
  });

  it('amend to a lower count keeps priority; amend to a new price goes to the back and may trade', () => {
    const { core } = setup();
    const a = place(core, intent('alice', 'buy', 'yes', 40, 5)).order;
    const c = place(core, intent('carol', 'buy', 'yes', 40, 5)).order;
    const smaller = unwrap(core.amend('alice', a.orderId, { yesPrice: cents(40), count: contracts(4) }));
    expect(smaller.old.remainingCount).toBe(contracts(5));
    expect(smaller.order).toMatchObject({ remainingCount: contracts(4), arrival: a.arrival });
    place(core, intent('bob', 'buy', 'no', 60, 1));
    expect(core.order('alice', a.orderId)?.fillCount).toBe(contracts(1));
    // count is the new maximum fillable: 1 filled + 5 remaining.
    const moved = unwrap(core.amend('alice', a.orderId, { yesPrice: cents(41), count: contracts(6) }));
    expect(moved.order).toMatchObject({
      yesPrice: cents(41),
      remainingCount: contracts(5),
      fillCount: contracts(1),
    });
    expect(moved.order.arrival).toBeGreaterThan(c.arrival);
    // Back to 40¢: now behind carol.
    unwrap(core.amend('alice', a.orderId, { yesPrice: cents(40), count: contracts(6) }));
    place(core, intent('bob', 'buy', 'no', 60, 1));
    expect(core.order('carol', c.orderId)?.fillCount).toBe(contracts(1));
    // An amend that crosses trades as a taker.
    place(core, intent('bob', 'buy', 'no', 50, 2));
    const crossing = unwrap(core.amend('alice', a.orderId, { yesPrice: cents(55), count: contracts(6) }));
    expect(crossing.fills.map((f) => [f.yesPrice, f.isTaker])).toEqual([[cents(50), true]]);
    expect(crossing.order).toMatchObject({ fillCount: contracts(3), remainingCount: contracts(3) });
  });

  it('amend to a count at or below the filled count is refused', () => {
    const { core } = setup();
    const a = place(core, intent('alice', 'buy', 'yes', 40, 5)).order;
    place(core, intent('bob', 'buy', 'no', 60, 2));
    const r = core.amend('alice', a.orderId, { yesPrice: cents(40), count: contracts(2) });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('invalid_order_size');
  });

  it('cancel reports what it removed, and 0 for an order already done', () => {
    const { core } = setup();
    const a = place(core, intent('alice', 'buy', 'yes', 40, 5)).order;
    expect(unwrap(core.cancel('alice', a.orderId)).reducedBy).toBe(contracts(5));
    expect(unwrap(core.cancel('alice', a.orderId)).reducedBy).toBe(0);
    expect(core.cancel('bob', a.orderId).ok).toBe(false);
    expect(core.balance('alice').reserved).toBe(0);
  });

  it('expires good-till-time orders, explicitly or before the next order in the market', () => {
    const f = setup();
    const { core } = f;
    const a = place(core, intent('alice', 'buy', 'yes', 40, 5, { expirationMs: 1_500_000 })).order;
    const b = place(core, intent('alice', 'buy', 'yes', 41, 5, { expirationMs: 2_000_000 })).order;
    expect(core.expire(1_499_999)).toEqual([]);
    const expired = core.expire(1_500_000);
    expect(expired.map((o) => [o.orderId, o.lastUpdateReason])).toEqual([[a.orderId, 'expired']]);
    f.setNow(2_000_000);
    const taker = place(core, intent('bob', 'buy', 'no', 60, 5, { timeInForce: 'immediate_or_cancel' }));
    expect(taker.fills).toEqual([]);
    expect(core.order('alice', b.orderId)?.status).toBe('canceled');
    const past = core.place(intent('alice', 'buy', 'yes', 40, 1, { expirationMs: 1_000 }));
    expect(past.ok).toBe(false);
  });
});

describe('validation', () => {
  function code(r: CoreResult<unknown>): string | undefined {
    return r.ok ? undefined : r.error.code;
  }

  it('keeps prices on the market grid', () => {
    const { core } = setup();
    expect(code(core.place({ ...intent('alice', 'buy', 'yes', 40, 1), yesPrice: 4050 }))).toBe(
      'invalid_price',
    );
    expect(code(core.place({ ...intent('alice', 'buy', 'yes', 40, 1), yesPrice: 0 }))).toBe('invalid_price');
    const deci = setup({ market: { priceLevelStructure: 'deci_cent' } }).core;
    expect(code(deci.place({ ...intent('alice', 'buy', 'yes', 40, 1), yesPrice: 4050 }))).toBeUndefined();
    expect(code(deci.place({ ...intent('alice', 'buy', 'yes', 40, 1), yesPrice: 4055 }))).toBe(
      'invalid_price',
    );
  });

  it('keeps counts whole unless the market trades fractions', () => {
    const { core } = setup();
    expect(code(core.place({ ...intent('alice', 'buy', 'yes', 40, 1), count: 150 }))).toBe(
      'invalid_order_size',
    );
    expect(code(core.place({ ...intent('alice', 'buy', 'yes', 40, 1), count: 0 }))).toBe(
      'invalid_order_size',
    );
    const frac = setup({ market: { fractionalTradingEnabled: true } }).core;
    expect(code(frac.place({ ...intent('alice', 'buy', 'yes', 40, 1), count: 1 }))).toBeUndefined();
  });

  it('accepts orders only on active markets while trading is on', () => {
    const { core } = setup({ market: { status: 'initialized' } });
    expect(code(core.place(intent('alice', 'buy', 'yes', 40, 1)))).toBe('market_closed');
    unwrap(core.setMarketStatus(TICKER, 'active'));
    core.setTradingActive(false);
    expect(code(core.place(intent('alice', 'buy', 'yes', 40, 1)))).toBe('trading_is_paused');
    core.setTradingActive(true);
    expect(code(core.place(intent('alice', 'buy', 'yes', 40, 1)))).toBeUndefined();
    expect(code(core.place({ ...intent('alice', 'buy', 'yes', 40, 1), ticker: 'NOPE' }))).toBe('not_found');
  });

  it('cancels cancel_order_on_pause orders when trading pauses', () => {
    const { core } = setup();
    const a = place(core, intent('alice', 'buy', 'yes', 40, 1, { cancelOnPause: true })).order;
    const b = place(core, intent('alice', 'buy', 'yes', 41, 1)).order;
    core.setTradingActive(false);
    expect(core.order('alice', a.orderId)?.status).toBe('canceled');
    expect(core.order('alice', b.orderId)?.status).toBe('resting');
  });
});

describe('lifecycle and settlement', () => {
  function trade(core: ExchangeCore): void {
    // alice +10 YES at 30¢ (maker), bob −10 (NO at 70¢, taker); carol +2 YES, alice sells 2 of hers.
    place(core, intent('alice', 'buy', 'yes', 30, 10));
    place(core, intent('bob', 'buy', 'no', 70, 10));
    place(core, intent('carol', 'buy', 'yes', 35, 2));
    place(core, intent('alice', 'sell', 'yes', 35, 2));
    place(core, intent('carol', 'buy', 'yes', 20, 5)); // rests; canceled by settlement
  }

  it('settles YES: $1 per YES contract, NO holders get nothing, positions clear', () => {
    const { core, events } = setup();
    trade(core);
    const cashBefore = {
      alice: core.balance('alice').cash,
      bob: core.balance('bob').cash,
      carol: core.balance('carol').cash,
    };
    const settlements = unwrap(core.settle(TICKER, 'yes'));
    expect(settlements.map((s) => [s.yesCount, s.noCount, s.revenue])).toEqual([
      [contracts(8), 0, dollars(8)],
      [0, contracts(10), 0],
      [contracts(2), 0, dollars(2)],
    ]);
    expect(core.balance('alice').cash).toBe(cashBefore.alice + dollars(8));
    expect(core.balance('bob').cash).toBe(cashBefore.bob);
    expect(core.balance('carol').cash).toBe(cashBefore.carol + dollars(2));
    expect(core.balance('carol').reserved).toBe(0);
    expect(core.positions('alice')).toEqual([]);
    expect(core.settlements('alice')[0]).toMatchObject({
      result: 'yes',
      value: 10_000,
      yesTotalCost: dollars(2.4),
    });
    expect(core.market(TICKER)).toMatchObject({
      status: 'finalized',
      result: 'yes',
      settlementValue: 10_000,
      openInterest: 0,
    });
    const lifecycle = events.flatMap((e) => (e.type === 'lifecycle' ? [[e.eventType, e.market.status]] : []));
    expect(lifecycle).toEqual([
      ['close_date_updated', 'closed'],
      ['determined', 'determined'],
      ['settled', 'finalized'],
    ]);
    expect(core.orders('carol', { status: 'resting' })).toEqual([]);
    expect(core.settle(TICKER, 'no').ok).toBe(false);
  });

  it('settles NO: $1 per NO contract', () => {
    const { core } = setup();
    trade(core);
    const bobCash = core.balance('bob').cash;
    unwrap(core.settle(TICKER, 'no'));
    expect(core.balance('bob').cash).toBe(bobCash + dollars(10));
    expect(core.settlements('alice')[0]).toMatchObject({ revenue: 0, value: 0 });
  });

  it('settles void by refunding the cost basis of each position', () => {
    const { core } = setup();
    trade(core);
    const bobCash = core.balance('bob').cash;
    const aliceCash = core.balance('alice').cash;
    unwrap(core.settle(TICKER, 'void'));
    expect(core.balance('bob').cash).toBe(bobCash + dollars(7)); // 10 NO bought at 70¢
    expect(core.balance('alice').cash).toBe(aliceCash + dollars(2.4)); // 8 YES left at 30¢
  });

  it('follows the lifecycle table', () => {
    const { core, events } = setup({ market: { status: 'initialized' } });
    unwrap(core.setMarketStatus(TICKER, 'active'));
    unwrap(core.setMarketStatus(TICKER, 'inactive'));
    unwrap(core.setMarketStatus(TICKER, 'active'));
    unwrap(core.setMarketStatus(TICKER, 'closed'));
    expect(core.setMarketStatus(TICKER, 'active').ok).toBe(false);
    expect(core.setMarketStatus(TICKER, 'determined').ok).toBe(false);
    expect(events.flatMap((e) => (e.type === 'lifecycle' ? [e.eventType] : []))).toEqual([
      'activated',
      'deactivated',
      'activated',
      'close_date_updated',
    ]);
  });
});

describe('events, fees and ids', () => {
  it('emits one execution in causal order, with a shared trade id and distinct fill ids', () => {
    const { core, events } = setup({ feeType: 'quadratic_with_maker_fees' });
    place(core, intent('alice', 'buy', 'yes', 50, 100));
    events.length = 0;
    place(core, intent('bob', 'buy', 'no', 50, 100));
    expect(events.map((e) => e.type)).toEqual([
      'trade',
      'fill',
      'fill',
      'book_delta',
      'order',
      'position',
      'position',
      'balance',
      'balance',
      'order',
    ]);
    const fills = events.flatMap((e) => (e.type === 'fill' ? [e.fill] : []));
    expect(fills[0]?.tradeId).toBe(fills[1]?.tradeId);
    expect(fills[0]?.fillId).not.toBe(fills[1]?.fillId);
    expect(fills.map((f) => [f.accountId, f.isTaker, f.fee])).toEqual([
      ['bob', true, dollars(1.75)],
      ['alice', false, dollars(0.44)],
    ]);
    const delta = events.find((e) => e.type === 'book_delta');
    expect(delta).toMatchObject({
      ladder: 'yes',
      price: cents(50),
      delta: -contracts(100),
      accountId: 'alice',
    });
  });

  it('gives the same ids for the same calls', () => {
    const run = () => {
      const { core } = setup();
      place(core, intent('alice', 'buy', 'yes', 50, 1));
      return place(core, intent('bob', 'buy', 'no', 50, 1));
    };
    seq = 0;
    const first = run();
    seq = 0;
    const second = run();
    expect(second.order.orderId).toBe(first.order.orderId);
    expect(second.fills[0]?.fillId).toBe(first.fills[0]?.fillId);
    expect(first.order.orderId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('lists orders, fills and trades newest first, and values positions at the last price', () => {
    const { core } = setup();
    const first = place(core, intent('alice', 'buy', 'yes', 40, 2)).order;
    const second = place(core, intent('alice', 'buy', 'yes', 41, 2)).order;
    expect(core.orders('alice').map((o) => o.orderId)).toEqual([second.orderId, first.orderId]);
    place(core, intent('bob', 'buy', 'no', 60, 3));
    expect(core.trades({ ticker: TICKER }).map((t) => t.yesPrice)).toEqual([cents(40), cents(41)]);
    // alice holds 3 YES, last trade at 40¢ → $1.20.
    expect(core.balance('alice').portfolioValue).toBe(dollars(1.2));
    expect(core.balance('bob').portfolioValue).toBe(dollars(1.8));
  });
});
