/**
 * A forecast source read from a JSON file, for offline runs, replays and tests. Same output as the
 * NWS source. The file:
 *
 *   { "forecasts": [ { "city": "chicago", "target_date": "2026-03-16", "high_f": 45,
 *                      "spread_f": 1.5, "issued_at": "2026-03-15T18:00:00Z", "source": "manual" } ] }
 *
 * spread_f and source are optional (0, "file"). The file is read on every call (edit it while the
 * trader runs). For a city-day the latest record issued at or before now is used — a replay clock
 * therefore never sees a forecast from its future. Records issued later are ignored.
 */
import { readFile as readFileAsync } from 'node:fs/promises';
import type { CityConfig } from './cities.js';
import { ForecastError, show } from './errors.js';
import { type DayMode, dayWindow, parseIsoDate } from './time.js';
import type { ForecastHigh, ForecastSource } from './types.js';

export interface JsonFileSourceOptions {
  readonly file: string;
  readonly now?: () => number;
  readonly readFile?: (file: string) => Promise<string>;
  readonly dayMode?: DayMode;
}

interface FileRecord {
  city: string;
  targetDate: string;
  highF: number;
  spreadF: number;
  issuedMs: number;
  source: string;
}

function parseRecords(json: unknown, file: string): FileRecord[] {
  const bad = (field: string, problem: string) =>
    new ForecastError('FORECAST_BAD_RESPONSE', `${file}: ${field}`, problem);
  const forecasts = (json as { forecasts?: unknown } | null)?.forecasts;
  if (!Array.isArray(forecasts)) throw bad('forecasts', `expected an array, got ${show(forecasts)}`);
  return forecasts.map((r: unknown, i) => {
    const f = `forecasts[${i}]`;
    if (typeof r !== 'object' || r === null) throw bad(f, `expected an object, got ${show(r)}`);
    const o = r as Record<string, unknown>;
    if (typeof o.city !== 'string' || o.city.length === 0)
      throw bad(`${f}.city`, `expected a city id, got ${show(o.city)}`);
    if (typeof o.target_date !== 'string')
      throw bad(`${f}.target_date`, `expected YYYY-MM-DD, got ${show(o.target_date)}`);
    parseIsoDate(`${file}: ${f}.target_date`, o.target_date);
    if (typeof o.high_f !== 'number' || !Number.isFinite(o.high_f))
      throw bad(`${f}.high_f`, `expected a number, got ${show(o.high_f)}`);
    const spread = o.spread_f ?? 0;
    if (typeof spread !== 'number' || !Number.isFinite(spread) || spread < 0) {
      throw bad(`${f}.spread_f`, `expected a number ≥ 0, got ${show(o.spread_f)}`);
    }
    const issuedMs = typeof o.issued_at === 'string' ? Date.parse(o.issued_at) : Number.NaN;
    if (!Number.isFinite(issuedMs))
      throw bad(`${f}.issued_at`, `expected an ISO-8601 time, got ${show(o.issued_at)}`);
    const source = o.source ?? 'file';
    if (typeof source !== 'string') throw bad(`${f}.source`, `expected a string, got ${show(o.source)}`);
    return { city: o.city, targetDate: o.target_date, highF: o.high_f, spreadF: spread, issuedMs, source };
  });
}

export class JsonFileForecastSource implements ForecastSource {
  private readonly file: string;
  private readonly now: () => number;
  private readonly read: (file: string) => Promise<string>;
  private readonly dayMode: DayMode;

  constructor(options: JsonFileSourceOptions) {
    this.file = options.file;
    this.now = options.now ?? Date.now;
    this.read = options.readFile ?? ((f) => readFileAsync(f, 'utf8'));
    this.dayMode = options.dayMode ?? 'standard';
  }

  async forecastHigh(city: CityConfig, targetDate: string): Promise<ForecastHigh> {
    const window = dayWindow(city.timeZone, targetDate, this.dayMode);
    let text: string;
    try {
      text = await this.read(this.file);
    } catch (e) {
      throw new ForecastError('FORECAST_FILE', this.file, `cannot be read (${(e as Error).message})`, {
        cause: e,
      });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new ForecastError('FORECAST_FILE', this.file, `is not JSON (${(e as Error).message})`, {
        cause: e,
      });
    }
    const seenMs = this.now();
    const candidates = parseRecords(json, this.file).filter(
      (r) => r.city === city.id && r.targetDate === targetDate && r.issuedMs <= seenMs,
    );
    if (candidates.length === 0) {
      throw new ForecastError(
        'FORECAST_NOT_AVAILABLE',
        `${city.id} ${targetDate}`,
        `no record in ${this.file} issued by now`,
      );
    }
    const r = candidates.reduce((a, b) => (b.issuedMs >= a.issuedMs ? b : a));
    return {
      source: r.source,
      city: city.id,
      targetDate,
      highF: r.highF,
      spreadF: r.spreadF,
      issuedMs: r.issuedMs,
      seenMs,
      windowStartMs: window.startMs,
      windowEndMs: window.endMs,
      peakCovered: true,
      origin: this.file,
      notes: [],
    };
  }
}
