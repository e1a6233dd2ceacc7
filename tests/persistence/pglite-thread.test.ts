/**
 * PGlite on its own thread (src/persistence/pglite-thread.ts): what `traderv3 start` runs. The
 * repository contract runs on it too (CONTRACT_DRIVERS); these are the parts only the thread has —
 * the order of queries against a transaction, errors that cross the thread, and a thread that dies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../src/persistence/index.js';
import { ThreadedPglite } from '../../src/persistence/pglite-thread.js';

const DYING_WORKER = new URL('../fixtures/pglite-dying-worker.js', import.meta.url);

describe('PGlite on its own thread', () => {
  let database: Database;

  beforeAll(async () => {
    database = await openDatabase({ inMemory: true, thread: true });
    await database.query('create table t (n int8 primary key, at timestamptz not null default now())');
  }, 60_000);
  afterAll(() => database?.close());

  it('answers with the same types as in-process PGlite: int8 a number, timestamptz a Date', async () => {
    await database.query('insert into t (n) values ($1)', [9_007_199_254_740_991]);
    const [row] = await database.query<{ n: number; at: Date }>('select n, at from t');
    expect(row?.n).toBe(9_007_199_254_740_991);
    expect(row?.at).toBeInstanceOf(Date);
    await database.query('delete from t');
  });

  it('a query asked from outside a transaction waits for it to commit, and never lands inside it', async () => {
    let inside: () => void = () => undefined;
    const insideReached = new Promise<void>((resolve) => {
      inside = resolve;
    });
    let finish: () => void = () => undefined;
    const mayFinish = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const tx = database.db.transaction(async (t) => {
      await t.execute('insert into t (n) values (1)' as never);
      inside();
      await mayFinish;
      await t.execute('insert into t (n) values (2)' as never);
    });
    await insideReached;
    let outsideDone = false;
    const outside = database.query<{ c: number }>('select count(*)::int8 as c from t').then((rows) => {
      outsideDone = true;
      return rows;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(outsideDone).toBe(false);
    finish();
    await tx;
    expect((await outside)[0]?.c).toBe(2);
    await database.query('delete from t');
  });

  it('a transaction that throws is rolled back, and the thread goes on serving', async () => {
    await expect(
      database.db.transaction(async (t) => {
        await t.execute('insert into t (n) values (7)' as never);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await database.query('select n from t')).toEqual([]);
  });

  it("a Postgres error crosses with its code and the asking code's stack", async () => {
    const err = await database.query('select * from no_such_table').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as { code?: string }).code).toBe('42P01');
    expect((err as Error).message).toContain('no_such_table');
    expect((err as Error).stack).toContain('pglite-thread.test.ts');
  });

  it('refuses a result parser that would change values, naming the type', async () => {
    // Refused before anything is sent: a thread that would die on a query is enough.
    const client = new ThreadedPglite({ dataDir: 'memory://', workerFile: DYING_WORKER });
    try {
      const err = await client
        .query('select 1', [], { parsers: { 20: (v: string) => Number(v) } })
        .catch((e) => e);
      expect((err as { code?: string }).code).toBe('PERSIST_THREAD_PARSER');
      expect((err as Error).message).toMatch(/type oid 20/);
      expect(client.died).toBeUndefined();
    } finally {
      await client.close();
    }
  });

  it('a thread that dies fails the query in flight and every later one with PERSIST_THREAD_DIED', async () => {
    const client = new ThreadedPglite({
      dataDir: 'memory://',
      workerFile: DYING_WORKER,
    });
    await client.waitReady;
    const first = await client.query('select 1').catch((e: unknown) => e);
    expect((first as { code?: string }).code).toBe('PERSIST_THREAD_DIED');
    expect((first as Error).message).toContain('Postgres aborted (test)');
    const later = await client.query('select 1').catch((e: unknown) => e);
    expect((later as { code?: string }).code).toBe('PERSIST_THREAD_DIED');
    expect(client.died?.message).toContain('Postgres aborted (test)');
    await client.close();
  });
});
