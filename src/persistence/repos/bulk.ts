/**
 * Bulk inserts for the write queue: each takes an array of plain rows and writes it in ONE
 * statement whatever the batch size — COPY for the order-book stream (deltas, snapshots, prices:
 * the volume), unnest (one array parameter per column) for the rest. Each returns the
 * number of rows written. Shedding, batching and retries belong to the write queue, not here.
 */
import type { Database } from '../db.js';
import { type CopyColumn, type CopyInsert, copyInsert } from './copy.js';
import type {
  DeltaRecord,
  DeltaRow,
  LifecycleEventRow,
  MarketPriceRow,
  RiskEventRow,
  SnapshotRow,
  StatusSnapshotRow,
} from './rows.js';
import { unnestInsert } from './unnest.js';

export interface BulkRepo {
  insertDeltas(rows: readonly DeltaRow[]): Promise<number>;
  /** The bus's delta records of one session, as they were queued (the same rows as insertDeltas). */
  insertDeltaRecords(sessionId: string, records: readonly DeltaRecord[]): Promise<number>;
  insertSnapshots(rows: readonly SnapshotRow[]): Promise<number>;
  insertMarketPrices(rows: readonly MarketPriceRow[]): Promise<number>;
  insertStatusSnapshots(rows: readonly StatusSnapshotRow[]): Promise<number>;
  insertRiskEvents(rows: readonly RiskEventRow[]): Promise<number>;
  insertLifecycleEvents(rows: readonly LifecycleEventRow[]): Promise<number>;
}

/** The orderbook_deltas columns as the bulk paths write them (bench/persistence.ts compares COPY with unnest). */
export const DELTA_COLUMNS: readonly CopyColumn<DeltaRow>[] = [
  { name: 'session_id', type: 'text', get: (r) => r.sessionId },
  { name: 'ticker', type: 'text', get: (r) => r.ticker },
  { name: 'sid', type: 'int4', get: (r) => r.sid },
  { name: 'seq', type: 'int4', get: (r) => r.seq },
  { name: 'side', type: 'text', get: (r) => r.side },
  { name: 'price', type: 'int4', get: (r) => r.price },
  { name: 'delta', type: 'int4', get: (r) => r.delta },
  { name: 'client_order_id', type: 'text', get: (r) => r.clientOrderId },
  { name: 'exchange_ts', type: 'timestamptz', get: (r) => r.exchangeTs },
  { name: 'received_at', type: 'timestamptz', get: (r) => r.receivedAt },
];
const deltas = copyInsert<DeltaRow>('orderbook_deltas', DELTA_COLUMNS);

/** DELTA_COLUMNS read from a bus record, the session given: the same table rows as a DeltaRow. */
export function deltaRecordColumns(sessionId: string): readonly CopyColumn<DeltaRecord>[] {
  return [
    { name: 'session_id', type: 'text', get: () => sessionId },
    { name: 'ticker', type: 'text', get: (r) => r.ticker },
    { name: 'sid', type: 'int4', get: (r) => r.sid },
    { name: 'seq', type: 'int4', get: (r) => r.seq },
    { name: 'side', type: 'text', get: (r) => r.side },
    { name: 'price', type: 'int4', get: (r) => r.price },
    { name: 'delta', type: 'int4', get: (r) => r.delta },
    { name: 'client_order_id', type: 'text', get: (r) => r.clientOrderId },
    { name: 'exchange_ts', type: 'timestamptz', get: (r) => r.exchangeTsMs },
    { name: 'received_at', type: 'timestamptz', get: (r) => r.receivedMs },
  ];
}

const snapshots = copyInsert<SnapshotRow>('orderbook_snapshots', [
  { name: 'session_id', type: 'text', get: (r) => r.sessionId },
  { name: 'ticker', type: 'text', get: (r) => r.ticker },
  { name: 'sid', type: 'int4', get: (r) => r.sid },
  { name: 'seq', type: 'int4', get: (r) => r.seq },
  { name: 'yes', type: 'jsonb', get: (r) => r.yes },
  { name: 'no', type: 'jsonb', get: (r) => r.no },
  { name: 'exchange_ts', type: 'timestamptz', get: (r) => r.exchangeTs },
  { name: 'received_at', type: 'timestamptz', get: (r) => r.receivedAt },
]);

const marketPrices = copyInsert<MarketPriceRow>('market_prices', [
  { name: 'session_id', type: 'text', get: (r) => r.sessionId },
  { name: 'ticker', type: 'text', get: (r) => r.ticker },
  { name: 'at', type: 'timestamptz', get: (r) => r.at },
  { name: 'yes_bid', type: 'int4', get: (r) => r.yesBid },
  { name: 'yes_ask', type: 'int4', get: (r) => r.yesAsk },
  { name: 'yes_bid_size', type: 'int4', get: (r) => r.yesBidSize },
  { name: 'yes_ask_size', type: 'int4', get: (r) => r.yesAskSize },
  { name: 'last_price', type: 'int4', get: (r) => r.lastPrice },
]);

const statusSnapshots = unnestInsert<StatusSnapshotRow>('status_snapshots', [
  { name: 'session_id', type: 'text', get: (r) => r.sessionId },
  { name: 'at', type: 'timestamptz', get: (r) => r.at },
  { name: 'state', type: 'text', get: (r) => r.state },
  { name: 'text', type: 'text', get: (r) => r.text },
  { name: 'data', type: 'jsonb', get: (r) => r.data },
]);

const riskEvents = unnestInsert<RiskEventRow>('risk_events', [
  { name: 'session_id', type: 'text', get: (r) => r.sessionId },
  { name: 'at', type: 'timestamptz', get: (r) => r.at },
  { name: 'kind', type: 'text', get: (r) => r.kind },
  { name: 'reason', type: 'text', get: (r) => r.reason },
  { name: 'detail', type: 'text', get: (r) => r.detail },
  { name: 'data', type: 'jsonb', get: (r) => r.data },
]);

const lifecycleEvents = unnestInsert<LifecycleEventRow>('market_lifecycle_events', [
  { name: 'session_id', type: 'text', get: (r) => r.sessionId },
  { name: 'at', type: 'timestamptz', get: (r) => r.at },
  { name: 'ticker', type: 'text', get: (r) => r.ticker },
  { name: 'event_type', type: 'text', get: (r) => r.eventType },
  { name: 'data', type: 'jsonb', get: (r) => r.data },
]);

export function bulkRepo(database: Database): BulkRepo {
  // One encoder per session (a process records one session at a time; a few at most in tests).
  const recordCopies = new Map<string, CopyInsert<DeltaRecord>>();
  const recordCopy = (sessionId: string): CopyInsert<DeltaRecord> => {
    let copy = recordCopies.get(sessionId);
    if (copy === undefined) {
      if (recordCopies.size >= 16) recordCopies.clear();
      copy = copyInsert<DeltaRecord>('orderbook_deltas', deltaRecordColumns(sessionId));
      recordCopies.set(sessionId, copy);
    }
    return copy;
  };
  return {
    insertDeltas: (rows) => deltas.run(database, rows),
    insertDeltaRecords: (sessionId, records) => recordCopy(sessionId).run(database, records),
    insertSnapshots: (rows) => snapshots.run(database, rows),
    insertMarketPrices: (rows) => marketPrices.run(database, rows),
    insertStatusSnapshots: (rows) => statusSnapshots.run(database, rows),
    insertRiskEvents: (rows) => riskEvents.run(database, rows),
    insertLifecycleEvents: (rows) => lifecycleEvents.run(database, rows),
  };
}
