/**
 * A run's first calibration places where each market started before it books a single fill
 * (chaos finding 12): fills the socket reports meanwhile are held, two reads of the positions must
 * agree on the start (a fill landing between them is read again, not booked from a guess), and a
 * read whose time cannot place a fill is read again. A real PositionTracker; the exchange is a
 * script of REST answers.
 */
import { describe, expect, it } from 'vitest';
import { createBus, type EventBus } from '../../src/bus.js';
import type { ExchangeFill } from '../../src/domain/index.js';
import { type CalibrationDeps, calibrate } from '../../src/integrations/index.js';
import { PositionTracker } from '../../src/services/index.js';
import { idleOrders, pages } from '../calibration-fakes.js';

const restFill = (id: string, count: string, createdMs: number) => ({
  fill_id: id,
  trade_id: id,
  order_id: `o-${id}`,
  ticker: 'KX-A',
  book_side: 'bid',
  yes_price_dollars: '0.3000',
  count_fp: count,
  fee_cost: '0.0000',
  is_taker: false,
  created_time: new Date(createdMs).toISOString(),
});

const wsFill = (id: string, count: number, createdMs: number): ExchangeFill => ({
  fillId: id,
  orderId: `o-${id}`,
  ticker: 'KX-A',
  bookSide: 'bid',
  yesPrice: 3_000,
  count,
  fee: 0,
  isTaker: false,
  createdMs,
});

const position = (fp: string, updatedMs?: number, ticker = 'KX-A') => ({
  ticker,
  position_fp: fp,
  ...(updatedMs === undefined ? {} : { last_updated_ts: new Date(updatedMs).toISOString() }),
});

/**
 * `positions`: one list per read (the last repeats); `fills`: the fills list, or one list per call
 * (the full read, then the tail, …; the last repeats).
 */
function setup(reads: { positions: object[][]; fills: object[] | object[][] }) {
  const bus = createBus();
  const tracker = new PositionTracker({ bus, clock: () => 0, anchored: false });
  const met: Array<[string, number]> = [];
  bus.on('position.fillApplied', (a) => met.push([a.fill.fillId, a.before]));
  let positionReads = 0;
  let fillReads = 0;
  const perCall = Array.isArray(reads.fills[0]) ? (reads.fills as object[][]) : [reads.fills as object[]];
  const deps: CalibrationDeps = {
    rest: {
      allPositions: () => pages(reads.positions[Math.min(positionReads++, reads.positions.length - 1)]!),
      allOrders: () => pages([]),
      allFills: () => pages(perCall[Math.min(fillReads++, perCall.length - 1)]!),
      allSettlements: () => pages([]),
      getBalance: async () => ({ balance: 10_000, portfolio_value: 0 }),
    } as unknown as CalibrationDeps['rest'],
    orders: idleOrders(),
    positions: tracker,
    bus,
    clock: () => 0,
    cleanup: false,
    fillsSinceMs: 0,
  };
  return { bus, tracker, met, deps, reads: () => positionReads, fillReads: () => fillReads };
}

const held = (bus: EventBus, fill: ExchangeFill) => bus.emit('exchange.fillReported', fill);

describe("a run's first calibration", () => {
  it('holds a fill the socket reports before it, and books it from where the run started', async () => {
    // The run holds 10 NO; buying 4 YES nets 4 pairs. The read (taken after the fill) shows −6.
    const s = setup({ positions: [[position('-6.00', 5_000)]], fills: [restFill('f1', '4.00', 5_000)] });
    held(s.bus, wsFill('f1', 400, 5_000));
    expect(s.tracker.get('KX-A')).toBeUndefined();
    expect(s.met).toEqual([]);
    await calibrate(s.deps);
    expect(s.met).toEqual([['f1', -1_000]]);
    expect(s.tracker.get('KX-A')?.position).toBe(-600);
  });

  it('reads again when a fill lands between its two reads of the positions, and books nothing before', async () => {
    // No times on the reads: the first (before the fill) says −10, the next (after it) −6.
    const s = setup({
      positions: [[position('-10.00')], [position('-6.00')]],
      fills: [restFill('f1', '4.00', 5_000)],
    });
    const summary = await calibrate(s.deps);
    expect(summary.attempts).toBe(2);
    expect(summary.check).toEqual({ positionReads: 2, tail: false });
    // Booked once, from −10 (taken from the first read alone, it would have met −14).
    expect(s.met).toEqual([['f1', -1_000]]);
    expect(s.tracker.get('KX-A')?.position).toBe(-600);
    expect(summary.drifts).toBe(0);
  });

  it('places a fill after the read by its time: no retry, no drift', async () => {
    // Both reads were taken at 4,000 ms (−10); the fill at 5,001 ms is not in them.
    const s = setup({ positions: [[position('-10.00', 4_000)]], fills: [restFill('f1', '4.00', 5_001)] });
    const summary = await calibrate(s.deps);
    expect(summary.attempts).toBe(1);
    expect(s.met).toEqual([['f1', -1_000]]);
    expect(s.tracker.get('KX-A')?.position).toBe(-600);
  });

  it('reads again when a whole-second time cannot place a fill of that second', async () => {
    // The exchange truncated 4.4 s to 4 s: the read does show the fill (−6). Taken as after the
    // read, the fill would have met −6; read again with milliseconds, it meets −10.
    const s = setup({
      positions: [[position('-6.00', 4_000)], [position('-6.00', 4_000)], [position('-6.00', 4_400)]],
      fills: [restFill('f1', '4.00', 4_400)],
    });
    const summary = await calibrate(s.deps);
    expect(summary.attempts).toBe(2);
    expect(s.met).toEqual([['f1', -1_000]]);
    expect(s.tracker.get('KX-A')?.position).toBe(-600);
  });

  it('anchors a tracker still holding fills even when asked not to adopt (no fill waits for ever)', async () => {
    const s = setup({ positions: [[position('-6.00', 5_000)]], fills: [restFill('f1', '4.00', 5_000)] });
    held(s.bus, wsFill('f1', 400, 5_000));
    await calibrate({ ...s.deps, adoptPositions: false });
    expect(s.tracker.anchored).toBe(true);
    expect(s.met).toEqual([['f1', -1_000]]);
  });
});

describe("a bigger account's first calibration (its positions take more than one page)", () => {
  // One position a page: KX-A and a flat KX-Z make two pages.
  const flatZ = position('0.00', 1_000, 'KX-Z');

  it('places the fills by the read’s times: the positions read once, no retry', async () => {
    const s = setup({
      positions: [[position('-10.00', 4_000), flatZ]],
      fills: [restFill('f1', '4.00', 5_001)],
    });
    const summary = await calibrate(s.deps);
    expect(summary.attempts).toBe(1);
    expect(s.reads()).toBe(1);
    expect(summary.check).toEqual({ positionReads: 1, tail: true });
    // The full fills read, then the tail after the balance.
    expect(s.fillReads()).toBe(2);
    expect(s.met).toEqual([['f1', -1_000]]);
    expect(s.tracker.get('KX-A')?.position).toBe(-600);
  });

  it('reads the positions again when a fill cannot be placed by a time, and books nothing before they agree', async () => {
    // No times: the first read (before the fill) says −10, the next (after it) −6.
    const s = setup({
      positions: [
        [position('-10.00'), flatZ],
        [position('-6.00'), flatZ],
      ],
      fills: [restFill('f1', '4.00', 5_000)],
    });
    const summary = await calibrate(s.deps);
    expect(summary.attempts).toBe(2);
    expect(s.reads()).toBe(4);
    expect(summary.check).toEqual({ positionReads: 2, tail: true });
    // Taken from the first read alone, it would have met −14.
    expect(s.met).toEqual([['f1', -1_000]]);
    expect(s.tracker.get('KX-A')?.position).toBe(-600);
  });

  it('reads again when the tail lists a fill the fills read did not and the socket has not reported', async () => {
    // f2 lands after the fills read, before the balance read: the balance holds its cash.
    const s = setup({
      positions: [[position('-10.00', 4_000), flatZ]],
      fills: [[], [restFill('f2', '4.00', 6_000)]],
    });
    const reconciled: number[] = [];
    s.bus.on('exchange.balanceReported', (b) => void (b.reconcile && reconciled.push(b.cash)));
    const summary = await calibrate(s.deps);
    expect(summary.attempts).toBe(2);
    expect(s.met).toEqual([['f2', -1_000]]);
    expect(s.tracker.get('KX-A')?.position).toBe(-600);
    // The ledger is brought to the exchange's cash once, after the fill is booked.
    expect(reconciled).toHaveLength(1);
  });

  it('takes a tail fill the socket reported meanwhile as seen: no retry', async () => {
    const s = setup({
      positions: [[position('-10.00', 4_000), flatZ]],
      fills: [[], [restFill('f2', '4.00', 6_000)]],
    });
    const rest = s.deps.rest;
    const getBalance = rest.getBalance.bind(rest);
    rest.getBalance = async () => {
      held(s.bus, wsFill('f2', 400, 6_000));
      return getBalance();
    };
    const summary = await calibrate(s.deps);
    expect(summary.attempts).toBe(1);
    expect(s.met).toEqual([['f2', -1_000]]);
  });

  it('reads the positions again when the tail is more than a page (not seen whole)', async () => {
    const s = setup({
      positions: [[position('-10.00', 4_000), flatZ]],
      fills: [restFill('f1', '2.00', 5_001), { ...restFill('f0', '2.00', 5_002), ticker: 'KX-Z' }],
    });
    // (one fill a page: the tail's first page has a cursor)
    await calibrate(s.deps);
    expect(s.reads()).toBe(2);
  });
});
