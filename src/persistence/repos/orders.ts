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
import { and, asc, count, eq, inArray, sql } from 'drizzle-orm';
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

/** Rows per INSERT statement (19 parameters each: well under Postgres's 65,535). */
const INSERT_CHUNK = 500;

function insertRow(sessionId: string, order: TrackedOrder, request: unknown) {
  const { intent } = order;
  return {
    clientOrderId: order.clientOrderId,
    sessionId,
    exchange: exchangeOf(sessionId),
    orderId: order.orderId ?? null,
    ticker: intent.ticker,
    bookSide: intent.bookSide,
    yesPrice: intent.yesPrice,
    count: intent.count,
    timeInForce: intent.timeInForce,
    postOnly: intent.postOnly ?? false,
    reduceOnly: intent.reduceOnly ?? false,
    strategy: intent.strategy,
    reason: intent.reason,
    request: request ?? intent,
    status: order.status,
    outcome: order.reason ?? null,
    createdAt: new Date(order.createdMs),
    updatedAt: new Date(order.updatedMs),
  };
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
        const rows = await tx
          .insert(orders)
          .values(many.slice(i, i + INSERT_CHUNK).map((order) => insertRow(sessionId, order, request)))
          .onConflictDoNothing({ target: orders.clientOrderId })
          .returning({ id: orders.clientOrderId });
        for (const r of rows) created.add(r.id);
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
      const events: Array<typeof orderEvents.$inferInsert> = [];
      for (const order of many) {
        const inserted = created.has(order.clientOrderId);
        const before = stored.get(order.clientOrderId);
        const fresh = inserted
          ? eventsToAppend(order, 0, undefined)
          : eventsToAppend(order, before?.events ?? 0, before?.status);
        for (const e of fresh)
          events.push({
            clientOrderId: order.clientOrderId,
            at: new Date(e.at),
            status: e.status,
            why: e.why ?? null,
          });
        results.push({ inserted, eventsAppended: fresh.length });
      }
      for (let i = 0; i < events.length; i += INSERT_CHUNK)
        await tx.insert(orderEvents).values(events.slice(i, i + INSERT_CHUNK));
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
