/**
 * Our REST client against the simulator over real loopback sockets: order entry, partial fills,
 * cancels, positions, balance, pagination, rate limits, and the Unknown outcome.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { complement } from '../../src/domain/index.js';
import { type Simulator, startSimulator } from '../../src/exchange-sim/index.js';
import { RateLimiter } from '../../src/kalshi/rate-limit.js';
import { collect, KalshiRestClient } from '../../src/kalshi/rest.js';
import { createSigner } from '../../src/kalshi/signer.js';
import { formatPrice, parsePrice } from '../../src/kalshi/units.js';

describe('KalshiRestClient against the simulator', () => {
  let sim: Simulator;
  let me: KalshiRestClient;
  let them: KalshiRestClient;
  let ticker: string;

  const clientFor = (
    creds: { key_id: string; private_key_pem: string },
    rateLimiter: RateLimiter | false = false,
  ) =>
    new KalshiRestClient({
      baseUrl: sim.restUrl,
      signer: createSigner({ keyId: creds.key_id, privateKeyPem: creds.private_key_pem }),
      rateLimiter,
      timeoutMs: 2_000,
      retry: { baseDelayMs: 5, maxDelayMs: 20 },
    });

  beforeAll(async () => {
    sim = await startSimulator({ seed: 5, markets: 12, ratePerSec: 0, rateLimit: 'basic' });
    me = clientFor(sim.createAccount({ balance: 1_000_000_000 }), new RateLimiter({ tier: 'basic' }));
    them = clientFor(sim.createAccount({ balance: 1_000_000_000 }), new RateLimiter({ tier: 'basic' }));
    ticker = (await me.getMarkets({ limit: 1 })).markets[0]!.ticker;
  });

  afterAll(async () => {
    await sim.close();
  });

  /** A YES price one tick better than the best ask, so our resting ask is the only one there. */
  async function improvedAsk(): Promise<number> {
    const book = (await me.getMarketOrderbook(ticker)).orderbook_fp;
    const bestNo = Math.max(...book.no_dollars.map(([p]) => parsePrice(p)));
    return complement(bestNo + 100);
  }

  it('walks every market page by page with the cursor helper', async () => {
    const all = await collect(me.allMarkets({ limit: 5 }));
    expect(all.map((m) => m.ticker)).toEqual(sim.core.markets().map((m) => m.ticker));
    expect(new Set(all.map((m) => m.ticker)).size).toBe(12);
  });

  it('places a resting order, sees it partially filled, then cancels the rest', async () => {
    const ask = await improvedAsk();
    const placed = await them.createOrderV2({
      ticker,
      client_order_id: 'partial-1',
      side: 'ask',
      count: '10.00',
      price: formatPrice(ask),
      time_in_force: 'good_till_canceled',
      self_trade_prevention_type: 'maker',
    });
    expect(placed.outcome).toBe('accepted');
    if (placed.outcome !== 'accepted') return;
    const orderId = placed.value.order_id;

    const take = await me.createOrderV2({
      ticker,
      client_order_id: 'take-1',
      side: 'bid',
      count: '4.00',
      price: formatPrice(ask),
      time_in_force: 'immediate_or_cancel',
      self_trade_prevention_type: 'maker',
    });
    expect(take.outcome).toBe('accepted');
    if (take.outcome === 'accepted') expect(take.value.fill_count).toBe('4.00');

    const partially = (await them.getOrder(orderId)).order;
    expect(partially).toMatchObject({ status: 'resting', fill_count_fp: '4.00', remaining_count_fp: '6.00' });

    const canceled = await them.cancelOrderV2(orderId);
    expect(canceled.outcome).toBe('accepted');
    if (canceled.outcome === 'accepted') expect(canceled.value.reduced_by).toBe('6.00');
    expect((await them.getOrder(orderId)).order.status).toBe('canceled');

    const myPositions = await collect(me.allPositions());
    expect(myPositions.find((p) => p.ticker === ticker)?.position_fp).toBe('4.00');
    const theirPositions = await collect(them.allPositions());
    expect(theirPositions.find((p) => p.ticker === ticker)?.position_fp).toBe('-4.00');

    const fills = await collect(me.allFills({ ticker }));
    expect(fills).toHaveLength(1);
    expect(fills[0]).toMatchObject({ count_fp: '4.00', yes_price_dollars: formatPrice(ask), is_taker: true });

    const balance = await me.getBalance();
    expect(balance.balance_dollars).not.toBe('1000.0000');
  });

  it('rejects a duplicate client_order_id without placing a second order', async () => {
    const req = {
      ticker,
      client_order_id: 'dup-1',
      side: 'bid' as const,
      count: '1.00',
      price: '0.0100',
      time_in_force: 'good_till_canceled' as const,
      self_trade_prevention_type: 'maker' as const,
    };
    expect((await me.createOrderV2(req)).outcome).toBe('accepted');
    const again = await me.createOrderV2(req);
    expect(again.outcome).toBe('rejected');
    if (again.outcome === 'rejected') {
      expect(again.error.status).toBe(409);
      expect(again.error.apiCode).toBe('order_already_exists');
    }
    const mine = await collect(me.allOrders({ ticker }));
    expect(mine.filter((o) => o.client_order_id === 'dup-1')).toHaveLength(1);
  });

  it('reports Unknown when the exchange did the work but answered 500, and the order is found by client_order_id', async () => {
    sim.applyFault({
      action: 'http_error',
      endpoint: 'POST /portfolio/events/orders',
      status: 500,
      after_processing: true,
    });
    const r = await me.createOrderV2({
      ticker,
      client_order_id: 'unknown-1',
      side: 'bid',
      count: '2.00',
      price: '0.0100',
      time_in_force: 'good_till_canceled',
      self_trade_prevention_type: 'maker',
    });
    expect(r.outcome).toBe('unknown');
    const found = (await collect(me.allOrders({ ticker }))).filter((o) => o.client_order_id === 'unknown-1');
    expect(found).toHaveLength(1);
    expect(found[0]!.status).toBe('resting');
  });

  it('reports Unknown on a timeout and never sends the write twice', async () => {
    const creds = sim.createAccount();
    sim.applyFault({ action: 'latency', ms: 400 });
    const slow = new KalshiRestClient({
      baseUrl: sim.restUrl,
      signer: createSigner({ keyId: creds.key_id, privateKeyPem: creds.private_key_pem }),
      rateLimiter: false,
      timeoutMs: 100,
    });
    const r = await slow.createOrderV2({
      ticker,
      client_order_id: 'timeout-1',
      side: 'bid',
      count: '1.00',
      price: '0.0100',
      time_in_force: 'good_till_canceled',
      self_trade_prevention_type: 'maker',
    });
    expect(r.outcome).toBe('unknown');
    // The request was delivered and executes after its delay: exactly one order, never a second.
    await new Promise((resolve) => setTimeout(resolve, 600));
    sim.applyFault({ action: 'latency', ms: 0 });
    const orders = await collect(clientFor(creds).allOrders());
    expect(orders.filter((o) => o.client_order_id === 'timeout-1')).toHaveLength(1);
  });

  it('retries reads through injected 503s and 429s', async () => {
    sim.applyFault({ action: 'http_error', endpoint: 'GET /portfolio/balance', status: 503, count: 2 });
    expect((await me.getBalance()).balance).toBeGreaterThan(0);
    sim.applyFault({ action: 'http_429', count: 2 });
    expect((await me.getExchangeStatus()).trading_active).toBe(true);
  });

  it('a write refused with 429 is rejected, not retried', async () => {
    sim.applyFault({ action: 'http_429', count: 1 });
    const r = await me.cancelOrderV2('no-such-order');
    expect(r.outcome).toBe('rejected');
    if (r.outcome === 'rejected') expect(r.error.code).toBe('KALSHI_HTTP_RATE_LIMITED');
  });

  it('stays under the simulator token buckets when its own limiter paces a burst', async () => {
    // 30 reads at 10 tokens each against Basic's 200-token read bucket: the client must wait.
    const results = await Promise.all(Array.from({ length: 30 }, () => me.getExchangeStatus()));
    expect(results.every((s) => s.exchange_active)).toBe(true);
  });

  it('cancels everything with cancel-all', async () => {
    const before = await collect(me.allOrders({ status: 'resting' }));
    expect(before.length).toBeGreaterThan(0);
    const r = await me.cancelAllOrders();
    expect(r.outcome).toBe('accepted');
    expect(await collect(me.allOrders({ status: 'resting' }))).toHaveLength(0);
  });

  it('settles a market: winning YES pays $1 per contract', async () => {
    const before = (await me.getBalance()).balance;
    const pos = (await collect(me.allPositions())).find((p) => p.ticker === ticker);
    expect(pos?.position_fp).toBe('4.00');
    const res = await fetch(sim.restUrl.replace('/trade-api/v2', `/_sim/markets/${ticker}/settle`), {
      method: 'POST',
      body: JSON.stringify({ result: 'yes' }),
    });
    expect(res.status).toBe(200);
    const after = (await me.getBalance()).balance;
    expect(after - before).toBe(400); // cents
    const settlements = await collect(me.allSettlements());
    expect(settlements.find((s) => s.ticker === ticker)).toMatchObject({
      market_result: 'yes',
      yes_count_fp: '4.00',
    });
  });
});
