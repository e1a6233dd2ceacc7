/**
 * The REST client's request engine (see rest.ts for the contract): the base URL, signing, local
 * pacing, timeouts, retries of reads, and the classification of every answer or failure. The
 * client (rest.ts) holds one and says only which endpoint, query, body and body shape.
 */
import {
  KalshiAbortedError,
  KalshiError,
  KalshiHttpError,
  KalshiNetworkError,
  KalshiTimeoutError,
  normalizeError,
  type RequestRef,
  systemErrorCode,
} from './errors.js';
import { type HttpRequest, type HttpTransport, undiciTransport } from './http-transport.js';
import { RateLimiter, realSleep, type Sleep } from './rate-limit.js';
import {
  DEFAULT_RETRY,
  DEFAULT_TIMEOUT_MS,
  type KalshiRestClientOptions,
  type Query,
  type RequestOptions,
  type RetryPolicy,
  type WriteResult,
} from './rest-types.js';
import type { Signer } from './signer.js';

/** Connection-level failures that prove the request never left this machine. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL']);

type Attempt =
  | { kind: 'response'; status: number; text: string; retryAfterMs: number | undefined }
  | { kind: 'failure'; error: KalshiError; sent: boolean };

export type Validate = (body: unknown) => string | undefined;

export class RestEngine {
  readonly baseUrl: string;
  readonly #origin: string;
  readonly #prefix: string;
  readonly #signer: Signer | undefined;
  readonly #timeoutMs: number;
  readonly #limiter: RateLimiter | undefined;
  readonly #retry: RetryPolicy;
  readonly #transport: HttpTransport;
  #closed = false;
  readonly #now: () => number;
  readonly #sleep: Sleep;
  readonly #random: () => number;

  constructor(options: KalshiRestClientOptions) {
    const url = new URL(options.baseUrl);
    if (url.search || url.hash)
      throw new TypeError('KalshiRestClient baseUrl must not carry a query or fragment');
    this.#origin = url.origin;
    this.#prefix = url.pathname.replace(/\/+$/, '');
    this.baseUrl = this.#origin + this.#prefix;
    this.#signer = options.signer;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep ?? realSleep;
    this.#random = options.random ?? Math.random;
    this.#limiter =
      options.rateLimiter === false
        ? undefined
        : (options.rateLimiter ?? new RateLimiter({ now: this.#now, sleep: this.#sleep }));
    this.#retry = { ...DEFAULT_RETRY, ...options.retry };
    if (!(this.#retry.maxAttempts >= 1)) throw new RangeError('retry.maxAttempts must be at least 1');
    this.#transport = options.transport ?? undiciTransport();
  }

  /**
   * Closes the connection pool once requests in flight have finished. Later requests fail as
   * not sent (KALSHI_HTTP_NETWORK): nothing leaves a closed client.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#transport.close();
  }

  /** A read: retried on 429, 5xx, timeouts and network errors; throws a KalshiError when it finally fails. */
  async get<T>(
    path: string,
    query: Query | undefined,
    opts: RequestOptions | undefined,
    validate: Validate,
  ): Promise<T> {
    const ref: RequestRef = { method: 'GET', path: this.#prefix + path };
    const signal = opts?.signal;
    const maxAttempts = Math.max(1, opts?.maxAttempts ?? this.#retry.maxAttempts);
    for (let attempt = 1; ; attempt++) {
      if (this.#limiter) {
        try {
          await this.#limiter.acquire('GET', ref.path, undefined, signal);
        } catch (e) {
          throw normalizeError(e, ref);
        }
      }
      const r = await this.#attempt(ref, query, undefined, signal);
      let error: KalshiError;
      let retryable: boolean;
      let retryAfterMs: number | undefined;
      if (r.kind === 'response') {
        if (r.status >= 200 && r.status < 300) {
          const body = parseJson(r.text);
          const problem = body.ok ? validate(body.value) : 'body is not JSON';
          if (body.ok && problem === undefined) return body.value as T;
          throw new KalshiError(
            'KALSHI_WIRE_BAD_MESSAGE',
            `GET ${ref.path} answered ${r.status} but ${problem}`,
          );
        }
        error = httpError(ref, r);
        if (r.status === 429) this.#limiter?.onRateLimited('GET', ref.path);
        retryable = r.status === 429 || r.status >= 500;
        retryAfterMs = r.retryAfterMs;
      } else {
        error = r.error;
        retryable = !(error instanceof KalshiAbortedError);
      }
      if (!retryable || attempt >= maxAttempts) throw error;
      try {
        await this.#sleep(this.#backoff(attempt, retryAfterMs), signal);
      } catch (cause) {
        throw new KalshiAbortedError(ref, { cause: signal?.reason ?? cause });
      }
      if (signal?.aborted) throw new KalshiAbortedError(ref, { cause: signal.reason });
    }
  }

  /** A write: never retried; its outcome says whether it was carried out (see WriteResult). */
  async write<T>(
    method: 'POST' | 'PUT' | 'DELETE',
    path: string,
    query: Query | undefined,
    body: unknown,
    items: number,
    opts: RequestOptions | undefined,
    validate: Validate | 'empty',
  ): Promise<WriteResult<T>> {
    const ref: RequestRef = { method, path: this.#prefix + path };
    const signal = opts?.signal;
    if (this.#limiter) {
      try {
        await this.#limiter.acquire(method, ref.path, items, signal);
      } catch (e) {
        return { outcome: 'not_sent', error: normalizeError(e, ref) };
      }
    }
    if (signal?.aborted)
      return { outcome: 'not_sent', error: new KalshiAbortedError(ref, { cause: signal.reason }) };
    const r = await this.#attempt(ref, query, body, signal);
    if (r.kind === 'failure') return { outcome: r.sent ? 'unknown' : 'not_sent', error: r.error };
    if (r.status >= 200 && r.status < 300) {
      if (validate === 'empty') return { outcome: 'accepted', value: undefined as T, status: r.status };
      const parsed = parseJson(r.text);
      const problem = parsed.ok ? validate(parsed.value) : 'body is not JSON';
      if (parsed.ok && problem === undefined) {
        return { outcome: 'accepted', value: parsed.value as T, status: r.status };
      }
      return {
        outcome: 'unknown',
        error: new KalshiError(
          'KALSHI_WIRE_BAD_MESSAGE',
          `${method} ${ref.path} answered ${r.status} but ${problem}; outcome unknown`,
        ),
      };
    }
    const error = httpError(ref, r);
    if (r.status >= 400 && r.status < 500) {
      // 429 included: Kalshi refuses before processing, so the request was not carried out.
      if (r.status === 429) this.#limiter?.onRateLimited(method, ref.path);
      return { outcome: 'rejected', error };
    }
    return { outcome: 'unknown', error };
  }

  /** One HTTP exchange. Never throws: failures are classified, with whether the request may have left. */
  async #attempt(
    ref: RequestRef,
    query: Query | undefined,
    body: unknown,
    callerSignal: AbortSignal | undefined,
  ): Promise<Attempt> {
    if (this.#closed) {
      const cause = new Error('the REST client is closed');
      return { kind: 'failure', error: new KalshiNetworkError(ref, { cause }), sent: false };
    }
    const url = this.#origin + ref.path + buildQuery(query);
    const headers: Record<string, string> = { accept: 'application/json' };
    let payload: string | undefined;
    try {
      if (body !== undefined) {
        payload = JSON.stringify(body);
        headers['content-type'] = 'application/json';
      }
      if (this.#signer) Object.assign(headers, this.#signer.headers(ref.method, ref.path, this.#now()));
    } catch (e) {
      return { kind: 'failure', error: normalizeError(e, ref), sent: false };
    }
    const timeoutSignal = AbortSignal.timeout(this.#timeoutMs);
    const signal = callerSignal ? AbortSignal.any([timeoutSignal, callerSignal]) : timeoutSignal;
    try {
      const res = await this.#transport.send({
        method: ref.method as HttpRequest['method'],
        url,
        headers,
        body: payload,
        signal,
      });
      return {
        kind: 'response',
        status: res.status,
        text: res.text,
        retryAfterMs: parseRetryAfter(res.retryAfter),
      };
    } catch (e) {
      if (callerSignal?.aborted) {
        return { kind: 'failure', error: new KalshiAbortedError(ref, { cause: e }), sent: true };
      }
      if (timeoutSignal.aborted) {
        return {
          kind: 'failure',
          error: new KalshiTimeoutError(ref, this.#timeoutMs, { cause: e }),
          sent: true,
        };
      }
      const code = systemErrorCode(e);
      const error = e instanceof KalshiError ? e : new KalshiNetworkError(ref, { cause: e });
      return { kind: 'failure', error, sent: !(code !== undefined && NOT_SENT_CODES.has(code)) };
    }
  }

  #backoff(attempt: number, retryAfterMs: number | undefined): number {
    const { baseDelayMs, maxDelayMs } = this.#retry;
    const exp = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
    const jittered = exp / 2 + (this.#random() * exp) / 2;
    const floor = retryAfterMs === undefined ? 0 : Math.min(retryAfterMs, maxDelayMs);
    return Math.round(Math.max(jittered, floor));
  }
}

/** Query string from a filter object: undefined / null skipped, lists comma-joined, in key order. */
export function buildQuery(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) {
      if (value.length > 0) params.append(key, value.join(','));
    } else {
      params.append(key, String(value));
    }
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** A path segment (an id or ticker), encoded; an empty one is refused. */
export function seg(id: string): string {
  if (typeof id !== 'string' || id === '') throw new TypeError('path parameter must be a non-empty string');
  return encodeURIComponent(id);
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text.trim() === '') return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

function httpError(
  ref: RequestRef,
  r: { status: number; text: string; retryAfterMs: number | undefined },
): KalshiHttpError {
  const parsed = parseJson(r.text);
  const body = parsed.ok ? parsed.value : r.text === '' ? undefined : r.text.slice(0, 500);
  return new KalshiHttpError(
    ref,
    r.status,
    body,
    r.retryAfterMs === undefined ? undefined : { retryAfterMs: r.retryAfterMs },
  );
}

function parseRetryAfter(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  return undefined;
}

/** A shallow shape check of a response body: enough to fail loudly on the wrong endpoint or shape. */
export function fields(spec: {
  array?: string[];
  object?: string[];
  string?: string[];
  number?: string[];
  boolean?: string[];
}): Validate {
  return (body) => {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'body is not a JSON object';
    const rec = body as Record<string, unknown>;
    for (const k of spec.array ?? []) if (!Array.isArray(rec[k])) return `"${k}" is not an array`;
    for (const k of spec.object ?? []) {
      const v = rec[k];
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return `"${k}" is not an object`;
    }
    for (const k of spec.string ?? []) if (typeof rec[k] !== 'string') return `"${k}" is not a string`;
    for (const k of spec.number ?? []) if (typeof rec[k] !== 'number') return `"${k}" is not a number`;
    for (const k of spec.boolean ?? []) if (typeof rec[k] !== 'boolean') return `"${k}" is not a boolean`;
    return undefined;
  };
}
