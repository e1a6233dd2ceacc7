/** The dashboard's panels: pure views of the state. Missing sections say so; nothing shows as 0. */
import type { ComponentChildren } from 'preact';
import type { BookWire, DecisionWire, FillWire, TraderStateData } from '../../src/server/stream-types.js';
import type { DashboardState } from './store.js';

export function Panel(props: {
  title: string;
  testId?: string;
  children: ComponentChildren;
  wide?: boolean;
}) {
  return (
    <section class={props.wide ? 'panel wide' : 'panel'} data-testid={props.testId}>
      <h2>{props.title}</h2>
      {props.children}
    </section>
  );
}

export function Missing(props: { what: string }) {
  return <p class="missing">{props.what}: not reported by the trader</p>;
}

export function Empty(props: { what: string }) {
  return <p class="empty">{props.what}</p>;
}

const time = (iso: string) => iso.slice(11, 19);
/** "-0.0600" → "-$0.0600" */
export const money = (v: string | null) =>
  v === null ? '—' : v.startsWith('-') ? `-$${v.slice(1)}` : `$${v}`;
const ms = (n: number) =>
  n < 1000 ? `${n} ms` : n < 60_000 ? `${(n / 1000).toFixed(1)} s` : `${Math.round(n / 60_000)} min`;

export function TraderPanel(props: { trader: TraderStateData | null }) {
  const t = props.trader;
  if (!t || t.state_missing) return <Missing what="machine state" />;
  return (
    <div>
      <div class="states">
        <span class={`badge state-${t.machine_state}`} data-testid="machine-state">
          {t.machine_state}
        </span>
        <span class={`badge trading-${t.trading_state}`} data-testid="trading-state">
          {t.trading_state}
        </span>
      </div>
      {t.halt ? (
        <p class="alert" data-testid="halt">
          Halted ({t.halt.source ?? 'unknown'}): {t.halt.reason}
          {t.halt.detail ? ` — ${t.halt.detail}` : ''}
        </p>
      ) : null}
      {t.breaker?.open ? (
        <p class="alert" data-testid="breaker">
          Breaker open: {t.breaker.reason} {t.breaker.detail ?? ''}
        </p>
      ) : (
        <p class="ok">Breaker closed</p>
      )}
      {t.exchange_paused ? <p class="alert">Exchange paused trading</p> : null}
      {t.last_error ? <p class="muted">Last error: {t.last_error}</p> : null}
      <p class="muted">
        Strategy: {t.strategy ?? '—'} · Model:{' '}
        <span data-testid="model">
          {t.model ? `${t.model.name}${t.model.version ? ` ${t.model.version}` : ''}` : 'none reported'}
        </span>
      </p>
      <table>
        <thead>
          <tr>
            <th>entered</th>
            <th>state</th>
            <th>event</th>
            <th>for</th>
          </tr>
        </thead>
        <tbody>
          {t.history
            .slice(-12)
            .reverse()
            .map((h) => (
              <tr key={`${h.entered_at}-${h.state}`}>
                <td>{time(h.entered_at)}</td>
                <td>{h.state}</td>
                <td>{h.event}</td>
                <td>{ms(h.duration_ms)}</td>
              </tr>
            ))}
        </tbody>
      </table>
    </div>
  );
}

export function PortfolioPanel(props: { s: DashboardState }) {
  const p = props.s.portfolio;
  if (!p || p.state_missing) return <Missing what="portfolio" />;
  const row = (label: string, v: string | null, id?: string) => (
    <tr>
      <th>{label}</th>
      <td data-testid={id}>{money(v)}</td>
    </tr>
  );
  return (
    <table class="kv">
      <tbody>
        {row(
          p.cash_at
            ? `Cash (exchange, ${time(p.cash_at)}${p.cash_stale ? ', before later fills' : ''})`
            : 'Cash',
          p.cash,
          'cash',
        )}
        {row('Exposure', p.exposure)}
        {row('Equity', p.equity, 'equity')}
        {row('Realized P&L', p.realized_pnl)}
        {row('Unrealized P&L', p.unrealized_pnl)}
        {row('Fees', p.fees)}
        {row('Net P&L', p.net_pnl, 'net-pnl')}
      </tbody>
    </table>
  );
}

export function PositionsPanel(props: { s: DashboardState }) {
  const p = props.s.positions;
  if (!p || p.state_missing) return <Missing what="positions" />;
  if (p.is_empty) return <Empty what="No positions" />;
  return (
    <table data-testid="positions">
      <thead>
        <tr>
          <th>market</th>
          <th>position</th>
          <th>avg cost</th>
          <th>mark</th>
          <th>unrealized</th>
          <th>realized</th>
        </tr>
      </thead>
      <tbody>
        {p.positions.map((x) => (
          <tr key={x.ticker}>
            <td>{x.ticker}</td>
            <td>
              {x.position} {x.side === 'flat' ? '' : x.side.toUpperCase()}
            </td>
            <td>{x.average_cost ?? '—'}</td>
            <td>{x.mark ?? '—'}</td>
            <td>{money(x.unrealized_pnl)}</td>
            <td>{money(x.realized_pnl)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function OrdersPanel(props: { s: DashboardState }) {
  const o = props.s.orders;
  if (!o || o.state_missing) return <Missing what="orders" />;
  if (o.is_empty) return <Empty what="No open orders" />;
  return (
    <table data-testid="orders">
      <thead>
        <tr>
          <th>market</th>
          <th>side</th>
          <th>price</th>
          <th>count</th>
          <th>filled</th>
          <th>status</th>
        </tr>
      </thead>
      <tbody>
        {o.orders.map((x) => (
          <tr key={x.client_order_id} title={x.client_order_id}>
            <td>{x.ticker}</td>
            <td>{x.book_side === 'bid' ? 'buy YES' : 'sell YES'}</td>
            <td>{x.yes_price}</td>
            <td>{x.count}</td>
            <td>{x.filled}</td>
            <td>{x.status}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Ladder(props: { b: BookWire }) {
  const { b } = props;
  const rows = Math.max(b.bids.length, b.asks.length, 1);
  return (
    <table class="ladder">
      <thead>
        <tr>
          <th>bid size</th>
          <th>YES bid</th>
          <th>YES ask</th>
          <th>ask size</th>
        </tr>
      </thead>
      <tbody>
        {Array.from({ length: Math.min(rows, 5) }, (_, i) => (
          <tr key={i}>
            <td>{b.bids[i]?.[1] ?? ''}</td>
            <td class="bid">{b.bids[i]?.[0] ?? ''}</td>
            <td class="ask">{b.asks[i]?.[0] ?? ''}</td>
            <td>{b.asks[i]?.[1] ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function BooksPanel(props: { s: DashboardState }) {
  const books = Object.values(props.s.books);
  if (books.length === 0) return <Empty what="No books yet" />;
  return (
    <div class="books" data-testid="books">
      {books.map((b) => (
        <div class="book" key={b.ticker}>
          <h3>
            {b.ticker} <span class={`badge book-${b.status}`}>{b.status}</span>
          </h3>
          <p class="muted">
            top {b.best_yes_bid ?? '—'} / {b.yes_ask ?? '—'} · mid {b.mid ?? '—'} · age{' '}
            {b.age_ms === null ? '—' : ms(b.age_ms)} · gaps {b.gaps} · resyncs {b.resyncs}
          </p>
          <Ladder b={b} />
        </div>
      ))}
    </div>
  );
}

export function DecisionsPanel(props: { decisions: readonly DecisionWire[] }) {
  if (props.decisions.length === 0) return <Empty what="No decisions yet" />;
  return (
    <table data-testid="decisions">
      <tbody>
        {props.decisions.slice(0, 30).map((d, i) => (
          <tr key={`${d.at}-${i}`}>
            <td>{time(d.at)}</td>
            <td>{d.ticker}</td>
            <td>{d.action}</td>
            <td>
              {d.reason}
              {d.risk && !d.risk.ok ? ` (refused: ${d.risk.code})` : ''}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function FillsPanel(props: { fills: readonly FillWire[] }) {
  if (props.fills.length === 0) return <Empty what="No fills yet" />;
  return (
    <table data-testid="fills">
      <tbody>
        {props.fills.slice(0, 30).map((f) => (
          <tr key={f.fill_id}>
            <td>{time(f.created_at)}</td>
            <td>{f.ticker}</td>
            <td>{f.book_side === 'bid' ? 'bought YES' : 'sold YES'}</td>
            <td>
              {f.count} @ {f.yes_price}
            </td>
            <td>fee {f.fee}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
