/**
 * One code path, two drivers. `openDatabase` gives the same drizzle database (typed with the one
 * schema) whether it talks to a Postgres server through node-postgres (`url`, i.e. DATABASE_URL)
 * or to embedded PGlite in `<dataDir>/pgdata` (or in memory, for tests).
 *
 * - `db` is the drizzle instance for normal CRUD; `query(sql, params)` is raw SQL for the bulk
 *   paths. Both drivers return the same JS types from `query`: int8 as a JS number (an error if
 *   it does not fit in 2^53), timestamptz as Date, jsonb parsed. `numeric` (e.g. `sum(...)`) stays
 *   a string in both; cast sums to bigint.
 * - The URL is never shown with its password: messages use `maskDatabaseUrl`.
 * - PGlite is single-process: `<dataDir>/pgdata.lock` holds the owner's pid, and a second live
 *   process (or a second open in this process) is refused with PERSIST_DATADIR_LOCKED. A lock
 *   left by a dead process (kill -9) is taken over.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PGlite } from '@electric-sql/pglite';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { type PgDatabase, PgDialect, type PgQueryResultHKT, type PgSession } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import type pg from 'pg';
import { DEFAULTS } from '../config/index.js';
import { PersistenceError } from './errors.js';
import { lockFolder } from './lock.js';
import { seedFromTemplate } from './pgdata-template.js';
import { ThreadedPglite } from './pglite-thread.js';
import { preparePglite } from './pglite-wasm.js';
import * as schema from './schema.js';

export type Schema = typeof schema;
/** The drizzle database, typed with the schema, whichever driver is underneath. */
export type AppDatabase = PgDatabase<PgQueryResultHKT, Schema>;
export type DriverName = 'pg' | 'pglite';

export interface OpenDatabaseOptions {
  /** postgres:// or postgresql:// URL (DATABASE_URL). When set (non-empty), node-postgres is used. */
  url?: string | undefined;
  /** Data folder; PGlite keeps its files in `<dataDir>/pgdata`. Default `.traderv3`. */
  dataDir?: string | undefined;
  /** PGlite in memory (tests). Ignored when `url` is set. */
  inMemory?: boolean | undefined;
  /**
   * PGlite on a worker thread of its own (pglite-thread.ts), off the caller's event loop: what
   * `traderv3 start` uses. Default: in this thread. Ignored when `url` is set.
   */
  thread?: boolean | undefined;
  /**
   * A fresh PGlite folder starts as a copy of the migrated template made at install
   * (pgdata-template.ts) instead of running initdb: what `traderv3 start` asks for. Default off
   * (`migrate` and the tests see a database made from scratch).
   */
  fromTemplate?: boolean | undefined;
  /** The thread's script (tests: one that dies on cue); default src/persistence/pglite-worker.js. */
  threadWorkerFile?: URL | undefined;
  /** node-postgres pool size (default 4). */
  poolSize?: number | undefined;
  /** Errors of idle pooled connections (the server went away). Default: ignored; the next query fails. */
  onError?: ((err: Error) => void) | undefined;
}

/**
 * How a trading run opens its embedded database (`traderv3 start`, early in start-io or in
 * runtime/run.ts): PGlite on its own thread, a fresh folder seeded from the template.
 */
export const TRADER_PGLITE = { thread: true, fromTemplate: true } as const satisfies OpenDatabaseOptions;

export interface Database {
  readonly db: AppDatabase;
  readonly driver: DriverName;
  /** What is open, safe to print: the masked URL, `PGlite at <dir>` or `PGlite in memory`. */
  readonly target: string;
  /** Raw SQL with $1.. parameters; the rows, with the same JS types on both drivers. */
  query<T extends Record<string, unknown> = Record<string, unknown>>(
    text: string,
    params?: readonly unknown[],
  ): Promise<T[]>;
  /**
   * Bulk load: `statement` is `COPY table (cols) FROM STDIN [WITH (...)]` and `data` its rows in
   * that format (repos/copy.ts writes binary). node-postgres streams it in one write
   * (pg-copy-streams); PGlite reads it as a blob.
   */
  copyFrom(statement: string, data: string | Uint8Array): Promise<void>;
  /** Closes the pool / the PGlite instance and releases the data-folder lock. Idempotent. */
  close(): Promise<void>;
}

/** The data folder when none is given: the config's default (`.traderv3`). */
export const DEFAULT_DATA_DIR: string = DEFAULTS.dataDir;
const PGDATA = 'pgdata';
const LOCK_FILE = 'pgdata.lock';
const INT8_OID = 20;
/** Key of the Postgres advisory lock that serializes concurrent `migrate` runs. */
const MIGRATION_LOCK_KEY = 727_003_001;

/** The URL with its password (and any `password=` parameter) replaced by `***`. */
export function maskDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    if (u.searchParams.has('password')) u.searchParams.set('password', '***');
    return u.toString();
  } catch {
    return '<unparseable database URL>';
  }
}

/** A human description of where `openDatabase(options)` would go, without secrets. */
export function describeTarget(options: OpenDatabaseOptions): string {
  if (options.url) return maskDatabaseUrl(options.url);
  if (options.inMemory) return 'PGlite in memory';
  return `PGlite at ${resolve(options.dataDir ?? DEFAULT_DATA_DIR, PGDATA)}`;
}

function parseInt8(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`bigint value ${value} does not fit in a JS number`);
  return n;
}

function scrub(message: string, url: string): string {
  let out = message;
  try {
    const password = decodeURIComponent(new URL(url).password);
    if (password) out = out.split(password).join('***');
  } catch {
    // unparseable: nothing more to scrub than the URL itself
  }
  return out.split(url).join(maskDatabaseUrl(url));
}

/** Told the number of migration files passed as the migrator reaches each one, then the total. */
export type OnMigrationFile = (passed: number, total: number) => void;

interface Internals {
  applyMigrations(migrationsFolder: string, onFile?: OnMigrationFile): Promise<void>;
}
const internals = new WeakMap<Database, Internals>();

/** Used by migrate.ts: runs drizzle's migrator for the driver of `database`. */
export async function applyDriverMigrations(
  database: Database,
  migrationsFolder: string,
  onFile?: OnMigrationFile,
): Promise<void> {
  const inner = internals.get(database);
  if (!inner) throw new PersistenceError('PERSIST_CLOSED', 'not a database opened by openDatabase');
  await inner.applyMigrations(migrationsFolder, onFile);
}

/**
 * drizzle's migrator, as its node-postgres and PGlite `migrate` are written (read the folder, then
 * the Postgres dialect applies what is new in one transaction), with the files handed over through
 * an iterator that tells `onFile` as the dialect walks them.
 */
async function runMigrator(db: AppDatabase, migrationsFolder: string, onFile?: OnMigrationFile) {
  const files = readMigrationFiles({ migrationsFolder });
  const walked = [...files];
  if (onFile) {
    Object.defineProperty(walked, Symbol.iterator, {
      *value() {
        for (let i = 0; i < files.length; i++) {
          onFile(i, files.length);
          yield files[i];
        }
        onFile(files.length, files.length);
      },
    });
  }
  await new PgDialect().migrate(walked, db._.session as unknown as PgSession, { migrationsFolder });
}

export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Database> {
  return options.url ? openPostgres(options.url, options) : openPglite(options);
}

async function openPostgres(url: string, options: OpenDatabaseOptions): Promise<Database> {
  const target = maskDatabaseUrl(url);
  if (!/^postgres(ql)?:\/\//i.test(url)) {
    throw new PersistenceError(
      'PERSIST_BAD_URL',
      `DATABASE_URL must start with postgres:// or postgresql:// (got ${target})`,
    );
  }
  // node-postgres is loaded only for a DATABASE_URL: an embedded start does not pay for it.
  const [{ default: pgDriver }, { from: copyFrom }, { drizzle: drizzleNodePg }] = await Promise.all([
    import('pg'),
    import('pg-copy-streams'),
    import('drizzle-orm/node-postgres'),
  ]);
  const getTypeParser = ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID
      ? parseInt8
      : pgDriver.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'];
  const pool = new pgDriver.Pool({
    connectionString: url,
    max: options.poolSize ?? 4,
    application_name: 'traderv3',
    types: { getTypeParser },
  });
  pool.on('error', (err) => options.onError?.(err));
  try {
    await pool.query('select 1');
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new PersistenceError(
      'PERSIST_CONNECT_FAILED',
      `cannot connect to ${target}: ${scrub((err as Error).message, url)}`,
      { cause: err },
    );
  }
  const db = drizzleNodePg({ client: pool, schema });
  let closed = false;
  const database: Database = {
    db,
    driver: 'pg',
    target,
    async query<T extends Record<string, unknown>>(text: string, params: readonly unknown[] = []) {
      if (closed) throw new PersistenceError('PERSIST_CLOSED', `query on closed database ${target}`);
      const result = await pool.query<T>(text, params as unknown[]);
      return result.rows;
    },
    async copyFrom(statement, data) {
      if (closed) throw new PersistenceError('PERSIST_CLOSED', `COPY on closed database ${target}`);
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        const stream = client.query(copyFrom(statement));
        await pipeline(Readable.from([data]), stream);
      } catch (err) {
        broken = err as Error;
        throw err;
      } finally {
        // A connection whose COPY failed half-way is not given back to the pool.
        client.release(broken);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
  internals.set(database, {
    async applyMigrations(migrationsFolder, onFile) {
      // Two processes migrating one server at once would both try to apply: serialize them.
      const client = await pool.connect();
      try {
        await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
        try {
          await runMigrator(db, migrationsFolder, onFile);
        } finally {
          await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
        }
      } finally {
        client.release();
      }
    },
  });
  return database;
}

/**
 * Postgres's command line for PGlite: its defaults, with shared_buffers at 16 MB instead of the
 * 128 MB initdb wrote. PGlite zeroes the whole buffer pool when it starts; the smaller pool opens
 * a warm data folder ~0.2 s sooner (bench/cold-start.ts) and holds the record's working set.
 */
export const PGLITE_START_PARAMS: readonly string[] = [
  ...PGlite.defaultStartParams,
  '-c',
  'shared_buffers=16MB',
];

async function openPglite(options: OpenDatabaseOptions): Promise<Database> {
  let release: () => void = () => undefined;
  let target: string;
  let dataDir: string | undefined;
  if (options.inMemory) {
    target = 'PGlite in memory';
  } else {
    const folder = resolve(options.dataDir ?? DEFAULT_DATA_DIR);
    dataDir = join(folder, PGDATA);
    target = `PGlite at ${dataDir}`;
    try {
      mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw new PersistenceError(
        'PERSIST_CONNECT_FAILED',
        `cannot create the data folder ${dataDir}: ${(err as Error).message}`,
        { cause: err },
      );
    }
    release = lockFolder(folder, LOCK_FILE, `the embedded database in ${folder}`).release;
    if (options.fromTemplate) seedFromTemplate(dataDir);
  }
  // Postgres compiled ahead when it could be (pglite-wasm.ts).
  const wasm = await preparePglite();
  const client: PGlite | ThreadedPglite = options.thread
    ? new ThreadedPglite({
        dataDir: dataDir ?? 'memory://',
        wasmModule: wasm,
        startParams: PGLITE_START_PARAMS,
        workerFile: options.threadWorkerFile,
      })
    : new PGlite({
        ...(dataDir === undefined ? {} : { dataDir }),
        parsers: { [INT8_OID]: parseInt8 },
        startParams: [...PGLITE_START_PARAMS],
        ...(wasm === undefined ? {} : { pgliteWasmModule: wasm }),
      });
  try {
    await client.waitReady;
  } catch (err) {
    if (client instanceof ThreadedPglite) await client.close().catch(() => undefined);
    release();
    throw new PersistenceError('PERSIST_CONNECT_FAILED', `cannot open ${target}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  // The threaded client answers drizzle's two calls (query, transaction) as PGlite does.
  const db = drizzlePglite({ client: client as PGlite, schema });
  let closed = false;
  const database: Database = {
    db,
    driver: 'pglite',
    target,
    async query<T extends Record<string, unknown>>(text: string, params: readonly unknown[] = []) {
      if (closed) throw new PersistenceError('PERSIST_CLOSED', `query on closed database ${target}`);
      const result = await client.query<T>(text, params as unknown[]);
      return result.rows;
    },
    async copyFrom(statement, data) {
      if (closed) throw new PersistenceError('PERSIST_CLOSED', `COPY on closed database ${target}`);
      const fromBlob = statement.replace(/from stdin\b/i, "from '/dev/blob'");
      if (client instanceof ThreadedPglite) {
        // The bytes cross to the thread as they are; it makes the blob there.
        await client.query(fromBlob, [], { blob: typeof data === 'string' ? Buffer.from(data) : data });
      } else {
        await client.query(fromBlob, [], { blob: new Blob([data]) });
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      try {
        await client.close();
      } finally {
        release();
      }
    },
  };
  internals.set(database, {
    async applyMigrations(migrationsFolder, onFile) {
      await runMigrator(db, migrationsFolder, onFile);
    },
  });
  return database;
}
