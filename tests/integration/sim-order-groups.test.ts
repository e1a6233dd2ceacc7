/**
 * Order groups over real loopback sockets: the official SDK's OrderGroupsApi (each API object on
 * its own axios instance, as in sdk-contract.test.ts), our KalshiRestClient, and the
 * order_group_updates WebSocket channel through our KalshiWsClient.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import axios from 'axios';
import { Configuration, OrderGroupsApi, OrdersApi } from 'kalshi-typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../src/exchange-sim/index.js';
import {
  createSigner,
  KalshiRestClient,
  KalshiWsClient,
  orderGroupFromRest,
  orderGroupUpdateFromWs,
  type WsDataMessage,
} from '../../src/kalshi/index.js';

const modelsDir = join(dirname(createRequire(import.meta.url).resolve('kalshi-typescript')), '..', 'models');

function requiredFields(model: string): string[] {
  const source = readFileSync(join(modelsDir, `${model}.ts`), 'utf8');
  const body = /export interface \w+ \{([\s\S]*?)\n\}/.exec(source)?.[1] ?? '';
  return [...body.matchAll(/^\s+'([a-z_0-9]+)': /gm)].map((m) => m[1]!);
}

function expectModel(obj: unknown, model: string): void {
  expect(obj, `${model} response`).toBeTypeOf('object');
  const missing = requiredFields(model).filter((f) => !(f in (obj as object)));
  expect(missing, `${model} lacks required fields`).toEqual([]);
}

type SdkAxios = NonNullable<ConstructorParameters<typeof OrdersApi>[2]>;
type ApiClass<T> = new (c: Configuration, basePath?: string, ax?: SdkAxios) => T;
function api<T>(Cls: ApiClass<T>, config: Configuration): T {
  return new Cls(config, undefined, axios.create() as unknown as SdkAxios);
}

async function statusOf(p: Promise<unknown>): Promise<{ status: number; data: unknown }> {
  try {
    const r = (await p) as { status: number; data: unknown };
    return { status: r.status, data: r.data };
  } catch (e) {
    const r = (e as { response?: { status: number; data: unknown } }).response;
    if (!r) throw e;
    return { status: r.status, data: r.data };
  }
}

describe('order groups against the simulator', () => {
  let sim: Simulator;
  let config: Configuration;
  let ticker: string;
  let rest: KalshiRestClient;
  let creds: ReturnType<Simulator['createAccount']>;

  beforeAll(async () => {
    sim = await startSimulator({ seed: 5, markets: 6, ratePerSec: 0, rateLimit: false });
    creds = sim.createAccount({ balance: 500_000_000 });
    config = new Configuration({
      apiKey: creds.key_id,
      privateKeyPem: creds.private_key_pem,
      basePath: sim.restUrl,
    });
    rest = new KalshiRestClient({
      baseUrl: sim.restUrl,
      signer: createSigner({ keyId: creds.key_id, privateKeyPem: creds.private_key_pem }),
      rateLimiter: false,
    });
    ticker = sim.core.markets().find((m) => m.status === 'active' && !m.fractionalTradingEnabled)!.ticker;
  });

  afterAll(async () => {
    await sim.close();
  });

  it('works through every call of the official SDK', async () => {
    const groups = api(OrderGroupsApi, config);
    const orders = api(OrdersApi, config);

    const made = await groups.createOrderGroup({ contracts_limit: 5 });
    expect(made.status).toBe(201);
    expectModel(made.data, 'create-order-group-response');
    const id = made.data.order_group_id;

    const listed = await groups.getOrderGroups();
    expectModel(listed.data, 'get-order-groups-response');
    const entry = listed.data.order_groups?.find((g) => g.id === id);
    expect(entry).toBeDefined();
    expectModel(entry, 'order-group');
    expect(entry).toMatchObject({ contracts_limit_fp: '5.00', is_auto_cancel_enabled: false });

    const placed = await orders.createOrderV2({
      ticker,
      client_order_id: 'grp-sdk-1',
      side: 'bid',
      count: '1.00',
      price: '0.0100',
      time_in_force: 'good_till_canceled',
      self_trade_prevention_type: 'maker',
      order_group_id: id,
    });
    expect(placed.status).toBe(201);

    const read = await groups.getOrderGroup(id);
    expectModel(read.data, 'get-order-group-response');
    expect(read.data).toMatchObject({ is_auto_cancel_enabled: false, contracts_limit_fp: '5.00' });
    expect(read.data.orders).toEqual([placed.data.order_id]);
    const order = await orders.getOrder(placed.data.order_id);
    expect(order.data.order.order_group_id).toBe(id);

    expect((await groups.triggerOrderGroup(id, undefined, undefined, {})).status).toBe(200);
    expect((await groups.getOrderGroup(id)).data.is_auto_cancel_enabled).toBe(true);
    expect((await orders.getOrder(placed.data.order_id)).data.order.status).toBe('canceled');

    const refused = await statusOf(
      orders.createOrderV2({
        ticker,
        client_order_id: 'grp-sdk-2',
        side: 'bid',
        count: '1.00',
        price: '0.0100',
        time_in_force: 'good_till_canceled',
        self_trade_prevention_type: 'maker',
        order_group_id: id,
      }),
    );
    expect(refused.status).toBe(400);
    expect(refused.data).toMatchObject({ error: { code: 'order_group_triggered' } });

    expect((await groups.resetOrderGroup(id, undefined, undefined, {})).status).toBe(200);
    expect((await groups.getOrderGroup(id)).data.is_auto_cancel_enabled).toBe(false);
    expect((await groups.updateOrderGroupLimit(id, { contracts_limit_fp: '7.50' })).status).toBe(200);
    expect((await groups.getOrderGroup(id)).data.contracts_limit_fp).toBe('7.50');

    expect((await groups.deleteOrderGroup(id)).status).toBe(200);
    expect((await statusOf(groups.getOrderGroup(id))).status).toBe(404);
  });

  it('refuses a create without a limit, and limits that disagree', async () => {
    const groups = api(OrderGroupsApi, config);
    expect((await statusOf(groups.createOrderGroup({}))).status).toBe(400);
    expect(
      (await statusOf(groups.createOrderGroup({ contracts_limit: 2, contracts_limit_fp: '3.00' }))).status,
    ).toBe(400);
  });

  it('has our client retry order-group reads but never its writes', async () => {
    const client = new KalshiRestClient({
      baseUrl: sim.restUrl,
      signer: createSigner({ keyId: creds.key_id, privateKeyPem: creds.private_key_pem }),
      rateLimiter: false,
      retry: { baseDelayMs: 1, maxDelayMs: 5 },
    });
    const made = await client.createOrderGroup({ contracts_limit: 4 });
    if (made.outcome !== 'accepted') throw new Error(`create: ${made.outcome}`);
    const id = made.value.order_group_id;
    sim.applyFault({
      action: 'http_error',
      endpoint: 'GET /portfolio/order_groups/*',
      status: 503,
      count: 2,
    });
    expect((await client.getOrderGroup(id)).is_auto_cancel_enabled).toBe(false);
    // Both 503s were answered: the read was tried three times.
    expect(sim.faults.snapshot().httpErrors).toEqual([]);
    sim.applyFault({
      action: 'http_error',
      endpoint: 'PUT /portfolio/order_groups/*',
      status: 503,
      count: 1,
    });
    const trigger = await client.triggerOrderGroup(id);
    expect(trigger.outcome).toBe('unknown');
    // Not resent: the one 503 was the only attempt, and it was refused before processing.
    expect(sim.faults.snapshot().httpErrors).toEqual([]);
    expect((await client.getOrderGroup(id)).is_auto_cancel_enabled).toBe(false);
  });

  it('works through our client, with every change announced on order_group_updates', async () => {
    const ws = new KalshiWsClient({
      url: sim.wsUrl,
      signer: createSigner({ keyId: creds.key_id, privateKeyPem: creds.private_key_pem }),
    });
    const updates: Extract<WsDataMessage, { type: 'order_group_updates' }>[] = [];
    ws.on('message', (m: WsDataMessage) => {
      if (m.type === 'order_group_updates') updates.push(m);
    });
    try {
      await ws.connect();
      await ws.subscribe({ channels: ['order_group_updates'] });

      const made = await rest.createOrderGroup({ contracts_limit_fp: '2.00' });
      if (made.outcome !== 'accepted') throw new Error(`create: ${made.outcome}`);
      const id = made.value.order_group_id;
      expect((await rest.getOrderGroups()).order_groups?.map(orderGroupFromRest)).toContainEqual({
        id,
        contractsLimit: 200,
        triggered: false,
      });
      // Someone else's resting order to trade against; ours, in the group, takes 2 of 5 and stops.
      sim.core.openAccount('seller', 100_000_000);
      const sell = sim.core.place({
        accountId: 'seller',
        ticker,
        clientOrderId: 'grp-seller',
        action: 'sell',
        side: 'yes',
        bookSide: 'ask',
        yesPrice: 9_900,
        count: 500,
        timeInForce: 'good_till_canceled',
        postOnly: false,
        reduceOnly: false,
        selfTradePrevention: 'maker',
        cancelOnPause: false,
        subaccount: 0,
      });
      expect(sell.ok).toBe(true);
      const buy = await rest.createOrderV2({
        ticker,
        client_order_id: 'grp-ours-1',
        side: 'bid',
        count: '5.00',
        price: '0.9900',
        time_in_force: 'good_till_canceled',
        self_trade_prevention_type: 'maker',
        order_group_id: id,
      });
      if (buy.outcome !== 'accepted') throw new Error(`buy: ${buy.outcome}`);
      expect(buy.value.fill_count).toBe('2.00');
      const read = await rest.getOrderGroup(id);
      expect(read.is_auto_cancel_enabled).toBe(true);

      // The legacy v1 create carries order_group_id too.
      const blocked = await rest.createOrder({
        ticker,
        client_order_id: 'grp-ours-2',
        side: 'yes',
        action: 'buy',
        count: 1,
        yes_price: 1,
        order_group_id: id,
      });
      expect(blocked.outcome).toBe('rejected');
      if (blocked.outcome === 'rejected') expect(blocked.error.apiCode).toBe('order_group_triggered');

      expect((await rest.resetOrderGroup(id)).outcome).toBe('accepted');
      expect((await rest.updateOrderGroupLimit(id, { contracts_limit: 3 })).outcome).toBe('accepted');
      expect((await rest.triggerOrderGroup(id)).outcome).toBe('accepted');
      expect((await rest.deleteOrderGroup(id)).outcome).toBe('accepted');
      expect((await rest.deleteOrderGroup(id)).outcome).toBe('rejected');

      const deadline = Date.now() + 5_000;
      while (updates.length < 6 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      const seen = updates.map((u) => orderGroupUpdateFromWs(u.msg));
      expect(seen.map((u) => u.eventType)).toEqual([
        'created',
        'triggered',
        'reset',
        'limit_updated',
        'triggered',
        'deleted',
      ]);
      expect(seen.every((u) => u.orderGroupId === id)).toBe(true);
      expect(seen[0]?.contractsLimit).toBe(200);
      expect(seen[3]?.contractsLimit).toBe(300);
      expect(seen[1]?.contractsLimit).toBeUndefined();
      // One seq per sid, without gaps.
      const seqs = updates.map((u) => u.seq);
      expect(seqs).toEqual(seqs.map((_, i) => (seqs[0] ?? 0) + i));
    } finally {
      await ws.close();
    }
  });
});
