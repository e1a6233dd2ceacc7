/**
 * A deterministic stream of book records from the exchange simulator, for making the default
 * policy model (and for tests of the training pipeline).
 *
 * The simulator runs on a simulated clock with no background timer (ratePerSec 0): this module
 * calls activity.step() itself, advancing the clock by a seeded exponential gap each time, and
 * ticks the lifecycle driver once per simulated second so markets close and successors list as in
 * a live run. The core's book deltas become BookDeltaRecords (receivedMs = simulated time); a
 * market's book is taken as a BookSnapshotRecord at the start and when it is listed. The same
 * seed and step count give the same records.
 */
import type { BookDeltaRecord, BookSnapshotRecord } from '../src/bus.js';
import { startSimulator } from '../src/exchange-sim/index.js';
import { createRng } from '../src/policy/index.js';

export type SimBookRecord = BookSnapshotRecord | BookDeltaRecord;

export interface SimStreamOptions {
  readonly seed: number;
  /** Participant actions to run. */
  readonly steps: number;
  readonly markets?: number;
  /** Mean participant actions per simulated second (default 20, the simulator's default). */
  readonly ratePerSec?: number;
  /** Simulated start time (default 2026-01-05T15:00:00Z). */
  readonly startMs?: number;
}

export async function simBookStream(opts: SimStreamOptions): Promise<SimBookRecord[]> {
  let now = opts.startMs ?? Date.UTC(2026, 0, 5, 15, 0, 0);
  const sim = await startSimulator({
    seed: opts.seed,
    markets: opts.markets ?? 8,
    ratePerSec: 0,
    rateLimit: false,
    clock: () => now,
  });
  const records: SimBookRecord[] = [];
  let seq = 0;
  const snapshot = (ticker: string): void => {
    const book = sim.core.book(ticker);
    records.push({ ticker, sid: 1, seq: ++seq, yes: book.yes, no: book.no, receivedMs: now });
  };
  try {
    const off = sim.core.onEvent((e) => {
      if (e.type === 'book_delta') {
        records.push({
          ticker: e.ticker,
          sid: 1,
          seq: ++seq,
          side: e.ladder,
          price: e.price,
          delta: e.delta,
          ...(e.clientOrderId === undefined ? {} : { clientOrderId: e.clientOrderId }),
          exchangeTsMs: e.ts,
          receivedMs: now,
          applied: true,
        });
      } else if (e.type === 'lifecycle' && e.eventType === 'created') {
        snapshot(e.ticker);
      }
    });
    for (const m of sim.core.markets()) snapshot(m.ticker);
    const rng = createRng(opts.seed ^ 0x5eed);
    const meanGapMs = 1000 / (opts.ratePerSec ?? 20);
    let nextTick = now + 1000;
    for (let i = 0; i < opts.steps; i++) {
      now += Math.max(1, Math.round(-Math.log(1 - rng.next()) * meanGapMs));
      while (now >= nextTick) {
        sim.lifecycle.tick(nextTick);
        nextTick += 1000;
      }
      sim.activity.step();
    }
    off();
  } finally {
    await sim.close();
  }
  return records;
}
