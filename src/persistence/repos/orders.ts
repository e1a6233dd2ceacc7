/**
 * Orders with their status history (order_events).
 *
 * Write-ahead (DESIGN §6 rule 2): `upsert` is awaited before the request is sent. The first call
 * inserts the order row and its history in one transaction; later calls update status, exchange
 * order id and outcome, and append the history entries the database does not have yet (or one
 * event when only the status changed). Calling it again with the same order changes nothing, so a
 * retried write is harmless. `loadOpen` gives restart recovery every order still in flight.
 *
 * An order's exchange is its session's; its order id is unique per exchange. Its fill totals are
 * not taken from the snapshot: they are the sum of its rows in `fills` (fill-totals.ts), recomputed
 * here and whenever fills are written, so they are right whichever write lands first.
 */
import { and, asc, count, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { TraderEnv } from '../../config/index.js';
import type { OrderIntent, OrderLifecycleStatus, TrackedOrder } from '../../domain/index.js';
import type { Database } from '../db.js';
import {
  OPEN_ORDER_STATUSES,
  orderEvents,
  orders,
  type SessionEnvironment,
  tradingSessions,
} from '../schema.js';
import { exchangeOf, recomputeFillTotals } from './fill-totals.js';
import type { OrderUpsertResult, StoredOrder } from './rows.js';

export interface OrdersRepo {
  /** Write-ahead insert or update; `request` (default: the intent) is stored on insert only. */
  upsert(sessionId: string, order: TrackedOrder, options?: { request?: unknown }): Promise<OrderUpsertResult>;
  /**
   * The same for many orders in one transaction (the recorder's batches): one result per order, in
   * order. A client_order_id may appear once per batch.
   */
  upsertMany(sessionId: string, orders: readonly TrackedOrder[]): Promise<OrderUpsertResult[]>;
  /**
   * Orders still in flight (created/submitting/unknown/resting/canceling), oldest first: from every
   * session, or only from sessions of one environment (`paper` means `demo`).
   */
  loadOpen(options?: {
    environment?: SessionEnvironment | TraderEnv;
    exchange?: string;
  }): Promise<StoredOrder[]>;
  byClientOrderId(clientOrderId: string): Promise<StoredOrder | undefined>;
  /** By the exchange's order id (on one exchange when given: ids are unique per exchange only). */
  byOrderId(orderId: string, exchange?: string): Promise<StoredOrder | undefined>;
}

type HistoryEntry = TrackedOrder['history'][number];

/** History entries to append after `storedCount` stored ones whose last status was `storedStatus`. */
function eventsToAppend(
  order: TrackedOrder,
  storedCount: number,
  storedStatus: OrderLifecycleStatus | undefined,
): HistoryEntry[] {
  const fresh: HistoryEntry[] = order.history.slice(storedCount);
  const last = fresh.at(-1)?.status ?? storedStatus;
  if (last !== order.status) {
    fresh.push({
      status: order.status,
      at: order.updatedMs,
      ...(order.reason === undefined ? {} : { why: order.reason }),
    });
  }
  return fresh;
}

type OrderRow = typeof orders.$inferSelect;
type EventRow = typeof orderEvents.$inferSelect;

function toStoredOrder(row: OrderRow, events: readonly EventRow[]): StoredOrder {
  const intent: OrderIntent = {
    ticker: row.ticker,
    bookSide: row.bookSide,
    yesPrice: row.yesPrice,
    count: row.count,
    timeInForce: row.timeInForce,
    ...(row.postOnly ? { postOnly: true } : {}),
    ...(row.reduceOnly ? { reduceOnly: true } : {}),
    strategy: row.strategy,
    reason: row.reason,
  };
  return {
    sessionId: row.sessionId,
    clientOrderId: row.clientOrderId,
    ...(row.orderId === null ? {} : { orderId: row.orderId }),
    intent,
    status: row.status,
    fillCount: row.fillCount,
    fillNotional: row.fillNotional,
    fees: row.fees,
    createdMs: row.createdAt.getTime(),
    updatedMs: row.updatedAt.getTime(),
    ...(row.outcome === null ? {} : { reason: row.outcome }),
    history: events.map((e) => ({
      status: e.status,
      at: e.at.getTime(),
      ...(e.why === null ? {} : { why: e.why }),
    })),
  };
}

/** Rows per INSERT statement (each column is one array parameter, so this only bounds memory). */
const INSERT_CHUNK = 2000;

const iso = (ms: number) => new Date(ms).toISOString();
const param = <T>(values: T[]) => sql.param(values);

/**
 * INSERT … SELECT FROM unnest(): one array parameter per column, so the statement costs one pass
 * over the rows (drizzle's per-row query building was most of a 10,000-order calibration). Rows
 * that exist already are left alone; the ids inserted come back.
 */
function insertNew(sessionId: string, batch: readonly TrackedOrder[], request: unknown): SQL {
  const col = <T>(get: (o: TrackedOrder) => T) => param(batch.map(get));
  return sql`insert into orders (client_order_id, session_id, exchange, order_id, ticker, book_side,
        yes_price, count, time_in_force, post_only, reduce_only, strategy, reason, request, status,
        outcome, created_at, updated_at)
      select u.client_order_id, ${sessionId}, ${exchangeOf(sessionId)}, u.order_id, u.ticker,
             u.book_side, u.yes_price, u.count, u.time_in_force, u.post_only, u.reduce_only,
             u.strategy, u.reason, u.request, u.status, u.outcome, u.created_at, u.updated_at
        from unnest(${col((o) => o.clientOrderId)}::text[], ${col((o) => o.orderId ?? null)}::text[],
                    ${col((o) => o.intent.ticker)}::text[], ${col((o) => o.intent.bookSide)}::text[],
                    ${col((o) => o.intent.yesPrice)}::int4[], ${col((o) => o.intent.count)}::int4[],
                    ${col((o) => o.intent.timeInForce)}::text[], ${col((o) => o.intent.postOnly ?? false)}::bool[],
                    ${col((o) => o.intent.reduceOnly ?? false)}::bool[], ${col((o) => o.intent.strategy)}::text[],
                    ${col((o) => o.intent.reason)}::text[], ${col((o) => JSON.stringify(request ?? o.intent))}::jsonb[],
                    ${col((o) => o.status)}::text[], ${col((o) => o.reason ?? null)}::text[],
                    ${col((o) => iso(o.createdMs))}::timestamptz[], ${col((o) => iso(o.updatedMs))}::timestamptz[])
          as u(client_order_id, order_id, ticker, book_side, yes_price, count, time_in_force, post_only,
               reduce_only, strategy, reason, request, status, outcome, created_at, updated_at)
      on conflict (client_order_id) do nothing
      returning client_order_id`;
}

interface EventInsert {
  readonly clientOrderId: string;
  readonly at: number;
  readonly status: OrderLifecycleStatus;
  readonly why: string | null;
}

function insertEvents(batch: readonly EventInsert[]): SQL {
  return sql`insert into order_events (client_order_id, at, status, why)
      select * from unnest(${param(batch.map((e) => e.clientOrderId))}::text[],
                           ${param(batch.map((e) => iso(e.at)))}::timestamptz[],
                           ${param(batch.map((e) => e.status))}::text[],
                           ${param(batch.map((e) => e.why))}::text[])`;
}

export function ordersRepo(database: Database): OrdersRepo {
  const { db } = database;

  async function withHistory(rows: readonly OrderRow[]): Promise<StoredOrder[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.clientOrderId);
    const events = await db
      .select()
      .from(orderEvents)
      .where(inArray(orderEvents.clientOrderId, ids))
      .orderBy(asc(orderEvents.id));
    const byOrder = new Map<string, EventRow[]>();
    for (const e of events) {
      const list = byOrder.get(e.clientOrderId);
      if (list) list.push(e);
      else byOrder.set(e.clientOrderId, [e]);
    }
    return rows.map((r) => toStoredOrder(r, byOrder.get(r.clientOrderId) ?? []));
  }

  /**
   * One transaction for the whole batch, a fixed number of statements whatever its size: insert
   * every row that is new (onConflictDoNothing), read the status and history length of the rest,
   * update them in one statement over unnest(), append every history entry in one insert, and
   * recompute the fill totals of those with an exchange order id in one statement.
   */
  async function upsertMany(
    sessionId: string,
    many: readonly TrackedOrder[],
    request?: unknown,
  ): Promise<OrderUpsertResult[]> {
    if (many.length === 0) return [];
    const ids = many.map((o) => o.clientOrderId);
    if (new Set(ids).size !== ids.length)
      throw new Error(`orders.upsertMany: a client_order_id appears twice in one batch (${ids.join(', ')})`);
    return db.transaction(async (tx) => {
      const created = new Set<string>();
      for (let i = 0; i < many.length; i += INSERT_CHUNK) {
        // Both drivers answer execute() with { rows } (PGlite's Results, node-postgres's QueryResult).
        const inserted = (await tx.execute(
          insertNew(sessionId, many.slice(i, i + INSERT_CHUNK), request),
        )) as {
          rows: Array<{ client_order_id: string }>;
        };
        for (const r of inserted.rows) created.add(r.client_order_id);
      }
      const existing = many.filter((o) => !created.has(o.clientOrderId));
      const stored = new Map<string, { status: OrderLifecycleStatus; events: number }>();
      if (existing.length > 0) {
        const existingIds = existing.map((o) => o.clientOrderId);
        const statuses = await tx
          .select({ id: orders.clientOrderId, status: orders.status })
          .from(orders)
          .where(inArray(orders.clientOrderId, existingIds))
          .for('update');
        const counts = await tx
          .select({ id: orderEvents.clientOrderId, n: count() })
          .from(orderEvents)
          .where(inArray(orderEvents.clientOrderId, existingIds))
          .groupBy(orderEvents.clientOrderId);
        const n = new Map(counts.map((c) => [c.id, c.n]));
        for (const s of statuses) stored.set(s.id, { status: s.status, events: n.get(s.id) ?? 0 });
        // undefined order id leaves the column alone (coalesce): a known exchange order id is never erased.
        await tx.execute(sql`update orders o
             set order_id = coalesce(u.order_id, o.order_id), status = u.status,
                 outcome = u.outcome, updated_at = u.updated_at
            from unnest(${sql.param(existingIds)}::text[],
                        ${sql.param(existing.map((o) => o.orderId ?? null))}::text[],
                        ${sql.param(existing.map((o) => o.status))}::text[],
                        ${sql.param(existing.map((o) => o.reason ?? null))}::text[],
                        ${sql.param(existing.map((o) => new Date(o.updatedMs).toISOString()))}::timestamptz[])
                 as u(client_order_id, order_id, status, outcome, updated_at)
           where o.client_order_id = u.client_order_id`);
      }
      const results: OrderUpsertResult[] = [];
      const events: EventInsert[] = [];
      for (const order of many) {
        const inserted = created.has(order.clientOrderId);
        const before = stored.get(order.clientOrderId);
        const fresh = inserted
          ? eventsToAppend(order, 0, undefined)
          : eventsToAppend(order, before?.events ?? 0, before?.status);
        for (const e of fresh)
          events.push({
            clientOrderId: order.clientOrderId,
            at: e.at,
            status: e.status,
            why: e.why ?? null,
          });
        results.push({ inserted, eventsAppended: fresh.length });
      }
      for (let i = 0; i < events.length; i += INSERT_CHUNK)
        await tx.execute(insertEvents(events.slice(i, i + INSERT_CHUNK)));
      const withOrderId = many.filter((o) => o.orderId !== undefined).map((o) => o.clientOrderId);
      if (withOrderId.length > 0)
        await tx.execute(
          recomputeFillTotals(sql`o2.client_order_id = any(${sql.param(withOrderId)}::text[])`),
        );
      return results;
    });
  }

  return {
    async upsert(sessionId, order, options = {}) {
      const [result] = await upsertMany(sessionId, [order], options.request);
      return result as OrderUpsertResult;
    },

    upsertMany: (sessionId, many) => upsertMany(sessionId, many),

    async loadOpen(options = {}) {
      const open = and(
        inArray(orders.status, [...OPEN_ORDER_STATUSES]),
        options.exchange === undefined ? undefined : eq(orders.exchange, options.exchange),
      );
      const env = options.environment === 'paper' ? 'demo' : options.environment;
      const inEnvironment =
        env === undefined
          ? undefined
          : inArray(
              orders.sessionId,
              db
                .select({ id: tradingSessions.id })
                .from(tradingSessions)
                .where(eq(tradingSessions.environment, env)),
            );
      const rows = await db
        .select()
        .from(orders)
        .where(inEnvironment ? and(open, inEnvironment) : open)
        .orderBy(asc(orders.createdAt), asc(orders.clientOrderId));
      return withHistory(rows);
    },

    async byClientOrderId(clientOrderId) {
      const rows = await db.select().from(orders).where(eq(orders.clientOrderId, clientOrderId));
      const [order] = await withHistory(rows);
      return order;
    },

    async byOrderId(orderId, exchange) {
      const rows = await db
        .select()
        .from(orders)
        .where(
          and(
            eq(orders.orderId, orderId),
            exchange === undefined ? undefined : eq(orders.exchange, exchange),
          ),
        )
        .orderBy(asc(orders.createdAt))
        .limit(1);
      const [order] = await withHistory(rows);
      return order;
    },
  };
}
