/** Order-book delta rows for the write benchmarks (bench/persistence.ts, bench/record-loop-delay.ts). */
import type { DeltaRow } from '../../src/persistence/index.js';

const TICKERS = ['KXBENCH-26JAN01-T1', 'KXBENCH-26JAN01-T2', 'KXBENCH-26JAN01-T3', 'KXBENCH-26JAN01-T4'];

/** A plausible delta: price on the 1¢ grid (1/10,000 $ units), signed count in 1/100 contract. */
export function makeDelta(sessionId: string, i: number, at: number): DeltaRow {
  return {
    sessionId,
    ticker: TICKERS[i % TICKERS.length] as string,
    sid: 1 + (i % TICKERS.length),
    seq: i + 1,
    side: i % 2 === 0 ? 'yes' : 'no',
    price: 100 * (1 + ((i * 7919) % 99)),
    delta: ((i * 31) % 2 === 0 ? 1 : -1) * 100 * (1 + (i % 50)),
    clientOrderId: null,
    exchangeTs: new Date(at - 3),
    receivedAt: new Date(at),
  };
}
