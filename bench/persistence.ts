/**
 * Persistence benchmark: `npx tsx bench/persistence.ts` (npm run bench:db). Prints figures; not a test.
 *
 * Orderbook delta rows go through the WriteQueue (src/persistence/write-queue.ts) into
 * orderbook_deltas with the project's bulk insert (`createRepositories(db).bulk.insertDeltas`: one
 * binary `COPY … FROM STDIN` per batch), side by side with the `INSERT … SELECT * FROM unnest(…)` it
 * replaced (same columns, same rows), on each driver:
 *  - PGlite in a fresh data dir under /tmp (removed afterwards);
 *  - Postgres at DATABASE_URL / TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test).
 *    The bench creates a scratch database next to it (traderv3_bench_<pid>) and drops it afterwards;
 *    if it may not create databases it uses the given one and deletes its own rows (its session id)
 *    at the end. Unreachable: skipped with a message.
 *
 * Two figures per driver:
 *  1. Throughput: N rows pushed at once, then `flush()`; rows/s for maxBatch 500 / 2,000 / 5,000,
 *     COPY and unnest. Target on Postgres: ≥ 150k rows/s with COPY. On Postgres, interleaved with
 *     them: the server's side alone (the same rows, encoded once to a file, loaded by one
 *     `psql \copy … (format binary)`), and ours as a fraction of that physical limit.
 *  2. Sustained rate: deltas fed at 2k … 40k msgs/s (one row per message, rows built on the fly as
 *     a collector would) for a few seconds each, policy 'shed', default capacity 50,000 rows. Per
 *     rate: rows written, shed, max depth, backlog when the feed stops, p50/p99 flush latency. A
 *     rate "keeps up" when nothing was shed AND the backlog when the feed stops is at most two
 *     batches or half a second of messages (a rate above capacity can otherwise hide in the 50k
 *     buffer for a few seconds; one that keeps up holds about a batch queued and one in flight).
 *
 * Options: --rates 2000,5000,… --seconds S (per rate) --rows N (throughput rows per batch size)
 *          --drivers pglite,pg --max-batch B (sustained test batch size) --runs R (throughput repeats,
 *          median) --json FILE (summary rows for `npm run bench`).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import type { Database, DeltaRow } from '../src/persistence/index.js';
import { createRepositories, maskDatabaseUrl, migrate, openDatabase } from '../src/persistence/index.js';
import { DELTA_COLUMNS } from '../src/persistence/repos/bulk.js';
import { copyInsert } from '../src/persistence/repos/copy.js';
import { unnestInsert } from '../src/persistence/repos/unnest.js';
import { createWriteQueue } from '../src/persistence/write-queue.js';
import { makeDelta } from './lib/deltas.js';
import { PG_URL as DEFAULT_PG_URL, scratchDatabase } from './lib/procs.js';
import {
  argNumber,
  argValue,
  emitSummary,
  fmt,
  loadNote,
  median,
  percentile,
  type SummaryRow,
  textTable as table,
} from './lib/report.js';

// ---------- options ----------

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
const RUNS = Math.floor(argNumber('runs', 3));
const PG_URL = DEFAULT_PG_URL;
const COPY_TARGET = 150_000;
const SUSTAINED_TARGET = 5_000;
const summary: SummaryRow[] = [];
const SESSION_ID = `bench-${process.pid}-${Date.now()}`;

// ---------- helpers ----------

async function countRows(database: Database): Promise<number> {
  const [row] = await database.query<{ n: number }>(
    'select count(*)::int as n from orderbook_deltas where session_id = $1',
    [SESSION_ID],
  );
  return row?.n ?? 0;
}

// ---------- 1. throughput by batch size ----------

type Method = 'copy' | 'unnest';

interface ThroughputResult {
  method: Method;
  batch: number;
  rows: number;
  seconds: number;
}

/** The insert the project used before COPY: one `INSERT … SELECT * FROM unnest(…)` per batch. */
const unnestDeltas = unnestInsert<DeltaRow>('orderbook_deltas', DELTA_COLUMNS);

function writer(database: Database, method: Method): (rows: readonly DeltaRow[]) => Promise<number> {
  const repos = createRepositories(database);
  return method === 'copy'
    ? (rows) => repos.bulk.insertDeltas(rows)
    : (rows) => unnestDeltas.run(database, rows);
}

async function throughput(
  database: Database,
  method: Method,
  batch: number,
  rows: number,
): Promise<ThroughputResult> {
  const write = writer(database, method);
  const now = Date.now();
  const prepared = Array.from({ length: rows }, (_, i) => makeDelta(SESSION_ID, i, now + i));
  const queue = createWriteQueue({
    kinds: {
      deltas: {
        flush: async (batchRows: readonly DeltaRow[]) => {
          await write(batchRows);
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
  return { method, batch, rows, seconds };
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
        queue.push('deltas', makeDelta(SESSION_ID, sent, at));
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

/**
 * The server's side alone: the same rows, encoded once by the project's COPY encoder into a file,
 * loaded by `psql \copy … with (format binary)` (one COPY of all of them; psql reads the file and
 * sends it). Undefined when psql is not installed. What ours is compared with: the physical limit
 * of this box for this table, indexes and WAL included.
 */
function serverAlone(url: string, dir: string): (() => number) | undefined {
  try {
    execFileSync('psql', ['--version'], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  const at = Date.now();
  const rows = Array.from({ length: THROUGHPUT_ROWS }, (_, i) => makeDelta(SESSION_ID, i, at + (i >> 4)));
  const copy = copyInsert<DeltaRow>('orderbook_deltas', DELTA_COLUMNS);
  const file = join(dir, 'deltas.pgcopy');
  writeFileSync(file, copy.encode(rows));
  const columns = DELTA_COLUMNS.map((c) => c.name).join(', ');
  return () => {
    const t0 = performance.now();
    execFileSync('psql', [
      url,
      '-q',
      '-v',
      'ON_ERROR_STOP=1',
      '-c',
      `\\copy orderbook_deltas (${columns}) from '${file}' with (format binary)`,
    ]);
    return THROUGHPUT_ROWS / ((performance.now() - t0) / 1000);
  };
}

async function runDriver(label: string, database: Database, url?: string): Promise<void> {
  console.log(`\n=== ${label} ===`);

  const dir = mkdtempSync(join(tmpdir(), 'traderv3-bench-copy-'));
  const server = url === undefined ? undefined : serverAlone(url, dir);
  // Median rows/s of RUNS runs per (method, batch), the two methods and the server alone interleaved.
  const rate = new Map<string, number[]>();
  const alone: number[] = [];
  try {
    for (let run = 0; run < RUNS; run++) {
      for (const batch of BATCHES) {
        for (const method of ['copy', 'unnest'] as const) {
          const r = await throughput(database, method, batch, THROUGHPUT_ROWS);
          const key = `${method}:${batch}`;
          rate.set(key, [...(rate.get(key) ?? []), r.rows / r.seconds]);
          await database.query('delete from orderbook_deltas where session_id = $1', [SESSION_ID]);
        }
      }
      if (server) {
        alone.push(server());
        await database.query('delete from orderbook_deltas where session_id = $1', [SESSION_ID]);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const med = (method: Method, batch: number) => median(rate.get(`${method}:${batch}`) ?? []);
  console.log(
    `\nThroughput: ${fmt(THROUGHPUT_ROWS)} delta rows pushed at once, then flush() (one flush in flight); ` +
      `median of ${RUNS} runs; ${await loadNote()}`,
  );
  console.log(
    table(
      ['maxBatch', 'COPY rows/s', 'unnest rows/s', 'COPY / unnest'],
      BATCHES.map((b) => [
        fmt(b),
        fmt(med('copy', b)),
        fmt(med('unnest', b)),
        `${(med('copy', b) / med('unnest', b)).toFixed(2)}×`,
      ]),
    ),
  );
  const bestBatch = BATCHES.reduce((a, b) => (med('copy', b) > med('copy', a) ? b : a));
  const copyBest = med('copy', bestBatch);
  const limit = alone.length > 0 ? median(alone) : undefined;
  if (limit !== undefined) {
    console.log(
      `server alone (psql \\copy of the same ${fmt(THROUGHPUT_ROWS)} rows, binary, one COPY): ${fmt(limit)} rows/s ` +
        `(runs ${alone.map((r) => fmt(r)).join(' / ')}); ours at maxBatch ${fmt(bestBatch)} / server alone: ` +
        `${(copyBest / limit).toFixed(2)}×`,
    );
  } else if (url !== undefined) console.log('server alone: skipped (psql is not installed)');
  summary.push({
    bench: `write queue → ${label} (COPY)`,
    metric: 'rows/s',
    ours: fmt(copyBest),
    versus: `${fmt(med('unnest', bestBatch))} (unnest insert)`,
    ratio: `${(copyBest / med('unnest', bestBatch)).toFixed(2)}×`,
    target: label === 'Postgres' ? `≥ ${fmt(COPY_TARGET)}` : '',
    met: label === 'Postgres' ? copyBest >= COPY_TARGET : undefined,
    note:
      `maxBatch ${fmt(bestBatch)}, median of ${RUNS}` +
      (limit === undefined
        ? ''
        : `; server alone (psql \\copy) ${fmt(limit)} rows/s: ${(copyBest / limit).toFixed(2)}× of it`) +
      `; ${await loadNote()}`,
  });

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
  const atTarget = results.find((r) => r.rate === SUSTAINED_TARGET);
  summary.push({
    bench: `write queue → ${label}, sustained`,
    metric: 'msgs/s kept up, 0 shed',
    ours: best ? fmt(best.rate) : 'none',
    versus: '',
    ratio: '',
    target: `0 shed at ${fmt(SUSTAINED_TARGET)} msgs/s`,
    met: atTarget === undefined ? undefined : atTarget.keptUp && atTarget.shed === 0,
    note: atTarget
      ? `at ${fmt(SUSTAINED_TARGET)}/s: shed ${fmt(atTarget.shed)}, p99 flush ${fmt(atTarget.p99, 1)} ms`
      : `${fmt(SUSTAINED_TARGET)}/s not in --rates`,
  });
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

async function benchPostgres(): Promise<void> {
  const probe = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3_000 });
  try {
    await probe.connect();
    await probe.end();
  } catch (err) {
    console.log(`\nPostgres: skipped, ${maskDatabaseUrl(PG_URL)} is unreachable (${(err as Error).message})`);
    return;
  }
  const scratch = await scratchDatabase('bench');
  try {
    const database = await openDatabase({ url: scratch?.url ?? PG_URL });
    try {
      await migrate(database);
      const [v] = await database.query<{ v: string }>(`select current_setting('server_version') as v`);
      console.log(`\nPostgres ${v?.v ?? '?'}: ${database.target}`);
      await runDriver('Postgres', database, scratch?.url ?? PG_URL);
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
  if (DRIVERS.includes('pg')) await benchPostgres();
  if (DRIVERS.includes('pglite')) await benchPglite();
  emitSummary(summary);
  console.log(`\ntotal ${fmt((performance.now() - started) / 1000, 1)} s`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
