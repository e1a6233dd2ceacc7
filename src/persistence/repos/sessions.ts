/**
 * Trading sessions: one row per run of the trader, tagged with its environment and (redacted)
 * config; ended with a status and a summary; marked when the collector shed rows (a data gap).
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { eq, sql } from 'drizzle-orm';
import { redactSecrets } from '../../config/index.js';
import type { Database } from '../db.js';
import { type SessionEnvironment, type SessionStatus, tradingSessions } from '../schema.js';
import type { SessionListRow, SessionRecord, SessionStart } from './rows.js';

export interface SessionsRepo {
  /** Records a running session; returns it (with its id). */
  start(input: SessionStart): Promise<SessionRecord>;
  /** Sets the final status (ended or crashed), the end time (default now) and the summary. */
  end(
    id: string,
    outcome: { status: Exclude<SessionStatus, 'running'>; summary?: object | null; endedAt?: Date },
  ): Promise<void>;
  /** The collector shed `shedRows` more rows: adds them to the count and flags the data gap. */
  markGap(id: string, shedRows: number): Promise<void>;
  get(id: string): Promise<SessionRecord | undefined>;
  /** Newest first, with row counts; `exchange` keeps only the sessions on that exchange. */
  list(options?: { limit?: number; status?: SessionStatus; exchange?: string }): Promise<SessionListRow[]>;
}

function environmentOf(env: SessionStart['environment']): SessionEnvironment {
  return env === 'paper' ? 'demo' : env;
}

function redactedObject(value: object): Record<string, unknown> {
  return redactSecrets(value) as Record<string, unknown>;
}

interface ListSqlRow extends Record<string, unknown> {
  id: string;
  environment: SessionEnvironment;
  exchange: string;
  status: SessionStatus;
  dry_run: boolean;
  started_at: Date;
  ended_at: Date | null;
  data_gap: boolean;
  shed_rows: number;
  pid: number | null;
  host: string | null;
  summary: Record<string, unknown> | null;
  decisions: number;
  orders: number;
  fills: number;
  deltas: number;
}

export function sessionsRepo(database: Database): SessionsRepo {
  const { db } = database;
  return {
    async start(input) {
      const id = input.id ?? randomUUID();
      const [row] = await db
        .insert(tradingSessions)
        .values({
          id,
          environment: environmentOf(input.environment),
          exchange: input.exchange ?? `session:${id}`,
          config: redactedObject(input.config),
          status: 'running',
          dryRun: input.dryRun,
          startedAt: input.startedAt ?? new Date(),
          pid: input.pid === undefined ? process.pid : input.pid,
          host: input.host === undefined ? hostname() : input.host,
        })
        .returning();
      if (!row) throw new Error('insert into trading_sessions returned no row');
      return row;
    },

    async end(id, outcome) {
      await db
        .update(tradingSessions)
        .set({
          status: outcome.status,
          endedAt: outcome.endedAt ?? new Date(),
          summary: outcome.summary ? redactedObject(outcome.summary) : null,
        })
        .where(eq(tradingSessions.id, id));
    },

    async markGap(id, shedRows) {
      if (!Number.isSafeInteger(shedRows) || shedRows < 0) {
        throw new RangeError(`markGap: shedRows must be a non-negative integer, got ${shedRows}`);
      }
      await db
        .update(tradingSessions)
        .set({ dataGap: true, shedRows: sql`${tradingSessions.shedRows} + ${shedRows}` })
        .where(eq(tradingSessions.id, id));
    },

    async get(id) {
      const [row] = await db.select().from(tradingSessions).where(eq(tradingSessions.id, id));
      return row;
    },

    async list(options = {}) {
      const limit = options.limit ?? 100;
      const params: unknown[] = [limit];
      const conditions: string[] = [];
      if (options.status) {
        params.push(options.status);
        conditions.push(`s.status = $${params.length}`);
      }
      if (options.exchange) {
        params.push(options.exchange);
        conditions.push(`s.exchange = $${params.length}`);
      }
      const where = conditions.length > 0 ? `where ${conditions.join(' and ')}` : '';
      const rows = await database.query<ListSqlRow>(
        `select s.id, s.environment, s.exchange, s.status, s.dry_run, s.started_at, s.ended_at, s.data_gap, s.shed_rows,
                s.pid, s.host, s.summary,
                (select count(*) from decisions d where d.session_id = s.id) as decisions,
                (select count(*) from orders o where o.session_id = s.id) as orders,
                (select count(*) from fills f where f.session_id = s.id) as fills,
                (select count(*) from orderbook_deltas x where x.session_id = s.id) as deltas
           from trading_sessions s ${where}
          order by s.started_at desc, s.id
          limit $1`,
        params,
      );
      return rows.map((r) => ({
        id: r.id,
        environment: r.environment,
        exchange: r.exchange,
        status: r.status,
        dryRun: r.dry_run,
        startedAt: r.started_at,
        endedAt: r.ended_at,
        dataGap: r.data_gap,
        shedRows: r.shed_rows,
        pid: r.pid,
        host: r.host,
        summary: r.summary,
        decisions: r.decisions,
        orders: r.orders,
        fills: r.fills,
        deltas: r.deltas,
      }));
    },
  };
}
