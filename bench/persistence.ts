/**
 * Persistence benchmark: `npx tsx bench/persistence.ts` (npm run bench:db). Prints figures; not a test.
 *
 * Orderbook delta rows go through the WriteQueue (src/persistence/write-queue.ts) into
 * orderbook_deltas with the project's bulk insert (`createRepositories(db).bulk.insertDeltas`, one
 * `INSERT … SELECT * FROM unnest(…)` per batch), on each driver:
 *  - PGlite in a fresh data dir under /tmp (removed afterwards);
 *  - Postgres at DATABASE_URL / TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test).
 *    The bench creates a scratch database next to it (traderv3_bench_<pid>) and drops it afterwards;
 *    if it may not create databases it uses the given one and deletes its own rows (its session id)
 *    at the end. Unreachable: skipped with a message.
 *
 * Two figures per driver:
 *  1. Throughput: N rows pushed at once, then `flush()`; rows/s for maxBatch 500 / 2,000 / 5,000.
 *  2. Sustained rate: deltas fed at 2k … 40k msgs/s (one row per message, rows built on the fly as
 *     a collector would) for a few seconds each, policy 'shed', default capacity 50,000 rows. Per
 *     rate: rows written, shed, max depth, backlog when the feed stops, p50/p99 flush latency. A
 *     rate "keeps up" when nothing was shed AND the backlog when the feed stops is at most two
 *     batches or half a second of messages (a rate above capacity can otherwise hide in the 50k
 *     buffer for a few seconds; one that keeps up holds about a batch queued and one in flight).
 *
 * Options: --rates 2000,5000,… --seconds S (per rate) --rows N (throughput rows per batch size)
 *          --drivers pglite,pg --max-batch B (sustained test batch size).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import type { Database, DeltaRow } from '../src/persistence/index.js';
import { createRepositories, maskDatabaseUrl, migrate, openDatabase } from '../src/persistence/index.js';
import { createWriteQueue } from '../src/persistence/write-queue.js';

// ---------- options ----------

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function argNumber(name: string, fallback: number): number {
  const n = Number(argValue(name));
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

function argList(name: string, fallback: readonly string[]): string[] {
  const raw = argValue(name);
  return raw === undefined ? [...fallback] : raw.split(',').filter((s) => s.length > 0);
}

const RATES = argList('rates', ['2000', '5000', '10000', '20000', '30000', '40000', '60000']).map(Number);
const SECONDS = argNumber('seconds', 4);
const THROUGHPUT_ROWS = Math.floor(argNumber('rows', 60_000));
const BATCHES = [500, 2_000, 5_000];
const SUSTAINED_MAX_BATCH = Math.floor(argNumber('max-batch', 2_000));
const DRIVERS = argList('drivers', ['pglite', 'pg']);
const PG_URL =
  process.env.DATABASE_URL || process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const SESSION_ID = `bench-${process.pid}-${Date.now()}`;

// ---------- rows ----------

const TICKERS = ['KXBENCH-26JAN01-T1', 'KXBENCH-26JAN01-T2', 'KXBENCH-26JAN01-T3', 'KXBENCH-26JAN01-T4'];

/** A plausible delta: price on the 1¢ grid (1/10,000 $ units), signed count in 1/100 contract. */
function makeDelta(i: number, at: number): DeltaRow {
  return {
    sessionId: SESSION_ID,
    ticker: TICKERS[i % TICKERS.length] as string,
    sid: 1 + (i % TICKERS.length),
    seq: i + 1,
    side: i % 2 === 0 ? 'yes' : 'no',
    price: 100 * (1 + ((i * 7919) % 99)),
    delta: ((i * 31) % 2 === 0 ? 1 : -1) * 100 * (1 + (i % 50)),
    clientOrderId: null,
    exchangeTs: new Date(at - 3),
    receivedAt: new Date(at),
  };
}

// ---------- helpers ----------

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx] as number;
}

const fmt = (n: number, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : '–';

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0)))
      .join('  ');
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

async function countRows(database: Database): Promise<number> {
  const [row] = await database.query<{ n: number }>(
    'select count(*)::int as n from orderbook_deltas where session_id = $1',
    [SESSION_ID],
  );
  return row?.n ?? 0;
}

// ---------- 1. throughput by batch size ----------

interface ThroughputResult {
  batch: number;
  rows: number;
  seconds: number;
}

async function throughput(database: Database, batch: number, rows: number): Promise<ThroughputResult> {
  const repos = createRepositories(database);
  const now = Date.now();
  const prepared = Array.from({ length: rows }, (_, i) => makeDelta(i, now + i));
  const queue = createWriteQueue({
    kinds: {
      deltas: {
        flush: async (batchRows: readonly DeltaRow[]) => {
          await repos.bulk.insertDeltas(batchRows);
        },
        policy: 'keep',
        maxBatch: batch,
      },
    },
    maxRows: rows + 1,
  });
  const started = performance.now();
  for (const row of prepared) queue.push('deltas', row);
  await queue.close();
  const seconds = (performance.now() - started) / 1000;
  const stats = queue.stats();
  if (stats.totals.written !== rows)
    throw new Error(`throughput run wrote ${stats.totals.written} of ${rows} rows`);
  return { batch, rows, seconds };
}

// ---------- 2. sustained message rate ----------

interface SustainedResult {
  rate: number;
  pushed: number;
  written: number;
  shed: number;
  maxDepth: number;
  backlogAtEnd: number;
  drainSeconds: number;
  achievedRate: number;
  flushes: number;
  p50: number;
  p99: number;
  maxLatency: number;
  keptUp: boolean;
}

async function sustained(database: Database, rate: number, seconds: number): Promise<SustainedResult> {
  const repos = createRepositories(database);
  const latencies: number[] = [];
  const queue = createWriteQueue({
    kinds: {
      deltas: {
        flush: async (rows: readonly DeltaRow[]) => {
          const t0 = performance.now();
          await repos.bulk.insertDeltas(rows);
          latencies.push(performance.now() - t0);
        },
        policy: 'shed',
        maxBatch: SUSTAINED_MAX_BATCH,
      },
    },
  });
  const total = Math.round(rate * seconds);
  let sent = 0;
  const started = performance.now();
  await new Promise<void>((resolve) => {
    // Every few ms, push what the rate says should have arrived by now (catching up after stalls,
    // e.g. while PGlite's in-process WASM executes an insert).
    const tick = () => {
      const elapsed = (performance.now() - started) / 1000;
      const due = Math.min(total, Math.floor(elapsed * rate));
      const at = Date.now();
      while (sent < due) {
        queue.push('deltas', makeDelta(sent, at));
        sent++;
      }
      if (sent >= total) resolve();
      else setTimeout(tick, 2);
    };
    tick();
  });
  const feedSeconds = (performance.now() - started) / 1000;
  const backlogAtEnd = queue.depth;
  const drainStart = performance.now();
  await queue.close();
  const drainSeconds = (performance.now() - drainStart) / 1000;
  const stats = queue.stats().kinds.deltas;
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    rate,
    pushed: stats.pushed,
    written: stats.written,
    shed: stats.shed,
    maxDepth: stats.maxDepth,
    backlogAtEnd,
    drainSeconds,
    achievedRate: stats.pushed / feedSeconds,
    flushes: stats.flushes,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    maxLatency: sorted.at(-1) ?? Number.NaN,
    keptUp: stats.shed === 0 && backlogAtEnd <= Math.max(2 * SUSTAINED_MAX_BATCH, rate / 2),
  };
}

// ---------- per driver ----------

async function runDriver(label: string, database: Database): Promise<void> {
  console.log(`\n=== ${label} ===`);

  const tp: ThroughputResult[] = [];
  for (const batch of BATCHES) {
    tp.push(await throughput(database, batch, THROUGHPUT_ROWS));
    await database.query('delete from orderbook_deltas where session_id = $1', [SESSION_ID]);
  }
  console.log(
    `\nThroughput: ${fmt(THROUGHPUT_ROWS)} delta rows pushed at once, then flush() (one flush in flight)`,
  );
  console.log(
    table(
      ['maxBatch', 'rows', 'seconds', 'rows/s'],
      tp.map((r) => [fmt(r.batch), fmt(r.rows), fmt(r.seconds, 2), fmt(r.rows / r.seconds)]),
    ),
  );

  const results: SustainedResult[] = [];
  let expected = 0;
  for (const rate of RATES) {
    const r = await sustained(database, rate, SECONDS);
    expected += r.written;
    results.push(r);
  }
  const stored = await countRows(database);
  console.log(
    `\nSustained feed: ${SECONDS} s per rate, policy 'shed', maxBatch ${fmt(SUSTAINED_MAX_BATCH)}, ` +
      `maxRows 50,000, flush interval 200 ms`,
  );
  console.log(
    table(
      [
        'msgs/s',
        'fed/s',
        'pushed',
        'written',
        'shed',
        'max depth',
        'backlog@end',
        'drain s',
        'flushes',
        'p50 ms',
        'p99 ms',
        'max ms',
        'keeps up',
      ],
      results.map((r) => [
        fmt(r.rate),
        fmt(r.achievedRate),
        fmt(r.pushed),
        fmt(r.written),
        fmt(r.shed),
        fmt(r.maxDepth),
        fmt(r.backlogAtEnd),
        fmt(r.drainSeconds, 2),
        fmt(r.flushes),
        fmt(r.p50, 1),
        fmt(r.p99, 1),
        fmt(r.maxLatency, 1),
        r.keptUp ? 'yes' : 'no',
      ]),
    ),
  );
  if (stored !== expected)
    console.log(`WARNING: ${stored} rows in orderbook_deltas, the queue reported ${expected}`);
  else console.log(`(${fmt(stored)} rows in orderbook_deltas match the queue's written count)`);
  const best = results.filter((r) => r.keptUp).at(-1);
  const firstFail = results.find((r) => !r.keptUp);
  console.log(
    best
      ? `HEADLINE ${label}: keeps up with ${fmt(best.rate)} msgs/s without shedding` +
          (firstFail ? ` (not ${fmt(firstFail.rate)} msgs/s)` : ' (the highest rate tried)')
      : `HEADLINE ${label}: did not keep up even at ${fmt(RATES[0] ?? 0)} msgs/s`,
  );
  await database.query('delete from orderbook_deltas where session_id = $1', [SESSION_ID]);
}

async function benchPglite(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'traderv3-bench-'));
  try {
    const t0 = performance.now();
    const database = await openDatabase({ dataDir });
    await migrate(database);
    console.log(
      `\nPGlite: ${database.target} (opened + migrated in ${fmt((performance.now() - t0) / 1000, 1)} s)`,
    );
    try {
      await runDriver('PGlite', database);
    } finally {
      await database.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Creates a scratch database beside the one in `url`; undefined if not allowed. */
async function createScratchDatabase(
  url: string,
): Promise<{ url: string; drop: () => Promise<void> } | undefined> {
  const name = `traderv3_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`create database "${name}"`);
  } catch (err) {
    console.log(`(cannot create a scratch database: ${(err as Error).message}; using the given one)`);
    await admin.end();
    return undefined;
  }
  await admin.end();
  const scratch = new URL(url);
  scratch.pathname = `/${name}`;
  return {
    url: scratch.toString(),
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

async function benchPostgres(): Promise<void> {
  const probe = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3_000 });
  try {
    await probe.connect();
    await probe.end();
  } catch (err) {
    console.log(`\nPostgres: skipped, ${maskDatabaseUrl(PG_URL)} is unreachable (${(err as Error).message})`);
    return;
  }
  const scratch = await createScratchDatabase(PG_URL);
  try {
    const database = await openDatabase({ url: scratch?.url ?? PG_URL });
    try {
      await migrate(database);
      const [v] = await database.query<{ v: string }>(`select current_setting('server_version') as v`);
      console.log(`\nPostgres ${v?.v ?? '?'}: ${database.target}`);
      await runDriver('Postgres', database);
    } finally {
      await database.close();
    }
  } finally {
    await scratch?.drop();
  }
}

async function main(): Promise<void> {
  console.log(
    `traderv3 persistence bench — node ${process.version}; throughput ${fmt(THROUGHPUT_ROWS)} rows × batch ` +
      `${BATCHES.join('/')}; rates ${RATES.map((r) => fmt(r)).join('/')} msgs/s × ${SECONDS} s`,
  );
  const started = performance.now();
  if (DRIVERS.includes('pglite')) await benchPglite();
  if (DRIVERS.includes('pg')) await benchPostgres();
  console.log(`\ntotal ${fmt((performance.now() - started) / 1000, 1)} s`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
