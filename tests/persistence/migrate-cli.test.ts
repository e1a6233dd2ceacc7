/**
 * `traderv3 migrate` as a child process (PGlite data folder, and Postgres through DATABASE_URL),
 * then the data folder opened in-process: data persists, the folder lock keeps a second opener
 * out, a lock left by a dead process is taken over, and URLs are never shown with a password.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  describeTarget,
  MIGRATIONS_FOLDER,
  maskDatabaseUrl,
  migrate,
  openDatabase,
  PersistenceError,
} from '../../src/persistence/index.js';
import { freshPostgresDatabase, TEST_DATABASE_URL } from './drivers.js';

/** Every migration in the committed folder (a fresh database gets them all). */
const MIGRATION_COUNT = (
  JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] }
).entries.length;

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'traderv3.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], env: Record<string, string | undefined>): Promise<Run> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  delete childEnv.DATABASE_URL;
  delete childEnv.TRADERV3_DATA_DIR;
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete childEnv[k];
    else childEnv[k] = v;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: childEnv,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function lastJson(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines.at(-1) ?? '{}') as Record<string, unknown>;
}

const root = mkdtempSync(join(tmpdir(), 'traderv3-migrate-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('database URLs in messages', () => {
  it('are masked', () => {
    expect(maskDatabaseUrl('postgres://trader:s3cret@db.example:5432/live')).toBe(
      'postgres://trader:***@db.example:5432/live',
    );
    expect(maskDatabaseUrl('postgresql://trader@db/live?password=s3cret&sslmode=require')).toBe(
      'postgresql://trader@db/live?password=***&sslmode=require',
    );
    expect(maskDatabaseUrl('not a url s3cret')).not.toContain('s3cret');
    expect(describeTarget({ url: 'postgres://u:p@h/d' })).toBe('postgres://u:***@h/d');
    expect(describeTarget({ dataDir: '/x/y' })).toBe('PGlite at /x/y/pgdata');
    expect(describeTarget({ inMemory: true })).toBe('PGlite in memory');
  });

  it('a refused connection names the masked URL, never the password', async () => {
    const err = await openDatabase({ url: 'postgres://trader:s3cret@127.0.0.1:1/live' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PersistenceError);
    expect((err as PersistenceError).code).toBe('PERSIST_CONNECT_FAILED');
    expect((err as Error).message).toContain('postgres://trader:***@127.0.0.1:1/live');
    expect((err as Error).message).not.toContain('s3cret');
  });

  it('a URL that is not postgres:// is refused', async () => {
    await expect(openDatabase({ url: 'mysql://u:s3cret@h/d' })).rejects.toMatchObject({
      code: 'PERSIST_BAD_URL',
      message: expect.not.stringContaining('s3cret'),
    });
  });
});

describe('traderv3 migrate with PGlite (--data-dir)', () => {
  const dataDir = join(root, 'data');

  it('creates the database and applies the migrations, then finds nothing to do', async () => {
    const first = await runCli(['migrate', '--data-dir', dataDir], {});
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const report = lastJson(first.stdout);
    expect(report).toMatchObject({
      event: 'migrated',
      target: `PGlite at ${join(dataDir, 'pgdata')}`,
      applied: MIGRATION_COUNT,
    });
    expect(report.total).toBe(report.applied);
    expect(existsSync(join(dataDir, 'pgdata.lock'))).toBe(false);

    const second = await runCli(['migrate', '--data-dir', dataDir], {});
    expect(second.code).toBe(0);
    expect(lastJson(second.stdout)).toMatchObject({ event: 'migrated', applied: 0 });
  }, 90_000);

  it('the folder reopens in-process with the schema in place, and is locked while open', async () => {
    const database = await openDatabase({ dataDir });
    try {
      expect(database.driver).toBe('pglite');
      expect((await migrate(database)).applied).toBe(0);
      const [row] = await database.query<{ n: number }>(
        `select count(*) as n from information_schema.tables where table_schema = 'public'`,
      );
      // 14 tables of 0000/0001 + forecasts and edge_orders (0002_edge).
      expect(row?.n).toBe(16);
      expect(readFileSync(join(dataDir, 'pgdata.lock'), 'utf8').trim()).toBe(String(process.pid));
      await expect(openDatabase({ dataDir })).rejects.toMatchObject({ code: 'PERSIST_DATADIR_LOCKED' });
      // A second process sees the lock too, and says so.
      const other = await runCli(['migrate', '--data-dir', dataDir], {});
      expect(other.code).toBe(1);
      expect(other.stderr).toContain(`in use by process ${process.pid}`);
    } finally {
      await database.close();
    }
    expect(existsSync(join(dataDir, 'pgdata.lock'))).toBe(false);
    await database.close(); // idempotent
    await expect(database.query('select 1')).rejects.toMatchObject({ code: 'PERSIST_CLOSED' });
  }, 90_000);

  it('a lock left by a dead process is taken over', async () => {
    const dead = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, ['-e', '0']);
      const pid = child.pid ?? 0;
      child.on('close', () => resolve(pid));
    });
    writeFileSync(join(dataDir, 'pgdata.lock'), `${dead}\n`);
    const database = await openDatabase({ dataDir });
    try {
      expect(readFileSync(join(dataDir, 'pgdata.lock'), 'utf8').trim()).toBe(String(process.pid));
    } finally {
      await database.close();
    }
  }, 60_000);
});

describe('traderv3 migrate with DATABASE_URL (Postgres)', () => {
  it('an unreachable server fails with exit 1 and a masked URL', async () => {
    const run = await runCli(['migrate'], { DATABASE_URL: 'postgres://trader:s3cret@127.0.0.1:1/live' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('postgres://trader:***@127.0.0.1:1/live');
    expect(run.stderr + run.stdout).not.toContain('s3cret');
  }, 60_000);

  it.skipIf(!TEST_DATABASE_URL)(
    'applies the migrations to the server, once (needs TEST_DATABASE_URL)',
    async () => {
      const fresh = await freshPostgresDatabase(TEST_DATABASE_URL ?? '');
      try {
        const first = await runCli(['migrate', '--data-dir', join(root, 'unused')], {
          DATABASE_URL: fresh.url,
        });
        expect(first.stderr).toBe('');
        expect(first.code).toBe(0);
        expect(lastJson(first.stdout)).toMatchObject({
          event: 'migrated',
          target: maskDatabaseUrl(fresh.url),
          applied: MIGRATION_COUNT,
        });
        expect(existsSync(join(root, 'unused'))).toBe(false);
        const second = await runCli(['migrate'], { DATABASE_URL: fresh.url });
        expect(lastJson(second.stdout)).toMatchObject({ applied: 0 });
      } finally {
        await fresh.drop();
      }
    },
    90_000,
  );
});
