/**
 * Small facts the trader keeps about an exchange across runs (which order group is ours, …), as
 * rows of risk_events with a `kind` of their own, read back through the session's exchange: the
 * newest row of a kind on an exchange is the current fact.
 */
import type { Database } from '../db.js';

export interface ExchangeFact {
  readonly kind: string;
  readonly reason: string;
  readonly detail: string;
  readonly data: unknown;
  readonly at: Date;
  readonly sessionId: string;
}

export interface ExchangeStateRepo {
  /** The newest row of `kind` any session on `exchange` recorded. */
  last(exchange: string, kind: string): Promise<ExchangeFact | undefined>;
  /** Records a fact now (written at once, not through the write queue). */
  record(fact: {
    sessionId: string;
    kind: string;
    reason: string;
    detail: string;
    data?: unknown;
    at: Date;
  }): Promise<void>;
}

export function exchangeStateRepo(database: Database): ExchangeStateRepo {
  return {
    async last(exchange, kind) {
      const [row] = await database.query<{
        kind: string;
        reason: string;
        detail: string;
        data: unknown;
        at: Date | string;
        session_id: string;
      }>(
        `select r.kind, r.reason, r.detail, r.data, r.at, r.session_id
           from risk_events r join trading_sessions s on s.id = r.session_id
          where r.kind = $2 and s.exchange = $1
          order by r.at desc, r.id desc
          limit 1`,
        [exchange, kind],
      );
      if (!row) return undefined;
      return {
        kind: row.kind,
        reason: row.reason,
        detail: row.detail,
        data: row.data,
        at: new Date(row.at),
        sessionId: row.session_id,
      };
    },
    async record(fact) {
      await database.query(
        'insert into risk_events (session_id, at, kind, reason, detail, data) values ($1, $2, $3, $4, $5, $6)',
        [
          fact.sessionId,
          fact.at,
          fact.kind,
          fact.reason,
          fact.detail,
          fact.data === undefined ? null : JSON.stringify(fact.data),
        ],
      );
    },
  };
}
