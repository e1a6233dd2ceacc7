/**
 * The plain row objects the repositories take and return. Units as everywhere (src/kalshi/units.ts):
 * prices are integer 1/10,000 $, counts integer 1/100 contract, money integer micro-dollars.
 * Times are Dates (UTC instants); the domain's epoch-ms numbers are converted by the helpers at the
 * bottom (decisionRow, fillRow, positionRow).
 */
import { createHash } from 'node:crypto';
import type { TraderEnv } from '../../config/index.js';
import type {
  BookSide,
  Count,
  Decision,
  ExchangeFill,
  Micros,
  PositionView,
  Price,
  TrackedOrder,
} from '../../domain/index.js';
import type {
  BookLeg,
  DecisionAction,
  LedgerKind,
  SessionEnvironment,
  SessionStatus,
  SnapshotLevel,
} from '../schema.js';

// ── sessions ────────────────────────────────────────────────────────────────────────────────

export interface SessionStart {
  /** Default: a random UUID. */
  readonly id?: string;
  /** The config's env; `paper` is stored as `demo`. */
  readonly environment: SessionEnvironment | TraderEnv;
  /**
   * The exchange it trades on (src/runtime/exchange-key.ts): orders, fills and ledger entries are
   * unique per exchange. Default: a key of its own (`session:<id>`), sharing identities with nothing.
   */
  readonly exchange?: string;
  /** The redacted config (redactedConfig()); secret-named keys are scrubbed again on the way in. */
  readonly config: object;
  readonly dryRun: boolean;
  /** Default: now. */
  readonly startedAt?: Date;
  /** Default: this process. */
  readonly pid?: number | null;
  /** Default: this host's name. */
  readonly host?: string | null;
}

export interface SessionRecord {
  readonly id: string;
  readonly environment: SessionEnvironment;
  readonly exchange: string;
  readonly config: Record<string, unknown>;
  readonly status: SessionStatus;
  readonly dryRun: boolean;
  readonly startedAt: Date;
  readonly endedAt: Date | null;
  readonly dataGap: boolean;
  readonly shedRows: number;
  readonly pid: number | null;
  readonly host: string | null;
  readonly summary: Record<string, unknown> | null;
}

/** A session as `sessions.list()` shows it: no config, with row counts. */
export interface SessionListRow extends Omit<SessionRecord, 'config'> {
  readonly decisions: number;
  readonly orders: number;
  readonly fills: number;
  readonly deltas: number;
}

// ── trading record ──────────────────────────────────────────────────────────────────────────

export interface TransitionRow {
  readonly sessionId: string;
  readonly at: Date;
  readonly fromState: string;
  readonly toState: string;
}

export interface DecisionRow {
  readonly sessionId: string;
  readonly at: Date;
  readonly ticker: string;
  readonly strategy: string;
  readonly action: DecisionAction;
  readonly reason: string;
  readonly features?: unknown;
  readonly featuresHash?: string | null;
  readonly modelOutput?: unknown;
  readonly modelHash?: string | null;
  /** The strategy's details (DecisionEvidence.details). */
  readonly details?: unknown;
  readonly riskOk?: boolean | null;
  readonly riskCode?: string | null;
  readonly riskDetail?: string | null;
  readonly clientOrderId?: string | null;
}

/** An order as stored: the TrackedOrder (with its status history) and the session that placed it. */
export interface StoredOrder extends TrackedOrder {
  readonly sessionId: string;
}

export interface OrderUpsertResult {
  /** True when this call created the row (the write-ahead record). */
  readonly inserted: boolean;
  /** order_events rows appended by this call. */
  readonly eventsAppended: number;
}

export interface FillRow {
  /** Kalshi's trade id. */
  readonly fillId: string;
  readonly sessionId: string;
  readonly orderId: string;
  readonly clientOrderId?: string | null;
  readonly ticker: string;
  readonly bookSide: BookSide;
  readonly yesPrice: Price;
  readonly count: Count;
  readonly fee: Micros;
  readonly isTaker: boolean;
  /** Exchange time of the fill. */
  readonly createdAt: Date;
  readonly receivedAt: Date;
}

export interface PositionRow {
  readonly sessionId: string;
  readonly ticker: string;
  readonly position: Count;
  readonly costBasis: Micros;
  readonly realizedPnl: Micros;
  readonly fees: Micros;
  readonly updatedAt: Date;
}

export interface LedgerRow {
  readonly sessionId: string;
  readonly at: Date;
  readonly kind: LedgerKind;
  readonly ticker?: string | null;
  /**
   * What the entry is for (fill id, settlement id, ...). (exchange of the session, kind, ref) is
   * unique: re-recording is a no-op.
   */
  readonly ref: string;
  /** Signed micro-dollars: + money in, − money out. */
  readonly amount: Micros;
  readonly balanceAfter?: Micros | null;
}

export interface LedgerRecord extends LedgerRow {
  readonly id: number;
  readonly ticker: string | null;
  readonly balanceAfter: Micros | null;
}

// ── market data and status (bulk) ─────────────────────────────────────────────────────────

export interface DeltaRow {
  readonly sessionId: string;
  readonly ticker: string;
  readonly sid: number;
  readonly seq: number;
  readonly side: BookLeg;
  readonly price: Price;
  /** Signed change of the resting count at `price`, 1/100 contract. */
  readonly delta: Count;
  readonly clientOrderId?: string | null;
  /**
   * A Date or epoch milliseconds: the recorder hands the bus's ms straight through (no Date per
   * delta on the hot path); the bulk encoders format either the same way.
   */
  readonly exchangeTs?: Date | number | null;
  readonly receivedAt: Date | number;
}

/**
 * A delta as the bus carries it (`BookDeltaRecord` is one): the Recorder queues the bus's record
 * itself, so a delta is one object from the feed to the database; the session is the batch's
 * (`BulkRepo.insertDeltaRecords`). Times are epoch ms; absent optional fields are NULL.
 */
export interface DeltaRecord {
  readonly ticker: string;
  readonly sid: number;
  readonly seq: number;
  readonly side: BookLeg;
  readonly price: Price;
  readonly delta: Count;
  readonly clientOrderId?: string;
  readonly exchangeTsMs?: number;
  readonly receivedMs: number;
}

export interface SnapshotRow {
  readonly sessionId: string;
  readonly ticker: string;
  readonly sid: number;
  readonly seq: number;
  /** YES bids as [price, count] levels. */
  readonly yes: readonly SnapshotLevel[];
  /** NO bids as [price, count] levels. */
  readonly no: readonly SnapshotLevel[];
  readonly exchangeTs?: Date | null;
  readonly receivedAt: Date;
}

export interface MarketPriceRow {
  readonly sessionId: string;
  readonly ticker: string;
  readonly at: Date;
  readonly yesBid?: Price | null;
  readonly yesAsk?: Price | null;
  readonly yesBidSize: Count;
  readonly yesAskSize: Count;
  readonly lastPrice?: Price | null;
}

export interface StatusSnapshotRow {
  readonly sessionId: string;
  readonly at: Date;
  readonly state: string;
  readonly text: string;
  readonly data: unknown;
}

export interface RiskEventRow {
  readonly sessionId: string;
  readonly at: Date;
  readonly kind: string;
  readonly reason: string;
  readonly detail: string;
  readonly data?: unknown;
}

export interface LifecycleEventRow {
  readonly sessionId: string;
  readonly at: Date;
  readonly ticker: string;
  readonly eventType: string;
  readonly data: unknown;
}

// ── reports ─────────────────────────────────────────────────────────────────────────────────

export interface PnlReportRow {
  readonly sessionId: string;
  readonly environment: SessionEnvironment;
  readonly status: SessionStatus;
  readonly startedAt: Date;
  readonly endedAt: Date | null;
  /** Fills recorded in the session, and the contracts (Count) and fees (Micros) they carried. */
  readonly fills: number;
  readonly contracts: Count;
  readonly fillFees: Micros;
  /** From positions: realized P&L, fees, and the cost basis still open. */
  readonly realizedPnl: Micros;
  readonly positionFees: Micros;
  readonly openCostBasis: Micros;
  /** Sum of the session's ledger amounts, and the last recorded balance. */
  readonly ledgerNet: Micros;
  readonly balanceAfter: Micros | null;
}

export interface DecisionCountRow {
  readonly strategy: string;
  readonly action: DecisionAction;
  readonly reason: string;
  readonly count: number;
}

// ── converters from the domain ─────────────────────────────────────────────────────────────

/** sha256 of a JSON value with object keys sorted, hex. Equal features give equal hashes. */
export function hashJson(value: unknown): string {
  const canonical = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(canonical);
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return createHash('sha256')
    .update(JSON.stringify(canonical(value)))
    .digest('hex');
}

/** A Decision (epoch ms) as a row; the features hash is computed when features are present. */
export function decisionRow(sessionId: string, decision: Decision): DecisionRow {
  const model = decision.model;
  const verdict = decision.verdict;
  return {
    sessionId,
    at: new Date(decision.at),
    ticker: decision.ticker,
    strategy: decision.strategy,
    action: decision.action,
    reason: decision.reason,
    features: decision.features ?? null,
    featuresHash: decision.features ? hashJson(decision.features) : null,
    modelOutput: model
      ? {
          output: model.output,
          ...(model.featureVersion !== undefined ? { featureVersion: model.featureVersion } : {}),
          ...(model.mask !== undefined ? { mask: model.mask } : {}),
          ...(model.observedAt !== undefined ? { observedAt: model.observedAt } : {}),
        }
      : null,
    modelHash: model?.hash ?? null,
    details: decision.details ?? null,
    riskOk: verdict ? verdict.ok : null,
    riskCode: verdict && !verdict.ok ? verdict.code : null,
    riskDetail: verdict && !verdict.ok ? verdict.detail : null,
    clientOrderId: decision.clientOrderId ?? null,
  };
}

export function fillRow(sessionId: string, fill: ExchangeFill, receivedAt: Date): FillRow {
  return {
    fillId: fill.fillId,
    sessionId,
    orderId: fill.orderId,
    clientOrderId: fill.clientOrderId ?? null,
    ticker: fill.ticker,
    bookSide: fill.bookSide,
    yesPrice: fill.yesPrice,
    count: fill.count,
    fee: fill.fee,
    isTaker: fill.isTaker,
    createdAt: new Date(fill.createdMs),
    receivedAt,
  };
}

export function positionRow(sessionId: string, view: PositionView, updatedAt: Date): PositionRow {
  return {
    sessionId,
    ticker: view.ticker,
    position: view.position,
    costBasis: view.costBasis,
    realizedPnl: view.realizedPnl,
    fees: view.feesPaid,
    updatedAt,
  };
}
