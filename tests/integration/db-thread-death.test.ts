/**
 * The embedded database's thread dies inside a running trader (as it would if Postgres aborted):
 * the record can no longer be written, which is an alarm — the trader halts trading (breaker
 * `record_write_failed`), sends nothing more to the exchange, and at shutdown reports an
 * incomplete record with the unwritten rows saved to a file. Real trader, real simulator over
 * loopback, the real PGlite thread (with a cue that kills it); the exchange's own order list and
 * fills are the judge.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { MICROS_PER_DOLLAR, type OrderIntent } from '../../src/domain/index.js';
import { type Simulator, startSimulator } from '../../src/exchange-sim/index.js';
import { openDatabase } from '../../src/persistence/index.js';
import { startTrader } from '../../src/runtime/index.js';
import { simOrder } from '../sim-order.js';
import { until } from '../until.js';

const DIE_ON_CUE = "select 'tv3-test: the database thread dies'";
const DYING_WORKER = new URL('../fixtures/pglite-worker-dies-on-cue.js', import.meta.url);

let sim: Simulator;
let dir: string;

beforeAll(async () => {
  sim = await startSimulator({ seed: 5, markets: 3, ratePerSec: 0, rateLimit: false });
  dir = mkdtempSync(join(tmpdir(), 'tv3-dbthread-'));
});
afterAll(async () => {
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('a dead database thread halts trading, sends nothing more and keeps the rows', async () => {
  const creds = sim.createAccount({ balance: 100 * MICROS_PER_DOLLAR });
  const account = sim.accountOf(creds.key_id)!;
  const keyFile = join(dir, 'key.pem');
  writeFileSync(keyFile, creds.private_key_pem, { mode: 0o600 });
  const ticker = sim.core.markets()[0]!.ticker;
  const dataDir = join(dir, 'data');
  const config = loadConfig(
    {
      env: 'sim',
      apiUrl: creds.rest_url,
      wsUrl: creds.ws_url,
      keyId: creds.key_id,
      privateKey: keyFile,
      dataDir,
      tickers: ticker,
      strategy: 'none',
      rateLimitTier: 'prime',
    },
    {},
  );
  const database = openDatabase({ dataDir, thread: true, threadWorkerFile: DYING_WORKER });
  const trader = await startTrader(config, { logger: pino({ level: 'silent' }), database });
  const state = () => String(trader.actor!.getSnapshot().value);
  await until('READY', () => (state() === 'READY' ? true : undefined));

  // An order rests at the exchange while the record works: a bid inside the spread, so it does
  // not cross the simulator's asks.
  const book = sim.core.book(ticker);
  const bestBid = Math.max(...book.yes.map(([p]) => p));
  const bestAsk = 10_000 - Math.max(...book.no.map(([p]) => p));
  const price = bestBid + 100;
  expect(price).toBeLessThan(bestAsk);
  const bid: OrderIntent = {
    ticker,
    bookSide: 'bid',
    yesPrice: price,
    count: 300,
    timeInForce: 'good_till_canceled',
    strategy: 'test',
    reason: 'rest a bid',
  };
  trader.actor!.send({ type: 'INTENT', intent: bid });
  await until('the bid resting at the exchange', () =>
    sim.core.orders(account).some((o) => o.status === 'resting') ? true : undefined,
  );
  await until('READY again', () => (state() === 'READY' ? true : undefined));

  // The thread dies; then the resting bid fills (the seller takes it).
  await expect((await database).query(DIE_ON_CUE)).rejects.toThrow();
  sim.core.openAccount('seller', 100 * MICROS_PER_DOLLAR);
  expect(sim.core.place(simOrder({ accountId: 'seller', ticker, bookSide: 'ask', yesPrice: price })).ok).toBe(
    true,
  );
  await until('the fill', () => (trader.services!.orders.stats().fills > 0 ? true : undefined));
  // The fill cannot be recorded: trading halts on a breaker only an operator resets.
  await until('HALTED', () => (state() === 'HALTED' ? true : undefined));
  expect(trader.services!.risk.breaker()).toMatchObject({ open: true, reason: 'record_write_failed' });
  const intent: OrderIntent = { ...bid, timeInForce: 'immediate_or_cancel', reason: 'after the halt' };

  // Halted means halted: another intent reaches nothing at the exchange.
  const before = sim.core.orders(account).length;
  trader.actor!.send({ type: 'INTENT', intent });
  await new Promise((r) => setTimeout(r, 1_000));
  expect(sim.core.orders(account).length).toBe(before);

  // Nothing is dropped: the rows that could not be written are in a file, the exchange's fills
  // among them.
  const summary = await trader.shutdown({ cancelOrders: true });
  expect(summary.record_complete).toBe(false);
  const file = summary.unwritten_rows_file;
  expect(file).toBeDefined();
  const saved = readFileSync(file!, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { kind: string; row: { fillId?: string } });
  const exchangeFills = sim.core.fills(account).map((f) => f.fillId);
  expect(exchangeFills.length).toBeGreaterThan(0);
  const savedFills = saved.filter((r) => r.kind === 'fills').map((r) => r.row.fillId);
  expect(savedFills.sort()).toEqual(exchangeFills.sort());
}, 120_000);
