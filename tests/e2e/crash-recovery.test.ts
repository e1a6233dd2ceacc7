/**
 * Crash recovery: the trader runs as a child process against a simulator in this process, is
 * SIGKILLed while trading, and is started again on the same data folder and exchange. Afterwards
 * the exchange and the record agree: no order was sent twice, every order the exchange has was
 * written ahead, the database's fills are the exchange's fills, positions match, and the ledger's
 * last balance is the exchange's balance.
 *
 * Then the same session record lands in real Postgres when DATABASE_URL is given
 * (TEST_DATABASE_URL in CI).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SimCredentials, type Simulator, startSimulator } from '../../src/exchange-sim/index.js';
import { collect, KalshiRestClient } from '../../src/kalshi/rest.js';
import { createSigner } from '../../src/kalshi/signer.js';
import { parseDollars, parseSignedCount } from '../../src/kalshi/units.js';
import { migrate, openDatabase } from '../../src/persistence/index.js';
import { type LogLine, simStartArgs, spawnTrader, type TraderProcess } from './harness.js';

const dirs: string[] = [];
const running: TraderProcess[] = [];

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'tv3-crash-'));
  dirs.push(d);
  return d;
}

function exchangeClient(creds: SimCredentials): KalshiRestClient {
  return new KalshiRestClient({
    baseUrl: creds.rest_url,
    signer: createSigner({ keyId: creds.key_id, privateKeyPem: creds.private_key_pem }),
  });
}

async function exchangeState(creds: SimCredentials) {
  const rest = exchangeClient(creds);
  const orders = await collect(rest.allOrders());
  const fills = await collect(rest.allFills());
  const positions: Record<string, number> = {};
  for (const p of await collect(rest.allPositions())) {
    const c = parseSignedCount(p.position_fp);
    if (c !== 0) positions[p.ticker] = c / 100;
  }
  const balance = parseDollars((await rest.getBalance()).balance_dollars);
  return { orders, fills, positions, balance };
}

function nonZero(positions: unknown): Record<string, number> {
  return Object.fromEntries(Object.entries(positions as Record<string, number>).filter(([, v]) => v !== 0));
}

/** A local webhook receiver: every JSON body posted to it. */
async function webhookReceiver(): Promise<{
  url: string;
  bodies: Record<string, unknown>[];
  server: Server;
}> {
  const bodies: Record<string, unknown>[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (d: Buffer) => {
      text += d.toString();
    });
    req.on('end', () => {
      bodies.push(JSON.parse(text) as Record<string, unknown>);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, bodies, server };
}

describe('crash recovery', () => {
  let sim: Simulator;

  beforeAll(async () => {
    sim = await startSimulator({ seed: 123, markets: 6, ratePerSec: 25 });
  });

  afterAll(async () => {
    for (const t of running.splice(0)) t.kill();
    await sim.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('after kill -9 mid-trading, a restart never resends and the record matches the exchange', async () => {
    const creds = sim.createAccount({ balance: 1_000_000_000 });
    const dataDir = tempDir();
    const flags = [...simStartArgs(creds, tempDir()), '--markets', '3', '--data-dir', dataDir];

    const first = spawnTrader(flags);
    running.push(first);
    await first.waitForState('READY', 60_000);
    // Let it trade: wait for several orders to have been sent.
    const sent = (l: LogLine) => l.event === 'order' && (l.status === 'resting' || l.status === 'executed');
    for (let n = 0; n < 6; n++)
      await first.waitFor((l) => sent(l) && first.lines.filter(sent).length > n, 30_000);
    first.kill('SIGKILL');
    expect(await first.exited).toBeNull(); // killed by the signal, no exit code

    // The restart tells the operator's webhook that it recovered from a crash.
    const hook = await webhookReceiver();
    const second = spawnTrader([...flags, '--notify-url', hook.url]);
    running.push(second);
    const record = await second.waitFor((l) => l.event === 'record', 60_000);
    expect(record.crashed_sessions).toBe(1);
    // The killed run left orders that may still be live: they are taken back, not forgotten.
    expect(record.orders_to_restore as number).toBeGreaterThan(0);
    const ready = await second.waitForState('READY', 60_000);
    await second.waitForOrderSent(30_000, second.lines.indexOf(ready));
    const deadline = Date.now() + 15_000;
    while (!hook.bodies.some((b) => b.kind === 'crash_recovery') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    hook.server.close();
    expect(hook.bodies.find((b) => b.kind === 'crash_recovery')).toMatchObject({
      kind: 'crash_recovery',
      data: { crashed_sessions: 1 },
    });
    second.kill('SIGTERM');
    expect(await second.exited, second.tail()).toBe(0);
    const summary = second.lines[second.lines.length - 1]!;
    expect(summary.event).toBe('summary');

    const exchange = await exchangeState(creds);
    const database = await openDatabase({ dataDir });
    try {
      await migrate(database);
      const dbOrders = await database.query<{
        client_order_id: string;
        order_id: string | null;
        status: string;
      }>('select client_order_id, order_id, status from orders');
      const dbFills = await database.query<{ fill_id: string }>('select fill_id from fills');
      const sessions = await database.query<{ status: string }>(
        'select status from trading_sessions order by started_at',
      );
      const ledger = await database.query<{ balance_after: number | null }>(
        'select balance_after from ledger order by id desc limit 1',
      );

      // No order was ever sent twice, and every order the exchange has was written ahead.
      const exchangeIds = exchange.orders.map((o) => o.client_order_id);
      expect(new Set(exchangeIds).size).toBe(exchangeIds.length);
      const recorded = new Set(dbOrders.map((o) => o.client_order_id));
      expect(exchangeIds.filter((id) => !recorded.has(id))).toEqual([]);
      // Every recorded order that reached the exchange is there under the same ids.
      const byClient = new Map(exchange.orders.map((o) => [o.client_order_id, o]));
      for (const o of dbOrders.filter((x) => x.order_id !== null)) {
        expect(byClient.get(o.client_order_id)?.order_id, o.client_order_id).toBe(o.order_id);
      }
      // Nothing is left in flight in the record, and statuses agree with the exchange.
      for (const o of dbOrders) {
        expect(['created', 'submitting', 'unknown'], `${o.client_order_id} is ${o.status}`).not.toContain(
          o.status,
        );
        const ex = byClient.get(o.client_order_id);
        if (ex && ex.status !== 'resting') expect(o.status, o.client_order_id).toBe(ex.status);
      }

      // The database's fills are exactly the exchange's (including the ones during the crash).
      expect(new Set(dbFills.map((f) => f.fill_id))).toEqual(new Set(exchange.fills.map((f) => f.trade_id)));

      expect(sessions.map((s) => s.status)).toEqual(['crashed', 'ended']);
      expect(nonZero(summary.positions)).toEqual(exchange.positions);
      expect(Number(ledger[0]?.balance_after)).toBe(exchange.balance);
    } finally {
      await database.close();
    }
  }, 240_000);

  const pgUrl = process.env.TEST_DATABASE_URL;
  it.skipIf(!pgUrl)(
    'records a session in Postgres with DATABASE_URL',
    async () => {
      const dbName = `tv3_e2e_${process.pid}`;
      const admin = new pg.Client({ connectionString: pgUrl });
      await admin.connect();
      await admin.query(`drop database if exists ${dbName}`);
      await admin.query(`create database ${dbName}`);
      const url = new URL(pgUrl!);
      url.pathname = `/${dbName}`;
      try {
        const creds = sim.createAccount({ balance: 1_000_000_000 });
        const t = spawnTrader(
          [...simStartArgs(creds, tempDir()), '--markets', '2', '--duration', '6', '--data-dir', tempDir()],
          { DATABASE_URL: url.toString() },
        );
        running.push(t);
        expect(await t.exited, t.tail()).toBe(0);
        const summary = t.lines[t.lines.length - 1]!;
        const client = new pg.Client({ connectionString: url.toString() });
        await client.connect();
        try {
          const count = async (table: string) =>
            Number((await client.query(`select count(*) as n from ${table}`)).rows[0].n);
          expect(await count('trading_sessions')).toBe(1);
          expect(await count('machine_transitions')).toBeGreaterThan(4);
          expect(await count('decisions')).toBeGreaterThan(0);
          // orders_placed counts orders the exchange accepted; an order the exchange rejected
          // (a post_only that would cross) or that was provably never sent is still written ahead.
          expect(await count('orders where order_id is not null')).toBe(summary.orders_placed as number);
          const unplaced = await client.query('select status from orders where order_id is null');
          for (const row of unplaced.rows) expect(['rejected', 'denied']).toContain(row.status);
          expect(await count('fills')).toBe(summary.fills as number);
          expect(await count('orderbook_snapshots')).toBeGreaterThan(0);
          expect(await count('ledger')).toBeGreaterThan(0);
          const exchange = await exchangeState(creds);
          const last = await client.query('select balance_after from ledger order by id desc limit 1');
          expect(Number(last.rows[0].balance_after)).toBe(exchange.balance);
        } finally {
          await client.end();
        }
      } finally {
        await admin.query(`drop database if exists ${dbName} with (force)`);
        await admin.end();
      }
    },
    120_000,
  );
});
