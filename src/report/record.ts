/**
 * Reading the trading record for reports: one session, or a time range across sessions. Plain
 * SQL over the Database (PGlite or Postgres); integer units, epoch-ms times.
 */
import type { BookSide, Count, Micros, Price } from '../domain/index.js';
import type { Database, LedgerKind } from '../persistence/index.js';

export interface Scope {
  readonly sessionId?: string;
  readonly fromMs?: number;
  readonly toMs?: number;
}

export interface LedgerEntry {
  readonly id: number;
  readonly sessionId: string;
  readonly at: number;
  readonly kind: LedgerKind;
  readonly ticker: string | null;
  readonly ref: string;
  readonly amount: Micros;
  readonly balanceAfter: Micros | null;
}

export interface FillEntry {
  readonly fillId: string;
  readonly sessionId: string;
  readonly ticker: string;
  readonly bookSide: BookSide;
  readonly yesPrice: Price;
  readonly count: Count;
  readonly fee: Micros;
  readonly isTaker: boolean;
  readonly at: number;
}

export interface RiskEntry {
  readonly at: number;
  readonly kind: string;
  readonly reason: string;
  readonly detail: string;
  readonly data: unknown;
}

export interface RecordData {
  /** Every ledger entry up to the scope's end (earlier ones are needed to replay positions). */
  readonly ledger: readonly LedgerEntry[];
  readonly fills: readonly FillEntry[];
  readonly risk: readonly RiskEntry[];
  readonly sessions: ReadonlyArray<{
    id: string;
    environment: string;
    status: string;
    startedAt: number;
    endedAt: number | null;
  }>;
}

const ms = (d: Date | string | null): number | null => (d === null ? null : new Date(d).getTime());

export async function loadRecord(database: Database, scope: Scope): Promise<RecordData> {
  const params: unknown[] = [];
  const where: string[] = [];
  if (scope.sessionId !== undefined) {
    params.push(scope.sessionId);
    where.push(`session_id = $${params.length}`);
  }
  if (scope.toMs !== undefined) {
    params.push(new Date(scope.toMs));
    where.push(`%AT% <= $${params.length}`);
  }
  const clause = (at: string) => (where.length ? `where ${where.join(' and ').replaceAll('%AT%', at)}` : '');
  const ledger = await database.query<{
    id: number;
    session_id: string;
    at: Date;
    kind: LedgerKind;
    ticker: string | null;
    ref: string;
    amount: number;
    balance_after: number | null;
  }>(
    `select id, session_id, at, kind, ticker, ref, amount, balance_after from ledger ${clause('at')} order by id`,
    params,
  );
  const fills = await database.query<{
    fill_id: string;
    session_id: string;
    ticker: string;
    book_side: BookSide;
    yes_price: number;
    count: number;
    fee: number;
    is_taker: boolean;
    created_at: Date;
  }>(
    `select fill_id, session_id, ticker, book_side, yes_price, count, fee, is_taker, created_at from fills ${clause('created_at')} order by created_at, fill_id`,
    params,
  );
  const risk = await database.query<{
    at: Date;
    kind: string;
    reason: string;
    detail: string;
    data: unknown;
  }>(`select at, kind, reason, detail, data from risk_events ${clause('at')} order by at, id`, params);
  const sessionParams: unknown[] = scope.sessionId === undefined ? [] : [scope.sessionId];
  const sessions = await database.query<{
    id: string;
    environment: string;
    status: string;
    started_at: Date;
    ended_at: Date | null;
  }>(
    `select id, environment, status, started_at, ended_at from trading_sessions ${scope.sessionId === undefined ? '' : 'where id = $1'} order by started_at`,
    sessionParams,
  );
  return {
    ledger: ledger.map((r) => ({
      id: Number(r.id),
      sessionId: r.session_id,
      at: ms(r.at)!,
      kind: r.kind,
      ticker: r.ticker,
      ref: r.ref,
      amount: Number(r.amount),
      balanceAfter: r.balance_after === null ? null : Number(r.balance_after),
    })),
    fills: fills.map((r) => ({
      fillId: r.fill_id,
      sessionId: r.session_id,
      ticker: r.ticker,
      bookSide: r.book_side,
      yesPrice: r.yes_price,
      count: r.count,
      fee: Number(r.fee),
      isTaker: r.is_taker,
      at: ms(r.created_at)!,
    })),
    risk: risk.map((r) => ({
      at: ms(r.at)!,
      kind: r.kind,
      reason: r.reason,
      detail: r.detail,
      data: r.data,
    })),
    sessions: sessions
      .filter((s) => scope.fromMs === undefined || s.ended_at === null || ms(s.ended_at)! >= scope.fromMs)
      .filter((s) => scope.toMs === undefined || ms(s.started_at)! <= scope.toMs)
      .map((s) => ({
        id: s.id,
        environment: s.environment,
        status: s.status,
        startedAt: ms(s.started_at)!,
        endedAt: ms(s.ended_at),
      })),
  };
}
