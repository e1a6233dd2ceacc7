/**
 * Contract test: Kalshi's official TypeScript SDK (`kalshi-typescript`) drives the simulator over
 * real loopback sockets, and every response carries the fields the SDK's models declare required.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import axios from 'axios';
import { Configuration, ExchangeApi, MarketApi, OrdersApi, PortfolioApi } from 'kalshi-typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ceilToCent, complement, notional } from '../../src/domain/index.js';
import { type Simulator, startSimulator } from '../../src/exchange-sim/index.js';
import { formatDollars, formatPrice, parsePrice } from '../../src/kalshi/units.js';

const modelsDir = join(dirname(createRequire(import.meta.url).resolve('kalshi-typescript')), '..', 'models');

/** The required (non-optional) properties of an SDK model, read from its generated source. */
function requiredFields(model: string): string[] {
  const source = readFileSync(join(modelsDir, `${model}.ts`), 'utf8');
  const body = /export interface \w+ \{([\s\S]*?)\n\}/.exec(source)?.[1] ?? '';
  return [...body.matchAll(/^\s+'([a-z_0-9]+)': /gm)].map((m) => m[1]!);
}

/**
 * The SDK installs its signing interceptor on the axios instance it is given (the global one by
 * default), so every API object gets its own instance: otherwise one account's interceptor would
 * re-sign another's requests.
 */
type SdkAxios = NonNullable<ConstructorParameters<typeof ExchangeApi>[2]>;
type ApiClass<T> = new (c: Configuration, basePath?: string, ax?: SdkAxios) => T;
function api<T>(Cls: ApiClass<T>, config: Configuration): T {
  // The SDK is CommonJS and types axios through its CJS typings; the instance is the same at run time.
  return new Cls(config, undefined, axios.create() as unknown as SdkAxios);
}

function expectModel(obj: unknown, model: string): void {
  expect(obj, `${model} response`).toBeTypeOf('object');
  const missing = requiredFields(model).filter((f) => !(f in (obj as object)));
  expect(missing, `${model} lacks required fields`).toEqual([]);
}

describe('the official Kalshi SDK against the simulator', () => {
  let sim: Simulator;
  let config: Configuration;
  let other: Configuration;
  let ticker: string;

  beforeAll(async () => {
    sim = await startSimulator({ seed: 7, markets: 8, ratePerSec: 0, rateLimit: false });
    const mine = sim.createAccount({ balance: 500_000_000 });
    const theirs = sim.createAccount({ balance: 500_000_000 });
    config = new Configuration({
      apiKey: mine.key_id,
      privateKeyPem: mine.private_key_pem,
      basePath: sim.restUrl,
    });
    other = new Configuration({
      apiKey: theirs.key_id,
      privateKeyPem: theirs.private_key_pem,
      basePath: sim.restUrl,
    });
  });

  afterAll(async () => {
    await sim.close();
  });

  it('reads the exchange status', async () => {
    const { data } = await api(ExchangeApi, config).getExchangeStatus();
    expectModel(data, 'exchange-status');
    expect(data.trading_active).toBe(true);
  });

  it('lists markets with cursor pagination and reads one market', async () => {
    const markets = api(MarketApi, config);
    const first = await markets.getMarkets(5);
    expectModel(first.data, 'get-markets-response');
    expect(first.data.markets).toHaveLength(5);
    for (const m of first.data.markets) expectModel(m, 'market');
    expect(first.data.cursor).not.toBe('');
    const second = await markets.getMarkets(5, first.data.cursor);
    expect(second.data.markets.length).toBe(3);
    expect(second.data.cursor).toBe('');
    ticker = first.data.markets[0]!.ticker;
    const one = await markets.getMarket(ticker);
    expectModel(one.data, 'get-market-response');
    expect(one.data.market.ticker).toBe(ticker);
  });

  it('reads an order book as orderbook_fp dollar levels', async () => {
    const { data } = await api(MarketApi, config).getMarketOrderbook(ticker);
    expectModel(data, 'get-market-orderbook-response');
    expectModel(data.orderbook_fp, 'orderbook-count-fp');
    expect(data.orderbook_fp.yes_dollars.length).toBeGreaterThan(0);
    for (const [price, count] of data.orderbook_fp.yes_dollars) {
      expect(price).toMatch(/^0\.\d{4}$/);
      expect(count).toMatch(/^\d+\.\d{2}$/);
    }
  });

  it('reads the balance', async () => {
    const { data } = await api(PortfolioApi, config).getBalance();
    expectModel(data, 'get-balance-response');
    expect(data.balance).toBe(50_000);
    expect(data.balance_dollars).toBe('500.0000');
  });

  it('creates, reads and cancels a resting V2 order', async () => {
    const orders = api(OrdersApi, config);
    const created = await orders.createOrderV2({
      ticker,
      client_order_id: 'sdk-rest-1',
      side: 'bid',
      count: '3.00',
      price: '0.0200',
      time_in_force: 'good_till_canceled',
      self_trade_prevention_type: 'maker',
    });
    expect(created.status).toBe(201);
    expectModel(created.data, 'create-order-v2-response');
    expect(created.data.remaining_count).toBe('3.00');

    const read = await orders.getOrder(created.data.order_id);
    expectModel(read.data, 'get-order-response');
    expectModel(read.data.order, 'order');
    expect(read.data.order.status).toBe('resting');
    expect(read.data.order.client_order_id).toBe('sdk-rest-1');

    const canceled = await orders.cancelOrderV2(created.data.order_id);
    expectModel(canceled.data, 'cancel-order-v2-response');
    expect(canceled.data.reduced_by).toBe('3.00');
  });

  it('batch-creates and batch-cancels V2 orders, with per-item errors', async () => {
    const orders = api(OrdersApi, config);
    const { data } = await orders.batchCreateOrdersV2({
      orders: [
        {
          ticker,
          client_order_id: 'sdk-b-1',
          side: 'bid',
          count: '1.00',
          price: '0.0300',
          time_in_force: 'good_till_canceled',
          self_trade_prevention_type: 'maker',
        },
        {
          ticker,
          client_order_id: 'sdk-b-2',
          side: 'bid',
          count: '1.00',
          price: '0.0400',
          time_in_force: 'good_till_canceled',
          self_trade_prevention_type: 'maker',
        },
        {
          ticker,
          client_order_id: 'sdk-b-3',
          side: 'bid',
          count: '1.00',
          price: '1.5000',
          time_in_force: 'good_till_canceled',
          self_trade_prevention_type: 'maker',
        },
      ],
    });
    expectModel(data, 'batch-create-orders-v2-response');
    expect(data.orders[0]!.order_id).toBeTruthy();
    expect(data.orders[1]!.order_id).toBeTruthy();
    expect(data.orders[2]!.error?.code).toBe('invalid_price');

    const cancel = await orders.batchCancelOrdersV2({
      orders: [{ order_id: data.orders[0]!.order_id! }, { order_id: data.orders[1]!.order_id! }],
    });
    expectModel(cancel.data, 'batch-cancel-orders-v2-response');
    for (const o of cancel.data.orders) {
      expectModel(o, 'batch-cancel-orders-v2-response-orders-inner');
      expect(o.reduced_by).toBe('1.00');
    }
  });

  it('trades against another account and reports orders, fills and positions', async () => {
    // The seeded market makers quote every market; the other account improves the best YES ask by
    // one tick (a NO bid one tick above the best), and we take 2 YES at exactly that price.
    const book = (await api(MarketApi, config).getMarketOrderbook(ticker)).data.orderbook_fp;
    const bestNo = Math.max(...book.no_dollars.map(([p]) => parsePrice(p)));
    const bestYes = Math.max(...book.yes_dollars.map(([p]) => parsePrice(p)));
    const askYes = complement(bestNo + 100);
    expect(askYes).toBeGreaterThan(bestYes); // the improved ask must not cross the YES bids
    await api(OrdersApi, other).createOrderV2({
      ticker,
      client_order_id: 'maker-1',
      side: 'ask',
      count: '5.00',
      price: formatPrice(askYes),
      time_in_force: 'good_till_canceled',
      self_trade_prevention_type: 'maker',
    });
    const orders = api(OrdersApi, config);
    const taken = await orders.createOrderV2({
      ticker,
      client_order_id: 'taker-1',
      side: 'bid',
      count: '2.00',
      price: formatPrice(askYes),
      time_in_force: 'immediate_or_cancel',
      self_trade_prevention_type: 'maker',
    });
    expect(taken.data.fill_count).toBe('2.00');
    expect(taken.data.average_fill_price).toBe(formatPrice(askYes));

    const list = await orders.getOrders(ticker);
    expectModel(list.data, 'get-orders-response');
    const mine = list.data.orders.find((o) => o.client_order_id === 'taker-1');
    expect(mine?.status).toBe('executed');
    for (const o of list.data.orders) expectModel(o, 'order');

    const portfolio = api(PortfolioApi, config);
    const fills = await portfolio.getFills(ticker);
    expectModel(fills.data, 'get-fills-response');
    expect(fills.data.fills.length).toBeGreaterThan(0);
    for (const f of fills.data.fills) expectModel(f, 'fill');
    const fill = fills.data.fills[0]!;
    expect(fill.yes_price_dollars).toBe(formatPrice(askYes));
    expect(fill.no_price_dollars).toBe(formatPrice(complement(askYes)));
    expect(fill.is_taker).toBe(true);
    // Taker fee: ceil_to_cent(0.07 × C × P × (1 − P)), here in integer micro-dollars.
    const fee = ceilToCent((7 * 2 * askYes * complement(askYes)) / 10_000);
    expect(fill.fee_cost).toBe(formatDollars(fee));

    const positions = await portfolio.getPositions();
    expectModel(positions.data, 'get-positions-response');
    const pos = positions.data.market_positions.find((p) => p.ticker === ticker);
    expect(pos).toBeDefined();
    expectModel(pos, 'market-position');
    expect(pos!.position_fp).toBe('2.00');

    const balance = await portfolio.getBalance();
    expect(balance.data.balance_dollars).toBe(formatDollars(500_000_000 - notional(200, askYes) - fee));
  });

  it('answers bad requests with Kalshi error bodies', async () => {
    const orders = api(OrdersApi, config);
    const err = await orders
      .createOrderV2({
        ticker: 'NO-SUCH-MARKET',
        client_order_id: 'bad-1',
        side: 'bid',
        count: '1.00',
        price: '0.5000',
        time_in_force: 'good_till_canceled',
        self_trade_prevention_type: 'maker',
      })
      .then(
        () => undefined,
        (e: { response?: { status: number; data: unknown } }) => e.response,
      );
    expect(err?.status).toBe(404);
    expect(err?.data).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });

    const unsigned = api(PortfolioApi, new Configuration({ basePath: sim.restUrl }));
    const denied = await unsigned.getBalance().then(
      () => undefined,
      (e: { response?: { status: number; data: unknown } }) => e.response,
    );
    expect(denied?.status).toBe(401);
    expect(denied?.data).toMatchObject({ error: { code: 'authentication_error' } });
  });
});
