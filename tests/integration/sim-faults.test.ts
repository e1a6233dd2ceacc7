/**
 * The simulator's quiet faults over real loopback sockets: private messages withheld (a truly
 * ambiguous order), a corrupted orderbook delta without a seq gap, positions and balance that
 * drift without a cause, and an HTTP error on a read.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBus, type EventBus } from '../../src/bus.js';
import { type Simulator, startSimulator } from '../../src/exchange-sim/index.js';
import {
  collect,
  createSigner,
  fillFromWs,
  KalshiHttpError,
  KalshiRestClient,
  KalshiWsClient,
  orderFromWs,
  parseDollars,
  parseSignedCount,
  type WsDataMessage,
} from '../../src/kalshi/index.js';
import { BookFeed } from '../../src/orderbook/feed.js';
import { OrderService } from '../../src/services/order-service.js';
import { simOrder } from '../sim-order.js';

type Creds = ReturnType<Simulator['createAccount']>;

function restFor(sim: Simulator, creds: Creds, maxAttempts = 4): KalshiRestClient {
  return new KalshiRestClient({
    baseUrl: sim.restUrl,
    signer: createSigner({ keyId: creds.key_id, privateKeyPem: creds.private_key_pem }),
    rateLimiter: false,
    timeoutMs: 5_000,
    retry: { maxAttempts, baseDelayMs: 5, maxDelayMs: 20 },
  });
}

function wsFor(sim: Simulator, creds: Creds): KalshiWsClient {
  return new KalshiWsClient({
    url: sim.wsUrl,
    signer: createSigner({ keyId: creds.key_id, privateKeyPem: creds.private_key_pem }),
    reconnect: { baseDelayMs: 20, maxDelayMs: 100 },
    commandTimeoutMs: 5_000,
  });
}

async function until(pred: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('the simulator’s quiet faults', () => {
  let sim: Simulator;
  let creds: Creds;
  let rest: KalshiRestClient;
  let ticker: string;

  beforeAll(async () => {
    sim = await startSimulator({ seed: 13, markets: 6, ratePerSec: 0, rateLimit: false });
    creds = sim.createAccount({ balance: 1_000_000_000 });
    rest = restFor(sim, creds);
    ticker = sim.core
      .markets()
      .find(
        (m) =>
          m.status === 'active' && m.priceLevelStructure === 'linear_cent' && !m.fractionalTradingEnabled,
      )!.ticker;
    sim.core.openAccount('maker', 1_000_000_000);
  });

  afterEach(() => {
    sim.faults.clear();
  });

  afterAll(async () => {
    await sim.close();
  });

  describe('withhold_private with http_error after processing', () => {
    let ws: KalshiWsClient;
    let bus: EventBus;
    let svc: OrderService;
    const seen: WsDataMessage[] = [];

    beforeAll(async () => {
      ws = wsFor(sim, creds);
      bus = createBus();
      // The WS private channels reach the OrderService through the bus, as the trading client does.
      ws.on('message', (m: WsDataMessage) => {
        seen.push(m);
        if (m.type === 'user_order') bus.emit('exchange.orderReported', orderFromWs(m.msg));
        if (m.type === 'fill') bus.emit('exchange.fillReported', fillFromWs(m.msg));
      });
      await ws.connect();
      await ws.subscribe({ channels: ['user_orders', 'fill', 'market_positions'] });
      svc = new OrderService({ rest, bus, clock: Date.now, unknownGraceMs: 60_000 });
    });

    afterAll(async () => {
      svc.dispose();
      await ws.close();
    });

    it('makes an order that is done at the exchange, with no HTTP answer and no WS news', async () => {
      // Someone to trade with: a NO bid at 45¢ is a YES ask at 55¢.
      const ask = sim.core.place(
        simOrder({ accountId: 'maker', ticker, bookSide: 'ask', yesPrice: 5_500, count: 300 }),
      );
      expect(ask.ok).toBe(true);
      sim.applyFault({ action: 'withhold_private' });
      sim.applyFault({
        action: 'http_error',
        endpoint: 'POST /portfolio/events/orders',
        status: 500,
        after_processing: true,
      });

      const order = await svc.submit({
        ticker,
        bookSide: 'bid',
        yesPrice: 5_500,
        count: 300,
        timeInForce: 'good_till_canceled',
        strategy: 'it',
        reason: 'ambiguous',
      });
      expect(order.status).toBe('unknown');

      // A later order's messages arrive on the same socket; the withheld ones never came before them.
      const sentinel = await svc.submit({
        ticker,
        bookSide: 'bid',
        yesPrice: 100,
        count: 100,
        timeInForce: 'good_till_canceled',
        strategy: 'it',
        reason: 'sentinel',
      });
      await until(() =>
        seen.some((m) => m.type === 'user_order' && m.msg.client_order_id === sentinel.clientOrderId),
      );
      expect(svc.get(order.clientOrderId)?.status).toBe('unknown');
      const aboutIt = seen.filter(
        (m) =>
          (m.type === 'user_order' && m.msg.client_order_id === order.clientOrderId) ||
          (m.type === 'fill' && m.msg.client_order_id === order.clientOrderId) ||
          (m.type === 'market_position' && m.msg.market_ticker === ticker),
      );
      expect(aboutIt).toEqual([]);

      const r = await svc.resolveUnknowns();
      expect(r).toMatchObject({ resolved: 1, rejectedAfterGrace: 0 });
      expect(svc.get(order.clientOrderId)).toMatchObject({ status: 'executed' });
      const atExchange = (await collect(rest.allOrders({ ticker }))).filter(
        (o) => o.client_order_id === order.clientOrderId,
      );
      expect(atExchange).toHaveLength(1);
      expect(atExchange[0]).toMatchObject({ status: 'executed', fill_count_fp: '3.00' });
    });

    it('delays the messages instead when given ms, and spends a firing only on an accepted order', async () => {
      sim.applyFault({ action: 'withhold_private', ms: 150, channel: 'user_orders' });
      // Refused by the exchange: the firing is kept for the next order.
      const refused = await rest.createOrderV2({
        ticker,
        client_order_id: 'wh-refused',
        side: 'bid',
        count: '1.00',
        price: '0.0150',
        time_in_force: 'good_till_canceled',
        self_trade_prevention_type: 'maker',
      });
      expect(refused.outcome).toBe('rejected');
      expect(sim.faults.snapshot().withholdPrivate).toEqual([
        { remaining: 1, ms: 150, channel: 'user_orders' },
      ]);

      const from = seen.length;
      const placed = await rest.createOrderV2({
        ticker,
        client_order_id: 'wh-delayed',
        side: 'bid',
        count: '1.00',
        price: '0.0200',
        time_in_force: 'good_till_canceled',
        self_trade_prevention_type: 'maker',
      });
      expect(placed.outcome).toBe('accepted');
      const next = await rest.createOrderV2({
        ticker,
        client_order_id: 'wh-next',
        side: 'bid',
        count: '1.00',
        price: '0.0200',
        time_in_force: 'good_till_canceled',
        self_trade_prevention_type: 'maker',
      });
      expect(next.outcome).toBe('accepted');
      await until(() =>
        seen.slice(from).some((m) => m.type === 'user_order' && m.msg.client_order_id === 'wh-delayed'),
      );
      const order = seen
        .slice(from)
        .filter((m) => m.type === 'user_order')
        .map((m) => (m.type === 'user_order' ? m.msg.client_order_id : ''));
      // Held back: it arrives after the order placed after it.
      expect(order).toEqual(['wh-next', 'wh-delayed']);
      expect(sim.faults.snapshot().withholdPrivate).toEqual([]);
    });
  });

  describe('corrupt_book', () => {
    let ws: KalshiWsClient;
    let feed: BookFeed;

    beforeAll(async () => {
      ws = wsFor(sim, creds);
      await ws.connect();
      feed = new BookFeed(ws, { tickers: [ticker] });
      await feed.start();
    });

    afterAll(async () => {
      feed.stop();
      await ws.close();
    });

    async function localAndRemote() {
      const local = feed.book(ticker)!;
      const remote = await rest.getMarketOrderbook(ticker);
      const toLevels = (levels: Array<[string, string]> | undefined) =>
        (levels ?? []).map(([p, c]) => [Math.round(parseDollars(p) / 100), parseSignedCount(c)]);
      return {
        status: local.status,
        local: {
          yes: local.levels('yes').map((l) => [l.price, l.count]),
          no: local.levels('no').map((l) => [l.price, l.count]),
        },
        remote: {
          yes: toLevels(remote.orderbook_fp.yes_dollars as Array<[string, string]>),
          no: toLevels(remote.orderbook_fp.no_dollars as Array<[string, string]>),
        },
      };
    }

    async function deltasAfter(n: number): Promise<void> {
      await until(() => feed.stats.deltas >= n);
    }

    it('leaves a client book that disagrees with the REST book, with no gap and no negative level', async () => {
      await until(() => feed.book(ticker)?.status === 'live');
      const before = await localAndRemote();
      expect(before.local).toEqual(before.remote);
      // The REST book is the exchange's own.
      expect(before.remote).toEqual(sim.core.book(ticker));

      sim.applyFault({ action: 'corrupt_book', ticker });
      const seenDeltas = feed.stats.deltas;
      const placed = sim.core.place(
        simOrder({ accountId: 'maker', ticker, bookSide: 'bid', yesPrice: 300, count: 400 }),
      );
      expect(placed.ok).toBe(true);
      await deltasAfter(seenDeltas + 1);
      const after = await localAndRemote();
      expect(after.status).toBe('live');
      expect(after.remote).toEqual(sim.core.book(ticker));
      expect(after.local).not.toEqual(after.remote);
      // Size mode: the new 4-contract level shows 8.
      expect(after.local.yes).toContainEqual([300, 800]);
      expect(after.remote.yes).toContainEqual([300, 400]);

      // Still silent after more traffic at that level: the client's level stays above the truth.
      const more = feed.stats.deltas;
      if (placed.ok) sim.core.cancel('maker', placed.value.order.orderId);
      await deltasAfter(more + 1);
      const later = await localAndRemote();
      expect(later.local.yes).toContainEqual([300, 400]);
      expect(later.remote.yes.find(([p]) => p === 300)).toBeUndefined();
      expect(feed.stats.gaps).toBe(0);
      expect(feed.stats.negativeLevels).toBe(0);
      expect(sim.faults.snapshot().corruptBook).toEqual([]);
    });

    it('moves a delta to a wrong price level in price mode', async () => {
      const before = await localAndRemote();
      const at = (levels: number[][], price: number) => levels.find(([p]) => p === price)?.[1] ?? 0;
      sim.applyFault({ action: 'corrupt_book', ticker, mode: 'price' });
      const seenDeltas = feed.stats.deltas;
      expect(
        sim.core.place(simOrder({ accountId: 'maker', ticker, bookSide: 'bid', yesPrice: 700, count: 100 }))
          .ok,
      ).toBe(true);
      await deltasAfter(seenDeltas + 1);
      const after = await localAndRemote();
      expect(at(after.remote.yes, 700)).toBe(at(before.remote.yes, 700) + 100);
      expect(at(after.local.yes, 700)).toBe(at(before.local.yes, 700));
      expect(at(after.local.yes, 600)).toBe(at(before.local.yes, 600) + 100);
      expect(at(after.remote.yes, 600)).toBe(at(before.remote.yes, 600));
    });
  });

  describe('drift_position and drift_balance', () => {
    it('move what REST reports without any fill or ledger entry, until cleared', async () => {
      const drifter = sim.createAccount({ balance: 250_000_000 });
      const client = restFor(sim, drifter);
      const market = sim.core.markets().find((m) => m.status === 'active' && m.ticker !== ticker)!.ticker;
      expect((await client.getPositions()).market_positions).toEqual([]);
      expect((await client.getBalance()).balance).toBe(25_000);

      sim.applyFault({ action: 'drift_position', ticker: market, delta: 3, key_id: drifter.key_id });
      sim.applyFault({ action: 'drift_position', ticker: market, delta: '-0.50', key_id: drifter.key_id });
      sim.applyFault({ action: 'drift_balance', delta_dollars: '-12.34', key_id: drifter.key_id });

      const positions = (await client.getPositions()).market_positions;
      expect(positions.map((p) => [p.ticker, p.position_fp])).toEqual([[market, '2.50']]);
      expect((await client.getFills()).fills).toEqual([]);
      const balance = await client.getBalance();
      expect(balance.balance).toBe(23_766);
      // The exchange's ledger did not move.
      const account = sim.accountOf(drifter.key_id)!;
      expect(sim.core.balance(account).cash).toBe(250_000_000);
      expect(sim.core.positions(account)).toEqual([]);
      // Another account is untouched.
      expect((await rest.getBalance()).balance).not.toBe(23_766);

      sim.applyFault({ action: 'clear' });
      expect((await client.getPositions()).market_positions).toEqual([]);
      expect((await client.getBalance()).balance).toBe(25_000);
    });

    it('refuses an unknown market or key', async () => {
      expect(() => sim.applyFault({ action: 'drift_position', ticker: 'KXNOPE-1', delta: 1 })).toThrow(
        /not found/,
      );
      expect(() => sim.applyFault({ action: 'drift_balance', delta_dollars: '1', key_id: 'nope' })).toThrow(
        /not found/,
      );
    });
  });

  describe('http_error on a read', () => {
    it('answers GET /portfolio/positions with a 503 (a 503 during calibration), then recovers', async () => {
      const once = restFor(sim, creds, 1);
      sim.applyFault({ action: 'http_error', endpoint: 'GET /portfolio/positions', status: 503 });
      const err = await once.getPositions({ limit: 10 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KalshiHttpError);
      expect((err as KalshiHttpError).status).toBe(503);
      // Other reads are untouched, and the next positions read succeeds.
      await expect(once.getBalance()).resolves.toBeDefined();
      await expect(once.getPositions({ limit: 10 })).resolves.toHaveProperty('market_positions');
    });
  });
});
