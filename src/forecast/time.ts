/**
 * Local days in a city's time zone, with Intl only (no tz library).
 *
 * THE MEASURED DAY. Kalshi settles a daily high on the NWS daily climate report (CLI), whose day
 * runs midnight to midnight LOCAL STANDARD TIME all year: during daylight saving that is 1 AM to
 * 1 AM on the clock. `dayWindow(tz, date, 'standard')` (the default) is that span; 'civil' is
 * clock midnight to midnight, for sources that mean it.
 */
import { ForecastError, show } from './errors.js';

export type DayMode = 'standard' | 'civil';

const DAY_MS = 86_400_000;
const offsetFormats = new Map<string, Intl.DateTimeFormat>();
const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** The runtime's canonical zone names: one lookup, where a formatter per name costs milliseconds. */
let canonicalZones: ReadonlySet<string> | undefined;

/** True if `tz` is an IANA time zone this runtime knows. */
export function isTimeZone(tz: string): boolean {
  canonicalZones ??= new Set(Intl.supportedValuesOf('timeZone'));
  if (canonicalZones.has(tz)) return true;
  // Aliases (UTC, US/Eastern, …) are known to Intl without being listed.
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function offsetFormat(tz: string): Intl.DateTimeFormat {
  let f = offsetFormats.get(tz);
  if (!f) {
    if (!isTimeZone(tz))
      throw new ForecastError('FORECAST_BAD_INPUT', 'timeZone', `unknown time zone ${show(tz)}`);
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'longOffset' });
    offsetFormats.set(tz, f);
  }
  return f;
}

/** The zone's offset from UTC at instant `ms`, in minutes (New York in winter: −300). */
export function offsetMinutes(tz: string, ms: number): number {
  const name = offsetFormat(tz)
    .formatToParts(new Date(ms))
    .find((p) => p.type === 'timeZoneName')?.value;
  const m = /^GMT(?:([+-])(\d{2}):(\d{2}))?$/.exec(name ?? '');
  if (!m)
    throw new ForecastError(
      'FORECAST_BAD_INPUT',
      'timeZone',
      `cannot read the UTC offset of ${tz} (${show(name)})`,
    );
  if (!m[1]) return 0;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === '-' ? -minutes : minutes;
}

/** The zone's standard-time offset in `year` (daylight saving only ever adds to it). */
export function standardOffsetMinutes(tz: string, year: number): number {
  return Math.min(offsetMinutes(tz, Date.UTC(year, 0, 15)), offsetMinutes(tz, Date.UTC(year, 6, 15)));
}

/** The civil date (YYYY-MM-DD) of instant `ms` in `tz`. */
export function localDate(tz: string, ms: number): string {
  let f = dateFormats.get(tz);
  if (!f) {
    offsetFormat(tz);
    f = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' });
    dateFormats.set(tz, f);
  }
  return f.format(new Date(ms));
}

export function parseIsoDate(field: string, date: string): { y: number; m: number; d: number } {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(typeof date === 'string' ? date : '');
  const y = Number(m?.[1]);
  const mo = Number(m?.[2]);
  const d = Number(m?.[3]);
  if (!m || mo < 1 || mo > 12 || d < 1 || d > new Date(Date.UTC(y, mo, 0)).getUTCDate()) {
    throw new ForecastError(
      'FORECAST_BAD_INPUT',
      field,
      `expected a calendar date YYYY-MM-DD, got ${show(date)}`,
    );
  }
  return { y, m: mo, d };
}

export interface DayWindow {
  /** UTC ms, inclusive. */
  readonly startMs: number;
  /** UTC ms, exclusive. */
  readonly endMs: number;
}

/** The span of the measured day `date` in `tz` (see the header). */
export function dayWindow(tz: string, date: string, mode: DayMode = 'standard'): DayWindow {
  const { y, m, d } = parseIsoDate('targetDate', date);
  const midnightUtc = Date.UTC(y, m - 1, d);
  if (mode === 'standard') {
    const startMs = midnightUtc - standardOffsetMinutes(tz, y) * 60_000;
    return { startMs, endMs: startMs + DAY_MS };
  }
  // Civil midnight: the offset at the answer, found by fixed-point iteration (converges in ≤ 2 steps).
  const civil = (base: number) => {
    let t = base - offsetMinutes(tz, base) * 60_000;
    t = base - offsetMinutes(tz, t) * 60_000;
    return t;
  };
  const next = new Date(midnightUtc + DAY_MS);
  return {
    startMs: civil(midnightUtc),
    endMs: civil(Date.UTC(next.getUTCFullYear(), next.getUTCMonth(), next.getUTCDate())),
  };
}
