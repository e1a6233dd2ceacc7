import { describe, expect, it } from 'vitest';
import type { BusEvents } from '../../src/bus.js';
import { createBus } from '../../src/bus.js';
import type { BookSide, ExchangeFill, ExchangePosition, PositionView } from '../../src/domain/index.js';
import { contracts } from '../../src/domain/index.js';
import {
  adoptExchangePosition,
  applyFill,
  applySettlement,
  emptyPosition,
  netRealized,
  type PositionState,
  PositionTracker,
  positionsFromFills,
  positionValue,
  unrealized,
} from '../../src/services/position-tracker.js';

const T = 'KXTEST-26MAR14-B50';
let seq = 0;

/** A fill of `n` whole contracts at `cents` on the YES leg. */
function fill(side: BookSide, n: number, cents: number, more: Partial<ExchangeFill> = {}): ExchangeFill {
  seq += 1;
  return {
    fillId: `f${seq}`,
    orderId: `o${seq}`,
    ticker: T,
    bookSide: side,
    yesPrice: cents * 100,
    count: contracts(n),
    fee: 0,
    isTaker: true,
    createdMs: seq,
    ...more,
  };
}

function run(...fills: ExchangeFill[]): PositionState {
  return fills.reduce(applyFill, emptyPosition(T));
}

const dollars = (d: number): number => Math.round(d * 1_000_000);

describe('applyFill (average cost)', () => {
  it('opens a long YES position at the YES price', () => {
    const s = run(fill('bid', 10, 40));
    expect(s).toEqual({
      ticker: T,
      position: contracts(10),
      costBasis: dollars(4),
      realizedPnl: 0,
      feesPaid: 0,
    });
  });

  it('opens a long NO position from an ask, paying 1 − yesPrice per contract', () => {
    const s = run(fill('ask', 10, 60));
    expect(s.position).toBe(-contracts(10));
    expect(s.costBasis).toBe(dollars(4));
  });

  it('adds to a position by adding count × leg price to the total basis', () => {
    const s = run(fill('bid', 10, 40), fill('bid', 10, 50));
    expect(s.position).toBe(contracts(20));
    expect(s.costBasis).toBe(dollars(9));
    expect(s.realizedPnl).toBe(0);
  });

  it('realizes (exit − average entry) × reduced when a long YES is sold', () => {
    const s = run(fill('bid', 10, 40), fill('bid', 10, 50), fill('ask', 5, 60));
    // average entry 0.45; 5 × (0.60 − 0.45) = 0.75
    expect(s.realizedPnl).toBe(dollars(0.75));
    expect(s.costBasis).toBe(dollars(6.75));
    expect(s.position).toBe(contracts(15));
  });

  it('closes a long NO at 1 − p when YES is bought against it', () => {
    // NO bought at 0.40 (YES 0.60); buying YES at 0.30 releases $1 per pair: NO exits at 0.70.
    const s = run(fill('ask', 10, 60), fill('bid', 10, 30));
    expect(s.position).toBe(0);
    expect(s.costBasis).toBe(0);
    expect(s.realizedPnl).toBe(dollars(3));
  });

  it('splits a fill that crosses zero into a closing part and an opening part', () => {
    const s = run(fill('bid', 5, 40), fill('ask', 8, 50));
    expect(s.realizedPnl).toBe(dollars(0.5)); // 5 × (0.50 − 0.40)
    expect(s.position).toBe(-contracts(3));
    expect(s.costBasis).toBe(dollars(1.5)); // 3 NO at 0.50
  });

  it('keeps the rounding remainder of a partial reduction in the basis, and releases it on close', () => {
    // basis 1.000100 for 3 contracts: a third is 0.333366.67 → 0.333366 removed, 0.666734 stays.
    const a = run(fill('bid', 1, 0, { yesPrice: 3333 }), fill('bid', 2, 0, { yesPrice: 3334 }));
    expect(a.costBasis).toBe(1_000_100);
    const b = applyFill(a, fill('ask', 1, 50));
    expect(b.costBasis).toBe(666_734);
    expect(b.realizedPnl).toBe(500_000 - 333_366);
    const c = applyFill(b, fill('ask', 2, 50));
    expect(c.costBasis).toBe(0);
    expect(c.realizedPnl).toBe(1_500_000 - 1_000_100);
  });

  it('keeps fees apart from realized P&L and exposes the net', () => {
    const s = run(fill('bid', 10, 40, { fee: 70_000 }), fill('ask', 10, 45, { fee: 70_000 }));
    expect(s.realizedPnl).toBe(dollars(0.5));
    expect(s.feesPaid).toBe(140_000);
    expect(netRealized(s)).toBe(360_000);
  });

  it('handles fractional counts exactly', () => {
    const s = run(fill('bid', 0, 33, { count: 150 }), fill('ask', 0, 34, { count: 50 }));
    expect(s.position).toBe(100);
    expect(s.costBasis).toBe(100 * 3300);
    expect(s.realizedPnl).toBe(50 * 100);
  });

  it('refuses a fill for another ticker, a zero count or a price outside (0, 1)', () => {
    expect(() => applyFill(emptyPosition('OTHER'), fill('bid', 1, 50))).toThrow(RangeError);
    expect(() => run(fill('bid', 0, 50))).toThrow(/count/);
    expect(() => run(fill('bid', 1, 0, { yesPrice: 10_000 }))).toThrow(/price/);
  });
});

describe('unrealized', () => {
  it('values YES contracts at the mark and NO contracts at 1 − mark, minus the basis', () => {
    const yes = run(fill('bid', 10, 40));
    expect(positionValue(yes, 5500)).toBe(dollars(5.5));
    expect(unrealized(yes, 5500)).toBe(dollars(1.5));
    const no = run(fill('ask', 10, 60)); // NO at 0.40
    expect(positionValue(no, 5500)).toBe(dollars(4.5));
    expect(unrealized(no, 5500)).toBe(dollars(0.5));
  });

  it('is zero for a flat position', () => {
    expect(unrealized(run(fill('bid', 3, 20), fill('ask', 3, 80)), 1234)).toBe(0);
  });
});

describe('positionsFromFills', () => {
  it('folds fills into one state per ticker', () => {
    const m = positionsFromFills([fill('bid', 1, 50), fill('bid', 2, 50, { ticker: 'B' })]);
    expect([...m.keys()]).toEqual([T, 'B']);
    expect(m.get('B')?.position).toBe(contracts(2));
  });
});

describe('adoptExchangePosition', () => {
  const ex = (position: number, exposure: number): ExchangePosition => ({
    ticker: T,
    position,
    exposure,
    realizedPnl: 999,
    feesPaid: 999,
  });

  it('takes the exchange exposure as the basis when local is flat', () => {
    const s = adoptExchangePosition(emptyPosition(T), ex(contracts(4), dollars(2)));
    expect(s).toEqual({ ...emptyPosition(T), position: contracts(4), costBasis: dollars(2) });
  });

  it('carries the local average cost to the new size on the same leg', () => {
    const s = adoptExchangePosition(run(fill('bid', 10, 40)), ex(contracts(15), dollars(99)));
    expect(s.costBasis).toBe(dollars(6));
  });

  it('takes the exchange exposure when the exchange holds the other leg, and 0 when it is flat', () => {
    expect(adoptExchangePosition(run(fill('bid', 10, 40)), ex(-contracts(2), dollars(1))).costBasis).toBe(
      dollars(1),
    );
    expect(adoptExchangePosition(run(fill('bid', 10, 40)), ex(0, 0))).toMatchObject({
      position: 0,
      costBasis: 0,
    });
  });

  it('keeps local realized P&L and fees', () => {
    const s = adoptExchangePosition(run(fill('bid', 1, 40, { fee: 10_000 })), ex(0, 0));
    expect(s.feesPaid).toBe(10_000);
    expect(s.realizedPnl).toBe(0);
  });
});

describe('applySettlement', () => {
  it('realizes the payout minus the basis of a winning YES position and goes flat', () => {
    const s = applySettlement(run(fill('bid', 5, 50)), dollars(5));
    expect(s).toMatchObject({ position: 0, costBasis: 0, realizedPnl: dollars(2.5) });
  });

  it('realizes the whole basis as a loss when the held leg loses, keeping earlier realized P&L and fees', () => {
    const before = run(fill('bid', 10, 40, { fee: 20_000 }), fill('ask', 4, 50));
    const s = applySettlement(before, 0);
    expect(s.realizedPnl).toBe(before.realizedPnl - before.costBasis);
    expect(s.realizedPnl).toBe(dollars(0.4 - 2.4));
    expect(s.feesPaid).toBe(20_000);
  });

  it('pays a winning NO position on its own basis', () => {
    const s = applySettlement(run(fill('ask', 3, 70)), dollars(3));
    expect(s.realizedPnl).toBe(dollars(3 - 0.9));
  });

  it('refuses a negative or fractional revenue, naming the market', () => {
    expect(() => applySettlement(run(fill('bid', 1, 50)), -1)).toThrow(/KXTEST.*revenue/);
    expect(() => applySettlement(run(fill('bid', 1, 50)), 0.5)).toThrow(/revenue/);
  });
});

function tracker(mark?: (t: string) => number | undefined) {
  const bus = createBus();
  const changed: PositionView[] = [];
  const drifts: BusEvents['position.driftDetected'][0][] = [];
  bus.on('position.changed', (v) => changed.push(v));
  bus.on('position.driftDetected', (d) => drifts.push(d));
  const t = new PositionTracker({ bus, clock: () => 1_000, ...(mark ? { mark } : {}) });
  return { bus, t, changed, drifts };
}

describe('PositionTracker', () => {
  it('closes a settled position once, however often calibration reports the settlement', () => {
    const { bus, t, changed } = tracker();
    bus.emit('exchange.fillReported', fill('bid', 5, 50));
    const settlement = { ticker: T, settledMs: 2_000, revenue: dollars(5) };
    bus.emit('exchange.settlementReported', settlement);
    bus.emit('exchange.settlementReported', settlement);
    expect(t.get(T)).toMatchObject({ position: 0, costBasis: 0, realizedPnl: dollars(2.5) });
    expect(t.totals().realized).toBe(dollars(2.5));
    expect(changed).toHaveLength(2);
  });

  it('ignores a settlement of a market it never held', () => {
    const { bus, t, changed } = tracker();
    bus.emit('exchange.settlementReported', { ticker: 'OTHER', settledMs: 2_000, revenue: dollars(1) });
    expect(t.get('OTHER')).toBeUndefined();
    expect(changed).toHaveLength(0);
  });

  it('applies a reported fill once, however often it is reported', () => {
    const { bus, t, changed } = tracker();
    const f = fill('bid', 10, 40);
    bus.emit('exchange.fillReported', f);
    bus.emit('exchange.fillReported', f);
    expect(t.get(T)?.position).toBe(contracts(10));
    expect(changed).toHaveLength(1);
    expect(t.hasFill(f.fillId)).toBe(true);
  });

  it('announces each applied fill as a position view, marked when a mark exists', () => {
    const { bus, changed } = tracker(() => 5000);
    bus.emit('exchange.fillReported', fill('bid', 10, 40));
    expect(changed).toEqual([
      {
        ticker: T,
        position: contracts(10),
        costBasis: dollars(4),
        realizedPnl: 0,
        feesPaid: 0,
        unrealizedPnl: dollars(1),
      },
    ]);
  });

  it('leaves unrealized out of the view when there is no mark', () => {
    const { bus, changed } = tracker(() => undefined);
    bus.emit('exchange.fillReported', fill('bid', 1, 40));
    expect(changed[0]).not.toHaveProperty('unrealizedPnl');
  });

  it('sums realized, unrealized and fees over tickers into the totals', () => {
    const { bus, t } = tracker((ticker) => (ticker === T ? 5000 : undefined));
    bus.emit('exchange.fillReported', fill('bid', 10, 40, { fee: 10_000 }));
    bus.emit('exchange.fillReported', fill('bid', 2, 30, { ticker: 'B', fee: 20_000 }));
    bus.emit('exchange.fillReported', fill('ask', 2, 50, { ticker: 'B' }));
    expect(t.totals()).toEqual({
      realized: dollars(0.4),
      unrealized: dollars(1),
      fees: 30_000,
      net: dollars(0.4) + dollars(1) - 30_000,
    });
    expect(t.positions().map((p) => p.ticker)).toEqual(['B', T]);
  });

  it('seeds from history oldest first, skipping known fills, with one change per ticker', () => {
    const { bus, t, changed } = tracker();
    const open = fill('bid', 10, 40, { createdMs: 1 });
    const close = fill('ask', 10, 50, { createdMs: 2 });
    bus.emit('exchange.fillReported', open);
    changed.length = 0;
    expect(t.seedFills([close, open])).toBe(1);
    expect(t.get(T)).toMatchObject({ position: 0, realizedPnl: dollars(1) });
    expect(changed).toHaveLength(1);
  });

  it('reports drift on tickers either side holds without changing anything when not adopting', () => {
    const { bus, t, drifts } = tracker();
    bus.emit('exchange.fillReported', fill('bid', 10, 40));
    const exchange: ExchangePosition[] = [
      { ticker: 'ONLY-EXCHANGE', position: -contracts(3), realizedPnl: 0, feesPaid: 0, exposure: dollars(1) },
    ];
    const found = t.reconcile(exchange, { adopt: false });
    expect(found).toEqual([
      { ticker: T, local: contracts(10), exchange: 0, at: 1_000 },
      { ticker: 'ONLY-EXCHANGE', local: 0, exchange: -contracts(3), at: 1_000 },
    ]);
    expect(drifts).toEqual(found);
    expect(t.get(T)?.position).toBe(contracts(10));
    expect(t.get('ONLY-EXCHANGE')).toBeUndefined();
  });

  it('adopts the exchange counts when calibrating, so that local equals the exchange afterwards', () => {
    const { bus, t, changed } = tracker();
    bus.emit('exchange.fillReported', fill('bid', 10, 40));
    bus.emit('exchange.fillReported', fill('bid', 1, 40, { ticker: 'AGREES' }));
    const exchange: ExchangePosition[] = [
      { ticker: T, position: contracts(12), realizedPnl: 0, feesPaid: 0, exposure: 0 },
      { ticker: 'AGREES', position: contracts(1), realizedPnl: 0, feesPaid: 0, exposure: dollars(0.4) },
      { ticker: 'NEW', position: -contracts(3), realizedPnl: 0, feesPaid: 0, exposure: dollars(1.2) },
    ];
    changed.length = 0;
    expect(t.reconcile(exchange, { adopt: true }).map((d) => d.ticker)).toEqual([
      'KXTEST-26MAR14-B50',
      'NEW',
    ]);
    expect(t.reconcile(exchange, { adopt: false })).toEqual([]);
    expect(t.get(T)).toMatchObject({ position: contracts(12), costBasis: dollars(4.8) });
    expect(t.get('NEW')).toMatchObject({ position: -contracts(3), costBasis: dollars(1.2) });
    expect(changed.map((c) => c.ticker)).toEqual([T, 'NEW']);
  });

  it('applies fills after an adoption on top of the adopted position', () => {
    const { bus, t } = tracker();
    t.reconcile([{ ticker: T, position: contracts(2), realizedPnl: 0, feesPaid: 0, exposure: dollars(1) }], {
      adopt: true,
    });
    bus.emit('exchange.fillReported', fill('ask', 2, 60));
    expect(t.get(T)).toMatchObject({ position: 0, costBasis: 0, realizedPnl: dollars(0.2) });
  });

  it('stops listening once disposed', () => {
    const { bus, t } = tracker();
    t.dispose();
    bus.emit('exchange.fillReported', fill('bid', 1, 50));
    expect(t.positions()).toEqual([]);
  });
});
