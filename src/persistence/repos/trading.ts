/**
 * The trading record besides orders: machine transitions and decisions (many rows, written in
 * bulk through unnest), fills (idempotent on Kalshi's trade id), positions (upsert per session and
 * market) and the ledger (idempotent on (kind, ref), with the balance after each entry).
 */
import { and, asc, desc, eq, isNotNull, sql } from 'drizzle-orm';
import type { Database } from '../db.js';
import { fills, ledger, positions, type SessionEnvironment } from '../schema.js';
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
  /** Inserts the fills not yet recorded; returns exactly those (a replay returns []). */
  insertMany(rows: readonly FillRow[]): Promise<FillRow[]>;
  byOrderId(orderId: string): Promise<FillRow[]>;
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
  return { ...r };
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
        const ids = await db
          .insert(fills)
          .values(batch.map((r) => ({ ...r, clientOrderId: r.clientOrderId ?? null })))
          .onConflictDoNothing({ target: fills.fillId })
          .returning({ fillId: fills.fillId });
        for (const { fillId } of ids) inserted.add(fillId);
      }
      return [...unique.values()].filter((r) => inserted.has(r.fillId));
    },

    async byOrderId(orderId) {
      const rows = await db
        .select()
        .from(fills)
        .where(eq(fills.orderId, orderId))
        .orderBy(asc(fills.createdAt), asc(fills.fillId));
      return rows.map(toFillRow);
    },
  };
}

export function positionsRepo(database: Database): PositionsRepo {
  const { db } = database;
  return {
    async upsertMany(rows) {
      const latest = new Map<string, PositionRow>();
      for (const r of rows) latest.set(`${r.sessionId}\u0000${r.ticker}`, r);
      for (const batch of chunks([...latest.values()])) {
        await db
          .insert(positions)
          .values(batch)
          .onConflictDoUpdate({
            target: [positions.sessionId, positions.ticker],
            set: {
              position: sql`excluded.position`,
              costBasis: sql`excluded.cost_basis`,
              realizedPnl: sql`excluded.realized_pnl`,
              fees: sql`excluded.fees`,
              updatedAt: sql`excluded.updated_at`,
            },
          });
      }
      return latest.size;
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
            batch.map((r) => ({ ...r, ticker: r.ticker ?? null, balanceAfter: r.balanceAfter ?? null })),
          )
          .onConflictDoNothing({ target: [ledger.kind, ledger.ref] })
          .returning();
        out.push(...inserted);
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
      return db.select().from(ledger).where(eq(ledger.sessionId, sessionId)).orderBy(asc(ledger.id));
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
   * The newest breaker trip or reset that any session on this exchange (environment + REST URL)
   * recorded: a trip with no reset after it means trading is still halted (DESIGN §6 rule 4).
   */
  lastBreakerEvent(environment: SessionEnvironment, restUrl: string): Promise<BreakerEventRow | undefined>;
}

export function riskRepo(database: Database): RiskRepo {
  return {
    async lastBreakerEvent(environment, restUrl) {
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
            and s.environment = $1 and s.config->>'restUrl' = $2
          order by r.at desc, r.id desc
          limit 1`,
        [environment, restUrl],
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
