/**
 * What a forecast source returns and what the lead persists for every forecast fetched.
 * Temperatures are °F floats (model inputs, never money); times are epoch ms (UTC).
 */
import type { CityConfig } from './cities.js';

/** The predicted high of one city-day, from one source. */
export interface ForecastHigh {
  /** 'nws', 'file', … */
  readonly source: string;
  /** City id (config/cities.json). */
  readonly city: string;
  /** The measured day, YYYY-MM-DD (local to the city). */
  readonly targetDate: string;
  /** Predicted daily high, °F. */
  readonly highF: number;
  /** The source's own spread estimate, °F (≥ 0; 0 when it has none). */
  readonly spreadF: number;
  /** When the forecast was made (NWS: the forecast's updateTime). */
  readonly issuedMs: number;
  /** When we fetched or read it (our clock). */
  readonly seenMs: number;
  /** The measured day's span (time.ts dayWindow): the forecast's lead time ends at windowEndMs. */
  readonly windowStartMs: number;
  readonly windowEndMs: number;
  /** Hourly values inside the window (NWS); undefined for sources without hours. */
  readonly hoursCovered?: number;
  /**
   * False when the afternoon of the measured day (11:00–19:00 local standard time) is not covered:
   * the day is partly past (a forecast no longer sees the hours already observed) or beyond the
   * forecast's horizon. Such a forecast must not be traded on.
   */
  readonly peakCovered: boolean;
  /** NWS: the 12-hour forecast's daytime high for the day, when it was fetched and found. */
  readonly dailyHighF?: number;
  /** The URL or file it came from. */
  readonly origin: string;
  /** Things a person should know (daily forecast unavailable, time zone mismatch, …). */
  readonly notes: readonly string[];
}

/** A source of forecast highs (NWS over HTTP, a JSON file, a simulator's weather world). */
export interface ForecastSource {
  forecastHigh(city: CityConfig, targetDate: string): Promise<ForecastHigh>;
}

/**
 * One archived forecast (seed 002 §3 "forecast archival": store when the forecast was MADE, not
 * just the target date). A plain row for the lead to persist, one per forecast fetched.
 */
export interface ForecastArchiveRecord {
  readonly city: string;
  readonly targetDate: string;
  readonly source: string;
  /** When the forecast was made. */
  readonly issuedMs: number;
  /** When we saw it. */
  readonly seenMs: number;
  readonly highF: number;
  readonly spreadF: number;
  readonly dailyHighF?: number;
  readonly hoursCovered?: number;
  readonly peakCovered: boolean;
  readonly origin: string;
  /** Lead time in hours from issue to the end of the measured day. */
  readonly leadHours: number;
}

export function toArchiveRecord(f: ForecastHigh): ForecastArchiveRecord {
  return {
    city: f.city,
    targetDate: f.targetDate,
    source: f.source,
    issuedMs: f.issuedMs,
    seenMs: f.seenMs,
    highF: f.highF,
    spreadF: f.spreadF,
    ...(f.dailyHighF !== undefined ? { dailyHighF: f.dailyHighF } : {}),
    ...(f.hoursCovered !== undefined ? { hoursCovered: f.hoursCovered } : {}),
    peakCovered: f.peakCovered,
    origin: f.origin,
    leadHours: (f.windowEndMs - f.issuedMs) / 3_600_000,
  };
}
