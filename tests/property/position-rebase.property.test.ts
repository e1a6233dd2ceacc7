/**
 * replayStartPositions: replaying the fills from the start it computes ends exactly where the
 * exchange says — its position now, or what a settlement paid out on — and each replayed fill
 * meets the position it really met; a settlement that does not report its counts leaves the
 * market out. A read taken while fills kept landing reflects only those created by its
 * `updatedMs`: the start is still right, and rollForward carries the read to now.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ExchangeFill } from '../../src/domain/index.js';
import { replayStartPositions, rollForward, unplaced } from '../../src/services/index.js';

const TICKERS = ['KX-A', 'KX-B', 'KX-C'] as const;

const fillArb = fc.record({
  ticker: fc.constantFrom(...TICKERS),
  bid: fc.boolean(),
  count: fc.integer({ min: 1, max: 5_000 }),
});

function fills(raw: ReadonlyArray<{ ticker: string; bid: boolean; count: number }>): ExchangeFill[] {
  return raw.map((f, i) => ({
    fillId: `f${i}`,
    orderId: `o${i}`,
    ticker: f.ticker,
    bookSide: f.bid ? 'bid' : 'ask',
    yesPrice: 5_000,
    count: f.count,
    fee: 0,
    isTaker: false,
    createdMs: 1_000 + i,
  }));
}

const signed = (f: ExchangeFill) => (f.bookSide === 'bid' ? f.count : -f.count);

describe('replayStartPositions', () => {
  it('starts each market where replaying its fills ends at the exchange position', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -10_000, max: 10_000 }), { minLength: 3, maxLength: 3 }),
        fc.array(fillArb, { maxLength: 40 }),
        (starts, raw) => {
          const list = fills(raw);
          const truth = new Map<string, number>(TICKERS.map((t, i) => [t, starts[i]!]));
          const end = new Map(truth);
          for (const f of list) end.set(f.ticker, end.get(f.ticker)! + signed(f));
          const now = [...end].map(([ticker, position]) => ({
            ticker,
            position,
            realizedPnl: 0,
            feesPaid: 0,
            exposure: 0,
          }));
          const got = replayStartPositions(now, list, []);
          for (const t of TICKERS) expect(got.starts.get(t)).toBe(truth.get(t));
          expect(got.ambiguous).toEqual([]);
        },
      ),
    );
  });

  it('ends a settled market at the position it paid out on, and leaves out one whose counts are unknown', () => {
    const list = fills([
      { ticker: 'KX-A', bid: false, count: 400 },
      { ticker: 'KX-B', bid: true, count: 300 },
    ]);
    // KX-A: held 1,000, sold 400, settled on 600 — the exchange now lists nothing for it.
    const got = replayStartPositions([], list, [
      { ticker: 'KX-A', settledMs: 5_000, position: 600 },
      { ticker: 'KX-B', settledMs: 5_000 },
    ]);
    expect(got.starts.get('KX-A')).toBe(1_000);
    expect(got.starts.has('KX-B')).toBe(false);
  });

  it('counts only the fills a read reflects (created by its updatedMs), whenever it was taken', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -10_000, max: 10_000 }), { minLength: 3, maxLength: 3 }),
        fc.array(fillArb, { maxLength: 40 }),
        fc.array(fc.nat({ max: 45 }), { minLength: 3, maxLength: 3 }),
        (starts, raw, taken) => {
          const list = fills(raw);
          const truth = new Map<string, number>(TICKERS.map((t, i) => [t, starts[i]!]));
          // Each market's read was taken just before fill taken[i] (half a millisecond: never a whole second).
          const read = TICKERS.map((ticker, i) => {
            const updatedMs = 1_000 + taken[i]! - 0.5;
            const inRead = list.filter((f) => f.ticker === ticker && f.createdMs <= updatedMs);
            const position = truth.get(ticker)! + inRead.reduce((a, f) => a + signed(f), 0);
            return {
              ticker,
              position,
              realizedPnl: 0,
              feesPaid: 0,
              exposure: 0,
              updatedMs,
            };
          });
          const got = replayStartPositions(read, list, []);
          for (const t of TICKERS) expect(got.starts.get(t)).toBe(truth.get(t));
          // And the read carried forward by every fill (all applied) is where the fills end.
          const rolled = rollForward(read, list, () => true);
          for (const p of rolled.positions) {
            const end =
              truth.get(p.ticker)! +
              list.filter((f) => f.ticker === p.ticker).reduce((a, f) => a + signed(f), 0);
            expect(p.position).toBe(end);
          }
        },
      ),
    );
  });

  it('calls a read ambiguous when its time is a whole second and a fill is later in that second', () => {
    const list = fills([{ ticker: 'KX-A', bid: true, count: 100 }]).map((f) => ({ ...f, createdMs: 7_250 }));
    const at = (updatedMs: number) => [
      { ticker: 'KX-A', position: 100, realizedPnl: 0, feesPaid: 0, exposure: 0, updatedMs },
    ];
    expect(replayStartPositions(at(7_000), list, []).ambiguous).toEqual(['KX-A']);
    expect(rollForward(at(7_000), list, () => true).ambiguous).toEqual(['KX-A']);
    // With milliseconds, or a fill in a later second, it can be told.
    expect(replayStartPositions(at(7_001), list, []).ambiguous).toEqual([]);
    expect(replayStartPositions(at(6_000), list, [])).toEqual({
      starts: new Map([['KX-A', 100]]),
      ambiguous: [],
    });
    expect(replayStartPositions(at(7_250), list, []).starts.get('KX-A')).toBe(0);
  });
});

describe('unplaced', () => {
  it('names the markets whose fills a read cannot place by a time: not listed, no time, or a whole second the fill falls in', () => {
    const [a, b, c, d] = fills([
      { ticker: 'KX-A', bid: true, count: 1 },
      { ticker: 'KX-B', bid: true, count: 1 },
      { ticker: 'KX-C', bid: true, count: 1 },
      { ticker: 'KX-D', bid: true, count: 1 },
    ]).map((f) => ({ ...f, createdMs: 7_250 }));
    const read = (ticker: string, updatedMs?: number) => ({
      ticker,
      position: 1,
      realizedPnl: 0,
      feesPaid: 0,
      exposure: 0,
      ...(updatedMs === undefined ? {} : { updatedMs }),
    });
    // KX-A: a time in milliseconds (placed); KX-B: no time; KX-C: a whole second the fill falls in;
    // KX-D: not listed.
    const positions = [read('KX-A', 7_001), read('KX-B'), read('KX-C', 7_000)];
    const all = [a!, b!, c!, d!];
    expect(unplaced(positions, all)).toEqual(['KX-B', 'KX-C', 'KX-D']);
    // A fill before or after the whole second is placed; a settled market is placed by its settlement.
    expect(
      unplaced(positions, [
        { ...c!, createdMs: 8_000 },
        { ...c!, fillId: 'x', createdMs: 6_999 },
      ]),
    ).toEqual([]);
    expect(unplaced(positions, all, new Set(['KX-B', 'KX-D']))).toEqual(['KX-C']);
    // Every market replayStartPositions or rollForward had to guess at is named.
    const guessedAt = replayStartPositions(positions, all, []).ambiguous;
    expect(unplaced(positions, all)).toEqual(expect.arrayContaining(guessedAt));
  });
});
