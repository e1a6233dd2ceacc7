/**
 * The trading thread's event-loop delay while the record writes the book stream into embedded
 * PGlite: PGlite in the trader's own thread (how it ran before 2026-11-30) side by side with PGlite
 * on a thread of its own (src/persistence/pglite-thread.ts, what `traderv3 start` runs). Deltas are
 * pushed into the write queue at a steady rate (policy 'shed', maxBatch 2,000, the recorder's
 * settings) for a few seconds; the main thread's event-loop delay is sampled by
 * `monitorEventLoopDelay` at 1 ms resolution. A delay here is a book delta or an order answer
 * waiting behind the database. Each run is a fresh process and a fresh data folder; median of runs.
 *
 *   npx tsx bench/record-loop-delay.ts [-- --rates 5000,20000 --seconds 6 --runs 2]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createRepositories, type DeltaRow, migrate, openDatabase } from '../src/persistence/index.js';
import { createWriteQueue } from '../src/persistence/write-queue.js';
import { makeDelta } from './lib/deltas.js';
import { argNumber, argValue, emitSummary, fmt, loadNote, median, textTable } from './lib/report.js';

interface One {
  thread: boolean;
  rate: number;
  pushed: number;
  written: number;
  shed: number;
  p50: number;
  p99: number;
  max: number;
}

/** One measurement in this process: `--one thread|in-process --rate R --seconds S`. */
async function measure(thread: boolean, rate: number, seconds: number): Promise<One> {
  const dir = mkdtempSync(join(tmpdir(), 'traderv3-loopdelay-'));
  const database = await openDatabase({ dataDir: dir, thread });
  try {
    await migrate(database);
    const repos = createRepositories(database);
    const queue = createWriteQueue({
      kinds: {
        deltas: {
          flush: async (rows: readonly DeltaRow[]) => {
            await repos.bulk.insertDeltas(rows);
          },
          policy: 'shed',
          maxBatch: 2_000,
        },
      },
      maxRows: 50_000,
    });
    const histogram = monitorEventLoopDelay({ resolution: 1 });
    histogram.enable();
    // Every 10 ms, the deltas of those 10 ms: a late timer pushes what it owes.
    const started = performance.now();
    let pushed = 0;
    const feed = setInterval(() => {
      const owed = Math.floor(((performance.now() - started) / 1000) * rate) - pushed;
      for (let i = 0; i < owed; i++)
        queue.push('deltas', makeDelta('bench-loop-delay', pushed + i, Date.now()));
      pushed += Math.max(0, owed);
    }, 10);
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    clearInterval(feed);
    histogram.disable();
    await queue.close();
    const totals = queue.stats().totals;
    return {
      thread,
      rate,
      pushed,
      written: totals.written,
      shed: totals.shed ?? 0,
      p50: histogram.percentile(50) / 1e6,
      p99: histogram.percentile(99) / 1e6,
      max: histogram.max / 1e6,
    };
  } finally {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const one = argValue('one');
if (one !== undefined) {
  const result = await measure(one === 'thread', argNumber('rate', 5_000), argNumber('seconds', 6));
  console.log(JSON.stringify(result));
  process.exit(0);
}

const RATES = (argValue('rates') ?? '5000,20000').split(',').map(Number);
const SECONDS = argNumber('seconds', 6);
const RUNS = Math.floor(argNumber('runs', 2));
const self = fileURLToPath(import.meta.url);

console.log(
  `event-loop delay while recording deltas into embedded PGlite — ${SECONDS} s per run, median of ${RUNS}; ${await loadNote()}`,
);
const results = new Map<string, One[]>();
for (let run = 0; run < RUNS; run++) {
  for (const rate of RATES) {
    for (const mode of ['in-process', 'thread']) {
      const out = execFileSync(
        process.execPath,
        ['--import', 'tsx', self, '--one', mode, '--rate', String(rate), '--seconds', String(SECONDS)],
        { encoding: 'utf8' },
      );
      const line = out.trim().split('\n').at(-1) ?? '';
      const key = `${mode} ${rate}`;
      results.set(key, [...(results.get(key) ?? []), JSON.parse(line) as One]);
    }
  }
}

const med = (xs: One[], f: (o: One) => number) => median(xs.map(f));
const rows: string[][] = [];
for (const rate of RATES) {
  for (const mode of ['in-process', 'thread']) {
    const xs = results.get(`${mode} ${rate}`) ?? [];
    rows.push([
      `PGlite ${mode === 'thread' ? 'on its own thread' : "in the trader's thread"}, ${fmt(rate)}/s`,
      fmt(med(xs, (o) => o.written)),
      fmt(med(xs, (o) => o.shed)),
      fmt(
        med(xs, (o) => o.p50),
        2,
      ),
      fmt(
        med(xs, (o) => o.p99),
        2,
      ),
      fmt(
        med(xs, (o) => o.max),
        1,
      ),
    ]);
  }
}
console.log(textTable(['record', 'rows written', 'shed', 'p50 ms', 'p99 ms', 'max ms'], rows));

const top = Math.max(...RATES);
const inProcess = results.get(`in-process ${top}`) ?? [];
const threaded = results.get(`thread ${top}`) ?? [];
emitSummary([
  {
    bench: `trading thread's event-loop delay while recording ${fmt(top)} deltas/s into embedded PGlite`,
    metric: 'p99 / max ms',
    ours: `${fmt(
      med(threaded, (o) => o.p99),
      2,
    )} / ${fmt(
      med(threaded, (o) => o.max),
      1,
    )}`,
    versus: `${fmt(
      med(inProcess, (o) => o.p99),
      2,
    )} / ${fmt(
      med(inProcess, (o) => o.max),
      1,
    )} (PGlite in the trader's thread)`,
    ratio: '',
    target: '',
    met: undefined,
    note: `PGlite on its own thread (what traderv3 start runs); write queue maxBatch 2,000, ${SECONDS} s, median of ${RUNS}; rows written ${fmt(med(threaded, (o) => o.written))} vs ${fmt(med(inProcess, (o) => o.written))}; ${await loadNote()}`,
  },
]);
