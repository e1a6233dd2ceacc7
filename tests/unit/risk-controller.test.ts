import { describe, expect, it } from 'vitest';
import type { BookStatus } from '../../src/bus.js';
import { createBus } from '../../src/bus.js';
import type {
  MarketPhase,
  OrderIntent,
  OrderLifecycleStatus,
  RiskVerdict,
  TrackedOrder,
} from '../../src/domain/index.js';
import { contracts, MICROS_PER_DOLLAR } from '../../src/domain/index.js';
import {
  DEFAULT_RISK_LIMITS,
  evaluateRisk,
  feeAllowance,
  RiskController,
  type RiskLimits,
  type RiskOpenOrder,
  type RiskPosition,
  type RiskState,
  resolveRiskLimits,
  riskOpenOrder,
} from '../../src/services/risk-controller.js';

const T = 'KXRISK-26MAR14';
const $ = (d: number): number => d * MICROS_PER_DOLLAR;

function intent(over: Partial<OrderIntent> = {}): OrderIntent {
  return {
    ticker: T,
    bookSide: 'bid',
    yesPrice: 5000,
    count: contracts(10),
    timeInForce: 'good_till_canceled',
    strategy: 'test',
    reason: 'test',
    ...over,
  };
}

function state(over: Partial<RiskState> = {}): RiskState {
  return {
    breaker: { open: false },
    tradingActive: true,
    bookStatus: 'live',
    positions: [],
    openOrders: [],
    ...over,
  };
}

function refusal(v: RiskVerdict): { code: string; detail: string } | undefined {
  return v.ok ? undefined : { code: v.code, detail: v.detail };
}

const limits = DEFAULT_RISK_LIMITS;

describe('evaluateRisk', () => {
  it('allows a small order on a live book with nothing held', () => {
    expect(evaluateRisk(intent(), state(), limits)).toEqual({ ok: true });
  });

  it('refuses everything while a breaker is open, naming the reason', () => {
    const v = evaluateRisk(
      intent(),
      state({ breaker: { open: true, reason: 'daily_loss', detail: 'net -$6' } }),
      limits,
    );
    expect(refusal(v)?.code).toBe('RISK_BREAKER_OPEN');
    expect(refusal(v)?.detail).toContain('daily_loss');
  });

  it('refuses when the exchange has paused trading', () => {
    expect(refusal(evaluateRisk(intent(), state({ tradingActive: false }), limits))?.code).toBe(
      'RISK_EXCHANGE_PAUSED',
    );
  });

  it.each<[BookStatus | undefined, string]>([
    ['stale', 'stale'],
    ['resyncing', 'resyncing'],
    [undefined, 'missing'],
  ])('refuses when the book is %s', (bookStatus, word) => {
    const v = refusal(evaluateRisk(intent(), state({ bookStatus }), limits));
    expect(v?.code).toBe('RISK_BOOK_NOT_LIVE');
    expect(v?.detail).toContain(word);
  });

  it.each<MarketPhase>(['upcoming', 'paused', 'closed', 'determined', 'settled'])(
    'refuses a market that is %s, even on a live book',
    (marketPhase) => {
      const v = refusal(evaluateRisk(intent(), state({ marketPhase }), limits));
      expect(v).toEqual({
        code: 'RISK_MARKET_NOT_OPEN',
        detail: `${T} is ${marketPhase}, not open for trading`,
      });
    },
  );

  it('allows an open market, and one whose window it does not know', () => {
    expect(evaluateRisk(intent(), state({ marketPhase: 'open' }), limits).ok).toBe(true);
    expect(evaluateRisk(intent(), state({}), limits).ok).toBe(true);
  });

  it('refuses an order larger than the per-order maximum, and allows one exactly at it', () => {
    const v = refusal(evaluateRisk(intent({ count: contracts(101) }), state(), limits));
    expect(v).toEqual({
      code: 'RISK_MAX_ORDER_SIZE',
      detail: 'order count 101.00 exceeds max 100.00 per order',
    });
    expect(evaluateRisk(intent({ count: contracts(100) }), state(), limits).ok).toBe(true);
  });

  it('refuses an order that would take the position past the per-market maximum', () => {
    const positions: RiskPosition[] = [{ ticker: T, position: contracts(450), costBasis: $(10) }];
    const v = refusal(
      evaluateRisk(intent({ count: contracts(60), yesPrice: 100 }), state({ positions }), limits),
    );
    expect(v?.code).toBe('RISK_MAX_POSITION');
    expect(v?.detail).toContain('510.00');
    expect(v?.detail).toContain('500.00');
  });

  it('counts resting orders in the same direction towards the position limit', () => {
    const positions: RiskPosition[] = [{ ticker: T, position: contracts(300), costBasis: $(1) }];
    const openOrders: RiskOpenOrder[] = [
      { ticker: T, bookSide: 'bid', yesPrice: 100, remaining: contracts(150) },
    ];
    const v = evaluateRisk(
      intent({ count: contracts(100), yesPrice: 100 }),
      state({ positions, openOrders }),
      limits,
    );
    expect(refusal(v)?.code).toBe('RISK_MAX_POSITION');
  });

  it('limits a short (NO) position the same way', () => {
    const positions: RiskPosition[] = [{ ticker: T, position: -contracts(450), costBasis: $(5) }];
    const v = evaluateRisk(
      intent({ bookSide: 'ask', count: contracts(60), yesPrice: 9900 }),
      state({ positions }),
      limits,
    );
    expect(refusal(v)?.code).toBe('RISK_MAX_POSITION');
  });

  it('always allows an order that reduces the position, even above the maximum', () => {
    const positions: RiskPosition[] = [{ ticker: T, position: contracts(800), costBasis: $(8) }];
    expect(
      evaluateRisk(intent({ bookSide: 'ask', count: contracts(100) }), state({ positions }), limits),
    ).toEqual({
      ok: true,
    });
  });

  it('does not treat an order that flips the position past its size as reducing', () => {
    const positions: RiskPosition[] = [{ ticker: T, position: contracts(50), costBasis: $(0.5) }];
    const tight = resolveRiskLimits({ maxPositionPerMarket: contracts(40) });
    const v = evaluateRisk(
      intent({ bookSide: 'ask', count: contracts(100), yesPrice: 9900 }),
      state({ positions }),
      tight,
    );
    expect(refusal(v)?.code).toBe('RISK_MAX_POSITION');
  });

  it('refuses when the open-order limit would be exceeded', () => {
    const openOrders: RiskOpenOrder[] = Array.from({ length: 20 }, () => ({
      ticker: 'OTHER',
      bookSide: 'bid' as const,
      yesPrice: 100,
      remaining: contracts(1),
    }));
    const v = refusal(evaluateRisk(intent(), state({ openOrders }), limits));
    expect(v?.code).toBe('RISK_MAX_OPEN_ORDERS');
    expect(v?.detail).toBe('20 open orders; max 20 would be exceeded');
    expect(evaluateRisk(intent(), state({ openOrders: openOrders.slice(1) }), limits).ok).toBe(true);
  });

  it('refuses when positions + open orders + this order cost more than the exposure limit', () => {
    const positions: RiskPosition[] = [{ ticker: 'A', position: contracts(400), costBasis: $(400) }];
    // an ask at 0.20 buys NO at 0.80: 100 × 0.80 = $80 worst case
    const openOrders: RiskOpenOrder[] = [
      { ticker: 'B', bookSide: 'ask', yesPrice: 2000, remaining: contracts(100) },
    ];
    const v = refusal(
      evaluateRisk(
        intent({ count: contracts(50), yesPrice: 5000 }),
        state({ positions, openOrders }),
        limits,
      ),
    );
    expect(v).toEqual({
      code: 'RISK_MAX_EXPOSURE',
      detail:
        'exposure $505.0000 (positions $400.0000 + open orders $80.0000 + this order $25.0000) exceeds max $500.0000',
    });
    expect(evaluateRisk(intent({ count: contracts(40) }), state({ positions, openOrders }), limits).ok).toBe(
      true,
    );
  });

  it('costs only the contracts that open new exposure when an order closes a held leg', () => {
    const positions: RiskPosition[] = [{ ticker: T, position: -contracts(10), costBasis: $(499) }];
    // buying 10 YES against 10 NO held releases cash; it adds no exposure
    expect(evaluateRisk(intent({ count: contracts(10) }), state({ positions }), limits).ok).toBe(true);
    expect(refusal(evaluateRisk(intent({ count: contracts(20) }), state({ positions }), limits))?.code).toBe(
      'RISK_MAX_EXPOSURE',
    );
  });

  it('lets an order that only closes through even when exposure is already over the limit', () => {
    const positions: RiskPosition[] = [{ ticker: T, position: contracts(600), costBasis: $(550) }];
    expect(
      evaluateRisk(intent({ bookSide: 'ask', count: contracts(100) }), state({ positions }), limits),
    ).toEqual({
      ok: true,
    });
  });

  it('refuses when the cost plus a fee allowance exceeds the available cash', () => {
    // 10 at 0.50 = $5.00; fee allowance ceil(0.07 × 10 × 0.25) = $0.18
    const v = refusal(evaluateRisk(intent(), state({ availableCash: $(5.17) }), limits));
    expect(v?.code).toBe('RISK_INSUFFICIENT_BALANCE');
    expect(v?.detail).toContain('$5.0000');
    expect(v?.detail).toContain('$0.1800');
    expect(v?.detail).toContain('$5.1700');
    expect(evaluateRisk(intent(), state({ availableCash: $(5.18) }), limits).ok).toBe(true);
  });

  it('skips the balance check when the balance is unknown', () => {
    expect(evaluateRisk(intent(), state(), limits).ok).toBe(true);
  });

  it('checks in a fixed order: the breaker before everything else', () => {
    const v = evaluateRisk(
      intent({ count: contracts(1_000) }),
      state({
        breaker: { open: true, reason: 'manual' },
        tradingActive: false,
        bookStatus: 'stale',
        availableCash: 0,
      }),
      limits,
    );
    expect(refusal(v)?.code).toBe('RISK_BREAKER_OPEN');
  });

  it('throws on a malformed intent (a programmer error, not a refusal)', () => {
    expect(() => evaluateRisk(intent({ count: 0 }), state(), limits)).toThrow(RangeError);
    expect(() => evaluateRisk(intent({ yesPrice: 10_000 }), state(), limits)).toThrow(RangeError);
  });
});

describe('feeAllowance', () => {
  it('is the taker fee rounded up to the cent', () => {
    expect(feeAllowance(contracts(10), 5000, 700)).toBe(180_000);
    expect(feeAllowance(contracts(1), 100, 700)).toBe(10_000);
    expect(feeAllowance(contracts(100), 5000, 700)).toBe(1_750_000);
  });

  it('stays exact where the product passes 2^53', () => {
    expect(feeAllowance(contracts(10_000_000), 5000, 700)).toBe(175_000 * MICROS_PER_DOLLAR);
  });
});

describe('resolveRiskLimits', () => {
  it('fills in the defaults', () => {
    expect(resolveRiskLimits({ maxOpenOrders: 3 })).toEqual({ ...DEFAULT_RISK_LIMITS, maxOpenOrders: 3 });
    expect(DEFAULT_RISK_LIMITS).toMatchObject({
      maxContractsPerOrder: contracts(100),
      maxPositionPerMarket: contracts(500),
      maxOpenOrders: 20,
      maxExposure: $(500),
      maxConsecutiveOrderErrors: 5,
    });
  });

  it('names a limit that is not a positive integer', () => {
    expect(() => resolveRiskLimits({ maxOpenOrders: 0 })).toThrow(/maxOpenOrders/);
    expect(() => resolveRiskLimits({ maxExposure: 1.5 })).toThrow(/maxExposure/);
    expect(() => resolveRiskLimits({ maxDailyLoss: -1 })).toThrow(/maxDailyLoss/);
  });
});

let seq = 0;
function order(status: OrderLifecycleStatus, over: Partial<TrackedOrder> = {}): TrackedOrder {
  seq += 1;
  return {
    clientOrderId: `c${seq}`,
    intent: intent(),
    status,
    fillCount: 0,
    fillNotional: 0,
    fees: 0,
    createdMs: 0,
    updatedMs: 0,
    history: [],
    ...over,
  };
}

function controller(
  over: { limits?: Partial<RiskLimits>; pnl?: () => { net: number }; orders?: TrackedOrder[] } = {},
) {
  const bus = createBus();
  const tripped: unknown[] = [];
  const resets: unknown[] = [];
  bus.on('risk.breakerTripped', (e) => tripped.push(e));
  bus.on('risk.breakerReset', (e) => resets.push(e));
  let now = 1_000;
  const rc = new RiskController({
    bus,
    clock: () => now,
    positions: () => [],
    orders: () => over.orders ?? [],
    bookStatus: () => 'live',
    tradingActive: () => true,
    ...(over.pnl ? { pnl: over.pnl } : {}),
    ...(over.limits ? { limits: over.limits } : {}),
  });
  const changed = (o: TrackedOrder): void => {
    bus.emit('order.changed', o);
  };
  return { bus, rc, tripped, resets, changed, tick: (ms: number) => (now += ms) };
}

describe('RiskController breaker', () => {
  it('trips after five consecutive order errors and refuses every intent after that', () => {
    const { rc, tripped, changed } = controller();
    for (let i = 0; i < 4; i++) changed(order('rejected'));
    expect(rc.breaker()).toEqual({ open: false, consecutiveErrors: 4 });
    changed(order('unknown', { reason: 'timeout' }));
    expect(rc.breaker()).toMatchObject({ open: true, reason: 'consecutive_order_errors', trippedAt: 1_000 });
    expect(tripped).toHaveLength(1);
    expect(tripped[0]).toMatchObject({ reason: 'consecutive_order_errors', at: 1_000 });
    expect(refusal(rc.check(intent()))?.code).toBe('RISK_BREAKER_OPEN');
  });

  it('counts each order once, however often it is reported and whichever error it ends in', () => {
    const { rc, changed } = controller();
    const o = order('unknown');
    changed(o);
    changed(o);
    changed({ ...o, status: 'rejected' });
    expect(rc.breaker().consecutiveErrors).toBe(1);
  });

  it('does not count throttling or a post-only cross as an order error', () => {
    const { rc, changed } = controller();
    for (let i = 0; i < 10; i++) changed(order('rejected', { refusal: 'rate_limited' }));
    changed(order('rejected', { refusal: 'post_only_cross' }));
    expect(rc.breaker()).toEqual({ open: false, consecutiveErrors: 0 });
    changed(order('rejected'));
    expect(rc.breaker().consecutiveErrors).toBe(1);
  });

  it('resets the count when an order rests or executes', () => {
    const { rc, changed } = controller();
    changed(order('rejected'));
    changed(order('rejected'));
    changed(order('resting'));
    expect(rc.breaker().consecutiveErrors).toBe(0);
    changed(order('rejected'));
    changed(order('executed'));
    expect(rc.breaker().consecutiveErrors).toBe(0);
  });

  it('ignores statuses that are neither errors nor successes', () => {
    const { rc, changed } = controller();
    changed(order('rejected'));
    changed(order('created'));
    changed(order('denied'));
    changed(order('canceled'));
    expect(rc.breaker().consecutiveErrors).toBe(1);
  });

  it('stays open when new orders succeed after a trip', () => {
    const { rc, changed } = controller({ limits: { maxConsecutiveOrderErrors: 2 } });
    changed(order('rejected'));
    changed(order('rejected'));
    changed(order('resting'));
    changed(order('executed'));
    expect(rc.breaker()).toMatchObject({ open: true, consecutiveErrors: 0 });
  });

  it('is lifted only by the operator reset, which says who reset it', () => {
    const { rc, resets, changed, tick } = controller({ limits: { maxConsecutiveOrderErrors: 1 } });
    changed(order('rejected'));
    tick(500);
    expect(rc.resetBreaker('operator:cli')).toBe(true);
    expect(resets).toEqual([{ by: 'operator:cli', at: 1_500 }]);
    expect(rc.breaker()).toEqual({ open: false, consecutiveErrors: 0 });
    expect(rc.check(intent())).toEqual({ ok: true });
    expect(rc.resetBreaker('operator:cli')).toBe(false);
    expect(resets).toHaveLength(1);
  });

  it('keeps the first reason when tripped again while open', () => {
    const { rc, tripped } = controller();
    expect(rc.trip('manual', 'halt from the dashboard')).toBe(true);
    expect(rc.trip('daily_loss', 'later')).toBe(false);
    expect(rc.breaker()).toMatchObject({ reason: 'manual', detail: 'halt from the dashboard' });
    expect(tripped).toHaveLength(1);
  });

  it('trips the drawdown breaker only beyond the limit, naming equity, peak and limit', () => {
    const { rc, tripped } = controller({ limits: { maxDrawdownBps: 3_000 } });
    const view = (equity: number) => ({
      net: 0,
      equity: $(equity),
      peakEquity: $(100),
      drawdownBps: Math.floor(((100 - equity) * 10_000) / 100),
    });
    expect(rc.checkMoney(view(70))).toBe(false);
    expect(rc.checkMoney({ net: 0 })).toBe(false);
    expect(rc.checkMoney(view(69))).toBe(true);
    expect(rc.breaker()).toMatchObject({ open: true, reason: 'drawdown' });
    expect(tripped[0]).toMatchObject({
      reason: 'drawdown',
      detail: 'equity $69.0000 is 31.00% below its peak $100.0000 (limit 30.00%)',
    });
  });

  it('trips the daily-loss breaker when net P&L falls below the limit', () => {
    const { rc, tripped } = controller({ limits: { maxDailyLoss: $(5) } });
    expect(rc.checkMoney({ net: -$(5) })).toBe(false);
    expect(rc.checkMoney({ net: -$(5) - 1 })).toBe(true);
    expect(rc.breaker()).toMatchObject({ open: true, reason: 'daily_loss' });
    expect(tripped[0]).toMatchObject({ reason: 'daily_loss' });
  });

  it('checks the money breaker from the P&L provider on every check', () => {
    let net = 0;
    const { rc } = controller({ limits: { maxDailyLoss: $(5) }, pnl: () => ({ net }) });
    expect(rc.check(intent()).ok).toBe(true);
    net = -$(6);
    expect(refusal(rc.check(intent()))?.code).toBe('RISK_BREAKER_OPEN');
    net = 0;
    expect(refusal(rc.check(intent()))?.code).toBe('RISK_BREAKER_OPEN');
  });

  it('never trips on money without a daily-loss limit', () => {
    const { rc } = controller();
    expect(rc.checkMoney({ net: -$(1_000_000) })).toBe(false);
  });

  it('stops listening once disposed', () => {
    const { rc, changed } = controller({ limits: { maxConsecutiveOrderErrors: 1 } });
    rc.dispose();
    changed(order('rejected'));
    expect(rc.breaker().open).toBe(false);
  });
});

describe('RiskController.check', () => {
  it('reads open orders from the order provider, ignoring finished ones', () => {
    const limited = { maxOpenOrders: 2 };
    const open = [order('resting'), order('unknown')];
    const { rc } = controller({ limits: limited, orders: [...open, order('canceled'), order('executed')] });
    expect(refusal(rc.check(intent()))?.code).toBe('RISK_MAX_OPEN_ORDERS');
    expect(rc.snapshot(T).openOrders).toHaveLength(2);
  });

  it('counts only what an open order may still fill', () => {
    const o = order('resting', { fillCount: contracts(4) });
    expect(riskOpenOrder(o)).toEqual({ ticker: T, bookSide: 'bid', yesPrice: 5000, remaining: contracts(6) });
  });
});
