/**
 * The Recorder turns the bus into the trading record: everything the trader sees, decides and
 * does, written through the batching write queue so no hot path ever waits for the database.
 *
 * Policies: the order book stream (snapshots, deltas) and the price archive may be shed under
 * overload — every shed row is counted and the session is marked as having a data gap. Everything
 * else (transitions, decisions, orders, fills, ledger, positions, status, risk, lifecycle) is kept.
 *
 * The write-ahead record of an order does NOT go through the queue: `writeAhead(order)` commits it
 * directly and is awaited before the order is sent (OrderService's beforeSend).
 *
 * The ledger (one entry per balance-affecting event, with the balance after it):
 *   fill           − count × leg price (+ $1 per YES/NO pair the fill nets out)
 *   fee            − the fill's fee
 *   settlement     + the settlement's revenue
 *   reconciliation the exchange's balance at calibration − the running balance (the first entry of
 *                  a record is the opening balance)
 * Fills already in the database (an earlier run recorded them) are not entered twice.
 *
 * Orders, fills and the ledger must never be lost: when one of them fails to write
 * `ALARM_AFTER_ATTEMPTS` times in a row (or a write-ahead fails), 'record.writeFailing' goes on the
 * bus (the runtime halts trading on it) and the rows stay queued and retried; 'record.writeRecovered'
 * follows when they land. Rows still unwritten at close are handed back by `unwritten()`.
 */
import type { BusEvents, EventBus } from '../bus.js';
import type { Count, ExchangeFill, TrackedOrder } from '../domain/index.js';
import { type Micros, notional, PRICE_SCALE } from '../domain/index.js';
import { DeltaColumns } from './delta-columns.js';
import {
  type DecisionRow,
  type DeltaRecord,
  type DeltaRow,
  decisionRow,
  type FillRow,
  fillRow,
  type LedgerRow,
  type LifecycleEventRow,
  type MarketPriceRow,
  type PositionRow,
  positionRow,
  type RiskEventRow,
  type SnapshotRow,
  type StatusSnapshotRow,
  type TransitionRow,
} from './repos/rows.js';
import type { Repositories } from './repositories.js';
import { createWriteQueue, type WriteQueue } from './write-queue.js';

/** The kinds that must never be lost: their write failures are alarms. */

/** The risk_events reasons an operator's halt is recorded under (kind breaker_tripped). */
export const OPERATOR_HALT = 'operator_halt';
export const OPERATOR_HALT_KEEP_ORDERS = 'operator_halt_keep_orders';

export const CRITICAL_KINDS: ReadonlySet<string> = new Set(['orders', 'fills', 'ledger']);
/** Consecutive failures of a critical kind before the alarm. */
export const ALARM_AFTER_ATTEMPTS = 3;

export interface SettlementRecord {
  readonly ticker: string;
  readonly settledMs: number;
  readonly revenue: Micros;
}

export interface RecorderDeps {
  repos: Repositories;
  bus: EventBus;
  sessionId: string;
  clock: () => number;
  /** Top of book per market, for the price archive. */
  topOfBook: () => ReadonlyArray<Omit<MarketPriceRow, 'sessionId' | 'at'>>;
  priceArchiveMs?: number;
  /** Fill ids already in the database and the balance after its last ledger entry, if any. */
  knownFillIds?: Iterable<string>;
  /** Settlement refs (`ticker@settledMs`) the ledger already has: calibration reads them again. */
  knownSettlementRefs?: Iterable<string>;
  /**
   * Fill ids whose cash (ledger 'fill') and fee (ledger 'fee') entries the ledger already has. Not
   * the same as knownFillIds: fills and ledger rows are written by separate flushes, so a kill -9
   * between them leaves a fill row without its cash (or the cash without the row); each part is
   * booked if it is missing and never twice. Default: knownFillIds (both parts known).
   */
  knownFillLedgerRefs?: { readonly fill: Iterable<string>; readonly fee: Iterable<string> };
  openingBalance?: Micros;
  onError?: (what: string, error: Error) => void;
}

type Rows = {
  transitions: TransitionRow;
  decisions: DecisionRow;
  orders: TrackedOrder;
  fills: FillRow;
  ledger: LedgerRow;
  positions: PositionRow;
  snapshots: SnapshotRow;
  /** The bus's record itself (one object per delta from the feed to the database). */
  deltas: DeltaRecord;
  prices: MarketPriceRow;
  status: StatusSnapshotRow;
  risk: RiskEventRow;
  lifecycle: LifecycleEventRow;
};

/** The orderbook_deltas row of a queued bus record (for `unwritten()`; the writer reads records). */
function deltaRow(sessionId: string, d: DeltaRecord): DeltaRow {
  return {
    sessionId,
    ticker: d.ticker,
    sid: d.sid,
    seq: d.seq,
    side: d.side,
    price: d.price,
    delta: d.delta,
    clientOrderId: d.clientOrderId ?? null,
    exchangeTs: d.exchangeTsMs ?? null,
    receivedAt: d.receivedMs,
  };
}

/** The latest snapshot per key, in first-seen order (orders and positions are upserts). */
function latestBy<T>(rows: readonly T[], key: (r: T) => string): T[] {
  const m = new Map<string, T>();
  for (const r of rows) {
    m.delete(key(r));
    m.set(key(r), r);
  }
  return [...m.values()];
}

export class Recorder {
  readonly queue: WriteQueue<keyof Rows & string, Rows>;
  private readonly seenFills: Set<string>;
  /** Fills whose ledger 'fill' / 'fee' entry is booked (this run or before it). */
  private readonly bookedFillCash: Set<string>;
  private readonly bookedFillFees: Set<string>;
  private readonly seenSettlements: Set<string>;
  private balance: Micros | undefined;
  private shed = 0;
  private gapMarked = 0;
  private gapTimer: NodeJS.Timeout | undefined;
  private priceTimer: NodeJS.Timeout | undefined;
  private readonly unsubscribers: Array<() => void> = [];
  private reconciliations = 0;

  constructor(private readonly deps: RecorderDeps) {
    const { repos, sessionId } = deps;
    this.seenFills = new Set(deps.knownFillIds ?? []);
    this.bookedFillCash = new Set(deps.knownFillLedgerRefs?.fill ?? deps.knownFillIds ?? []);
    this.bookedFillFees = new Set(deps.knownFillLedgerRefs?.fee ?? deps.knownFillIds ?? []);
    this.seenSettlements = new Set(deps.knownSettlementRefs ?? []);
    this.balance = deps.openingBalance;
    const keep = (maxBatch: number) => ({ policy: 'keep' as const, maxBatch });
    const shed = (maxBatch: number) => ({ policy: 'shed' as const, maxBatch });
    this.queue = createWriteQueue<Rows>({
      kinds: {
        transitions: { ...keep(500), flush: async (rows) => void (await repos.transitions.insertMany(rows)) },
        decisions: { ...keep(1000), flush: async (rows) => void (await repos.decisions.insertMany(rows)) },
        orders: {
          ...keep(200),
          flush: async (rows) => {
            await repos.orders.upsertMany(
              sessionId,
              latestBy(rows, (r) => r.clientOrderId),
            );
          },
        },
        fills: { ...keep(500), flush: async (rows) => void (await repos.fills.insertMany(rows)) },
        ledger: { ...keep(1000), flush: async (rows) => void (await repos.ledger.insertMany(rows)) },
        positions: {
          ...keep(500),
          flush: async (rows) => void (await repos.positions.upsertMany(latestBy(rows, (r) => r.ticker))),
        },
        snapshots: { ...shed(200), flush: async (rows) => void (await repos.bulk.insertSnapshots(rows)) },
        deltas: {
          ...shed(2000),
          store: () => new DeltaColumns(),
          flush: async (rows) => void (await repos.bulk.insertDeltaRecords(sessionId, rows)),
        },
        prices: { ...shed(1000), flush: async (rows) => void (await repos.bulk.insertMarketPrices(rows)) },
        status: { ...keep(100), flush: async (rows) => void (await repos.bulk.insertStatusSnapshots(rows)) },
        risk: { ...keep(500), flush: async (rows) => void (await repos.bulk.insertRiskEvents(rows)) },
        lifecycle: {
          ...keep(500),
          flush: async (rows) => void (await repos.bulk.insertLifecycleEvents(rows)),
        },
      },
      onShed: (_kind, count) => this.onShed(count),
      onFlushError: (kind, error, attempt) => {
        const err = error instanceof Error ? error : new Error(String(error));
        if (attempt === 1 || attempt % 10 === 0) deps.onError?.(`writing ${kind} (attempt ${attempt})`, err);
        if (CRITICAL_KINDS.has(kind) && attempt === ALARM_AFTER_ATTEMPTS) this.alarm(kind, attempt, err);
      },
      onFlushRecovered: (kind, failures) => {
        if (CRITICAL_KINDS.has(kind) && failures >= ALARM_AFTER_ATTEMPTS) {
          deps.bus.emit('record.writeRecovered', { kind, failures, at: deps.clock() });
        }
      },
    });
  }

  /** Commits an order's record before it is sent (write-ahead); a failure is an alarm too. */
  async writeAhead(order: TrackedOrder): Promise<void> {
    try {
      await this.deps.repos.orders.upsert(this.deps.sessionId, order);
    } catch (err) {
      this.alarm('orders', 1, err instanceof Error ? err : new Error(String(err)), 'write-ahead');
      throw err;
    }
  }

  private alarm(kind: string, attempts: number, error: Error, what = 'queued rows'): void {
    const pending = (this.queue.pending() as Record<string, unknown[]>)[kind]?.length ?? 0;
    this.deps.bus.emit('record.writeFailing', {
      kind,
      attempts,
      error: `${what}: ${error.message}`,
      pendingRows: pending,
      at: this.deps.clock(),
    });
  }

  /**
   * Rows still queued (after a failed close: what could not be written), per kind. Deltas are
   * given as the table's rows (DeltaRow: session, epoch-ms times), as they were before the queue
   * held the bus's records.
   */
  unwritten(): Array<{ kind: string; rows: unknown[] }> {
    const { sessionId } = this.deps;
    return Object.entries(this.queue.pending() as Record<string, unknown[]>)
      .filter(([, rows]) => rows.length > 0)
      .map(([kind, rows]) => ({
        kind,
        rows: kind === 'deltas' ? (rows as DeltaRecord[]).map((d) => deltaRow(sessionId, d)) : rows,
      }));
  }

  start(): void {
    const { bus, sessionId } = this.deps;
    const q = this.queue;
    const at = (ms: number) => new Date(ms);
    this.on(bus, 'machine.transitioned', (t) =>
      q.push('transitions', { sessionId, at: at(t.at), fromState: t.from, toState: t.to }),
    );
    this.on(bus, 'strategy.decided', (d) => q.push('decisions', decisionRow(sessionId, d)));
    this.on(bus, 'order.changed', (o) => q.push('orders', o));
    this.on(bus, 'exchange.fillReported', (f) => this.onFill(f));
    this.on(bus, 'position.fillApplied', (a) => this.onFillApplied(a.fill, a.before));
    this.on(bus, 'exchange.settlementReported', (s) => this.onSettlement(s));
    this.on(bus, 'exchange.balanceReported', (b) => {
      if (b.reconcile) this.reconcile(b.cash, b.at);
    });
    this.on(bus, 'position.changed', (p) =>
      q.push('positions', positionRow(sessionId, p, at(this.deps.clock()))),
    );
    // The actor acts only on updates the record kept (seed 003): 'book.recorded' says so (to
    // whoever listens: a collector without a strategy has nobody, and builds no payload).
    const recorded = (ticker: string, receivedMs: number, ok: boolean) => {
      if (ok && bus.listenerCount('book.recorded') > 0) bus.emit('book.recorded', { ticker, receivedMs });
    };
    this.on(bus, 'book.snapshotReceived', (s) =>
      recorded(
        s.ticker,
        s.receivedMs,
        q.push('snapshots', {
          sessionId,
          ticker: s.ticker,
          sid: s.sid,
          seq: s.seq,
          yes: s.yes.map(([p, c]) => [p, c] as const),
          no: s.no.map(([p, c]) => [p, c] as const),
          receivedAt: at(s.receivedMs),
        }),
      ),
    );
    this.on(bus, 'book.deltaReceived', (d) => {
      // The lane copies the record's fields into its columns (DeltaColumns): no row object is
      // built or kept per delta; the session is added when the batch is written.
      const kept = q.push('deltas', d);
      // A delta the local book dropped (resyncing) changes no book: nothing to act on.
      recorded(d.ticker, d.receivedMs, kept && d.applied);
    });
    this.on(bus, 'status.reported', (s) =>
      q.push('status', {
        sessionId,
        at: at(s.at),
        state: String(s.data.state ?? ''),
        text: s.text,
        data: s.data,
      }),
    );
    // A trip or reset decides whether the next run starts halted: written at once, not on the
    // queue's interval, so a kill -9 right after it does not lose it.
    const flushNow = () =>
      void q.flush().catch((err: Error) => this.deps.onError?.('flushing a breaker event', err));
    this.on(bus, 'risk.breakerTripped', (e) => {
      q.push('risk', {
        sessionId,
        at: at(e.at),
        kind: 'breaker_tripped',
        reason: e.reason,
        detail: e.detail,
      });
      flushNow();
    });
    this.on(bus, 'risk.breakerReset', (e) => {
      q.push('risk', {
        sessionId,
        at: at(e.at),
        kind: 'breaker_reset',
        reason: 'operator',
        detail: `reset by ${e.by}`,
      });
      flushNow();
    });
    // An operator's halt is kept like a trip (reason operator_halt[_keep_orders], detail: why), and
    // the resume like a reset: a restart on this exchange starts halted until an operator resumes.
    this.on(bus, 'operator.halted', (e) => {
      q.push('risk', {
        sessionId,
        at: at(e.at),
        kind: 'breaker_tripped',
        reason: e.keepOrders ? OPERATOR_HALT_KEEP_ORDERS : OPERATOR_HALT,
        detail: e.reason,
      });
      flushNow();
    });
    this.on(bus, 'operator.resumed', (e) => {
      q.push('risk', {
        sessionId,
        at: at(e.at),
        kind: 'breaker_reset',
        reason: 'operator',
        detail: 'resumed by operator',
      });
      flushNow();
    });
    this.on(bus, 'position.driftDetected', (d) =>
      q.push('risk', {
        sessionId,
        at: at(d.at),
        kind: 'position_drift',
        reason: d.ticker,
        detail: `local ${d.local} vs exchange ${d.exchange}`,
        data: d,
      }),
    );
    this.on(bus, 'order.changed', (o) => {
      if (o.status === 'denied' && o.history.length <= 2) {
        q.push('risk', {
          sessionId,
          at: at(o.updatedMs),
          kind: 'denied',
          reason: o.reason ?? 'denied',
          detail: o.clientOrderId,
        });
      }
    });
    this.on(bus, 'market.lifecycle', (e) =>
      q.push('lifecycle', {
        sessionId,
        at: at(e.at),
        ticker: e.ticker,
        eventType: e.eventType,
        data: e.data,
      }),
    );
    const every = this.deps.priceArchiveMs ?? 5_000;
    this.priceTimer = setInterval(() => {
      const now = at(this.deps.clock());
      for (const top of this.deps.topOfBook()) q.push('prices', { ...top, sessionId, at: now });
    }, every);
    this.priceTimer.unref();
  }

  private on<E extends keyof BusEvents>(bus: EventBus, event: E, fn: (...args: BusEvents[E]) => void): void {
    // biome-ignore lint/suspicious/noExplicitAny: eventemitter3's per-event listener types.
    bus.on(event, fn as any);
    // biome-ignore lint/suspicious/noExplicitAny: as above.
    this.unsubscribers.push(() => bus.off(event, fn as any));
  }

  private ledger(row: Omit<LedgerRow, 'sessionId' | 'balanceAfter'>): void {
    if (this.balance !== undefined) this.balance += row.amount;
    this.queue.push('ledger', { ...row, sessionId: this.deps.sessionId, balanceAfter: this.balance ?? null });
  }

  /** The fill's row, once (its cash waits for the PositionTracker: see onFillApplied). */
  private onFill(fill: ExchangeFill): void {
    if (this.seenFills.has(fill.fillId)) return;
    this.seenFills.add(fill.fillId);
    this.queue.push('fills', fillRow(this.deps.sessionId, fill, new Date(this.deps.clock())));
  }

  /**
   * The fill's cash and fee, each once, when the PositionTracker applies it from `before`: the
   * position it met decides the cash (buying one leg against the other held nets $1 a pair back).
   * A restarted run's tracker holds every fill until the first calibration says where the run
   * started, so no fill is booked from a position it did not meet (chaos findings 7 and 12).
   */
  private onFillApplied(fill: ExchangeFill, before: Count): void {
    const id = fill.fillId;
    const cash = !this.bookedFillCash.has(id);
    const fee = fill.fee !== 0 && !this.bookedFillFees.has(id);
    this.bookedFillCash.add(id);
    this.bookedFillFees.add(id);
    const at = new Date(fill.createdMs);
    if (cash) {
      const signed = fill.bookSide === 'bid' ? fill.count : -fill.count;
      const legPrice = fill.bookSide === 'bid' ? fill.yesPrice : PRICE_SCALE - fill.yesPrice;
      const opposite = (signed > 0 && before < 0) || (signed < 0 && before > 0);
      const pairs = opposite ? Math.min(fill.count, Math.abs(before)) : 0;
      this.ledger({
        at,
        kind: 'fill',
        ticker: fill.ticker,
        ref: id,
        amount: notional(pairs, PRICE_SCALE) - notional(fill.count, legPrice),
      });
    }
    if (fee) this.ledger({ at, kind: 'fee', ticker: fill.ticker, ref: id, amount: -fill.fee });
  }

  /**
   * Every calibration reads the session's settlements back; each is booked once (the database
   * would drop a second row by (kind, ref), but the running balance would count it twice and the
   * next calibration see a drift that is not there).
   */
  private onSettlement(s: SettlementRecord): void {
    const ref = `${s.ticker}@${s.settledMs}`;
    if (this.seenSettlements.has(ref)) return;
    this.seenSettlements.add(ref);
    this.ledger({ at: new Date(s.settledMs), kind: 'settlement', ticker: s.ticker, ref, amount: s.revenue });
  }

  /** Calibration's balance: the ledger is brought to it with one reconciliation entry if needed. */
  private reconcile(cash: Micros, atMs: number): void {
    const diff = cash - (this.balance ?? 0);
    this.reconciliations += 1;
    if (this.balance !== undefined && diff === 0) return;
    this.balance = this.balance ?? 0;
    this.ledger({
      at: new Date(atMs),
      kind: 'reconciliation',
      ticker: null,
      ref: `${this.deps.sessionId}#${this.reconciliations}`,
      amount: diff,
    });
  }

  private onShed(count: number): void {
    this.shed += count;
    if (this.gapTimer) return;
    this.gapTimer = setTimeout(() => {
      this.gapTimer = undefined;
      if (this.shed === this.gapMarked) return;
      this.gapMarked = this.shed;
      this.deps.repos.sessions
        .markGap(this.deps.sessionId, this.shed)
        .catch((err: Error) => this.deps.onError?.('marking the data gap', err));
    }, 1_000);
    this.gapTimer.unref();
  }

  /** The balance the ledger says we have now (undefined before the first calibration). */
  get runningBalance(): Micros | undefined {
    return this.balance;
  }

  get shedRows(): number {
    return this.shed;
  }

  /** Stops listening and writes everything still queued. */
  async close(): Promise<void> {
    for (const off of this.unsubscribers.splice(0)) off();
    if (this.priceTimer) clearInterval(this.priceTimer);
    if (this.gapTimer) clearTimeout(this.gapTimer);
    try {
      await this.queue.close();
    } finally {
      if (this.shed > this.gapMarked) await this.deps.repos.sessions.markGap(this.deps.sessionId, this.shed);
    }
  }
}
