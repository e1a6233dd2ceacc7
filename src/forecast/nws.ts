/**
 * The National Weather Service as a forecast source (api.weather.gov; no key, but a User-Agent
 * identifying the app with a contact is required — requests without one are refused with 403).
 *
 *   1. GET {baseUrl}/points/{lat},{lon}        (coordinates at ≤ 4 decimals; cached 24 h)
 *   2. GET properties.forecastHourly            (cached 30 s)        → the hourly high of the day
 *   3. GET properties.forecast (12-hour)        (cached 30 s; optional: a failure becomes a note)
 *                                                                     → the daytime high, the spread
 * and daily-high.ts turns the periods into a ForecastHigh for the city's measured day (midnight to
 * midnight local standard time in the city's zone from config/cities.json).
 */
import type { CityConfig } from './cities.js';
import { daytimeHigh, hourlyHigh } from './daily-high.js';
import { ForecastError } from './errors.js';
import { JsonHttpClient, type JsonHttpOptions } from './http.js';
import { parseForecast, parsePoint } from './nws-parse.js';
import { type DayMode, dayWindow } from './time.js';
import type { ForecastHigh, ForecastSource } from './types.js';

export const NWS_BASE_URL = 'https://api.weather.gov';

/** "traderv3/<version> (<contact>)" — the User-Agent shape NWS asks for. */
export function nwsUserAgent(contact: string, app = 'traderv3', version = '0.1'): string {
  if (typeof contact !== 'string' || contact.trim().length === 0) {
    throw new ForecastError(
      'FORECAST_BAD_INPUT',
      'contact',
      'NWS asks for a contact (email or URL) in the User-Agent',
    );
  }
  return `${app}/${version} (${contact.trim()})`;
}

export interface NwsOptions extends JsonHttpOptions {
  /** Default https://api.weather.gov. */
  readonly baseUrl?: string;
  /** Cache lifetime of /points answers (they change rarely). Default 24 h. */
  readonly pointsTtlMs?: number;
  /** Fetch the 12-hour forecast too (its daytime high gives the spread). Default true. */
  readonly dailyForecast?: boolean;
  readonly dayMode?: DayMode;
}

/** lat/lon as NWS wants them: at most 4 decimals, no trailing zeros. */
export function pointPath(lat: number, lon: number): string {
  const f = (x: number) => String(Number(x.toFixed(4)));
  return `/points/${f(lat)},${f(lon)}`;
}

export class NwsForecastSource implements ForecastSource {
  private readonly http: JsonHttpClient;
  private readonly baseUrl: string;
  private readonly pointsTtlMs: number;
  private readonly daily: boolean;
  private readonly dayMode: DayMode;
  private readonly now: () => number;

  constructor(options: NwsOptions) {
    this.http = new JsonHttpClient(options);
    const base = options.baseUrl ?? NWS_BASE_URL;
    if (!/^https?:\/\/[^\s/]+/.test(base)) {
      throw new ForecastError(
        'FORECAST_BAD_INPUT',
        'baseUrl',
        `expected an http(s) URL, got ${JSON.stringify(base)}`,
      );
    }
    this.baseUrl = base.replace(/\/+$/, '');
    this.pointsTtlMs = options.pointsTtlMs ?? 24 * 3_600_000;
    this.daily = options.dailyForecast ?? true;
    this.dayMode = options.dayMode ?? 'standard';
    this.now = options.now ?? Date.now;
  }

  async forecastHigh(city: CityConfig, targetDate: string): Promise<ForecastHigh> {
    const window = dayWindow(city.timeZone, targetDate, this.dayMode);
    const pointUrl = `${this.baseUrl}${pointPath(city.lat, city.lon)}`;
    const point = parsePoint((await this.http.getJson(pointUrl, this.pointsTtlMs)).body, pointUrl);
    const notes: string[] = [];
    if (point.timeZone !== undefined && point.timeZone !== city.timeZone) {
      notes.push(
        `NWS gives time zone ${point.timeZone}, the city table ${city.timeZone}; using the city table's`,
      );
    }
    const dailyPromise =
      this.daily && point.forecastUrl !== undefined
        ? this.http.getJson(point.forecastUrl).then(
            (r) => ({ ok: true as const, r }),
            (e: unknown) => ({ ok: false as const, e }),
          )
        : undefined;
    const hourlyRes = await this.http.getJson(point.forecastHourlyUrl);
    const hourly = parseForecast(hourlyRes.body, point.forecastHourlyUrl);
    const high = hourlyHigh(hourly.periods, window, `${city.id} ${targetDate}`);

    let dailyHighF: number | undefined;
    const daily = await dailyPromise;
    if (daily?.ok) {
      try {
        dailyHighF = daytimeHigh(parseForecast(daily.r.body, daily.r.url).periods, city.timeZone, targetDate);
        if (dailyHighF === undefined)
          notes.push(`the 12-hour forecast has no daytime period on ${targetDate}`);
      } catch (e) {
        notes.push(`12-hour forecast unusable: ${(e as Error).message}`);
      }
    } else if (daily) {
      notes.push(`12-hour forecast unavailable: ${(daily.e as Error).message}`);
    }
    if (!high.peakCovered) notes.push(`the hourly forecast does not cover the afternoon of ${targetDate}`);

    return {
      source: 'nws',
      city: city.id,
      targetDate,
      highF: high.highF,
      spreadF: dailyHighF === undefined ? 0 : Math.abs(dailyHighF - high.highF),
      issuedMs: hourly.issuedMs,
      seenMs: hourlyRes.fetchedMs ?? this.now(),
      windowStartMs: window.startMs,
      windowEndMs: window.endMs,
      hoursCovered: high.hoursCovered,
      peakCovered: high.peakCovered,
      ...(dailyHighF !== undefined ? { dailyHighF } : {}),
      origin: point.forecastHourlyUrl,
      notes,
    };
  }
}
