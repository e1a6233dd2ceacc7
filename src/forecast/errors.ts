/**
 * The closed catalog of forecast errors (src/forecast). Every error has a string-literal `code`,
 * names the URL, file or field that is wrong, and keeps its `cause`. planning/edge.md lists the
 * same codes (tests/unit/edge-errors.test.ts keeps them in sync).
 */

export const FORECAST_ERROR_CODES = {
  FORECAST_HTTP_STATUS:
    'the forecast service answered with an HTTP error status (4xx at once, 5xx after retries)',
  FORECAST_TIMEOUT: 'a forecast request did not complete in time (after retries)',
  FORECAST_NETWORK: 'a forecast request failed before an HTTP answer arrived (after retries)',
  FORECAST_BAD_RESPONSE: 'a forecast response is not JSON or lacks a field (the error names the field)',
  FORECAST_NOT_AVAILABLE: 'no forecast period or record covers the requested city and date',
  FORECAST_FILE: 'a forecast or city file cannot be read or is not JSON',
  FORECAST_BAD_CITY_CONFIG: 'the city table is invalid (every problem names its field)',
  FORECAST_UNKNOWN_CITY: 'a city id or series ticker is not in the city table',
  FORECAST_BAD_INPUT: 'an argument is out of its domain (the error names it)',
} as const;

export type ForecastErrorCode = keyof typeof FORECAST_ERROR_CODES;

export class ForecastError extends Error {
  readonly code: ForecastErrorCode;
  /** The URL, file, field or argument concerned. */
  readonly field: string;
  /** HTTP status, for FORECAST_HTTP_STATUS. */
  readonly status?: number;

  constructor(
    code: ForecastErrorCode,
    field: string,
    message: string,
    options?: { cause?: unknown; status?: number },
  ) {
    super(`${field}: ${message}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ForecastError';
    this.code = code;
    this.field = field;
    if (options?.status !== undefined) this.status = options.status;
  }
}

/** Short, safe rendering of a bad value for an error message. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  try {
    const s = JSON.stringify(value);
    return s === undefined ? String(value) : s.length > 60 ? `${s.slice(0, 60)}…` : s;
  } catch {
    return String(value);
  }
}
