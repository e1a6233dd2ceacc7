/**
 * The NWS adapter against a loopback HTTP server serving NWS-shaped fixtures
 * (tests/fixtures/nws/), including malformed bodies, an HTML error page, 404, 500 and a hang.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ForecastError,
  JsonHttpClient,
  loadCities,
  NwsForecastSource,
  type NwsOptions,
  nwsUserAgent,
  pointPath,
  toArchiveRecord,
} from '../../src/forecast/index.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'nws');
const POINT = '/points/41.7868,-87.7522';
const HOURLY = '/gridpoints/LOT/71,67/forecast/hourly';
const DAILY = '/gridpoints/LOT/71,67/forecast';

interface Reply {
  status: number;
  file?: string;
  type?: string;
  hang?: boolean;
}

let server: Server;
let base = '';
const routes = new Map<string, Reply[]>();
const hits: Array<{ path: string; ua: string | undefined; accept: string | undefined }> = [];

function serve(path: string, ...replies: Reply[]): void {
  routes.set(path, replies);
}

function ok(file: string): Reply {
  return { status: 200, file, type: 'application/geo+json' };
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? '';
    hits.push({ path, ua: req.headers['user-agent'], accept: req.headers.accept });
    const queue = routes.get(path);
    const reply = queue && queue.length > 1 ? (queue.shift() as Reply) : queue?.[0];
    if (!reply) {
      res
        .writeHead(404, { 'content-type': 'application/problem+json' })
        .end(readFileSync(join(FIXTURES, 'problem-404.json')));
      return;
    }
    if (reply.hang) return; // never answers
    const body = reply.file
      ? readFileSync(join(FIXTURES, reply.file), 'utf8').replaceAll('https://api.weather.gov', base)
      : '';
    res.writeHead(reply.status, { 'content-type': reply.type ?? 'application/geo+json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  routes.clear();
  hits.length = 0;
  serve(POINT, ok('points-chicago.json'));
  serve(HOURLY, ok('hourly-chicago.json'));
  serve(DAILY, ok('forecast-chicago.json'));
});

const chicago = loadCities().byId('chicago');
const sleeps: number[] = [];
let clock = Date.UTC(2026, 2, 16, 6);

function source(extra: Partial<NwsOptions> = {}): NwsForecastSource {
  sleeps.length = 0;
  return new NwsForecastSource({
    baseUrl: base,
    userAgent: nwsUserAgent('ops@example.com'),
    now: () => clock,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    timeoutMs: 2_000,
    ...extra,
  });
}

async function failure(p: Promise<unknown>): Promise<ForecastError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ForecastError);
    return e as ForecastError;
  }
  throw new Error('expected a ForecastError');
}

describe('NWS forecast source', () => {
  it('follows points → forecastHourly and takes the high of the day in local standard time', async () => {
    const f = await source().forecastHigh(chicago, '2026-03-16');
    // The 61°F warm front at 00:00 CDT on Mar 17 is 23:00 CST on Mar 16: it counts (civil midnight would say 58).
    expect(f.highF).toBe(61);
    expect(f.hoursCovered).toBe(24);
    expect(f.peakCovered).toBe(true);
    expect(f.dailyHighF).toBe(60);
    expect(f.spreadF).toBe(1);
    expect(f.issuedMs).toBe(Date.parse('2026-03-16T04:41:05+00:00'));
    expect(f.seenMs).toBe(clock);
    expect(f.windowStartMs).toBe(Date.UTC(2026, 2, 16, 6));
    expect(f.windowEndMs).toBe(Date.UTC(2026, 2, 17, 6));
    expect(f.origin).toBe(`${base}${HOURLY}`);
    expect(hits.map((h) => h.path).sort()).toEqual([DAILY, HOURLY, POINT].sort());
    expect(
      hits.every((h) => h.ua === 'traderv3/0.1 (ops@example.com)' && h.accept === 'application/geo+json'),
    ).toBe(true);
  });

  it('reads civil midnight to midnight when asked', async () => {
    const f = await source({ dayMode: 'civil' }).forecastHigh(chicago, '2026-03-16');
    expect(f.highF).toBe(58);
  });

  it('reads Celsius QuantitativeValue temperatures (forecast_temperature_qv) as °F', async () => {
    serve(HOURLY, ok('hourly-celsius-qv.json'));
    const f = await source().forecastHigh(chicago, '2026-03-16');
    expect(f.highF).toBeCloseTo(61, 0);
  });

  it('caches each URL for 30 s', async () => {
    const s = source();
    await s.forecastHigh(chicago, '2026-03-16');
    await s.forecastHigh(chicago, '2026-03-17');
    expect(hits).toHaveLength(3);
    clock += 31_000;
    await s.forecastHigh(chicago, '2026-03-16');
    expect(hits.map((h) => h.path).filter((p) => p === HOURLY)).toHaveLength(2);
    expect(hits.map((h) => h.path).filter((p) => p === POINT)).toHaveLength(1); // points: 24 h
  });

  it('flags a day whose afternoon the hourly forecast no longer covers', async () => {
    const f = await source().forecastHigh(chicago, '2026-03-17');
    expect(f.peakCovered).toBe(true);
    const past = await failure(source().forecastHigh(chicago, '2026-03-19'));
    expect(past.code).toBe('FORECAST_NOT_AVAILABLE');
    // 2026-03-15 (LST) contains only the first hour of the fixture: 00:00 CDT = 23:00 CST.
    const partial = await source().forecastHigh(chicago, '2026-03-15');
    expect(partial.peakCovered).toBe(false);
    expect(partial.hoursCovered).toBe(1);
    expect(partial.notes.join(' ')).toMatch(/does not cover the afternoon/);
  });

  it('names the field of a malformed response', async () => {
    const cases: Array<[string, RegExp]> = [
      ['hourly-missing-periods.json', /^properties\.periods: expected an array, got undefined/],
      ['hourly-wrong-unit.json', /^properties\.periods\[5\]\.temperatureUnit: expected "F" or "C"/],
      ['hourly-non-numeric.json', /^properties\.periods\[7\]\.temperature: expected a number, got "hot"/],
    ];
    for (const [file, message] of cases) {
      serve(HOURLY, ok(file));
      const e = await failure(source().forecastHigh(chicago, '2026-03-16'));
      expect(e.code).toBe('FORECAST_BAD_RESPONSE');
      expect(e.message).toMatch(message);
    }
  });

  it('reports an HTML page as a body that is not JSON', async () => {
    serve(HOURLY, { status: 200, file: 'error-page.html', type: 'text/html' });
    const e = await failure(source().forecastHigh(chicago, '2026-03-16'));
    expect(e.code).toBe('FORECAST_BAD_RESPONSE');
    expect(e.message).toMatch(/body is not JSON \(HTTP 200, content-type "text\/html"/);
  });

  it('does not retry a 4xx and carries the problem detail', async () => {
    serve(POINT, { status: 404, file: 'problem-404.json', type: 'application/problem+json' });
    const e = await failure(source().forecastHigh(chicago, '2026-03-16'));
    expect(e.code).toBe('FORECAST_HTTP_STATUS');
    expect(e.status).toBe(404);
    expect(e.message).toMatch(/HTTP 404: Data Unavailable For Requested Point — Unable to provide data/);
    expect(hits).toHaveLength(1);
    serve(POINT, { status: 403, file: 'error-page.html', type: 'text/html' });
    hits.length = 0;
    expect((await failure(source().forecastHigh(chicago, '2026-03-16'))).status).toBe(403);
    expect(hits).toHaveLength(1);
  });

  it('retries a 500 with exponential backoff, then succeeds', async () => {
    const err = { status: 500, file: 'problem-500.json', type: 'application/problem+json' };
    serve(HOURLY, err, err, ok('hourly-chicago.json'));
    const s = source();
    const f = await s.forecastHigh(chicago, '2026-03-16');
    expect(f.highF).toBe(61);
    expect(hits.filter((h) => h.path === HOURLY)).toHaveLength(3);
    expect(sleeps).toEqual([500, 1_000]);
  });

  it('gives up after the retries with the last status', async () => {
    serve(HOURLY, { status: 503, file: 'problem-500.json' });
    const e = await failure(source({ retries: 2 }).forecastHigh(chicago, '2026-03-16'));
    expect(e.code).toBe('FORECAST_HTTP_STATUS');
    expect(e.status).toBe(503);
    expect(hits.filter((h) => h.path === HOURLY)).toHaveLength(3);
    expect(sleeps).toEqual([500, 1_000]);
  });

  it('times out a request that never answers', async () => {
    serve(HOURLY, { status: 200, hang: true });
    const e = await failure(source({ timeoutMs: 150, retries: 1 }).forecastHigh(chicago, '2026-03-16'));
    expect(e.code).toBe('FORECAST_TIMEOUT');
    expect(hits.filter((h) => h.path === HOURLY)).toHaveLength(2);
  });

  it('reports a refused connection as a network error', async () => {
    const s = new NwsForecastSource({
      baseUrl: 'http://127.0.0.1:1',
      userAgent: 'x (y)',
      retries: 0,
      sleep: async () => {},
    });
    expect((await failure(s.forecastHigh(chicago, '2026-03-16'))).code).toBe('FORECAST_NETWORK');
  });

  it('keeps going without the 12-hour forecast, noting why', async () => {
    serve(DAILY, { status: 404, file: 'problem-404.json' });
    const f = await source().forecastHigh(chicago, '2026-03-16');
    expect(f.dailyHighF).toBeUndefined();
    expect(f.spreadF).toBe(0);
    expect(f.notes.join(' ')).toMatch(/12-hour forecast unavailable: .*HTTP 404/);
  });

  it('needs a User-Agent and formats the point path as NWS wants', () => {
    expect(() => new JsonHttpClient({ userAgent: ' ' })).toThrow(/User-Agent/);
    expect(() => nwsUserAgent('')).toThrow(/contact/);
    expect(pointPath(41.78680001, -87.75)).toBe('/points/41.7868,-87.75');
  });

  it('produces an archive record with issue and seen times', async () => {
    const f = await source().forecastHigh(chicago, '2026-03-16');
    const r = toArchiveRecord(f);
    expect(r).toMatchObject({
      city: 'chicago',
      targetDate: '2026-03-16',
      source: 'nws',
      highF: 61,
      issuedMs: f.issuedMs,
      seenMs: clock,
    });
    expect(r.leadHours).toBeCloseTo((Date.UTC(2026, 2, 17, 6) - f.issuedMs) / 3_600_000, 9);
  });
});
