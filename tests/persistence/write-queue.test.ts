import { describe, expect, it } from 'vitest';
import type { WriteQueueTimers } from '../../src/persistence/write-queue.js';
import { createWriteQueue, WriteQueue, WriteQueueError } from '../../src/persistence/write-queue.js';

/** Simulated time: timers fire only in advance(), in due order, with pending promise work run between. */
class FakeTimers implements WriteQueueTimers {
  now = 0;
  #seq = 0;
  readonly #timers = new Map<number, { due: number; callback: () => void }>();

  readonly clock = (): number => this.now;

  setTimeout(callback: () => void, ms: number): unknown {
    const id = ++this.#seq;
    this.#timers.set(id, { due: this.now + ms, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  get armed(): number {
    return this.#timers.size;
  }

  async advance(ms: number): Promise<void> {
    const target = this.now + ms;
    for (;;) {
      await settle();
      let next: [number, { due: number; callback: () => void }] | undefined;
      for (const entry of this.#timers) {
        if (entry[1].due <= target && (next === undefined || entry[1].due < next[1].due)) next = entry;
      }
      if (next === undefined) break;
      this.#timers.delete(next[0]);
      this.now = next[1].due;
      next[1].callback();
    }
    this.now = target;
    await settle();
  }
}

function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

interface Deferred {
  readonly rows: readonly number[];
  resolve(): void;
  reject(error: unknown): void;
}

/** A flush target: 'ok' writes at once, 'fail' rejects, 'manual' waits for the test to settle it. */
class Sink {
  mode: 'ok' | 'fail' | 'manual' | 'throw' = 'ok';
  readonly calls: number[][] = [];
  readonly written: number[] = [];
  readonly open: Deferred[] = [];

  readonly flush = (rows: readonly number[]): Promise<void> => {
    this.calls.push([...rows]);
    if (this.mode === 'throw') throw new Error('synchronous failure');
    if (this.mode === 'fail') return Promise.reject(new Error('database unavailable'));
    if (this.mode === 'ok') {
      this.written.push(...rows);
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      this.open.push({
        rows,
        resolve: () => {
          this.written.push(...rows);
          resolve();
        },
        reject,
      });
    });
  };
}

function setup(
  options: {
    maxRows?: number;
    maxBatch?: number;
    keepBatch?: number;
    flushIntervalMs?: number;
    drainAttempts?: number;
  } = {},
) {
  const timers = new FakeTimers();
  const orders = new Sink();
  const deltas = new Sink();
  const prices = new Sink();
  const shedReports: [string, number][] = [];
  const errors: [string, number][] = [];
  const queue = createWriteQueue({
    kinds: {
      orders: { flush: orders.flush, policy: 'keep', maxBatch: options.keepBatch ?? options.maxBatch ?? 10 },
      deltas: { flush: deltas.flush, policy: 'shed', maxBatch: options.maxBatch ?? 10 },
      prices: { flush: prices.flush, policy: 'shed', maxBatch: options.maxBatch ?? 10 },
    },
    maxRows: options.maxRows ?? 1_000,
    flushIntervalMs: options.flushIntervalMs ?? 200,
    retryBaseMs: 100,
    retryMaxMs: 1_000,
    drainAttempts: options.drainAttempts ?? 3,
    clock: timers.clock,
    timers,
    onShed: (kind, count) => shedReports.push([kind, count]),
    onFlushError: (kind, _error, attempt) => errors.push([kind, attempt]),
  });
  return { timers, orders, deltas, prices, queue, shedReports, errors };
}

function pushMany(
  queue: { push(kind: 'orders' | 'deltas' | 'prices', row: number): void },
  kind: 'orders' | 'deltas' | 'prices',
  from: number,
  count: number,
) {
  for (let i = 0; i < count; i++) queue.push(kind, from + i);
}

describe('WriteQueue batching', () => {
  it('flushes a partial batch once the interval has passed since the first row', async () => {
    const { timers, orders, queue } = setup();
    pushMany(queue, 'orders', 1, 3);
    await timers.advance(150);
    pushMany(queue, 'orders', 4, 2);
    await timers.advance(49);
    expect(orders.calls).toEqual([]);
    await timers.advance(1);
    expect(orders.calls).toEqual([[1, 2, 3, 4, 5]]);
  });

  it('flushes on the next tick once a kind reaches maxBatch, never on the pushing stack', async () => {
    const { timers, orders, queue } = setup({ maxBatch: 4 });
    pushMany(queue, 'orders', 1, 4);
    expect(orders.calls).toEqual([]);
    await timers.advance(0);
    expect(orders.calls).toEqual([[1, 2, 3, 4]]);
  });

  it('takes at most maxBatch rows per flush, sends further full batches at once and the rest after the interval', async () => {
    const { timers, orders, queue } = setup({ maxBatch: 4 });
    pushMany(queue, 'orders', 1, 10);
    await timers.advance(0);
    expect(orders.calls).toEqual([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
    ]);
    await timers.advance(199);
    expect(orders.calls).toHaveLength(2);
    await timers.advance(1);
    expect(orders.calls[2]).toEqual([9, 10]);
    expect(queue.stats().kinds.orders).toMatchObject({ pushed: 10, written: 10, depth: 0, flushes: 3 });
  });

  it('keeps one flush in flight per kind and writes each kind in push order', async () => {
    const { timers, orders, queue } = setup({ maxBatch: 3 });
    orders.mode = 'manual';
    pushMany(queue, 'orders', 1, 3);
    await timers.advance(0);
    pushMany(queue, 'orders', 4, 5);
    await timers.advance(1_000);
    expect(orders.open).toHaveLength(1);
    expect(queue.stats().kinds.orders).toMatchObject({ depth: 8, inFlight: 3 });
    orders.open[0]?.resolve();
    await timers.advance(0);
    expect(orders.open).toHaveLength(2);
    expect(orders.open[1]?.rows).toEqual([4, 5, 6]);
    orders.open[1]?.resolve();
    await timers.advance(200);
    orders.open[2]?.resolve();
    await timers.advance(0);
    expect(orders.written).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('flushes kinds independently of each other', async () => {
    const { timers, orders, deltas, queue } = setup({ maxBatch: 2 });
    orders.mode = 'manual';
    pushMany(queue, 'orders', 1, 2);
    pushMany(queue, 'deltas', 100, 2);
    await timers.advance(0);
    expect(deltas.written).toEqual([100, 101]);
    expect(orders.written).toEqual([]);
  });
});

describe('WriteQueue retries', () => {
  it('puts a failed batch back at the front and retries it with backoff, ahead of newer rows', async () => {
    const { timers, orders, queue, errors } = setup({ maxBatch: 2 });
    orders.mode = 'fail';
    pushMany(queue, 'orders', 1, 2);
    await timers.advance(0);
    expect(errors).toEqual([['orders', 1]]);
    pushMany(queue, 'orders', 3, 3);
    await timers.advance(99);
    expect(orders.calls).toHaveLength(1);
    await timers.advance(1);
    expect(orders.calls).toHaveLength(2);
    expect(errors).toEqual([
      ['orders', 1],
      ['orders', 2],
    ]);
    orders.mode = 'ok';
    await timers.advance(199);
    expect(orders.calls).toHaveLength(2);
    await timers.advance(1);
    expect(orders.calls.slice(2)).toEqual([
      [1, 2],
      [3, 4],
    ]);
    await timers.advance(200);
    expect(orders.written).toEqual([1, 2, 3, 4, 5]);
    expect(queue.stats().kinds.orders).toMatchObject({
      failures: 2,
      consecutiveFailures: 0,
      written: 5,
      depth: 0,
    });
  });

  it('treats a flush function that throws synchronously as a failed flush', async () => {
    const { timers, orders, queue } = setup({ maxBatch: 1 });
    orders.mode = 'throw';
    queue.push('orders', 1);
    await timers.advance(0);
    expect(queue.stats().kinds.orders).toMatchObject({ failures: 1, depth: 1 });
    orders.mode = 'ok';
    await timers.advance(100);
    expect(orders.written).toEqual([1]);
  });

  it('starts a retry for a shed kind whose failed rows were all evicted before new rows came', async () => {
    const { timers, deltas, queue } = setup({ maxRows: 2, maxBatch: 2 });
    deltas.mode = 'fail';
    pushMany(queue, 'deltas', 1, 2);
    await timers.advance(0);
    queue.push('orders', 10);
    queue.push('orders', 11);
    await timers.advance(200);
    expect(queue.stats().kinds.deltas).toMatchObject({ depth: 0, shed: 2 });
    deltas.mode = 'ok';
    queue.push('deltas', 3);
    await timers.advance(1_000);
    expect(deltas.written).toEqual([3]);
  });

  it('counts hooks that throw and goes on writing', async () => {
    const timers = new FakeTimers();
    const sink = new Sink();
    sink.mode = 'fail';
    const queue = new WriteQueue<'deltas', { deltas: number }>({
      kinds: { deltas: { flush: sink.flush, policy: 'shed', maxBatch: 1 } },
      maxRows: 1,
      clock: timers.clock,
      timers,
      onShed: () => {
        throw new Error('hook bug');
      },
      onFlushError: () => {
        throw new Error('hook bug');
      },
    });
    queue.push('deltas', 1);
    queue.push('deltas', 2);
    await timers.advance(0);
    sink.mode = 'ok';
    await timers.advance(100);
    expect(sink.written).toEqual([1]);
    expect(queue.stats().totals).toMatchObject({ hookErrors: 2, shed: 1, written: 1 });
  });
});

describe('WriteQueue capacity', () => {
  it('drops shed rows pushed into a full queue and reports every one', async () => {
    const { queue, shedReports } = setup({ maxRows: 5 });
    pushMany(queue, 'deltas', 1, 8);
    const stats = queue.stats();
    expect(stats.kinds.deltas).toMatchObject({ pushed: 8, shed: 3, depth: 5, written: 0 });
    expect(shedReports).toEqual([
      ['deltas', 1],
      ['deltas', 1],
      ['deltas', 1],
    ]);
    expect(queue.pending().deltas).toEqual([1, 2, 3, 4, 5]);
  });

  it('evicts the newest queued shed row to make room for a keep row', () => {
    const { queue, shedReports } = setup({ maxRows: 4 });
    pushMany(queue, 'deltas', 1, 4);
    queue.push('orders', 100);
    expect(queue.pending()).toEqual({ orders: [100], deltas: [1, 2, 3], prices: [] });
    expect(shedReports).toEqual([['deltas', 1]]);
    expect(queue.stats().totals).toMatchObject({ depth: 4, shed: 1, overCapacity: 0 });
  });

  it('lets the deepest shed kind give way, so shed kinds share the space', () => {
    const { queue } = setup({ maxRows: 6 });
    pushMany(queue, 'deltas', 1, 6);
    pushMany(queue, 'prices', 100, 3);
    expect(queue.pending()).toEqual({ orders: [], deltas: [1, 2, 3], prices: [100, 101, 102] });
    queue.push('prices', 103);
    expect(queue.pending().prices).toEqual([100, 101, 102]);
    expect(queue.stats().kinds.deltas.shed).toBe(3);
    expect(queue.stats().kinds.prices.shed).toBe(1);
  });

  it('never drops a keep row: past the bound with only keep rows queued it grows, counted as overCapacity', () => {
    const { queue } = setup({ maxRows: 3 });
    pushMany(queue, 'orders', 1, 5);
    expect(queue.pending().orders).toEqual([1, 2, 3, 4, 5]);
    expect(queue.stats().totals).toMatchObject({ depth: 5, overCapacity: 2, shed: 0 });
    expect(queue.stats().kinds.orders.overCapacity).toBe(2);
    queue.push('deltas', 9);
    expect(queue.stats().kinds.deltas).toMatchObject({ shed: 1, depth: 0 });
  });

  it('never evicts rows that are in flight; they become sheddable again if their flush fails', async () => {
    const { timers, deltas, queue } = setup({ maxRows: 3, maxBatch: 3 });
    deltas.mode = 'manual';
    pushMany(queue, 'deltas', 1, 3);
    await timers.advance(0);
    queue.push('orders', 100);
    expect(queue.stats().kinds.orders.overCapacity).toBe(1);
    expect(queue.stats().kinds.deltas).toMatchObject({ inFlight: 3, shed: 0 });
    deltas.open[0]?.reject(new Error('timeout'));
    await timers.advance(0);
    queue.push('orders', 101);
    expect(queue.pending().deltas).toEqual([1, 2]);
    expect(queue.stats().kinds.deltas).toMatchObject({ shed: 1, pushed: 3, depth: 2 });
  });

  it('keeps pushed = written + shed + depth per kind', async () => {
    const { timers, queue, deltas } = setup({ maxRows: 10, maxBatch: 4 });
    deltas.mode = 'manual';
    pushMany(queue, 'deltas', 1, 30);
    pushMany(queue, 'orders', 100, 12);
    await timers.advance(0);
    deltas.open[0]?.resolve();
    await timers.advance(500);
    for (const s of Object.values(queue.stats().kinds)) {
      expect(s.pushed).toBe(s.written + s.shed + s.depth);
    }
    expect(queue.stats().totals.maxDepth).toBeGreaterThanOrEqual(10);
  });
});

describe('WriteQueue flush and close', () => {
  it('flush() drains every kind and resolves when nothing is left', async () => {
    const { timers, orders, deltas, queue } = setup({ maxBatch: 3 });
    pushMany(queue, 'orders', 1, 7);
    pushMany(queue, 'deltas', 100, 2);
    await queue.flush();
    expect(orders.written).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(deltas.written).toEqual([100, 101]);
    expect(queue.depth).toBe(0);
    expect(timers.armed).toBe(0);
  });

  it('flush() waits for an in-flight flush and drains rows pushed meanwhile', async () => {
    const { timers, orders, queue } = setup({ maxBatch: 2 });
    orders.mode = 'manual';
    pushMany(queue, 'orders', 1, 2);
    await timers.advance(0);
    const done = queue.flush();
    queue.push('orders', 3);
    orders.mode = 'ok';
    orders.open[0]?.resolve();
    await done;
    expect(orders.written).toEqual([1, 2, 3]);
  });

  it('flush() gives up on a kind after drainAttempts failures, names it, and keeps its rows', async () => {
    const { timers, orders, deltas, queue } = setup({ drainAttempts: 3 });
    orders.mode = 'fail';
    pushMany(queue, 'orders', 1, 3);
    pushMany(queue, 'deltas', 100, 2);
    const done = queue.flush().then(
      () => undefined,
      (error: unknown) => error,
    );
    await timers.advance(300); // attempts at 0, 100 and 300 ms
    const error = await done;
    expect(error).toBeInstanceOf(WriteQueueError);
    expect((error as WriteQueueError).code).toBe('WRITE_QUEUE_FLUSH_FAILED');
    expect((error as WriteQueueError).stuck.map((s) => [s.kind, s.attempts, s.rows])).toEqual([
      ['orders', 3, 3],
    ]);
    expect((error as WriteQueueError).message).toContain('orders');
    expect(orders.calls).toHaveLength(3);
    expect(deltas.written).toEqual([100, 101]);
    expect(queue.pending().orders).toEqual([1, 2, 3]);
    // In the background it goes on retrying.
    orders.mode = 'ok';
    await timers.advance(1_000);
    expect(orders.written).toEqual([1, 2, 3]);
  });

  it('close() makes a final flush, stops every timer and refuses later pushes', async () => {
    const { timers, orders, deltas, queue } = setup();
    pushMany(queue, 'orders', 1, 2);
    pushMany(queue, 'deltas', 100, 1);
    expect(timers.armed).toBe(2);
    await queue.close();
    expect(orders.written).toEqual([1, 2]);
    expect(deltas.written).toEqual([100]);
    expect(timers.armed).toBe(0);
    expect(queue.closed).toBe(true);
    expect(() => queue.push('orders', 3)).toThrow(expect.objectContaining({ code: 'WRITE_QUEUE_CLOSED' }));
  });

  it('close() still stops the timers when its flush fails, and rethrows', async () => {
    const { timers, orders, queue } = setup({ drainAttempts: 2 });
    orders.mode = 'fail';
    queue.push('orders', 1);
    const done = queue.close().then(
      () => undefined,
      (error: unknown) => error,
    );
    await timers.advance(1_000);
    expect(await done).toMatchObject({ code: 'WRITE_QUEUE_FLUSH_FAILED' });
    expect(timers.armed).toBe(0);
    expect(queue.pending().orders).toEqual([1]);
  });
});

describe('WriteQueue stats and options', () => {
  it('reports flush latency from the injected clock', async () => {
    const { timers, orders, queue } = setup({ maxBatch: 1 });
    orders.mode = 'manual';
    queue.push('orders', 1);
    await timers.advance(0);
    await timers.advance(35);
    orders.open[0]?.resolve();
    await timers.advance(0);
    queue.push('orders', 2);
    await timers.advance(0);
    await timers.advance(5);
    orders.open[1]?.resolve();
    await timers.advance(0);
    expect(queue.stats().kinds.orders).toMatchObject({
      lastFlushLatencyMs: 5,
      maxFlushLatencyMs: 35,
      flushes: 2,
    });
    expect(queue.stats().totals.maxFlushLatencyMs).toBe(35);
  });

  it('rejects unusable options and unknown kinds', () => {
    const flush = async () => {};
    expect(() => new WriteQueue({ kinds: {} })).toThrow(WriteQueueError);
    expect(() => new WriteQueue({ kinds: { a: { flush, policy: 'keep', maxBatch: 0 } } })).toThrow(
      /maxBatch/,
    );
    expect(
      () => new WriteQueue({ kinds: { a: { flush, policy: 'keep', maxBatch: 1 } }, maxRows: 1.5 }),
    ).toThrow(/maxRows/);
    const queue = new WriteQueue<'a'>({ kinds: { a: { flush, policy: 'keep', maxBatch: 1 } } });
    expect(() => queue.push('b' as 'a', 1)).toThrow(/unknown write queue kind/);
  });

  it('types each kind by its flush function', () => {
    const queue = createWriteQueue({
      kinds: {
        fills: { flush: async (_rows: readonly { fillId: string }[]) => {}, policy: 'keep', maxBatch: 1 },
        prices: { flush: async (_rows: readonly { yes: number }[]) => {}, policy: 'shed', maxBatch: 1 },
      },
      timers: new FakeTimers(),
    });
    queue.push('fills', { fillId: 'f1' });
    const compileTimeOnly = () => {
      // @ts-expect-error a price row is not a fill row
      queue.push('fills', { yes: 1 });
      // @ts-expect-error no such kind
      queue.push('orders', { fillId: 'f1' });
    };
    expect(compileTimeOnly).toBeTypeOf('function');
    expect(queue.stats().kinds.fills.pushed).toBe(1);
  });
});
