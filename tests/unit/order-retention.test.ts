/**
 * The order store forgets a terminal order once it has been terminal for its retention (the record
 * is in the database): a trader that trades for days would otherwise hold — and scan at every risk
 * check — every order it ever sent. Open orders are never forgotten; the order just moved is not
 * either (its mover reads it back); the count of orders placed survives.
 */
import { describe, expect, it } from 'vitest';
import { createBus } from '../../src/bus.js';
import type { ExchangeFill, ExchangeOrder, OrderIntent } from '../../src/domain/index.js';
import { type OrderRestPort, OrderService } from '../../src/services/order-service.js';
import { OrderStore } from '../../src/services/orders/store.js';

const exchangeOrder = (orderId: string, status: ExchangeOrder['status']): ExchangeOrder => ({
  orderId,
  clientOrderId: `theirs-${orderId}`,
  ticker: 'KX-A',
  bookSide: 'bid',
  yesPrice: 3_000,
  status,
  initialCount: 100,
  fillCount: status === 'executed' ? 100 : 0,
  remainingCount: status === 'resting' ? 100 : 0,
  fees: 0,
  createdMs: 1,
  updatedMs: 1,
});

const fillOf = (orderId: string, fillId: string): ExchangeFill => ({
  fillId,
  orderId,
  ticker: 'KX-A',
  bookSide: 'bid',
  yesPrice: 3_000,
  count: 100,
  fee: 0,
  isTaker: false,
  createdMs: 1,
});

function setup(retentionMs?: number) {
  let now = 1_000_000;
  const bus = createBus();
  const orders = new OrderService({
    rest: {} as OrderRestPort,
    bus,
    clock: () => now,
    ...(retentionMs === undefined ? {} : { terminalRetentionMs: retentionMs }),
  });
  // Orders found at the exchange are adopted, then moved to what it says (terminal or resting).
  const found = (orderId: string, status: ExchangeOrder['status']) =>
    orders.reconcile([exchangeOrder(orderId, status)], []);
  const ids = () => orders.all().map((o) => o.orderId);
  const advance = (ms: number) => {
    now += ms;
  };
  return { orders, found, ids, advance };
}

describe('terminal orders in memory', () => {
  it('are forgotten once terminal longer than the retention; open ones stay', () => {
    const s = setup(60_000);
    s.found('o1', 'canceled');
    s.found('o2', 'resting');
    s.advance(30_000);
    s.found('o3', 'executed');
    expect(s.ids()).toEqual(['o1', 'o2', 'o3']);
    s.advance(31_000);
    // o1 has been terminal 61 s: the next order to end forgets it. o3 (31 s) stays.
    s.found('o4', 'canceled');
    expect(s.ids()).toEqual(['o2', 'o3', 'o4']);
    expect(s.orders.getByOrderId('o1')).toBeUndefined();
    s.advance(3_600_000);
    s.found('o5', 'executed');
    // The resting order is never forgotten, however long; the one just ended is kept.
    expect(s.ids()).toEqual(['o2', 'o5']);
    expect(s.orders.open().map((o) => o.orderId)).toEqual(['o2']);
    // Every order placed is still counted (the run's summary).
    expect(s.orders.placedCount()).toBe(5);
  });

  it('keeps them 15 minutes by default', () => {
    const s = setup();
    s.found('o1', 'canceled');
    s.advance(14 * 60_000);
    s.found('o2', 'canceled');
    expect(s.ids()).toEqual(['o1', 'o2']);
    s.advance(61_000);
    s.found('o3', 'canceled');
    expect(s.ids()).toEqual(['o2', 'o3']);
  });

  it('a late fill for a forgotten order is not ours to attribute; a fill within the retention is', () => {
    const s = setup(60_000);
    s.found('o1', 'executed');
    s.found('o2', 'executed');
    expect(s.orders.reconcile([], [fillOf('o2', 'f2')]).fillsApplied).toBe(1);
    s.advance(61_000);
    s.found('o3', 'canceled');
    expect(s.orders.reconcile([], [fillOf('o1', 'f1')]).fillsForeign).toBe(1);
  });

  it('refuses a retention under a second (the store reads an order back after moving it)', () => {
    expect(() => setup(0)).toThrow(/at least 1000/);
  });

  it('live() counts an order created and not sent yet (risk does), open() does not; neither an ended one', () => {
    const store = new OrderStore(createBus(), () => 1_000);
    const intent: OrderIntent = {
      ticker: 'KX-A',
      bookSide: 'bid',
      yesPrice: 3_000,
      count: 100,
      timeInForce: 'good_till_canceled',
      strategy: 'test',
      reason: 'test',
    };
    const live = () => store.live().map((o) => `${o.clientOrderId}:${o.status}`);
    const a = store.create('a', intent);
    store.create('b', intent);
    expect(live()).toEqual(['a:created', 'b:created']);
    expect(store.open()).toEqual([]);
    const sent = store.move(a, 'SENT', 'sent', 'local');
    expect(store.open().map((o) => o.status)).toEqual(['submitting']);
    store.move(sent, 'REJECTED', 'refused', 'exchange');
    store.move(store.current('b'), 'DENIED', 'risk', 'local');
    expect(live()).toEqual([]);
    expect(store.all()).toHaveLength(2);
  });
});
