/**
 * The OrderService with our REST client against the simulator over loopback: a real Unknown from
 * a 500 after processing, found again by client_order_id; a partial fill by another account's
 * taker order; cancel-all (and its batch fallback) leaving nothing resting.
 *
 * The WebSocket integration is not part of this suite, so `sync()` reads fills and orders over
 * REST and puts them on the bus the way the trading-client integration will.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createBus, type EventBus } from '../../src/bus.js';
import { complement, type Price } from '../../src/domain/index.js';
import { type Simulator, startSimulator } from '../../src/exchange-sim/index.js';
import { fillFromRest, orderFromRest } from '../../src/kalshi/normalize.js';
import { collect, KalshiRestClient } from '../../src/kalshi/rest.js';
import { createSigner } from '../../src/kalshi/signer.js';
import { formatPrice } from '../../src/kalshi/units.js';
import { OrderService } from '../../src/services/order-service.js';

describe('OrderService against the simulator', () => {
  let sim: Simulator;
  let me: KalshiRestClient;
  let them: KalshiRestClient;
  let ticker: string;
  let bus: EventBus;
  let svc: OrderService;
  /** Simulated extra time for grace periods; the service's clock is wall time plus this. */
  let skewMs = 0;

  const clientFor = (creds: { key_id: string; private_key_pem: string }) =>
    new KalshiRestClient({
      baseUrl: sim.restUrl,
      signer: createSigner({ keyId: creds.key_id, privateKeyPem: creds.private_key_pem }),
      rateLimiter: false,
      timeoutMs: 5_000,
      retry: { baseDelayMs: 5, maxDelayMs: 20 },
    });

  function quote(t: string): { bestYesBid?: Price; yesAsk?: Price } | undefined {
    const book = sim.core.book(t);
    const bestYes = book.yes.at(-1);
    const bestNo = book.no.at(-1);
    return {
      ...(bestYes ? { bestYesBid: bestYes[0] } : {}),
      ...(bestNo ? { yesAsk: complement(bestNo[0]) } : {}),
    };
  }

  /** What the WS fill / user_orders channels would deliver, read over REST instead. */
  async function sync(): Promise<void> {
    for (const f of await collect(me.allFills({ ticker })))
      bus.emit('exchange.fillReported', fillFromRest(f));
    for (const o of await collect(me.allOrders({ ticker })))
      bus.emit('exchange.orderReported', orderFromRest(o));
  }

  async function myResting(): Promise<number> {
    return (await collect(me.allOrders({ status: 'resting' }))).length;
  }

  /** A YES bid well below the book: it rests and nobody hits it. */
  function passiveBid(): Price {
    const q = quote(ticker);
    return Math.max(100, (q?.bestYesBid ?? 2_000) - 1_000);
  }

  beforeAll(async () => {
    sim = await startSimulator({ seed: 11, markets: 6, ratePerSec: 0, rateLimit: false });
    me = clientFor(sim.createAccount({ balance: 1_000_000_000 }));
    them = clientFor(sim.createAccount({ balance: 1_000_000_000 }));
    const market = sim.core
      .markets()
      .find(
        (m) => m.priceLevelStructure === 'linear_cent' && m.status === 'active' && quote(m.ticker)?.yesAsk,
      );
    expect(market).toBeDefined();
    ticker = market!.ticker;
  });

  afterAll(async () => {
    await sim.close();
  });

  afterEach(() => {
    // Nothing the exchange told us contradicted our records.
    expect(svc.anomalies()).toEqual([]);
  });

  beforeEach(async () => {
    svc?.dispose();
    await me.cancelAllOrders();
    bus = createBus();
    skewMs = 0;
    svc = new OrderService({
      rest: me,
      bus,
      clock: () => Date.now() + skewMs,
      unknownGraceMs: 15_000,
    });
  });

  const base = {
    timeInForce: 'good_till_canceled' as const,
    strategy: 'it',
    reason: 'integration',
  };

  it('places a resting order that shows up in the book', async () => {
    const price = passiveBid();
    const levelBefore = sim.core.book(ticker).yes.find(([p]) => p === price)?.[1] ?? 0;
    const o = await svc.submit({ ...base, ticker, bookSide: 'bid', yesPrice: price, count: 300 });
    expect(o.status).toBe('resting');
    expect(o.orderId).toBeDefined();
    expect(sim.core.book(ticker).yes.find(([p]) => p === price)?.[1]).toBe(levelBefore + 300);
  });

  it('turns a 500 after processing into Unknown, never re-sends, and finds it by client_order_id', async () => {
    sim.applyFault({
      action: 'http_error',
      endpoint: 'POST /portfolio/events/orders',
      status: 500,
      after_processing: true,
    });
    const o = await svc.submit({ ...base, ticker, bookSide: 'bid', yesPrice: passiveBid(), count: 200 });
    expect(o.status).toBe('unknown');
    expect(o.orderId).toBeUndefined();

    const atExchange = (await collect(me.allOrders({ ticker }))).filter(
      (x) => x.client_order_id === o.clientOrderId,
    );
    expect(atExchange).toHaveLength(1);

    const r = await svc.resolveUnknowns();
    expect(r).toMatchObject({ resolved: 1, rejectedAfterGrace: 0 });
    expect(svc.get(o.clientOrderId)).toMatchObject({ status: 'resting', orderId: atExchange[0]!.order_id });
    expect(svc.stats()).toMatchObject({ submitted: 1, unknown: 1 });
  });

  it('gives up an Unknown that never reached the exchange only after the grace period', async () => {
    sim.applyFault({ action: 'http_error', endpoint: 'POST /portfolio/events/orders', status: 503 });
    const o = await svc.submit({ ...base, ticker, bookSide: 'bid', yesPrice: passiveBid(), count: 100 });
    expect(o.status).toBe('unknown');
    await svc.resolveUnknowns();
    expect(svc.get(o.clientOrderId)?.status).toBe('unknown');
    skewMs = 15_000;
    await svc.resolveUnknowns();
    expect(svc.get(o.clientOrderId)).toMatchObject({
      status: 'rejected',
      reason: 'not at the exchange after grace period',
    });
  });

  it('is partially filled by another account, then canceled with the fill standing', async () => {
    const bestNo = sim.core.book(ticker).no.at(-1)?.[0] ?? 4_000;
    const ask = complement(bestNo + 100); // one tick inside the best ask: ours is alone there
    const o = await svc.submit({ ...base, ticker, bookSide: 'ask', yesPrice: ask, count: 1_000 });
    expect(o.status).toBe('resting');

    const take = await them.createOrderV2({
      ticker,
      client_order_id: `take-${Date.now()}`,
      side: 'bid',
      count: '4.00',
      price: formatPrice(ask),
      time_in_force: 'immediate_or_cancel',
      self_trade_prevention_type: 'maker',
    });
    expect(take.outcome).toBe('accepted');

    await sync();
    await sync(); // replays are deduped
    expect(svc.get(o.clientOrderId)).toMatchObject({
      status: 'resting',
      fillCount: 400,
      fillNotional: 400 * ask,
    });
    expect(svc.stats().duplicateFills).toBeGreaterThan(0);

    const c = await svc.cancel(o.clientOrderId);
    expect(c).toMatchObject({ status: 'canceled', fillCount: 400 });
    const atExchange = (await me.getOrder(o.orderId!)).order;
    expect(atExchange).toMatchObject({ status: 'canceled', fill_count_fp: '4.00' });
  });

  it('cancels everything with cancel-all, and falls back to batches when that fails', async () => {
    for (let i = 0; i < 3; i++) {
      await svc.submit({ ...base, ticker, bookSide: 'bid', yesPrice: passiveBid(), count: 100 });
    }
    expect(await myResting()).toBe(3);
    const r1 = await svc.cancelAll();
    expect(r1).toEqual({ canceled: 3, failed: 0, method: 'cancel_all', remaining: 0 });
    expect(await myResting()).toBe(0);
    expect(svc.open()).toEqual([]);

    const again = [];
    for (let i = 0; i < 23; i++) {
      again.push(await svc.submit({ ...base, ticker, bookSide: 'bid', yesPrice: passiveBid(), count: 100 }));
    }
    sim.applyFault({ action: 'http_error', endpoint: 'DELETE /portfolio/events/orders', status: 500 });
    const r2 = await svc.cancelAll();
    expect(r2).toEqual({ canceled: 23, failed: 0, method: 'batch', remaining: 0 });
    expect(await myResting()).toBe(0);
    for (const o of again) expect(svc.get(o.clientOrderId)?.status).toBe('canceled');
  });
});
