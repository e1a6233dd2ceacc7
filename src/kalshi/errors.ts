/**
 * The closed catalog of errors at the Kalshi boundary. Every error has a string-literal `code`
 * (CODE_AREA_PROBLEM), a message that names what is wrong, and keeps its `cause`.
 * tests/unit/errors.test.ts keeps this catalog, the README's table and the types in sync.
 */

export const KALSHI_ERROR_CODES = {
  KALSHI_WIRE_BAD_VALUE: 'a field from the wire (or for the wire) is not a valid fixed-point value',
  KALSHI_WIRE_BAD_MESSAGE: 'a message from the exchange does not have the expected shape',
  KALSHI_AUTH_BAD_KEY: 'the private key cannot be read or used for signing',
  KALSHI_HTTP_STATUS: 'the exchange answered with an HTTP error status',
  KALSHI_HTTP_RATE_LIMITED: 'the exchange answered 429 too many requests',
  KALSHI_HTTP_TIMEOUT: 'the request did not complete in time',
  KALSHI_HTTP_NETWORK: 'the request failed before an HTTP answer arrived',
  KALSHI_HTTP_ABORTED: 'the caller aborted the request (or the wait before it)',
  KALSHI_HTTP_PAGINATION_LOOP: 'the exchange returned a pagination cursor it had already returned',
  KALSHI_RATE_LIMIT_OVER_CAPACITY: 'a request costs more tokens than its rate-limit bucket can ever hold',
  KALSHI_WS_SERVER_ERROR: 'the WebSocket server answered a command with an error message',
  KALSHI_WS_CLOSED: 'the WebSocket connection closed',
  KALSHI_WS_TIMEOUT: 'a WebSocket command got no answer in time',
  KALSHI_BOUNDARY_UNEXPECTED:
    'something other than a KalshiError was thrown at the Kalshi boundary (kept as cause)',
} as const;

export type KalshiErrorCode = keyof typeof KALSHI_ERROR_CODES;

export class KalshiError extends Error {
  readonly code: KalshiErrorCode;

  constructor(code: KalshiErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KalshiError';
    this.code = code;
  }
}

/** A fixed-point field that cannot be parsed or formatted. */
export class WireFormatError extends KalshiError {
  readonly field: string;

  constructor(field: string, value: unknown, problem: string) {
    super('KALSHI_WIRE_BAD_VALUE', `${field}: ${problem} (got ${describe(value)})`);
    this.name = 'WireFormatError';
    this.field = field;
  }
}

/** The WebSocket upgrade was answered with an HTTP status instead of 101 (e.g. 401: the key was refused). */
export class KalshiWsUpgradeError extends KalshiError {
  readonly status: number;

  constructor(status: number, message: string, options?: { cause?: unknown }) {
    super('KALSHI_WS_CLOSED', message, options);
    this.name = 'KalshiWsUpgradeError';
    this.status = status;
  }
}

/** Short, safe rendering of a bad value for an error message. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value === undefined) return 'undefined';
  try {
    const s = JSON.stringify(value);
    return s === undefined ? String(value) : s.length > 60 ? `${s.slice(0, 60)}…` : s;
  } catch {
    return String(value);
  }
}

/** Turns anything thrown into an Error, keeping it as the cause. */
export function toError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  return new Error(`non-error thrown: ${describe(thrown)}`, { cause: thrown });
}

/** Which request an error is about: method and path only, never headers, body or keys. */
export interface RequestRef {
  readonly method: string;
  readonly path: string;
}

/** The parts of a Kalshi error body: `{"error":{"code","message","details","service"}}` or `{"error":"…"}`. */
export interface KalshiErrorBody {
  readonly apiCode?: string;
  readonly apiMessage?: string;
  readonly details?: string;
  readonly service?: string;
}

/**
 * The exchange answered with an HTTP error status. Kalshi's own error `code` / `message` / `details`
 * are kept as `apiCode` / `apiMessage` / `details` (`code` and `message` already belong to Error).
 * 429 gets the code KALSHI_HTTP_RATE_LIMITED; its body is `{"error":"too many requests"}`.
 */
export class KalshiHttpError extends KalshiError {
  readonly status: number;
  readonly method: string;
  readonly path: string;
  readonly apiCode: string | undefined;
  readonly apiMessage: string | undefined;
  readonly details: string | undefined;
  readonly service: string | undefined;
  /** The parsed JSON body, or up to 500 characters of a non-JSON body. */
  readonly body: unknown;
  /** From a Retry-After header when the server sent one (Kalshi does not, as of 2026). */
  readonly retryAfterMs: number | undefined;

  constructor(
    request: RequestRef,
    status: number,
    body: unknown,
    options?: { cause?: unknown; retryAfterMs?: number },
  ) {
    const parsed = parseErrorBody(body);
    const what = [parsed.apiCode, parsed.apiMessage, parsed.details]
      .filter((x, i, all): x is string => typeof x === 'string' && x !== '' && all.indexOf(x) === i)
      .join(': ');
    super(
      status === 429 ? 'KALSHI_HTTP_RATE_LIMITED' : 'KALSHI_HTTP_STATUS',
      `${request.method} ${request.path} answered HTTP ${status}${what ? ` (${what})` : ''}`,
      options,
    );
    this.name = 'KalshiHttpError';
    this.status = status;
    this.method = request.method;
    this.path = request.path;
    this.apiCode = parsed.apiCode;
    this.apiMessage = parsed.apiMessage;
    this.details = parsed.details;
    this.service = parsed.service;
    this.body = body;
    this.retryAfterMs = options?.retryAfterMs;
  }

  /** 4xx: the exchange's answer proves the request was not carried out (429 included). */
  get isClientError(): boolean {
    return this.status >= 400 && this.status < 500;
  }

  /** 5xx: the exchange may or may not have carried out the request. */
  get isServerError(): boolean {
    return this.status >= 500;
  }
}

/** The request got no complete answer within its timeout. */
export class KalshiTimeoutError extends KalshiError {
  readonly method: string;
  readonly path: string;
  readonly timeoutMs: number | undefined;

  constructor(request: RequestRef, timeoutMs: number | undefined, options?: { cause?: unknown }) {
    super(
      'KALSHI_HTTP_TIMEOUT',
      `${request.method} ${request.path} timed out${timeoutMs === undefined ? '' : ` after ${timeoutMs} ms`}`,
      options,
    );
    this.name = 'KalshiTimeoutError';
    this.method = request.method;
    this.path = request.path;
    this.timeoutMs = timeoutMs;
  }
}

/** The request failed before any HTTP answer arrived (connection refused or reset, DNS, TLS…). */
export class KalshiNetworkError extends KalshiError {
  readonly method: string;
  readonly path: string;
  /** The system error code of the cause, e.g. ECONNREFUSED, ECONNRESET. */
  readonly systemCode: string | undefined;

  constructor(request: RequestRef, options?: { cause?: unknown }) {
    const systemCode = systemErrorCode(options?.cause);
    super(
      'KALSHI_HTTP_NETWORK',
      `${request.method} ${request.path} failed before an answer arrived${systemCode ? ` (${systemCode})` : ''}`,
      options,
    );
    this.name = 'KalshiNetworkError';
    this.method = request.method;
    this.path = request.path;
    this.systemCode = systemCode;
  }
}

/** The caller's AbortSignal fired. */
export class KalshiAbortedError extends KalshiError {
  readonly method: string;
  readonly path: string;

  constructor(request: RequestRef, options?: { cause?: unknown }) {
    super('KALSHI_HTTP_ABORTED', `${request.method} ${request.path} was aborted by the caller`, options);
    this.name = 'KalshiAbortedError';
    this.method = request.method;
    this.path = request.path;
  }
}

/** Reads the Kalshi error body shapes; anything else gives an empty result. */
export function parseErrorBody(body: unknown): KalshiErrorBody {
  if (!isRecord(body)) return {};
  const inner = body.error;
  if (typeof inner === 'string') return { apiMessage: inner };
  const source = isRecord(inner) ? inner : body;
  const out: { apiCode?: string; apiMessage?: string; details?: string; service?: string } = {};
  if (typeof source.code === 'string') out.apiCode = source.code;
  if (typeof source.message === 'string') out.apiMessage = source.message;
  if (typeof source.details === 'string') out.details = source.details;
  else if (source.details !== undefined && source.details !== null) out.details = describe(source.details);
  if (typeof source.service === 'string') out.service = source.service;
  return out;
}

/**
 * The system error code behind a failed fetch (undici wraps it: TypeError('fetch failed', {cause})).
 * For an AggregateError (several addresses tried) it is the shared code of all of them, if any.
 */
export function systemErrorCode(thrown: unknown): string | undefined {
  for (let e: unknown = thrown, depth = 0; isRecord(e) && depth < 5; e = e.cause, depth++) {
    if (typeof e.code === 'string' && /^E[A-Z_]+$/.test(e.code)) return e.code;
    if (Array.isArray(e.errors) && e.errors.length > 0) {
      const codes = new Set(e.errors.map((x) => systemErrorCode(x)));
      const [only] = codes;
      if (codes.size === 1 && only !== undefined) return only;
    }
  }
  return undefined;
}

/**
 * Turns anything thrown at the Kalshi boundary into a KalshiError, keeping it as the cause.
 * With `request`, fetch's timeout / abort / network failures become their typed errors.
 */
export function normalizeError(thrown: unknown, request?: RequestRef): KalshiError {
  if (thrown instanceof KalshiError) return thrown;
  const ref = request ?? { method: '?', path: '?' };
  const name = isRecord(thrown) && typeof thrown.name === 'string' ? thrown.name : undefined;
  if (name === 'TimeoutError') return new KalshiTimeoutError(ref, undefined, { cause: thrown });
  if (name === 'AbortError') return new KalshiAbortedError(ref, { cause: thrown });
  if (thrown instanceof TypeError && thrown.message === 'fetch failed') {
    return new KalshiNetworkError(ref, { cause: thrown });
  }
  const err = toError(thrown);
  const where = request ? `${request.method} ${request.path}: ` : '';
  return new KalshiError('KALSHI_BOUNDARY_UNEXPECTED', `${where}unexpected ${err.name}: ${err.message}`, {
    cause: thrown,
  });
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null;
}
