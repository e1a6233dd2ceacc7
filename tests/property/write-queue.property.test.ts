import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { WriteQueueTimers } from '../../src/persistence/write-queue.js';
import { createWriteQueue, WriteQueueError } from '../../src/persistence/write-queue.js';

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

  /** Advances time in steps until the promise settles. */
  async runUntil<T>(promise: Promise<T>): Promise<T> {
    let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
    promise.then(
      (value) => {
        outcome = { ok: true, value };
      },
      (error: unknown) => {
        outcome = { ok: false, error };
      },
    );
    while (outcome === undefined) await this.advance(50);
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }
}

function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const KINDS = ['orders', 'fills', 'deltas', 'prices'] as const;
type Kind = (typeof KINDS)[number];
const KEEP: ReadonlySet<Kind> = new Set<Kind>(['orders', 'fills']);

interface Row {
  readonly kind: Kind;
  readonly seq: number;
}

/**
 * A database stand-in: each flush takes 0–latency ms of simulated time, then fails with probability
 * `failureRate` or records the rows.
 */
class FlakyStore {
  failureRate: number;
  readonly written = new Map<Kind, number[]>(KINDS.map((k) => [k, []]));

  constructor(
    private readonly timers: FakeTimers,
    private readonly random: () => number,
    failureRate: number,
    private readonly latencyMs: number,
  ) {
    this.failureRate = failureRate;
  }

  flushFor(kind: Kind): (rows: readonly Row[]) => Promise<void> {
    return (rows) => {
      const fail = this.random() < this.failureRate;
      const delay = Math.floor(this.random() * (this.latencyMs + 1));
      return new Promise((resolve, reject) => {
        this.timers.setTimeout(() => {
          if (fail) {
            reject(new Error('injected flush failure'));
            return;
          }
          for (const row of rows) {
            if (row.kind !== kind) throw new Error(`a ${row.kind} row reached the ${kind} flush`);
            this.written.get(kind)?.push(row.seq);
          }
          resolve();
        }, delay);
      });
    };
  }
}

type Step =
  | { readonly op: 'push'; readonly kind: Kind; readonly count: number }
  | { readonly op: 'advance'; readonly ms: number }
  | { readonly op: 'drain' };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant('push' as const),
      kind: fc.constantFrom(...KINDS),
      count: fc.integer({ min: 1, max: 25 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 400 }) }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('drain' as const) }) },
);

const scenarioArb = fc.record({
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  maxRows: fc.integer({ min: 1, max: 60 }),
  maxBatch: fc.integer({ min: 1, max: 20 }),
  failureRate: fc.constantFrom(0, 0.2, 0.5, 0.9),
  latencyMs: fc.integer({ min: 0, max: 120 }),
  steps: fc.array(stepArb, { maxLength: 60 }),
});

function isSubsequence(sub: readonly number[], seq: readonly number[]): boolean {
  let i = 0;
  for (const x of seq) if (i < sub.length && sub[i] === x) i++;
  return i === sub.length;
}

describe('WriteQueue under random flush failures', () => {
  it('writes every keep row exactly once in push order, and accounts for every shed row', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (s) => {
        const timers = new FakeTimers();
        const store = new FlakyStore(timers, mulberry32(s.seed), s.failureRate, s.latencyMs);
        const reportedShed = new Map<Kind, number>(KINDS.map((k) => [k, 0]));
        const queue = createWriteQueue<Record<Kind, Row>>({
          kinds: {
            orders: { flush: store.flushFor('orders'), policy: 'keep', maxBatch: s.maxBatch },
            fills: { flush: store.flushFor('fills'), policy: 'keep', maxBatch: s.maxBatch + 3 },
            deltas: { flush: store.flushFor('deltas'), policy: 'shed', maxBatch: s.maxBatch },
            prices: {
              flush: store.flushFor('prices'),
              policy: 'shed',
              maxBatch: Math.max(1, s.maxBatch - 2),
            },
          },
          maxRows: s.maxRows,
          flushIntervalMs: 100,
          retryBaseMs: 20,
          retryMaxMs: 400,
          drainAttempts: 3,
          clock: timers.clock,
          timers,
          onShed: (kind, count) => reportedShed.set(kind, (reportedShed.get(kind) ?? 0) + count),
        });
        const pushed = new Map<Kind, number[]>(KINDS.map((k) => [k, []]));
        let seq = 0;

        const checkInvariants = () => {
          const stats = queue.stats();
          for (const kind of KINDS) {
            const k = stats.kinds[kind];
            expect(k.pushed).toBe(pushed.get(kind)?.length);
            expect(k.pushed).toBe(k.written + k.shed + k.depth);
            expect(k.written).toBe(store.written.get(kind)?.length);
            expect(k.shed).toBe(reportedShed.get(kind));
            if (KEEP.has(kind)) expect(k.shed).toBe(0);
            else expect(k.overCapacity).toBe(0);
          }
          // The bound is exceeded only by keep rows accepted over capacity.
          expect(stats.totals.depth).toBeLessThanOrEqual(s.maxRows + stats.totals.overCapacity);
        };

        for (const step of s.steps) {
          if (step.op === 'push') {
            for (let i = 0; i < step.count; i++) {
              seq++;
              pushed.get(step.kind)?.push(seq);
              queue.push(step.kind, { kind: step.kind, seq });
            }
          } else if (step.op === 'advance') {
            await timers.advance(step.ms);
          } else {
            // A drain with failures still on may give up; whatever it names must still be queued.
            try {
              await timers.runUntil(queue.flush());
            } catch (error) {
              expect(error).toBeInstanceOf(WriteQueueError);
              const pending = queue.pending();
              for (const stuck of (error as WriteQueueError).stuck) {
                expect(pending[stuck.kind as Kind].length).toBeGreaterThan(0);
              }
            }
          }
          checkInvariants();
        }

        store.failureRate = 0;
        await timers.runUntil(queue.close());
        checkInvariants();

        const stats = queue.stats();
        expect(stats.totals.depth).toBe(0);
        for (const kind of KINDS) {
          const wrote = store.written.get(kind) ?? [];
          const sent = pushed.get(kind) ?? [];
          expect(new Set(wrote).size).toBe(wrote.length);
          if (KEEP.has(kind)) {
            expect(wrote).toEqual(sent);
          } else {
            expect(isSubsequence(wrote, sent)).toBe(true);
            expect(wrote.length + stats.kinds[kind].shed).toBe(sent.length);
          }
        }
        expect(stats.totals.pushed).toBe(stats.totals.written + stats.totals.shed);
      }),
      { numRuns: 300 },
    );
  });
});
