/**
 * Migration 0001 (exchange identity) on a database that already holds a record: every row gets
 * its session's exchange, and the identities that were global before become per exchange.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Database, MIGRATIONS_FOLDER, migrate } from '../../src/persistence/index.js';
import { DRIVERS } from './drivers.js';

/** A copy of the migrations folder that stops after the first migration. */
function firstMigrationOnly(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tv3-mig-'));
  cpSync(MIGRATIONS_FOLDER, dir, { recursive: true });
  const journalFile = join(dir, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: unknown[] };
  journal.entries = journal.entries.slice(0, 1);
  writeFileSync(journalFile, JSON.stringify(journal));
  return dir;
}

describe.each(DRIVERS)('migration 0001 on $name', (driver) => {
  if (driver.skip) {
    it.skip(`is skipped: ${driver.skip}`, () => undefined);
    return;
  }
  let database: Database | undefined;
  let dispose: (() => Promise<void>) | undefined;
  const folders: string[] = [];
  afterAll(async () => {
    await dispose?.();
    for (const f of folders) rmSync(f, { recursive: true, force: true });
  });

  it('gives old rows their session exchange and keys identities by exchange', async () => {
    const opened = await driver.open();
    database = opened.database;
    dispose = opened.dispose;
    const old = firstMigrationOnly();
    folders.push(old);
    expect((await migrate(database, { migrationsFolder: old })).applied).toBe(1);
    const q = (text: string, params: unknown[] = []) => database!.query(text, params);
    const t = new Date('2026-03-01T00:00:00Z');
    for (const [id, env, config] of [
      ['demo-1', 'demo', { restUrl: 'https://demo/trade-api/v2' }],
      ['sim-1', 'sim', { restUrl: 'http://127.0.0.1:9/trade-api/v2' }],
      ['sim-2', 'sim', {}],
    ] as const) {
      await q(
        `insert into trading_sessions (id, environment, config, status, started_at) values ($1, $2, $3, 'ended', $4)`,
        [id, env, JSON.stringify(config), t],
      );
    }
    await q(
      `insert into orders (client_order_id, session_id, order_id, ticker, book_side, yes_price, count, time_in_force,
                           strategy, reason, request, status, created_at, updated_at)
       values ('c1', 'demo-1', 'o1', 'T', 'bid', 5000, 100, 'good_till_canceled', 's', 'r', '{}', 'executed', $1, $1)`,
      [t],
    );
    await q(
      `insert into fills (fill_id, session_id, order_id, ticker, book_side, yes_price, count, fee, is_taker, created_at, received_at)
       values ('f1', 'sim-1', 'o1', 'T', 'bid', 5000, 100, 0, true, $1, $1)`,
      [t],
    );
    await q(`insert into ledger (session_id, at, kind, ref, amount) values ('sim-2', $1, 'fill', 'f1', -5)`, [
      t,
    ]);

    expect((await migrate(database)).applied).toBeGreaterThanOrEqual(1);
    const sessions = await q('select id, exchange from trading_sessions order by id');
    expect(sessions).toEqual([
      { id: 'demo-1', exchange: 'demo:https://demo/trade-api/v2' },
      { id: 'sim-1', exchange: 'legacy:sim-1' },
      { id: 'sim-2', exchange: 'legacy:sim-2' },
    ]);
    expect(await q('select exchange from orders')).toEqual([{ exchange: 'demo:https://demo/trade-api/v2' }]);
    expect(await q('select exchange from fills')).toEqual([{ exchange: 'legacy:sim-1' }]);
    expect(await q('select exchange from ledger')).toEqual([{ exchange: 'legacy:sim-2' }]);
    // The same trade id on another exchange is now a row of its own; on the same one it still collides.
    await q(
      `insert into fills (exchange, fill_id, session_id, order_id, ticker, book_side, yes_price, count, fee, is_taker, created_at, received_at)
       values ('legacy:sim-2', 'f1', 'sim-2', 'o1', 'T', 'bid', 5000, 100, 0, true, $1, $1)`,
      [t],
    );
    await expect(
      q(
        `insert into fills (exchange, fill_id, session_id, order_id, ticker, book_side, yes_price, count, fee, is_taker, created_at, received_at)
         values ('legacy:sim-1', 'f1', 'sim-1', 'o1', 'T', 'bid', 5000, 100, 0, true, $1, $1)`,
        [t],
      ),
    ).rejects.toThrow(/duplicate key|unique/i);
  }, 120_000);
});
