/**
 * From forecast periods to the predicted high of one measured day (pure).
 *
 *   hourly high   = max temperature over the hourly periods that start inside the day's window
 *                   (time.ts: midnight to midnight local standard time, as the climate report)
 *   daily high    = the 12-hour forecast's daytime period that starts on the target date (local)
 *   spread        = |daily high − hourly high| when both exist, else 0: two NWS products' disagreement
 *   peak covered  = every hour 11:00–19:00 local standard time of the day has an hourly period
 *
 * The hourly maximum samples the curve once an hour, so it can sit a little under the true
 * maximum (which the climate report takes from 2-minute averages); the spread and the model's σ
 * absorb that. A day whose afternoon is missing — already past, or beyond the horizon — is
 * reported with peakCovered false and must not be traded on.
 */
import { ForecastError } from './errors.js';
import type { NwsPeriod } from './nws-parse.js';
import { type DayWindow, localDate } from './time.js';

const HOUR_MS = 3_600_000;
/** Local-standard-time hours [from, to) that must be covered for the high to be trusted. */
export const PEAK_HOURS = { from: 11, to: 19 } as const;

export interface HourlyHigh {
  readonly highF: number;
  readonly hoursCovered: number;
  readonly peakCovered: boolean;
}

export function hourlyHigh(periods: readonly NwsPeriod[], window: DayWindow, what: string): HourlyHigh {
  const inside = periods.filter((p) => p.startMs >= window.startMs && p.startMs < window.endMs);
  if (inside.length === 0) {
    throw new ForecastError('FORECAST_NOT_AVAILABLE', what, 'no hourly period falls inside the measured day');
  }
  const highF = Math.max(...inside.map((p) => p.temperatureF));
  let peakCovered = true;
  for (let h = PEAK_HOURS.from; h < PEAK_HOURS.to; h++) {
    const t = window.startMs + h * HOUR_MS;
    if (!periods.some((p) => p.startMs <= t && p.endMs > t)) peakCovered = false;
  }
  return { highF, hoursCovered: inside.length, peakCovered };
}

/** The daytime period of the 12-hour forecast that starts on `targetDate` in `tz`, if any. */
export function daytimeHigh(
  periods: readonly NwsPeriod[],
  tz: string,
  targetDate: string,
): number | undefined {
  return periods.find((p) => p.isDaytime === true && localDate(tz, p.startMs) === targetDate)?.temperatureF;
}
