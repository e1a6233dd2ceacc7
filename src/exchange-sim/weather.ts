/**
 * The weather world: a true daily high per city-day, forecasts of it that sharpen as the day
 * approaches, the makers' lagged and noisier view of the same forecasts, and the ladders' results.
 * Seeded; a pure function of (seed, event ticker, time) — no wall clock, no I/O (the NWS-shaped
 * HTTP face is weather-service.ts).
 *
 * THE TRUTH. When a KXHIGH<CITY> ladder is listed (the universe's weather events; tickers and
 * strikes in universe.ts), its city-day gets a true high T = round(c + climateSdF·z), z ~ N(0, 1)
 * from a stream seeded with (seed, event ticker), c = the ladder's centre (lower tail's cap + 4).
 * The ladder settles on T: `less` (cap) pays iff T < cap, `between` iff floor ≤ T ≤ cap,
 * `greater` (floor) iff T > floor — the ladder covers every whole degree once, so exactly one
 * market pays. resultFor() answers the lifecycle driver's determination for weather markets.
 *
 * THE FORECAST. Issued every issueIntervalMs (issue k at k·interval). The day "ends" at the
 * ladder's close; lead L_k = max(0, close − k·interval) in days. Forecast F_k = T + sd(L_k)·z_k with
 * sd(L) = forecastSd0F + forecastSdPerDayF·L and z_k an AR(1) sequence of N(0, 1) draws
 * (correlation errorCorrelation between successive issues), so the forecast wanders less and
 * less and converges on T at the close. z's stream starts FORECAST_HORIZON_DAYS before the close
 * (seeded with (seed, event, 'forecast')), so a value does not depend on when it is asked.
 *
 * THE MAKERS' VIEW (the edge a better forecast can measure). At time t the makers know only the
 * issue from makerLagMs earlier, blurred by their own AR(1) noise of sd makerNoiseF:
 *   M = F_{k(t − lag)} + makerNoiseF·w_k,  σ_M = √(sd(L_{k(t−lag)})² + makerNoiseF²),
 * and price each bracket at P(round(X) in the bracket), X ~ N(M, σ_M) — calibrated to what they
 * know, but knowing less than the current forecast. makerFairs() gives those prices (Price units,
 * summing to $1); the simulator re-anchors the participants' quotes on them at each new issue.
 * makerLagMs = 0 and makerNoiseF = 0 make the makers as well informed as the forecast service:
 * then no forecast trader has an edge.
 *
 * Known gaps: no diurnal randomness (the hourly curve is a fixed shape peaking at 15:00 local
 * standard time); no DST (the service speaks local standard time); T is not a posterior of the
 * forecast (a trader pricing N(F, sd) is slightly miscalibrated, as are the makers).
 */
import { PRICE_SCALE, type Price } from '../domain/index.js';
import type { ExchangeCore, MarketDef, SimMarket } from './core-types.js';
import { createRng } from './rng.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** The forecast series of an event starts this many days before its close. */
const FORECAST_HORIZON_DAYS = 7;

export interface WeatherParams {
  /** Spread of the true high around the ladder's centre, °F. */
  climateSdF: number;
  /** Forecast error sd at lead 0 and its growth per day of lead, °F. */
  forecastSd0F: number;
  forecastSdPerDayF: number;
  /** How often a new forecast is issued. */
  issueIntervalMs: number;
  /** Correlation of the forecast error between successive issues, [0, 1). */
  errorCorrelation: number;
  /** The makers price from the forecast issued this long ago… */
  makerLagMs: number;
  /** …plus their own noise of this sd, °F. */
  makerNoiseF: number;
}

export const DEFAULT_WEATHER: Readonly<WeatherParams> = {
  climateSdF: 3,
  forecastSd0F: 0.8,
  forecastSdPerDayF: 1.6,
  issueIntervalMs: HOUR_MS,
  errorCorrelation: 0.85,
  makerLagMs: 6 * HOUR_MS,
  makerNoiseF: 1.5,
};

/** The simulator's cities: series code → where and when (local standard time, fixed offset). */
export interface WeatherCity {
  readonly code: string;
  readonly lat: number;
  readonly lon: number;
  readonly timeZone: string;
  /** Local standard time − UTC, hours. */
  readonly stdOffsetHours: number;
  /** A typical high, for days without a listed ladder. */
  readonly normalHighF: number;
}

/** Same coordinates as config/cities.json (the settlement stations). */
export const WEATHER_CITIES: readonly WeatherCity[] = [
  {
    code: 'CHI',
    lat: 41.7868,
    lon: -87.7522,
    timeZone: 'America/Chicago',
    stdOffsetHours: -6,
    normalHighF: 43,
  },
  {
    code: 'NY',
    lat: 40.779,
    lon: -73.9693,
    timeZone: 'America/New_York',
    stdOffsetHours: -5,
    normalHighF: 48,
  },
  {
    code: 'MIA',
    lat: 25.7959,
    lon: -80.287,
    timeZone: 'America/New_York',
    stdOffsetHours: -5,
    normalHighF: 79,
  },
  {
    code: 'AUS',
    lat: 30.1831,
    lon: -97.6799,
    timeZone: 'America/Chicago',
    stdOffsetHours: -6,
    normalHighF: 70,
  },
  {
    code: 'DEN',
    lat: 39.8466,
    lon: -104.6562,
    timeZone: 'America/Denver',
    stdOffsetHours: -7,
    normalHighF: 50,
  },
  {
    code: 'LAX',
    lat: 33.9382,
    lon: -118.3866,
    timeZone: 'America/Los_Angeles',
    stdOffsetHours: -8,
    normalHighF: 70,
  },
  {
    code: 'PHIL',
    lat: 39.8733,
    lon: -75.2268,
    timeZone: 'America/New_York',
    stdOffsetHours: -5,
    normalHighF: 48,
  },
];

/** One listed city-day. */
export interface WeatherDay {
  readonly eventTicker: string;
  readonly city: WeatherCity;
  /** The measured day, YYYY-MM-DD (the ticker's date). */
  readonly date: string;
  readonly closeMs: number;
  readonly trueHighF: number;
  /** The ladder's markets in listing order (lower tail first). */
  readonly markets: readonly Pick<MarketDef, 'ticker' | 'strikeType' | 'floorStrike' | 'capStrike'>[];
}

export interface WeatherForecast {
  readonly issuedMs: number;
  readonly highF: number;
  readonly sdF: number;
}

export interface WeatherWorld {
  readonly params: Readonly<WeatherParams>;
  /** Registers the ladder of a weather market's event (idempotent); undefined for other markets. */
  track(
    market: Pick<SimMarket, 'ticker' | 'eventTicker'>,
    eventMarkets?: readonly Pick<
      MarketDef,
      'ticker' | 'eventTicker' | 'strikeType' | 'floorStrike' | 'capStrike'
    >[],
  ): WeatherDay | undefined;
  day(eventTicker: string): WeatherDay | undefined;
  days(): WeatherDay[];
  /** The forecast service's latest issue at `nowMs` for a day. */
  forecast(day: WeatherDay, nowMs: number): WeatherForecast;
  /** The makers' belief at `nowMs` and their price per market (sums to $1, listing order). */
  makerView(
    day: WeatherDay,
    nowMs: number,
  ): { issueIndex: number; meanF: number; sdF: number; fairs: Price[] };
  /** The ladder's result for a weather market (exactly one YES per ladder); undefined otherwise. */
  resultFor(ticker: string): 'yes' | 'no' | undefined;
  city(code: string): WeatherCity | undefined;
}

export interface WeatherWorldOptions {
  core: Pick<ExchangeCore, 'market' | 'markets'>;
  seed: number;
  params?: Partial<WeatherParams>;
}

const SERIES = /^KXHIGH([A-Z]+)-(\d{2})([A-Z]{3})(\d{2})$/;
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 via erf; error < 1.5e-7). */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-z * z);
  return x >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}

/** Whole degrees lo..hi a ladder market pays on (tails open-ended). */
function degreeRange(m: WeatherDay['markets'][number]): { lo: number; hi: number } {
  switch (m.strikeType) {
    case 'less':
      return { lo: Number.NEGATIVE_INFINITY, hi: (m.capStrike as number) - 1 };
    case 'greater':
      return { lo: (m.floorStrike as number) + 1, hi: Number.POSITIVE_INFINITY };
    default:
      return { lo: m.floorStrike as number, hi: m.capStrike as number };
  }
}

/** P(round(X) ∈ each market's range), X ~ N(mean, sd), apportioned exactly to $1. */
export function bracketFairs(markets: WeatherDay['markets'], meanF: number, sdF: number): Price[] {
  const cdf = (x: number) => (Number.isFinite(x) ? normalCdf((x - meanF) / sdF) : x > 0 ? 1 : 0);
  const probs = markets.map((m) => {
    const { lo, hi } = degreeRange(m);
    return Math.max(0, cdf(hi + 0.5) - cdf(lo - 0.5));
  });
  const total = probs.reduce((a, b) => a + b, 0) || 1;
  const parts = probs.map((p) => Math.floor((p / total) * PRICE_SCALE));
  let left = PRICE_SCALE - parts.reduce((a, b) => a + b, 0);
  const order = probs.map((p, i) => ({ i, rem: (p / total) * PRICE_SCALE - (parts[i] as number) }));
  order.sort((a, b) => b.rem - a.rem || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    parts[i] = (parts[i] as number) + 1;
    left -= 1;
  }
  return parts;
}

export function createWeatherWorld(opts: WeatherWorldOptions): WeatherWorld {
  const params: WeatherParams = { ...DEFAULT_WEATHER, ...opts.params };
  if (!(params.errorCorrelation >= 0 && params.errorCorrelation < 1))
    throw new RangeError('weather: errorCorrelation must be in [0, 1)');
  if (!(params.issueIntervalMs >= 60_000)) throw new RangeError('weather: issueIntervalMs must be ≥ 60000');
  for (const k of ['climateSdF', 'forecastSd0F', 'forecastSdPerDayF', 'makerLagMs', 'makerNoiseF'] as const) {
    if (!(params[k] >= 0)) throw new RangeError(`weather: ${k} must be ≥ 0`);
  }
  const days = new Map<string, WeatherDay>();
  const cities = new Map(WEATHER_CITIES.map((c) => [c.code, c]));
  /** Per event: the AR(1) draws of the forecast error (z) and the makers' noise (w) from issue k0. */
  const paths = new Map<string, { k0: number; z: number[]; w: number[]; next: () => [number, number] }>();

  const sd = (leadDays: number) => params.forecastSd0F + params.forecastSdPerDayF * Math.max(0, leadDays);

  const track: WeatherWorld['track'] = (market, eventMarkets) => {
    const known = days.get(market.eventTicker);
    if (known) return known;
    const m = SERIES.exec(market.eventTicker);
    const city = m ? cities.get(m[1] as string) : undefined;
    if (!m || !city) return undefined;
    const markets = (eventMarkets ?? opts.core.markets())
      .filter((x) => x.eventTicker === market.eventTicker)
      .map((x) => ({
        ticker: x.ticker,
        strikeType: x.strikeType,
        floorStrike: x.floorStrike,
        capStrike: x.capStrike,
      }));
    const lower = markets.find((x) => x.strikeType === 'less');
    const first = opts.core.market(market.ticker);
    if (!lower || lower.capStrike === undefined || !first) return undefined;
    const rng = createRng(`weather:${opts.seed}:${market.eventTicker}`);
    const centre = lower.capStrike + 4;
    const month = String(MONTHS.indexOf(m[3] as string) + 1).padStart(2, '0');
    const day: WeatherDay = {
      eventTicker: market.eventTicker,
      city,
      date: `20${m[2]}-${month}-${m[4]}`,
      closeMs: first.closeMs,
      trueHighF: Math.round(centre + params.climateSdF * rng.normal()),
      markets,
    };
    days.set(day.eventTicker, day);
    return day;
  };

  const path = (day: WeatherDay) => {
    let p = paths.get(day.eventTicker);
    if (!p) {
      const rng = createRng(`weather:${opts.seed}:${day.eventTicker}:forecast`);
      const rho = params.errorCorrelation;
      const s = Math.sqrt(1 - rho * rho);
      let z = rng.normal();
      let w = rng.normal();
      p = {
        k0: Math.floor((day.closeMs - FORECAST_HORIZON_DAYS * DAY_MS) / params.issueIntervalMs),
        z: [z],
        w: [w],
        next: () => {
          z = rho * z + s * rng.normal();
          w = rho * w + s * rng.normal();
          return [z, w];
        },
      };
      paths.set(day.eventTicker, p);
    }
    return p;
  };
  /** The error draws of issue k (clamped to the series' start). */
  const draws = (day: WeatherDay, k: number): { z: number; w: number } => {
    const p = path(day);
    const i = Math.max(0, k - p.k0);
    while (p.z.length <= i) {
      const [z, w] = p.next();
      p.z.push(z);
      p.w.push(w);
    }
    return { z: p.z[i] as number, w: p.w[i] as number };
  };
  const issueAt = (day: WeatherDay, k: number): WeatherForecast => {
    const issuedMs = k * params.issueIntervalMs;
    const s = sd((day.closeMs - issuedMs) / DAY_MS);
    return { issuedMs, highF: day.trueHighF + s * draws(day, k).z, sdF: s };
  };
  const issueIndex = (nowMs: number) => Math.floor(nowMs / params.issueIntervalMs);

  return {
    params,
    track,
    day: (t) => days.get(t),
    days: () => [...days.values()],
    city: (code) => cities.get(code),
    forecast: (day, nowMs) => issueAt(day, issueIndex(nowMs)),
    makerView(day, nowMs) {
      const k = issueIndex(nowMs - params.makerLagMs);
      const f = issueAt(day, k);
      const meanF = f.highF + params.makerNoiseF * draws(day, k).w;
      const sdF = Math.sqrt(f.sdF * f.sdF + params.makerNoiseF * params.makerNoiseF);
      return { issueIndex: k, meanF, sdF, fairs: bracketFairs(day.markets, meanF, sdF) };
    },
    resultFor(ticker) {
      const market = opts.core.market(ticker);
      const day = market ? (days.get(market.eventTicker) ?? track(market)) : undefined;
      const m = day?.markets.find((x) => x.ticker === ticker);
      if (!day || !m) return undefined;
      const { lo, hi } = degreeRange(m);
      return day.trueHighF >= lo && day.trueHighF <= hi ? 'yes' : 'no';
    },
  };
}
