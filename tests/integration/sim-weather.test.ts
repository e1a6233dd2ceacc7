/**
 * The simulator's weather world over its own loopback port: our NWS adapter reads the forecast
 * service as it reads api.weather.gov, and every weather ladder settles on its true high with
 * exactly one bracket paying.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../src/exchange-sim/index.js';
import { loadCities, NwsForecastSource, nwsUserAgent } from '../../src/forecast/index.js';

const HOUR = 3_600_000;
/** 08:00 UTC: the first ladders are the same UTC and Chicago day. */
const START = Date.UTC(2026, 10, 30, 8, 0, 0);

let now = START;
let sim: Simulator;

beforeAll(async () => {
  // Ladder CHI, CPI, BTC, then NY, MIA, AUS, DEN, LAX, PHIL today: 6 + 5 + 5 + 6 × 6 markets.
  sim = await startSimulator({
    seed: 7,
    markets: 52,
    ratePerSec: 0,
    rateLimit: false,
    clock: () => now,
    weather: {},
  });
});
afterAll(async () => {
  await sim?.close();
});

describe('the forecast service', () => {
  it('answers the NWS adapter with the weather world’s current forecast and its issue time', async () => {
    const cities = loadCities();
    const chicago = cities.byId('chicago');
    const day = sim.weather.days().find((d) => d.city.code === 'CHI');
    expect(day).toBeDefined();
    const source = new NwsForecastSource({
      baseUrl: sim.forecastUrl,
      userAgent: nwsUserAgent('tests@example.invalid'),
      now: () => now,
    });
    const f = await source.forecastHigh(chicago, day!.date);
    const truth = sim.weather.forecast(day!, now);
    expect(f.highF).toBe(Math.round(truth.highF));
    expect(f.issuedMs).toBe(truth.issuedMs);
    expect(f.peakCovered).toBe(true);
    expect(f.origin).toContain('/nws/gridpoints/SIM/CHI/forecast/hourly');
  });

  it('sharpens as the day approaches: the forecast error shrinks with lead time', () => {
    const days = sim.weather.days();
    const err = (leadH: number) =>
      days.reduce(
        (s, d) => s + Math.abs(sim.weather.forecast(d, d.closeMs - leadH * HOUR).highF - d.trueHighF),
        0,
      ) / days.length;
    const sd = (leadH: number) => sim.weather.forecast(days[0]!, days[0]!.closeMs - leadH * HOUR).sdF;
    expect(sd(48)).toBeGreaterThan(sd(24));
    expect(sd(24)).toBeGreaterThan(sd(1));
    expect(err(72)).toBeGreaterThan(err(1));
  });

  it('refuses a point it has no grid for, as NWS does', async () => {
    const res = await fetch(`${sim.forecastUrl}/points/10,10`);
    expect(res.status).toBe(404);
  });
});

describe('the makers', () => {
  it('quote the ladder around their lagged, noisier view of the forecast', () => {
    for (const day of sim.weather.days()) {
      const view = sim.weather.makerView(day, now);
      expect(view.fairs.reduce((a, b) => a + b, 0)).toBe(10_000);
      day.markets.forEach((m, i) => {
        const book = sim.core.book(m.ticker);
        const bid = book.yes.at(-1)?.[0];
        const noBid = book.no.at(-1)?.[0];
        expect(bid).toBeDefined();
        expect(noBid).toBeDefined();
        const mid = (bid! + (10_000 - noBid!)) / 2;
        // The belief starts at the view's fair (clamped to 2..98¢); the quotes sit a few ticks around it.
        const fair = Math.min(9_799, Math.max(201, view.fairs[i]!));
        expect(Math.abs(mid - fair)).toBeLessThanOrEqual(300);
      });
    }
  });
});

describe('settlement of a weather ladder', () => {
  it('pays exactly the bracket that holds the true high', () => {
    const days = sim.weather.days();
    expect(days.length).toBe(7);
    now = START + 3 * 24 * HOUR;
    sim.lifecycle.tick(now);
    for (const day of days) {
      const results = day.markets.map((m) => sim.core.market(m.ticker)?.result);
      expect(results.filter((r) => r === 'yes')).toHaveLength(1);
      expect(results.every((r) => r === 'yes' || r === 'no')).toBe(true);
      const winner = day.markets[results.indexOf('yes')]!;
      const t = day.trueHighF;
      const pays =
        winner.strikeType === 'less'
          ? t < winner.capStrike!
          : winner.strikeType === 'greater'
            ? t > winner.floorStrike!
            : t >= winner.floorStrike! && t <= winner.capStrike!;
      expect(pays).toBe(true);
    }
  });
});
