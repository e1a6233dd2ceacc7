/**
 * A recorded session's book stream read back in keyset pages, on every driver: the same records in
 * the same order whatever the page size (ties on the received time broken by subscription, seq,
 * snapshot-before-delta and row id; microseconds kept across a page boundary), and a replay that
 * reads the session page by page decides exactly as one that holds it whole.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simBookStream } from '../../models/sim-stream.js';
import { type Database, migrate } from '../../src/persistence/index.js';
import type { BookRecord } from '../../src/policy/index.js';
import { loadSession, openSession, recordStream, replaySession } from '../../src/replay/index.js';
import { DRIVERS } from './drivers.js';

/** What the record keeps of a book record. */
const kept = (r: BookRecord) =>
  'side' in r
    ? { t: r.ticker, sid: r.sid, seq: r.seq, side: r.side, price: r.price, delta: r.delta, at: r.receivedMs }
    : { t: r.ticker, sid: r.sid, seq: r.seq, yes: r.yes, no: r.no, at: r.receivedMs };

describe.each(DRIVERS)('replay source on $name', (driver) => {
  if (driver.skip) {
    it.skip(`is skipped: ${driver.skip}`, () => undefined);
    return;
  }
  let database: Database;
  let dispose: () => Promise<void>;
  let records: BookRecord[];
  let sessionId: string;

  beforeAll(async () => {
    const opened = await driver.open();
    database = opened.database;
    dispose = opened.dispose;
    await migrate(database);
    records = await simBookStream({ seed: 9, steps: 1_500, markets: 3 });
    sessionId = await recordStream(database, records, {
      config: { strategy: 'policy', actor: { marketMode: 'all', contractSize: 1 } },
    });
  }, 120_000);

  afterAll(async () => {
    await dispose?.();
  }, 60_000);

  it('reads the same stream in the same order whatever the page size', async () => {
    const whole = await loadSession(database, sessionId);
    expect(whole.records.map(kept)).toEqual(records.map(kept));
    for (const pageSize of [1, 7, 500]) {
      const paged = await loadSession(database, sessionId, { pageSize });
      expect(paged.records.map(kept)).toEqual(records.map(kept));
    }
    const streamed = await openSession(database, sessionId, { pageSize: 500 });
    expect(streamed.count).toBe(records.length);
  }, 60_000);

  it('orders rows of one millisecond by their microseconds, then sid, seq, snapshot first', async () => {
    const s = await recordStream(database, records.slice(0, 1), { config: {} });
    const ticker = records[0]!.ticker;
    // Inserted out of order: the record's order is the received time's, to the microsecond.
    const delta = (seq: number, at: string) =>
      database.query(
        `insert into orderbook_deltas (session_id, ticker, sid, seq, side, price, delta, received_at)
         values ($1, $2, 1, $3, 'yes', 100, 1, $4::timestamptz)`,
        [s, ticker, seq, at],
      );
    await delta(12, '2026-01-05 16:00:00.000700+00');
    await delta(10, '2026-01-05 16:00:00.000300+00');
    await delta(11, '2026-01-05 16:00:00.000300+00');
    await delta(9, '2026-01-05 16:00:00.000900+00');
    await database.query(
      `insert into orderbook_snapshots (session_id, ticker, sid, seq, yes, no, received_at)
       values ($1, $2, 1, 11, '[]', '[]', '2026-01-05 16:00:00.000300+00')`,
      [s, ticker],
    );
    for (const pageSize of [1, 2, 100]) {
      const got = (await loadSession(database, s, { pageSize })).records.slice(1);
      expect(got.map((r) => [r.seq, 'side' in r ? 'delta' : 'snapshot'])).toEqual([
        [10, 'delta'],
        [11, 'snapshot'],
        [11, 'delta'],
        [12, 'delta'],
        [9, 'delta'],
      ]);
    }
  }, 60_000);

  it('replays a session read page by page as one read whole', async () => {
    // A trained MLP that trades often (tests/fixtures/make-policy-trading.ts): fills and the
    // portfolio they change are compared too.
    const model = join(import.meta.dirname, '..', 'fixtures', 'policy-trading.onnx');
    const whole = await replaySession(await loadSession(database, sessionId), { model });
    const paged = await replaySession(await openSession(database, sessionId, { pageSize: 333 }), { model });
    expect(whole.result.trades).toBeGreaterThan(0);
    expect(paged.digest).toBe(whole.digest);
    expect(paged.records).toBe(records.length);
    expect(paged.result).toEqual(whole.result);
  }, 120_000);
});
