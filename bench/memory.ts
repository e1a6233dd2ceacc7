/**
 * Memory with many markets: `traderv3 start --markets N --strategy none` (a collector of every
 * book) against an external `traderv3 exchange-sim --markets N` with background activity, recording
 * into Postgres (a scratch database beside TEST_DATABASE_URL; PGlite when no server answers). After
 * READY (every book live) the trader runs --seconds more while scripts/soak-probe.mjs, loaded into
 * it, samples RSS and heap every 2 s. Printed per N (default 100 and 1,000): RSS and heap used, the
 * median and the max over the window, and the books the trader holds. Target: < 250 MB RSS at 1,000.
 *
 *   npm run bench:memory [-- --markets 100,1000 --seconds 60 --sim-rate 200]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isState, ROOT, scratchDatabase, spawnBin, startSim } from './lib/procs.js';
import {
  argNumber,
  argValue,
  emitSummary,
  fmt,
  loadNote,
  median,
  type SummaryRow,
  textTable,
} from './lib/report.js';

const SIZES = (argValue('markets') ?? '100,1000').split(',').map(Number);
const SECONDS = argNumber('seconds', 60);
const SIM_RATE = argNumber('sim-rate', 200);
const TARGET_MB = 250;
const MB = 1024 * 1024;

interface Result {
  markets: number;
  books: number;
  rssMed: number;
  rssMax: number;
  heapMed: number;
  heapMax: number;
  readySeconds: number;
  database: string;
}

async function measure(markets: number): Promise<Result> {
  const work = mkdtempSync(join(tmpdir(), 'traderv3-memory-'));
  const probe = join(work, 'probe.jsonl');
  const scratch = await scratchDatabase(`mem${markets}`);
  const sim = await startSim({
    markets,
    rate: SIM_RATE,
    credentials: join(work, 'sim.json'),
    rateLimit: 'off',
  });
  let books = 0;
  const started = Date.now();
  const trader = spawnBin(
    [
      'start',
      '--env',
      'sim',
      '--credentials',
      join(work, 'sim.json'),
      '--data-dir',
      join(work, 'data'),
      '--markets',
      String(markets),
      '--strategy',
      'none',
    ],
    {
      nodeArgs: ['--import', join(ROOT, 'scripts', 'soak-probe.mjs')],
      env: {
        TRADERV3_PROBE_FILE: probe,
        TRADERV3_PROBE_MS: '2000',
        ...(scratch ? { DATABASE_URL: scratch.url } : {}),
      },
      keepLines: false,
      onLine: (l) => {
        if (l.event === 'state' && l.to === 'READY' && Array.isArray(l.books)) books = l.books.length;
      },
    },
  );
  try {
    await trader.waitFor(isState('READY'), 600_000, `READY with ${markets} markets`);
    const readySeconds = (Date.now() - started) / 1000;
    const from = Date.now();
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    if (trader.child.exitCode !== null) throw new Error(`the trader exited (${trader.child.exitCode})`);
    const samples = readFileSync(probe, 'utf8')
      .split('\n')
      .filter((l) => l.length > 0)
      .map(
        (l) =>
          JSON.parse(l) as { t: number; rss: number; heapUsed: number; heapTotal: number; external: number },
      )
      .filter((s) => s.t >= from);
    const rss = samples.map((s) => s.rss / MB);
    const heap = samples.map((s) => s.heapUsed / MB);
    const last = samples.at(-1);
    if (last) {
      console.log(
        `${markets} markets, last sample: rss ${fmt(last.rss / MB, 0)} MB, heap used ${fmt(last.heapUsed / MB, 0)} / total ${fmt(last.heapTotal / MB, 0)} MB, external ${fmt(last.external / MB, 0)} MB`,
      );
    }
    return {
      markets,
      books,
      rssMed: median(rss),
      rssMax: Math.max(...rss),
      heapMed: median(heap),
      heapMax: Math.max(...heap),
      readySeconds,
      database: scratch ? 'Postgres' : 'PGlite',
    };
  } finally {
    await trader.stop(30_000);
    await sim.proc.stop();
    await scratch?.drop().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  console.log(
    `memory — markets ${SIZES.join(', ')}; ${SECONDS} s after READY; sim activity ${SIM_RATE}/s; ${await loadNote()}`,
  );
  const results: Result[] = [];
  for (const n of SIZES) results.push(await measure(n));
  console.log(
    textTable(
      ['markets', 'database', 'to READY s', 'RSS median MB', 'RSS max MB', 'heap median MB', 'heap max MB'],
      results.map((r) => [
        fmt(r.markets),
        r.database,
        fmt(r.readySeconds, 1),
        fmt(r.rssMed, 0),
        fmt(r.rssMax, 0),
        fmt(r.heapMed, 0),
        fmt(r.heapMax, 0),
      ]),
    ),
  );
  const rows: SummaryRow[] = results.map((r) => ({
    bench: `memory, ${fmt(r.markets)} markets with full books (external sim, ${r.database})`,
    metric: 'RSS max / heap max MB',
    ours: `${fmt(r.rssMax, 0)} / ${fmt(r.heapMax, 0)}`,
    versus: '',
    ratio: '',
    target: r.markets >= 1000 ? `< ${TARGET_MB} MB RSS` : '',
    met: r.markets >= 1000 ? r.rssMax < TARGET_MB : undefined,
    note: `median RSS ${fmt(r.rssMed, 0)} MB over ${SECONDS} s after READY (${fmt(r.readySeconds, 1)} s to READY)`,
  }));
  emitSummary(rows);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
