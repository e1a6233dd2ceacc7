/**
 * The closed catalog of errors of the edge trader's pure core (src/edge). Every error has a
 * string-literal `code` (CODE_AREA_PROBLEM), names the field or market that is wrong, and keeps its
 * `cause`. planning/edge.md lists the same codes (tests/unit/edge-errors.test.ts keeps them in sync).
 *
 * These are thrown for bad input (a malformed ladder, a bad config value, a unit mix-up). Market
 * conditions that make a trade unwise (a thin ladder, a crossed book) are not errors: they are
 * reported as reasons in the decision.
 */

export const EDGE_ERROR_CODES = {
  EDGE_LADDER_BAD_MARKET: 'a market of a ladder has a missing or unusable ticker or strike field',
  EDGE_LADDER_MIXED_EVENTS: 'the markets given as one ladder belong to different events',
  EDGE_LADDER_TAIL: 'a ladder does not have exactly one lower tail and one upper tail',
  EDGE_LADDER_GAP: 'some settled temperature pays no bracket of the ladder',
  EDGE_LADDER_OVERLAP: 'some settled temperature pays more than one bracket of the ladder',
  EDGE_BAD_TICKER: 'a ticker does not follow the KXHIGH<CITY>-<YYMMMDD>[-<strike>] grammar',
  EDGE_BAD_INPUT: 'an input to a pure edge function is out of its domain (names the field)',
  EDGE_CONFIG_BAD_VALUE: 'an edge trader configuration value is not allowed (names the field)',
} as const;

export type EdgeErrorCode = keyof typeof EDGE_ERROR_CODES;

export class EdgeError extends Error {
  readonly code: EdgeErrorCode;
  /** The field, ticker or option the error is about. */
  readonly field: string;

  constructor(code: EdgeErrorCode, field: string, message: string, options?: { cause?: unknown }) {
    super(`${field}: ${message}`, options);
    this.name = 'EdgeError';
    this.code = code;
    this.field = field;
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

/** Throws EDGE_BAD_INPUT unless `value` is a finite number (optionally within [min, max]). */
export function requireFinite(field: string, value: unknown, min = -Infinity, max = Infinity): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new EdgeError('EDGE_BAD_INPUT', field, `expected a finite number, got ${show(value)}`);
  }
  if (value < min || value > max) {
    throw new EdgeError('EDGE_BAD_INPUT', field, `expected a number in [${min}, ${max}], got ${value}`);
  }
  return value;
}

/** Throws EDGE_BAD_INPUT unless `value` is a safe integer within [min, max]. */
export function requireInt(field: string, value: unknown, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new EdgeError(
      'EDGE_BAD_INPUT',
      field,
      `expected a whole number in [${min}, ${max}], got ${show(value)}`,
    );
  }
  return value;
}
