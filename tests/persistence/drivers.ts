/**
 * The drivers every persistence test runs against: embedded PGlite (in memory, always) and a real
 * Postgres server when TEST_DATABASE_URL is set (CI sets it; .ci/run starts the server). The
 * contract tests also run on PGlite on a worker thread (src/persistence/pglite-thread.ts).
 *
 * Each test file gets a fresh database per driver: a new in-memory PGlite, or a new database
 * created on the server (dropped afterwards), so runs are repeatable and files never share
 * tables. When the role may not create databases, the TEST_DATABASE_URL database itself is wiped
 * (schemas public and drizzle dropped and recreated) — it must be a database used only for tests.
 */
import { randomBytes } from 'node:crypto';
import { getTableName } from 'drizzle-orm';
import pg from 'pg';
import { ALL_TABLES, type Database, openDatabase } from '../../src/persistence/index.js';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL?.trim() || undefined;

export interface DriverCase {
  readonly name: 'pglite' | 'pglite on its thread' | 'postgres';
  /** Why the driver is skipped, when it is. */
  readonly skip: string | undefined;
  /** Opens a fresh, empty database (not migrated). */
  open(): Promise<{ database: Database; dispose: () => Promise<void> }>;
}

function withDatabaseName(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** A new empty database on the TEST_DATABASE_URL server; returns its URL and how to drop it. */
export async function freshPostgresDatabase(
  url: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `traderv3_t_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`create database "${name}"`);
  } catch (err) {
    if ((err as { code?: string }).code !== '42501') throw err; // not "insufficient privilege"
    await admin.query('drop schema if exists drizzle cascade');
    await admin.query('drop schema if exists public cascade');
    await admin.query('create schema public');
    await admin.end();
    return { url, drop: async () => undefined };
  }
  await admin.end();
  return {
    url: withDatabaseName(url, name),
    drop: async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        await c.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}

export const DRIVERS: readonly DriverCase[] = [
  {
    name: 'pglite',
    skip: undefined,
    async open() {
      const database = await openDatabase({ inMemory: true });
      return { database, dispose: () => database.close() };
    },
  },
  {
    name: 'postgres',
    skip: TEST_DATABASE_URL ? undefined : 'TEST_DATABASE_URL is not set (CI sets it; see .ci/run)',
    async open() {
      if (!TEST_DATABASE_URL) throw new Error('TEST_DATABASE_URL is not set');
      const fresh = await freshPostgresDatabase(TEST_DATABASE_URL);
      const database = await openDatabase({ url: fresh.url });
      return {
        database,
        dispose: async () => {
          await database.close();
          await fresh.drop();
        },
      };
    },
  },
];

/**
 * What `traderv3 start` runs: the same PGlite, spoken to across a worker thread. The repository
 * contract (repositories, COPY, money) runs on it as well; the heavier readers need not.
 */
export const THREADED_PGLITE: DriverCase = {
  name: 'pglite on its thread',
  skip: undefined,
  async open() {
    const database = await openDatabase({ inMemory: true, thread: true });
    return { database, dispose: () => database.close() };
  },
};

/** DRIVERS and the threaded PGlite. */
export const CONTRACT_DRIVERS: readonly DriverCase[] = [DRIVERS[0]!, THREADED_PGLITE, ...DRIVERS.slice(1)];

/** Empties every table and restarts the identities (between tests). */
export async function truncateAll(database: Database): Promise<void> {
  const names = ALL_TABLES.map((t) => `"${getTableName(t)}"`).join(', ');
  await database.query(`truncate ${names} restart identity cascade`);
}
