/**
 * The Recorder's ledger: one entry per balance-affecting event, amounts that mirror the exchange's
 * cash rules (leg price, $1 per netted YES/NO pair, fees), reconciliation to the exchange's balance,
 * no double entries for fills an earlier run already recorded; and the book stream's delta rows,
 * which carry the bus's epoch ms and are written as the same instants Dates would give.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createBus, type EventBus } from '../../src/bus.js';
import type { ExchangeFill } from '../../src/domain/index.js';
import { Recorder } from '../../src/persistence/recorder.js';
import { DELTA_COLUMNS, deltaRecordColumns } from '../../src/persistence/repos/bulk.js';
import { copyInsert } from '../../src/persistence/repos/copy.js';
import type { DeltaRecord, DeltaRow, FillRow, LedgerRow } from '../../src/persistence/repos/rows.js';
import type { Repositories } from '../../src/persistence/repositories.js';
import { PositionTracker } from '../../src/services/position-tracker.js';

/** Repositories that keep what they are given in memory (delta writes fail while `failDeltas`). */
let failDeltas = false;
function memoryRepos() {
  const written = {
    ledger: [] as LedgerRow[],
    fills: [] as FillRow[],
    gaps: [] as number[],
    risk: [] as Array<{ kind: string }>,
    deltas: [] as Array<{ sessionId: string; record: DeltaRecord }>,
  };
  const many = async (rows: readonly unknown[]) => rows.length;
  const repos = {
    ledger: {
      insertMany: async (rows: readonly LedgerRow[]) => {
        written.ledger.push(...rows);
        return [];
      },
    },
    fills: {
      insertMany: async (rows: readonly FillRow[]) => {
        written.fills.push(...rows);
        return [...rows];
      },
    },
    transitions: { insertMany: many },
    decisions: { insertMany: many },
    positions: { upsertMany: many },
    orders: {
      upsert: async () => ({ inserted: true, eventsAppended: 1 }),
      upsertMany: async (_s: string, rows: readonly unknown[]) =>
        rows.map(() => ({ inserted: true, eventsAppended: 1 })),
    },
    bulk: {
      insertDeltaRecords: async (sessionId: string, records: readonly DeltaRecord[]) => {
        if (failDeltas) throw new Error('the database is gone');
        for (const record of records) written.deltas.push({ sessionId, record });
        return records.length;
      },
      insertSnapshots: many,
      insertMarketPrices: many,
      insertStatusSnapshots: many,
      insertRiskEvents: async (rows: ReadonlyArray<{ kind: string }>) => {
        written.risk.push(...rows);
        return rows.length;
      },
      insertLifecycleEvents: many,
    },
    sessions: {
      markGap: async (_id: string, shed: number) => {
        written.gaps.push(shed);
      },
    },
  } as unknown as Repositories;
  return { repos, written };
}

let n = 0;
function fill(bookSide: 'bid' | 'ask', yesPrice: number, count: number, fee = 0): ExchangeFill {
  n += 1;
  return {
    fillId: `f-${n}`,
    orderId: 'o-1',
    ticker: 'KXT',
    bookSide,
    yesPrice,
    count,
    fee,
    isTaker: true,
    createdMs: n,
  };
}

describe('the recorder ledger', () => {
  let bus: EventBus;
  let recorder: Recorder | undefined;

  afterEach(async () => {
    await recorder?.close();
    recorder = undefined;
  });

  function setup(
    opts: { openingBalance?: number; knownFillIds?: string[]; knownSettlementRefs?: string[] } = {},
  ) {
    bus = createBus();
    // The tracker applies each fill and tells the recorder the position it met (its cash).
    new PositionTracker({ bus, clock: () => 0 });
    const { repos, written } = memoryRepos();
    recorder = new Recorder({
      repos,
      bus,
      sessionId: 's-1',
      clock: () => 0,
      topOfBook: () => [],
      ...opts,
    });
    recorder.start();
    return { written, recorder };
  }

  it('opens with the exchange balance, then charges each fill its leg price and fee', async () => {
    const { written, recorder: r } = setup();
    bus.emit('exchange.balanceReported', { cash: 100_000_000, portfolioValue: 0, at: 0, reconcile: true });
    bus.emit('exchange.fillReported', fill('bid', 4000, 1000, 170_000)); // buy 10 YES at $0.40
    bus.emit('exchange.fillReported', fill('ask', 3000, 500, 110_000)); // buy 5 NO at $0.70 (sell YES at $0.30)
    await r.queue.flush();
    expect(written.ledger.map((l) => [l.kind, l.amount, l.balanceAfter])).toEqual([
      ['reconciliation', 100_000_000, 100_000_000],
      ['fill', -4_000_000, 96_000_000],
      ['fee', -170_000, 95_830_000],
      // 5 NO bought against 10 YES held: pays 5 × $0.70 and gets $1 back for each of the 5 pairs.
      ['fill', 5_000_000 - 3_500_000, 97_330_000],
      ['fee', -110_000, 97_220_000],
    ]);
    expect(r.runningBalance).toBe(97_220_000);
  });

  it('books a settlement, and reconciles only a real difference', async () => {
    const { written, recorder: r } = setup({ openingBalance: 50_000_000 });
    bus.emit('exchange.balanceReported', { cash: 50_000_000, portfolioValue: 0, at: 0, reconcile: true });
    bus.emit('exchange.settlementReported', { ticker: 'KXT', settledMs: 9, revenue: 3_000_000 });
    bus.emit('exchange.balanceReported', { cash: 53_010_000, portfolioValue: 0, at: 10, reconcile: true });
    bus.emit('exchange.balanceReported', { cash: 1, portfolioValue: 0, at: 11 }); // a health check: no entry
    await r.queue.flush();
    expect(written.ledger.map((l) => [l.kind, l.ref, l.amount, l.balanceAfter])).toEqual([
      ['settlement', 'KXT@9', 3_000_000, 53_000_000],
      ['reconciliation', 's-1#2', 10_000, 53_010_000],
    ]);
  });

  it('never books a settlement twice (each calibration reads it back), nor one an earlier run booked', async () => {
    const { written, recorder: r } = setup({ openingBalance: 50_000_000, knownSettlementRefs: ['KXOLD@5'] });
    const settlement = { ticker: 'KXT', settledMs: 9, revenue: 3_000_000 };
    bus.emit('exchange.settlementReported', { ticker: 'KXOLD', settledMs: 5, revenue: 7_000_000 });
    bus.emit('exchange.settlementReported', settlement);
    bus.emit('exchange.settlementReported', settlement);
    await r.queue.flush();
    expect(written.ledger.map((l) => [l.kind, l.ref, l.amount, l.balanceAfter])).toEqual([
      ['settlement', 'KXT@9', 3_000_000, 53_000_000],
    ]);
    expect(r.runningBalance).toBe(53_000_000);
  });

  it('never enters a fill twice, nor one an earlier run already recorded', async () => {
    const known = fill('bid', 5000, 100);
    const { written, recorder: r } = setup({ openingBalance: 10_000_000, knownFillIds: [known.fillId] });
    const fresh = fill('bid', 5000, 100);
    bus.emit('exchange.fillReported', known);
    bus.emit('exchange.fillReported', fresh);
    bus.emit('exchange.fillReported', fresh);
    await r.queue.flush();
    expect(written.fills.map((f) => f.fillId)).toEqual([fresh.fillId]);
    expect(written.ledger.map((l) => l.ref)).toEqual([fresh.fillId]);
    expect(r.runningBalance).toBe(10_000_000 - 500_000);
  });

  it('writes a breaker trip and reset at once, without waiting for the flush interval', async () => {
    const { written } = setup();
    bus.emit('risk.breakerTripped', { reason: 'daily_loss', detail: 'net -$60', at: 1 });
    await new Promise((r) => setTimeout(r, 20)); // far below the queue's flush interval
    expect(written.risk.map((r) => r.kind)).toEqual(['breaker_tripped']);
    bus.emit('risk.breakerReset', { by: 'operator', at: 2 });
    await new Promise((r) => setTimeout(r, 20));
    expect(written.risk.map((r) => r.kind)).toEqual(['breaker_tripped', 'breaker_reset']);
  });

  it('queues each delta as columns, not the bus record, and writes it as the row a DeltaRow with Dates gives', async () => {
    const { written, recorder: r } = setup();
    const base = { ticker: 'KXT', sid: 1, side: 'yes', price: 4000, applied: true } as const;
    const first = { ...base, seq: 2, delta: 100, receivedMs: 1_700_000_000_123 };
    const second = {
      ...base,
      seq: 3,
      delta: -50,
      clientOrderId: 'c-1',
      exchangeTsMs: 1_700_000_000_120,
      receivedMs: 1_700_000_000_124,
    };
    bus.emit('book.deltaReceived', first);
    bus.emit('book.deltaReceived', second);
    await r.queue.flush();
    // The queue keeps no reference to the bus's record (DeltaColumns): the writer gets a row built
    // from the columns, with every field of the record but the bus's `applied`.
    expect(written.deltas.map((d) => d.sessionId)).toEqual(['s-1', 's-1']);
    expect(written.deltas[0]?.record).not.toBe(first);
    const { applied: _a, ...firstRow } = first;
    const { applied: _b, ...secondRow } = second;
    expect(written.deltas.map((d) => d.record)).toStrictEqual([firstRow, secondRow]);
    // What reaches the database is the row a DeltaRow with Dates of the same instants gave.
    const asRows: DeltaRow[] = [
      {
        sessionId: 's-1',
        ticker: 'KXT',
        sid: 1,
        seq: 2,
        side: 'yes',
        price: 4000,
        delta: 100,
        clientOrderId: null,
        exchangeTs: null,
        receivedAt: new Date(1_700_000_000_123),
      },
      {
        sessionId: 's-1',
        ticker: 'KXT',
        sid: 1,
        seq: 3,
        side: 'yes',
        price: 4000,
        delta: -50,
        clientOrderId: 'c-1',
        exchangeTs: new Date(1_700_000_000_120),
        receivedAt: new Date(1_700_000_000_124),
      },
    ];
    const records = copyInsert<DeltaRecord>('orderbook_deltas', deltaRecordColumns('s-1'));
    const rows = copyInsert<DeltaRow>('orderbook_deltas', DELTA_COLUMNS);
    expect(records.statement).toBe(rows.statement);
    expect(records.encode(written.deltas.map((d) => d.record))).toEqual(rows.encode(asRows));
  });

  it('hands back unwritten deltas as table rows (session, epoch-ms times), not as bus records', async () => {
    const { recorder: r } = setup();
    failDeltas = true;
    try {
      bus.emit('book.deltaReceived', {
        ticker: 'KXT',
        sid: 1,
        seq: 7,
        side: 'no',
        price: 6000,
        delta: 25,
        exchangeTsMs: 1_700_000_000_000,
        receivedMs: 1_700_000_000_005,
        applied: false,
      });
      await expect(r.queue.flush()).rejects.toThrow(/deltas/);
      expect(r.unwritten()).toEqual([
        {
          kind: 'deltas',
          rows: [
            {
              sessionId: 's-1',
              ticker: 'KXT',
              sid: 1,
              seq: 7,
              side: 'no',
              price: 6000,
              delta: 25,
              clientOrderId: null,
              exchangeTs: 1_700_000_000_000,
              receivedAt: 1_700_000_000_005,
            },
          ],
        },
      ]);
    } finally {
      failDeltas = false;
    }
  });
});
