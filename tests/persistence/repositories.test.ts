/**
 * One repository suite, every driver: embedded PGlite always, real Postgres when TEST_DATABASE_URL
 * is set. Each driver gets one fresh database for the file (migrated once); tables are truncated
 * between tests.
 */
import { getTableName } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Decision, OrderIntent, TrackedOrder } from '../../src/domain/index.js';
import {
  ALL_TABLES,
  createRepositories,
  type Database,
  type DeltaRow,
  decisionRow,
  type FillRow,
  fillRow,
  hashJson,
  type LedgerRow,
  migrate,
  positionRow,
  type Repositories,
  type SessionRecord,
  type SnapshotRow,
} from '../../src/persistence/index.js';
import { CONTRACT_DRIVERS, truncateAll } from './drivers.js';

const T0 = Date.parse('2026-03-01T12:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms);

function intent(overrides: Partial<OrderIntent> = {}): OrderIntent {
  return {
    ticker: 'KXTEST-26MAR01-B50',
    bookSide: 'bid',
    yesPrice: 5600,
    count: 2500,
    timeInForce: 'good_till_canceled',
    strategy: 'hardcoded',
    reason: 'hardcoded:buy_yes',
    ...overrides,
  };
}

function order(clientOrderId: string, overrides: Partial<TrackedOrder> = {}): TrackedOrder {
  return {
    clientOrderId,
    intent: intent(),
    status: 'created',
    fillCount: 0,
    fillNotional: 0,
    fees: 0,
    createdMs: T0,
    updatedMs: T0,
    history: [{ status: 'created', at: T0 }],
    ...overrides,
  };
}

function fill(fillId: string, sessionId: string, overrides: Partial<FillRow> = {}): FillRow {
  return {
    fillId,
    sessionId,
    orderId: 'ord-1',
    clientOrderId: 'coid-1',
    ticker: 'KXTEST-26MAR01-B50',
    bookSide: 'bid',
    yesPrice: 5600,
    count: 1000,
    fee: 70_000,
    isTaker: true,
    createdAt: at(1_000),
    receivedAt: at(1_005),
    ...overrides,
  };
}

describe.each(CONTRACT_DRIVERS)('persistence on $name', (driver) => {
  if (driver.skip) {
    it.skip(`is skipped: ${driver.skip}`, () => undefined);
    return;
  }

  let database: Database;
  let repos: Repositories;
  let dispose: () => Promise<void>;
  let session: SessionRecord;

  beforeAll(async () => {
    const opened = await driver.open();
    database = opened.database;
    dispose = opened.dispose;
    const report = await migrate(database);
    expect(report.applied).toBe(report.total);
    repos = createRepositories(database);
  }, 120_000);

  afterAll(async () => {
    await dispose?.();
  }, 60_000);

  beforeEach(async () => {
    await truncateAll(database);
    session = await repos.sessions.start({
      id: 'session-a',
      environment: 'sim',
      config: { env: 'sim' },
      dryRun: false,
      startedAt: at(0),
    });
  });

  describe('migrations', () => {
    it('are idempotent: a second run applies nothing and keeps the data', async () => {
      const again = await migrate(database);
      expect(again).toEqual({ applied: 0, total: again.total, latest: again.latest });
      expect(again.total).toBeGreaterThanOrEqual(1);
      expect(await repos.sessions.get('session-a')).toBeDefined();
    });

    it('create every table of the schema', async () => {
      const rows = await database.query<{ table_name: string }>(
        `select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
      );
      const expected = ALL_TABLES.map((t) => getTableName(t)).sort();
      expect(rows.map((r) => r.table_name)).toEqual(expected);
    });

    it('the driver reports which one it is', () => {
      expect(database.driver).toBe(driver.name === 'postgres' ? 'pg' : 'pglite');
    });
  });

  describe('sessions', () => {
    it('start records a running session with defaults and maps paper to demo', async () => {
      const s = await repos.sessions.start({
        environment: 'paper',
        config: { env: 'paper', credentials: { keyId: 'k', privateKeyPem: 'PEM' } },
        dryRun: true,
      });
      expect(s.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(s).toMatchObject({ environment: 'demo', status: 'running', dryRun: true, dataGap: false });
      expect(s.shedRows).toBe(0);
      expect(s.pid).toBe(process.pid);
      expect(typeof s.host).toBe('string');
      expect(s.endedAt).toBeNull();
      const stored = await repos.sessions.get(s.id);
      expect(stored?.config).toEqual({
        env: 'paper',
        credentials: { keyId: 'k', privateKeyPem: '[redacted]' },
      });
    });

    it('markGap adds shed rows and flags the gap; end stores the status and summary', async () => {
      await repos.sessions.markGap('session-a', 120);
      await repos.sessions.markGap('session-a', 5);
      await repos.sessions.end('session-a', { status: 'ended', summary: { fills: 3 }, endedAt: at(60_000) });
      const s = await repos.sessions.get('session-a');
      expect(s).toMatchObject({ dataGap: true, shedRows: 125, status: 'ended', summary: { fills: 3 } });
      expect(s?.endedAt?.toISOString()).toBe(at(60_000).toISOString());
      await expect(repos.sessions.markGap('session-a', -1)).rejects.toThrow(RangeError);
    });

    it('get returns undefined for an unknown id', async () => {
      expect(await repos.sessions.get('nope')).toBeUndefined();
    });

    it('list gives newest first with row counts, filtered by status', async () => {
      await repos.sessions.start({
        id: 'session-b',
        environment: 'production',
        config: {},
        dryRun: false,
        startedAt: at(10),
      });
      await repos.decisions.insertMany([
        decisionRow('session-a', { at: T0, ticker: 'T', strategy: 's', action: 'hold', reason: 'r' }),
      ]);
      await repos.orders.upsert('session-a', order('c1'));
      await repos.fills.insertMany([fill('f1', 'session-a'), fill('f2', 'session-a')]);
      await repos.bulk.insertDeltas([delta(0), delta(1), delta(2)]);
      await repos.sessions.end('session-b', { status: 'crashed' });

      const all = await repos.sessions.list();
      expect(all.map((s) => s.id)).toEqual(['session-b', 'session-a']);
      expect(all[1]).toMatchObject({ decisions: 1, orders: 1, fills: 2, deltas: 3, environment: 'sim' });
      expect(all[0]).toMatchObject({ decisions: 0, orders: 0, fills: 0, deltas: 0, status: 'crashed' });
      expect(all[0]).not.toHaveProperty('config');
      expect((await repos.sessions.list({ status: 'running' })).map((s) => s.id)).toEqual(['session-a']);
      expect(await repos.sessions.list({ limit: 1 })).toHaveLength(1);
    });
  });

  describe('transitions and decisions', () => {
    it('transitions.insertMany writes every row in order', async () => {
      const n = await repos.transitions.insertMany([
        { sessionId: 'session-a', at: at(1), fromState: 'STARTUP', toState: 'ORDERBOOK_CONNECT' },
        {
          sessionId: 'session-a',
          at: at(2),
          fromState: 'ORDERBOOK_CONNECT',
          toState: 'TRADING_CLIENT_CONNECT',
        },
      ]);
      expect(n).toBe(2);
      const rows = await database.query<{ from_state: string; to_state: string; at: Date }>(
        'select from_state, to_state, at from machine_transitions order by id',
      );
      expect(rows.map((r) => [r.from_state, r.to_state, r.at.toISOString()])).toEqual([
        ['STARTUP', 'ORDERBOOK_CONNECT', at(1).toISOString()],
        ['ORDERBOOK_CONNECT', 'TRADING_CLIENT_CONNECT', at(2).toISOString()],
      ]);
      expect(await repos.transitions.insertMany([])).toBe(0);
    });

    it('decisions.insertMany keeps features, hashes, model output, the risk verdict and the order link', async () => {
      const traded: Decision = {
        at: T0 + 7,
        ticker: 'KXA',
        strategy: 'policy',
        action: 'trade',
        reason: 'edge_above_threshold',
        features: { spread: 100, momentum: -3 },
        verdict: { ok: true },
        clientOrderId: 'coid-9',
      };
      const refused: Decision = {
        at: T0 + 8,
        ticker: 'KXA',
        strategy: 'policy',
        action: 'hold',
        reason: 'risk_refused',
        verdict: { ok: false, code: 'RISK_MAX_POSITION', detail: 'position 30 > 25' },
      };
      const n = await repos.decisions.insertMany([
        decisionRow('session-a', {
          ...traded,
          model: { hash: 'model-abc', output: [1, 2, 3], featureVersion: 'tv3-obs-1', mask: '101' },
        }),
        decisionRow('session-a', refused),
      ]);
      expect(n).toBe(2);
      const rows = await database.query('select * from decisions order by id');
      expect(rows[0]).toMatchObject({
        session_id: 'session-a',
        ticker: 'KXA',
        action: 'trade',
        features: { spread: 100, momentum: -3 },
        features_hash: hashJson({ momentum: -3, spread: 100 }),
        model_output: { output: [1, 2, 3], featureVersion: 'tv3-obs-1', mask: '101' },
        model_hash: 'model-abc',
        risk_ok: true,
        risk_code: null,
        client_order_id: 'coid-9',
      });
      expect(rows[0]?.at).toEqual(at(7));
      expect(rows[1]).toMatchObject({
        action: 'hold',
        features: null,
        features_hash: null,
        model_output: null,
        risk_ok: false,
        risk_code: 'RISK_MAX_POSITION',
        risk_detail: 'position 30 > 25',
        client_order_id: null,
      });
    });
  });

  describe('orders (write-ahead, status history)', () => {
    it('the write-ahead upsert inserts the order and its first event together', async () => {
      const result = await repos.orders.upsert('session-a', order('c1'));
      expect(result).toEqual({ inserted: true, eventsAppended: 1 });
      const stored = await repos.orders.byClientOrderId('c1');
      expect(stored).toEqual({ ...order('c1'), sessionId: 'session-a' });
      const [row] = await database.query('select request, post_only, reduce_only, outcome from orders');
      expect(row).toEqual({ request: intent(), post_only: false, reduce_only: false, outcome: null });
    });

    it('upsertMany writes a batch of new and known orders as one upsert each would, in one transaction', async () => {
      // c1 is known (resting with an exchange id); c2 and c3 are new; c1 then moves on without
      // its exchange id in the snapshot (it must not be erased) and c3 arrives with two entries.
      const known: TrackedOrder = {
        ...order('c1', { orderId: 'exch-1', status: 'resting' }),
        history: [
          { status: 'created', at: T0 },
          { status: 'resting', at: T0 + 5 },
        ],
      };
      await repos.orders.upsert('session-a', known);
      await repos.fills.insertMany([
        fill('f1', 'session-a', { orderId: 'exch-1', count: 300, yesPrice: 5600, fee: 2_000 }),
      ]);
      const { orderId: _dropped, ...withoutId } = known;
      const moved: TrackedOrder = {
        ...withoutId,
        status: 'canceled',
        updatedMs: T0 + 40,
        reason: 'operator',
      };
      const c3: TrackedOrder = {
        ...order('c3', { orderId: 'exch-3', status: 'resting' }),
        history: [
          { status: 'created', at: T0 },
          { status: 'resting', at: T0 + 7 },
        ],
      };
      expect(await repos.orders.upsertMany('session-a', [moved, order('c2'), c3])).toEqual([
        { inserted: false, eventsAppended: 1 },
        { inserted: true, eventsAppended: 1 },
        { inserted: true, eventsAppended: 2 },
      ]);
      expect(await repos.orders.byClientOrderId('c1')).toMatchObject({
        orderId: 'exch-1',
        status: 'canceled',
        reason: 'operator',
        fillCount: 300,
        history: [
          { status: 'created', at: T0 },
          { status: 'resting', at: T0 + 5 },
          { status: 'canceled', at: T0 + 40, why: 'operator' },
        ],
      });
      expect(await repos.orders.byClientOrderId('c2')).toEqual({ ...order('c2'), sessionId: 'session-a' });
      expect((await repos.orders.byClientOrderId('c3'))?.history).toHaveLength(2);
      // Again: nothing changes.
      expect(await repos.orders.upsertMany('session-a', [moved, order('c2'), c3])).toEqual([
        { inserted: false, eventsAppended: 0 },
        { inserted: false, eventsAppended: 0 },
        { inserted: false, eventsAppended: 0 },
      ]);
      // A client_order_id twice in one batch is refused, and a failing row rolls back the batch.
      await expect(repos.orders.upsertMany('session-a', [order('c4'), order('c4')])).rejects.toThrow(/twice/);
      await expect(
        repos.orders.upsertMany('session-a', [order('c5'), order('c6', { orderId: 'exch-3' })]),
      ).rejects.toThrow();
      expect(await repos.orders.byClientOrderId('c5')).toBeUndefined();
    });

    it('is idempotent on client_order_id: a retried write changes nothing', async () => {
      await repos.orders.upsert('session-a', order('c1'));
      expect(await repos.orders.upsert('session-a', order('c1'))).toEqual({
        inserted: false,
        eventsAppended: 0,
      });
      expect((await repos.orders.byClientOrderId('c1'))?.history).toHaveLength(1);
    });

    it('status changes append to the history; the exchange id updates; fill totals follow the fills', async () => {
      const o0 = order('c1', { intent: intent({ postOnly: true }) });
      await repos.orders.upsert('session-a', o0, { request: { raw: 'body' } });
      const o1: TrackedOrder = {
        ...o0,
        status: 'submitting',
        updatedMs: T0 + 10,
        history: [...o0.history, { status: 'submitting', at: T0 + 10 }],
      };
      expect(await repos.orders.upsert('session-a', o1)).toEqual({ inserted: false, eventsAppended: 1 });
      const o2: TrackedOrder = {
        ...o1,
        orderId: 'exch-1',
        status: 'resting',
        fillCount: 1000,
        fillNotional: 5_600_000,
        fees: 70_000,
        updatedMs: T0 + 20,
        history: [...o1.history, { status: 'resting', at: T0 + 20, why: 'accepted' }],
      };
      await repos.orders.upsert('session-a', o2);
      // A later write without the exchange id and without a history entry still records the change.
      const o3: TrackedOrder = {
        clientOrderId: 'c1',
        intent: o0.intent,
        status: 'executed',
        fillCount: 2500,
        fillNotional: 14_000_000,
        fees: 175_000,
        createdMs: T0,
        updatedMs: T0 + 30,
        reason: 'fully filled',
        history: o2.history,
      };
      expect(await repos.orders.upsert('session-a', o3)).toEqual({ inserted: false, eventsAppended: 1 });
      // The snapshot's fill totals are not stored: they follow from the fills table (none yet).
      expect(await repos.orders.byClientOrderId('c1')).toMatchObject({
        fillCount: 0,
        fillNotional: 0,
        fees: 0,
      });
      await repos.fills.insertMany([
        fill('f1', 'session-a', { orderId: 'exch-1', count: 1000, yesPrice: 5600, fee: 70_000 }),
        fill('f2', 'session-a', { orderId: 'exch-1', count: 1500, yesPrice: 5600, fee: 105_000 }),
      ]);

      const stored = await repos.orders.byClientOrderId('c1');
      expect(stored).toMatchObject({
        sessionId: 'session-a',
        orderId: 'exch-1',
        status: 'executed',
        fillCount: 2500,
        fillNotional: 14_000_000,
        fees: 175_000,
        createdMs: T0,
        updatedMs: T0 + 30,
        reason: 'fully filled',
        intent: { ...intent(), postOnly: true },
      });
      expect(stored?.history).toEqual([
        { status: 'created', at: T0 },
        { status: 'submitting', at: T0 + 10 },
        { status: 'resting', at: T0 + 20, why: 'accepted' },
        { status: 'executed', at: T0 + 30, why: 'fully filled' },
      ]);
      expect(await repos.orders.byOrderId('exch-1')).toEqual(stored);
      const [row] = await database.query('select request from orders');
      expect(row?.request).toEqual({ raw: 'body' });
    });

    it('the first write of an order known only now keeps its whole history', async () => {
      const o = order('c2', {
        orderId: 'exch-2',
        status: 'unknown',
        reason: 'timeout',
        history: [
          { status: 'created', at: T0 },
          { status: 'submitting', at: T0 + 1 },
        ],
      });
      expect(await repos.orders.upsert('session-a', o)).toEqual({ inserted: true, eventsAppended: 3 });
      expect((await repos.orders.byClientOrderId('c2'))?.history.map((h) => h.status)).toEqual([
        'created',
        'submitting',
        'unknown',
      ]);
    });

    it('the write-ahead insert is atomic: a failing history write leaves no order row', async () => {
      const bad = order('c-bad', { history: [{ status: 'created', at: Number.NaN }] });
      await expect(repos.orders.upsert('session-a', bad)).rejects.toThrow();
      expect(await repos.orders.byClientOrderId('c-bad')).toBeUndefined();
      const [row] = await database.query<{ n: number }>('select count(*) as n from order_events');
      expect(row?.n).toBe(0);
    });

    it('an exchange order id belongs to one order only', async () => {
      await repos.orders.upsert('session-a', order('c1', { orderId: 'exch-1' }));
      await expect(repos.orders.upsert('session-a', order('c2', { orderId: 'exch-1' }))).rejects.toThrow();
    });

    it('loadOpen returns exactly the in-flight orders, from every session or one environment, with their history', async () => {
      await repos.sessions.start({
        id: 'session-b',
        environment: 'demo',
        config: {},
        dryRun: false,
        startedAt: at(1),
      });
      const statuses = [
        'created',
        'denied',
        'submitting',
        'unknown',
        'rejected',
        'resting',
        'canceling',
        'canceled',
        'executed',
      ] as const;
      for (const [i, status] of statuses.entries()) {
        await repos.orders.upsert(
          i % 2 === 0 ? 'session-a' : 'session-b',
          order(`c-${status}`, {
            status,
            createdMs: T0 + i,
            updatedMs: T0 + i,
            history: [
              { status: 'created', at: T0 + i },
              ...(status === 'created' ? [] : [{ status, at: T0 + i }]),
            ],
          }),
        );
      }
      const open = await repos.orders.loadOpen();
      expect(open.map((o) => o.clientOrderId)).toEqual([
        'c-created',
        'c-submitting',
        'c-unknown',
        'c-resting',
        'c-canceling',
      ]);
      expect(open.map((o) => o.sessionId)).toEqual([
        'session-a',
        'session-a',
        'session-b',
        'session-b',
        'session-a',
      ]);
      expect(open[3]?.history).toEqual([
        { status: 'created', at: T0 + 5 },
        { status: 'resting', at: T0 + 5 },
      ]);
      expect((await repos.orders.loadOpen({ environment: 'sim' })).map((o) => o.clientOrderId)).toEqual([
        'c-created',
        'c-submitting',
        'c-canceling',
      ]);
      expect((await repos.orders.loadOpen({ environment: 'paper' })).map((o) => o.clientOrderId)).toEqual([
        'c-unknown',
        'c-resting',
      ]);
      expect(await repos.orders.loadOpen({ environment: 'production' })).toEqual([]);
    });

    it('byClientOrderId and byOrderId return undefined for unknown ids', async () => {
      expect(await repos.orders.byClientOrderId('none')).toBeUndefined();
      expect(await repos.orders.byOrderId('none')).toBeUndefined();
      expect(await repos.orders.loadOpen()).toEqual([]);
    });
  });

  describe('fills', () => {
    it('insertMany returns the fills actually inserted; a replay inserts nothing', async () => {
      const batch = [fill('f1', 'session-a'), fill('f2', 'session-a', { count: 250, fee: 17_500 })];
      expect(await repos.fills.insertMany(batch)).toEqual(batch);
      expect(await repos.fills.insertMany(batch)).toEqual([]);
      const mixed = [fill('f2', 'session-a'), fill('f3', 'session-a'), fill('f3', 'session-a', { count: 1 })];
      expect((await repos.fills.insertMany(mixed)).map((f) => f.fillId)).toEqual(['f3']);
      expect(await repos.fills.insertMany([])).toEqual([]);
      const stored = await repos.fills.byOrderId('ord-1');
      expect(stored.map((f) => [f.fillId, f.count])).toEqual([
        ['f1', 1000],
        ['f2', 250],
        ['f3', 1000],
      ]);
    });

    it("an order's fill totals follow from its fills, whichever lands first, across sessions", async () => {
      // A fill lands before its order knows its exchange id (the lanes are independent)...
      await repos.fills.insertMany([fill('f1', 'session-a', { orderId: 'x-9', count: 300, fee: 10_000 })]);
      await repos.orders.upsert('session-a', order('c9', { status: 'submitting' }));
      expect(await repos.orders.byClientOrderId('c9')).toMatchObject({ fillCount: 0 });
      // ...the id arrives: the totals include the fill already there.
      await repos.orders.upsert(
        'session-a',
        order('c9', { orderId: 'x-9', status: 'canceled', fillCount: 0 }),
      );
      expect(await repos.orders.byClientOrderId('c9')).toMatchObject({ fillCount: 300, fees: 10_000 });
      // A later session on the same exchange records a fill of that (closed) order, missed before.
      await repos.sessions.start({
        id: 'session-later',
        environment: 'sim',
        exchange: session.exchange,
        config: {},
        dryRun: false,
      });
      await repos.fills.insertMany([fill('f2', 'session-later', { orderId: 'x-9', count: 200, fee: 5_000 })]);
      expect(await repos.orders.byClientOrderId('c9')).toMatchObject({
        status: 'canceled',
        fillCount: 500,
        fillNotional: 500 * 5600,
        fees: 15_000,
      });
    });

    it('ids are unique per exchange: the same trade and order ids on two exchanges are two records', async () => {
      await repos.sessions.start({ id: 'session-x', environment: 'sim', config: {}, dryRun: false });
      expect(session.exchange).not.toBe((await repos.sessions.get('session-x'))?.exchange);
      await repos.orders.upsert('session-a', order('ca', { orderId: 'same-order', status: 'resting' }));
      await repos.orders.upsert('session-x', order('cx', { orderId: 'same-order', status: 'resting' }));
      const a = fill('same-fill', 'session-a', { orderId: 'same-order', count: 100 });
      const x = fill('same-fill', 'session-x', { orderId: 'same-order', count: 700 });
      expect(await repos.fills.insertMany([a])).toEqual([a]);
      expect(await repos.fills.insertMany([x])).toEqual([x]);
      expect(await repos.fills.insertMany([x])).toEqual([]);
      expect(await repos.orders.byClientOrderId('ca')).toMatchObject({ fillCount: 100 });
      expect(await repos.orders.byClientOrderId('cx')).toMatchObject({ fillCount: 700 });
      const exchangeX = (await repos.sessions.get('session-x'))?.exchange ?? '';
      expect((await repos.orders.byOrderId('same-order', exchangeX))?.clientOrderId).toBe('cx');
      expect(await repos.fills.idsSince(exchangeX, at(0))).toEqual(['same-fill']);
      const entry = { at: at(1), kind: 'fill' as const, ref: 'same-fill', amount: -1 };
      expect(await repos.ledger.insertMany([{ ...entry, sessionId: 'session-a' }])).toHaveLength(1);
      expect(await repos.ledger.insertMany([{ ...entry, sessionId: 'session-x' }])).toHaveLength(1);
      expect(await repos.ledger.insertMany([{ ...entry, sessionId: 'session-x' }])).toHaveLength(0);
    });

    it('lists the settlement refs an exchange already booked since a time (a restart reads them back)', async () => {
      const settled = (ref: string, t: number) => ({
        sessionId: 'session-a',
        at: at(t),
        kind: 'settlement' as const,
        ticker: ref.split('@')[0]!,
        ref,
        amount: 5_000_000,
      });
      await repos.ledger.insertMany([
        settled('KX-OLD@1000', 1),
        settled('KX-NEW@5000', 5),
        { sessionId: 'session-a', at: at(6), kind: 'fill', ref: 'fill-1', amount: -1 },
      ]);
      expect(await repos.ledger.refsSince(session.exchange, 'settlement', at(3))).toEqual(['KX-NEW@5000']);
      expect((await repos.ledger.refsSince(session.exchange, 'settlement', at(0))).sort()).toEqual([
        'KX-NEW@5000',
        'KX-OLD@1000',
      ]);
      expect(await repos.ledger.refsSince('another-exchange', 'settlement', at(0))).toEqual([]);
    });

    it('round-trips exact integers and times, from an ExchangeFill', async () => {
      const row = fillRow(
        'session-a',
        {
          fillId: 'trade-xyz',
          orderId: 'ord-7',
          ticker: 'KXB',
          bookSide: 'ask',
          yesPrice: 9999,
          count: 2_000_000_000,
          fee: 9_007_199_254_740_991,
          isTaker: false,
          createdMs: T0 + 123,
        },
        at(456),
      );
      await repos.fills.insertMany([row]);
      const [stored] = await repos.fills.byOrderId('ord-7');
      expect(stored).toEqual({ ...row, clientOrderId: null });
      expect(stored?.createdAt.toISOString()).toBe('2026-03-01T12:00:00.123Z');
    });
  });

  describe('positions', () => {
    it('upsertMany inserts, then replaces per (session, ticker); the last row of a batch wins', async () => {
      const v = { ticker: 'KXA', position: 2500, costBasis: 14_000_000, realizedPnl: 0, feesPaid: 175_000 };
      expect(await repos.positions.upsertMany([positionRow('session-a', v, at(1))])).toBe(1);
      await repos.positions.upsertMany([
        positionRow('session-a', { ...v, position: 1000 }, at(2)),
        positionRow('session-a', { ...v, position: -500, realizedPnl: -1_234_567 }, at(3)),
        positionRow('session-a', { ...v, ticker: 'KXB', position: 100 }, at(3)),
      ]);
      const rows = await repos.positions.bySession('session-a');
      expect(rows).toEqual([
        {
          sessionId: 'session-a',
          ticker: 'KXA',
          position: -500,
          costBasis: 14_000_000,
          realizedPnl: -1_234_567,
          fees: 175_000,
          updatedAt: at(3),
        },
        {
          sessionId: 'session-a',
          ticker: 'KXB',
          position: 100,
          costBasis: 14_000_000,
          realizedPnl: 0,
          fees: 175_000,
          updatedAt: at(3),
        },
      ]);
    });
  });

  describe('ledger', () => {
    const entry = (
      ref: string,
      amount: number,
      balanceAfter: number | null,
      kind: LedgerRow['kind'] = 'fill',
    ) => ({
      sessionId: 'session-a',
      at: at(amount === 0 ? 0 : 1),
      kind,
      ticker: 'KXA',
      ref,
      amount,
      balanceAfter,
    });

    it('insertMany is idempotent on (kind, ref) and returns only what it inserted', async () => {
      const first = await repos.ledger.insertMany([
        entry('f1', -5_600_000, 994_400_000),
        entry('f1', -70_000, 994_330_000, 'fee'),
      ]);
      expect(first.map((e) => [e.kind, e.ref, e.amount])).toEqual([
        ['fill', 'f1', -5_600_000],
        ['fee', 'f1', -70_000],
      ]);
      expect(first[0]?.id).toBeGreaterThan(0);
      expect(await repos.ledger.insertMany([entry('f1', -5_600_000, 994_400_000)])).toEqual([]);
      const next = await repos.ledger.insertMany([
        entry('f1', 1, 1, 'fee'),
        entry('settle-KXA', 25_000_000, null, 'settlement'),
        entry('settle-KXA', 25_000_000, null, 'settlement'),
      ]);
      expect(next.map((e) => e.ref)).toEqual(['settle-KXA']);
      expect(next[0]).toMatchObject({ ticker: 'KXA', balanceAfter: null });
      expect(await repos.ledger.bySession('session-a')).toHaveLength(3);
    });

    it('balanceAfterLast is the newest recorded balance of the session', async () => {
      expect(await repos.ledger.balanceAfterLast('session-a')).toBeUndefined();
      await repos.ledger.insertMany([
        entry('a', -1, 9_007_199_254_740_991),
        entry('b', 1, 9_007_199_254_740_990),
      ]);
      await repos.ledger.insertMany([entry('r', 5, null, 'reconciliation')]);
      expect(await repos.ledger.balanceAfterLast('session-a')).toBe(9_007_199_254_740_990);
      expect(await repos.ledger.balanceAfterLast('other')).toBeUndefined();
    });
  });

  describe('risk: the breaker that outlives a run', () => {
    const REST = 'http://127.0.0.1:9/trade-api/v2';
    const breaker = (sessionId: string, ms: number, kind: string) => ({
      sessionId,
      at: at(ms),
      kind,
      reason: kind === 'breaker_tripped' ? 'daily_loss' : 'operator',
      detail: `${kind} at ${ms}`,
    });

    it('finds the newest trip or reset on the same exchange only', async () => {
      const EXCHANGE = `demo:${REST}`;
      await repos.sessions.start({
        id: 'same',
        environment: 'paper',
        exchange: EXCHANGE,
        config: { restUrl: REST },
        dryRun: false,
      });
      await repos.sessions.start({
        id: 'other-url',
        environment: 'paper',
        exchange: 'demo:http://x',
        config: { restUrl: 'http://x' },
        dryRun: false,
      });
      await repos.sessions.start({
        id: 'other-env',
        environment: 'production',
        exchange: `production:${REST}`,
        config: { restUrl: REST },
        dryRun: false,
      });
      expect(await repos.risk.lastBreakerEvent(EXCHANGE)).toBeUndefined();
      await repos.bulk.insertRiskEvents([
        breaker('same', 10, 'breaker_tripped'),
        breaker('same', 20, 'position_drift'),
        breaker('other-url', 30, 'breaker_reset'),
        breaker('other-env', 40, 'breaker_reset'),
      ]);
      expect(await repos.risk.lastBreakerEvent(EXCHANGE)).toMatchObject({
        kind: 'breaker_tripped',
        reason: 'daily_loss',
        detail: 'breaker_tripped at 10',
        sessionId: 'same',
      });
      await repos.bulk.insertRiskEvents([breaker('same', 50, 'breaker_reset')]);
      const last = await repos.risk.lastBreakerEvent(EXCHANGE);
      expect(last?.kind).toBe('breaker_reset');
      expect(last?.at.toISOString()).toBe(at(50).toISOString());
    });
  });

  describe('bulk inserts (one statement per batch)', () => {
    it('deltas round-trip exact integers, nulls and millisecond timestamps, in order', async () => {
      const rows: DeltaRow[] = Array.from({ length: 5_000 }, (_, i) => delta(i));
      expect(await repos.bulk.insertDeltas(rows)).toBe(5_000);
      const stored = await database.query<Record<string, unknown>>(
        'select session_id, ticker, sid, seq, side, price, delta, client_order_id, exchange_ts, received_at from orderbook_deltas order by id',
      );
      expect(stored).toHaveLength(5_000);
      expect(
        stored.map((r) => ({
          sessionId: r.session_id,
          ticker: r.ticker,
          sid: r.sid,
          seq: r.seq,
          side: r.side,
          price: r.price,
          delta: r.delta,
          clientOrderId: r.client_order_id,
          exchangeTs: r.exchange_ts,
          receivedAt: r.received_at,
        })),
      ).toEqual(
        rows.map((r) => ({ ...r, clientOrderId: r.clientOrderId ?? null, exchangeTs: r.exchangeTs ?? null })),
      );
      expect(await repos.bulk.insertDeltas([])).toBe(0);
    });

    it('a non-integer value fails the batch instead of storing a float', async () => {
      await expect(repos.bulk.insertDeltas([{ ...delta(0), price: 56.5 }])).rejects.toThrow();
      await expect(repos.bulk.insertDeltas([{ ...delta(0), side: 'up' as 'yes' }])).rejects.toThrow();
      const [row] = await database.query<{ n: number }>('select count(*) as n from orderbook_deltas');
      expect(row?.n).toBe(0);
    });

    it('snapshots keep their levels as jsonb', async () => {
      const rows: SnapshotRow[] = [
        {
          sessionId: 'session-a',
          ticker: 'KXA',
          sid: 3,
          seq: 1,
          yes: [
            [5500, 1000],
            [5400, 250],
          ],
          no: [[4300, 99_900]],
          exchangeTs: at(1),
          receivedAt: at(2),
        },
        { sessionId: 'session-a', ticker: 'KXB', sid: 3, seq: 1, yes: [], no: [], receivedAt: at(3) },
      ];
      expect(await repos.bulk.insertSnapshots(rows)).toBe(2);
      const stored = await database.query(
        'select ticker, yes, no, exchange_ts, received_at from orderbook_snapshots order by id',
      );
      expect(stored).toEqual([
        {
          ticker: 'KXA',
          yes: [
            [5500, 1000],
            [5400, 250],
          ],
          no: [[4300, 99_900]],
          exchange_ts: at(1),
          received_at: at(2),
        },
        { ticker: 'KXB', yes: [], no: [], exchange_ts: null, received_at: at(3) },
      ]);
    });

    it('market prices keep missing quotes as null', async () => {
      await repos.bulk.insertMarketPrices([
        {
          sessionId: 'session-a',
          ticker: 'KXA',
          at: at(1),
          yesBid: 5500,
          yesAsk: 5700,
          yesBidSize: 100,
          yesAskSize: 200,
          lastPrice: 5600,
        },
        { sessionId: 'session-a', ticker: 'KXB', at: at(2), yesBidSize: 0, yesAskSize: 0 },
      ]);
      const stored = await database.query(
        'select ticker, at, yes_bid, yes_ask, yes_bid_size, yes_ask_size, last_price from market_prices order by id',
      );
      expect(stored).toEqual([
        {
          ticker: 'KXA',
          at: at(1),
          yes_bid: 5500,
          yes_ask: 5700,
          yes_bid_size: 100,
          yes_ask_size: 200,
          last_price: 5600,
        },
        {
          ticker: 'KXB',
          at: at(2),
          yes_bid: null,
          yes_ask: null,
          yes_bid_size: 0,
          yes_ask_size: 0,
          last_price: null,
        },
      ]);
    });

    it('status snapshots, risk events and lifecycle events round-trip', async () => {
      expect(
        await repos.bulk.insertStatusSnapshots([
          {
            sessionId: 'session-a',
            at: at(1),
            state: 'READY',
            text: 'ready: 2 markets',
            data: { markets: 2, quote: 'it\'s "q"' },
          },
        ]),
      ).toBe(1);
      expect(
        await repos.bulk.insertRiskEvents([
          {
            sessionId: 'session-a',
            at: at(2),
            kind: 'breaker_open',
            reason: 'RISK_BREAKER_OPEN',
            detail: '3 errors',
          },
          {
            sessionId: 'session-a',
            at: at(3),
            kind: 'halt',
            reason: 'operator',
            detail: 'lunch',
            data: { by: 'cli' },
          },
        ]),
      ).toBe(2);
      expect(
        await repos.bulk.insertLifecycleEvents([
          { sessionId: 'session-a', at: at(4), ticker: 'KXA', eventType: 'settled', data: { result: 'yes' } },
        ]),
      ).toBe(1);
      expect(await database.query('select at, state, text, data from status_snapshots')).toEqual([
        { at: at(1), state: 'READY', text: 'ready: 2 markets', data: { markets: 2, quote: 'it\'s "q"' } },
      ]);
      expect(
        await database.query('select at, kind, reason, detail, data from risk_events order by id'),
      ).toEqual([
        { at: at(2), kind: 'breaker_open', reason: 'RISK_BREAKER_OPEN', detail: '3 errors', data: null },
        { at: at(3), kind: 'halt', reason: 'operator', detail: 'lunch', data: { by: 'cli' } },
      ]);
      expect(
        await database.query('select at, ticker, event_type, data from market_lifecycle_events'),
      ).toEqual([{ at: at(4), ticker: 'KXA', event_type: 'settled', data: { result: 'yes' } }]);
      expect(await repos.bulk.insertStatusSnapshots([])).toBe(0);
      expect(await repos.bulk.insertRiskEvents([])).toBe(0);
      expect(await repos.bulk.insertLifecycleEvents([])).toBe(0);
      expect(await repos.bulk.insertSnapshots([])).toBe(0);
      expect(await repos.bulk.insertMarketPrices([])).toBe(0);
    });
  });

  describe('reports', () => {
    it('pnlBySession sums fills, positions and the ledger per session', async () => {
      await repos.sessions.start({
        id: 'session-b',
        environment: 'sim',
        config: {},
        dryRun: false,
        startedAt: at(5),
      });
      await repos.fills.insertMany([
        fill('f1', 'session-a'),
        fill('f2', 'session-a', { count: 250, fee: 20_000 }),
      ]);
      await repos.positions.upsertMany([
        {
          sessionId: 'session-a',
          ticker: 'KXA',
          position: 1250,
          costBasis: 7_000_000,
          realizedPnl: -100,
          fees: 90_000,
          updatedAt: at(1),
        },
        {
          sessionId: 'session-a',
          ticker: 'KXB',
          position: 0,
          costBasis: 0,
          realizedPnl: 3_000_000,
          fees: 0,
          updatedAt: at(1),
        },
      ]);
      await repos.ledger.insertMany([
        {
          sessionId: 'session-a',
          at: at(1),
          kind: 'fill',
          ref: 'f1',
          amount: -5_600_000,
          balanceAfter: 994_400_000,
        },
        {
          sessionId: 'session-a',
          at: at(2),
          kind: 'fee',
          ref: 'f1',
          amount: -70_000,
          balanceAfter: 994_330_000,
        },
      ]);
      const report = await repos.reports.pnlBySession();
      expect(report.map((r) => r.sessionId)).toEqual(['session-b', 'session-a']);
      expect(report[1]).toEqual({
        sessionId: 'session-a',
        environment: 'sim',
        status: 'running',
        startedAt: at(0),
        endedAt: null,
        fills: 2,
        contracts: 1250,
        fillFees: 90_000,
        realizedPnl: 2_999_900,
        positionFees: 90_000,
        openCostBasis: 7_000_000,
        ledgerNet: -5_670_000,
        balanceAfter: 994_330_000,
      });
      expect(report[0]).toMatchObject({
        fills: 0,
        contracts: 0,
        realizedPnl: 0,
        ledgerNet: 0,
        balanceAfter: null,
      });
      expect((await repos.reports.pnlBySession({ sessionId: 'session-b' })).map((r) => r.sessionId)).toEqual([
        'session-b',
      ]);
    });

    it('decisionCountsByReason counts per strategy, action and reason', async () => {
      await repos.sessions.start({ id: 'session-b', environment: 'sim', config: {}, dryRun: false });
      const d = (sessionId: string, action: 'trade' | 'hold', reason: string) =>
        decisionRow(sessionId, { at: T0, ticker: 'KXA', strategy: 'hardcoded', action, reason });
      await repos.decisions.insertMany([
        d('session-a', 'hold', 'spread_too_wide'),
        d('session-a', 'hold', 'spread_too_wide'),
        d('session-a', 'trade', 'buy_yes'),
        d('session-b', 'hold', 'spread_too_wide'),
      ]);
      expect(await repos.reports.decisionCountsByReason({ sessionId: 'session-a' })).toEqual([
        { strategy: 'hardcoded', action: 'hold', reason: 'spread_too_wide', count: 2 },
        { strategy: 'hardcoded', action: 'trade', reason: 'buy_yes', count: 1 },
      ]);
      expect((await repos.reports.decisionCountsByReason())[0]?.count).toBe(3);
    });

    it('recentFills lists the newest fills first', async () => {
      await repos.fills.insertMany([
        fill('f1', 'session-a', { createdAt: at(1) }),
        fill('f2', 'session-a', { createdAt: at(3) }),
        fill('f3', 'session-a', { createdAt: at(2), clientOrderId: null }),
      ]);
      const recent = await repos.reports.recentFills({ limit: 2 });
      expect(recent.map((f) => f.fillId)).toEqual(['f2', 'f3']);
      expect(recent[1]).toEqual(fill('f3', 'session-a', { createdAt: at(2), clientOrderId: null }));
      expect(await repos.reports.recentFills({ sessionId: 'other' })).toEqual([]);
    });
  });

  describe('raw queries', () => {
    it('return int8 as numbers and fail loudly beyond 2^53', async () => {
      const [row] = await database.query<{ n: number }>('select 9007199254740991::int8 as n');
      expect(row?.n).toBe(9_007_199_254_740_991);
      await expect(database.query('select 9007199254740993::int8 as n')).rejects.toThrow();
    });
  });

  function delta(i: number): DeltaRow {
    return {
      sessionId: session.id,
      ticker: `KX-${i % 7}`,
      sid: 1 + (i % 3),
      seq: i + 1,
      side: i % 2 === 0 ? 'yes' : 'no',
      price: 1 + (i % 9_999),
      delta: (i % 5 === 0 ? -1 : 1) * (100 + i),
      ...(i % 4 === 0 ? { clientOrderId: `coid-${i}` } : {}),
      ...(i % 3 === 0 ? {} : { exchangeTs: new Date(T0 + i) }),
      receivedAt: new Date(T0 + i + 1),
    };
  }
});
