/**
 * A small JSON-over-HTTP getter for forecast services: a required User-Agent, a per-request
 * timeout, retries with exponential backoff, and a per-URL cache.
 *
 * RETRIES. Network failures, timeouts, 5xx and 429 are retried: attempt k (k = 1, 2, …) waits
 * min(backoffMaxMs, backoffBaseMs × 2^(k−1)) first (defaults 500 ms, 8 s; 3 retries). Any other 4xx
 * fails at once (FORECAST_HTTP_STATUS, with the problem+json title/detail when the body has one).
 * A 200 whose body is not JSON (an HTML error page) is FORECAST_BAD_RESPONSE and is not retried.
 * CACHE. A successful body is kept for `ttlMs` per URL (default 30 s; the caller may pass a longer
 * one, e.g. for /points); concurrent requests for one URL share one fetch. Errors are not cached.
 * SEAMS. fetch, the clock and sleep are injected (defaults: global fetch, Date.now, setTimeout).
 */
import { ForecastError, show } from './errors.js';

export type FetchLike = (
  url: string,
  init: { headers: Record<string, string>; signal: AbortSignal },
) => Promise<{
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}>;

export interface JsonHttpOptions {
  /** Sent on every request; NWS requires one that identifies the app and a contact. */
  readonly userAgent: string;
  readonly accept?: string;
  readonly timeoutMs?: number;
  readonly retries?: number;
  readonly backoffBaseMs?: number;
  readonly backoffMaxMs?: number;
  readonly ttlMs?: number;
  readonly fetch?: FetchLike;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface JsonResponse {
  readonly url: string;
  readonly body: unknown;
  /** Our clock when the body arrived (the cached value's, on a cache hit). */
  readonly fetchedMs: number;
}

export const DEFAULT_HTTP = Object.freeze({
  accept: 'application/geo+json',
  timeoutMs: 10_000,
  retries: 3,
  backoffBaseMs: 500,
  backoffMaxMs: 8_000,
  ttlMs: 30_000,
});

class Retryable extends Error {
  constructor(readonly error: ForecastError) {
    super(error.message);
  }
}

export class JsonHttpClient {
  private readonly cache = new Map<string, { expiresMs: number; response: JsonResponse }>();
  private readonly inFlight = new Map<string, Promise<JsonResponse>>();
  private readonly opts: Required<Omit<JsonHttpOptions, 'fetch' | 'now' | 'sleep'>>;
  private readonly fetchImpl: FetchLike;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: JsonHttpOptions) {
    if (typeof options.userAgent !== 'string' || options.userAgent.trim().length === 0) {
      throw new ForecastError(
        'FORECAST_BAD_INPUT',
        'userAgent',
        'a User-Agent naming the app and a contact is required',
      );
    }
    this.opts = { ...DEFAULT_HTTP, ...stripUndefined(options) } as Required<
      Omit<JsonHttpOptions, 'fetch' | 'now' | 'sleep'>
    >;
    this.fetchImpl = options.fetch ?? (globalThis.fetch as unknown as FetchLike);
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** GET `url` as JSON, from the cache when fresh. */
  getJson(url: string, ttlMs: number = this.opts.ttlMs): Promise<JsonResponse> {
    const hit = this.cache.get(url);
    if (hit && hit.expiresMs > this.now()) return Promise.resolve(hit.response);
    const pending = this.inFlight.get(url);
    if (pending) return pending;
    const p = this.fetchWithRetries(url)
      .then((response) => {
        this.cache.set(url, { expiresMs: response.fetchedMs + ttlMs, response });
        return response;
      })
      .finally(() => this.inFlight.delete(url));
    this.inFlight.set(url, p);
    return p;
  }

  /** Drops every cached body. */
  clear(): void {
    this.cache.clear();
  }

  private async fetchWithRetries(url: string): Promise<JsonResponse> {
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0)
        await this.sleep(Math.min(this.opts.backoffMaxMs, this.opts.backoffBaseMs * 2 ** (attempt - 1)));
      try {
        return await this.fetchOnce(url);
      } catch (e) {
        if (!(e instanceof Retryable)) throw e;
        if (attempt >= this.opts.retries) throw e.error;
      }
    }
  }

  private async fetchOnce(url: string): Promise<JsonResponse> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.opts.timeoutMs);
    let status: number;
    let contentType: string | null;
    let text: string;
    try {
      const res = await this.fetchImpl(url, {
        headers: { 'User-Agent': this.opts.userAgent, Accept: this.opts.accept },
        signal: controller.signal,
      });
      status = res.status;
      contentType = res.headers.get('content-type');
      text = await res.text();
    } catch (e) {
      if (controller.signal.aborted) {
        throw new Retryable(
          new ForecastError('FORECAST_TIMEOUT', url, `no answer within ${this.opts.timeoutMs} ms`, {
            cause: e,
          }),
        );
      }
      throw new Retryable(
        new ForecastError('FORECAST_NETWORK', url, `request failed: ${(e as Error).message}`, { cause: e }),
      );
    } finally {
      clearTimeout(timer);
    }
    if (status >= 400) {
      const err = new ForecastError('FORECAST_HTTP_STATUS', url, `HTTP ${status}${problemDetail(text)}`, {
        status,
      });
      if (status >= 500 || status === 429) throw new Retryable(err);
      throw err;
    }
    try {
      return { url, body: JSON.parse(text), fetchedMs: this.now() };
    } catch (e) {
      throw new ForecastError(
        'FORECAST_BAD_RESPONSE',
        url,
        `body is not JSON (HTTP ${status}, content-type ${show(contentType)}, starts ${show(text.slice(0, 30))})`,
        { cause: e },
      );
    }
  }
}

/** ": title — detail" from an RFC 7807 problem+json body, or "". */
function problemDetail(text: string): string {
  try {
    const p = JSON.parse(text) as { title?: unknown; detail?: unknown };
    const parts = [p.title, p.detail].filter((x): x is string => typeof x === 'string' && x.length > 0);
    return parts.length > 0 ? `: ${parts.join(' — ').slice(0, 200)}` : '';
  } catch {
    return '';
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
