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

  return {
    async upsert(sessionId, order, options = {}) {
      const id = order.clientOrderId;
      const { intent } = order;
      return db.transaction(async (tx) => {
        const created = await tx
          .insert(orders)
          .values({
            clientOrderId: id,
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
            request: options.request ?? intent,
            status: order.status,
            outcome: order.reason ?? null,
            createdAt: new Date(order.createdMs),
            updatedAt: new Date(order.updatedMs),
          })
          .onConflictDoNothing({ target: orders.clientOrderId })
          .returning({ id: orders.clientOrderId });

        let events: HistoryEntry[];
        if (created.length > 0) {
          events = eventsToAppend(order, 0, undefined);
        } else {
          const [current] = await tx
            .select({ status: orders.status })
            .from(orders)
            .where(eq(orders.clientOrderId, id))
            .for('update');
          const [stored] = await tx
            .select({ n: count() })
            .from(orderEvents)
            .where(eq(orderEvents.clientOrderId, id));
          events = eventsToAppend(order, stored?.n ?? 0, current?.status);
          await tx
            .update(orders)
            .set({
              // undefined leaves a column alone: a known exchange order id is never erased.
              orderId: order.orderId,
              status: order.status,
              outcome: order.reason ?? null,
              updatedAt: new Date(order.updatedMs),
            })
            .where(eq(orders.clientOrderId, id));
        }
        if (events.length > 0) {
          await tx.insert(orderEvents).values(
            events.map((e) => ({
              clientOrderId: id,
              at: new Date(e.at),
              status: e.status,
              why: e.why ?? null,
            })),
          );
        }
        if (order.orderId !== undefined) {
          await tx.execute(recomputeFillTotals(sql`o2.client_order_id = ${id}`));
        }
        return { inserted: created.length > 0, eventsAppended: events.length };
      });
    },

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
