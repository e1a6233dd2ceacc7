/**
 * `traderv3 status` for a person: the control API's status answer (src/runtime/status.ts) as a
 * terminal table — state and trading state, halt and breaker, the order group, the rate limits in
 * force (tokens), cash and P&L, and per market the book's best bid/ask, our best quotes, our
 * position and its P&L. Every figure is already in contracts and dollars in the answer; this only
 * lays it out. A field the trader did not send shows as "–" (never as a zero). Scripts use `--json`.
 */
import { textTable } from '../services/index.js';

type Obj = Record<string, unknown>;

const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.map(obj) : []);
const text = (v: unknown): string => (v === undefined || v === null || v === '' ? '–' : String(v));

function haltLine(halt: Obj): string {
  if (Object.keys(halt).length === 0) return 'none';
  const keep = halt.keepOrders === true ? ', resting orders kept' : '';
  return `${text(halt.source)}: ${text(halt.reason)}${keep}`;
}

const LIMIT_SOURCES: Record<string, string> = {
  exchange: 'from the exchange',
  configured: 'as configured',
  default: 'the default; the exchange did not say',
};

/** "advanced (from the exchange)  read 300/s, 280 of 300 free  write 300/s, 600 of 600 free" */
function limitsLine(limits: Obj): string {
  const bucket = (name: string) => {
    const b = obj(limits[name]);
    return `${name} ${text(b.refill_per_sec)}/s, ${text(b.available)} of ${text(b.capacity)} free`;
  };
  const source = LIMIT_SOURCES[String(limits.source)] ?? text(limits.source);
  return `${text(limits.tier)} (${source})  ${bucket('read')}  ${bucket('write')}`;
}

export function renderStatusTable(status: unknown): string {
  const s = obj(status);
  const breaker = obj(s.breaker);
  const group = obj(s.order_group);
  const money = obj(s.money);
  const lines = [
    `state          ${text(s.state)}   trading ${text(s.trading_state)}${s.exchange_paused === true ? '   exchange PAUSED' : ''}`,
    `halt           ${haltLine(obj(s.halt))}`,
    `breaker        ${breaker.open === true ? `OPEN (${text(breaker.reason)}) since ${text(breaker.tripped_at)}` : 'closed'}`,
    `order group    ${text(group.id)}  limit ${text(group.contracts_limit)}  ${group.triggered === true ? `TRIGGERED (${text(group.triggered_by)})` : 'armed'}`,
    `cash           ${text(s.cash_dollars)}`,
    `P&L            realized ${text(s.realized_pnl_dollars)}  unrealized ${text(s.unrealized_pnl_dollars)}  fees ${text(s.fees_dollars)}  net ${text(s.net_pnl_dollars)}`,
  ];
  const limits = obj(s.rate_limits);
  if (Object.keys(limits).length > 0) lines.push(`rate limits    ${limitsLine(limits)}`);
  if (Object.keys(money).length > 0) lines.push(`money          ${JSON.stringify(money)}`);
  if (s.last_error !== undefined && s.last_error !== null) lines.push(`last error     ${text(s.last_error)}`);
  if (s.dashboard_url !== undefined) lines.push(`dashboard      ${text(s.dashboard_url)}`);
  const reducing = list(s.reducing_markets);
  if (reducing.length > 0) {
    lines.push(
      `reduce-only    ${reducing.map((r) => `${text(r.ticker)} (${(Array.isArray(r.reasons) ? r.reasons : []).join(', ')})`).join('; ')}`,
    );
  }
  const markets = list(s.markets);
  lines.push('', `MARKETS (${markets.length})`);
  lines.push(
    ...textTable(
      ['ticker', 'phase', 'trading', 'bid', 'ask', 'our bid', 'our ask', 'position', 'P&L'],
      markets.map((m) => [
        text(m.ticker),
        text(m.phase),
        text(m.trading_state),
        text(m.best_bid),
        text(m.best_ask),
        text(m.our_bid),
        text(m.our_ask),
        text(m.position),
        text(m.pnl),
      ]),
      new Set([3, 4, 5, 6, 7, 8]),
    ),
  );
  const orders = list(s.open_orders);
  if (orders.length > 0) {
    lines.push('', `OPEN ORDERS (${orders.length})`);
    lines.push(
      ...textTable(
        ['client order id', 'ticker', 'side', 'contracts', 'price', 'filled', 'status'],
        orders.map((o) => [
          text(o.client_order_id),
          text(o.ticker),
          text(o.side),
          text(o.contracts),
          text(o.price),
          text(o.filled),
          text(o.status),
        ]),
        new Set([3, 4, 5]),
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}
