/**
 * A seeded, Kalshi-shaped universe of series → events → markets for the simulator, with a fair
 * value per market that the synthetic participants (activity.ts) quote around.
 *
 * Tickers follow KALSHI.md §9: series `KXHIGHCHI` → event `KXHIGHCHI-25DEC01` (series, `-`, UTC date
 * as YYMONDD; intraday series append the hour, `KXBTCD-25DEC0117`) → market
 * `KXHIGHCHI-25DEC01-B45.5`. Strike suffixes: `B<x.5>` is a 2°F bracket (`between`, floor x,
 * cap x+1, "45° to 46°"); `T<x>` is a tail (`greater`: YES if value > floor_strike; `less`: YES if
 * value < cap_strike).
 *
 * The universe is a sequence of blocks, taken in order until `markets` markets exist:
 *   0. a weather ladder (KXHIGHCHI, today): lower tail, four brackets, upper tail — six mutually
 *      exclusive markets whose fair values sum to exactly $1;
 *   1. an economics threshold event (KXCPI, fee_type quadratic_with_maker_fees, so maker fees are
 *      exercised): five `greater` markets;
 *   2. an hourly crypto threshold event (KXBTCD, plain quadratic): five `greater` markets, one
 *      priced on the deci_cent grid and one with fractional trading enabled;
 *   3+. more weather ladders: other cities today, then every city tomorrow, and so on.
 * The last block is cut short when fewer markets remain (so `markets < 6` gives the first N markets
 * of the ladder, lower tail first); a cut-short ladder's fair values then sum to less than $1.
 *
 * Fair values come from integer binomial weights (no floats): a daily high is modelled as a binomial
 * temperature of standard deviation ≈ 2.4°F around a seeded centre. Same seed and nowMs → same universe.
 */
import type { Price } from '../kalshi/index.js';
import { PRICE_SCALE } from '../kalshi/index.js';
import type { EventDef, ExchangeCore, MarketDef, SeriesDef } from './core-types.js';
import type { Rng } from './rng.js';
import { createRng } from './rng.js';

export interface Universe {
  series: SeriesDef[];
  events: EventDef[];
  markets: MarketDef[];
  fairValues: Map<string, Price>;
}

export interface BuildUniverseOptions {
  seed: number;
  /** How many markets to create, ≥ 1. */
  markets: number;
  /** "Now" for the universe: dates in tickers and open/close times derive from it (UTC). */
  nowMs: number;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] as const;
const MONTH_NAMES = [
  'Jan',
  'Feb',
  'Mar',
  'Apr',
  'May',
  'Jun',
  'Jul',
  'Aug',
  'Sep',
  'Oct',
  'Nov',
  'Dec',
] as const;

/** Threshold markets keep their fair value inside these bounds, so makers can quote both sides. */
const MIN_THRESHOLD_FAIR: Price = 300;
const MAX_THRESHOLD_FAIR: Price = PRICE_SCALE - MIN_THRESHOLD_FAIR;

/** Binomial trials behind a weather ladder: sd = √24 / 2 ≈ 2.45°F. */
const WEATHER_TRIALS = 24;
const WEATHER_MARKETS = 6;

interface City {
  code: string;
  name: string;
  /** Range of the seeded centre of the daily high, °F. */
  lowF: number;
  highF: number;
}

const CITIES: readonly City[] = [
  { code: 'CHI', name: 'Chicago', lowF: 25, highF: 60 },
  { code: 'NY', name: 'New York', lowF: 30, highF: 65 },
  { code: 'MIA', name: 'Miami', lowF: 70, highF: 88 },
  { code: 'AUS', name: 'Austin', lowF: 55, highF: 85 },
  { code: 'DEN', name: 'Denver', lowF: 30, highF: 70 },
  { code: 'LAX', name: 'Los Angeles', lowF: 60, highF: 80 },
  { code: 'PHIL', name: 'Philadelphia', lowF: 30, highF: 65 },
];

/** UTC date of `ms` as Kalshi's YYMONDD, e.g. 25DEC01. */
export function tickerDate(ms: number): string {
  const d = new Date(ms);
  const yy = String(d.getUTCFullYear() % 100).padStart(2, '0');
  const dd = String(d.getUTCDate()).padStart(2, '0');
  return `${yy}${MONTHS[d.getUTCMonth()]}${dd}`;
}

/** UTC date and hour of `ms` as YYMONDDHH, e.g. 25AUG0517 (intraday series). */
export function tickerDateHour(ms: number): string {
  return `${tickerDate(ms)}${String(new Date(ms).getUTCHours()).padStart(2, '0')}`;
}

function humanDate(ms: number): string {
  const d = new Date(ms);
  return `${MONTH_NAMES[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}`;
}

function floorHour(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}

/** Binomial coefficients C(n, 0..n), exact integers (n ≤ 50 stays within safe integers). */
function binomialRow(n: number): number[] {
  const row = [1];
  for (let k = 1; k <= n; k++) row.push(((row[k - 1] as number) * (n - k + 1)) / k);
  return row;
}

/**
 * Splits PRICE_SCALE among integer weights proportionally, exactly (largest remainder, ties to
 * the lower index): the parts always sum to $1.
 */
function apportion(weights: readonly number[]): Price[] {
  const total = weights.reduce((a, b) => a + b, 0);
  const parts = weights.map((w) => Math.floor((w * PRICE_SCALE) / total));
  let left = PRICE_SCALE - parts.reduce((a, b) => a + b, 0);
  const order = weights
    .map((w, i) => ({ i, rem: (w * PRICE_SCALE) % total }))
    .sort((a, b) => b.rem - a.rem || a.i - b.i);
  for (const { i } of order) {
    if (left === 0) break;
    parts[i] = (parts[i] as number) + 1;
    left -= 1;
  }
  return parts;
}

/** P(X > k) for X ~ Binomial(n, ½), as a Price clamped to the threshold bounds. */
function upperTailFair(row: readonly number[], k: number): Price {
  let mass = 0;
  for (let j = k + 1; j < row.length; j++) mass += row[j] as number;
  const total = 2 ** (row.length - 1);
  const p = Math.round((mass * PRICE_SCALE) / total);
  return Math.min(MAX_THRESHOLD_FAIR, Math.max(MIN_THRESHOLD_FAIR, p));
}

interface Block {
  series: SeriesDef;
  event: EventDef;
  markets: MarketDef[];
  fairs: Price[];
}

interface BlockContext {
  rng: Rng;
  nowMs: number;
}

function weatherSeries(city: City): SeriesDef {
  return {
    ticker: `KXHIGH${city.code}`,
    title: `Highest temperature in ${city.name}`,
    category: 'Climate and Weather',
    frequency: 'daily',
    feeType: 'quadratic',
    feeMultiplier: 10_000,
  };
}

function weatherLadder(ctx: BlockContext, city: City, dayOffset: number): Block {
  const { rng, nowMs } = ctx;
  const series = weatherSeries(city);
  const dayMs = nowMs + dayOffset * DAY_MS;
  const eventTicker = `${series.ticker}-${tickerDate(dayMs)}`;
  const title = `Highest temperature in ${city.name} on ${humanDate(dayMs)}?`;
  const event: EventDef = {
    eventTicker,
    seriesTicker: series.ticker,
    title,
    subTitle: `On ${humanDate(dayMs)}`,
    mutuallyExclusive: true,
  };

  const hour = floorHour(nowMs);
  const openMs = hour - 2 * HOUR_MS;
  const closeMs = hour + 6 * HOUR_MS + dayOffset * DAY_MS;
  const base = {
    eventTicker,
    title,
    openMs,
    closeMs,
    expectedExpirationMs: closeMs + 8 * HOUR_MS,
    priceLevelStructure: 'linear_cent' as const,
    fractionalTradingEnabled: false,
    status: 'active' as const,
  };

  // Brackets [L, L+1], [L+2, L+3], [L+4, L+5], [L+6, L+7]; tails < L and > L+7.
  const centre = rng.int(city.lowF, city.highF);
  const low = centre - 4;
  const high = low + 7;
  const markets: MarketDef[] = [
    {
      ...base,
      ticker: `${eventTicker}-T${low}`,
      yesSubTitle: `${low - 1}° or below`,
      noSubTitle: `${low - 1}° or below`,
      strikeType: 'less',
      capStrike: low,
    },
  ];
  for (let i = 0; i < 4; i++) {
    const floor = low + 2 * i;
    markets.push({
      ...base,
      ticker: `${eventTicker}-B${floor}.5`,
      yesSubTitle: `${floor}° to ${floor + 1}°`,
      noSubTitle: `${floor}° to ${floor + 1}°`,
      strikeType: 'between',
      floorStrike: floor,
      capStrike: floor + 1,
    });
  }
  markets.push({
    ...base,
    ticker: `${eventTicker}-T${high}`,
    yesSubTitle: `${high + 1}° or above`,
    noSubTitle: `${high + 1}° or above`,
    strikeType: 'greater',
    floorStrike: high,
  });

  // Temperature t = low − 8 + shift + k, k ~ Binomial(24, ½): mean low + 4 + shift. A shift of −1 or 0
  // keeps both tails above 3%.
  const shift = rng.int(-1, 0);
  const row = binomialRow(WEATHER_TRIALS);
  const weights = new Array<number>(WEATHER_MARKETS).fill(0);
  row.forEach((w, k) => {
    const t = low - 8 + shift + k;
    const bucket = t < low ? 0 : t > high ? WEATHER_MARKETS - 1 : 1 + Math.floor((t - low) / 2);
    weights[bucket] = (weights[bucket] as number) + w;
  });
  return { series, event, markets, fairs: apportion(weights) };
}

function economicsBlock(ctx: BlockContext): Block {
  const { rng, nowMs } = ctx;
  const series: SeriesDef = {
    ticker: 'KXCPI',
    title: 'CPI month-over-month',
    category: 'Economics',
    frequency: 'monthly',
    feeType: 'quadratic_with_maker_fees',
    feeMultiplier: 10_000,
  };
  const hour = floorHour(nowMs);
  const closeMs = hour + 5 * HOUR_MS;
  const eventTicker = `${series.ticker}-${tickerDate(closeMs)}`;
  const title = `CPI month-over-month change, released ${humanDate(closeMs)}`;
  const event: EventDef = {
    eventTicker,
    seriesTicker: series.ticker,
    title,
    subTitle: `Release of ${humanDate(closeMs)}`,
    mutuallyExclusive: false,
  };
  // Change in tenths of a percent: v = centre − 6 + k, k ~ Binomial(12, ½).
  const centre = rng.int(2, 3);
  const row = binomialRow(12);
  const markets: MarketDef[] = [];
  const fairs: Price[] = [];
  for (let tenths = 1; tenths <= 5; tenths++) {
    markets.push({
      ticker: `${eventTicker}-T0.${tenths}`,
      eventTicker,
      title: `Will CPI rise more than 0.${tenths}%?`,
      yesSubTitle: `Above 0.${tenths}%`,
      noSubTitle: `Above 0.${tenths}%`,
      strikeType: 'greater',
      floorStrike: tenths / 10,
      openMs: hour - 24 * HOUR_MS,
      closeMs,
      expectedExpirationMs: closeMs + HOUR_MS,
      priceLevelStructure: 'linear_cent',
      fractionalTradingEnabled: false,
      status: 'active',
    });
    // v > tenths ⇔ k > tenths − centre + 6.
    fairs.push(upperTailFair(row, tenths - centre + 6));
  }
  return { series, event, markets, fairs };
}

function cryptoBlock(ctx: BlockContext): Block {
  const { rng, nowMs } = ctx;
  const series: SeriesDef = {
    ticker: 'KXBTCD',
    title: 'Bitcoin price, hourly',
    category: 'Crypto',
    frequency: 'hourly',
    feeType: 'quadratic',
    feeMultiplier: 10_000,
  };
  const hour = floorHour(nowMs);
  const closeMs = hour + 3 * HOUR_MS;
  const eventTicker = `${series.ticker}-${tickerDateHour(closeMs)}`;
  const closeHour = String(new Date(closeMs).getUTCHours()).padStart(2, '0');
  const title = `Bitcoin price at ${closeHour}:00 UTC on ${humanDate(closeMs)}?`;
  const event: EventDef = {
    eventTicker,
    seriesTicker: series.ticker,
    title,
    subTitle: `${closeHour}:00 UTC, ${humanDate(closeMs)}`,
    mutuallyExclusive: false,
  };
  // Price in $250 steps: v = centre + 250 × (k − 8), k ~ Binomial(16, ½).
  const centre = rng.int(80, 120) * 1000;
  const row = binomialRow(16);
  const markets: MarketDef[] = [];
  const fairs: Price[] = [];
  for (let i = -2; i <= 2; i++) {
    const strike = centre + 500 * i;
    markets.push({
      ticker: `${eventTicker}-T${strike}`,
      eventTicker,
      title: `Bitcoin above $${strike} at ${closeHour}:00 UTC?`,
      yesSubTitle: `$${strike} or above`,
      noSubTitle: `$${strike} or above`,
      strikeType: 'greater',
      floorStrike: strike,
      openMs: hour - HOUR_MS,
      closeMs,
      expectedExpirationMs: closeMs + 5 * 60_000,
      // One market on the 0.1¢ grid and one with fractional contracts, to exercise validation.
      priceLevelStructure: i === 2 ? 'deci_cent' : 'linear_cent',
      fractionalTradingEnabled: i === 1,
      status: 'active',
    });
    // v > strike ⇔ k > 8 + 2i.
    fairs.push(upperTailFair(row, 8 + 2 * i));
  }
  return { series, event, markets, fairs };
}

function blockAt(index: number, ctx: BlockContext): Block {
  if (index === 1) return economicsBlock(ctx);
  if (index === 2) return cryptoBlock(ctx);
  // Weather ladders: w = 0 is block 0; blocks 3, 4, … continue with w = 1, 2, ….
  const w = index === 0 ? 0 : index - 2;
  return weatherLadder(ctx, CITIES[w % CITIES.length] as City, Math.floor(w / CITIES.length));
}

export function buildUniverse(opts: BuildUniverseOptions): Universe {
  if (!Number.isSafeInteger(opts.markets) || opts.markets < 1) {
    throw new RangeError(`buildUniverse: markets must be a whole number ≥ 1, got ${opts.markets}`);
  }
  const rng = createRng(opts.seed);
  const series = new Map<string, SeriesDef>();
  const events: EventDef[] = [];
  const markets: MarketDef[] = [];
  const fairValues = new Map<string, Price>();

  for (let index = 0; markets.length < opts.markets; index++) {
    // Each block draws from its own stream, so a block's shape does not depend on how many
    // markets earlier blocks were cut to.
    const block = blockAt(index, { rng: rng.fork(), nowMs: opts.nowMs });
    if (!series.has(block.series.ticker)) series.set(block.series.ticker, block.series);
    events.push(block.event);
    const take = Math.min(block.markets.length, opts.markets - markets.length);
    for (let i = 0; i < take; i++) {
      const market = block.markets[i] as MarketDef;
      markets.push(market);
      fairValues.set(market.ticker, block.fairs[i] as Price);
    }
  }
  return { series: [...series.values()], events, markets, fairValues };
}

/** Registers the universe's series, events and markets with the core, in that order. */
export function installUniverse(core: ExchangeCore, universe: Universe): void {
  for (const s of universe.series) core.addSeries(s);
  for (const e of universe.events) core.addEvent(e);
  for (const m of universe.markets) core.addMarket(m);
}
