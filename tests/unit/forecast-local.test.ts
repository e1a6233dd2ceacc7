/** Local days (time.ts), the city table (cities.ts) and the JSON-file source. */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CITIES_FILE,
  dayWindow,
  ForecastError,
  JsonFileForecastSource,
  loadCities,
  localDate,
  offsetMinutes,
  standardOffsetMinutes,
} from '../../src/forecast/index.js';

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof ForecastError) return e.code;
    throw e;
  }
  return undefined;
}

describe('local days', () => {
  it('know offsets, standard time and local dates', () => {
    expect(offsetMinutes('America/New_York', Date.UTC(2026, 0, 10))).toBe(-300);
    expect(offsetMinutes('America/New_York', Date.UTC(2026, 6, 10))).toBe(-240);
    expect(offsetMinutes('UTC', Date.UTC(2026, 6, 10))).toBe(0);
    expect(standardOffsetMinutes('America/Denver', 2026)).toBe(-420);
    expect(standardOffsetMinutes('America/Phoenix', 2026)).toBe(-420);
    expect(localDate('America/Los_Angeles', Date.UTC(2026, 6, 10, 5))).toBe('2026-07-09');
  });

  it('measure a day midnight to midnight local standard time, all year', () => {
    // July in New York (EDT): 05:00Z to 05:00Z, i.e. 1 AM to 1 AM on the clock.
    expect(dayWindow('America/New_York', '2026-07-04')).toEqual({
      startMs: Date.UTC(2026, 6, 4, 5),
      endMs: Date.UTC(2026, 6, 5, 5),
    });
    expect(dayWindow('America/New_York', '2026-01-04').startMs).toBe(Date.UTC(2026, 0, 4, 5));
    // Civil days follow the clock, and the spring-forward day is 23 hours long.
    expect(dayWindow('America/New_York', '2026-07-04', 'civil').startMs).toBe(Date.UTC(2026, 6, 4, 4));
    const spring = dayWindow('America/Chicago', '2026-03-08', 'civil');
    expect((spring.endMs - spring.startMs) / 3_600_000).toBe(23);
  });

  it('refuse an unknown zone or a date that is not on the calendar', () => {
    expect(code(() => dayWindow('Mars/Base', '2026-07-04'))).toBe('FORECAST_BAD_INPUT');
    expect(code(() => dayWindow('UTC', '2026-02-30'))).toBe('FORECAST_BAD_INPUT');
  });
});

describe('the city table', () => {
  it('lists at least the seven classic daily-high cities with their series and zones', () => {
    const table = loadCities();
    for (const [id, series, tz] of [
      ['nyc', 'KXHIGHNY', 'America/New_York'],
      ['chicago', 'KXHIGHCHI', 'America/Chicago'],
      ['miami', 'KXHIGHMIA', 'America/New_York'],
      ['austin', 'KXHIGHAUS', 'America/Chicago'],
      ['denver', 'KXHIGHDEN', 'America/Denver'],
      ['philadelphia', 'KXHIGHPHIL', 'America/New_York'],
      ['los_angeles', 'KXHIGHLAX', 'America/Los_Angeles'],
    ] as const) {
      const c = table.byId(id);
      expect(c.series).toBe(series);
      expect(c.timeZone).toBe(tz);
      expect(table.bySeries(`${series}-26MAR16-B57.5`).id).toBe(id);
    }
    expect(code(() => table.byId('gotham'))).toBe('FORECAST_UNKNOWN_CITY');
    expect(code(() => table.bySeries('KXHIGHXX'))).toBe('FORECAST_UNKNOWN_CITY');
  });

  it('is extended and overridden by a user file', () => {
    const files: Record<string, string> = {
      [DEFAULT_CITIES_FILE]: JSON.stringify({
        cities: [
          {
            id: 'nyc',
            name: 'NYC',
            code: 'NY',
            series: 'KXHIGHNY',
            lat: 40.78,
            lon: -73.97,
            timeZone: 'America/New_York',
          },
        ],
      }),
      'mine.json': JSON.stringify({
        cities: [
          {
            id: 'nyc',
            name: 'NYC (LGA)',
            code: 'NY',
            series: 'KXHIGHNY',
            lat: 40.77,
            lon: -73.87,
            timeZone: 'America/New_York',
          },
          {
            id: 'houston',
            name: 'Houston',
            code: 'THOU',
            series: 'KXHIGHTHOU',
            lat: 29.64,
            lon: -95.28,
            timeZone: 'America/Chicago',
            region: 'us_southeast',
          },
        ],
      }),
    };
    const table = loadCities({ extraFile: 'mine.json', readFile: (f) => files[f] as string });
    expect(table.cities.map((c) => c.id)).toEqual(['nyc', 'houston']);
    expect(table.byId('nyc').lon).toBe(-73.87);
  });

  it('names the file and field of every problem', () => {
    const bad = JSON.stringify({
      cities: [
        { id: 'x', name: 'X', code: 'NY', series: 'KXHIGHCHI', lat: 95, lon: 0, timeZone: 'Mars/Base' },
        { id: 'x', name: 'Y', code: 'YY', series: 'KXHIGHYY', lat: 0, lon: 0, timeZone: 'UTC', extra: 1 },
      ],
    });
    try {
      loadCities({ file: 'bad.json', readFile: () => bad });
      expect.unreachable();
    } catch (e) {
      expect((e as ForecastError).code).toBe('FORECAST_BAD_CITY_CONFIG');
      const m = (e as Error).message;
      expect(m).toMatch(/bad\.json: cities\[0\]\.lat/);
      expect(m).toMatch(/bad\.json: cities\[0\]\.timeZone: unknown time zone/);
      expect(m).toMatch(/bad\.json: cities\[1\]: Unrecognized key/);
    }
    const dup = JSON.stringify({
      cities: [
        { id: 'a', name: 'A', code: 'NY', series: 'KXHIGHNY', lat: 0, lon: 0, timeZone: 'UTC' },
        { id: 'a', name: 'B', code: 'CHI', series: 'KXHIGHCHI', lat: 0, lon: 0, timeZone: 'UTC' },
      ],
    });
    expect(() => loadCities({ file: 'dup.json', readFile: () => dup })).toThrow(
      /dup\.json: cities\[1\]\.id: "a" listed twice/,
    );
    const mismatch = JSON.stringify({
      cities: [{ id: 'a', name: 'A', code: 'NY', series: 'KXHIGHCHI', lat: 0, lon: 0, timeZone: 'UTC' }],
    });
    expect(() => loadCities({ file: 'm.json', readFile: () => mismatch })).toThrow(
      /m\.json: cities\[0\]\.series: series must be KXHIGH<code>/,
    );
    expect(code(() => loadCities({ file: 'nope.json', readFile: () => '{' }))).toBe('FORECAST_FILE');
  });
});

describe('the JSON-file forecast source', () => {
  const chicago = loadCities().byId('chicago');
  const file = JSON.stringify({
    forecasts: [
      { city: 'chicago', target_date: '2026-03-16', high_f: 52, issued_at: '2026-03-14T12:00:00Z' },
      {
        city: 'chicago',
        target_date: '2026-03-16',
        high_f: 55,
        spread_f: 1.5,
        issued_at: '2026-03-15T12:00:00Z',
        source: 'manual',
      },
      { city: 'chicago', target_date: '2026-03-16', high_f: 60, issued_at: '2026-03-16T12:00:00Z' },
    ],
  });

  it('gives the latest record issued by now, shaped like the NWS source', async () => {
    const s = new JsonFileForecastSource({
      file: 'f.json',
      readFile: async () => file,
      now: () => Date.UTC(2026, 2, 15, 18),
    });
    const f = await s.forecastHigh(chicago, '2026-03-16');
    expect(f).toMatchObject({
      source: 'manual',
      city: 'chicago',
      highF: 55,
      spreadF: 1.5,
      peakCovered: true,
      origin: 'f.json',
    });
    expect(f.issuedMs).toBe(Date.UTC(2026, 2, 15, 12));
    expect(f.windowEndMs).toBe(Date.UTC(2026, 2, 17, 6));
  });

  it('reports a city-day without records, a bad field and an unreadable file', async () => {
    const early = new JsonFileForecastSource({
      file: 'f.json',
      readFile: async () => file,
      now: () => Date.UTC(2026, 2, 1),
    });
    await expect(early.forecastHigh(chicago, '2026-03-16')).rejects.toMatchObject({
      code: 'FORECAST_NOT_AVAILABLE',
    });
    const bad = JSON.stringify({
      forecasts: [{ city: 'chicago', target_date: '2026-03-16', high_f: 'warm', issued_at: 'x' }],
    });
    const s = new JsonFileForecastSource({ file: 'b.json', readFile: async () => bad });
    await expect(s.forecastHigh(chicago, '2026-03-16')).rejects.toThrow(
      /b\.json: forecasts\[0\]\.high_f: expected a number, got "warm"/,
    );
    const missing = new JsonFileForecastSource({ file: '/nonexistent/forecasts.json' });
    await expect(missing.forecastHigh(chicago, '2026-03-16')).rejects.toMatchObject({
      code: 'FORECAST_FILE',
    });
  });
});
