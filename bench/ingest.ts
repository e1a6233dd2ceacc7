/**
 * Full ingest pipeline vs raw JSON.parse of the same frames — the ratio to the physical limit.
 *
 * Ours, per frame, all real code: KalshiWsClient's frame handler (utf-8 decode, JSON.parse, shape
 * and per-sid seq checks) → BookFeed (fixed-point parse, OrderBook.applyDelta) → the orderbook
 * integration's bus events (book.deltaReceived, book.updated) → the Recorder's listener pushing a
 * delta row onto its WriteQueue. The client is connected to a loopback server (which acknowledged
 * the subscription and sent the snapshots), then the frames are handed to its frame handler
 * directly, so socket reads are left out of both sides. The Recorder's repositories are no-ops:
 * the enqueue is measured, the database write is bench/persistence.ts's business. Frames are fed
 * in chunks of 20,000, the queue drained (untimed) between chunks, so nothing is shed.
 *
 * Raw: `JSON.parse(buffer.toString())` of the same Buffers. Ratio = ours' frames/s ÷ raw frames/s;
 * target ≥ 0.6. Median of --runs runs (default 7) after 2 warm-up runs.
 *
 *   npm run bench:ingest [-- --deltas 200000 --markets 8 --runs 7]
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
const CHUNK = 20_000;
const TARGET = 0.6;

/** Repositories whose every method resolves at once with 0: writes cost nothing here. */
function noopRepos(): Repositories {
  const method = async () => 0;
  const repo = new Proxy({}, { get: () => method });
  return new Proxy({}, { get: () => repo }) as Repositories;
}

let sink = 0;

function rawParse(frames: readonly Buffer[]): number {
  const t0 = performance.now();
  for (let i = 0; i < frames.length; i++) {
    const m = JSON.parse((frames[i] as Buffer).toString()) as { seq: number };
    sink += m.seq;
  }
  return performance.now() - t0;
}

async function main(): Promise<void> {
  console.log(`ingest pipeline — ${fmt(DELTAS)} delta frames over ${MARKETS} markets; ${await loadNote()}`);
  const bus = createBus();
  const recorder = new Recorder({
    repos: noopRepos(),
    bus,
    sessionId: 'bench-ingest',
    clock: Date.now,
    position: () => undefined,
    topOfBook: () => [],
    priceArchiveMs: 3_600_000,
  });
  recorder.start();
  let deltaEvents = 0;
  bus.on('book.deltaReceived', () => {
    deltaEvents++;
  });

  // One run = every delta of a fresh frame set (a fresh seq range) through a connected client.
  const runOurs = async (seed: number): Promise<{ ms: number; frames: Buffer[] }> => {
    const frames = makeFrames({ deltas: DELTAS, markets: MARKETS, seed });
    const { server, ws } = await connectBooks(frames, bus);
    const onFrame = (ws as unknown as { onFrame(data: Buffer): void }).onFrame.bind(ws);
    const before = deltaEvents;
    let ms = 0;
    for (let start = 0; start < frames.deltas.length; start += CHUNK) {
      const end = Math.min(frames.deltas.length, start + CHUNK);
      const t0 = performance.now();
      for (let i = start; i < end; i++) onFrame(frames.deltas[i] as Buffer);
      ms += performance.now() - t0;
      await recorder.queue.flush();
    }
    if (deltaEvents - before !== frames.deltas.length) {
      throw new Error(`the pipeline saw ${deltaEvents - before} of ${frames.deltas.length} deltas`);
    }
    await ws.close();
    await server.close();
    return { ms, frames: [...frames.deltas] };
  };

  const ours: number[] = [];
  const raw: number[] = [];
  for (let r = 0; r < RUNS + 2; r++) {
    const { ms, frames } = await runOurs(1000 + r);
    let rawMs = 0;
    for (let start = 0; start < frames.length; start += CHUNK)
      rawMs += rawParse(frames.slice(start, start + CHUNK));
    if (r >= 2) {
      ours.push(ms);
      raw.push(rawMs);
    }
  }
  const stats = recorder.queue.stats().kinds.deltas;
  await recorder.close().catch(() => undefined);
  const oursRate = (DELTAS / median(ours)) * 1000;
  const rawRate = (DELTAS / median(raw)) * 1000;
  const ratio = oursRate / rawRate;
  console.log(
    textTable(
      ['path', 'frames/s', 'µs/frame'],
      [
        ['JSON.parse(buffer.toString()) (raw)', fmt(rawRate), fmt((median(raw) * 1000) / DELTAS, 2)],
        ['frame → book → bus → write-queue (ours)', fmt(oursRate), fmt((median(ours) * 1000) / DELTAS, 2)],
      ],
    ),
  );
  console.log(
    `\nours / raw: ${ratio.toFixed(2)}× (target ≥ ${TARGET}: ${ratio >= TARGET ? 'met' : 'NOT met'}); ` +
      `median of ${RUNS}; rows enqueued ${fmt(stats.pushed)}, shed ${fmt(stats.shed)}`,
  );
  emitSummary([
    {
      bench: 'ingest pipeline (frame → book → bus → write-queue enqueue)',
      metric: 'frames/s',
      ours: fmt(oursRate),
      versus: `${fmt(rawRate)} (raw JSON.parse)`,
      ratio: `${ratio.toFixed(2)}×`,
      target: `≥ ${TARGET}× raw parse`,
      met: ratio >= TARGET,
      note: `${fmt(DELTAS)} deltas, ${MARKETS} markets, median of ${RUNS}; ${await loadNote()}`,
    },
  ]);
  if (sink === -1) console.log('');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
