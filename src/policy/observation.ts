/**
 * The observation builder: ONE pure function from (book, history, portfolio, our open orders) to
 * the 52 floats of FEATURE_SPEC (src/policy/spec.ts; prose in planning/features.md). Training
 * (src/policy/train/dataset.ts) and the live actor call this same module; there is no second
 * feature implementation.
 *
 * Contract:
 *  - inputs are integers in the trader's units (Price, Count, Micros; times in epoch ms);
 *  - every output is finite and inside its spec range, whatever the input (NaN, ∞, empty or
 *    one-sided books, zero volume, huge numbers): each value goes through `put`, which maps NaN
 *    to the feature's fallback and clips to [min, max];
 *  - the per-market History is a value: pushHistory returns a new one, the old one is unchanged.
 */
import type { BookSide, Count, Micros, Price } from '../domain/index.js';
import { COUNT_SCALE, MICROS_PER_DOLLAR, PRICE_SCALE } from '../domain/index.js';
import { advanceAnchor, anchorFeatures, type MidAnchor } from './anchor.js';
import { FEATURE_COUNT, FEATURE_SPEC, SPEC_CONSTANTS as K } from './spec.js';

/** One price level of a bid ladder (same shape as src/orderbook's Level). */
export interface BookLevel {
  readonly price: Price;
  readonly count: Count;
}

/** What the builder reads of one market's book. Ladders best (highest price) first. */
export interface BookInput {
  /** YES bids, best first; at least the top SPEC_CONSTANTS.levels when the ladder has them. */
  readonly yes: readonly BookLevel[];
  /** NO bids on the NO price scale, best first. */
  readonly no: readonly BookLevel[];
  /** Total resting Count on each whole ladder. */
  readonly yesTotal: Count;
  readonly noTotal: Count;
  /** Number of levels on each whole ladder. */
  readonly yesLevels: number;
  readonly noLevels: number;
}

/** One remembered update of a market. */
export interface HistoryEntry {
  readonly tMs: number;
  /** Two-sided YES mid in Price units (may be x.5), undefined when the book was one-sided. */
  readonly mid: number | undefined;
  /** Resting contracts (Count) on both ladders. */
  readonly depth: Count;
}

/**
 * The last SPEC_CONSTANTS.historyCapacity updates of one market, oldest first, and the slow anchor
 * of its mid over all its updates (anchor.ts; absent until the first two-sided mid).
 */
export interface History {
  readonly entries: readonly HistoryEntry[];
  readonly anchor?: MidAnchor;
}

export interface PortfolioInput {
  /** Signed position in this market (+ YES / − NO). */
  readonly position: Count;
  /** Cash balance. */
  readonly cash: Micros;
  /** What was paid for the contracts held in this market (≥ 0). */
  readonly costBasis: Micros;
  /** Account equity (cash + marked positions), the denominator of the ratios. */
  readonly equity: Micros;
}

/** One of our open orders in this market (V2: bid = buy YES, ask = sell YES ≡ buy NO). */
export interface OpenOrderInput {
  readonly bookSide: BookSide;
  readonly yesPrice: Price;
  /** Remaining (unfilled) Count. */
  readonly remaining: Count;
  /** A reduce-only order closes contracts we hold and reserves no cash. */
  readonly reduceOnly?: boolean;
}

export interface ObservationInput {
  readonly book: BookInput;
  /** The market's history, already including the current update (pushHistory first). */
  readonly history: History;
  readonly portfolio: PortfolioInput;
  readonly orders: readonly OpenOrderInput[];
}

export const EMPTY_HISTORY: History = { entries: [] };

// ---------- book helpers ----------

/** What src/orderbook's OrderBook offers (structural, so this module stays free of it). */
export interface BookReader {
  depth(side: 'yes' | 'no', n: number): ReadonlyArray<BookLevel>;
  totalDepth(side?: 'yes' | 'no'): Count;
  levelCount(side: 'yes' | 'no'): number;
}

/** The builder's view of a live OrderBook. */
export function bookInputFromBook(book: BookReader): BookInput {
  return {
    yes: book.depth('yes', K.levels),
    no: book.depth('no', K.levels),
    yesTotal: book.totalDepth('yes'),
    noTotal: book.totalDepth('no'),
    yesLevels: book.levelCount('yes'),
    noLevels: book.levelCount('no'),
  };
}

/**
 * What pushHistory reads of a live OrderBook: the best level of each ladder and the totals (the
 * actor pushes every update, so it does not list the top levels for it).
 */
export function historyInputFromBook(book: BookReader): BookInput {
  return {
    yes: book.depth('yes', 1),
    no: book.depth('no', 1),
    yesTotal: book.totalDepth('yes'),
    noTotal: book.totalDepth('no'),
    yesLevels: book.levelCount('yes'),
    noLevels: book.levelCount('no'),
  };
}

/** The builder's view of whole ladders given as [price, count] pairs in any order (e.g. a snapshot record). */
export function bookInputFromLevels(
  yes: ReadonlyArray<readonly [Price, Count]>,
  no: ReadonlyArray<readonly [Price, Count]>,
): BookInput {
  const ladder = (levels: ReadonlyArray<readonly [Price, Count]>) =>
    levels
      .filter(([, c]) => c > 0)
      .map(([price, count]) => ({ price, count }))
      .sort((a, b) => b.price - a.price);
  const y = ladder(yes);
  const n = ladder(no);
  const sum = (ls: BookLevel[]) => ls.reduce((s, l) => s + l.count, 0);
  return { yes: y, no: n, yesTotal: sum(y), noTotal: sum(n), yesLevels: y.length, noLevels: n.length };
}

const bestPrice = (ladder: readonly BookLevel[]): number | undefined => {
  const p = ladder[0]?.price;
  return p !== undefined && Number.isFinite(p) && p > 0 ? p : undefined;
};

/** Two-sided YES mid in Price units, or undefined. */
export function bookMid(book: BookInput): number | undefined {
  const yb = bestPrice(book.yes);
  const nb = bestPrice(book.no);
  if (yb === undefined || nb === undefined) return undefined;
  return (yb + PRICE_SCALE - nb) / 2;
}

// ---------- history ----------

/** A new History with this update appended (oldest dropped past capacity) and the anchor advanced. */
export function pushHistory(history: History, book: BookInput, tMs: number): History {
  const depth =
    (Number.isFinite(book.yesTotal) ? book.yesTotal : 0) + (Number.isFinite(book.noTotal) ? book.noTotal : 0);
  const entry: HistoryEntry = { tMs, mid: bookMid(book), depth };
  const kept =
    history.entries.length >= K.historyCapacity
      ? history.entries.slice(1 - K.historyCapacity)
      : history.entries;
  const anchor = advanceAnchor(history.anchor, entry.mid);
  return anchor === undefined ? { entries: [...kept, entry] } : { entries: [...kept, entry], anchor };
}

/** Mids of the history entries that had one, oldest first. */
function historyMids(h: History): number[] {
  const out: number[] = [];
  for (const e of h.entries) if (e.mid !== undefined && Number.isFinite(e.mid)) out.push(e.mid / PRICE_SCALE);
  return out;
}

/** Seed 003: tanh((Δ1 − Δ0)/|Δ0|) over the last three mids; 0 when undefined (fewer mids, Δ0 = 0). */
export function momentum(mids: readonly number[]): number {
  if (mids.length < 3) return 0;
  const m3 = mids[mids.length - 3]!;
  const m2 = mids[mids.length - 2]!;
  const m1 = mids[mids.length - 1]!;
  const d0 = m2 - m3;
  const d1 = m1 - m2;
  if (d0 === 0) return 0;
  return Math.tanh((d1 - d0) / Math.abs(d0));
}

/** Seed 003: min(1, n·ln(1 + V)/1000) with V in contracts. */
export function activityScore(markets: number, volumeContracts: number): number {
  return Math.min(1, (markets * Math.log1p(Math.max(0, volumeContracts))) / 1000);
}

// ---------- the builder ----------

const LN_DEPTH = Math.log1p(K.depthScaleContracts);
const LN_GAP = Math.log1p(K.timeGapLogMaxS);
const MINS = Float64Array.from(FEATURE_SPEC, (d) => d.min);
const MAXS = Float64Array.from(FEATURE_SPEC, (d) => d.max);

/** Log squash of a Count: ln(1 + contracts)/ln(1 + depthScaleContracts), in [0, 1]. */
const sq = (count: number): number => Math.log1p(Math.max(0, count / COUNT_SCALE)) / LN_DEPTH;
const prob = (price: number): number => price / PRICE_SCALE;
const ratio = (a: number, b: number): number => (a + b > 0 ? (a - b) / (a + b) : 0);
const fin = (x: number): number => (Number.isFinite(x) ? x : 0);

function topSum(ladder: readonly BookLevel[], k: number): number {
  let s = 0;
  for (let i = 0; i < k && i < ladder.length; i++) s += Math.max(0, fin(ladder[i]!.count));
  return s;
}

/**
 * Builds the 52-float observation. `out` (length 52) is filled and returned when given, so a hot
 * path can reuse one buffer.
 */
export function buildObservation(
  input: ObservationInput,
  out = new Float32Array(FEATURE_COUNT),
): Float32Array {
  const { book, history, portfolio, orders } = input;
  let i = 0;
  /** Writes the next feature: NaN → fallback, then clipped to the spec range (so ±∞ lands on a bound). */
  const put = (x: number, fallback = 0): void => {
    const v = Number.isNaN(x) ? fallback : x;
    out[i] = Math.min(MAXS[i]!, Math.max(MINS[i]!, v));
    i++;
  };

  // ---- prices ----
  const yb = bestPrice(book.yes);
  const nb = bestPrice(book.no);
  const yesBid = yb === undefined ? 0 : prob(yb);
  const yesAsk = nb === undefined ? 1 : 1 - prob(nb);
  const mids = historyMids(history);
  const twoSided = yb !== undefined && nb !== undefined;
  const markMid: number | undefined = twoSided ? (yesBid + yesAsk) / 2 : mids[mids.length - 1];
  const mid = markMid ?? 0.5;
  const anchor = anchorFeatures(history.anchor, markMid);
  put(yesBid);
  put(yesAsk, 1);
  put(anchor.devFast);
  put(anchor.devMid);
  put(mid, 0.5);
  put(anchor.devSlow);
  put(twoSided ? yesAsk - yesBid : 1, 1);
  const bidSize = fin(book.yes[0]?.count ?? 0);
  const askSize = fin(book.no[0]?.count ?? 0);
  put(
    twoSided && bidSize + askSize > 0 ? (yesBid * askSize + yesAsk * bidSize) / (bidSize + askSize) : mid,
    mid,
  );
  put(yb === undefined ? 0 : 1);
  put(nb === undefined ? 0 : 1);

  // ---- depth ----
  for (let l = 0; l < K.levels; l++) put(sq(fin(book.yes[l]?.count ?? 0)));
  for (let l = 0; l < K.levels; l++) put(sq(fin(book.no[l]?.count ?? 0)));
  put(ratio(topSum(book.yes, 1), topSum(book.no, 1)));
  put(ratio(topSum(book.yes, 3), topSum(book.no, 3)));
  put(ratio(topSum(book.yes, 5), topSum(book.no, 5)));
  const yesTotal = Math.max(0, fin(book.yesTotal));
  const noTotal = Math.max(0, fin(book.noTotal));
  put(ratio(yesTotal, noTotal));
  put(sq(yesTotal));
  put(sq(noTotal));
  put(fin(book.yesLevels) / K.levelCountScale);
  put(fin(book.noLevels) / K.levelCountScale);
  const span = (ladder: readonly BookLevel[]): number => {
    const n = Math.min(ladder.length, K.levels);
    return n < 2 ? 0 : prob(fin(ladder[0]!.price) - fin(ladder[n - 1]!.price));
  };
  put(span(book.yes));
  put(span(book.no));

  // ---- temporal ----
  const entries = history.entries;
  const last = entries[entries.length - 1];
  const prev = entries[entries.length - 2];
  const gapS = last && prev ? Math.max(0, (last.tMs - prev.tMs) / 1000) : 0;
  put(anchor.z);
  put(Math.log1p(Math.min(fin(gapS), K.timeGapLogMaxS)) / LN_GAP);
  put(activityScore(K.activityMarkets, (yesTotal + noTotal) / COUNT_SCALE));
  put(momentum(mids));
  const nm = mids.length;
  put(nm >= 2 ? K.midChangeScale * (mids[nm - 1]! - mids[nm - 2]!) : 0);
  put(nm >= 2 ? K.midChangeScale * (mids[nm - 1]! - mids[0]!) : 0);
  let vol = 0;
  if (nm >= 3) {
    let s = 0;
    let s2 = 0;
    for (let j = 1; j < nm; j++) {
      const d = mids[j]! - mids[j - 1]!;
      s += d;
      s2 += d * d;
    }
    const mean = s / (nm - 1);
    vol = Math.sqrt(Math.max(0, s2 / (nm - 1) - mean * mean));
  }
  put(K.midChangeScale * vol);
  const first = entries[0];
  const spanS = first && last ? (last.tMs - first.tMs) / 1000 : 0;
  put(entries.length < 2 ? 0 : spanS > 0 ? (entries.length - 1) / spanS / K.updateRateScale : 1);
  put(last && prev ? ratio(last.depth, prev.depth) : 0);

  // ---- portfolio ----
  const position = fin(portfolio.position);
  const held = Math.abs(position) / COUNT_SCALE;
  const equity = fin(portfolio.equity);
  const costBasis = Math.max(0, fin(portfolio.costBasis));
  const reserved = reservedCash(orders);
  const legMark = markMid === undefined ? undefined : position >= 0 ? markMid : 1 - markMid;
  const entry = held > 0 ? costBasis / MICROS_PER_DOLLAR / held : 0;
  const markValue = held * (legMark ?? entry) * MICROS_PER_DOLLAR;
  put(position / COUNT_SCALE / K.positionScaleContracts);
  put(position > 0 ? 1 : 0);
  put(position < 0 ? 1 : 0);
  put(equity > 0 ? fin(portfolio.cash) / equity : 0);
  put(equity > 0 ? reserved / equity : 0);
  put(equity > 0 ? markValue / equity : 0);
  put(held > 0 && costBasis > 0 ? (markValue - costBasis) / costBasis : 0);
  put(entry);

  // ---- our open orders ----
  let count = 0;
  let bidRemaining = 0;
  let askRemaining = 0;
  let ourBid = -Infinity;
  let ourAsk = Infinity;
  for (const o of orders) {
    const rem = fin(o.remaining);
    if (!(rem > 0)) continue;
    count++;
    if (o.bookSide === 'bid') {
      bidRemaining += rem;
      if (o.yesPrice > ourBid) ourBid = o.yesPrice;
    } else {
      askRemaining += rem;
      if (o.yesPrice < ourAsk) ourAsk = o.yesPrice;
    }
  }
  put(count / K.openOrderScale);
  put(bidRemaining / COUNT_SCALE / K.positionScaleContracts);
  put(askRemaining / COUNT_SCALE / K.positionScaleContracts);
  put(ourBid === -Infinity ? 1 : yb === undefined ? 0 : yesBid - prob(ourBid), 1);
  put(ourAsk === Infinity ? 1 : nb === undefined ? 0 : prob(ourAsk) - yesAsk, 1);

  if (i !== FEATURE_COUNT) throw new Error(`buildObservation wrote ${i} features, expected ${FEATURE_COUNT}`);
  return out;
}

/** Cash our open orders hold back: Σ remaining × leg price (bid: YES price, ask: NO price), reduce-only excluded. */
export function reservedCash(orders: readonly OpenOrderInput[]): Micros {
  let reserved = 0;
  for (const o of orders) {
    if (o.reduceOnly || !(o.remaining > 0) || !Number.isFinite(o.yesPrice)) continue;
    const leg = o.bookSide === 'bid' ? o.yesPrice : PRICE_SCALE - o.yesPrice;
    reserved += o.remaining * Math.min(PRICE_SCALE, Math.max(0, leg));
  }
  return reserved;
}

/** Pushes the update into the history and builds the observation: what the live actor does per update. */
export function observe(
  history: History,
  book: BookInput,
  tMs: number,
  portfolio: PortfolioInput,
  orders: readonly OpenOrderInput[],
): { history: History; obs: Float32Array } {
  const next = pushHistory(history, book, tMs);
  return { history: next, obs: buildObservation({ book, history: next, portfolio, orders }) };
}
