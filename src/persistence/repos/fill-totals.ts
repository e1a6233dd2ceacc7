/**
 * An order's fill totals (fill_count, fill_notional, fees) follow from its fills in the database,
 * never from a snapshot written beside them: the write queue's lanes land independently, and a
 * crash between a fill row and its order's update must not leave the order's totals wrong.
 * Whoever writes fills or orders calls this in the same transaction, for the orders it touched.
 */
import { type SQL, sql } from 'drizzle-orm';

/** An update of the fill totals of the orders matching `where` (a condition on alias `o2`). */
export function recomputeFillTotals(where: SQL): SQL {
  return sql`update orders o
       set fill_count = t.fill_count, fill_notional = t.fill_notional, fees = t.fees
      from (select o2.client_order_id,
                   coalesce(sum(f.count), 0)::int4 as fill_count,
                   coalesce(sum(f.count::int8 * f.yes_price), 0)::int8 as fill_notional,
                   coalesce(sum(f.fee), 0)::int8 as fees
              from orders o2
              left join fills f on f.exchange = o2.exchange and f.order_id = o2.order_id
             where ${where}
             group by o2.client_order_id) t
     where o.client_order_id = t.client_order_id
       and (o.fill_count, o.fill_notional, o.fees) is distinct from (t.fill_count, t.fill_notional, t.fees)`;
}

/** The session's exchange, as SQL (orders, fills and ledger rows take it from their session). */
export function exchangeOf(sessionId: string): SQL {
  return sql`(select exchange from trading_sessions where id = ${sessionId})`;
}
