/**
 * Full ingest pipeline vs raw JSON.parse of the same frames — the ratio to the physical limit.
 *
 * Ours, per frame, all real code: KalshiWsClient's frame handler (utf-8 decode, JSON.parse, shape
 * and per-sid seq checks) → BookFeed (fixed-point parse, OrderBook.applyDelta) → the orderbook
 * integration's bus events (book.deltaReceived, book.updated) → the Recorder's listener pushing a
 * delta row onto its WriteQueue. The client is connected to a loopback server (which acknowledged
 * the subscription and sent the snapshots), then the frames are handed to its frame handler
 * directly, so socket reads are left out of both sides. The Recorder's repositories are no-ops:
 * the enqueue is measured, the database write is bench/persistence.ts's business. The delta lane
 * keeps its rows as columns (DeltaColumns) and builds the row objects when a batch is taken for
 * writing: that part runs in the drain between chunks, untimed in the ratio, and its CPU time per
 * frame is printed beside it (with a no-op write), so nothing moved out of sight.
 *
 * Frames go in as socket reads would deliver them: bursts of --burst frames (default 16, about
 * 4 KB; a busy socket's reads are larger) handed over synchronously, then a turn of the microtask
 * queue — per-read work (the client's receive clock) is paid once per burst, as in the trader, and
 * the awaits are timed on our side only.
 *
 * Raw: `JSON.parse(buffer.toString())` of the same Buffers. The two are measured side by side on
 * each chunk of 20,000 frames (who goes first alternates by chunk); the queue is drained (untimed)
 * between chunks, so nothing is shed. Time is both wall clock and CPU time (process.cpuUsage: all
 * of the process's threads, GC helpers included). On a shared machine the wall clock mostly
 * measures the scheduler, so the ratio and the target are judged on CPU time; the wall-clock ratio
 * is printed beside it. Ratio = median over --runs runs (default 7, after 2 warm-up runs) of that
 * run's raw time ÷ ours on the same frames.
 *
 *   npm run bench:ingest [-- --deltas 200000 --markets 8 --runs 7 --burst 16]
 */
import { performance } from 'node:perf_hooks';
import { createBus } from '../src/bus.js';
import type { Repositories } from '../src/persistence/index.js';
import { Recorder } from '../src/persistence/index.js';
import { connectBooks, makeFrames } from './lib/frames.js';
import { argNumber, emitSummary, fmt, loadNote, median, textTable } from './lib/report.js';

const DELTAS = Math.floor(argNumber('deltas', 200_000));
const MARKETS = Math.floor(argNumber('markets', 8));
const RUNS = Math.floor(argNumber('runs', 7));
const BURST = Math.floor(argNumber('burst', 16));
const CHUNK = 20_000;
const TARGET = 0.6;

/** Repositories whose every method resolves at once with 0: writes cost nothing here. */
function noopRepos(): Repositories {
  const method = async () => 0;
  const repo = new Proxy({}, { get: () => method });
  return new Proxy({}, { get: () => repo }) as Repositories;
}

let sink = 0;

/** CPU time of the process so far, ms (user + system, every thread). */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

interface Times {
  wall: number;
  cpu: number;
}

/** CPU time of the drains between chunks (rows built for the writer; the write is a no-op). */
let drainCpu = 0;

function rawParse(frames: readonly Buffer[], start: number, end: number, t: Times): void {
  const c0 = cpuMs();
  const t0 = performance.now();
  for (let i = start; i < end; i++) {
    const m = JSON.parse((frames[i] as Buffer).toString()) as { seq: number };
    sink += m.seq;
  }
  t.wall += performance.now() - t0;
  t.cpu += cpuMs() - c0;
}

async function main(): Promise<void> {
  console.log(
    `ingest pipeline — ${fmt(DELTAS)} delta frames over ${MARKETS} markets, bursts of ${BURST}; ${await loadNote()}`,
  );
  const bus = createBus();
  const recorder = new Recorder({
    repos: noopRepos(),
    bus,
    sessionId: 'bench-ingest',
    clock: Date.now,
    topOfBook: () => [],
    priceArchiveMs: 3_600_000,
  });
  recorder.start();
  // Every delta must reach the queue: counted by the queue itself, not by a listener of ours
  // (an extra listener would be timed as part of the pipeline).
  const deltasPushed = () => recorder.queue.stats().kinds.deltas.pushed;

  // One run = every delta of a fresh frame set (a fresh seq range) through a connected client,
  // and the same frames through raw JSON.parse, chunk by chunk.
  const run = async (seed: number): Promise<{ ours: Times; raw: Times }> => {
    const frames = makeFrames({ deltas: DELTAS, markets: MARKETS, seed });
    const { server, ws } = await connectBooks(frames, bus);
    const onFrame = (ws as unknown as { onFrame(data: Buffer): void }).onFrame.bind(ws);
    const deltas = frames.deltas as readonly Buffer[];
    const ours: Times = { wall: 0, cpu: 0 };
    const raw: Times = { wall: 0, cpu: 0 };
    const oursChunk = async (start: number, end: number) => {
      const c0 = cpuMs();
      const t0 = performance.now();
      for (let i = start; i < end; i += BURST) {
        const stop = Math.min(end, i + BURST);
        for (let j = i; j < stop; j++) onFrame(deltas[j] as Buffer);
        await Promise.resolve(); // the end of a socket read
      }
      ours.wall += performance.now() - t0;
      ours.cpu += cpuMs() - c0;
    };
    const before = deltasPushed();
    for (let start = 0, k = 0; start < deltas.length; start += CHUNK, k++) {
      const end = Math.min(deltas.length, start + CHUNK);
      if (k % 2 === 0) {
        await oursChunk(start, end);
        rawParse(deltas, start, end, raw);
      } else {
        rawParse(deltas, start, end, raw);
        await oursChunk(start, end);
      }
      const d0 = cpuMs();
      await recorder.queue.flush();
      drainCpu += cpuMs() - d0;
    }
    if (deltasPushed() - before !== deltas.length) {
      throw new Error(`the write queue received ${deltasPushed() - before} of ${deltas.length} deltas`);
    }
    await ws.close();
    await server.close();
    return { ours, raw };
  };

  const runs: Array<{ ours: Times; raw: Times }> = [];
  for (let r = 0; r < RUNS + 2; r++) {
    if (r === 2) drainCpu = 0; // the warm-up runs' drains are not counted either
    const result = await run(1000 + r);
    if (r >= 2) runs.push(result);
  }
  const stats = recorder.queue.stats().kinds.deltas;
  await recorder.close().catch(() => undefined);
  const rate = (ms: number) => (DELTAS / ms) * 1000;
  const perFrame = (ms: number) => fmt((ms * 1000) / DELTAS, 2);
  const oursCpu = median(runs.map((r) => r.ours.cpu));
  const rawCpu = median(runs.map((r) => r.raw.cpu));
  const oursWall = median(runs.map((r) => r.ours.wall));
  const rawWall = median(runs.map((r) => r.raw.wall));
  const ratio = median(runs.map((r) => r.raw.cpu / r.ours.cpu));
  const wallRatio = median(runs.map((r) => r.raw.wall / r.ours.wall));
  const drainUs = fmt((drainCpu * 1000) / (DELTAS * RUNS), 2);
  console.log(
    textTable(
      ['path', 'frames/s CPU', 'µs/frame CPU', 'frames/s wall', 'µs/frame wall'],
      [
        [
          'JSON.parse(buffer.toString()) (raw)',
          fmt(rate(rawCpu)),
          perFrame(rawCpu),
          fmt(rate(rawWall)),
          perFrame(rawWall),
        ],
        [
          'frame → book → bus → write-queue (ours)',
          fmt(rate(oursCpu)),
          perFrame(oursCpu),
          fmt(rate(oursWall)),
          perFrame(oursWall),
        ],
      ],
    ),
  );
  console.log(
    `\nours / raw: ${ratio.toFixed(2)}× on CPU time (target ≥ ${TARGET}: ${ratio >= TARGET ? 'met' : 'NOT met'}), ` +
      `${wallRatio.toFixed(2)}× on the wall clock; per-run CPU ratios ${runs
        .map((r) => (r.raw.cpu / r.ours.cpu).toFixed(2))
        .join(' ')}; median of ${RUNS}; rows enqueued ${fmt(stats.pushed)}, shed ${fmt(stats.shed)}` +
      `\nthe drains between chunks (untimed above: batches taken, rows built, a no-op write): ${drainUs} µs/frame CPU`,
  );
  emitSummary([
    {
      bench: 'ingest pipeline (frame → book → bus → write-queue enqueue)',
      metric: 'frames/s (CPU time)',
      ours: fmt(rate(oursCpu)),
      versus: `${fmt(rate(rawCpu))} (raw JSON.parse)`,
      ratio: `${ratio.toFixed(2)}×`,
      target: `≥ ${TARGET}× raw parse`,
      met: ratio >= TARGET,
      note: `${fmt(DELTAS)} deltas, ${MARKETS} markets, bursts of ${BURST}, median of ${RUNS}; wall-clock ratio ${wallRatio.toFixed(2)}×; the drains (rows built for the writer) ${drainUs} µs/frame more; ${await loadNote()}`,
    },
  ]);
  if (sink === -1) console.log('');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
