/**
 * The trading record besides orders: machine transitions and decisions (many rows, written in
 * bulk through unnest), fills (idempotent on Kalshi's trade id within the session's exchange; the
 * fill totals of their orders are recomputed in the same transaction), positions (upsert per
 * session and market) and the ledger (idempotent on (exchange, kind, ref), with the balance after
 * each entry).
 */
import { and, asc, desc, eq, isNotNull, sql } from 'drizzle-orm';
import type { Database } from '../db.js';
import { fills, type LedgerKind, ledger, positions } from '../schema.js';
import { exchangeOf, recomputeFillTotals } from './fill-totals.js';
import type { DecisionRow, FillRow, LedgerRecord, LedgerRow, PositionRow, TransitionRow } from './rows.js';
import { unnestInsert } from './unnest.js';

/** Rows per drizzle statement (Postgres allows 65,535 parameters; 12 columns × 1,000 is well below). */
const CHUNK = 1_000;

function chunks<T>(rows: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += CHUNK) out.push(rows.slice(i, i + CHUNK));
  return out;
}

export interface TransitionsRepo {
  insertMany(rows: readonly TransitionRow[]): Promise<number>;
}

export interface DecisionsRepo {
  insertMany(rows: readonly DecisionRow[]): Promise<number>;
}

export interface FillsRepo {
  /**
   * Inserts the fills not yet recorded on their session's exchange; returns exactly those (a
   * replay returns []). The fill totals of the orders they belong to follow in the same transaction.
   */
  insertMany(rows: readonly FillRow[]): Promise<FillRow[]>;
  /** The fills of an order (on one exchange when given: ids are unique per exchange only). */
  byOrderId(orderId: string, exchange?: string): Promise<FillRow[]>;
  /** Trade ids already recorded on `exchange` at or after `since` (restart recovery). */
  idsSince(exchange: string, since: Date): Promise<string[]>;
}

export interface PositionsRepo {
  /** Insert or replace per (sessionId, ticker); a later row for the same key in one batch wins. */
  upsertMany(rows: readonly PositionRow[]): Promise<number>;
  bySession(sessionId: string): Promise<PositionRow[]>;
}

export interface LedgerRepo {
  /** Inserts the entries not yet recorded (by (kind, ref)); returns exactly those. */
  insertMany(rows: readonly LedgerRow[]): Promise<LedgerRecord[]>;
  /** balance_after of the session's newest entry that has one; undefined when none does. */
  balanceAfterLast(sessionId: string): Promise<number | undefined>;
  bySession(sessionId: string): Promise<LedgerRecord[]>;
  /** Refs of `kind` entries already recorded on `exchange` dated at or after `since` (restart recovery). */
  refsSince(exchange: string, kind: LedgerKind, since: Date): Promise<string[]>;
}

const insertTransitions = unnestInsert<TransitionRow>('machine_transitions', [
  { name: 'session_id', type: 'text', get: (r) => r.sessionId },
  { name: 'at', type: 'timestamptz', get: (r) => r.at },
  { name: 'from_state', type: 'text', get: (r) => r.fromState },
  { name: 'to_state', type: 'text', get: (r) => r.toState },
]);

const insertDecisions = unnestInsert<DecisionRow>('decisions', [
  { name: 'session_id', type: 'text', get: (r) => r.sessionId },
  { name: 'at', type: 'timestamptz', get: (r) => r.at },
  { name: 'ticker', type: 'text', get: (r) => r.ticker },
  { name: 'strategy', type: 'text', get: (r) => r.strategy },
  { name: 'action', type: 'text', get: (r) => r.action },
  { name: 'reason', type: 'text', get: (r) => r.reason },
  { name: 'features', type: 'jsonb', get: (r) => r.features },
  { name: 'features_hash', type: 'text', get: (r) => r.featuresHash },
  { name: 'model_output', type: 'jsonb', get: (r) => r.modelOutput },
  { name: 'model_hash', type: 'text', get: (r) => r.modelHash },
  { name: 'details', type: 'jsonb', get: (r) => r.details },
  { name: 'risk_ok', type: 'bool', get: (r) => r.riskOk },
  { name: 'risk_code', type: 'text', get: (r) => r.riskCode },
  { name: 'risk_detail', type: 'text', get: (r) => r.riskDetail },
  { name: 'client_order_id', type: 'text', get: (r) => r.clientOrderId },
]);

export function transitionsRepo(database: Database): TransitionsRepo {
  return { insertMany: (rows) => insertTransitions.run(database, rows) };
}

export function decisionsRepo(database: Database): DecisionsRepo {
  return { insertMany: (rows) => insertDecisions.run(database, rows) };
}

type FillSelect = typeof fills.$inferSelect;

function toFillRow(r: FillSelect): FillRow {
  const { exchange: _exchange, ...row } = r;
  return row;
}

export function fillsRepo(database: Database): FillsRepo {
  const { db } = database;
  return {
    async insertMany(rows) {
      // First occurrence of a fill id wins, inside the batch as against the table.
      const unique = new Map<string, FillRow>();
      for (const r of rows) if (!unique.has(r.fillId)) unique.set(r.fillId, r);
      const inserted = new Set<string>();
      for (const batch of chunks([...unique.values()])) {
        await db.transaction(async (tx) => {
          const ids = await tx
            .insert(fills)
            .values(
              batch.map((r) => ({
                ...r,
                exchange: exchangeOf(r.sessionId),
                clientOrderId: r.clientOrderId ?? null,
              })),
            )
            .onConflictDoNothing({ target: [fills.exchange, fills.fillId] })
            .returning({ fillId: fills.fillId, exchange: fills.exchange, orderId: fills.orderId });
          for (const { fillId } of ids) inserted.add(fillId);
          const byExchange = new Map<string, Set<string>>();
          for (const { exchange, orderId } of ids) {
            const set = byExchange.get(exchange) ?? new Set<string>();
            set.add(orderId);
            byExchange.set(exchange, set);
          }
          for (const [exchange, orderIds] of byExchange) {
            await tx.execute(
              recomputeFillTotals(
                sql`o2.exchange = ${exchange} and o2.order_id in (${sql.join(
                  [...orderIds].map((id) => sql`${id}`),
                  sql`, `,
                )})`,
              ),
            );
          }
        });
      }
      return [...unique.values()].filter((r) => inserted.has(r.fillId));
    },

    async byOrderId(orderId, exchange) {
      const rows = await db
        .select()
        .from(fills)
        .where(
          and(eq(fills.orderId, orderId), exchange === undefined ? undefined : eq(fills.exchange, exchange)),
        )
        .orderBy(asc(fills.createdAt), asc(fills.fillId));
      return rows.map(toFillRow);
    },

    async idsSince(exchange, since) {
      const rows = await db
        .select({ fillId: fills.fillId })
        .from(fills)
        .where(and(eq(fills.exchange, exchange), sql`${fills.createdAt} >= ${since}`));
      return rows.map((r) => r.fillId);
    },
  };
}

// One statement however many rows (a big account's first calibration writes 10,000 positions;
// drizzle's per-row query building was most of its database time).
const upsertPositions = unnestInsert<PositionRow>(
  'positions',
  [
    { name: 'session_id', type: 'text', get: (r) => r.sessionId },
    { name: 'ticker', type: 'text', get: (r) => r.ticker },
    { name: 'position', type: 'int4', get: (r) => r.position },
    { name: 'cost_basis', type: 'int8', get: (r) => r.costBasis },
    { name: 'realized_pnl', type: 'int8', get: (r) => r.realizedPnl },
    { name: 'fees', type: 'int8', get: (r) => r.fees },
    { name: 'updated_at', type: 'timestamptz', get: (r) => r.updatedAt },
  ],
  `on conflict (session_id, ticker) do update set position = excluded.position,
     cost_basis = excluded.cost_basis, realized_pnl = excluded.realized_pnl, fees = excluded.fees,
     updated_at = excluded.updated_at`,
);

export function positionsRepo(database: Database): PositionsRepo {
  const { db } = database;
  return {
    async upsertMany(rows) {
      // The latest row per market: one statement may not update a row twice.
      const latest = new Map<string, PositionRow>();
      for (const r of rows) latest.set(`${r.sessionId}\u0000${r.ticker}`, r);
      return upsertPositions.run(database, [...latest.values()]);
    },

    async bySession(sessionId) {
      return db
        .select()
        .from(positions)
        .where(eq(positions.sessionId, sessionId))
        .orderBy(asc(positions.ticker));
    },
  };
}

export function ledgerRepo(database: Database): LedgerRepo {
  const { db } = database;
  return {
    async insertMany(rows) {
      const out: LedgerRecord[] = [];
      for (const batch of chunks(rows)) {
        const inserted = await db
          .insert(ledger)
          .values(
            batch.map((r) => ({
              ...r,
              exchange: exchangeOf(r.sessionId),
              ticker: r.ticker ?? null,
              balanceAfter: r.balanceAfter ?? null,
            })),
          )
          .onConflictDoNothing({ target: [ledger.exchange, ledger.kind, ledger.ref] })
          .returning();
        out.push(...inserted.map(({ exchange: _exchange, ...row }) => row));
      }
      return out.sort((a, b) => a.id - b.id);
    },

    async balanceAfterLast(sessionId) {
      const [row] = await db
        .select({ balanceAfter: ledger.balanceAfter })
        .from(ledger)
        .where(and(eq(ledger.sessionId, sessionId), isNotNull(ledger.balanceAfter)))
        .orderBy(desc(ledger.id))
        .limit(1);
      return row?.balanceAfter ?? undefined;
    },

    async bySession(sessionId) {
      const rows = await db
        .select()
        .from(ledger)
        .where(eq(ledger.sessionId, sessionId))
        .orderBy(asc(ledger.id));
      return rows.map(({ exchange: _exchange, ...row }) => row);
    },

    async refsSince(exchange, kind, since) {
      const rows = await db
        .select({ ref: ledger.ref })
        .from(ledger)
        .where(and(eq(ledger.exchange, exchange), eq(ledger.kind, kind), sql`${ledger.at} >= ${since}`));
      return rows.map((r) => r.ref);
    },
  };
}

/** A breaker trip or reset as recorded in risk_events. */
export interface BreakerEventRow {
  readonly kind: 'breaker_tripped' | 'breaker_reset';
  readonly reason: string;
  readonly detail: string;
  readonly at: Date;
  readonly sessionId: string;
}

export interface RiskRepo {
  /**
   * The newest breaker trip or reset that any session on this exchange recorded: a trip with no
   * reset after it means trading is still halted (DESIGN §6 rule 4).
   */
  lastBreakerEvent(exchange: string): Promise<BreakerEventRow | undefined>;
}

export function riskRepo(database: Database): RiskRepo {
  return {
    async lastBreakerEvent(exchange) {
      const rows = await database.query<{
        kind: BreakerEventRow['kind'];
        reason: string;
        detail: string;
        at: Date | string;
        session_id: string;
      }>(
        `select r.kind, r.reason, r.detail, r.at, r.session_id
           from risk_events r
           join trading_sessions s on s.id = r.session_id
          where r.kind in ('breaker_tripped', 'breaker_reset')
            and s.exchange = $1
          order by r.at desc, r.id desc
          limit 1`,
        [exchange],
      );
      const row = rows[0];
      if (!row) return undefined;
      return {
        kind: row.kind,
        reason: row.reason,
        detail: row.detail,
        at: new Date(row.at),
        sessionId: row.session_id,
      };
    },
  };
}
