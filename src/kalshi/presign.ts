/**
 * Order-create headers signed ahead, off the event loop.
 *
 * Kalshi signs `timestamp_ms + METHOD + path` and not the body (signer.ts, KALSHI.md §2), so the
 * headers of a request whose path is fixed — order creation, POST /trade-api/v2/portfolio/events/orders
 * — can be made before the order exists. An RSA-2048 PSS signature costs ~0.4–0.7 ms of CPU; made
 * inline it blocks the event loop between the decision and the order's bytes. Made ahead with
 * Node's async `crypto.sign` it runs on libuv's threadpool while the trader waits for the next tick.
 *
 * Rules:
 *  - a pool of at most `poolSize` pre-signed headers per (method, path) in `requests`;
 *  - each pre-signed header is handed out once (taken out of the pool), never reused;
 *  - only while its age (the request's clock minus its timestamp) is within 0..`maxAgeMs`
 *    (default 1000 ms). Kalshi's tolerance for an old timestamp is unpublished ([UNCONFIRMED] in
 *    KALSHI.md; the simulator allows 5 min), so the default is kept short;
 *  - an empty pool or a stale header: the request is signed inline, as without the pool;
 *  - refilled in the background after every request on a pre-signed path (so the next one is
 *    ready), and, only while `setActive(true)` (the trader can trade), by a timer that replaces
 *    headers past half their age — about one signature per maxAgeMs/2 on the threadpool. Idle, no
 *    timer runs and no CPU is spent (headers already made are used while fresh, then dropped);
 *  - `close()` stops the timer and drops the pool; signatures still in flight are discarded.
 * Every other request goes to the wrapped signer unchanged. Nothing here logs or throws key material.
 */
import { type KalshiAuthHeaderName, type Signer, signingPath } from './signer.js';

export interface PresignRequest {
  readonly method: string;
  /** From the host root, with `/trade-api/v2`. */
  readonly path: string;
}

export interface PresignOptions {
  /** The requests whose headers are signed ahead. */
  readonly requests: readonly PresignRequest[];
  /** A pre-signed header is used only while at most this old (ms; default 1000, 0 = never). */
  readonly maxAgeMs?: number;
  /** Headers kept ready per request (default 1, 1..4). */
  readonly poolSize?: number;
  /** Clock of the pre-signed timestamps (default Date.now; the REST client's clock should match). */
  readonly now?: () => number;
}

/** Where the headers of the last request came from, and counts since the start. */
export interface PresignStats {
  /** Requests on a pre-signed path answered from the pool. */
  presigned: number;
  /** Requests on a pre-signed path signed inline (pool empty or its header stale). */
  inline: number;
  /** Pre-signed headers dropped unused because they grew too old. */
  expired: number;
  /** Signatures made ahead (finished). */
  signedAhead: number;
  /** Signing ahead that failed (the request then signs inline). */
  failures: number;
  /** Whether the last request on a pre-signed path used a pre-signed header. */
  lastPresigned: boolean | undefined;
}

type Headers = Record<KalshiAuthHeaderName, string>;

interface Ready {
  readonly atMs: number;
  readonly headers: Headers;
}

interface Pool {
  readonly method: string;
  readonly path: string;
  ready: Ready[];
  inFlight: number;
}

export const DEFAULT_PRESIGN_MAX_AGE_MS = 1_000;

export class PresigningSigner implements Signer {
  readonly keyId: string;
  readonly stats: PresignStats = {
    presigned: 0,
    inline: 0,
    expired: 0,
    signedAhead: 0,
    failures: 0,
    lastPresigned: undefined,
  };
  readonly #inner: Signer & Required<Pick<Signer, 'headersAsync'>>;
  readonly #pools = new Map<string, Pool>();
  readonly #maxAgeMs: number;
  readonly #size: number;
  readonly #now: () => number;
  #timer: ReturnType<typeof setInterval> | undefined;
  #closed = false;
  /** Bumped by close: signatures started before are discarded. */
  #epoch = 0;

  constructor(inner: Signer, options: PresignOptions) {
    if (!inner.headersAsync) throw new TypeError('PresigningSigner: the signer cannot sign asynchronously');
    this.#inner = inner as Signer & Required<Pick<Signer, 'headersAsync'>>;
    this.keyId = inner.keyId;
    const maxAge = options.maxAgeMs ?? DEFAULT_PRESIGN_MAX_AGE_MS;
    if (!Number.isFinite(maxAge) || maxAge < 0)
      throw new RangeError('PresigningSigner: maxAgeMs must be ≥ 0');
    this.#maxAgeMs = maxAge;
    const size = options.poolSize ?? 1;
    if (!Number.isInteger(size) || size < 1 || size > 4)
      throw new RangeError('PresigningSigner: poolSize must be 1..4');
    this.#size = size;
    this.#now = options.now ?? Date.now;
    for (const r of options.requests) {
      const path = signingPath(r.path);
      const method = r.method.toUpperCase();
      this.#pools.set(`${method} ${path}`, { method, path, ready: [], inFlight: 0 });
    }
  }

  /** Whether the refresh timer runs (the trader can trade). */
  get active(): boolean {
    return this.#timer !== undefined;
  }

  /** For the operator's status: settings, whether it runs, headers ready, and the counts. */
  status(): Record<string, unknown> {
    let ready = 0;
    for (const pool of this.#pools.values()) ready += pool.ready.length;
    const { lastPresigned: _, ...counts } = this.stats;
    return {
      presign: this.#closed ? 'closed' : this.active ? 'active' : 'idle',
      max_age_ms: this.#maxAgeMs,
      pool_size: this.#size,
      ready,
      ...counts,
    };
  }

  /** Pre-signed headers ready now for (method, path). */
  readyCount(method: string, path: string): number {
    return this.#pools.get(`${method.toUpperCase()} ${signingPath(path)}`)?.ready.length ?? 0;
  }

  headers(method: string, path: string, nowMs?: number): Headers {
    const pool = this.#pools.get(`${method.toUpperCase()} ${signingPath(path)}`);
    if (!pool || this.#closed || this.#maxAgeMs === 0) return this.#inner.headers(method, path, nowMs);
    const now = nowMs ?? this.#now();
    let found: Ready | undefined;
    while (pool.ready.length > 0) {
      const r = pool.ready.shift() as Ready;
      const age = now - r.atMs;
      if (age >= 0 && age <= this.#maxAgeMs) {
        found = r;
        break;
      }
      this.stats.expired += 1;
    }
    this.stats.lastPresigned = found !== undefined;
    if (found) this.stats.presigned += 1;
    else this.stats.inline += 1;
    const headers = found?.headers ?? this.#inner.headers(method, path, nowMs);
    this.#fill(pool);
    return headers;
  }

  headersAsync(method: string, path: string, nowMs?: number): Promise<Headers> {
    return this.#inner.headersAsync(method, path, nowMs);
  }

  /**
   * While the trader can trade: keep a fresh header ready for every pre-signed request (a timer
   * every maxAgeMs/2). Off: the timer stops; headers already made stay usable until they are too
   * old (a request still refills after use).
   */
  setActive(on: boolean): void {
    if (on && !this.#closed && this.#maxAgeMs > 0) {
      if (this.#timer) return;
      this.#timer = setInterval(() => this.#refresh(), Math.max(10, Math.floor(this.#maxAgeMs / 2)));
      this.#timer.unref?.();
      this.#refresh();
      return;
    }
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Stops the timer and drops the pool for good; later requests are signed inline. */
  close(): void {
    this.setActive(false);
    this.#drop();
    this.#closed = true;
  }

  #drop(): void {
    this.#epoch += 1;
    for (const pool of this.#pools.values()) {
      pool.ready = [];
      pool.inFlight = 0;
    }
  }

  /** Drops headers past half their age (they would expire soon) and fills every pool. */
  #refresh(): void {
    const now = this.#now();
    const keep = this.#maxAgeMs / 2;
    for (const pool of this.#pools.values()) {
      const before = pool.ready.length;
      pool.ready = pool.ready.filter((r) => now - r.atMs >= 0 && now - r.atMs <= keep);
      this.stats.expired += before - pool.ready.length;
      this.#fill(pool);
    }
  }

  #fill(pool: Pool): void {
    if (this.#closed || this.#maxAgeMs === 0) return;
    const epoch = this.#epoch;
    while (pool.ready.length + pool.inFlight < this.#size) {
      pool.inFlight += 1;
      const atMs = Math.trunc(this.#now());
      this.#inner.headersAsync(pool.method, pool.path, atMs).then(
        (headers) => {
          if (epoch !== this.#epoch) return;
          pool.inFlight -= 1;
          this.stats.signedAhead += 1;
          pool.ready.push({ atMs, headers });
          // Oldest first (handed out first); never more than the pool's size, the newest kept.
          pool.ready.sort((a, b) => a.atMs - b.atMs);
          while (pool.ready.length > this.#size) pool.ready.shift();
        },
        () => {
          if (epoch !== this.#epoch) return;
          pool.inFlight -= 1;
          this.stats.failures += 1;
        },
      );
    }
  }
}

/**
 * The order creation the trader sends (OrderEntry → KalshiRestClient.createOrderV2) under
 * `apiPath` (e.g. `/trade-api/v2`). The V1 and batch creates are not used by the trader, so they
 * are not signed ahead (each pool costs a signature per maxAgeMs/2 while trading).
 */
export function orderCreateRequests(apiPath: string): PresignRequest[] {
  return [{ method: 'POST', path: `${apiPath.replace(/\/+$/, '')}/portfolio/events/orders` }];
}
