/**
 * Policy inference latency: observation build (pushHistory + buildObservation) and ONNX inference
 * (PolicyModel.infer on models/policy.onnx, CPU, 1 thread), one observation at a time, over
 * 100,000 calls after 2,000 warm-up calls. The books are real: a simulator book stream replayed
 * through an OrderBook. Prints p50 / p99 / max per stage.
 *
 *   npm run bench:inference [-- --calls 100000]
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { simBookStream } from '../models/sim-stream.js';
import { OrderBook } from '../src/orderbook/index.js';
import {
  type BookInput,
  bookInputFromBook,
  buildObservation,
  EMPTY_HISTORY,
  type History,
  loadPolicyModel,
  pushHistory,
} from '../src/policy/index.js';
import { emitSummary, loadNote } from './lib/report.js';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '100000' },
    model: { type: 'string', default: 'models/policy.onnx' },
    json: { type: 'string' },
  },
});
const calls = Number(values.calls);
const warmup = 2_000;

// Real book states: replay a simulator stream and keep each update's book input and time.
const records = await simBookStream({ seed: 7, steps: 4_000, markets: 1 });
const book = new OrderBook();
const states: Array<{ input: BookInput; tMs: number }> = [];
for (const r of records) {
  if ('side' in r) book.applyDelta(r.side, r.price, r.delta);
  else
    book.applySnapshot(
      r.yes.map(([price, count]) => ({ price, count })),
      r.no.map(([price, count]) => ({ price, count })),
    );
  states.push({ input: bookInputFromBook(book), tMs: r.receivedMs });
}

const model = await loadPolicyModel(values.model);
const portfolio = { position: 500, cash: 900_000_000, costBasis: 2_600_000, equity: 903_000_000 };
const orders = [{ bookSide: 'bid' as const, yesPrice: 5000, remaining: 300 }];
const out = new Float32Array(52);
const build = new Float64Array(calls);
const infer = new Float64Array(calls);
const total = new Float64Array(calls);
let history: History = EMPTY_HISTORY;
let t = 0;

for (let i = 0; i < warmup + calls; i++) {
  if (i === warmup) model.resetLatency();
  const s = states[i % states.length]!;
  t += 50;
  const t0 = performance.now();
  history = pushHistory(history, s.input, t);
  buildObservation({ book: s.input, history, portfolio, orders }, out);
  const t1 = performance.now();
  await model.infer(out);
  const t2 = performance.now();
  if (i >= warmup) {
    const k = i - warmup;
    build[k] = (t1 - t0) * 1000;
    infer[k] = (t2 - t1) * 1000;
    total[k] = (t2 - t0) * 1000;
  }
}

const row = (name: string, xs: Float64Array) => {
  const s = Float64Array.from(xs).sort();
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { stage: name, 'p50 µs': q(0.5), 'p99 µs': q(0.99), 'max µs': s[s.length - 1]! };
};
const fmt = (r: ReturnType<typeof row>) => ({
  stage: r.stage,
  'p50 µs': r['p50 µs'].toFixed(1),
  'p99 µs': r['p99 µs'].toFixed(1),
  'max µs': r['max µs'].toFixed(0),
});
console.log(
  `policy inference: ${calls} calls after ${warmup} warm-up, model ${values.model} (${model.sizeBytes} B), inference ${model.inferencePath}`,
);
console.table(
  [row('observe (push + build)', build), row('infer (onnxruntime)', infer), row('total', total)].map(fmt),
);
const h = model.latency();
console.log(
  `PolicyModel.latency() over ${h.count} calls: p50 ${h.p50Us} µs, p99 ${h.p99Us} µs, max ${h.maxUs} µs`,
);
emitSummary([
  {
    bench: 'policy inference alone (observe + ONNX, bench loop)',
    metric: 'p50 / p99 µs',
    ours: `${row('infer', infer)['p50 µs'].toFixed(1)} / ${row('infer', infer)['p99 µs'].toFixed(1)}`,
    versus: '',
    ratio: '',
    target: 'p99 < 100 µs',
    met: row('infer', infer)['p99 µs'] < 100,
    note: `observe p99 ${row('observe', build)['p99 µs'].toFixed(1)} µs; ${calls} calls; ${model.inferencePath}; ${await loadNote()}`,
  },
]);
await model.release();
