import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type BookInput,
  bookInputFromLevels,
  buildObservation,
  EMPTY_HISTORY,
  FEATURE_INDEX,
  FEATURE_SPEC,
  type History,
  type OpenOrderInput,
  type PortfolioInput,
  pushHistory,
} from '../../src/policy/index.js';

// ---------- wild inputs: anything a number can be ----------

const wild = fc.oneof(
  fc.integer({ min: -20_000, max: 20_000 }),
  fc.double(),
  fc.constantFrom(
    0,
    1,
    -1,
    Number.MAX_SAFE_INTEGER,
    1e300,
    -1e300,
    Number.MAX_VALUE,
    Infinity,
    -Infinity,
    NaN,
  ),
);
const wildLevel = fc.record({ price: fc.oneof(fc.integer({ min: 1, max: 9999 }), wild), count: wild });
const wildBook: fc.Arbitrary<BookInput> = fc.record({
  yes: fc.array(wildLevel, { maxLength: 8 }),
  no: fc.array(wildLevel, { maxLength: 8 }),
  yesTotal: wild,
  noTotal: wild,
  yesLevels: wild,
  noLevels: wild,
});
const wildHistory: fc.Arbitrary<History> = fc.record(
  {
    entries: fc.array(fc.record({ tMs: wild, mid: fc.option(wild, { nil: undefined }), depth: wild }), {
      maxLength: 12,
    }),
    anchor: fc.record({ ema: fc.tuple(wild, wild, wild), meanSq: wild }),
  },
  { requiredKeys: ['entries'] },
);
const wildPortfolio: fc.Arbitrary<PortfolioInput> = fc.record({
  position: wild,
  cash: wild,
  costBasis: wild,
  equity: wild,
});
const wildOrders: fc.Arbitrary<OpenOrderInput[]> = fc.array(
  fc.record({
    bookSide: fc.constantFrom('bid' as const, 'ask' as const),
    yesPrice: wild,
    remaining: wild,
    reduceOnly: fc.boolean(),
  }),
  { maxLength: 5 },
);

// ---------- valid inputs: what the trader actually passes ----------

const ladder = fc
  .uniqueArray(fc.integer({ min: 1, max: 9999 }), { maxLength: 12 })
  .chain((prices) =>
    fc.tuple(...prices.map((p) => fc.integer({ min: 1, max: 10_000_000 }).map((c) => [p, c] as const))),
  );
const validBook = fc.tuple(ladder, ladder).map(([y, n]) => bookInputFromLevels(y, n));
const validPortfolio: fc.Arbitrary<PortfolioInput> = fc.record({
  position: fc.integer({ min: -1_000_000, max: 1_000_000 }),
  cash: fc.integer({ min: 0, max: 1e12 }),
  costBasis: fc.integer({ min: 0, max: 1e11 }),
  equity: fc.integer({ min: -1e9, max: 1e12 }),
});
/** A history made the way the trader makes it: pushHistory over a sequence of books and times. */
const validHistory = fc
  .array(fc.tuple(validBook, fc.integer({ min: 0, max: 100_000 })), { maxLength: 40 })
  .map((steps) => {
    let h = EMPTY_HISTORY;
    let t = 1_700_000_000_000;
    for (const [b, dt] of steps) {
      t += dt;
      h = pushHistory(h, b, t);
    }
    return { h, t, books: steps.map(([b]) => b) };
  });

// ---------- naive reference for a few features ----------

/** The anchor recomputed from the whole sequence of books: EMAs of the two-sided mids (prob). */
function anchorReference(books: readonly BookInput[], markMid: number) {
  const mids: number[] = [];
  for (const b of books) {
    if (b.yes.length === 0 || b.no.length === 0) continue;
    mids.push(
      (Math.max(...b.yes.map((l) => l.price)) + 10_000 - Math.max(...b.no.map((l) => l.price))) / 20_000,
    );
  }
  if (mids.length === 0)
    return { mid_dev_ema_fast: 0, mid_dev_ema_mid: 0, mid_dev_ema_slow: 0, mid_dev_z: 0 };
  const emas = [30, 100, 300].map(() => mids[0]!);
  let meanSq = 0;
  for (const m of mids.slice(1)) {
    [30, 100, 300].forEach((span, k) => {
      emas[k] = emas[k]! + (2 / (span + 1)) * (m - emas[k]!);
    });
    meanSq += (2 / 301) * ((m - emas[1]!) ** 2 - meanSq);
  }
  const clip = (x: number) => Math.min(1, Math.max(-1, x));
  return {
    mid_dev_ema_fast: clip(5 * (markMid - emas[0]!)),
    mid_dev_ema_mid: clip(5 * (markMid - emas[1]!)),
    mid_dev_ema_slow: clip(5 * (markMid - emas[2]!)),
    mid_dev_z: clip((markMid - emas[1]!) / Math.max(0.005, Math.sqrt(meanSq)) / 4),
  };
}

function reference(book: BookInput, history: History, p: PortfolioInput, books: readonly BookInput[]) {
  const bestYes = book.yes.length ? Math.max(...book.yes.map((l) => l.price)) : undefined;
  const bestNo = book.no.length ? Math.max(...book.no.map((l) => l.price)) : undefined;
  const mids = history.entries.filter((e) => e.mid !== undefined).map((e) => e.mid! / 10_000);
  const two = bestYes !== undefined && bestNo !== undefined;
  const mid = two ? (bestYes / 10_000 + 1 - bestNo / 10_000) / 2 : (mids.at(-1) ?? 0.5);
  const clip = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
  const topK = (ls: BookInput['yes'], k: number) =>
    [...ls]
      .sort((a, b) => b.price - a.price)
      .slice(0, k)
      .reduce((s, l) => s + l.count, 0);
  const y3 = topK(book.yes, 3);
  const n3 = topK(book.no, 3);
  let mom = 0;
  if (mids.length >= 3) {
    const [a, b, c] = mids.slice(-3) as [number, number, number];
    if (b - a !== 0) mom = Math.tanh((c - b - (b - a)) / Math.abs(b - a));
  }
  const es = history.entries;
  const gap = es.length >= 2 ? Math.max(0, (es.at(-1)!.tMs - es.at(-2)!.tMs) / 1000) : 0;
  const volume = (book.yesTotal + book.noTotal) / 100;
  return {
    yes_mid: mid,
    spread: two ? clip(1 - bestNo / 10_000 - bestYes / 10_000, 0, 1) : 1,
    imbalance_l3: y3 + n3 > 0 ? (y3 - n3) / (y3 + n3) : 0,
    momentum: mom,
    time_gap_log: Math.log1p(gap) / Math.log1p(3600),
    ...anchorReference(books, mid),
    activity_score: Math.min(1, Math.log(1 + volume) / 1000),
    position: clip(p.position / 100 / 100, -1, 1),
    cash_ratio: p.equity > 0 ? clip(p.cash / p.equity, 0, 1) : 0,
  };
}

describe('buildObservation, property-based', () => {
  it('every output is finite and inside its documented range, whatever the input', () => {
    fc.assert(
      fc.property(wildBook, wildHistory, wildPortfolio, wildOrders, (book, history, portfolio, orders) => {
        const obs = buildObservation({ book, history, portfolio, orders });
        expect(obs).toHaveLength(52);
        obs.forEach((v, i) => {
          const d = FEATURE_SPEC[i]!;
          if (!(Number.isFinite(v) && v >= d.min && v <= d.max)) {
            throw new Error(`${d.name} = ${v} outside [${d.min}, ${d.max}]`);
          }
        });
      }),
      { numRuns: 2000 },
    );
  });

  it('pushHistory over wild books still yields in-range observations', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(wildBook, wild), { maxLength: 14 }),
        wildPortfolio,
        (steps, portfolio) => {
          let h = EMPTY_HISTORY;
          for (const [b, t] of steps) h = pushHistory(h, b, t);
          expect(h.entries.length).toBe(Math.min(10, steps.length));
          const book = steps.at(-1)?.[0] ?? bookInputFromLevels([], []);
          const obs = buildObservation({ book, history: h, portfolio, orders: [] });
          obs.forEach((v, i) => {
            expect(Number.isFinite(v)).toBe(true);
            expect(v).toBeGreaterThanOrEqual(FEATURE_SPEC[i]!.min);
            expect(v).toBeLessThanOrEqual(FEATURE_SPEC[i]!.max);
          });
        },
      ),
      { numRuns: 500 },
    );
  });

  it('agrees with a naive reference on valid books, histories and portfolios', () => {
    fc.assert(
      fc.property(validBook, validHistory, validPortfolio, (book, { h, t, books }, portfolio) => {
        const history = pushHistory(h, book, t + 250);
        const obs = buildObservation({ book, history, portfolio, orders: [] });
        const ref = reference(book, history, portfolio, [...books, book]);
        for (const [name, value] of Object.entries(ref)) {
          const got = obs[FEATURE_INDEX[name]!]!;
          if (Math.abs(got - value) > 1e-6) throw new Error(`${name}: builder ${got}, reference ${value}`);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
