/**
 * Reports read from the database (for `traderv3 report` / `traderv3 sessions` and the dashboard):
 * plain rows, integer units, Dates.
 */
import type { Database } from '../db.js';
import type { DecisionAction, SessionEnvironment, SessionStatus } from '../schema.js';
import type { DecisionCountRow, FillRow, PnlReportRow } from './rows.js';

export interface ReportsRepo {
  /** Per session, newest first: fills, fees, realized P&L and open cost from positions, ledger net and last balance. */
  pnlBySession(options?: { sessionId?: string; limit?: number }): Promise<PnlReportRow[]>;
  /** Decisions counted by (strategy, action, reason), most frequent first; one session or all. */
  decisionCountsByReason(options?: { sessionId?: string }): Promise<DecisionCountRow[]>;
  /** Newest fills first (exchange time); one session or all. */
  recentFills(options?: { sessionId?: string; limit?: number }): Promise<FillRow[]>;
}

interface PnlSqlRow extends Record<string, unknown> {
  session_id: string;
  environment: SessionEnvironment;
  status: SessionStatus;
  started_at: Date;
  ended_at: Date | null;
  fills: number;
  contracts: number;
  fill_fees: number;
  realized_pnl: number;
  position_fees: number;
  open_cost_basis: number;
  ledger_net: number;
  balance_after: number | null;
}

interface FillSqlRow extends Record<string, unknown> {
  fill_id: string;
  session_id: string;
  order_id: string;
  client_order_id: string | null;
  ticker: string;
  book_side: 'bid' | 'ask';
  yes_price: number;
  count: number;
  fee: number;
  is_taker: boolean;
  created_at: Date;
  received_at: Date;
}

export function reportsRepo(database: Database): ReportsRepo {
  return {
    async pnlBySession(options = {}) {
      const params: unknown[] = [options.limit ?? 100];
      let where = '';
      if (options.sessionId !== undefined) {
        params.push(options.sessionId);
        where = 'where s.id = $2';
      }
      const rows = await database.query<PnlSqlRow>(
        `select s.id as session_id, s.environment, s.status, s.started_at, s.ended_at,
                f.fills, f.contracts, f.fill_fees,
                p.realized_pnl, p.position_fees, p.open_cost_basis,
                l.ledger_net, b.balance_after
           from trading_sessions s
           cross join lateral (
             select count(*)::int8 as fills, coalesce(sum(count), 0)::int8 as contracts,
                    coalesce(sum(fee), 0)::int8 as fill_fees
               from fills where session_id = s.id) f
           cross join lateral (
             select coalesce(sum(realized_pnl), 0)::int8 as realized_pnl,
                    coalesce(sum(fees), 0)::int8 as position_fees,
                    coalesce(sum(cost_basis), 0)::int8 as open_cost_basis
               from positions where session_id = s.id) p
           cross join lateral (
             select coalesce(sum(amount), 0)::int8 as ledger_net from ledger where session_id = s.id) l
           left join lateral (
             select balance_after from ledger
              where session_id = s.id and balance_after is not null
              order by id desc limit 1) b on true
           ${where}
          order by s.started_at desc, s.id
          limit $1`,
        params,
      );
      return rows.map((r) => ({
        sessionId: r.session_id,
        environment: r.environment,
        status: r.status,
        startedAt: r.started_at,
        endedAt: r.ended_at,
        fills: r.fills,
        contracts: r.contracts,
        fillFees: r.fill_fees,
        realizedPnl: r.realized_pnl,
        positionFees: r.position_fees,
        openCostBasis: r.open_cost_basis,
        ledgerNet: r.ledger_net,
        balanceAfter: r.balance_after ?? null,
      }));
    },

    async decisionCountsByReason(options = {}) {
      const params: unknown[] = [];
      let where = '';
      if (options.sessionId !== undefined) {
        params.push(options.sessionId);
        where = 'where session_id = $1';
      }
      const rows = await database.query<{
        strategy: string;
        action: DecisionAction;
        reason: string;
        count: number;
      }>(
        `select strategy, action, reason, count(*) as count
           from decisions ${where}
          group by strategy, action, reason
          order by count(*) desc, strategy, action, reason`,
        params,
      );
      return rows.map((r) => ({ strategy: r.strategy, action: r.action, reason: r.reason, count: r.count }));
    },

    async recentFills(options = {}) {
      const params: unknown[] = [options.limit ?? 50];
      let where = '';
      if (options.sessionId !== undefined) {
        params.push(options.sessionId);
        where = 'where session_id = $2';
      }
      const rows = await database.query<FillSqlRow>(
        `select fill_id, session_id, order_id, client_order_id, ticker, book_side, yes_price, count, fee,
                is_taker, created_at, received_at
           from fills ${where}
          order by created_at desc, fill_id desc
          limit $1`,
        params,
      );
      return rows.map((r) => ({
        fillId: r.fill_id,
        sessionId: r.session_id,
        orderId: r.order_id,
        clientOrderId: r.client_order_id,
        ticker: r.ticker,
        bookSide: r.book_side,
        yesPrice: r.yes_price,
        count: r.count,
        fee: r.fee,
        isTaker: r.is_taker,
        createdAt: r.created_at,
        receivedAt: r.received_at,
      }));
    },
  };
}
