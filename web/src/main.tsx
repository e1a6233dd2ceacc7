/**
 * The traderv3 dashboard (Preact + uPlot, bundled by web/build.ts). Reads the live stream
 * (/stream) and /api/equity; acts through the control API with the operator's bearer token.
 *
 * The token: pasted by the operator (from <data-dir>/control.json) or passed once in the URL
 * fragment (`/#token=…`, which browsers never send to a server); the page moves it into this
 * tab's sessionStorage and strips the fragment at once. It is never logged or put in a URL.
 */
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { render } from 'preact';
import { useCallback, useEffect, useReducer, useState } from 'preact/hooks';
import type { StreamMessage } from '../../src/server/stream-types.js';
import { LineChart, type Series } from './chart.js';
import {
  BooksPanel,
  DecisionsPanel,
  FillsPanel,
  OrdersPanel,
  Panel,
  PortfolioPanel,
  PositionsPanel,
  TraderPanel,
} from './panels.js';
import { type DashboardState, EMPTY, reduce } from './store.js';

type Action = { kind: 'message'; m: StreamMessage } | { kind: 'connected'; on: boolean };

function reducer(s: DashboardState, a: Action): DashboardState {
  if (a.kind === 'connected') return { ...s, connected: a.on };
  return reduce(s, a.m);
}

function takeToken(): string {
  const m = /(?:^#|&)token=([0-9a-f]{16,128})/.exec(location.hash);
  if (m?.[1]) {
    sessionStorage.setItem('traderv3.token', m[1]);
    history.replaceState(null, '', location.pathname + location.search);
  }
  return sessionStorage.getItem('traderv3.token') ?? '';
}

function useStream(dispatch: (a: Action) => void) {
  useEffect(() => {
    let ws: WebSocket | undefined;
    let stop = false;
    let retry: number | undefined;
    const connect = () => {
      ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/stream`);
      ws.onopen = () => dispatch({ kind: 'connected', on: true });
      ws.onmessage = (e) => {
        try {
          dispatch({ kind: 'message', m: JSON.parse(String(e.data)) as StreamMessage });
        } catch {
          // a malformed message is ignored
        }
      };
      ws.onclose = () => {
        dispatch({ kind: 'connected', on: false });
        if (!stop) retry = window.setTimeout(connect, 2000);
      };
    };
    connect();
    return () => {
      stop = true;
      if (retry !== undefined) clearTimeout(retry);
      ws?.close();
    };
  }, [dispatch]);
}

interface EquityAnswer {
  source: string | null;
  state_missing: boolean;
  points: Array<{ at: string; equity: string; drawdown_pct: string }>;
  max_drawdown: string;
  max_drawdown_pct: string;
}

function useEquity(): EquityAnswer | null {
  const [eq, setEq] = useState<EquityAnswer | null>(null);
  useEffect(() => {
    let live = true;
    const load = () =>
      fetch('/api/equity')
        .then((r) => r.json() as Promise<EquityAnswer>)
        .then((a) => live && setEq(a))
        .catch(() => undefined);
    load();
    const t = window.setInterval(load, 10_000);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, []);
  return eq;
}

interface ReconciliationAnswer {
  state_missing: boolean;
  entries: Array<{ at: string; kind: string; ticker: string | null; amount: string; detail: string }>;
}

function useReconciliation(): ReconciliationAnswer | null {
  const [rec, setRec] = useState<ReconciliationAnswer | null>(null);
  useEffect(() => {
    let live = true;
    const load = () =>
      fetch('/api/reconciliation')
        .then((r) => r.json() as Promise<ReconciliationAnswer>)
        .then((a) => live && setRec(a))
        .catch(() => undefined);
    load();
    const t = window.setInterval(load, 30_000);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, []);
  return rec;
}

const ACTIONS = [
  { route: 'halt', label: 'Halt', ask: 'Halt trading now? Only Resume lifts a halt.' },
  { route: 'resume', label: 'Resume', ask: 'Resume trading (lifts halts and resets tripped breakers)?' },
  { route: 'sync', label: 'Sync', ask: 'Re-calibrate against the exchange now?' },
  { route: 'cancel-all', label: 'Cancel all', ask: 'Cancel every resting order?' },
] as const;

function Controls(props: { token: string; setToken: (t: string) => void }) {
  const [message, setMessage] = useState('');
  const act = useCallback(
    async (route: string, ask: string) => {
      if (!window.confirm(ask)) {
        setMessage(`${route}: not confirmed`);
        return;
      }
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (props.token) headers.authorization = `Bearer ${props.token}`;
      try {
        const res = await fetch(`/${route}`, {
          method: 'POST',
          headers,
          body: route === 'halt' ? JSON.stringify({ reason: 'dashboard halt' }) : '{}',
        });
        const body = (await res.json()) as { error?: { message: string } };
        setMessage(
          res.ok ? `${route}: done` : `${route} refused (HTTP ${res.status}): ${body.error?.message ?? ''}`,
        );
      } catch (err) {
        setMessage(`${route} failed: ${(err as Error).message}`);
      }
    },
    [props.token],
  );
  return (
    <div class="controls">
      <label>
        Token{' '}
        <input
          type="password"
          data-testid="token"
          placeholder="paste from control.json"
          value={props.token}
          onInput={(e) => props.setToken((e.target as HTMLInputElement).value.trim())}
        />
      </label>
      {ACTIONS.map((a) => (
        <button
          type="button"
          key={a.route}
          data-testid={`btn-${a.route}`}
          onClick={() => void act(a.route, a.ask)}
        >
          {a.label}
        </button>
      ))}
      <span class="message" data-testid="action-message">
        {message}
      </span>
    </div>
  );
}

function App() {
  const [s, dispatch] = useReducer(reducer, EMPTY);
  const [token, setTokenState] = useState(takeToken);
  const setToken = (t: string) => {
    sessionStorage.setItem('traderv3.token', t);
    setTokenState(t);
  };
  useStream(dispatch);
  const eq = useEquity();
  const rec = useReconciliation();
  const times = eq?.points.map((p) => Date.parse(p.at) / 1000) ?? [];
  const equity: Series = { times, values: eq?.points.map((p) => Number(p.equity)) ?? [] };
  const drawdown: Series = { times, values: eq?.points.map((p) => -Number(p.drawdown_pct)) ?? [] };
  return (
    <>
      <header>
        <h1>traderv3</h1>
        <span class={s.connected ? 'conn on' : 'conn off'} data-testid="connection">
          {s.connected ? 'live' : 'disconnected'}
        </span>
        <Controls token={token} setToken={setToken} />
      </header>
      <main>
        <Panel title="Machine" testId="panel-machine">
          <TraderPanel trader={s.trader} />
        </Panel>
        <Panel title="Portfolio" testId="panel-portfolio">
          <PortfolioPanel s={s} />
        </Panel>
        <Panel title="Equity and drawdown" testId="panel-equity">
          {!eq || eq.state_missing ? (
            <p class="missing">No equity data yet</p>
          ) : (
            <>
              <p class="muted">
                From {eq.source === 'record' ? 'the ledger' : 'live samples'} · max drawdown $
                {eq.max_drawdown} ({eq.max_drawdown_pct}%)
              </p>
              <LineChart title="Equity" unit="$" color="#2563eb" series={equity} testId="chart-equity" />
              <LineChart
                title="Drawdown"
                unit="%"
                color="#dc2626"
                series={drawdown}
                testId="chart-drawdown"
              />
            </>
          )}
        </Panel>
        <Panel title="Positions" testId="panel-positions">
          <PositionsPanel s={s} />
        </Panel>
        <Panel title="Open orders" testId="panel-orders">
          <OrdersPanel s={s} />
        </Panel>
        <Panel title="Fills" testId="panel-fills">
          <FillsPanel fills={s.fills} />
        </Panel>
        <Panel title="Books" testId="panel-books" wide>
          <BooksPanel s={s} />
        </Panel>
        <Panel title="Reconciliation log" testId="panel-reconciliation">
          {!rec || rec.state_missing ? (
            <p class="missing">The trader does not expose its record yet</p>
          ) : rec.entries.length === 0 ? (
            <p class="empty">No reconciliation entries</p>
          ) : (
            <table>
              <tbody>
                {rec.entries.slice(-20).map((e) => (
                  <tr key={`${e.at}-${e.kind}-${e.ticker}`}>
                    <td>{e.at.slice(11, 19)}</td>
                    <td>{e.kind === 'balance' ? 'balance' : 'position drift'}</td>
                    <td>{e.ticker ?? ''}</td>
                    <td>{e.amount}</td>
                    <td>{e.detail}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Panel>
        <Panel title="Decisions" testId="panel-decisions" wide>
          <DecisionsPanel decisions={s.decisions} />
        </Panel>
      </main>
      <footer class="muted">
        {s.stats
          ? `up ${s.stats.uptime_s} s · ${s.stats.messages_sent} messages · ${s.stats.fills} fills`
          : ''}
        {s.lastSource ? ` · last update via ${s.lastSource}` : ''}
      </footer>
    </>
  );
}

render(<App />, document.getElementById('app')!);
