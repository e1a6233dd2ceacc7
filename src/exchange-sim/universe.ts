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
 * A fair value is the market's true P(yes): determination.ts draws results from it.
 *
 * RELISTING (createListings). Every event is period n of its series' chain: a weather ladder is day
 * n after the universe's day (today's and tomorrow's ladders of a city are n = 0 and 1 of one
 * chain; close = the initial close + n days), the economics event is n calendar months after the
 * initial release (day of month clamped), the crypto event n hours after the initial hour. When an
 * event stops trading, successorOf(event) builds the series' next period after the furthest one
 * listed so far (not after the closed event, so a series that already lists tomorrow gets the day
 * after), skipping any period whose close is not after now (after a clock jump). So each closed
 * event is replaced by exactly one new event of the same series with as many markets as the closed
 * one had (a cut-short block stays cut short), and the number of events and markets per series
 * stays constant. Successor tickers follow the same grammar (KXHIGHCHI-25DEC01 → …-25DEC02, or
 * -25DEC03 when DEC02 is listed; KXBTCD-25DEC0118 → KXBTCD-25DEC0119; KXCPI-25DEC01 → KXCPI-26JAN01).
 * A successor is listed `initialized` with openMs = the listing time (the lifecycle driver activates
 * it in the same tick), closes at its period's close and expires as its template says (weather
 * close + 8 h, economics + 1 h, crypto + 5 min). Its fair values are drawn from a stream seeded
 * with (seed, its event ticker), so the same seed lists the same successors with the same fair values.
 */

import { PRICE_SCALE, type Price } from '../domain/index.js';
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

/**
 * The series an event belongs to, as the template that builds it: enough to build the next period's
 * event of the same series.
 */
type Template = { kind: 'weather'; city: City } | { kind: 'economics' } | { kind: 'crypto' };

/**
 * Where an event sits in its series' chain of periods: period n after an anchor. Weather: n days
 * after the anchor day (the initial universe's today and tomorrow ladders of a city are n = 0 and
 * n = 1 of one chain); economics: n calendar months; crypto: n hours.
 */
interface EventPlan {
  template: Template;
  seriesTicker: string;
  anchorPeriodMs: number;
  anchorCloseMs: number;
  n: number;
  /** How many markets the event was listed with; a cut-short block keeps its size in its successors. */
  marketCount: number;
}

interface Period {
  /** What the event is about: the day (weather) or the release / hour, which is the close time. */
  periodMs: number;
  closeMs: number;
}

interface Schedule extends Period {
  openMs: number;
  status: 'active' | 'initialized';
}

interface Block {
  series: SeriesDef;
  event: EventDef;
  markets: MarketDef[];
  fairs: Price[];
}

/** From close to expected expiration (when the simulator determines the result), per template. */
const EXPIRATION_DELAY_MS: Record<Template['kind'], number> = {
  weather: 8 * HOUR_MS,
  economics: HOUR_MS,
  crypto: 5 * 60_000,
};

/** `ms` moved by n calendar months (UTC), the day of the month clamped to the target month's length. */
function addMonths(ms: number, n: number): number {
  const d = new Date(ms);
  const month = d.getUTCMonth() + n;
  const lastDay = new Date(Date.UTC(d.getUTCFullYear(), month + 1, 0)).getUTCDate();
  return Date.UTC(
    d.getUTCFullYear(),
    month,
    Math.min(d.getUTCDate(), lastDay),
    d.getUTCHours(),
    d.getUTCMinutes(),
    d.getUTCSeconds(),
    d.getUTCMilliseconds(),
  );
}

/** Period n of a chain. */
function periodOf(plan: Omit<EventPlan, 'n' | 'marketCount'>, n: number): Period {
  switch (plan.template.kind) {
    case 'weather':
      return { periodMs: plan.anchorPeriodMs + n * DAY_MS, closeMs: plan.anchorCloseMs + n * DAY_MS };
    case 'economics': {
      const closeMs = addMonths(plan.anchorCloseMs, n);
      return { periodMs: closeMs, closeMs };
    }
    case 'crypto': {
      const closeMs = plan.anchorCloseMs + n * HOUR_MS;
      return { periodMs: closeMs, closeMs };
    }
  }
}

function seriesOf(template: Template): SeriesDef {
  switch (template.kind) {
    case 'weather':
      return weatherSeries(template.city);
    case 'economics':
      return {
        ticker: 'KXCPI',
        title: 'CPI month-over-month',
        category: 'Economics',
        frequency: 'monthly',
        feeType: 'quadratic_with_maker_fees',
        feeMultiplier: 10_000,
      };
    case 'crypto':
      return {
        ticker: 'KXBTCD',
        title: 'Bitcoin price, hourly',
        category: 'Crypto',
        frequency: 'hourly',
        feeType: 'quadratic',
        feeMultiplier: 10_000,
      };
  }
}

/** The event ticker of a template's event for a period (KALSHI.md §9). */
function eventTickerOf(template: Template, periodMs: number): string {
  const series = seriesOf(template).ticker;
  return template.kind === 'crypto'
    ? `${series}-${tickerDateHour(periodMs)}`
    : `${series}-${tickerDate(periodMs)}`;
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

function weatherLadder(rng: Rng, city: City, schedule: Schedule): Block {
  const template: Template = { kind: 'weather', city };
  const series = weatherSeries(city);
  const dayMs = schedule.periodMs;
  const eventTicker = eventTickerOf(template, dayMs);
  const title = `Highest temperature in ${city.name} on ${humanDate(dayMs)}?`;
  const event: EventDef = {
    eventTicker,
    seriesTicker: series.ticker,
    title,
    subTitle: `On ${humanDate(dayMs)}`,
    mutuallyExclusive: true,
  };

  const { openMs, closeMs, status } = schedule;
  const base = {
    eventTicker,
    title,
    openMs,
    closeMs,
    expectedExpirationMs: closeMs + EXPIRATION_DELAY_MS.weather,
    priceLevelStructure: 'linear_cent' as const,
    fractionalTradingEnabled: false,
    status,
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

function economicsBlock(rng: Rng, schedule: Schedule): Block {
  const template: Template = { kind: 'economics' };
  const series = seriesOf(template);
  const { openMs, closeMs, status } = schedule;
  const eventTicker = eventTickerOf(template, schedule.periodMs);
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
      openMs,
      closeMs,
      expectedExpirationMs: closeMs + EXPIRATION_DELAY_MS.economics,
      priceLevelStructure: 'linear_cent',
      fractionalTradingEnabled: false,
      status,
    });
    // v > tenths ⇔ k > tenths − centre + 6.
    fairs.push(upperTailFair(row, tenths - centre + 6));
  }
  return { series, event, markets, fairs };
}

function cryptoBlock(rng: Rng, schedule: Schedule): Block {
  const template: Template = { kind: 'crypto' };
  const series = seriesOf(template);
  const { openMs, closeMs, status } = schedule;
  const eventTicker = eventTickerOf(template, schedule.periodMs);
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
      openMs,
      closeMs,
      expectedExpirationMs: closeMs + EXPIRATION_DELAY_MS.crypto,
      // One market on the 0.1¢ grid and one with fractional contracts, to exercise validation.
      priceLevelStructure: i === 2 ? 'deci_cent' : 'linear_cent',
      fractionalTradingEnabled: i === 1,
      status,
    });
    // v > strike ⇔ k > 8 + 2i.
    fairs.push(upperTailFair(row, 8 + 2 * i));
  }
  return { series, event, markets, fairs };
}

function buildBlock(template: Template, rng: Rng, schedule: Schedule): Block {
  switch (template.kind) {
    case 'weather':
      return weatherLadder(rng, template.city, schedule);
    case 'economics':
      return economicsBlock(rng, schedule);
    case 'crypto':
      return cryptoBlock(rng, schedule);
  }
}

/** Block `index` of the initial universe: its template, its place in its series' chain, its opening. */
function initialPlan(index: number, nowMs: number): Omit<EventPlan, 'marketCount'> & { openMs: number } {
  const hour = floorHour(nowMs);
  if (index === 1) {
    const template: Template = { kind: 'economics' };
    const anchorCloseMs = hour + 5 * HOUR_MS;
    return {
      template,
      seriesTicker: seriesOf(template).ticker,
      anchorPeriodMs: anchorCloseMs,
      anchorCloseMs,
      n: 0,
      openMs: hour - 24 * HOUR_MS,
    };
  }
  if (index === 2) {
    const template: Template = { kind: 'crypto' };
    const anchorCloseMs = hour + 3 * HOUR_MS;
    return {
      template,
      seriesTicker: seriesOf(template).ticker,
      anchorPeriodMs: anchorCloseMs,
      anchorCloseMs,
      n: 0,
      openMs: hour - HOUR_MS,
    };
  }
  // Weather ladders: w = 0 is block 0; blocks 3, 4, … continue with w = 1, 2, …: every city today,
  // then every city tomorrow, and so on.
  const w = index === 0 ? 0 : index - 2;
  const template: Template = { kind: 'weather', city: CITIES[w % CITIES.length] as City };
  return {
    template,
    seriesTicker: seriesOf(template).ticker,
    anchorPeriodMs: nowMs,
    anchorCloseMs: hour + 6 * HOUR_MS,
    n: Math.floor(w / CITIES.length),
    openMs: hour - 2 * HOUR_MS,
  };
}

/** Takes the first `count` markets of a block into a Universe fragment. */
function fragment(block: Block, count: number): Universe {
  const markets = block.markets.slice(0, count);
  const fairValues = new Map<string, Price>();
  markets.forEach((m, i) => {
    fairValues.set(m.ticker, block.fairs[i] as Price);
  });
  return { series: [block.series], events: [block.event], markets, fairValues };
}

function assemble(opts: BuildUniverseOptions): { universe: Universe; plans: Map<string, EventPlan> } {
  if (!Number.isSafeInteger(opts.markets) || opts.markets < 1) {
    throw new RangeError(`buildUniverse: markets must be a whole number ≥ 1, got ${opts.markets}`);
  }
  const rng = createRng(opts.seed);
  const series = new Map<string, SeriesDef>();
  const events: EventDef[] = [];
  const markets: MarketDef[] = [];
  const fairValues = new Map<string, Price>();
  const plans = new Map<string, EventPlan>();

  for (let index = 0; markets.length < opts.markets; index++) {
    const { openMs, ...plan } = initialPlan(index, opts.nowMs);
    const schedule: Schedule = { ...periodOf(plan, plan.n), openMs, status: 'active' };
    // Each block draws from its own stream, so a block's shape does not depend on how many
    // markets earlier blocks were cut to.
    const block = buildBlock(plan.template, rng.fork(), schedule);
    const part = fragment(block, Math.min(block.markets.length, opts.markets - markets.length));
    if (!series.has(block.series.ticker)) series.set(block.series.ticker, block.series);
    events.push(block.event);
    markets.push(...part.markets);
    for (const [ticker, fair] of part.fairValues) fairValues.set(ticker, fair);
    plans.set(block.event.eventTicker, { ...plan, marketCount: part.markets.length });
  }
  return { universe: { series: [...series.values()], events, markets, fairValues }, plans };
}

export function buildUniverse(opts: BuildUniverseOptions): Universe {
  return assemble(opts).universe;
}

/** Registers the universe's series, events and markets with the core, in that order. */
export function installUniverse(core: ExchangeCore, universe: Universe): void {
  for (const s of universe.series) core.addSeries(s);
  for (const e of universe.events) core.addEvent(e);
  for (const m of universe.markets) core.addMarket(m);
}

/** The initial universe plus every successor listed since: see RELISTING in the header. */
export interface Listings {
  /** The initial universe: exactly buildUniverse(opts). */
  readonly universe: Universe;
  /** Fair value (the true P(yes)) of every market listed so far, initial and successors. */
  readonly fairValues: ReadonlyMap<string, Price>;
  /**
   * Builds the successor of `eventTicker` (the next period of its series not yet listed whose close
   * is after nowMs) and records it, without touching a core. undefined when the event is unknown or
   * already has a successor.
   */
  successorOf(eventTicker: string, nowMs: number): Universe | undefined;
  /** successorOf, installed into the core (lifecycle `created`); returns the new markets' tickers. */
  listSuccessor(core: ExchangeCore, eventTicker: string, nowMs: number): string[];
}

export function createListings(opts: BuildUniverseOptions): Listings {
  const { universe, plans } = assemble(opts);
  const fairValues = new Map(universe.fairValues);
  /** The furthest period listed so far, per series. */
  const latest = new Map<string, EventPlan>();
  for (const plan of plans.values()) {
    const seen = latest.get(plan.seriesTicker);
    if (!seen || plan.n > seen.n) latest.set(plan.seriesTicker, plan);
  }
  const succeeded = new Set<string>();

  const successorOf = (eventTicker: string, nowMs: number): Universe | undefined => {
    const plan = plans.get(eventTicker);
    if (!plan || succeeded.has(eventTicker)) return undefined;
    succeeded.add(eventTicker);
    const last = latest.get(plan.seriesTicker) as EventPlan;
    // The next period after the series' furthest one; periods that would already be over are skipped
    // (the clock jumped), so the successor always has time to trade.
    let n = last.n + 1;
    while (periodOf(last, n).closeMs <= nowMs) n += 1;
    const period = periodOf(last, n);
    const rng = createRng(`${opts.seed}:${eventTickerOf(last.template, period.periodMs)}`);
    const block = buildBlock(last.template, rng, { ...period, openMs: nowMs, status: 'initialized' });
    const next: EventPlan = { ...last, n, marketCount: plan.marketCount };
    const part = fragment(block, plan.marketCount);
    plans.set(block.event.eventTicker, next);
    latest.set(plan.seriesTicker, next);
    for (const [ticker, fair] of part.fairValues) fairValues.set(ticker, fair);
    return part;
  };

  return {
    universe,
    fairValues,
    successorOf,
    listSuccessor(core, eventTicker, nowMs) {
      const part = successorOf(eventTicker, nowMs);
      if (!part) return [];
      installUniverse(core, part);
      return part.markets.map((m) => m.ticker);
    },
  };
}
