/**
 * The market's view of a ladder: YES quotes per bracket → mids → probabilities that sum to 1 →
 * the market-implied temperature Σ pᵢ × repᵢ (the same representative temperatures as
 * forecast-implied.ts).
 *
 * QUOTES. A bracket's YES bid is its best YES bid; its YES ask is 1 − its best NO bid (the book
 * holds bids only, KALSHI.md §8). A missing side takes Kalshi's own display convention: no bid = 0,
 * no ask = $1 — so a tail offered at 2¢ with no bid has mid 1¢, and a side nobody quotes shows as a
 * wide spread instead of being invented.
 *
 * WHAT IS REPORTED, NOT GUESSED. The implied temperature is withheld (`ok: false`) when:
 *   unquoted      a bracket has neither a bid nor an ask (or no quote was given for it)
 *   crossed       a bracket's bid ≥ its ask
 *   wide_spread   ask − bid > maxSpread (default 20¢): the mid says little
 *   mass_off      |Σ mids − 1| > massTolerance (default 0.15): the ladder does not price one outcome
 * Always reported, never blocking (they are information, and an opportunity for someone):
 *   ladder_cheap  Σ asks < $1: buying YES on every bracket costs less than the $1 it surely pays
 *   ladder_rich   Σ bids > $1: selling YES on every bracket collects more than the $1 it surely costs
 * Mids are normalized by their sum: a ladder priced at 103% becomes probabilities summing to 1.
 */
import { PRICE_SCALE, type Price } from '../domain/index.js';
import { EdgeError, requireFinite, requireInt } from './errors.js';
import { impliedTemperature } from './forecast-implied.js';
import { type Ladder, representativeTemps } from './ladder.js';

/** Top of book of one bracket, in Price units (1/10,000 $) on the YES leg. */
export interface BracketQuote {
  readonly ticker: string;
  readonly yesBid?: Price;
  readonly yesAsk?: Price;
}

export interface MarketImpliedOptions {
  /** Widest bid–ask spread whose mid is trusted, Price units. Default 2,000 (20¢). */
  readonly maxSpread?: Price;
  /** Largest |Σ mids − 1| accepted. Default 0.15. */
  readonly massTolerance?: number;
  /** Tail width for representative temperatures (ladder.ts). */
  readonly tailWidth?: number;
}

export const DEFAULT_MAX_SPREAD: Price = 2_000;
export const DEFAULT_MASS_TOLERANCE = 0.15;

export type MarketProblemCode =
  | 'unquoted'
  | 'crossed'
  | 'wide_spread'
  | 'mass_off'
  | 'ladder_cheap'
  | 'ladder_rich';

/** Problems that withhold the implied temperature. */
export const BLOCKING_MARKET_PROBLEMS: readonly MarketProblemCode[] = [
  'unquoted',
  'crossed',
  'wide_spread',
  'mass_off',
];

export interface MarketProblem {
  readonly code: MarketProblemCode;
  /** The bracket concerned; absent for ladder-wide problems. */
  readonly ticker?: string;
  readonly detail: string;
}

export interface BracketBook {
  readonly ticker: string;
  /** Bid and ask after the missing-side convention (0 / PRICE_SCALE). */
  readonly bid: Price;
  readonly ask: Price;
  readonly quoted: boolean;
  /** (bid + ask) / 2 in dollars. */
  readonly mid: number;
}

export interface MarketImplied {
  /** True when nothing blocking was found and `probabilities` / `impliedTempF` are set. */
  readonly ok: boolean;
  readonly problems: readonly MarketProblem[];
  /** One per bracket, ascending like the ladder. */
  readonly books: readonly BracketBook[];
  /** Σ mids (dollars); 1 for a ladder priced exactly at one outcome. */
  readonly mass: number;
  readonly probabilities?: readonly number[];
  readonly impliedTempF?: number;
}

function cents(p: number): string {
  return `${(p / 100).toFixed(p % 100 === 0 ? 0 : 2)}¢`;
}

function price(field: string, p: Price | undefined): Price | undefined {
  return p === undefined ? undefined : requireInt(field, p, 0, PRICE_SCALE);
}

export function marketImplied(
  ladder: Ladder,
  quotes: readonly BracketQuote[],
  options: MarketImpliedOptions = {},
): MarketImplied {
  const maxSpread = requireInt('maxSpread', options.maxSpread ?? DEFAULT_MAX_SPREAD, 0, PRICE_SCALE);
  const massTolerance = requireFinite('massTolerance', options.massTolerance ?? DEFAULT_MASS_TOLERANCE, 0);
  const byTicker = new Map<string, BracketQuote>();
  for (const q of quotes) {
    if (!ladder.brackets.some((b) => b.ticker === q.ticker)) {
      throw new EdgeError('EDGE_BAD_INPUT', `quotes.${q.ticker}`, `not a bracket of ${ladder.eventTicker}`);
    }
    byTicker.set(q.ticker, q);
  }
  const problems: MarketProblem[] = [];
  const books: BracketBook[] = ladder.brackets.map((b) => {
    const q = byTicker.get(b.ticker);
    const rawBid = price(`quotes.${b.ticker}.yesBid`, q?.yesBid);
    const rawAsk = price(`quotes.${b.ticker}.yesAsk`, q?.yesAsk);
    const quoted = rawBid !== undefined || rawAsk !== undefined;
    const bid = rawBid ?? 0;
    const ask = rawAsk ?? PRICE_SCALE;
    if (!quoted) {
      problems.push({ code: 'unquoted', ticker: b.ticker, detail: `${b.label} has no bid and no ask` });
    } else if (bid >= ask) {
      problems.push({
        code: 'crossed',
        ticker: b.ticker,
        detail: `${b.label}: bid ${cents(bid)} ≥ ask ${cents(ask)}`,
      });
    } else if (ask - bid > maxSpread) {
      problems.push({
        code: 'wide_spread',
        ticker: b.ticker,
        detail: `${b.label}: spread ${cents(ask - bid)} (bid ${rawBid === undefined ? 'none' : cents(bid)}, ask ${rawAsk === undefined ? 'none' : cents(ask)}) > ${cents(maxSpread)}`,
      });
    }
    return { ticker: b.ticker, bid, ask, quoted, mid: (bid + ask) / 2 / PRICE_SCALE };
  });
  const mass = books.reduce((s, b) => s + (b.quoted ? b.mid : 0), 0);
  if (Math.abs(mass - 1) > massTolerance) {
    problems.push({
      code: 'mass_off',
      detail: `mids sum to ${(mass * 100).toFixed(1)}¢, not within ${(massTolerance * 100).toFixed(1)}¢ of $1`,
    });
  }
  if (books.every((b) => b.quoted)) {
    const asks = books.reduce((s, b) => s + b.ask, 0);
    const bids = books.reduce((s, b) => s + b.bid, 0);
    if (asks < PRICE_SCALE)
      problems.push({ code: 'ladder_cheap', detail: `YES asks sum to ${cents(asks)} < $1` });
    if (bids > PRICE_SCALE)
      problems.push({ code: 'ladder_rich', detail: `YES bids sum to ${cents(bids)} > $1` });
  }
  const ok = !problems.some((p) => BLOCKING_MARKET_PROBLEMS.includes(p.code));
  if (!ok) return { ok, problems, books, mass };
  const probabilities = books.map((b) => b.mid / mass);
  const impliedTempF = impliedTemperature(probabilities, representativeTemps(ladder, options.tailWidth));
  return { ok, problems, books, mass, probabilities, impliedTempF };
}
