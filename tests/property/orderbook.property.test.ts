import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { complement } from '../../src/domain/index.js';
import { formatCount, formatPrice } from '../../src/kalshi/units.js';
import type { OrderbookSnapshotMessage } from '../../src/kalshi/ws-types.js';
import type { DeltaOutcome, LadderSide, Level } from '../../src/orderbook/book.js';
import { OrderBook } from '../../src/orderbook/book.js';
import { snapshotFromMessage } from '../../src/orderbook/messages.js';

/** The naive reference: two Maps, sorted on demand. */
class ReferenceBook {
  readonly sides: Record<LadderSide, Map<number, number>> = { yes: new Map(), no: new Map() };

  snapshot(yes: readonly Level[], no: readonly Level[]): void {
    this.sides.yes = new Map(yes.filter((l) => l.count > 0).map((l) => [l.price, l.count]));
    this.sides.no = new Map(no.filter((l) => l.count > 0).map((l) => [l.price, l.count]));
  }

  apply(side: LadderSide, price: number, delta: number): DeltaOutcome {
    const m = this.sides[side];
    const cur = m.get(price) ?? 0;
    if (delta === 0) return 'unchanged';
    const next = cur + delta;
    if (next > 0) {
      m.set(price, next);
      return cur === 0 ? 'added' : 'changed';
    }
    m.delete(price);
    return next === 0 && cur > 0 ? 'removed' : 'negative';
  }

  levels(side: LadderSide): Level[] {
    return [...this.sides[side]]
      .map(([price, count]) => ({ price, count }))
      .sort((a, b) => a.price - b.price);
  }

  best(side: LadderSide): number | undefined {
    const ls = this.levels(side);
    return ls.length === 0 ? undefined : ls[ls.length - 1]?.price;
  }
}

// A small price pool makes collisions (and so removals and negatives) common; the edges are in it.
const price = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(1, 100, 4900, 5000, 5100, 5200, 9800, 9999) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 9999 }) },
);
const side = fc.constantFrom<LadderSide>('yes', 'no');
const count = fc.integer({ min: 1, max: 100_000 });

const levelsArb = fc
  .uniqueArray(fc.record({ price, count: fc.integer({ min: 0, max: 100_000 }) }), {
    selector: (l) => l.price,
    maxLength: 12,
  })
  .map((ls) => ls as Level[]);

type Op =
  | { kind: 'snapshot'; yes: Level[]; no: Level[] }
  | { kind: 'add'; side: LadderSide; price: number; amount: number }
  | { kind: 'take'; side: LadderSide; price: number; amount: number }
  | { kind: 'wipe'; side: LadderSide; price: number }
  | { kind: 'overdraw'; side: LadderSide; price: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('snapshot' as const), yes: levelsArb, no: levelsArb }),
  },
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('add' as const), side, price, amount: count }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('take' as const), side, price, amount: count }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('wipe' as const), side, price }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('overdraw' as const), side, price }) },
);

function expectSameViews(book: OrderBook, ref: ReferenceBook): void {
  for (const s of ['yes', 'no'] as const) {
    const levels = ref.levels(s);
    expect(book.levels(s)).toEqual(levels);
    expect(book.levelCount(s)).toBe(levels.length);
    expect(book.totalDepth(s)).toBe(levels.reduce((a, l) => a + l.count, 0));
    expect(book.depth(s, 3)).toEqual(levels.slice(-3).reverse());
    expect(book.bestBid(s)).toBe(ref.best(s));
  }
  const by = ref.best('yes');
  const bn = ref.best('no');
  expect(book.yesAsk()).toBe(bn === undefined ? undefined : 10_000 - bn);
  expect(book.noAsk()).toBe(by === undefined ? undefined : 10_000 - by);
  expect(book.isCrossed()).toBe(by !== undefined && bn !== undefined && by + bn >= 10_000);
  for (const l of book.levels('yes').concat(book.levels('no'))) expect(l.count).toBeGreaterThan(0);
}

describe('OrderBook against a naive Map reference', () => {
  it('agrees on every view and every delta outcome for random snapshot + delta streams', () => {
    fc.assert(
      fc.property(levelsArb, levelsArb, fc.array(op, { maxLength: 300, size: 'max' }), (yes, no, ops) => {
        const book = new OrderBook('X');
        const ref = new ReferenceBook();
        book.applySnapshot(yes, no);
        ref.snapshot(yes, no);
        expectSameViews(book, ref);
        for (const o of ops) {
          if (o.kind === 'snapshot') {
            book.applySnapshot(o.yes, o.no);
            ref.snapshot(o.yes, o.no);
          } else {
            const cur = ref.sides[o.side].get(o.price) ?? 0;
            const delta =
              o.kind === 'add'
                ? o.amount
                : o.kind === 'take'
                  ? -Math.min(o.amount, cur)
                  : o.kind === 'wipe'
                    ? -cur
                    : -(cur + 1);
            expect(book.applyDelta(o.side, o.price, delta)).toBe(ref.apply(o.side, o.price, delta));
            expect(book.bestBid(o.side)).toBe(ref.best(o.side));
            expect(book.sizeAt(o.side, o.price)).toBe(ref.sides[o.side].get(o.price) ?? 0);
          }
        }
        expectSameViews(book, ref);
      }),
      { numRuns: 300 },
    );
  });

  it('reports exactly the deltas that would drive a level negative', () => {
    fc.assert(
      fc.property(
        side,
        price,
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: -2000, max: 2000 }),
        (s, p, start, d) => {
          const book = new OrderBook('X');
          book.applySnapshot(
            s === 'yes' ? [{ price: p, count: start }] : [],
            s === 'no' ? [{ price: p, count: start }] : [],
          );
          const outcome = book.applyDelta(s, p, d);
          expect(outcome === 'negative').toBe(d < 0 && start + d < 0);
          expect(book.sizeAt(s, p)).toBe(Math.max(0, start + d));
        },
      ),
    );
  });

  it('keeps the YES/NO complement: yesAsk + bestNoBid = noAsk + bestYesBid = $1', () => {
    fc.assert(
      fc.property(levelsArb, levelsArb, (yes, no) => {
        const book = new OrderBook('X');
        book.applySnapshot(yes, no);
        const by = book.bestYesBid();
        const bn = book.bestNoBid();
        if (bn !== undefined) expect((book.yesAsk() ?? 0) + bn).toBe(10_000);
        if (by !== undefined) expect((book.noAsk() ?? 0) + by).toBe(10_000);
        if (by !== undefined && bn !== undefined) {
          expect(book.spread()).toBe(complement(bn) - by);
          expect(book.isCrossed()).toBe((book.spread() ?? 0) <= 0);
        }
      }),
    );
  });

  it('reads a use_yes_price snapshot into the same book as the legacy NO scale', () => {
    fc.assert(
      fc.property(levelsArb, levelsArb, (yes, no) => {
        const wire = (ls: Level[], flip: boolean): [string, string][] =>
          ls.map((l) => [formatPrice(flip ? complement(l.price) : l.price), formatCount(l.count)]);
        const msg = (flip: boolean): OrderbookSnapshotMessage => ({
          type: 'orderbook_snapshot',
          sid: 1,
          seq: 1,
          msg: {
            market_ticker: 'X',
            market_id: 'x',
            ...(yes.length > 0 && { yes_dollars_fp: wire(yes, false) }),
            ...(no.length > 0 && { no_dollars_fp: wire(no, flip) }),
          },
        });
        const legacy = snapshotFromMessage(msg(false), { useYesPrice: false });
        const yesScale = snapshotFromMessage(msg(true), { useYesPrice: true });
        expect(yesScale.no).toEqual(legacy.no);
        expect(yesScale.yes).toEqual(legacy.yes);
        const expected = no.filter((l) => l.count > 0).sort((a, b) => a.price - b.price);
        expect(legacy.no).toEqual(expected);
      }),
    );
  });
});
