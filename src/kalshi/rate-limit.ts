/**
 * Kalshi's 2026 token-bucket rate limits (KALSHI.md §3), used both by our REST client (to wait
 * before sending) and by the simulator (to answer 429).
 *
 * Rules modelled here:
 *  - Two independent buckets per key: read (GET) and write (order entry and other mutations).
 *  - Each request costs tokens (endpoint-costs.ts: the documented figures, or the exchange's own
 *    list once adopted with `adoptCosts`).
 *  - Write bucket capacity = 2 s of refill (documented). Read bucket capacity = 1 s of refill
 *    [UNCONFIRMED: Kalshi does not publish it; 1 s is the conservative choice: our client never
 *    bursts above what Kalshi surely allows, and the simulator 429s no later than Kalshi would].
 */
import { setTimeout as sleepTimer } from 'node:timers/promises';
import {
  apiRelativePath,
  type BucketName,
  CostTable,
  type EndpointCosts,
  endpointCost,
} from './endpoint-costs.js';
import { KalshiError } from './errors.js';

export interface BucketSpec {
  readonly refillPerSec: number;
  readonly capacity: number;
}

export interface TierSpec {
  readonly read: BucketSpec;
  readonly write: BucketSpec;
}

/** Seconds of refill the read bucket holds [UNCONFIRMED, see header]. */
export const READ_BUCKET_SECONDS = 1;
/** Seconds of refill the write bucket holds (documented). */
export const WRITE_BUCKET_SECONDS = 2;

function tier(readPerSec: number, writePerSec: number): TierSpec {
  return {
    read: { refillPerSec: readPerSec, capacity: readPerSec * READ_BUCKET_SECONDS },
    write: { refillPerSec: writePerSec, capacity: writePerSec * WRITE_BUCKET_SECONDS },
  };
}

export const RATE_LIMIT_TIERS = {
  basic: tier(200, 100),
  advanced: tier(300, 300),
  premier: tier(1000, 1000),
  paragon: tier(2000, 2000),
  prime: tier(4000, 4000),
} as const satisfies Record<string, TierSpec>;

export type RateLimitTier = keyof typeof RATE_LIMIT_TIERS;
/**
 * A token bucket on an injected millisecond clock. Starts full. Tokens are fractional (refill is
 * continuous); costs are compared exactly. A clock that goes backwards refills nothing.
 */
export class TokenBucket {
  #capacity: number;
  #refillPerSec: number;
  readonly #now: () => number;
  #tokens: number;
  #last: number;

  constructor(opts: { capacity: number; refillPerSec: number; now: () => number; initialTokens?: number }) {
    checkBucket(opts);
    this.#capacity = opts.capacity;
    this.#refillPerSec = opts.refillPerSec;
    this.#now = opts.now;
    this.#tokens = Math.min(opts.capacity, Math.max(0, opts.initialTokens ?? opts.capacity));
    this.#last = opts.now();
  }

  get capacity(): number {
    return this.#capacity;
  }

  get refillPerSec(): number {
    return this.#refillPerSec;
  }

  /**
   * Takes a new size and refill rate (the exchange reported the account's limits). What was
   * refilled at the old rate stays; tokens above the new capacity are dropped; a bigger bucket is
   * not topped up, so the change never lets a burst through that the old budget had not earned.
   */
  resize(spec: BucketSpec): void {
    checkBucket(spec);
    this.#refill();
    this.#capacity = spec.capacity;
    this.#refillPerSec = spec.refillPerSec;
    this.#tokens = Math.min(this.#tokens, spec.capacity);
  }

  /** Tokens available now. */
  get tokens(): number {
    this.#refill();
    return this.#tokens;
  }

  /** Takes `cost` tokens if they are all there; never goes negative. */
  tryTake(cost: number): boolean {
    this.#refill();
    if (cost > this.#tokens) return false;
    this.#tokens -= cost;
    return true;
  }

  /** Milliseconds until `cost` tokens will be there (0 = now; Infinity = never, cost > capacity). */
  msUntil(cost: number): number {
    if (cost > this.capacity) return Number.POSITIVE_INFINITY;
    this.#refill();
    if (cost <= this.#tokens) return 0;
    return Math.ceil(((cost - this.#tokens) * 1000) / this.refillPerSec);
  }

  /** Empties the bucket (e.g. the server answered 429, so our model was too optimistic). */
  drain(): void {
    this.#refill();
    this.#tokens = 0;
  }

  #refill(): void {
    const t = this.#now();
    if (t > this.#last) {
      this.#tokens = Math.min(this.#capacity, this.#tokens + ((t - this.#last) * this.#refillPerSec) / 1000);
      this.#last = t;
    }
  }
}

function checkBucket(spec: BucketSpec): void {
  if (
    !(spec.capacity > 0) ||
    !(spec.refillPerSec > 0) ||
    !Number.isFinite(spec.capacity + spec.refillPerSec)
  ) {
    throw new RangeError(
      `TokenBucket needs finite capacity > 0 and refillPerSec > 0 (got ${spec.capacity}, ${spec.refillPerSec})`,
    );
  }
}

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface RateLimiterOptions {
  tier?: RateLimitTier;
  /** Override the tier's buckets (e.g. from GET /account/limits). */
  buckets?: TierSpec;
  now?: () => number;
  sleep?: Sleep;
}

/** Real sleep that rejects with the signal's reason when aborted. */
export const realSleep: Sleep = (ms, signal) =>
  sleepTimer(ms, undefined, signal ? { signal } : undefined).then(() => undefined);

/**
 * Read and write buckets for one API key. `acquire` waits (FIFO per bucket) until the request's
 * tokens are there; `tryAcquire` takes them now or refuses (and refuses while others are queued).
 */
export class RateLimiter {
  /** The tier's name: one of ours, or what the exchange called it (`adopt`). */
  #tier: string;
  readonly read: TokenBucket;
  readonly write: TokenBucket;
  readonly #sleep: Sleep;
  readonly #tails: Record<BucketName, Promise<void>> = { read: Promise.resolve(), write: Promise.resolve() };
  readonly #waiting: Record<BucketName, number> = { read: 0, write: 0 };
  /** The exchange's costs once adopted; the documented ones until then. */
  #costs: CostTable | undefined;

  constructor(options: RateLimiterOptions = {}) {
    const tier = options.tier ?? 'basic';
    this.#tier = tier;
    const spec = options.buckets ?? RATE_LIMIT_TIERS[tier];
    if (spec === undefined) throw new RangeError(`unknown rate-limit tier ${String(options.tier)}`);
    const now = options.now ?? Date.now;
    this.read = new TokenBucket({ ...spec.read, now });
    this.write = new TokenBucket({ ...spec.write, now });
    this.#sleep = options.sleep ?? realSleep;
  }

  get tier(): string {
    return this.#tier;
  }

  /** Both buckets take the limits the exchange reported for the account (TokenBucket.resize). */
  adopt(tier: string, spec: TierSpec): void {
    checkBucket(spec.read);
    checkBucket(spec.write);
    this.read.resize(spec.read);
    this.write.resize(spec.write);
    this.#tier = tier;
  }

  /**
   * Costs requests by the exchange's list (GET /account/endpoint_costs) from now on. Throws a
   * RangeError naming the entry when the list cannot be used; the costs in force are kept then.
   */
  adoptCosts(costs: EndpointCosts | CostTable): void {
    this.#costs = costs instanceof CostTable ? costs : new CostTable(costs);
  }

  /** The exchange's costs in force, or undefined while the documented ones are. */
  get costs(): CostTable | undefined {
    return this.#costs;
  }

  /** What a request costs and from which bucket, by the costs in force. */
  cost(method: string, path: string, items?: number): { bucket: BucketName; cost: number } {
    return this.#costs === undefined
      ? endpointCost(method, path, items)
      : this.#costs.costOf(method, path, items);
  }

  bucket(name: BucketName): TokenBucket {
    return name === 'read' ? this.read : this.write;
  }

  /** Takes the request's tokens now if possible. */
  tryAcquire(method: string, path: string, items?: number): boolean {
    const { bucket, cost } = this.cost(method, path, items);
    if (this.#waiting[bucket] > 0) return false;
    return this.bucket(bucket).tryTake(cost);
  }

  /** Milliseconds until the request could go (ignores queued waiters). */
  msUntil(method: string, path: string, items?: number): number {
    const { bucket, cost } = this.cost(method, path, items);
    return this.bucket(bucket).msUntil(cost);
  }

  /**
   * Waits until the request's tokens are there and takes them. Waiters on one bucket go in FIFO
   * order. Rejects with KALSHI_RATE_LIMIT_OVER_CAPACITY when the cost can never fit, and with
   * KALSHI_HTTP_ABORTED when `signal` fires (nothing is taken then).
   */
  async acquire(method: string, path: string, items?: number, signal?: AbortSignal): Promise<void> {
    const { bucket: name, cost } = this.cost(method, path, items);
    const bucket = this.bucket(name);
    const ref = `${method.toUpperCase()} ${apiRelativePath(path)}`;
    if (cost > bucket.capacity) {
      throw new KalshiError(
        'KALSHI_RATE_LIMIT_OVER_CAPACITY',
        `${ref} costs ${cost} tokens but the ${this.tier} ${name} bucket holds ${bucket.capacity}; split the batch`,
      );
    }
    throwIfAborted(signal, ref);
    const previous = this.#tails[name];
    let release: () => void = () => {};
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.#tails[name] = previous.then(() => mine);
    this.#waiting[name]++;
    try {
      await abortable(previous, signal, ref);
      for (;;) {
        throwIfAborted(signal, ref);
        const wait = bucket.msUntil(cost);
        if (wait === 0 && bucket.tryTake(cost)) return;
        try {
          await this.#sleep(Math.max(1, wait), signal);
        } catch (cause) {
          throwIfAborted(signal, ref, cause);
          throw cause;
        }
      }
    } finally {
      this.#waiting[name]--;
      release();
    }
  }

  /** The server said 429: our model was optimistic, so empty the bucket the request drew from. */
  onRateLimited(method: string, path: string): void {
    this.bucket(this.cost(method, path).bucket).drain();
  }
}

function throwIfAborted(signal: AbortSignal | undefined, ref: string, cause?: unknown): void {
  if (signal?.aborted) {
    throw new KalshiError('KALSHI_HTTP_ABORTED', `${ref}: aborted while waiting for rate-limit tokens`, {
      cause: cause ?? signal.reason,
    });
  }
}

function abortable(p: Promise<void>, signal: AbortSignal | undefined, ref: string): Promise<void> {
  if (!signal) return p;
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      try {
        throwIfAborted(signal, ref);
      } catch (e) {
        reject(e);
      }
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
