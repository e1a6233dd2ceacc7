/**
 * The typed event bus: the one event map of the trader. Data flows here; control flow is the
 * machine's. Names are namespaced and past tense for events. Payloads are readonly snapshots.
 */
import { EventEmitter } from 'eventemitter3';
import type {
  Decision,
  ExchangeBalance,
  ExchangeFill,
  ExchangeOrder,
  ExchangePosition,
  ExchangeStatusView,
  MarketPhase,
  PositionView,
  TrackedOrder,
} from './domain/index.js';

export type BookStatus = 'live' | 'resyncing' | 'stale';

export interface BookSnapshotRecord {
  readonly ticker: string;
  readonly sid: number;
  readonly seq: number;
  /** [price, count] ascending; NO levels on the NO scale. */
  readonly yes: ReadonlyArray<readonly [number, number]>;
  readonly no: ReadonlyArray<readonly [number, number]>;
  readonly receivedMs: number;
}

/**
 * A delta as received. The orderbook integration puts the feed's ParsedDelta (src/orderbook/book.ts)
 * here as it is, and the Recorder queues that same object: one object per delta, wire to database.
 */
export interface BookDeltaRecord {
  readonly ticker: string;
  readonly sid: number;
  readonly seq: number;
  readonly side: 'yes' | 'no';
  readonly price: number;
  readonly delta: number;
  readonly clientOrderId?: string;
  readonly exchangeTsMs?: number;
  readonly receivedMs: number;
  /** False when the local book dropped it (resyncing after a gap). */
  readonly applied: boolean;
}

export interface BusEvents {
  /** The machine moved (every transition, including self-transitions that change state value). */
  /** Calibration found the exchange and our record disagreeing after its retries: READY refused. */
  'calibration.refused': [{ readonly why: string; readonly at: number }];
  'machine.transitioned': [
    { readonly from: string; readonly to: string; readonly event: string; readonly at: number },
  ];

  /** A local book changed; read it from the book store. */
  'book.updated': [{ readonly ticker: string; readonly receivedMs: number }];
  'book.statusChanged': [{ readonly ticker: string; readonly status: BookStatus; readonly at: number }];
  'book.gapDetected': [
    { readonly sid: number | undefined; readonly tickers: readonly string[]; readonly at: number },
  ];
  /**
   * The record accepted this book update (the write queue did not shed it); emitted before the
   * book applies it, so 'book.updated' for the same ticker follows. The policy actor acts only on
   * these (seed 003: a shed update never triggers a decision).
   */
  'book.recorded': [{ readonly ticker: string; readonly receivedMs: number }];
  /** The raw stream, unsampled (the training-data collector records these). */
  'book.snapshotReceived': [BookSnapshotRecord];
  'book.deltaReceived': [BookDeltaRecord];
  /** market_lifecycle_v2 messages (created, activated, deactivated, determined, settled, …). */
  'market.lifecycle': [
    {
      readonly ticker: string;
      readonly eventType: string;
      readonly at: number;
      readonly data: Readonly<Record<string, unknown>>;
    },
  ];
  /** MarketSchedule: a watched market moved in its trading window (from a message or the clock). */
  'market.phaseChanged': [
    {
      readonly ticker: string;
      readonly from: MarketPhase | undefined;
      readonly to: MarketPhase;
      readonly why: string;
      readonly at: number;
    },
  ];

  /**
   * A market's book or position cannot be trusted for `reason` (book_mismatch: it disagrees with the
   * exchange's REST book; position_mismatch: reconciliation found our position off): REDUCING.
   */
  'market.doubted': [{ readonly ticker: string; readonly reason: string; readonly at: number }];
  /** The doubt `reason` about a market is settled (a later check agrees). */
  'market.cleared': [{ readonly ticker: string; readonly reason: string; readonly at: number }];
  /**
   * A finished market we neither hold nor have orders in is no longer watched (its book is gone):
   * whatever doubts were held about it are moot, and nothing will ever clear them otherwise.
   */
  'market.unwatched': [{ readonly ticker: string; readonly at: number }];

  'exchange.statusChecked': [ExchangeStatusView & { readonly at: number }];
  /** The exchange's view of one of our orders (user_orders channel or a REST read). */
  'exchange.orderReported': [ExchangeOrder];
  /** One of our fills (fill channel or REST reconciliation); consumers dedupe on fillId. */
  'exchange.fillReported': [ExchangeFill];
  'exchange.positionReported': [ExchangePosition];
  /** `reconcile`: read by calibration, so the ledger is brought to it. */
  'exchange.balanceReported': [ExchangeBalance & { readonly at: number; readonly reconcile?: boolean }];
  /** A market of ours settled (calibration reads them back); revenue in micro-dollars. */
  'exchange.settlementReported': [
    { readonly ticker: string; readonly settledMs: number; readonly revenue: number },
  ];

  /** order_group_updates: one of the account's order groups changed (created, triggered, reset, …). */
  'exchange.orderGroupUpdated': [
    {
      readonly eventType: string;
      readonly orderGroupId: string;
      readonly contractsLimit?: number;
      readonly at: number;
    },
  ];
  /** Our order group was triggered by the exchange (its contracts limit), not by us: a breaker trips. */
  'exchange.orderGroupTriggered': [{ readonly orderGroupId: string; readonly at: number }];

  'connection.lost': [
    { readonly source: 'orderbook' | 'trading'; readonly reason: string; readonly at: number },
  ];
  'connection.restored': [{ readonly source: 'orderbook' | 'trading'; readonly at: number }];

  /** OrderService: an order changed lifecycle status (or fill count). */
  'order.changed': [TrackedOrder];
  /**
   * An order on the account that is not ours (unknown client_order_id) was adopted: tracked, counted
   * against exposure, flagged. With `--foreign-orders halt` the breaker trips ('foreign_orders').
   */
  'order.foreignFound': [{ readonly order: TrackedOrder; readonly source: string; readonly at: number }];
  /**
   * Calibration: the exchange's cash differs from the ledger by more than --max-balance-drift-dollars
   * (micros; `difference` = exchange − ledger). Booked as a reconciliation entry, and the breaker
   * trips ('balance_drift').
   */
  'balance.driftDetected': [
    {
      readonly exchange: number;
      readonly ledger: number;
      readonly difference: number;
      readonly threshold: number;
      readonly at: number;
    },
  ];
  'position.changed': [PositionView];
  /**
   * The PositionTracker applied one of our fills (each once) from `before`, the position it met:
   * what the fill's cash was depends on it ($1 a pair back when it nets against the other leg).
   */
  'position.fillApplied': [{ readonly fill: ExchangeFill; readonly before: number }];
  'position.driftDetected': [
    { readonly ticker: string; readonly local: number; readonly exchange: number; readonly at: number },
  ];

  'risk.breakerTripped': [{ readonly reason: string; readonly detail: string; readonly at: number }];
  'risk.breakerReset': [{ readonly by: string; readonly at: number }];
  /** An operator's halt and resume (recorded, so a halt outlives the process like a breaker). */
  'operator.halted': [{ readonly reason: string; readonly keepOrders: boolean; readonly at: number }];
  'operator.resumed': [{ readonly at: number }];

  /** Every strategy evaluation, traded or not. */
  'strategy.decided': [Decision];

  /**
   * The policy actor (seed 003's actor_* events, for the dashboard): every action it chose (with
   * the mask and inference latency), its orders' changes, its fills, its positions and its P&L.
   */
  'actor.action': [
    {
      readonly at: number;
      readonly ticker: string;
      readonly action: number;
      readonly name: string;
      /** Allowed actions as a 21-character bit string (index 0 first). */
      readonly mask: string;
      readonly latencyUs: number;
      readonly modelHash: string;
    },
  ];
  'actor.order': [TrackedOrder];
  'actor.fill': [ExchangeFill];
  'actor.position': [PositionView];
  'actor.pnl': [
    {
      readonly at: number;
      readonly realized: number;
      readonly unrealized: number;
      readonly fees: number;
      readonly net: number;
    },
  ];

  /**
   * The record cannot write a kind that must never be lost (orders, fills, ledger): `attempts`
   * consecutive failures so far; the rows stay queued and are retried. An alarm, not a log line:
   * the runtime halts trading until an operator resumes.
   */
  'record.writeFailing': [
    {
      readonly kind: string;
      readonly attempts: number;
      readonly error: string;
      readonly pendingRows: number;
      readonly at: number;
    },
  ];
  /** A kind that was failing writes again (the halt it caused stays until an operator resumes). */
  'record.writeRecovered': [{ readonly kind: string; readonly failures: number; readonly at: number }];

  /** StatusLogger's periodic block. */
  'status.reported': [
    { readonly at: number; readonly text: string; readonly data: Readonly<Record<string, unknown>> },
  ];
}

export type BusEventName = keyof BusEvents;

export class EventBus extends EventEmitter<BusEvents> {}

export function createBus(): EventBus {
  return new EventBus();
}
