/**
 * The edge strategy's own record (migration 0002): archived forecasts and the edge orders with
 * their maker→taker conversion; and the reads behind `traderv3 report --strategy edge` and
 * `traderv3 train-edge`. Written at once (a few rows a minute), not through the write queue.
 */
import type { Database } from '../db.js';

/** One forecast fetched (temperatures °F; stored as tenths). */
export interface ForecastRow {
  readonly sessionId: string;
  readonly city: string;
  readonly targetDate: string;
  readonly source: string;
  readonly issuedMs: number;
  readonly seenMs: number;
  readonly highF: number;
  readonly spreadF: number;
  readonly dailyHighF?: number;
  readonly hoursCovered?: number;
  readonly peakCovered: boolean;
  readonly leadHours: number;
  readonly origin: string;
}

export interface EdgeOrderRow {
  readonly clientOrderId: string;
  readonly sessionId: string;
  readonly at: Date;
  readonly ticker: string;
  readonly city: string;
  readonly eventDate: string;
  readonly bracketLabel: string;
  readonly side: 'yes' | 'no';
  /** 1/100 contract. */
  readonly count: number;
  /** Price of the leg bought, 1/10,000 $. */
  readonly makerPrice: number;
  /** Contracts traded in the market over the lookback when the order was made (1/100 contract). */
  readonly volumeAtOrder: number;
  readonly makerTimeoutMs: number;
  readonly dryRun: boolean;
}

/** Per city and event date (report --strategy edge). Money in micro-dollars. */
export interface EdgeReportRow {
  readonly city: string;
  readonly eventDate: string;
  readonly evaluations: number;
  readonly signals: number;
  readonly trades: number;
  readonly orders: number;
  readonly converted: number;
  readonly dryRun: number;
  readonly cost: number;
  readonly fees: number;
  readonly payout: number;
  /** payout − cost − fees of the settled markets; null while any traded market is unsettled. */
  readonly pnl: number | null;
}

/** A decision that wanted to trade, with the market it named (train-edge's dataset). */
export interface EdgeSignalRow {
  readonly at: Date;
  readonly features: Record<string, number>;
  readonly details: Record<string, unknown>;
}

export interface EdgeRepo {
  insertForecast(row: ForecastRow): Promise<void>;
  insertOrder(row: EdgeOrderRow): Promise<void>;
  markConverted(
    makerClientOrderId: string,
    c: { at: Date; price: number; clientOrderId: string },
  ): Promise<void>;
  report(sessionId?: string): Promise<EdgeReportRow[]>;
  /** Edge decisions whose evaluation reached the classifier gate (features of a recommended leg). */
  signals(sessionId?: string): Promise<EdgeSignalRow[]>;
  /** Determined result per market ticker ('yes' / 'no'), from the market lifecycle events recorded. */
  results(): Promise<Map<string, string>>;
}

const tenths = (f: number) => Math.round(f * 10);
const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

export function edgeRepo(database: Database): EdgeRepo {
  return {
    async insertForecast(r) {
      await database.query(
        `insert into forecasts (session_id, city, target_date, source, issued_at, seen_at, high_tenths_f,
           spread_tenths_f, daily_high_tenths_f, hours_covered, peak_covered, lead_minutes, origin)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
        [
          r.sessionId,
          r.city,
          r.targetDate,
          r.source,
          new Date(r.issuedMs),
          new Date(r.seenMs),
          tenths(r.highF),
          tenths(r.spreadF),
          r.dailyHighF === undefined ? null : tenths(r.dailyHighF),
          r.hoursCovered ?? null,
          r.peakCovered,
          Math.round(r.leadHours * 60),
          r.origin,
        ],
      );
    },
    async insertOrder(r) {
      await database.query(
        `insert into edge_orders (client_order_id, session_id, at, ticker, city, event_date, bracket_label, side,
           count, maker_price, volume_at_order, maker_timeout_ms, dry_run)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
         on conflict (client_order_id) do nothing`,
        [
          r.clientOrderId,
          r.sessionId,
          r.at,
          r.ticker,
          r.city,
          r.eventDate,
          r.bracketLabel,
          r.side,
          r.count,
          r.makerPrice,
          r.volumeAtOrder,
          r.makerTimeoutMs,
          r.dryRun,
        ],
      );
    },
    async markConverted(maker, c) {
      await database.query(
        `update edge_orders set is_taker = true, converted_at = $2, conversion_price = $3,
           conversion_client_order_id = $4 where client_order_id = $1`,
        [maker, c.at, c.price, c.clientOrderId],
      );
    },
    async report(sessionId) {
      const rows = await database.query<Record<string, unknown>>(
        `with d as (
           select details->>'city' as city, details->>'event_date' as event_date,
                  count(*) as evaluations,
                  count(*) filter (where details->>'signal' <> 'no_trade') as signals,
                  count(*) filter (where (details->>'should_trade')::boolean) as trades
             from decisions
            where strategy = 'edge' and details ? 'city' and details->>'event_date' is not null
              and ($1::text is null or session_id = $1)
            group by 1, 2),
         o as (
           select e.city, e.event_date, count(*) as orders,
                  count(*) filter (where e.is_taker) as converted,
                  count(*) filter (where e.dry_run) as dry_run
             from edge_orders e where ($1::text is null or e.session_id = $1)
            group by 1, 2),
         tickers as (
           select distinct e.city, e.event_date, e.ticker
             from edge_orders e where not e.dry_run and ($1::text is null or e.session_id = $1)),
         money as (
           select t.city, t.event_date,
                  coalesce(-sum(l.amount) filter (where l.kind = 'fill'), 0) as cost,
                  coalesce(-sum(l.amount) filter (where l.kind = 'fee'), 0) as fees,
                  coalesce(sum(l.amount) filter (where l.kind = 'settlement'), 0) as payout
             from tickers t
             join ledger l on l.ticker = t.ticker and ($1::text is null or l.session_id = $1)
            group by 1, 2),
         settled as (
           select t.city, t.event_date, count(*) as traded,
                  count(*) filter (where exists (select 1 from market_lifecycle_events s
                                                  where s.ticker = t.ticker and s.event_type = 'determined')) as determined
             from tickers t group by 1, 2)
         select coalesce(d.city, o.city) as city, coalesce(d.event_date, o.event_date) as event_date,
                d.evaluations, d.signals, d.trades, o.orders, o.converted, o.dry_run,
                m.cost, m.fees, m.payout, st.traded, st.determined
           from d full join o on o.city = d.city and o.event_date = d.event_date
           left join money m on m.city = coalesce(d.city, o.city) and m.event_date = coalesce(d.event_date, o.event_date)
           left join settled st on st.city = coalesce(d.city, o.city) and st.event_date = coalesce(d.event_date, o.event_date)
          order by 2, 1`,
        [sessionId ?? null],
      );
      return rows.map((r) => ({
        city: String(r.city),
        eventDate: String(r.event_date),
        evaluations: num(r.evaluations),
        signals: num(r.signals),
        trades: num(r.trades),
        orders: num(r.orders),
        converted: num(r.converted),
        dryRun: num(r.dry_run),
        cost: num(r.cost),
        fees: num(r.fees),
        payout: num(r.payout),
        pnl:
          num(r.traded) > 0 && num(r.determined) >= num(r.traded)
            ? num(r.payout) - num(r.cost) - num(r.fees)
            : null,
      }));
    },
    async signals(sessionId) {
      const rows = await database.query<{ at: Date | string; features: unknown; details: unknown }>(
        `select at, features, details from decisions
          where strategy = 'edge' and details ? 'recommended_bracket'
            and details->>'recommended_bracket' is not null and features is not null
            and ($1::text is null or session_id = $1)
          order by at, id`,
        [sessionId ?? null],
      );
      return rows.map((r) => ({
        at: new Date(r.at),
        features: r.features as Record<string, number>,
        details: r.details as Record<string, unknown>,
      }));
    },
    async results() {
      const rows = await database.query<{ ticker: string; result: string | null }>(
        `select ticker, data->>'result' as result from market_lifecycle_events where event_type = 'determined'`,
      );
      const out = new Map<string, string>();
      for (const r of rows) if (r.result === 'yes' || r.result === 'no') out.set(r.ticker, r.result);
      return out;
    },
  };
}
