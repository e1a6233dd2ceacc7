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
  HOLD_MARGINS,
  observe,
  realizedValue,
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
  // Now: YES bid 0.50, ask 0.52. `later(b′, a′)`: the book `horizon` updates later.
  const later = (futureBid: number, futureAsk: number) => ({
    futureBid,
    futureAsk,
    futureMid: (futureBid + futureAsk) / 2,
  });
  const sample = (over: Partial<Sample>): Sample => ({
    ticker: 'A',
    tMs: 0,
    obs: new Float32Array(52),
    bestYesBid: 5000,
    yesAsk: 5200,
    position: 0,
    cash: 100_000_000,
    ...later(5000, 5200),
    ...over,
  });
  const label = (over: Partial<Sample>) => ACTION_NAMES[teacherAction(sample(over), settings)];

  it('values a trade as a taker round trip: both spreads crossed, both fees rounded up to the cent', () => {
    // Buy 1 YES at 0.52 (fee ceil(1.75 c) = 2 c), sell it at 0.54 (fee ceil(1.74 c) = 2 c): +2 − 4 = −2 c.
    expect(realizedValue(sample(later(5400, 5600)), 'buy_yes', contracts(1))).toBe(-20_000);
    // 10 NO at 0.50 (fee 18 c), sold at 1 − 0.43 (fee ceil(17.2 c) = 18 c): 70 − 36 = 34 c.
    expect(realizedValue(sample(later(4100, 4300)), 'buy_no', contracts(10))).toBe(340_000);
    // Selling 10 YES now at 0.50 rather than at 0.45 later: 50 c, fee 18 c now instead of 18 c later.
    expect(realizedValue(sample(later(4500, 4700)), 'sell_yes', contracts(10))).toBe(500_000);
  });

  it('holds a move that beats the ask and one fee at the mid but not the round trip', () => {
    // Mid 0.55 later: 0.55 − 0.52 − 0.0175 = +1.25 c at the mid (the first teacher bought x2 here),
    // but the exit at the bid 0.54 and the second fee make it −2 c.
    expect(label(later(5400, 5600))).toBe('hold');
    expect(label(later(5000, 5200))).toBe('hold');
  });

  it('buys the way the price will go when the round trip pays, sized by the edge', () => {
    // 0.60 − 0.52 − 2 c − 2 c = 4 c = 8 × minEdge → bucket 3 (x10)
    expect(label(later(6000, 6200))).toBe('buy_yes_x10');
    // 0.50 − 0.43 − 2 c − 2 c = 3 c = 6 × minEdge → bucket 2 (x5)
    expect(label(later(4100, 4300))).toBe('buy_no_x5');
    expect(label(later(8000, 8200))).toBe('buy_yes_x25');
  });

  it('closes a position when selling now beats selling later, with the largest allowed sell', () => {
    expect(label({ ...later(6000, 6200), position: -300 })).toBe('sell_no_x5'); // 3 contracts: x5 closes all
    expect(label({ ...later(4500, 4700), position: 1000 })).toBe('sell_yes_x10');
    // The price stays: selling now gains nothing, and a NO entry is masked while YES is held.
    expect(label({ ...later(5000, 5200), position: 1000 })).toBe('hold');
  });

  it('never labels a masked action', () => {
    expect(label({ ...later(8000, 8200), cash: 3_000_000 })).toBe('buy_yes_x5'); // $3: 5 × 0.52 fits, 10 does not
    expect(label({ ...later(8000, 8200), cash: 0 })).toBe('hold');
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

  it('lowers the exported entry and exit scores by their HOLD margins, and records them in the metadata', () => {
    const plain = train(ds, { ...opts, entryMargin: 0, exitMargin: 0 });
    const wary = train(ds, { ...opts, entryMargin: 3, exitMargin: 1 });
    const last = (r: typeof plain) => r.weights.layers.at(-1)!;
    const shift = Array.from(last(wary).bias, (b, o) => Math.round((last(plain).bias[o]! - b) * 1e4) / 1e4);
    // HOLD, then buy_yes ×5, sell_yes ×5, buy_no ×5, sell_no ×5.
    const five = (m: number) => [m, m, m, m, m];
    expect(shift).toEqual([0, ...five(3), ...five(1), ...five(3), ...five(1)]);
    expect(Array.from(last(wary).weight)).toEqual(Array.from(last(plain).weight));
    expect([wary.report.entryMargin, wary.report.exitMargin]).toEqual([3, 1]);
    const text = Buffer.from(trainToOnnx(ds, { ...opts, entryMargin: 3 }).bytes).toString('latin1');
    expect(text).toContain('hold_margin_entry');
    expect(text).toContain('hold_margin_exit');
  });

  it('chooses the entry and the exit margin whose validation trades realized the most', () => {
    const { report } = train(ds, opts);
    for (const [side, chosen] of [
      ['entries', report.entryMargin],
      ['exits', report.exitMargin],
    ] as const) {
      expect(HOLD_MARGINS).toContain(chosen);
      const rows = report.validationValueByMargin.map((m) => m[side]);
      const best = Math.max(...rows.map((r) => r.dollars));
      expect(report.validationValueByMargin.find((m) => m.margin === chosen)![side].dollars).toBe(best);
      // More margin, never more trades.
      const trades = rows.map((r) => r.trades);
      expect(trades).toEqual([...trades].sort((x, y) => y - x));
    }
  });

  it('refuses bad options and an empty dataset by field', () => {
    expect(() => train(ds, { ...opts, epochs: 0 })).toThrow(expect.objectContaining({ field: 'epochs' }));
    expect(() => train(ds, { ...opts, hidden: [0] })).toThrow(expect.objectContaining({ field: 'hidden' }));
    expect(() => train({ samples: [], horizon: 1 }, opts)).toThrow(
      expect.objectContaining({ code: 'POLICY_BAD_DATASET' }),
    );
  });
});
