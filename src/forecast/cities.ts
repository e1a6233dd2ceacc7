/**
 * The city table: which cities have Kalshi daily-high ladders, where their settlement station is,
 * their time zone and correlation region. config/cities.json is the default; a user file extends it
 * (new ids) or overrides it (same id, whole entry replaced). Validated with zod; every problem names
 * the file and the field (e.g. `my-cities.json: cities[2].timeZone: unknown time zone "Mars/Base"`).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ForecastError, show } from './errors.js';
import { isTimeZone } from './time.js';

export const CitySchema = z
  .object({
    /** Our id, lower snake case: seed 002's city names (nyc, chicago, los_angeles, …). */
    id: z.string().regex(/^[a-z][a-z0-9_]*$/, 'expected lower_snake_case'),
    name: z.string().min(1),
    /** The city part of the series ticker: NY for KXHIGHNY. */
    code: z.string().regex(/^[A-Z]+$/, 'expected upper-case letters'),
    series: z.string().regex(/^(KX)?HIGH[A-Z]+$/, 'expected a daily-high series ticker like KXHIGHNY'),
    /** ICAO id of the settlement station (informational). */
    station: z
      .string()
      .regex(/^[A-Z]{4}$/, 'expected a 4-letter ICAO id')
      .optional(),
    lat: z.number().min(-90).max(90),
    lon: z.number().min(-180).max(180),
    timeZone: z.string().refine(isTimeZone, { message: 'unknown time zone' }),
    /** Correlation region (seed 002 §5); default: the seed's CITY_REGIONS table. */
    region: z
      .string()
      .regex(/^[a-z][a-z0-9_]*$/, 'expected lower_snake_case')
      .optional(),
    /** True when the station was inferred from public sources rather than the market rules. */
    inferred: z.boolean().optional(),
  })
  .strict()
  .refine((c) => c.series.endsWith(`HIGH${c.code}`), {
    message: 'series must be KXHIGH<code>',
    path: ['series'],
  });

export type CityConfig = z.infer<typeof CitySchema>;

const CityFileSchema = z.object({ $comment: z.string().optional(), cities: z.array(CitySchema) }).strict();

export interface CityTable {
  readonly cities: readonly CityConfig[];
  /** Throws FORECAST_UNKNOWN_CITY. */
  byId(id: string): CityConfig;
  /** The city of a series or event or market ticker (KXHIGHNY, KXHIGHNY-26MAR16, …); throws FORECAST_UNKNOWN_CITY. */
  bySeries(ticker: string): CityConfig;
}

/** Where config/cities.json lives. */
export const DEFAULT_CITIES_FILE = fileURLToPath(new URL('../../config/cities.json', import.meta.url));

function pathOf(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`))
    .join('');
}

/** Validates a parsed city file; `label` names it in errors. */
export function parseCityFile(json: unknown, label: string): CityConfig[] {
  const r = CityFileSchema.safeParse(json);
  const problems = r.success
    ? []
    : r.error.issues.map((i) => `${label}: ${pathOf(i.path) || '(root)'}: ${i.message}`);
  if (r.success) {
    const ids = new Set<string>();
    const series = new Set<string>();
    r.data.cities.forEach((c, i) => {
      if (ids.has(c.id)) problems.push(`${label}: cities[${i}].id: ${show(c.id)} listed twice`);
      if (series.has(c.series))
        problems.push(`${label}: cities[${i}].series: ${show(c.series)} listed twice`);
      ids.add(c.id);
      series.add(c.series);
    });
  }
  if (problems.length > 0 || !r.success) {
    throw new ForecastError('FORECAST_BAD_CITY_CONFIG', label, problems.join('; '));
  }
  return r.data.cities;
}

function readJson(file: string, read: (f: string) => string): unknown {
  let text: string;
  try {
    text = read(file);
  } catch (e) {
    throw new ForecastError('FORECAST_FILE', file, `cannot be read (${(e as Error).message})`, { cause: e });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ForecastError('FORECAST_FILE', file, `is not JSON (${(e as Error).message})`, { cause: e });
  }
}

export function cityTable(cities: readonly CityConfig[]): CityTable {
  return {
    cities,
    byId(id) {
      const c = cities.find((x) => x.id === id);
      if (!c)
        throw new ForecastError('FORECAST_UNKNOWN_CITY', 'city', `${show(id)} is not in the city table`);
      return c;
    },
    bySeries(ticker) {
      const series = String(ticker).split('-')[0];
      const c = cities.find((x) => x.series === series);
      if (!c)
        throw new ForecastError(
          'FORECAST_UNKNOWN_CITY',
          'series',
          `${show(series)} is not in the city table`,
        );
      return c;
    },
  };
}

/**
 * The cities whose daily-high ladders the exchange simulator lists (its weather world): the
 * default enabled_cities of `--strategy edge` on the embedded simulator, and the scenarios'.
 */
export const SIMULATOR_CITY_IDS: readonly string[] = [
  'chicago',
  'nyc',
  'miami',
  'austin',
  'denver',
  'los_angeles',
  'philadelphia',
];

export interface LoadCitiesOptions {
  /** The base table; default config/cities.json. */
  readonly file?: string;
  /** A user file whose entries add to the base (new id) or replace one (same id). */
  readonly extraFile?: string;
  readonly readFile?: (file: string) => string;
}

export function loadCities(options: LoadCitiesOptions = {}): CityTable {
  const read = options.readFile ?? ((f: string) => readFileSync(f, 'utf8'));
  const file = options.file ?? DEFAULT_CITIES_FILE;
  const base = parseCityFile(readJson(file, read), file);
  if (!options.extraFile) return cityTable(base);
  const extra = parseCityFile(readJson(options.extraFile, read), options.extraFile);
  const merged = [...base.filter((c) => !extra.some((e) => e.id === c.id)), ...extra];
  // The merge must still be one series per city.
  return cityTable(parseCityFile({ cities: merged }, `${file} + ${options.extraFile}`));
}
