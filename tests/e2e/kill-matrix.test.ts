/**
 * The kill -9 matrix (issue 8, part 7): the trader, a real child process against a simulator in
 * this process, is SIGKILLed at five points and restarted on the same data folder and exchange
 * each time:
 *   1. between the write-ahead commit and the create request (TRADERV3_TEST_PAUSE_AT=order.send)
 *   2. during calibration (slowed by 503s on the positions endpoint)
 *   3. during cancel-all (the cancels on the wire, the exchange answering slowly)
 *   4. in ERROR backoff (every WebSocket upgrade refused)
 *   5. while HALTED (the error breaker tripped; an operator halt does not survive a restart yet:
 *      see planning/chaos.md)
 * After each restart: no client_order_id twice on the exchange, every exchange order written
 * ahead; the order paused before its send never reaches the exchange. At the end (the trader
 * still halted from step 5, then stopped): positions = exchange, every exchange fill recorded,
 * ledger = exchange balance, no order created while halted or dead, and the halt in force after
 * the restart. Everything is checked against the simulator's core, not the trader's logs.
 *
 * With TEST_DATABASE_URL the record is in a scratch Postgres database (restarts are faster);
 * otherwise PGlite in the data folder.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchDatabase } from '../../src/chaos/scratch-db.js';
import { control, simStartArgs, TraderChild, topState } from '../../src/chaos/trader.js';
import { checkInvariants, exchangeTruth, type ForbiddenWindow, readRecord } from '../../src/chaos/truth.js';
import { type Simulator, startSimulator } from '../../src/exchange-sim/index.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const START_MS = 120_000;

describe('kill -9 matrix', () => {
  let sim: Simulator;
  let root: string;
  let dataDir: string;
  let databaseUrl: string | undefined;
  let dropDatabase: (() => Promise<void>) | undefined;
  const running: TraderChild[] = [];

  beforeAll(async () => {
    sim = await startSimulator({ seed: 41, markets: 6, ratePerSec: 25 });
    root = mkdtempSync(join(tmpdir(), 'tv3-killmatrix-'));
    dataDir = join(root, 'data');
    const admin = process.env.TEST_DATABASE_URL?.trim();
    if (admin) {
      const scratch = await scratchDatabase(admin, 'killmatrix');
      databaseUrl = scratch.url;
      dropDatabase = scratch.drop;
    }
  });

  afterAll(async () => {
    for (const t of running) {
      t.kill('SIGKILL');
      await t.exited;
    }
    await sim.close();
    await dropDatabase?.();
    rmSync(root, { recursive: true, force: true });
  });

  it('kills at five points; after each restart the exchange and the record agree', async () => {
    const creds = sim.createAccount({ balance: 1_000_000_000 });
    const accountId = sim.accountOf(creds.key_id)!;
    const flags = [
      ...simStartArgs(creds, root),
      '--markets',
      '3',
      '--data-dir',
      dataDir,
      '--reconcile-interval',
      '3',
    ];
    const forbidden: ForbiddenWindow[] = [];
    const spawn = (env: Record<string, string> = {}) => {
      const t = TraderChild.spawn(flags, { ...env, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) });
      running.push(t);
      return t;
    };
    const ready = async (t: TraderChild) => {
      const line = await t.waitForState('READY', START_MS);
      return Date.parse(String(line.time));
    };
    const kill = async (t: TraderChild) => {
      t.kill('SIGKILL');
      expect(await t.exited).toBeNull();
      return Date.now() + 300; // requests already on the wire may still land
    };
    /** What must hold after every restart (the market may be trading again, so no position check). */
    const agreeSoFar = async (step: string) => {
      const exchange = exchangeTruth(sim, accountId);
      const ids = exchange.orders.map((o) => o.clientOrderId);
      expect(new Set(ids).size, `${step}: a client_order_id twice on the exchange`).toBe(ids.length);
    };

    // 1. Between the write-ahead commit and the send.
    let t = spawn({ TRADERV3_TEST_PAUSE_AT: 'order.send' });
    let readyMs = await ready(t);
    forbidden.push({ fromMs: 0, toMs: readyMs, why: 'first start, before READY' });
    const paused = await t.waitFor((l) => l.event === 'test_pause', 60_000);
    const pausedId = String(paused.subject);
    expect(pausedId).toMatch(/^tv3-/);
    let diedMs = await kill(t);
    expect(exchangeTruth(sim, accountId).orders.some((o) => o.clientOrderId === pausedId)).toBe(false);

    // 2. During calibration (503s keep it retrying there).
    sim.applyFault({ action: 'http_error', endpoint: 'GET /portfolio/positions', status: 503, count: 3 });
    t = spawn();
    await t.waitForState('CALIBRATING', START_MS);
    await sleep(150);
    const diedAgainMs = await kill(t);
    forbidden.push({ fromMs: diedMs, toMs: diedAgainMs, why: 'killed in calibration' });
    diedMs = diedAgainMs;
    sim.faults.clear();
    await agreeSoFar('after the calibration kill');

    // 3. During cancel-all: resting orders, slow answers, the cancels on the wire.
    t = spawn();
    readyMs = await ready(t);
    forbidden.push({ fromMs: diedMs, toMs: readyMs, why: 'dead, then starting' });
    const deadline = Date.now() + 60_000;
    while (sim.core.orders(accountId, { status: 'resting' }).length === 0 && Date.now() < deadline)
      await sleep(100);
    expect(sim.core.orders(accountId, { status: 'resting' }).length).toBeGreaterThan(0);
    sim.applyFault({ action: 'latency', ms: 1500 });
    const cancelling = control(dataDir, 'cancel-all', undefined, 10_000);
    await sleep(400);
    // A create sent just before the kill is answered 1.5 s later under this latency: it lands then.
    diedMs = (await kill(t)) + 1_500;
    await cancelling;
    sim.applyFault({ action: 'latency', ms: 0 });
    await agreeSoFar('after the cancel-all kill');

    // 4. In ERROR backoff: every upgrade refused after the sockets drop.
    t = spawn();
    readyMs = await ready(t);
    forbidden.push({ fromMs: diedMs, toMs: readyMs, why: 'dead, then starting' });
    const from = t.lines.length;
    sim.applyFault({ action: 'reject_ws_upgrades', count: 100_000, status: 503 });
    sim.applyFault({ action: 'drop_ws_connections' });
    await t.waitForState('ERROR', 60_000, from);
    await sleep(300);
    diedMs = await kill(t);
    sim.faults.clear();
    await agreeSoFar('after the ERROR kill');

    // 5. While HALTED: the error breaker trips on refused creates (a halt that must outlive the
    //    process); then kill -9.
    t = spawn();
    readyMs = await ready(t);
    forbidden.push({ fromMs: diedMs, toMs: readyMs, why: 'dead, then starting' });
    const beforeTrip = t.lines.length;
    sim.applyFault({
      action: 'http_error',
      endpoint: 'POST /portfolio/events/orders',
      status: 500,
      count: 1000,
    });
    const tripped = await t.waitFor((l) => l.event === 'breaker_tripped', 90_000, beforeTrip);
    const haltedMs = Date.parse(String(tripped.time)) + 300;
    sim.faults.clear();
    await sleep(500);
    await kill(t);

    // The restart: the halt is still in force, and nothing is sent while it lasts.
    t = spawn();
    await t.waitForState('HALTED', START_MS); // calibrated, then straight to HALTED
    const status = await control(dataDir, 'status');
    expect(topState(status)).toBe('HALTED');
    expect(status?.halt, JSON.stringify(status)).not.toBeNull();
    expect(status?.trading_state).toBe('HALTED');
    await sleep(7_000); // two reconcile intervals and more: time to (wrongly) trade
    expect((await control(dataDir, 'status'))?.trading_state).toBe('HALTED');
    t.kill('SIGTERM');
    expect(await t.exited, t.tail()).toBe(0);
    forbidden.push({ fromMs: haltedMs, toMs: Date.now(), why: 'halted (across a kill -9)' });

    const summary = t.summary();
    const exchange = exchangeTruth(sim, accountId);
    const record = await readRecord(databaseUrl ? { url: databaseUrl } : { dataDir });
    const results = checkInvariants({
      exchange,
      record,
      localPositions: (summary?.positions ?? {}) as Record<string, number>,
      forbidden,
    });
    expect(results.filter((r) => !r.held)).toEqual([]);
    expect(exchange.orders.some((o) => o.clientOrderId === pausedId)).toBe(false);
    expect(record.clientOrderIds).toContain(pausedId);
    expect(record.sessions.filter((s) => s === 'crashed')).toHaveLength(5);
  }, 600_000);
});
