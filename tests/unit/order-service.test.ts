/**
 * OrderService against a fake REST port: a tiny in-memory exchange whose answers each test can
 * script (accepted / rejected / unknown / not_sent), on a simulated clock.
 */
import type {
  BatchCancelOrdersV2Request,
  BatchCancelOrdersV2Response,
  CancelOrderV2Response,
  CreateOrderV2Request,
  CreateOrderV2Response,
  Fill,
  GetFillsResponse,
  GetOrderResponse,
  GetOrdersResponse,
  Order,
} from 'kalshi-typescript';
import { beforeEach, describe, expect, it } from 'vitest';
import { createBus, type EventBus } from '../../src/bus.js';
import type { ExchangeFill, ExchangeOrder, OrderIntent, TrackedOrder } from '../../src/domain/index.js';
import { KalshiError, KalshiHttpError, KalshiTimeoutError } from '../../src/kalshi/errors.js';
import {
  type FillsFilter,
  KalshiRestClient,
  type OrdersFilter,
  type WriteResult,
} from '../../src/kalshi/rest.js';
import { formatCount, parseCount } from '../../src/kalshi/units.js';
import {
  ADOPTED_STRATEGY,
  CLIENT_ORDER_ID_PATTERN,
  createClientOrderIdFactory,
  isForeign,
  type OrderRestPort,
  OrderService,
  type OrderServiceDeps,
  OrderServiceError,
} from '../../src/services/order-service.js';

// ---------------------------------------------------------------------------------------------
// A fake exchange behind the REST port

interface FakeOrder {
  orderId: string;
  clientOrderId: string;
  ticker: string;
  side: 'bid' | 'ask';
  price: string;
  status: 'resting' | 'canceled' | 'executed';
  initial: number;
  filled: number;
  remaining: number;
}

const REF = { method: 'POST', path: '/trade-api/v2/portfolio/events/orders' };

function accepted<T>(value: T): WriteResult<T> {
  return { outcome: 'accepted', value, status: 201 };
}
function rejected<T>(status: number, code?: string, details?: string): WriteResult<T> {
  const body = code ? { error: { code, message: code, details } } : { error: 'too many requests' };
  return { outcome: 'rejected', error: new KalshiHttpError(REF, status, body) };
}
function unknownOutcome<T>(): WriteResult<T> {
  return { outcome: 'unknown', error: new KalshiTimeoutError(REF, 1_000) };
}
function notSent<T>(): WriteResult<T> {
  return {
    outcome: 'not_sent',
    error: new KalshiError('KALSHI_HTTP_NETWORK', 'POST /portfolio/events/orders failed (ECONNREFUSED)'),
  };
}

class FakeRest implements OrderRestPort {
  readonly orders = new Map<string, FakeOrder>();
  readonly calls: string[] = [];
  readonly creates: CreateOrderV2Request[] = [];
  pageSize = 2;
  #n = 0;
  /** Overrides; each falls back to the in-memory exchange. */
  onCreate?: (req: CreateOrderV2Request) => Promise<WriteResult<CreateOrderV2Response>>;
  onCancel?: (orderId: string) => Promise<WriteResult<CancelOrderV2Response>> | undefined;
  onBatch?: (req: BatchCancelOrdersV2Request) => Promise<WriteResult<BatchCancelOrdersV2Response>>;
  onCancelAll?: () => Promise<WriteResult<void>>;
  getOrdersFails = false;
  batchErrorIds = new Set<string>();

  /** Places an order at the fake exchange (as if the request landed). */
  place(req: CreateOrderV2Request, filled = 0): FakeOrder {
    this.#n += 1;
    const initial = parseCount(req.count);
    const o: FakeOrder = {
      orderId: `o-${this.#n}`,
      clientOrderId: req.client_order_id ?? '',
      ticker: req.ticker,
      side: req.side,
      price: req.price,
      status: filled >= initial ? 'executed' : 'resting',
      initial,
      filled,
      remaining: initial - filled,
    };
    this.orders.set(o.orderId, o);
    return o;
  }

  async createOrderV2(req: CreateOrderV2Request): Promise<WriteResult<CreateOrderV2Response>> {
    this.calls.push(`create ${req.client_order_id}`);
    this.creates.push(req);
    if (this.onCreate) return this.onCreate(req);
    const o = this.place(req);
    return accepted(answerOf(o));
  }

  async cancelOrderV2(orderId: string): Promise<WriteResult<CancelOrderV2Response>> {
    this.calls.push(`cancel ${orderId}`);
    const scripted = this.onCancel?.(orderId);
    if (scripted) return scripted;
    const r = this.#cancel(orderId);
    return r ? accepted(r) : rejected(404, 'not_found', `order ${orderId} not found`);
  }

  #cancel(orderId: string): CancelOrderV2Response | undefined {
    const o = this.orders.get(orderId);
    if (!o) return undefined;
    const reduced = o.status === 'resting' ? o.remaining : 0;
    if (o.status === 'resting') {
      o.status = 'canceled';
      o.remaining = 0;
    }
    return {
      order_id: orderId,
      client_order_id: o.clientOrderId,
      reduced_by: formatCount(reduced),
      ts_ms: 1,
    };
  }

  async batchCancelOrdersV2(
    req: BatchCancelOrdersV2Request,
  ): Promise<WriteResult<BatchCancelOrdersV2Response>> {
    this.calls.push(`batch ${req.orders.length}`);
    if (this.onBatch) return this.onBatch(req);
    return accepted({
      orders: req.orders.map(({ order_id }) => {
        if (this.batchErrorIds.has(order_id)) {
          return { order_id, reduced_by: '0.00', error: { code: 'internal', message: 'busy' } };
        }
        const r = this.#cancel(order_id);
        return r ? { ...r, error: null } : { order_id, reduced_by: '0.00', error: { code: 'not_found' } };
      }),
    });
  }

  async cancelAllOrders(): Promise<WriteResult<void>> {
    this.calls.push('cancelAll');
    if (this.onCancelAll) return this.onCancelAll();
    for (const o of this.orders.values()) if (o.status === 'resting') this.#cancel(o.orderId);
    return { outcome: 'accepted', value: undefined, status: 204 };
  }

  async getOrders(filters: OrdersFilter): Promise<GetOrdersResponse> {
    this.calls.push(`getOrders${filters.cursor ? ` ${filters.cursor}` : ''}`);
    if (this.getOrdersFails) throw new KalshiError('KALSHI_HTTP_TIMEOUT', 'GET /portfolio/orders timed out');
    const all = [...this.orders.values()].filter(
      (o) =>
        (filters.ticker === undefined || o.ticker === filters.ticker) &&
        (filters.status === undefined || o.status === filters.status),
    );
    const start = filters.cursor ? Number(filters.cursor) : 0;
    const page = all.slice(start, start + this.pageSize);
    const next = start + this.pageSize < all.length ? String(start + this.pageSize) : '';
    return { orders: page.map(restOrder), cursor: next };
  }

  async getOrder(orderId: string): Promise<GetOrderResponse> {
    this.calls.push(`getOrder ${orderId}`);
    const o = this.orders.get(orderId);
    if (!o) throw new KalshiHttpError({ method: 'GET', path: `/portfolio/orders/${orderId}` }, 404, {});
    return { order: restOrder(o) };
  }

  /** Fills the exchange lists over REST (what a lost fill frame leaves behind). */
  readonly restFills: Fill[] = [];

  async getFills(filters: FillsFilter): Promise<GetFillsResponse> {
    this.calls.push(`getFills ${filters.order_id ?? ''}`);
    return { fills: this.restFills.filter((f) => f.order_id === filters.order_id), cursor: '' };
  }

  writes(): string[] {
    return this.calls.filter((c) => !c.startsWith('get'));
  }
}

function answerOf(o: FakeOrder): CreateOrderV2Response {
  return {
    order_id: o.orderId,
    client_order_id: o.clientOrderId,
    fill_count: formatCount(o.filled),
    remaining_count: formatCount(o.remaining),
    ts_ms: 1,
  };
}

function restOrder(o: FakeOrder): Order {
  return {
    order_id: o.orderId,
    user_id: 'u',
    client_order_id: o.clientOrderId,
    ticker: o.ticker,
    outcome_side: o.side === 'bid' ? 'yes' : 'no',
    book_side: o.side,
    type: 'limit',
    status: o.status,
    yes_price_dollars: o.price,
    no_price_dollars: '0.0000',
    fill_count_fp: formatCount(o.filled),
    remaining_count_fp: formatCount(o.remaining),
    initial_count_fp: formatCount(o.initial),
    taker_fill_cost_dollars: '0.0000',
    maker_fill_cost_dollars: '0.0000',
    taker_fees_dollars: '0.0000',
    maker_fees_dollars: '0.0000',
    created_time: '2026-01-01T00:00:00Z',
    last_update_time: '2026-01-01T00:00:00Z',
  };
}

function report(o: FakeOrder): ExchangeOrder {
  return {
    orderId: o.orderId,
    clientOrderId: o.clientOrderId,
    ticker: o.ticker,
    bookSide: o.side,
    yesPrice: Math.round(Number(o.price) * 10_000),
    status: o.status,
    initialCount: o.initial,
    fillCount: o.filled,
    remainingCount: o.remaining,
    fees: 0,
    createdMs: 1,
    updatedMs: 2,
  };
}

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

const TICKER = 'KXTEST-26JAN01-T50';

function intent(over: Partial<OrderIntent> = {}): OrderIntent {
  return {
    ticker: TICKER,
    bookSide: 'bid',
    yesPrice: 4_500,
    count: 1_000,
    timeInForce: 'good_till_canceled',
    strategy: 'test',
    reason: 'unit',
    ...over,
  };
}

let fillSeq = 0;
function fill(over: Partial<ExchangeFill> & { orderId: string }): ExchangeFill {
  fillSeq += 1;
  return {
    fillId: `f-${fillSeq}`,
    ticker: TICKER,
    bookSide: 'bid',
    yesPrice: 4_500,
    count: 400,
    fee: 7_000,
    isTaker: false,
    createdMs: 1,
    ...over,
  };
}

// ---------------------------------------------------------------------------------------------

describe('OrderService', () => {
  let rest: FakeRest;
  let bus: EventBus;
  let now: number;
  let changes: TrackedOrder[];

  function service(over: Partial<OrderServiceDeps> = {}): OrderService {
    return new OrderService({
      rest,
      bus,
      clock: () => now,
      newClientOrderId: createClientOrderIdFactory('abcd1234'),
      sleep: async () => undefined,
      ...over,
    });
  }

  beforeEach(() => {
    rest = new FakeRest();
    bus = createBus();
    now = 1_000_000;
    changes = [];
    bus.on('order.changed', (o) => changes.push(o));
  });

  describe('restore after a restart', () => {
    function recorded(status: TrackedOrder['status'], id: string, orderId?: string): TrackedOrder {
      return {
        clientOrderId: id,
        ...(orderId ? { orderId } : {}),
        intent: intent(),
        status,
        fillCount: 0,
        fillNotional: 0,
        fees: 0,
        createdMs: now - 5_000,
        updatedMs: now - 5_000,
        history: [{ status, at: now - 5_000 }],
      };
    }

    it('turns orders whose send outcome was never learned into unknowns and never resends them', async () => {
      const svc = service({ unknownGraceMs: 1_000 });
      const landed = rest.place({ ...wire(), client_order_id: 'tv3-old-1' });
      expect(svc.restore([recorded('submitting', 'tv3-old-1'), recorded('created', 'tv3-old-2')], [])).toBe(
        2,
      );
      expect(svc.get('tv3-old-1')?.status).toBe('unknown');
      expect(svc.get('tv3-old-2')?.status).toBe('unknown');

      await svc.resolveUnknowns();
      expect(svc.get('tv3-old-1')).toMatchObject({ status: 'resting', orderId: landed.orderId });
      now += 1_000;
      await svc.resolveUnknowns();
      expect(svc.get('tv3-old-2')?.status).toBe('rejected');
      expect(rest.creates).toHaveLength(0);
    });

    it('settles a restored resting order that the exchange canceled while no trader ran', async () => {
      const svc = service();
      const gone = rest.place({ ...wire(), client_order_id: 'tv3-old-4' });
      const kept = rest.place({ ...wire(), client_order_id: 'tv3-old-5' });
      gone.status = 'canceled';
      gone.remaining = 0;
      svc.restore(
        [recorded('resting', 'tv3-old-4', gone.orderId), recorded('resting', 'tv3-old-5', kept.orderId)],
        [],
      );
      expect(await svc.settleMissing([report(kept)])).toBe(1);
      expect(svc.get('tv3-old-4')?.status).toBe('canceled');
      expect(svc.get('tv3-old-5')?.status).toBe('resting');
      expect(rest.creates).toHaveLength(0);
    });

    it('does not count a fill twice when it was already recorded before the crash', () => {
      const svc = service();
      const o = rest.place({ ...wire(), client_order_id: 'tv3-old-3' });
      svc.restore(
        [{ ...recorded('resting', 'tv3-old-3', o.orderId), fillCount: 100, fillNotional: 500_000 }],
        ['f-1'],
      );
      bus.emit('exchange.fillReported', fill({ fillId: 'f-1', orderId: o.orderId, count: 100 }));
      expect(svc.get('tv3-old-3')?.fillCount).toBe(100);
      bus.emit('exchange.fillReported', fill({ fillId: 'f-2', orderId: o.orderId, count: 100 }));
      expect(svc.get('tv3-old-3')?.fillCount).toBe(200);
    });
  });

  describe('submit', () => {
    it('sends exactly one V2 create with the intent in wire units and rests on acceptance', async () => {
      const svc = service();
      const o = await svc.submit(intent({ postOnly: true }));
      expect(rest.creates).toEqual([
        {
          ticker: TICKER,
          client_order_id: 'tv3-abcd1234-1',
          side: 'bid',
          count: '10.00',
          price: '0.4500',
          time_in_force: 'good_till_canceled',
          self_trade_prevention_type: 'maker',
          post_only: true,
          reduce_only: false,
        },
      ]);
      expect(o).toMatchObject({ status: 'resting', orderId: 'o-1', clientOrderId: 'tv3-abcd1234-1' });
      expect(o.history.map((h) => h.status)).toEqual(['created', 'submitting', 'resting']);
      expect(changes.map((c) => c.status)).toEqual(['created', 'submitting', 'resting']);
      expect(svc.stats()).toMatchObject({ submitted: 1, accepted: 1 });
    });

    it('uses the configured self-trade prevention', async () => {
      await service({ selfTradePrevention: 'taker_at_cross' }).submit(intent());
      expect(rest.creates[0]?.self_trade_prevention_type).toBe('taker_at_cross');
    });

    it('idle() waits for a create still on the wire, so a shutdown sees its answer', async () => {
      let answer!: () => void;
      rest.onCreate = (req) =>
        new Promise((resolve) => {
          answer = () => resolve(accepted(answerOf(rest.place(req))));
        });
      const svc = service();
      void svc.submit(intent());
      let idle = false;
      const waiting = svc.idle().then(() => {
        idle = true;
      });
      await new Promise((r) => setTimeout(r, 5));
      expect(idle).toBe(false);
      expect(svc.all()[0]?.status).toBe('submitting');
      answer();
      await waiting;
      expect(svc.all()[0]).toMatchObject({ status: 'resting', orderId: 'o-1' });
    });

    it('marks an order executed when the answer says it filled completely', async () => {
      rest.onCreate = async (req) => accepted(answerOf(rest.place(req, 1_000)));
      expect((await service().submit(intent())).status).toBe('executed');
    });

    it('marks an IOC canceled when the answer has nothing remaining and only a partial fill', async () => {
      rest.onCreate = async (req) => {
        const o = rest.place(req, 300);
        o.status = 'canceled';
        o.remaining = 0;
        return accepted(answerOf(o));
      };
      const o = await service().submit(intent({ timeInForce: 'immediate_or_cancel' }));
      expect(o.status).toBe('canceled');
      expect(o.orderId).toBe('o-1');
    });

    it("records a rejection with the exchange's code and details", async () => {
      rest.onCreate = async () => rejected(400, 'invalid_order', 'post only cross');
      const svc = service();
      const o = await svc.submit(intent({ postOnly: true }));
      expect(o.status).toBe('rejected');
      expect(o.reason).toContain('invalid_order');
      expect(o.reason).toContain('post only cross');
      expect(o.reason).toContain('HTTP 400');
      expect(o.refusal).toBe('post_only_cross');
      expect(svc.stats()).toMatchObject({ rejected: 1, postOnlyCrosses: 1 });
      expect(svc.backoffRemaining()).toBe(0);
    });

    it('counts a 429 as rejected (Kalshi refuses before processing), marks it throttled and backs off, doubling', async () => {
      rest.onCreate = async () => rejected(429);
      const svc = service();
      const o = await svc.submit(intent());
      expect(o.status).toBe('rejected');
      expect(o.refusal).toBe('rate_limited');
      expect(svc.backoffRemaining()).toBe(500);
      await svc.submit(intent());
      expect(svc.backoffRemaining()).toBe(1_000);
      for (let i = 0; i < 10; i++) await svc.submit(intent());
      expect(svc.backoffRemaining()).toBe(16_000);
      expect(svc.stats().rateLimited).toBe(12);
      // An accepted create ends the backoff's doubling.
      rest.onCreate = async (req) => accepted(answerOf(rest.place(req)));
      now += 16_000;
      await svc.submit(intent());
      rest.onCreate = async () => rejected(429);
      await svc.submit(intent());
      expect(svc.backoffRemaining()).toBe(500);
    });

    it('treats 409 "already exists" as unknown, to be looked up, not as a rejection', async () => {
      rest.onCreate = async () => rejected(409, 'order_already_exists');
      expect((await service().submit(intent())).status).toBe('unknown');
    });

    it('leaves an unknown outcome unknown and sends exactly one create, whatever happens next', async () => {
      rest.onCreate = async () => unknownOutcome();
      const svc = service();
      const o = await svc.submit(intent({ postOnly: true }));
      expect(o.status).toBe('unknown');
      expect(o.reason).toContain('timed out');
      await svc.resolveUnknowns();
      now += 5_000;
      await svc.resolveUnknowns();
      expect(rest.creates).toHaveLength(1);
      expect(rest.writes()).toEqual(['create tv3-abcd1234-1']);
      expect(svc.stats()).toMatchObject({ submitted: 1, unknown: 1 });
    });

    it('turns a provably unsent request into denied', async () => {
      rest.onCreate = async () => notSent();
      const svc = service();
      const o = await svc.submit(intent());
      expect(o.status).toBe('denied');
      expect(o.reason).toMatch(/^not sent: .*ECONNREFUSED/);
      expect(svc.stats().denied).toBe(1);
    });

    it('runs write-ahead with the created order before sending', async () => {
      const seen: TrackedOrder[] = [];
      const svc = service({
        beforeSend: async (o) => {
          seen.push(o);
          expect(rest.creates).toHaveLength(0);
        },
      });
      await svc.submit(intent());
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({ status: 'created', clientOrderId: 'tv3-abcd1234-1' });
      expect(rest.creates).toHaveLength(1);
    });

    it('denies and never sends when write-ahead fails', async () => {
      const svc = service({
        beforeSend: async () => {
          throw new Error('database is down');
        },
      });
      const o = await svc.submit(intent());
      expect(o.status).toBe('denied');
      expect(o.reason).toBe('write-ahead failed: database is down');
      expect(rest.calls).toEqual([]);
      expect(changes.map((c) => c.status)).toEqual(['created', 'denied']);
    });

    it('denies an invalid intent without write-ahead or sending', async () => {
      let called = false;
      const svc = service({
        beforeSend: async () => {
          called = true;
        },
      });
      for (const bad of [intent({ count: 0 }), intent({ yesPrice: 10_000 }), intent({ count: 1.5 })]) {
        expect((await svc.submit(bad)).status).toBe('denied');
      }
      expect(called).toBe(false);
      expect(rest.calls).toEqual([]);
      expect(svc.all().every((o) => o.reason?.startsWith('denied') || o.reason?.startsWith('invalid'))).toBe(
        true,
      );
    });
  });

  describe('deny', () => {
    it('records and emits a denied order that was never sent', () => {
      const svc = service();
      const o = svc.deny(intent(), 'RISK_MAX_POSITION: would exceed 100 contracts');
      expect(o.status).toBe('denied');
      expect(o.reason).toBe('RISK_MAX_POSITION: would exceed 100 contracts');
      expect(o.history.map((h) => h.status)).toEqual(['created', 'denied']);
      expect(changes).toEqual([o]);
      expect(svc.get(o.clientOrderId)).toBe(o);
      expect(rest.calls).toEqual([]);
    });
  });

  describe('client order ids', () => {
    it('are unique, valid and differ between two service instances', async () => {
      const a = service({ newClientOrderId: undefined });
      const b = service({ newClientOrderId: undefined });
      const ids = new Set<string>();
      for (let i = 0; i < 50; i++) {
        ids.add((await a.submit(intent())).clientOrderId);
        ids.add((await b.submit(intent())).clientOrderId);
      }
      expect(ids.size).toBe(100);
      for (const id of ids) {
        expect(id).toMatch(CLIENT_ORDER_ID_PATTERN);
        expect(id.length).toBeLessThanOrEqual(64);
      }
      const sessions = new Set([...ids].map((id) => id.split('-')[1]));
      expect(sessions.size).toBe(2);
    });

    it('refuses a generator that repeats an id', async () => {
      const svc = service({ newClientOrderId: () => 'same' });
      await svc.submit(intent());
      await expect(svc.submit(intent())).rejects.toMatchObject({ code: 'ORDER_BAD_CLIENT_ID' });
      expect(rest.creates).toHaveLength(1);
    });
  });

  describe('fills', () => {
    it('applies a fill that outruns the create answer (matched by client_order_id)', async () => {
      const answer = deferred<WriteResult<CreateOrderV2Response>>();
      let placed: FakeOrder | undefined;
      rest.onCreate = async (req) => {
        placed = rest.place(req);
        return answer.promise;
      };
      const svc = service();
      const pending = svc.submit(intent());
      await Promise.resolve();
      await Promise.resolve();
      const id = 'tv3-abcd1234-1';
      expect(svc.get(id)?.status).toBe('submitting');
      bus.emit('exchange.fillReported', fill({ orderId: placed!.orderId, clientOrderId: id }));
      expect(svc.get(id)).toMatchObject({ status: 'submitting', fillCount: 400, orderId: 'o-1' });
      answer.resolve(accepted(answerOf(placed!)));
      const o = await pending;
      expect(o).toMatchObject({ status: 'resting', fillCount: 400, fillNotional: 400 * 4_500, fees: 7_000 });
    });

    it('parks a fill that names only an unknown order id and applies it when the id becomes known', async () => {
      const answer = deferred<WriteResult<CreateOrderV2Response>>();
      let placed: FakeOrder | undefined;
      rest.onCreate = async (req) => {
        placed = rest.place(req);
        return answer.promise;
      };
      const svc = service();
      const pending = svc.submit(intent());
      await Promise.resolve();
      await Promise.resolve();
      bus.emit('exchange.fillReported', fill({ orderId: placed!.orderId, count: 1_000 }));
      expect(svc.stats().parkedFills).toBe(1);
      answer.resolve(accepted(answerOf(placed!)));
      const o = await pending;
      // The fill completed it; the (older) "resting" answer does not undo that.
      expect(o).toMatchObject({ status: 'executed', fillCount: 1_000 });
      expect(svc.stats()).toMatchObject({ parkedFills: 0, fills: 1, foreignFills: 0, anomalies: 0 });
    });

    it('keeps what a report said when the create answer is then lost', async () => {
      const answer = deferred<WriteResult<CreateOrderV2Response>>();
      rest.onCreate = async (req) => {
        const o = rest.place(req);
        bus.emit('exchange.orderReported', report(o));
        return answer.promise;
      };
      const svc = service();
      const pending = svc.submit(intent());
      answer.resolve(unknownOutcome());
      const o = await pending;
      expect(o).toMatchObject({ status: 'resting', orderId: 'o-1' });
      expect(svc.stats()).toMatchObject({ unknown: 0, anomalies: 0 });
    });

    it('counts parked fills as foreign once no order of ours is without an order id', async () => {
      const answer = deferred<WriteResult<CreateOrderV2Response>>();
      let placed: FakeOrder | undefined;
      rest.onCreate = async (req) => {
        placed = rest.place(req);
        return answer.promise;
      };
      const svc = service();
      const pending = svc.submit(intent());
      await Promise.resolve();
      bus.emit('exchange.fillReported', fill({ orderId: 'not-ours' }));
      expect(svc.stats().parkedFills).toBe(1);
      answer.resolve(accepted(answerOf(placed!)));
      await pending;
      expect(svc.stats()).toMatchObject({ parkedFills: 0, foreignFills: 1, fills: 0 });
    });

    it('ignores duplicate fills', async () => {
      const svc = service();
      const o = await svc.submit(intent());
      const f = fill({ orderId: o.orderId!, count: 300 });
      bus.emit('exchange.fillReported', f);
      bus.emit('exchange.fillReported', f);
      bus.emit('exchange.fillReported', { ...f, clientOrderId: o.clientOrderId });
      expect(svc.get(o.clientOrderId)).toMatchObject({ fillCount: 300, status: 'resting' });
      expect(svc.stats()).toMatchObject({ fills: 1, duplicateFills: 2 });
    });

    it('moves to executed on the completing fill and emits every fill', async () => {
      const svc = service();
      const o = await svc.submit(intent());
      changes.length = 0;
      bus.emit('exchange.fillReported', fill({ orderId: o.orderId!, count: 600, yesPrice: 4_400 }));
      bus.emit('exchange.fillReported', fill({ orderId: o.orderId!, count: 400, yesPrice: 4_500 }));
      expect(changes.map((c) => [c.status, c.fillCount])).toEqual([
        ['resting', 600],
        ['executed', 1_000],
      ]);
      expect(svc.get(o.clientOrderId)?.fillNotional).toBe(600 * 4_400 + 400 * 4_500);
    });

    it('counts fills for orders that are not ours and does not apply them', async () => {
      const svc = service();
      await svc.submit(intent());
      bus.emit('exchange.fillReported', fill({ orderId: 'someone-else' }));
      bus.emit('exchange.fillReported', fill({ orderId: 'x', clientOrderId: 'not-ours-1' }));
      expect(svc.stats()).toMatchObject({ foreignFills: 2, fills: 0, parkedFills: 0 });
    });

    it('keeps emitted snapshots immutable', async () => {
      const svc = service();
      const o = await svc.submit(intent());
      const snapshot = structuredClone(o);
      bus.emit('exchange.fillReported', fill({ orderId: o.orderId! }));
      expect(o).toEqual(snapshot);
      expect(svc.get(o.clientOrderId)).not.toBe(o);
    });
  });

  describe('unknown orders', () => {
    it('are resolved by an order report carrying the client_order_id', async () => {
      rest.onCreate = async (req) => {
        rest.place(req);
        return unknownOutcome();
      };
      const svc = service();
      const o = await svc.submit(intent());
      bus.emit('exchange.orderReported', report(rest.orders.get('o-1')!));
      expect(svc.get(o.clientOrderId)).toMatchObject({ status: 'resting', orderId: 'o-1' });
    });

    it('are resolved by a lookup across pages', async () => {
      for (let i = 0; i < 5; i++) rest.place({ ...wire(), client_order_id: `other-${i}` });
      rest.onCreate = async (req) => {
        rest.place(req, 1_000);
        return unknownOutcome();
      };
      const svc = service();
      const o = await svc.submit(intent());
      const r = await svc.resolveUnknowns();
      expect(r).toMatchObject({ resolved: 1, rejectedAfterGrace: 0, stillUnknown: 0 });
      expect(svc.get(o.clientOrderId)).toMatchObject({ status: 'executed', orderId: 'o-6' });
      expect(rest.calls.filter((c) => c.startsWith('getOrders'))).toHaveLength(3);
    });

    it('become rejected only when still missing after the grace period', async () => {
      rest.onCreate = async () => unknownOutcome();
      const svc = service({ unknownGraceMs: 10_000 });
      const o = await svc.submit(intent());
      now += 9_999;
      expect(await svc.resolveUnknowns()).toMatchObject({ stillUnknown: 1 });
      expect(svc.get(o.clientOrderId)?.status).toBe('unknown');
      now += 1;
      expect(await svc.resolveUnknowns()).toMatchObject({ rejectedAfterGrace: 1 });
      expect(svc.get(o.clientOrderId)).toMatchObject({
        status: 'rejected',
        reason: 'not at the exchange after grace period',
      });
    });

    it('are not given up when the lookup itself fails', async () => {
      rest.onCreate = async () => unknownOutcome();
      const svc = service({ unknownGraceMs: 10 });
      const o = await svc.submit(intent());
      now += 60_000;
      rest.getOrdersFails = true;
      const r = await svc.resolveUnknowns();
      expect(r.errors).toHaveLength(1);
      expect(svc.get(o.clientOrderId)?.status).toBe('unknown');
    });

    it('flag an exchange order that turns up after we gave it up as an anomaly', async () => {
      rest.onCreate = async () => unknownOutcome();
      const svc = service({ unknownGraceMs: 10 });
      const o = await svc.submit(intent());
      now += 100;
      await svc.resolveUnknowns();
      bus.emit('exchange.orderReported', report(rest.place(rest.creates[0]!)));
      expect(svc.get(o.clientOrderId)?.status).toBe('rejected');
      expect(svc.stats().anomalies).toBe(1);
      expect(svc.anomalies()[0]?.message).toMatch(/EXCHANGE_REPORTED_RESTING in status rejected/);
    });
  });

  describe('cancel', () => {
    it('cancels a resting order; partial fills stand', async () => {
      const svc = service();
      const o = await svc.submit(intent());
      bus.emit('exchange.fillReported', fill({ orderId: o.orderId!, count: 300 }));
      const c = await svc.cancel(o.clientOrderId);
      expect(c).toMatchObject({ status: 'canceled', fillCount: 300 });
      expect(c.history.map((h) => h.status)).toEqual([
        'created',
        'submitting',
        'resting',
        'canceling',
        'canceled',
      ]);
      expect(rest.writes()).toEqual(['create tv3-abcd1234-1', 'cancel o-1']);
    });

    it('stays canceling on an unknown cancel outcome until a report settles it', async () => {
      const svc = service();
      const o = await svc.submit(intent());
      rest.onCancel = () => Promise.resolve(unknownOutcome());
      expect((await svc.cancel(o.clientOrderId)).status).toBe('canceling');
      const at = rest.orders.get(o.orderId!)!;
      at.status = 'canceled';
      bus.emit('exchange.orderReported', report(at));
      expect(svc.get(o.clientOrderId)?.status).toBe('canceled');
    });

    it('settles an unknown cancel outcome by lookup too', async () => {
      const svc = service();
      const o = await svc.submit(intent());
      rest.onCancel = (id) => {
        rest.orders.get(id)!.status = 'canceled';
        return Promise.resolve(unknownOutcome());
      };
      await svc.cancel(o.clientOrderId);
      await svc.resolveUnknowns();
      expect(svc.get(o.clientOrderId)?.status).toBe('canceled');
    });

    it('looks the order up when the cancel found nothing left, and adopts executed', async () => {
      const svc = service();
      const o = await svc.submit(intent());
      const at = rest.orders.get(o.orderId!)!;
      Object.assign(at, { status: 'executed', filled: 1_000, remaining: 0 });
      const c = await svc.cancel(o.clientOrderId);
      expect(c.status).toBe('executed');
      expect(rest.calls).toContain(`getOrder ${o.orderId}`);
    });

    it('goes back to resting when the cancel is refused', async () => {
      const svc = service();
      const o = await svc.submit(intent());
      rest.onCancel = () => Promise.resolve(rejected(429));
      const c = await svc.cancel(o.clientOrderId);
      expect(c.status).toBe('resting');
      expect(c.history.map((h) => h.status).slice(-2)).toEqual(['canceling', 'resting']);
    });

    it('handles a 404 by looking the order up', async () => {
      const svc = service();
      const o = await svc.submit(intent());
      rest.onCancel = () => Promise.resolve(rejected(404, 'not_found'));
      rest.orders.get(o.orderId!)!.status = 'canceled';
      expect((await svc.cancel(o.clientOrderId)).status).toBe('canceled');
    });

    it('returns terminal orders untouched and refuses orders without an order id', async () => {
      const svc = service();
      const denied = svc.deny(intent(), 'no');
      expect(await svc.cancel(denied.clientOrderId)).toBe(denied);
      rest.onCreate = async () => unknownOutcome();
      const u = await svc.submit(intent());
      await expect(svc.cancel(u.clientOrderId)).rejects.toBeInstanceOf(OrderServiceError);
      await expect(svc.cancel('nope')).rejects.toMatchObject({ code: 'ORDER_UNKNOWN_CLIENT_ID' });
      expect(rest.calls.filter((c) => c.startsWith('cancel'))).toEqual([]);
    });
  });

  describe('cancelAll', () => {
    async function restingOrders(svc: OrderService, n: number, ticker = TICKER): Promise<TrackedOrder[]> {
      const out: TrackedOrder[] = [];
      for (let i = 0; i < n; i++) out.push(await svc.submit(intent({ ticker })));
      return out;
    }

    it('uses DELETE /portfolio/events/orders when it works', async () => {
      const svc = service();
      const mine = await restingOrders(svc, 3);
      rest.place({ ...wire(), client_order_id: 'by-hand' });
      const r = await svc.cancelAll();
      expect(r).toEqual({ canceled: 4, failed: 0, method: 'cancel_all', remaining: 0 });
      for (const o of mine) expect(svc.get(o.clientOrderId)?.status).toBe('canceled');
    });

    it('falls back to batches of 20, then single cancels for items that errored', async () => {
      const svc = service();
      const mine = await restingOrders(svc, 25);
      rest.onCancelAll = async () => rejected(403);
      rest.batchErrorIds.add(mine[3]!.orderId!);
      const r = await svc.cancelAll();
      expect(r).toEqual({ canceled: 25, failed: 0, method: 'batch', remaining: 0 });
      expect(rest.writes().filter((c) => !c.startsWith('create'))).toEqual([
        'cancelAll',
        'batch 20',
        'batch 5',
        `cancel ${mine[3]!.orderId}`,
      ]);
      expect(svc.open()).toEqual([]);
    });

    it('cancels one by one when batches are not accepted either', async () => {
      const svc = service();
      await restingOrders(svc, 3);
      rest.onCancelAll = async () => unknownOutcome();
      rest.onBatch = async () => rejected(403);
      const r = await svc.cancelAll();
      expect(r).toMatchObject({ canceled: 3, failed: 0, method: 'single' });
    });

    it('reports orders that stay resting as failed and puts them back to resting', async () => {
      const svc = service();
      const [a, b] = await restingOrders(svc, 2);
      rest.onCancelAll = async () => rejected(403);
      rest.batchErrorIds.add(a!.orderId!);
      rest.onCancel = () => Promise.resolve(rejected(429));
      const r = await svc.cancelAll();
      expect(r).toEqual({ canceled: 1, failed: 1, method: 'batch', remaining: 1 });
      expect(svc.get(a!.clientOrderId)?.status).toBe('resting');
      expect(svc.get(b!.clientOrderId)?.status).toBe('canceled');
    });

    it('with a ticker, skips the account-wide cancel and touches only that ticker', async () => {
      const svc = service();
      await restingOrders(svc, 2);
      const [other] = await restingOrders(svc, 1, 'KXOTHER');
      const r = await svc.cancelAll({ ticker: TICKER });
      expect(r).toMatchObject({ canceled: 2, method: 'batch', remaining: 0 });
      expect(rest.calls).not.toContain('cancelAll');
      expect(svc.get(other!.clientOrderId)?.status).toBe('resting');
    });

    it('still cancels account-wide when it cannot read what rests first', async () => {
      const svc = service();
      const [a] = await restingOrders(svc, 1);
      const real = rest.getOrders.bind(rest);
      let reads = 0;
      rest.getOrders = async (f) => {
        reads += 1;
        if (reads === 1) throw new KalshiError('KALSHI_HTTP_TIMEOUT', 'GET /portfolio/orders timed out');
        return real(f);
      };
      const r = await svc.cancelAll();
      expect(r).toEqual({ canceled: 1, failed: 0, method: 'cancel_all', remaining: 0 });
      expect(svc.get(a!.clientOrderId)?.status).toBe('canceled');
    });

    it('resolves an unknown order it finds resting before canceling it', async () => {
      const svc = service();
      rest.onCreate = async (req) => {
        rest.place(req);
        return unknownOutcome();
      };
      const u = await svc.submit(intent());
      await svc.cancelAll();
      expect(svc.get(u.clientOrderId)).toMatchObject({ status: 'canceled', orderId: 'o-1' });
    });
  });

  describe('reconcile', () => {
    it('matches, resolves, adopts foreign orders and applies fills once', async () => {
      const svc = service();
      const resting = await svc.submit(intent());
      rest.onCreate = async (req) => {
        rest.place(req);
        return unknownOutcome();
      };
      const unknown = await svc.submit(intent());
      const foreign = rest.place({ ...wire(), client_order_id: '' });
      const prevRun = rest.place({ ...wire(), client_order_id: 'tv3-00000000-7' });
      const f1 = fill({ orderId: resting.orderId!, count: 200 });
      const f2 = fill({ orderId: prevRun.orderId, count: 100 });
      bus.emit('exchange.fillReported', f1);

      const r = svc.reconcile([...rest.orders.values()].map(report), [
        f1,
        f2,
        fill({ orderId: 'gone-long-ago' }),
      ]);
      expect(r).toEqual({
        matched: 2,
        adopted: 2,
        resolved: 1,
        fillsApplied: 1,
        fillsDuplicate: 1,
        fillsForeign: 1,
        anomalies: 0,
      });
      expect(svc.get(unknown.clientOrderId)).toMatchObject({ status: 'resting', orderId: 'o-2' });
      expect(svc.get(`adopted:${foreign.orderId}`)).toMatchObject({
        status: 'resting',
        intent: { strategy: 'adopted', count: 1_000 },
      });
      expect(svc.get('tv3-00000000-7')).toMatchObject({ status: 'resting', fillCount: 100 });
      expect(svc.get(resting.clientOrderId)?.fillCount).toBe(200);
      // Adopted orders can be canceled like our own.
      expect((await svc.cancel('tv3-00000000-7')).status).toBe('canceled');
    });
  });

  describe('order group', () => {
    it('puts each order in the group the provider names at send time, and none when it has none', async () => {
      let group: string | undefined;
      const svc = service({ orderGroupId: () => group });
      await svc.submit(intent());
      group = 'og-1';
      await svc.submit(intent());
      expect(rest.creates.map((c) => c.order_group_id)).toEqual([undefined, 'og-1']);
      expect(rest.creates[1]).toMatchObject({
        count: '10.00',
        price: '0.4500',
        side: 'bid',
        post_only: false,
      });
    });
  });

  describe('filled-count gap', () => {
    function restFill(orderId: string, tradeId: string, count: number): Fill {
      return {
        trade_id: tradeId,
        order_id: orderId,
        ticker: TICKER,
        book_side: 'bid',
        yes_price_dollars: '0.4500',
        count_fp: formatCount(count),
        fee_cost: '0.0000',
        is_taker: false,
        created_time: '2026-01-01T00:00:00Z',
      } as Fill;
    }

    it("reads the order's fills by REST when a report says more filled than we hold, once per order", async () => {
      const svc = service();
      const o = await svc.submit(intent());
      const at = rest.orders.get(o.orderId!)!;
      Object.assign(at, { filled: 400, remaining: 600 });
      rest.restFills.push(restFill(at.orderId, 'lost-1', 400));
      // Two reports before the read: one read (single-flight), the fill applied once.
      bus.emit('exchange.orderReported', report(at));
      bus.emit('exchange.orderReported', report(at));
      await svc.idle();
      expect(rest.calls.filter((c) => c.startsWith('getFills'))).toEqual([`getFills ${at.orderId}`]);
      expect(svc.get(o.clientOrderId)).toMatchObject({ status: 'resting', fillCount: 400 });
      expect(svc.stats()).toMatchObject({ fillGapFetches: 1, fillGapFillsFound: 1, fills: 1 });
      // The fills we hold agree with the count now: nothing more is read.
      bus.emit('exchange.orderReported', report(at));
      await svc.idle();
      expect(rest.calls.filter((c) => c.startsWith('getFills'))).toHaveLength(1);
    });

    it('reads them when the create answer says some filled at once and no frame came', async () => {
      rest.onCreate = async (req) => {
        const placed = rest.place(req, 1_000);
        rest.restFills.push(restFill(placed.orderId, 'lost-2', 1_000));
        return accepted(answerOf(placed));
      };
      const svc = service();
      const o = await svc.submit(intent());
      await svc.idle();
      expect(svc.get(o.clientOrderId)).toMatchObject({ status: 'executed', fillCount: 1_000 });
    });

    it('reads nothing when the frames brought every fill', async () => {
      const svc = service();
      const o = await svc.submit(intent());
      const at = rest.orders.get(o.orderId!)!;
      Object.assign(at, { filled: 400, remaining: 600 });
      bus.emit('exchange.fillReported', fill({ orderId: at.orderId, count: 400 }));
      bus.emit('exchange.orderReported', report(at));
      await svc.idle();
      expect(rest.calls.filter((c) => c.startsWith('getFills'))).toEqual([]);
    });
  });

  describe('orders that are not ours', () => {
    it('adopts a resting one from a live report, flags it, and cancels it with cancel-all', async () => {
      const svc = service();
      const found: string[] = [];
      bus.on('order.foreignFound', (e) => found.push(`${e.order.clientOrderId} ${e.source}`));
      const theirs = rest.place({ ...wire(), client_order_id: 'by-hand-1' });
      bus.emit('exchange.orderReported', report(theirs));
      expect(found).toEqual(['by-hand-1 user_order report']);
      expect(svc.open()).toMatchObject([
        { clientOrderId: 'by-hand-1', intent: { strategy: ADOPTED_STRATEGY } },
      ]);
      expect(isForeign(svc.get('by-hand-1')!)).toBe(true);
      expect(svc.stats().foreignOrders).toBe(1);
      await svc.cancelAll();
      expect(svc.get('by-hand-1')?.status).toBe('canceled');
    });
  });

  describe('exchange news that contradicts our record', () => {
    it('is not applied and is counted', async () => {
      const svc = service();
      const o = await svc.submit(intent());
      await svc.cancel(o.clientOrderId);
      const at = rest.orders.get(o.orderId!)!;
      bus.emit('exchange.orderReported', { ...report(at), status: 'executed' });
      expect(svc.get(o.clientOrderId)?.status).toBe('canceled');
      expect(svc.stats().anomalies).toBe(1);
    });

    it('does not move an order on a report that names a different order id', async () => {
      const svc = service();
      const o = await svc.submit(intent());
      const at = rest.orders.get(o.orderId!)!;
      bus.emit('exchange.orderReported', { ...report(at), orderId: 'o-999', status: 'canceled' });
      expect(svc.get(o.clientOrderId)).toMatchObject({ status: 'resting', orderId: o.orderId });
      expect(svc.anomalies()[0]?.message).toMatch(/o-999/);
    });

    it('ignores reports about orders that are not ours and no longer rest', () => {
      const svc = service();
      const gone = rest.place(wire());
      Object.assign(gone, { status: 'canceled', remaining: 0 });
      bus.emit('exchange.orderReported', report(gone));
      expect(svc.all()).toEqual([]);
      expect(svc.stats().foreignReports).toBe(1);
    });
  });

  describe('queries', () => {
    it('open() lists submitting, unknown, resting and canceling orders only', async () => {
      const svc = service();
      const r = await svc.submit(intent());
      svc.deny(intent(), 'no');
      rest.onCreate = async () => unknownOutcome();
      const u = await svc.submit(intent());
      expect(
        svc
          .open()
          .map((o) => o.clientOrderId)
          .sort(),
      ).toEqual([r.clientOrderId, u.clientOrderId].sort());
      expect(svc.all()).toHaveLength(3);
    });

    it('stops listening after dispose()', async () => {
      const svc = service();
      const o = await svc.submit(intent());
      svc.dispose();
      bus.emit('exchange.fillReported', fill({ orderId: o.orderId! }));
      expect(svc.get(o.clientOrderId)?.fillCount).toBe(0);
    });
  });

  it('accepts the real KalshiRestClient as its REST port', () => {
    const port: OrderRestPort = new KalshiRestClient({ baseUrl: 'http://127.0.0.1:1/trade-api/v2' });
    expect(typeof port.createOrderV2).toBe('function');
  });
});

function wire(): CreateOrderV2Request {
  return {
    ticker: TICKER,
    client_order_id: 'x',
    side: 'bid',
    count: '10.00',
    price: '0.4000',
    time_in_force: 'good_till_canceled',
    self_trade_prevention_type: 'maker',
  };
}
