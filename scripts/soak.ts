/**
 * Soak: `npm run soak -- --minutes 60`. Not in CI (it is long by design).
 *
 * Starts `traderv3 exchange-sim` (background activity on) and `traderv3 start` against it (the
 * hardcoded strategy trading, Postgres when TEST_DATABASE_URL/DATABASE_URL reaches a server, else
 * PGlite), with scripts/soak-probe.mjs loaded into the trader. Every --fault-every seconds it
 * injects the next fault of a cycle through the simulator's /_sim/faults (dropped WebSockets, a seq
 * gap, duplicated deltas, 429s, a latency spike, a pause/resume of the exchange, a corrupted book
 * delta, a lost fill frame), lifting the lasting ones again after 15 s.
 *
 * Every --sample seconds (default 10) it records: heap used/total, RSS, event-loop delay (p50, p99,
 * max over the interval), open handles (timers, sockets) — from the probe inside the trader — and
 * the write-queue depth from the trader's /metrics. Output in --out (default soak-out/<time>/):
 * samples.csv, chart.html (uPlot, from npm, inlined: opens offline), summary.json; the summary is
 * printed too: the heap and RSS slope after warm-up (least squares, MB per hour; flat is the
 * goal), faults injected, READY recoveries, errors, halts, and the orders and fills of the run (a
 * trader that halted early would make a flat heap meaningless; the order group's limit is lifted
 * for that reason).
 *
 * Options: --minutes N (60) --sample S (10) --fault-every S (90) --warmup-minutes W (max(2, a third))
 *          --markets N (12) --sim-rate R (40) --out DIR
 *
 * The warm-up is a third of the run (20 minutes of 60): the order store keeps an ended order 15
 * minutes (src/services/orders/store.ts), so a busy trader's heap fills for that long before it
 * can be flat.
 */
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isState, type LogLine, ROOT, scratchDatabase, spawnBin, startSim } from '../bench/lib/procs.js';
import { argNumber, argValue, fmt } from '../bench/lib/report.js';

const MINUTES = argNumber('minutes', 60);
const SAMPLE_S = argNumber('sample', 10);
const FAULT_EVERY_S = argNumber('fault-every', 90);
const WARMUP_MIN = argNumber('warmup-minutes', Math.max(2, MINUTES / 3));
const MARKETS = Math.floor(argNumber('markets', 12));
const SIM_RATE = argNumber('sim-rate', 40);
/** An event-loop block this long is reported as a stall. */
const STALL_MS = 1_000;
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const OUT = argValue('out') ?? join(ROOT, 'soak-out', stamp);

interface Probe {
  t: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  eldP50Ms: number;
  eldP99Ms: number;
  eldMaxMs: number;
  handles: number;
  timers: number;
  sockets: number;
}

interface Sample extends Probe {
  minute: number;
  writeQueueDepth: number;
  fault: string;
}

const FAULTS: Array<{ name: string; on: Record<string, unknown>; off?: Record<string, unknown> }> = [
  { name: 'drop_ws_connections', on: { action: 'drop_ws_connections' } },
  { name: 'skip_seq', on: { action: 'skip_seq', count: 2 } },
  { name: 'http_429 ×5', on: { action: 'http_429', count: 5 } },
  { name: 'duplicate_deltas', on: { action: 'duplicate_deltas', count: 3 } },
  {
    name: 'latency 400 ms',
    on: { action: 'latency', ms: 400 },
    off: { action: 'latency', ms: 0 },
  },
  { name: 'corrupt_book', on: { action: 'corrupt_book', count: 1 } },
  {
    name: 'pause_exchange',
    on: { action: 'pause_exchange' },
    off: { action: 'resume_exchange' },
  },
  { name: 'reorder_deltas', on: { action: 'reorder_deltas', count: 2 } },
  { name: 'drop_fill_messages', on: { action: 'drop_fill_messages', count: 1 } },
  { name: 'reject_ws_upgrades + drop', on: { action: 'reject_ws_upgrades', count: 2 } },
];

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Least-squares slope of y over x. */
function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  if (n < 2) return Number.NaN;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += ((xs[i] as number) - mx) * ((ys[i] as number) - my);
    den += ((xs[i] as number) - mx) ** 2;
  }
  return den === 0 ? Number.NaN : num / den;
}

async function writeQueueDepth(metricsUrl: string | undefined): Promise<number> {
  if (!metricsUrl) return Number.NaN;
  try {
    const res = await fetch(metricsUrl, { signal: AbortSignal.timeout(3_000) });
    const text = await res.text();
    let depth = 0;
    let seen = false;
    for (const line of text.split('\n')) {
      if (line.startsWith('traderv3_write_queue_depth')) {
        depth += Number(line.slice(line.lastIndexOf(' ') + 1));
        seen = true;
      }
    }
    return seen ? depth : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

const MB = 1024 * 1024;

function chartHtml(samples: readonly Sample[], summary: Record<string, unknown>): string {
  const uplotJs = readFileSync(join(ROOT, 'node_modules', 'uplot', 'dist', 'uPlot.iife.min.js'), 'utf8');
  const uplotCss = readFileSync(join(ROOT, 'node_modules', 'uplot', 'dist', 'uPlot.min.css'), 'utf8');
  const col = (f: (s: Sample) => number) => samples.map((s) => (Number.isFinite(f(s)) ? f(s) : null));
  const data = {
    t: samples.map((s) => s.t / 1000),
    rss: col((s) => s.rss / MB),
    heapUsed: col((s) => s.heapUsed / MB),
    heapTotal: col((s) => s.heapTotal / MB),
    eldP50: col((s) => s.eldP50Ms),
    eldP99: col((s) => s.eldP99Ms),
    eldMax: col((s) => s.eldMaxMs),
    handles: col((s) => s.handles),
    depth: col((s) => s.writeQueueDepth),
    faults: samples.filter((s) => s.fault !== '').map((s) => ({ t: s.t / 1000, name: s.fault })),
  };
  const script = `
const d = ${JSON.stringify(data)};
const W = Math.min(1100, window.innerWidth - 40);
const faultLines = (u) => {
  const ctx = u.ctx; ctx.save(); ctx.strokeStyle = '#c33'; ctx.setLineDash([4, 4]);
  for (const f of d.faults) {
    const x = u.valToPos(f.t, 'x', true);
    ctx.beginPath(); ctx.moveTo(x, u.bbox.top); ctx.lineTo(x, u.bbox.top + u.bbox.height); ctx.stroke();
  }
  ctx.restore();
};
const chart = (title, series, cols, el) => new uPlot({ title, width: W, height: 260,
  series: [{}, ...series], hooks: { draw: [faultLines] } }, [d.t, ...cols], document.getElementById(el));
chart('Memory (MB)', [{ label: 'RSS', stroke: '#1f77b4' }, { label: 'heap used', stroke: '#2ca02c' },
  { label: 'heap total', stroke: '#98df8a' }], [d.rss, d.heapUsed, d.heapTotal], 'mem');
chart('Event-loop delay (ms)', [{ label: 'p50', stroke: '#2ca02c' }, { label: 'p99', stroke: '#ff7f0e' },
  { label: 'max', stroke: '#d62728' }], [d.eldP50, d.eldP99, d.eldMax], 'eld');
chart('Open handles / write-queue depth', [{ label: 'handles', stroke: '#9467bd' },
  { label: 'write-queue depth (rows)', stroke: '#8c564b' }], [d.handles, d.depth], 'res');
document.getElementById('faults').textContent = d.faults.map((f) => new Date(f.t * 1000).toISOString().slice(11, 19) + ' ' + f.name).join('\\n');
`;
  return `<!doctype html><html><head><meta charset="utf-8"><title>traderv3 soak</title>
<style>${uplotCss} body{font:14px system-ui,sans-serif;margin:20px} pre{background:#f5f5f5;padding:8px}</style>
</head><body><h1>traderv3 soak</h1>
<pre>${JSON.stringify(summary, null, 2).replace(/</g, '&lt;')}</pre>
<p>Dashed red lines: faults injected.</p><div id="mem"></div><div id="eld"></div><div id="res"></div>
<h2>Faults</h2><pre id="faults"></pre>
<script>${uplotJs}</script><script>${script}</script></body></html>`;
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const work = join(tmpdir(), `traderv3-soak-${process.pid}`);
  mkdirSync(work, { recursive: true });
  const probeFile = join(work, 'probe.jsonl');
  const csv = join(OUT, 'samples.csv');
  writeFileSync(
    csv,
    'time,minute,rss_mb,heap_used_mb,heap_total_mb,external_mb,eld_p50_ms,eld_p99_ms,eld_max_ms,handles,timers,sockets,write_queue_depth,fault\n',
  );
  const scratch = await scratchDatabase('soak');
  console.log(
    `soak: ${MINUTES} min, sample every ${SAMPLE_S} s, a fault every ${FAULT_EVERY_S} s, warm-up ${fmt(WARMUP_MIN, 1)} min; ` +
      `database ${scratch ? 'Postgres (scratch)' : 'PGlite'}; out ${OUT}`,
  );
  const sim = await startSim({
    markets: Math.max(MARKETS, 12),
    rate: SIM_RATE,
    credentials: join(work, 'sim.json'),
    rateLimit: 'basic',
  });
  const counts = { ready: 0, error: 0, halted: 0, faults: 0, warnLines: 0 };
  let metricsUrl: string | undefined;
  let traded: { orders: number; fills: number } | undefined;
  const calibrations: Array<{ at: string; durationMs: number; fills: number; attempts: number }> = [];
  const [toReady, toError, toHalted] = [isState('READY'), isState('ERROR'), isState('HALTED')];
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
      String(MARKETS),
      '--strategy',
      'hardcoded',
      // The soak measures a trader that keeps trading. At the default group limit (500 contracts
      // in 15 s) the hardcoded strategy on this busy simulator trips the order group within a
      // minute and the trader sits HALTED for the rest of the run (README, "Order group").
      '--order-group-limit',
      '1000000',
      // The hardcoded strategy pays taker fees and loses money on the simulator: at the default
      // daily loss limit ($50) the breaker halts it within minutes (seen at 7 min). The breaker is
      // tested elsewhere; here it would stop what is being measured.
      '--max-daily-loss-dollars',
      '1000000',
    ],
    {
      nodeArgs: ['--import', join(ROOT, 'scripts', 'soak-probe.mjs')],
      env: {
        TRADERV3_PROBE_FILE: probeFile,
        TRADERV3_PROBE_MS: String(SAMPLE_S * 1000),
        ...(scratch ? { DATABASE_URL: scratch.url } : {}),
      },
      keepLines: false,
      onLine: (l: LogLine) => {
        if (toReady(l)) counts.ready++;
        if (toError(l)) counts.error++;
        const halted = toHalted(l);
        if (halted) counts.halted++;
        // Why a halt happened is printed as it happens (the trader's other lines are not kept).
        if (halted || l.event === 'breaker_tripped') console.log(`  trader: ${String(l.msg ?? l.event)}`);
        if (l.event === 'summary') traded = { orders: Number(l.orders_placed), fills: Number(l.fills) };
        // Each calibration (start, every reconnect, operator sync): how long, how much it read.
        if (l.event === 'calibrated')
          calibrations.push({
            at: new Date().toISOString(),
            durationMs: Number(l.durationMs),
            fills: Number(l.fills),
            attempts: Number(l.attempts),
          });
        if (l.event === 'dashboard' && typeof l.url === 'string')
          metricsUrl = new URL('/metrics', l.url).href;
        if (
          l.level === 'warn' ||
          l.level === 'error' ||
          l.level === 'fatal' ||
          (typeof l.level === 'number' && l.level >= 40)
        )
          counts.warnLines++;
      },
    },
  );
  const samples: Sample[] = [];
  const faultLog: Array<{ at: string; fault: string }> = [];
  let stopping = false;
  const stop = async () => {
    stopping = true;
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await trader.waitFor(isState('READY'), 180_000, 'the trader to reach READY');
    const started = Date.now();
    const end = started + MINUTES * 60_000;
    let nextFault = started + FAULT_EVERY_S * 1000;
    let faultIndex = 0;
    let pendingFault = '';
    let consumed = 0;
    while (Date.now() < end && !stopping) {
      await sleep(1_000);
      if (trader.child.exitCode !== null) throw new Error(`the trader exited (${trader.child.exitCode})`);
      if (Date.now() >= nextFault) {
        const f = FAULTS[faultIndex % FAULTS.length] as (typeof FAULTS)[number];
        faultIndex++;
        nextFault += FAULT_EVERY_S * 1000;
        try {
          await sim.fault(f.on);
          if (f.name.startsWith('reject_ws_upgrades')) await sim.fault({ action: 'drop_ws_connections' });
          counts.faults++;
          pendingFault = pendingFault ? `${pendingFault}+${f.name}` : f.name;
          faultLog.push({ at: new Date().toISOString(), fault: f.name });
          if (f.off) {
            const off = f.off;
            setTimeout(() => void sim.fault(off).catch(() => undefined), 15_000);
          }
        } catch (err) {
          console.error(`fault ${f.name} failed: ${(err as Error).message}`);
        }
      }
      let text = '';
      try {
        text = readFileSync(probeFile, 'utf8');
      } catch {
        continue;
      }
      const lines = text.split('\n').filter((l) => l.length > 0);
      for (; consumed < lines.length; consumed++) {
        const p = JSON.parse(lines[consumed] as string) as Probe;
        const s: Sample = {
          ...p,
          minute: (p.t - started) / 60_000,
          writeQueueDepth: await writeQueueDepth(metricsUrl),
          fault: pendingFault,
        };
        pendingFault = '';
        samples.push(s);
        appendFileSync(
          csv,
          `${new Date(s.t).toISOString()},${s.minute.toFixed(2)},${(s.rss / MB).toFixed(2)},${(s.heapUsed / MB).toFixed(2)},` +
            `${(s.heapTotal / MB).toFixed(2)},${(s.external / MB).toFixed(2)},${s.eldP50Ms.toFixed(2)},${s.eldP99Ms.toFixed(2)},` +
            `${s.eldMaxMs.toFixed(2)},${s.handles},${s.timers},${s.sockets},${Number.isFinite(s.writeQueueDepth) ? s.writeQueueDepth : ''},${s.fault}\n`,
        );
        if (samples.length % 6 === 0) {
          console.log(
            `${s.minute.toFixed(1).padStart(6)} min  rss ${(s.rss / MB).toFixed(0)} MB  heap ${(s.heapUsed / MB).toFixed(1)} MB  ` +
              `eld p99 ${s.eldP99Ms.toFixed(1)} ms  handles ${s.handles}  wq ${s.writeQueueDepth}  READY×${counts.ready} faults ${counts.faults}`,
          );
        }
      }
    }
  } finally {
    const code = await trader.stop(30_000);
    await sim.proc.stop();
    await scratch?.drop().catch(() => undefined);
    const after = samples.filter((s) => s.minute >= WARMUP_MIN);
    const hours = after.map((s) => s.minute / 60);
    const heapSlope = slope(
      hours,
      after.map((s) => s.heapUsed / MB),
    );
    const rssSlope = slope(
      hours,
      after.map((s) => s.rss / MB),
    );
    const meanHeap = after.reduce((a, s) => a + s.heapUsed / MB, 0) / Math.max(1, after.length);
    const summary = {
      minutes: samples.at(-1)?.minute ?? 0,
      samples: samples.length,
      warmupMinutes: WARMUP_MIN,
      samplesAfterWarmup: after.length,
      heapSlopeMbPerHour: Number(heapSlope.toFixed(3)),
      heapSlopePctOfMeanPerHour: Number(((heapSlope / meanHeap) * 100).toFixed(2)),
      rssSlopeMbPerHour: Number(rssSlope.toFixed(3)),
      heapUsedMb: {
        first: Number(((after[0]?.heapUsed ?? Number.NaN) / MB).toFixed(1)),
        last: Number(((after.at(-1)?.heapUsed ?? Number.NaN) / MB).toFixed(1)),
        max: Number((Math.max(...samples.map((s) => s.heapUsed)) / MB).toFixed(1)),
      },
      rssMb: { max: Number((Math.max(...samples.map((s) => s.rss)) / MB).toFixed(1)) },
      eldP99MsMax: Number(Math.max(...samples.map((s) => s.eldP99Ms)).toFixed(1)),
      eldMaxMs: Number(Math.max(...samples.map((s) => s.eldMaxMs)).toFixed(1)),
      /** Sample intervals in which the trader's event loop was blocked a second or more at once. */
      stallsOver1s: samples.filter((s) => s.eldMaxMs >= STALL_MS).length,
      handles: { first: samples[0]?.handles, last: samples.at(-1)?.handles },
      /** Every calibration (the first too): the fills of the session each read, how long each took. */
      calibrations: {
        count: calibrations.length,
        first: calibrations[0],
        last: calibrations.at(-1),
        maxDurationMs: Math.max(0, ...calibrations.map((c) => c.durationMs)),
      },
      writeQueueDepthMax: Math.max(0, ...samples.map((s) => s.writeQueueDepth).filter(Number.isFinite)),
      faultsInjected: counts.faults,
      readyEntries: counts.ready,
      errorEntries: counts.error,
      haltedEntries: counts.halted,
      ordersPlaced: traded?.orders,
      fills: traded?.fills,
      warnOrErrorLogLines: counts.warnLines,
      traderExitCode: code,
      database: scratch ? 'postgres' : 'pglite',
      load: (await import('node:os')).loadavg().map((x) => Number(x.toFixed(1))),
      faults: faultLog,
    };
    writeFileSync(join(OUT, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    writeFileSync(join(OUT, 'chart.html'), chartHtml(samples, { ...summary, faults: undefined }));
    console.log(`\n${JSON.stringify({ ...summary, faults: undefined }, null, 2)}`);
    if (summary.stallsOver1s > 0)
      console.log(
        `\nthe trader's event loop stalled ${STALL_MS / 1000} s or more in ${summary.stallsOver1s} sample interval(s) (longest ${fmt(summary.eldMaxMs / 1000, 1)} s): it was not reading its sockets then`,
      );
    if (counts.halted > 0)
      console.log(
        `\nthe trader halted ${counts.halted} time(s): these figures cover a trader that was not trading all along`,
      );
    console.log(
      `\nheap slope after warm-up: ${fmt(heapSlope, 2)} MB/h (${fmt((heapSlope / meanHeap) * 100, 1)} % of ${fmt(meanHeap, 1)} MB per hour)`,
    );
    console.log(`samples: ${csv}\nchart:   ${join(OUT, 'chart.html')}`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
