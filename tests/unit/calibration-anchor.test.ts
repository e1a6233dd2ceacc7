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

const position = (fp: string, updatedMs?: number) => ({
  ticker: 'KX-A',
  position_fp: fp,
  ...(updatedMs === undefined ? {} : { last_updated_ts: new Date(updatedMs).toISOString() }),
});

function setup(reads: { positions: object[][]; fills: object[] }) {
  const bus = createBus();
  const tracker = new PositionTracker({ bus, clock: () => 0, anchored: false });
  const met: Array<[string, number]> = [];
  bus.on('position.fillApplied', (a) => met.push([a.fill.fillId, a.before]));
  let positionReads = 0;
  const deps: CalibrationDeps = {
    rest: {
      allPositions: () => pages(reads.positions[Math.min(positionReads++, reads.positions.length - 1)]!),
      allOrders: () => pages([]),
      allFills: () => pages(reads.fills),
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
  return { bus, tracker, met, deps, reads: () => positionReads };
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
