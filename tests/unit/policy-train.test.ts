import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { BookDeltaRecord, BookSnapshotRecord } from '../../src/bus.js';
import { contracts } from '../../src/domain/index.js';
import { OrderBook } from '../../src/orderbook/index.js';
import {
  ACTION_NAMES,
  bookInputFromBook,
  buildDataset,
  createRng,
  DEFAULT_ACTION_SETTINGS,
  EMPTY_HISTORY,
  type History,
  observe,
  type Sample,
  teacherAction,
  train,
  trainToOnnx,
  trainToOnnxAsync,
} from '../../src/policy/index.js';

type Rec = BookSnapshotRecord | BookDeltaRecord;

const snap = (
  ticker: string,
  t: number,
  yes: [number, number][],
  no: [number, number][],
): BookSnapshotRecord => ({
  ticker,
  sid: 1,
  seq: 0,
  yes,
  no,
  receivedMs: t,
});
const delta = (
  ticker: string,
  t: number,
  side: 'yes' | 'no',
  price: number,
  d: number,
  applied = true,
): BookDeltaRecord => ({
  ticker,
  sid: 1,
  seq: 0,
  side,
  price,
  delta: d,
  receivedMs: t,
  applied,
});

/** A random-walk market: a snapshot, then each step moves the quotes by a delta pair. */
function walk(seed: number, steps: number, ticker = 'KX-W'): Rec[] {
  const rng = createRng(seed);
  let bid = 5000;
  const out: Rec[] = [snap(ticker, 0, [[bid, 1000]], [[10_000 - bid - 200, 1000]])];
  for (let i = 1; i <= steps; i++) {
    const move = (rng.int(3) - 1) * 100;
    const next = Math.min(9000, Math.max(1000, bid + move));
    const t = i * 250;
    if (next !== bid) {
      out.push(delta(ticker, t, 'yes', next, 1000), delta(ticker, t, 'yes', bid, -1000));
      out.push(
        delta(ticker, t, 'no', 10_000 - next - 200, 1000),
        delta(ticker, t, 'no', 10_000 - bid - 200, -1000),
      );
      bid = next;
    } else {
      out.push(delta(ticker, t, 'yes', bid, rng.int(5) * 100 + 100));
    }
  }
  return out;
}

describe('buildDataset', () => {
  const records: Rec[] = [
    delta('A', 0, 'yes', 5000, 100), // before any snapshot: skipped
    snap('A', 1000, [[5000, 1000]], [[4800, 500]]), // mid 0.51
    delta('A', 2000, 'yes', 5100, 300), // mid 0.515
    delta('A', 2500, 'no', 4800, 999, false), // dropped by the live book: skipped
    snap('B', 2600, [[3000, 100]], []), // one-sided: no sample
    delta('A', 3000, 'no', 4700, 200), // mid unchanged (best NO still 0.48)
    delta('A', 4000, 'no', 4800, -500), // best NO 0.47 → mid 0.52
    delta('B', 4100, 'no', 6000, 100), // B two-sided now, but no future: dropped
  ];

  it('builds every observation through observation.ts, from the same books and histories', () => {
    const ds = buildDataset(records, { horizon: 2, flatShare: 1, equity: 5_000_000 });
    // A has 4 steps; with horizon 2 the first two get a future mid.
    expect(ds.samples.map((s) => [s.ticker, s.tMs, s.futureMid])).toEqual([
      ['A', 1000, 5150], // mid two updates later (the dropped delta is not an update)
      ['A', 2000, 5200],
    ]);
    // Replay A by hand with the live builder.
    const book = new OrderBook('A');
    let h: History = EMPTY_HISTORY;
    const flat = { position: 0, cash: 5_000_000, costBasis: 0, equity: 5_000_000 };
    book.applySnapshot([{ price: 5000, count: 1000 }], [{ price: 4800, count: 500 }]);
    const first = observe(h, bookInputFromBook(book), 1000, flat, []);
    h = first.history;
    book.applyDelta('yes', 5100, 300);
    const second = observe(h, bookInputFromBook(book), 2000, flat, []);
    expect(Array.from(ds.samples[0]!.obs)).toEqual(Array.from(first.obs));
    expect(Array.from(ds.samples[1]!.obs)).toEqual(Array.from(second.obs));
    expect(ds.samples[1]).toMatchObject({ bestYesBid: 5100, yesAsk: 5200, position: 0 });
  });

  it('gives synthetic positions from the seed, the same for the same seed', () => {
    const recs = walk(5, 300);
    const a = buildDataset(recs, { seed: 9 });
    const b = buildDataset(recs, { seed: 9 });
    const c = buildDataset(recs, { seed: 10 });
    const positions = (d: typeof a) => d.samples.map((s) => s.position);
    expect(positions(a)).toEqual(positions(b));
    expect(positions(a)).not.toEqual(positions(c));
    expect(a.samples.some((s) => s.position > 0) && a.samples.some((s) => s.position < 0)).toBe(true);
    expect(a.samples.filter((s) => s.position === 0).length / a.samples.length).toBeGreaterThan(0.3);
  });

  it('refuses a horizon below 1', () => {
    expect(() => buildDataset([], { horizon: 0 })).toThrow(
      expect.objectContaining({ code: 'POLICY_BAD_SETTINGS' }),
    );
  });
});

describe('the hindsight teacher', () => {
  const settings = { ...DEFAULT_ACTION_SETTINGS, contractSize: contracts(1) };
  const sample = (over: Partial<Sample>): Sample => ({
    ticker: 'A',
    tMs: 0,
    obs: new Float32Array(52),
    bestYesBid: 5000,
    yesAsk: 5200,
    position: 0,
    cash: 100_000_000,
    futureMid: 5100,
    ...over,
  });
  const label = (over: Partial<Sample>) => ACTION_NAMES[teacherAction(sample(over), settings)];

  it('holds when the move does not pay the spread and the fee', () => {
    expect(label({ futureMid: 5100 })).toBe('hold');
    expect(label({ futureMid: 5230 })).toBe('hold'); // 0.3 c above the ask does not pay the 1.75 c fee
  });

  it('buys the way the price will go, sized by the edge', () => {
    // up = 0.60 − 0.52 − 0.07·0.52·0.48 ≈ 0.0625 → 12.5 × minEdge → bucket 3 (x10)
    expect(label({ futureMid: 6000 })).toBe('buy_yes_x10');
    // down = 0.50 − 0.43 − 0.07·0.5·0.5 = 0.0525 → 10.5 × minEdge → bucket 3
    expect(label({ futureMid: 4300 })).toBe('buy_no_x10');
    expect(label({ futureMid: 8000 })).toBe('buy_yes_x25');
  });

  it('closes the opposite position with the largest allowed sell', () => {
    expect(label({ futureMid: 6000, position: -300 })).toBe('sell_no_x5'); // 3 contracts: x5 closes all
    expect(label({ futureMid: 4000, position: 1000 })).toBe('sell_yes_x10');
  });

  it('never labels a masked action', () => {
    expect(label({ futureMid: 8000, cash: 3_000_000 })).toBe('buy_yes_x5'); // $3: 5 × 0.52 fits, 10 does not
    expect(label({ futureMid: 8000, cash: 0 })).toBe('hold');
  });
});

describe('train', () => {
  const ds = buildDataset(walk(11, 1500), { seed: 3, horizon: 8 });
  const opts = { seed: 42, epochs: 3, hidden: [12, 8] };

  it('is reproducible: same data and seed give byte-identical ONNX', () => {
    const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
    const a = trainToOnnx(ds, opts);
    const b = trainToOnnx(ds, opts);
    const c = trainToOnnx(ds, { ...opts, seed: 43 });
    expect(sha(a.bytes)).toBe(sha(b.bytes));
    expect(sha(c.bytes)).not.toBe(sha(a.bytes));
    expect(a.bytes.length).toBeLessThan(200_000);
  });

  it('trains the same bytes when it yields to the event loop, and says where it is after every batch', async () => {
    const seen: Array<{ epoch: number; batches: number; totalBatches: number }> = [];
    let turns = 0;
    const ticker = setInterval(() => {
      turns += 1;
    }, 0);
    const async = await trainToOnnxAsync(ds, opts, (p) => seen.push(p)).finally(() => clearInterval(ticker));
    expect(Buffer.from(async.bytes).equals(Buffer.from(trainToOnnx(ds, opts).bytes))).toBe(true);
    const perEpoch = Math.ceil(async.report.trainSamples / 64);
    expect(seen).toHaveLength(opts.epochs * perEpoch);
    expect(seen.map((p) => p.batches)).toEqual(seen.map((_, i) => i + 1));
    expect(new Set(seen.map((p) => p.totalBatches))).toEqual(new Set([opts.epochs * perEpoch]));
    expect(seen.at(-1)!.epoch).toBe(opts.epochs - 1);
    // Timers ran while it trained: the event loop had turns between batches.
    expect(turns).toBeGreaterThan(0);
  });

  it('lowers its loss and reports what it trained on', () => {
    const { report, weights } = train(ds, { ...opts, epochs: 6 });
    expect(report.lossByEpoch.at(-1)!).toBeLessThan(report.lossByEpoch[0]!);
    expect(report.samples).toBe(ds.samples.length);
    expect(report.trainSamples + report.validationSamples).toBe(report.samples);
    expect(report.labelCounts.reduce((s, n) => s + n, 0)).toBe(report.samples);
    expect(report.labelCounts.filter((n) => n > 0).length).toBeGreaterThan(2);
    expect(weights.layers.map((l) => [l.inputs, l.outputs])).toEqual([
      [52, 12],
      [12, 8],
      [8, 21],
    ]);
  });

  it('refuses bad options and an empty dataset by field', () => {
    expect(() => train(ds, { ...opts, epochs: 0 })).toThrow(expect.objectContaining({ field: 'epochs' }));
    expect(() => train(ds, { ...opts, hidden: [0] })).toThrow(expect.objectContaining({ field: 'hidden' }));
    expect(() => train({ samples: [], horizon: 1 }, opts)).toThrow(
      expect.objectContaining({ code: 'POLICY_BAD_DATASET' }),
    );
  });
});
