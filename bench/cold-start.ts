/**
 * Cold start to READY: `traderv3 start --env sim` (embedded simulator, embedded PGlite) on a warm
 * data folder (migrated by a first, untimed run), from spawning the process to its
 * `{"event":"state","to":"READY"}` log line. Side by side: the command compiled at install
 * (dist/, what bin/ runs) and the TypeScript sources through tsx (TRADERV3_FROM_SOURCE=1, what
 * every start cost before), and `npx traderv3` (what the README types) on the compiled build.
 * Each start is stopped with SIGTERM once READY. Prints a table, and where the compiled start's
 * time goes (from its log lines' timestamps, per stage); not a test.
 *
 *   npm run bench:start [-- --runs 5]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { isState, type LogLine, ROOT, spawnBin } from './lib/procs.js';
import { argNumber, emitSummary, fmt, loadNote, median, textTable } from './lib/report.js';

const RUNS = Math.floor(argNumber('runs', 5));
const TARGET_S = 1.5;
const dataDir = mkdtempSync(join(tmpdir(), 'traderv3-coldstart-'));
const args = ['start', '--env', 'sim', '--data-dir', dataDir, '--strategy', 'none'];

/**
 * CPU seconds (user + system) the process has used so far, from /proc (Linux); with `mainThread`,
 * those of its JavaScript thread only (the start's critical path: V8's compiler and GC helpers
 * and libuv's pool run beside it on the second core).
 */
function cpuSeconds(pid: number | undefined, mainThread = false): number {
  try {
    const stat = readFileSync(mainThread ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

const cpu: Record<'compiled' | 'source', number[]> = { compiled: [], source: [] };
const mainCpu: Record<'compiled' | 'source', number[]> = { compiled: [], source: [] };

/**
 * The stages of a start, each ending at the first log line that matches: what the process did
 * before it (node, the command's modules, the config), then the runtime's own steps.
 */
const STAGES: ReadonlyArray<readonly [string, (l: LogLine) => boolean]> = [
  ['node + command loaded, config read', (l) => l.event === 'config'],
  ['runtime loaded, simulator up', (l) => l.event === 'simulator'],
  ['database open + migrations, session', (l) => l.event === 'record'],
  ['machine started', isState('STARTUP')],
  ['orderbook connected', isState('TRADING_CLIENT_CONNECT')],
  ['trading client connected', isState('CALIBRATING')],
  ['calibrated: READY', isState('READY')],
];
/** Per stage, the seconds each compiled start spent in it. */
const stageSeconds: number[][] = STAGES.map(() => []);

function recordStages(spawnedAtMs: number, lines: readonly LogLine[]): void {
  let prev = spawnedAtMs;
  STAGES.forEach(([, match], i) => {
    const line = lines.find(match);
    const at = line === undefined ? Number.NaN : Date.parse(String(line.time));
    stageSeconds[i]?.push((at - prev) / 1000);
    if (!Number.isNaN(at)) prev = at;
  });
}

async function viaBin(fromSource: boolean): Promise<number> {
  const t0 = performance.now();
  const spawnedAtMs = Date.now();
  const proc = spawnBin(args, { env: fromSource ? { TRADERV3_FROM_SOURCE: '1' } : {} });
  await proc.waitFor(isState('READY'), 120_000, 'READY');
  const seconds = (performance.now() - t0) / 1000;
  cpu[fromSource ? 'source' : 'compiled'].push(cpuSeconds(proc.child.pid));
  mainCpu[fromSource ? 'source' : 'compiled'].push(cpuSeconds(proc.child.pid, true));
  if (!fromSource) recordStages(spawnedAtMs, proc.lines);
  await proc.stop();
  return seconds;
}

async function viaNpx(): Promise<number> {
  const t0 = performance.now();
  const child = spawn('npx', ['traderv3', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('npx traderv3: no READY in 120 s')), 120_000);
    createInterface({ input: child.stdout }).on('line', (text) => {
      if (text.includes('"event":"state"') && text.includes('"to":"READY"')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  const seconds = (performance.now() - t0) / 1000;
  // npx forwards SIGTERM to the trader, but exits without waiting for it: the next start waits
  // until the trader has let go of the data folder.
  child.kill('SIGTERM');
  await exited;
  const lock = join(dataDir, 'trader.lock');
  for (let waited = 0; existsSync(lock); waited += 20) {
    if (waited > 20_000) throw new Error(`npx traderv3: the trader still holds ${lock} 20 s after SIGTERM`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return seconds;
}

try {
  console.log(
    `cold start to READY — ${RUNS} runs each, warm PGlite folder, embedded simulator; ${await loadNote()}`,
  );
  await viaBin(false); // migrates the folder: the database is warm from here on
  cpu.compiled.length = 0;
  mainCpu.compiled.length = 0;
  for (const xs of stageSeconds) xs.length = 0;
  const compiled: number[] = [];
  const source: number[] = [];
  const npx: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    compiled.push(await viaBin(false));
    source.push(await viaBin(true));
    npx.push(await viaNpx());
  }
  const row = (name: string, xs: number[], cpuXs: number[] = [], mainXs: number[] = []) => [
    name,
    fmt(median(xs), 2),
    fmt(Math.min(...xs), 2),
    fmt(Math.max(...xs), 2),
    cpuXs.length > 0 ? fmt(median(cpuXs), 2) : '–',
    mainXs.length > 0 ? fmt(median(mainXs), 2) : '–',
    xs.map((x) => x.toFixed(2)).join(' '),
  ];
  console.log(
    textTable(
      ['start', 'median s', 'min s', 'max s', 'CPU s to READY', 'main thread', 'runs'],
      [
        row('node bin/traderv3.js (compiled, dist/)', compiled, cpu.compiled, mainCpu.compiled),
        row('node bin/traderv3.js (sources via tsx)', source, cpu.source, mainCpu.source),
        row('npx traderv3 (compiled)', npx),
      ],
    ),
  );
  console.log("\nwhere the compiled start's time goes (log line timestamps, ms resolution):");
  console.log(
    textTable(
      ['stage (ends at its log line)', 'median s', 'runs'],
      STAGES.map(([name], i) => {
        const xs = stageSeconds[i] ?? [];
        return [name, fmt(median(xs), 2), xs.map((x) => x.toFixed(2)).join(' ')];
      }),
    ),
  );
  const c = median(compiled);
  const s = median(source);
  console.log(
    `\ncompiled / tsx: ${(c / s).toFixed(2)}×   target < ${TARGET_S} s: ${c < TARGET_S ? 'met' : 'NOT met'}`,
  );
  emitSummary([
    {
      bench: 'cold start to READY (embedded sim, warm PGlite)',
      metric: 'median s',
      ours: fmt(c, 2),
      versus: `${fmt(s, 2)} (tsx at every start)`,
      ratio: `${(c / s).toFixed(2)}×`,
      target: `< ${TARGET_S} s`,
      met: c < TARGET_S,
      note: `CPU to READY ${fmt(median(cpu.compiled), 2)} s (main thread ${fmt(median(mainCpu.compiled), 2)} s) vs ${fmt(median(cpu.source), 2)} s; npx traderv3 ${fmt(median(npx), 2)} s; ${RUNS} runs; ${await loadNote()}`,
    },
  ]);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
