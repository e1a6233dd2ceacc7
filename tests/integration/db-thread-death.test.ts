/**
 * The embedded database's thread dies inside a running trader (as it would if Postgres aborted):
 * the record can no longer be written, which is an alarm — the trader halts trading (breaker
 * `record_write_failed`), sends nothing more to the exchange, and at shutdown reports an
 * incomplete record with the unwritten rows saved to a file. Real trader, real simulator over
 * loopback, the real PGlite thread (with a cue that kills it); the exchange's own order list and
 * fills are the judge.
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import type { Database } from '../../src/persistence/index.js';
import { openDatabase } from '../../src/persistence/index.js';
import { simOrder } from '../sim-order.js';
import { inState, simWithSeller, testIntent, until } from '../trader-on-sim.js';

const DIE_ON_CUE = "select 'tv3-test: the database thread dies'";
const DYING_WORKER = new URL('../fixtures/pglite-worker-dies-on-cue.js', import.meta.url);

const env = simWithSeller({ seed: 5, markets: 3 });

it('a dead database thread halts trading, sends nothing more and keeps the rows', async () => {
  const { sim, traders } = env;
  const ticker = sim.core.markets()[0]!.ticker;
  const account = traders.account(100);
  const accountId = sim.accountOf(account.creds.key_id)!;
  let database: Promise<Database> | undefined;
  const { trader } = await traders.start(ticker, {}, account, (dataDir) => {
    database = openDatabase({ dataDir, thread: true, threadWorkerFile: DYING_WORKER });
    return { database };
  });
  await inState(trader, 'READY');

  // An order rests at the exchange while the record works: a bid inside the spread, so it does
  // not cross the simulator's asks.
  const book = sim.core.book(ticker);
  const bestBid = Math.max(...book.yes.map(([p]) => p));
  const bestAsk = 10_000 - Math.max(...book.no.map(([p]) => p));
  const price = bestBid + 100;
  expect(price).toBeLessThan(bestAsk);
  const bid = testIntent(ticker, { yesPrice: price, count: 300, reason: 'rest a bid' });
  trader.actor!.send({ type: 'INTENT', intent: bid });
  await until('the bid resting at the exchange', () =>
    sim.core.orders(accountId).some((o) => o.status === 'resting'),
  );
  await inState(trader, 'READY');

  // The thread dies; then the resting bid fills (the seller takes it).
  await expect((await database!).query(DIE_ON_CUE)).rejects.toThrow();
  expect(sim.core.place(simOrder({ accountId: 'seller', ticker, bookSide: 'ask', yesPrice: price })).ok).toBe(
    true,
  );
  await until('the fill', () => trader.services!.orders.stats().fills > 0);
  // The fill cannot be recorded: trading halts on a breaker only an operator resets.
  await inState(trader, 'HALTED');
  expect(trader.services!.risk.breaker()).toMatchObject({ open: true, reason: 'record_write_failed' });

  // Halted means halted: another intent reaches nothing at the exchange.
  const before = sim.core.orders(accountId).length;
  trader.actor!.send({
    type: 'INTENT',
    intent: { ...bid, timeInForce: 'immediate_or_cancel', reason: 'after the halt' },
  });
  await new Promise((r) => setTimeout(r, 1_000));
  expect(sim.core.orders(accountId).length).toBe(before);

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
  const exchangeFills = sim.core.fills(accountId).map((f) => f.fillId);
  expect(exchangeFills.length).toBeGreaterThan(0);
  const savedFills = saved.filter((r) => r.kind === 'fills').map((r) => r.row.fillId);
  expect(savedFills.sort()).toEqual(exchangeFills.sort());
}, 120_000);
