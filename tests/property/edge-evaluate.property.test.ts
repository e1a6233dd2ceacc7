/**
 * evaluateLadder over arbitrary ladders, quotes and forecasts: it never throws on market data, a
 * trade is always a post-only order at the best bid of the leg bought, sized within max_bet and the
 * bankroll, in the direction of the signal, and every refusal carries a reason.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { complement, MICROS_PER_DOLLAR } from '../../src/domain/index.js';
import {
  type BracketQuote,
  bracketProbabilities,
  evaluateLadder,
  parseLadder,
  resolveEdgeConfig,
} from '../../src/edge/index.js';
import { kalshiLadder } from '../unit/edge-helpers.js';

const cfg = resolveEdgeConfig({
  enabled_cities: ['chicago'],
  aggressiveness: 0.6,
  max_bet_per_trade_usd: 15,
});

/** Kalshi-like ladders: 3–6 brackets of 1–3 degrees, wide enough for edges past the threshold. */
const wideLadderArb = fc
  .record({
    start: fc.integer({ min: -20, max: 100 }),
    widths: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 3, maxLength: 6 }),
  })
  .map(({ start, widths }) => kalshiLadder('KXHIGHCHI-26JAN05', start, widths));

const caseArb = wideLadderArb.chain((markets) =>
  fc.record({
    markets: fc.constant(markets),
    // The market prices its own normal around marketMu; quotes straddle it, some one-sided or missing.
    marketPos: fc.integer({ min: -20, max: 120 }).map((x) => x / 100),
    marketSigma: fc.integer({ min: 10, max: 50 }).map((x) => x / 10),
    quotes: fc.array(
      fc.record({
        halfWidth: fc.integer({ min: 1, max: 6 }),
        shape: fc.oneof(
          { weight: 12, arbitrary: fc.constant('both') },
          { weight: 1, arbitrary: fc.constantFrom('bid', 'ask', 'none') },
        ),
      }),
      { minLength: markets.length, maxLength: markets.length },
    ),
    muShift: fc.integer({ min: -80, max: 80 }).map((x) => x / 10),
    spread: fc.double({ min: 0, max: 4, noNaN: true }),
    leadHours: fc.double({ min: 0, max: 96, noNaN: true }),
    classifierProb: fc.option(
      fc.integer({ min: 0, max: 1000 }).map((x) => x / 1000),
      { nil: undefined, freq: 5 },
    ),
    balance: fc.integer({ min: 0, max: 5_000 }).map((d) => d * MICROS_PER_DOLLAR),
  }),
);

describe('evaluateLadder', () => {
  it('proposes only sane, sized, post-only orders and explains every refusal', () => {
    let trades = 0;
    fc.assert(
      fc.property(caseArb, (c) => {
        const ladder = parseLadder(c.markets);
        // The market's centre sits around the ladder (marketPos 0 = its lowest bracket edge, 1 = its highest).
        const lo = (ladder.brackets[0] as { hi: number }).hi;
        const hi = (ladder.brackets[ladder.brackets.length - 1] as { lo: number }).lo;
        const marketMu = lo + c.marketPos * (hi - lo);
        const fair = bracketProbabilities(ladder, marketMu, c.marketSigma);
        const quotes: BracketQuote[] = ladder.brackets.map((b, i) => {
          const q = c.quotes[i] as { halfWidth: number; shape: string };
          const mid = Math.round((fair[i] as number) * 100);
          const bid = Math.max(1, Math.min(98, mid - q.halfWidth));
          const ask = Math.min(99, Math.max(bid + 1, mid + q.halfWidth));
          return {
            ticker: b.ticker,
            ...(q.shape === 'both' || q.shape === 'bid' ? { yesBid: bid * 100 } : {}),
            ...(q.shape === 'both' || q.shape === 'ask' ? { yesAsk: ask * 100 } : {}),
          };
        });
        const windowEndMs = Date.UTC(2026, 0, 6, 6);
        const d = evaluateLadder(
          {
            city: { id: 'chicago' },
            ladder,
            quotes,
            forecast: {
              source: 'test',
              highF: marketMu + c.muShift,
              spreadF: c.spread,
              issuedMs: windowEndMs - c.leadHours * 3_600_000,
              windowEndMs,
              peakCovered: true,
            },
            nowMs: windowEndMs - 10 * 3_600_000,
            ...(c.classifierProb !== undefined ? { classifierProb: c.classifierProb } : {}),
            classifierTrackRecord: 40,
            balance: c.balance,
          },
          cfg,
        );
        expect(d.row.reason.length).toBeGreaterThan(0);
        expect(d.row.should_trade).toBe(d.reasonCode === 'trade');
        if (!d.row.should_trade) {
          expect(d.intent).toBeUndefined();
          return;
        }
        trades += 1;
        const intent = d.intent as NonNullable<typeof d.intent>;
        const p = d.proposal as NonNullable<typeof d.proposal>;
        const q = quotes.find((x) => x.ticker === intent.ticker) as BracketQuote;
        // Joins the best bid of the leg bought: YES bid, or NO bid = 1 − YES ask (a YES ask at that ask).
        if (p.side === 'yes') expect(intent).toMatchObject({ bookSide: 'bid', yesPrice: q.yesBid });
        else expect(intent).toMatchObject({ bookSide: 'ask', yesPrice: q.yesAsk });
        expect(p.makerPrice).toBe(p.side === 'yes' ? q.yesBid : complement(q.yesAsk as number));
        expect(intent.postOnly).toBe(true);
        expect(intent.count).toBeGreaterThan(0);
        expect(intent.count % 100).toBe(0);
        expect(p.size.cost).toBeLessThanOrEqual(Math.min(cfg.maxBet, c.balance));
        expect(p.takerEdgeCents).toBeGreaterThanOrEqual(cfg.config.min_bracket_edge_cents);
        expect(c.classifierProb as number).toBeGreaterThanOrEqual(cfg.dial.confidenceThreshold);
        const edge = d.row.edge_degf as number;
        expect(d.row.signal).toBe(edge > 0 ? 'buy_high' : 'buy_low');
        expect(Math.abs(edge)).toBeGreaterThanOrEqual(cfg.edgeThresholdDegF);
      }),
      { numRuns: 300 },
    );
    // Not vacuous: some of the cases trade.
    expect(trades).toBeGreaterThan(5);
  });
});
