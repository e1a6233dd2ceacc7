/**
 * The live stream, /metrics and /health against a REAL trader (in process) on the loopback
 * simulator: the initial state with its flags, a fill arriving as fill_event + positions_update,
 * read-only without the token, a halt over the socket with it, and the metrics of what happened.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { loadConfig } from '../../src/config/index.js';
import { MICROS_PER_DOLLAR } from '../../src/domain/index.js';
import { type SimCredentials, type Simulator, startSimulator } from '../../src/exchange-sim/index.js';
import { type RunningTrader, startTrader } from '../../src/runtime/index.js';
import {
  type InitialStateData,
  type StreamMessage,
  startServer,
  type TraderServer,
  traderViewFromRuntime,
} from '../../src/server/index.js';
import { simOrder } from '../sim-order.js';

let sim: Simulator;
let dir: string;
let creds: SimCredentials;
let trader: RunningTrader;
let server: TraderServer;
let ticker: string;

beforeAll(async () => {
  sim = await startSimulator({ seed: 5, markets: 3, ratePerSec: 0, rateLimit: false });
  creds = sim.createAccount({ balance: 100 * MICROS_PER_DOLLAR });
  dir = mkdtempSync(join(tmpdir(), 'tv3-stream-'));
  const keyFile = join(dir, 'key.pem');
  writeFileSync(keyFile, creds.private_key_pem, { mode: 0o600 });
  ticker = sim.core.markets()[0]!.ticker;
  const config = loadConfig(
    {
      env: 'sim',
      apiUrl: creds.rest_url,
      wsUrl: creds.ws_url,
      keyId: creds.key_id,
      privateKey: keyFile,
      dataDir: join(dir, 'data'),
      strategy: 'none',
      rateLimitTier: 'prime',
      tickers: ticker,
    },
    {},
  );
  trader = await startTrader(config, { logger: pino({ level: 'silent' }) });
  const view = traderViewFromRuntime(trader)!;
  server = await startServer({ view, dataDir: config.dataDir, stream: { flushMs: 50, statsMs: 300 } });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await trader?.shutdown({ cancelOrders: true });
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

function client() {
  const ws = new WebSocket(server.streamUrl);
  const messages: StreamMessage[] = [];
  ws.on('message', (d) => messages.push(JSON.parse(d.toString()) as StreamMessage));
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const waitFor = async <T extends StreamMessage['type']>(
    type: T,
    pred: (m: Extract<StreamMessage, { type: T }>) => boolean = () => true,
    timeoutMs = 20_000,
  ): Promise<Extract<StreamMessage, { type: T }>> => {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const hit = messages.find((m) => m.type === type && pred(m as Extract<StreamMessage, { type: T }>));
      if (hit) return hit as Extract<StreamMessage, { type: T }>;
      if (Date.now() > end) throw new Error(`no ${type}; got ${messages.map((m) => m.type).join(', ')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { ws, messages, opened, waitFor };
}

async function untilState(state: string): Promise<void> {
  const end = Date.now() + 20_000;
  while (String(trader.actor!.getSnapshot().value) !== state) {
    if (Date.now() > end) throw new Error(`trader in ${String(trader.actor!.getSnapshot().value)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('live stream against a real trader', () => {
  it('sends the full initial state in one message, with explicit flags', async () => {
    await untilState('READY');
    const c = client();
    await c.opened;
    const first = await c.waitFor('initial_state');
    expect(c.messages[0]?.type).toBe('initial_state');
    expect(first.source).toBe('api_sync');
    expect(first.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const d: InitialStateData = first.data;
    expect(d.trader_state).toMatchObject({
      machine_state: 'READY',
      trading_state: 'trading',
      state_missing: false,
    });
    expect(d.orders).toEqual({ is_empty: true, state_missing: false, orders: [] });
    expect(d.positions).toEqual({ is_empty: true, state_missing: false, positions: [] });
    expect(d.portfolio.state_missing).toBe(false);
    expect(d.portfolio.cash).toBe('100.0000');
    expect(d.authenticated).toBe(false);
    expect(d.books.books.map((b) => b.ticker)).toContain(ticker);
    // The equity endpoint samples the live equity (no record is exposed here): one point now.
    const equity = (await (await fetch(`${server.url}/api/equity`)).json()) as {
      source: string;
      points: unknown[];
    };
    expect(equity).toMatchObject({ source: 'live', state_missing: false, max_drawdown: '0.0000' });
    c.ws.close();
  });

  it('streams a fill as fill_event and positions_update; stats every interval', async () => {
    const c = client();
    await c.opened;
    await c.waitFor('initial_state');
    sim.core.openAccount('seller', 100 * MICROS_PER_DOLLAR);
    expect(
      sim.core.place(simOrder({ accountId: 'seller', ticker, bookSide: 'ask', yesPrice: 4_000 })).ok,
    ).toBe(true);
    trader.actor!.send({
      type: 'INTENT',
      intent: {
        ticker,
        bookSide: 'bid',
        yesPrice: 4_000,
        count: 300,
        timeInForce: 'immediate_or_cancel',
        strategy: 'test',
        reason: 'test',
      },
    });
    const fill = await c.waitFor('fill_event');
    expect(fill.source).toBe('websocket');
    // The simulator's own resting asks may be better than ours: the price is whatever it filled at.
    expect(fill.data.fill).toMatchObject({ ticker, book_side: 'bid', count: '3.00' });
    const price = fill.data.fill.yes_price;
    expect(price).toMatch(/^0\.\d{4}$/);
    expect(fill.data.position).toMatchObject({ ticker, side: 'yes', position: '3.00', average_cost: price });
    const positions = await c.waitFor('positions_update', (m) => !m.data.is_empty);
    expect(positions.data.positions[0]).toMatchObject({
      ticker,
      position: '3.00',
      cost_basis: (Number(price) * 3).toFixed(4),
    });
    await c.waitFor('portfolio_update');
    await c.waitFor('orders_update');
    await c.waitFor('decision', (m) => m.data.action === 'trade');
    const stats = await c.waitFor('stats_update', (m) => m.data.fills >= 1);
    expect(stats.data.clients).toBeGreaterThanOrEqual(1);
    c.ws.close();
  });

  it('is read-only without the token; with it, a halt over the socket halts the trader', async () => {
    const c = client();
    await c.opened;
    await c.waitFor('initial_state');
    c.ws.send(JSON.stringify({ type: 'command', id: 'a', command: 'halt', reason: 'no token' }));
    const refused = await c.waitFor('command_result', (m) => m.data.id === 'a');
    expect(refused.data).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(String(trader.actor!.getSnapshot().value)).toBe('READY');
    c.ws.send(JSON.stringify({ type: 'auth', token: 'wrong' }));
    expect((await c.waitFor('command_result', (m) => m.data.command === 'auth')).data.ok).toBe(false);

    c.ws.send(JSON.stringify({ type: 'auth', token: server.token }));
    await c.waitFor('command_result', (m) => m.data.command === 'auth' && m.data.ok);
    c.ws.send(JSON.stringify({ type: 'command', id: 'b', command: 'halt', reason: 'stream test' }));
    expect((await c.waitFor('command_result', (m) => m.data.id === 'b')).data.ok).toBe(true);
    const halted = await c.waitFor('trader_state', (m) => m.data.trading_state === 'halted');
    expect(halted.data.halt).toMatchObject({ reason: 'stream test' });
    expect(halted.data.history.map((h) => h.state)).toContain('HALTED');
    await untilState('HALTED');
    c.ws.close();
  });

  it('exports metrics of what happened and a health that follows the state', async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toMatch(/traderv3_fills_total\{book_side="bid"\} 1/);
    expect(text).toMatch(/traderv3_machine_state\{state="HALTED"\} 1/);
    expect(text).toMatch(/traderv3_machine_state_seconds_total\{state="READY"\} \d/);
    expect(text).toMatch(/traderv3_order_round_trip_seconds_count\{outcome="accepted"\} 1/);
    expect(text).toMatch(/traderv3_trading_state\{state="halted"\} 1/);
    expect(text).toMatch(new RegExp(`traderv3_book_age_seconds\\{ticker="${ticker}"\\}`));
    expect(text).toMatch(/traderv3_breaker_open 1/);
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', state: 'HALTED', trading_state: 'halted' });
    const equity = (await (await fetch(`${server.url}/api/equity`)).json()) as {
      source: string;
      points: unknown[];
    };
    expect(equity.source).toBe('live');
    expect(equity.points.length).toBeGreaterThan(0);
  });
});

describe('a market no longer watched', () => {
  it('leaves the books in a books_update naming it as removed', async () => {
    const c = client();
    await c.opened;
    await c.waitFor('initial_state');
    trader.services!.bus.emit('market.unwatched', { ticker, at: Date.now() });
    const update = await c.waitFor('books_update', (m) => (m.data.removed ?? []).includes(ticker));
    expect(update.data.books.map((b) => b.ticker)).not.toContain(ticker);
    c.ws.close();
  });
});
