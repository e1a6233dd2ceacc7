/**
 * Parsing the NWS API's JSON (api.weather.gov, GeoJSON) into our types, naming the field that is
 * wrong. Shapes (weather.gov API reference; fixtures in tests/fixtures/nws/):
 *
 *   GET /points/{lat},{lon} → { properties: { gridId, gridX, gridY, forecast, forecastHourly,
 *                               timeZone, … } }                  forecast* are absolute URLs
 *   GET forecastHourly / forecast → { properties: { updateTime, generatedAt, validTimes,
 *       periods: [{ number, name, startTime, endTime, isDaytime, temperature, temperatureUnit,
 *                   temperatureTrend, probabilityOfPrecipitation, windSpeed, shortForecast, … }] } }
 *
 * `temperature` is a number with `temperatureUnit` "F" or "C" — or, with the API's
 * forecast_temperature_qv feature flag, a QuantitativeValue { unitCode: "wmoUnit:degC" | "wmoUnit:degF",
 * value }. Both are read; Celsius becomes Fahrenheit (F = C × 9/5 + 32). Times are ISO-8601 with an
 * offset. The issue time is `updateTime` (when the forecast data was last updated), falling back to
 * `generatedAt` and the older `updated`.
 */
import { ForecastError, show } from './errors.js';

export interface NwsPoint {
  readonly forecastUrl?: string;
  readonly forecastHourlyUrl: string;
  readonly timeZone?: string;
  readonly gridId?: string;
}

export interface NwsPeriod {
  readonly startMs: number;
  readonly endMs: number;
  readonly isDaytime?: boolean;
  readonly temperatureF: number;
}

export interface NwsForecast {
  readonly issuedMs: number;
  readonly generatedMs?: number;
  readonly periods: readonly NwsPeriod[];
}

function bad(url: string, field: string, problem: string): ForecastError {
  return new ForecastError('FORECAST_BAD_RESPONSE', field, `${problem} (from ${url})`);
}

function obj(url: string, field: string, v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw bad(url, field, `expected an object, got ${show(v)}`);
  return v as Record<string, unknown>;
}

function httpUrl(url: string, field: string, v: unknown): string {
  if (typeof v !== 'string' || !/^https?:\/\/[^\s/]+/.test(v))
    throw bad(url, field, `expected an http(s) URL, got ${show(v)}`);
  return v;
}

function time(url: string, field: string, v: unknown): number {
  const ms = typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v) ? Date.parse(v) : Number.NaN;
  if (!Number.isFinite(ms)) throw bad(url, field, `expected an ISO-8601 time, got ${show(v)}`);
  return ms;
}

export function parsePoint(json: unknown, url: string): NwsPoint {
  const p = obj(url, 'properties', obj(url, '(body)', json).properties);
  return {
    forecastHourlyUrl: httpUrl(url, 'properties.forecastHourly', p.forecastHourly),
    ...(typeof p.forecast === 'string'
      ? { forecastUrl: httpUrl(url, 'properties.forecast', p.forecast) }
      : {}),
    ...(typeof p.timeZone === 'string' ? { timeZone: p.timeZone } : {}),
    ...(typeof p.gridId === 'string' ? { gridId: p.gridId } : {}),
  };
}

function temperatureF(url: string, field: string, period: Record<string, unknown>): number {
  const t = period.temperature;
  let value: unknown;
  let unit: unknown;
  let unitField = `${field}.temperatureUnit`;
  if (typeof t === 'object' && t !== null && !Array.isArray(t)) {
    const qv = t as Record<string, unknown>;
    value = qv.value;
    unitField = `${field}.temperature.unitCode`;
    unit = qv.unitCode === 'wmoUnit:degC' ? 'C' : qv.unitCode === 'wmoUnit:degF' ? 'F' : qv.unitCode;
    field = `${field}.temperature.value`;
  } else {
    value = t;
    unit = period.temperatureUnit;
    field = `${field}.temperature`;
  }
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw bad(url, field, `expected a number, got ${show(value)}`);
  if (unit === 'F') return value;
  if (unit === 'C') return (value * 9) / 5 + 32;
  throw bad(url, unitField, `expected "F" or "C" (or wmoUnit:degF / wmoUnit:degC), got ${show(unit)}`);
}

export function parseForecast(json: unknown, url: string): NwsForecast {
  const p = obj(url, 'properties', obj(url, '(body)', json).properties);
  const issuedField =
    p.updateTime !== undefined ? 'updateTime' : p.generatedAt !== undefined ? 'generatedAt' : 'updated';
  const issuedMs = time(url, `properties.${issuedField}`, p[issuedField]);
  const generatedMs =
    p.generatedAt === undefined ? undefined : time(url, 'properties.generatedAt', p.generatedAt);
  if (!Array.isArray(p.periods))
    throw bad(url, 'properties.periods', `expected an array, got ${show(p.periods)}`);
  if (p.periods.length === 0) throw bad(url, 'properties.periods', 'is empty');
  const periods = p.periods.map((raw, i) => {
    const field = `properties.periods[${i}]`;
    const period = obj(url, field, raw);
    const startMs = time(url, `${field}.startTime`, period.startTime);
    const endMs = time(url, `${field}.endTime`, period.endTime);
    if (endMs <= startMs) throw bad(url, `${field}.endTime`, 'is not after startTime');
    return {
      startMs,
      endMs,
      ...(typeof period.isDaytime === 'boolean' ? { isDaytime: period.isDaytime } : {}),
      temperatureF: temperatureF(url, field, period),
    };
  });
  return { issuedMs, ...(generatedMs !== undefined ? { generatedMs } : {}), periods };
}
