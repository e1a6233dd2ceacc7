/**
 * The weather world's forecasts over HTTP, shaped like the National Weather Service API
 * (api.weather.gov), on the simulator's own loopback port under /nws:
 *
 *   GET /nws/points/{lat},{lon}                   → { properties: { gridId: "SIM", gridX, gridY,
 *                                                      forecast, forecastHourly, timeZone } }
 *                                                     (absolute URLs; a point within 0.05° of a
 *                                                     city's station; else 404 like NWS)
 *   GET /nws/gridpoints/SIM/{code}/forecast/hourly → { properties: { updateTime, generatedAt,
 *                                                      periods: [hourly, 168 of them] } }
 *   GET /nws/gridpoints/SIM/{code}/forecast        → the same with 12-hour periods (day 06–18,
 *                                                      night 18–06 local standard time)
 *
 * Periods start at local-standard midnight of the current local day (NWS starts at the current
 * hour; keeping the day's earlier hours lets a day in progress be evaluated — a deliberate
 * difference). Times are ISO-8601 with the city's standard offset. updateTime is the latest
 * issue (weather.ts: one every issueIntervalMs). Temperature per hour: the day's forecast high
 * (weather.ts forecast(); the city's normal high on a day with no ladder) on a fixed diurnal
 * curve that peaks at 15:00 local standard time and is DIURNAL_RANGE_F lower at 03:00, rounded to
 * whole °F as NWS gives them. The 12-hour daytime temperature is the same rounded high, so the
 * two products agree (a spread of 0).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpProblem, notFound, sendJson, sendProblem } from './http-util.js';
import { WEATHER_CITIES, type WeatherCity, type WeatherWorld } from './weather.js';

export const NWS_PREFIX = '/nws';
const HOUR_MS = 3_600_000;
const DIURNAL_RANGE_F = 16;
const HOURLY_PERIODS = 168;

function iso(ms: number, offsetHours: number): string {
  const local = new Date(ms + offsetHours * HOUR_MS).toISOString().slice(0, 19);
  const sign = offsetHours < 0 ? '-' : '+';
  return `${local}${sign}${String(Math.abs(offsetHours)).padStart(2, '0')}:00`;
}

/** YYYY-MM-DD of a local-standard instant. */
function localDate(ms: number, offsetHours: number): string {
  return new Date(ms + offsetHours * HOUR_MS).toISOString().slice(0, 10);
}

/** The forecast high of a city on a local date at nowMs (°F, unrounded). */
function dayHigh(world: WeatherWorld, city: WeatherCity, date: string, nowMs: number): number {
  const day = world.days().find((d) => d.city.code === city.code && d.date === date);
  return day ? world.forecast(day, nowMs).highF : city.normalHighF;
}

function period(
  n: number,
  startMs: number,
  hours: number,
  city: WeatherCity,
  temperature: number,
  isDaytime: boolean,
  name: string,
) {
  return {
    number: n,
    name,
    startTime: iso(startMs, city.stdOffsetHours),
    endTime: iso(startMs + hours * HOUR_MS, city.stdOffsetHours),
    isDaytime,
    temperature,
    temperatureUnit: 'F',
    temperatureTrend: null,
    windSpeed: '5 mph',
    windDirection: 'S',
    shortForecast: 'Simulated',
  };
}

export function forecastDocument(
  world: WeatherWorld,
  city: WeatherCity,
  nowMs: number,
  kind: 'hourly' | 'daily',
): unknown {
  const off = city.stdOffsetHours;
  const dayStart = Date.parse(`${localDate(nowMs, off)}T00:00:00Z`) - off * HOUR_MS;
  const highs = new Map<string, number>();
  const high = (ms: number) => {
    const date = localDate(ms, off);
    let h = highs.get(date);
    if (h === undefined) {
      h = dayHigh(world, city, date, nowMs);
      highs.set(date, h);
    }
    return h;
  };
  const periods = [];
  if (kind === 'hourly') {
    for (let i = 0; i < HOURLY_PERIODS; i++) {
      const start = dayStart + i * HOUR_MS;
      const hour = i % 24;
      const t = high(start) - (DIURNAL_RANGE_F * (1 - Math.cos((2 * Math.PI * (hour - 15)) / 24))) / 2;
      periods.push(period(i + 1, start, 1, city, Math.round(t), hour >= 6 && hour < 18, ''));
    }
  } else {
    for (let i = 0; i < 14; i++) {
      const start = dayStart + 6 * HOUR_MS + i * 12 * HOUR_MS;
      const day = i % 2 === 0;
      const t = day ? high(start) : high(start) - DIURNAL_RANGE_F;
      periods.push(period(i + 1, start, 12, city, Math.round(t), day, day ? 'Today' : 'Tonight'));
    }
  }
  const issued = Math.floor(nowMs / world.params.issueIntervalMs) * world.params.issueIntervalMs;
  return {
    type: 'Feature',
    properties: {
      units: 'us',
      forecastGenerator: kind === 'hourly' ? 'HourlyForecastGenerator' : 'BaselineForecastGenerator',
      generatedAt: new Date(nowMs).toISOString(),
      updateTime: new Date(issued).toISOString(),
      periods,
    },
  };
}

/** Serves a request under NWS_PREFIX. `origin` is http://host:port of the simulator. */
export function handleNws(
  world: WeatherWorld,
  clock: () => number,
  origin: string,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): void {
  try {
    if ((req.method ?? 'GET') !== 'GET') throw new HttpProblem(405, 'method_not_allowed', 'GET only', '');
    const path = url.pathname.slice(NWS_PREFIX.length);
    const point = /^\/points\/(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)$/.exec(path);
    if (point) {
      const lat = Number(point[1]);
      const lon = Number(point[2]);
      const city = WEATHER_CITIES.find((c) => Math.abs(c.lat - lat) < 0.05 && Math.abs(c.lon - lon) < 0.05);
      if (!city) throw notFound(`Unable to provide data for requested point ${lat},${lon}`);
      const grid = `${origin}${NWS_PREFIX}/gridpoints/SIM/${city.code}`;
      sendJson(res, 200, {
        type: 'Feature',
        properties: {
          gridId: 'SIM',
          gridX: 1,
          gridY: 1,
          forecast: `${grid}/forecast`,
          forecastHourly: `${grid}/forecast/hourly`,
          timeZone: city.timeZone,
        },
      });
      return;
    }
    const grid = /^\/gridpoints\/SIM\/([A-Z]+)\/forecast(\/hourly)?$/.exec(path);
    const city = grid ? world.city(grid[1] as string) : undefined;
    if (!grid || !city) throw notFound(`no forecast endpoint ${url.pathname}`);
    sendJson(res, 200, forecastDocument(world, city, clock(), grid[2] ? 'hourly' : 'daily'));
  } catch (err) {
    const p = err instanceof HttpProblem ? err : new HttpProblem(500, 'internal', 'internal', String(err));
    sendProblem(res, p);
  }
}
