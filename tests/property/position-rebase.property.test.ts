/**
 * replayStartPositions: replaying the fills from the start it computes ends exactly where the
 * exchange says — its position now, or what a settlement paid out on — and each replayed fill
 * meets the position it really met; a settlement that does not report its counts leaves the
 * market out.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ExchangeFill } from '../../src/domain/index.js';
import { replayStartPositions } from '../../src/services/index.js';

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
          for (const t of TICKERS) {
            if (list.some((f) => f.ticker === t)) expect(got.get(t)).toBe(truth.get(t));
            else expect(got.has(t)).toBe(false);
          }
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
    expect(got.get('KX-A')).toBe(1_000);
    expect(got.has('KX-B')).toBe(false);
  });
});
