/**
 * The weather world wired to the participants, and a headless simulator on virtual time for
 * multi-day scenarios (no sockets, no timers): the same core, universe, participants, weather
 * world and lifecycle as startSimulator, advanced minute by minute by the caller.
 *
 * wireWeather: every KXHIGH ladder listed (initially or by relisting) is tracked by the weather
 * world; update(now) re-anchors the makers' quotes on a ladder whenever their lagged view moves to
 * a new forecast issue (weather.ts, THE MAKERS' VIEW).
 */
import type { Activity } from './activity.js';
import { createActivity } from './activity.js';
import type { ExchangeCore, MarketDef } from './core-types.js';
import { createDeterminer } from './determination.js';
import { createExchangeCore } from './exchange.js';
import { createLifecycleDriver } from './lifecycle.js';
import { createListings, installUniverse } from './universe.js';
import { createWeatherWorld, type WeatherParams, type WeatherWorld } from './weather.js';

export function wireWeather(
  core: ExchangeCore,
  activity: Pick<Activity, 'reanchor'>,
  weather: WeatherWorld,
  initial: readonly MarketDef[],
): (nowMs: number) => void {
  const byEvent = new Map<string, MarketDef[]>();
  for (const m of initial) byEvent.set(m.eventTicker, [...(byEvent.get(m.eventTicker) ?? []), m]);
  for (const group of byEvent.values()) weather.track(group[0] as MarketDef, group);
  core.onEvent((e) => {
    if (e.type === 'lifecycle' && e.eventType === 'created') {
      const m = core.market(e.ticker);
      if (m) weather.track(m);
    }
  });
  const applied = new Map<string, number>();
  return (now) => {
    for (const day of weather.days()) {
      if (day.closeMs <= now) continue;
      const view = weather.makerView(day, now);
      if (applied.get(day.eventTicker) === view.issueIndex) continue;
      applied.set(day.eventTicker, view.issueIndex);
      day.markets.forEach((m, i) => {
        activity.reanchor(m.ticker, view.fairs[i] as number);
      });
    }
  };
}

export interface HeadlessWeatherSim {
  readonly core: ExchangeCore;
  readonly weather: WeatherWorld;
  now(): number;
  /**
   * Moves virtual time forward `stepMs` (default one minute) at a time: lifecycle, expiry, weather,
   * and `actionsPerMinute` participant actions per step.
   */
  advance(ms: number, actionsPerMinute?: number, stepMs?: number): void;
}

export interface HeadlessOptions {
  seed: number;
  nowMs: number;
  markets: number;
  /** Participant actions per virtual minute. */
  actionsPerMinute: number;
  weather?: Partial<WeatherParams>;
}

export function createHeadlessWeatherSim(opts: HeadlessOptions): HeadlessWeatherSim {
  let now = opts.nowMs;
  const clock = () => now;
  const core = createExchangeCore({ clock });
  const listings = createListings({ seed: opts.seed, markets: opts.markets, nowMs: now });
  installUniverse(core, listings.universe);
  const activity = createActivity({
    core,
    seed: opts.seed,
    tickers: listings.universe.markets.map((m) => m.ticker),
    fairValues: listings.fairValues,
    ratePerSec: 0,
    clock,
  });
  const weather = createWeatherWorld({
    core,
    seed: opts.seed,
    ...(opts.weather ? { params: opts.weather } : {}),
  });
  const update = wireWeather(core, activity, weather, listings.universe.markets);
  update(now);
  activity.seedBooks();
  const determiner = createDeterminer({
    core,
    seed: opts.seed,
    fairValue: (t) => listings.fairValues.get(t),
  });
  const lifecycle = createLifecycleDriver({
    core,
    clock,
    determine: (t) => weather.resultFor(t) ?? determiner.resultFor(t),
    relist: (event, nowMs) => listings.listSuccessor(core, event, nowMs),
  });
  return {
    core,
    weather,
    now: clock,
    advance(ms, actionsPerMinute = opts.actionsPerMinute, stepMs = 60_000) {
      const end = now + ms;
      while (now < end) {
        now = Math.min(end, now + stepMs);
        lifecycle.tick(now);
        core.expire(now);
        update(now);
        for (let i = 0; i < actionsPerMinute; i++) activity.step();
      }
    },
  };
}
