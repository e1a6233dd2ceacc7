import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { apiRelativePath, endpointCost } from '../../src/kalshi/endpoint-costs.js';
import { KalshiError } from '../../src/kalshi/errors.js';
import { RATE_LIMIT_TIERS, RateLimiter, TokenBucket } from '../../src/kalshi/rate-limit.js';

/** A fake millisecond clock whose sleep advances time. */
function fakeTime(start = 1_000_000) {
  let t = start;
  const sleeps: number[] = [];
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
    sleeps,
    sleep: async (ms: number, signal?: AbortSignal) => {
      if (signal?.aborted) throw signal.reason;
      sleeps.push(ms);
      t += ms;
      await Promise.resolve();
    },
  };
}

describe('tiers', () => {
  it('follow the 2026 token-bucket table, write bucket holding 2 s and read bucket 1 s of refill', () => {
    expect(RATE_LIMIT_TIERS.basic).toEqual({
      read: { refillPerSec: 200, capacity: 200 },
      write: { refillPerSec: 100, capacity: 200 },
    });
    expect(RATE_LIMIT_TIERS.advanced.write).toEqual({ refillPerSec: 300, capacity: 600 });
    expect(RATE_LIMIT_TIERS.premier.read.refillPerSec).toBe(1000);
    expect(RATE_LIMIT_TIERS.paragon.read.refillPerSec).toBe(2000);
    expect(RATE_LIMIT_TIERS.prime.write).toEqual({ refillPerSec: 4000, capacity: 8000 });
  });
});

describe('endpoint costs', () => {
  it('charges reads 10 from the read bucket, with or without the API prefix and query', () => {
    expect(endpointCost('GET', '/markets')).toEqual({ bucket: 'read', cost: 10 });
    expect(endpointCost('get', '/trade-api/v2/portfolio/orders?limit=5')).toEqual({
      bucket: 'read',
      cost: 10,
    });
  });

  it('charges V2 order entry from the write bucket: create 10, cancel 2, batch 10 / 2 per item', () => {
    expect(endpointCost('POST', '/trade-api/v2/portfolio/events/orders')).toEqual({
      bucket: 'write',
      cost: 10,
    });
    expect(endpointCost('DELETE', '/portfolio/events/orders/abc-123')).toEqual({ bucket: 'write', cost: 2 });
    expect(endpointCost('POST', '/portfolio/events/orders/batched', 7)).toEqual({
      bucket: 'write',
      cost: 70,
    });
    expect(endpointCost('DELETE', '/portfolio/events/orders/batched', 7)).toEqual({
      bucket: 'write',
      cost: 14,
    });
    expect(endpointCost('POST', '/portfolio/events/orders/abc/amend')).toEqual({ bucket: 'write', cost: 10 });
    expect(endpointCost('POST', '/portfolio/events/orders/abc/decrease')).toEqual({
      bucket: 'write',
      cost: 10,
    });
    expect(endpointCost('DELETE', '/portfolio/events/orders')).toEqual({ bucket: 'write', cost: 10 });
  });

  it('charges legacy v1 order entry ten times the V2 price', () => {
    expect(endpointCost('POST', '/portfolio/orders')).toEqual({ bucket: 'write', cost: 100 });
    expect(endpointCost('DELETE', '/trade-api/v2/portfolio/orders/abc')).toEqual({
      bucket: 'write',
      cost: 20,
    });
    expect(endpointCost('POST', '/portfolio/orders/batched', 2)).toEqual({ bucket: 'write', cost: 200 });
    expect(endpointCost('DELETE', '/portfolio/orders/batched', 3)).toEqual({ bucket: 'write', cost: 60 });
    expect(endpointCost('POST', '/portfolio/orders/abc/amend')).toEqual({ bucket: 'write', cost: 100 });
    // Reading orders stays a plain read.
    expect(endpointCost('GET', '/portfolio/orders/abc')).toEqual({ bucket: 'read', cost: 10 });
  });

  it('charges other writes the default 10 and counts a batch of fewer than one item as one', () => {
    expect(endpointCost('POST', '/portfolio/order_groups/create')).toEqual({ bucket: 'write', cost: 10 });
    expect(endpointCost('PUT', '/portfolio/order_groups/g/reset')).toEqual({ bucket: 'write', cost: 10 });
    expect(endpointCost('POST', '/portfolio/events/orders/batched', 0)).toEqual({
      bucket: 'write',
      cost: 10,
    });
  });

  it('normalizes paths', () => {
    expect(apiRelativePath('/trade-api/v2/markets/?x=1')).toBe('/markets');
    expect(apiRelativePath('/trade-api/v2')).toBe('/');
    expect(apiRelativePath('/markets#frag')).toBe('/markets');
  });
});

describe('TokenBucket', () => {
  it('starts full, takes while it can, and refills continuously', () => {
    const clock = fakeTime();
    const b = new TokenBucket({ capacity: 200, refillPerSec: 100, now: clock.now });
    for (let i = 0; i < 20; i++) expect(b.tryTake(10)).toBe(true);
    expect(b.tryTake(10)).toBe(false);
    expect(b.msUntil(10)).toBe(100);
    clock.advance(99);
    expect(b.tryTake(10)).toBe(false);
    clock.advance(1);
    expect(b.tryTake(10)).toBe(true);
  });

  it('never fills beyond capacity', () => {
    const clock = fakeTime();
    const b = new TokenBucket({ capacity: 50, refillPerSec: 100, now: clock.now, initialTokens: 0 });
    clock.advance(60_000);
    expect(b.tokens).toBe(50);
    expect(b.tryTake(51)).toBe(false);
    expect(b.msUntil(51)).toBe(Number.POSITIVE_INFINITY);
  });

  it('refills nothing when the clock goes backwards', () => {
    const clock = fakeTime();
    const b = new TokenBucket({ capacity: 10, refillPerSec: 10, now: clock.now });
    expect(b.tryTake(10)).toBe(true);
    clock.advance(-5_000);
    expect(b.tokens).toBe(0);
    clock.advance(5_100);
    expect(b.tokens).toBeCloseTo(1, 9);
  });

  it('can be drained after a server 429', () => {
    const clock = fakeTime();
    const b = new TokenBucket({ capacity: 10, refillPerSec: 10, now: clock.now });
    b.drain();
    expect(b.tryTake(1)).toBe(false);
  });

  it('resizes to new limits without topping up: kept tokens, new refill, clamped to the new size', () => {
    const clock = fakeTime();
    const b = new TokenBucket({ capacity: 200, refillPerSec: 200, now: clock.now });
    for (let i = 0; i < 15; i++) expect(b.tryTake(10)).toBe(true); // 50 left
    b.resize({ capacity: 3_000, refillPerSec: 3_000 });
    expect(b.capacity).toBe(3_000);
    expect(b.refillPerSec).toBe(3_000);
    expect(b.tokens).toBe(50);
    clock.advance(10);
    expect(b.tokens).toBeCloseTo(80, 9);
    b.resize({ capacity: 20, refillPerSec: 10 });
    expect(b.tokens).toBe(20);
    expect(b.msUntil(30)).toBe(Number.POSITIVE_INFINITY);
    expect(() => b.resize({ capacity: 0, refillPerSec: 10 })).toThrow(/capacity > 0/);
    expect(() => b.resize({ capacity: 10, refillPerSec: Number.NaN })).toThrow(/refillPerSec > 0/);
    expect(b.capacity).toBe(20);
  });

  it('never spends more in any window than capacity + refill × window (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 500 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 1, max: 60 })), {
          maxLength: 200,
        }),
        (capacity, refillPerSec, steps) => {
          const clock = fakeTime(0);
          const bucket = new TokenBucket({ capacity, refillPerSec, now: clock.now });
          const spent: Array<{ t: number; cost: number }> = [];
          for (const [dt, cost] of steps) {
            clock.advance(dt);
            if (bucket.tryTake(cost)) spent.push({ t: clock.now(), cost });
          }
          for (let i = 0; i < spent.length; i++) {
            let sum = 0;
            for (let j = i; j < spent.length; j++) {
              sum += spent[j]?.cost ?? 0;
              const window = (spent[j]?.t ?? 0) - (spent[i]?.t ?? 0);
              expect(sum).toBeLessThanOrEqual(capacity + (refillPerSec * window) / 1000 + 1e-6);
            }
          }
        },
      ),
    );
  });
});

describe('RateLimiter', () => {
  it('tryAcquire draws from the right bucket', () => {
    const clock = fakeTime();
    const rl = new RateLimiter({ now: clock.now, sleep: clock.sleep });
    for (let i = 0; i < 20; i++) expect(rl.tryAcquire('POST', '/portfolio/events/orders')).toBe(true);
    expect(rl.tryAcquire('POST', '/portfolio/events/orders')).toBe(false);
    // Cancels are cheaper but the bucket is empty too.
    expect(rl.tryAcquire('DELETE', '/portfolio/events/orders/x')).toBe(false);
    // Reads are a separate bucket.
    expect(rl.tryAcquire('GET', '/markets')).toBe(true);
  });

  it('acquire waits on the injected clock until the tokens are there', async () => {
    const clock = fakeTime();
    const rl = new RateLimiter({ tier: 'basic', now: clock.now, sleep: clock.sleep });
    const start = clock.now();
    for (let i = 0; i < 25; i++) await rl.acquire('POST', '/trade-api/v2/portfolio/events/orders');
    // 20 from the full bucket, then 5 more at 100 ms each on a 100 tokens/s refill.
    expect(clock.now() - start).toBe(500);
    expect(clock.sleeps.every((ms) => ms > 0)).toBe(true);
  });

  it('serves waiters on one bucket in FIFO order and refuses tryAcquire while they wait', async () => {
    const clock = fakeTime();
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    // A sleep that blocks until released, so waiters pile up.
    const rl = new RateLimiter({
      now: clock.now,
      sleep: async (ms) => {
        await gate;
        clock.advance(ms);
      },
    });
    for (let i = 0; i < 20; i++) expect(rl.tryAcquire('POST', '/portfolio/events/orders')).toBe(true);
    const order: number[] = [];
    const waits = [0, 1, 2].map((i) =>
      rl.acquire('POST', '/portfolio/events/orders').then(() => order.push(i)),
    );
    await Promise.resolve();
    clock.advance(10_000);
    expect(rl.tryAcquire('POST', '/portfolio/events/orders')).toBe(false);
    release();
    await Promise.all(waits);
    expect(order).toEqual([0, 1, 2]);
  });

  it('rejects a request that can never fit with KALSHI_RATE_LIMIT_OVER_CAPACITY', async () => {
    const clock = fakeTime();
    const rl = new RateLimiter({ now: clock.now, sleep: clock.sleep });
    await expect(rl.acquire('POST', '/portfolio/events/orders/batched', 21)).rejects.toMatchObject({
      code: 'KALSHI_RATE_LIMIT_OVER_CAPACITY',
    });
    await expect(rl.acquire('POST', '/portfolio/events/orders/batched', 20)).resolves.toBeUndefined();
  });

  it('stops waiting when the signal aborts, taking nothing', async () => {
    const clock = fakeTime();
    const rl = new RateLimiter({ now: clock.now, sleep: clock.sleep });
    for (let i = 0; i < 20; i++) rl.tryAcquire('POST', '/portfolio/events/orders');
    const ac = new AbortController();
    ac.abort(new Error('shutting down'));
    const err = await rl.acquire('POST', '/portfolio/events/orders', 1, ac.signal).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KalshiError);
    expect((err as KalshiError).code).toBe('KALSHI_HTTP_ABORTED');
    expect((err as KalshiError).cause).toBeInstanceOf(Error);
  });

  it('adopts the limits the exchange reports for both buckets and names their tier', async () => {
    const clock = fakeTime();
    const rl = new RateLimiter({ now: clock.now, sleep: clock.sleep });
    expect(rl.tier).toBe('basic');
    for (let i = 0; i < 20; i++) await rl.acquire('GET', '/markets');
    rl.adopt('expert', {
      read: { refillPerSec: 600, capacity: 600 },
      write: { refillPerSec: 600, capacity: 1_200 },
    });
    expect(rl.tier).toBe('expert');
    expect([rl.read.capacity, rl.read.refillPerSec, rl.write.capacity]).toEqual([600, 600, 1_200]);
    // The read bucket was empty: the next read waits 1/60 s at the new rate, not 1/20 s.
    const start = clock.now();
    await rl.acquire('GET', '/markets');
    expect(clock.now() - start).toBe(17);
    // A malformed spec changes nothing.
    expect(() =>
      rl.adopt('broken', {
        read: { refillPerSec: 10, capacity: 10 },
        write: { refillPerSec: -1, capacity: 10 },
      }),
    ).toThrow(RangeError);
    expect(rl.tier).toBe('expert');
    expect(rl.read.capacity).toBe(600);
  });

  it('drains the bucket on a server 429', () => {
    const clock = fakeTime();
    const rl = new RateLimiter({ now: clock.now, sleep: clock.sleep });
    rl.onRateLimited('GET', '/markets');
    expect(rl.tryAcquire('GET', '/markets')).toBe(false);
    expect(rl.tryAcquire('POST', '/portfolio/events/orders')).toBe(true);
  });

  it('over any request sequence, spends no more than capacity + refill × window per bucket (property)', async () => {
    const paths: Array<[string, string, number | undefined]> = [
      ['GET', '/markets', undefined],
      ['POST', '/portfolio/events/orders', undefined],
      ['DELETE', '/portfolio/events/orders/x', undefined],
      ['POST', '/portfolio/events/orders/batched', 5],
      ['DELETE', '/portfolio/events/orders/batched', 9],
      ['POST', '/portfolio/orders', undefined],
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            gap: fc.integer({ min: 0, max: 300 }),
            which: fc.integer({ min: 0, max: paths.length - 1 }),
            wait: fc.boolean(),
          }),
          { maxLength: 80 },
        ),
        async (steps) => {
          const clock = fakeTime(0);
          const rl = new RateLimiter({ now: clock.now, sleep: clock.sleep });
          const spent: Record<'read' | 'write', Array<{ t: number; cost: number }>> = { read: [], write: [] };
          for (const { gap, which, wait } of steps) {
            clock.advance(gap);
            const [m, p, items] = paths[which] ?? ['GET', '/markets', undefined];
            const { bucket, cost } = endpointCost(m, p, items);
            if (wait) {
              await rl.acquire(m, p, items);
              spent[bucket].push({ t: clock.now(), cost });
            } else if (rl.tryAcquire(m, p, items)) {
              spent[bucket].push({ t: clock.now(), cost });
            }
          }
          for (const name of ['read', 'write'] as const) {
            const { capacity, refillPerSec } = RATE_LIMIT_TIERS.basic[name];
            const xs = spent[name];
            for (let i = 0; i < xs.length; i++) {
              let sum = 0;
              for (let j = i; j < xs.length; j++) {
                sum += xs[j]?.cost ?? 0;
                const window = (xs[j]?.t ?? 0) - (xs[i]?.t ?? 0);
                expect(sum).toBeLessThanOrEqual(capacity + (refillPerSec * window) / 1000 + 1e-6);
              }
            }
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
