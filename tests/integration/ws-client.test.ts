/**
 * KalshiWsClient against a scripted loopback WebSocket server: signed upgrades, command/response
 * correlation, server errors, per-sid sequence checks, drops, reconnects, staleness, bad frames.
 * Time-based behaviour runs on an injected clock; nothing asserts on wall-clock speed.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { KalshiError } from '../../src/kalshi/errors.js';
import { KalshiWsClient } from '../../src/kalshi/ws.js';
import { type KalshiWsEvents, KalshiWsServerError, type WsSigner } from '../../src/kalshi/ws-events.js';
import type { WsDataMessage } from '../../src/kalshi/ws-types.js';

// ---------- scripted server ----------

type Cmd = { id: number; cmd: string; params?: Record<string, unknown> };

interface Conn {
  index: number;
  socket: WebSocket;
  headers: IncomingHttpHeaders;
  commands: Cmd[];
  pongs: number;
  nextSid: number;
  /** Tickers per sid, as the server knows them. */
  tickers: Map<number, string[]>;
  send(msg: unknown): void;
}

/** Returns true when it answered the command itself; false falls through to the default script. */
type Script = (conn: Conn, cmd: Cmd) => boolean;

class ScriptedServer {
  readonly conns: Conn[] = [];
  script: Script = () => false;
  private constructor(
    readonly wss: WebSocketServer,
    readonly url: string,
  ) {}

  static async start(): Promise<ScriptedServer> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    const { port } = wss.address() as AddressInfo;
    const server = new ScriptedServer(wss, `ws://127.0.0.1:${port}/trade-api/ws/v2`);
    wss.on('connection', (socket, req) => server.accept(socket, req.headers));
    return server;
  }

  private accept(socket: WebSocket, headers: IncomingHttpHeaders): void {
    const index = this.conns.length;
    const conn: Conn = {
      index,
      socket,
      headers,
      commands: [],
      pongs: 0,
      // sids differ per connection so the old → new mapping is visible
      nextSid: 1 + index * 100,
      tickers: new Map(),
      send: (msg) => socket.send(typeof msg === 'string' ? msg : JSON.stringify(msg)),
    };
    this.conns.push(conn);
    socket.on('pong', () => conn.pongs++);
    socket.on('message', (data) => {
      const cmd = JSON.parse(data.toString()) as Cmd;
      conn.commands.push(cmd);
      if (!this.script(conn, cmd)) defaultScript(conn, cmd);
    });
  }

  conn(i: number): Conn {
    const c = this.conns[i];
    if (!c) throw new Error(`no connection ${i}`);
    return c;
  }

  async close(): Promise<void> {
    for (const c of this.conns) c.socket.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

function defaultScript(conn: Conn, cmd: Cmd): void {
  const p = cmd.params ?? {};
  switch (cmd.cmd) {
    case 'subscribe':
      for (const channel of p.channels as string[]) {
        const sid = conn.nextSid++;
        conn.tickers.set(sid, (p.market_tickers as string[] | undefined) ?? []);
        conn.send({ id: cmd.id, type: 'subscribed', msg: { channel, sid } });
      }
      return;
    case 'unsubscribe':
      for (const sid of p.sids as number[]) conn.send({ id: cmd.id, sid, seq: 1, type: 'unsubscribed' });
      return;
    case 'update_subscription': {
      // Like Kalshi: the ok carries the full ticker list after the update.
      const sid = p.sid as number;
      const changed = (p.market_tickers as string[] | undefined) ?? [];
      const now = conn.tickers.get(sid) ?? [];
      const after =
        p.action === 'add_markets'
          ? [...now, ...changed]
          : p.action === 'delete_markets'
            ? now.filter((t) => !changed.includes(t))
            : now;
      conn.tickers.set(sid, after);
      conn.send({ id: cmd.id, sid, seq: 1, type: 'ok', msg: { market_tickers: after } });
      return;
    }
    case 'list_subscriptions':
      conn.send({ id: cmd.id, type: 'ok', msg: [{ channel: 'orderbook_delta', sid: 1 }] });
      return;
  }
}

function snapshot(sid: number, seq: number, ticker = 'KXA'): unknown {
  return {
    type: 'orderbook_snapshot',
    sid,
    seq,
    msg: { market_ticker: ticker, market_id: 'id', yes_dollars_fp: [['0.4200', '10.00']] },
  };
}

function delta(sid: number, seq: number, ticker = 'KXA'): unknown {
  return {
    type: 'orderbook_delta',
    sid,
    seq,
    msg: {
      market_ticker: ticker,
      market_id: 'id',
      price_dollars: '0.4200',
      delta_fp: '1.00',
      side: 'yes',
      ts_ms: 1,
    },
  };
}

// ---------- helpers ----------

function fakeSigner(): WsSigner & { keyId: string; calls: Array<{ method: string; path: string }> } {
  let n = 0;
  const calls: Array<{ method: string; path: string }> = [];
  return {
    keyId: 'key-test',
    calls,
    headers(method: string, path: string) {
      n++;
      calls.push({ method, path });
      return {
        'KALSHI-ACCESS-KEY': 'key-test',
        'KALSHI-ACCESS-TIMESTAMP': String(1_700_000_000_000 + n),
        'KALSHI-ACCESS-SIGNATURE': `signature-${n}`,
      };
    },
  };
}

function nextEvent<K extends keyof KalshiWsEvents>(
  client: KalshiWsClient,
  event: K,
): Promise<KalshiWsEvents[K]> {
  return new Promise((resolve) => {
    // eventemitter3's listener type for a tuple event map is (...args: tuple) => void
    const listener = (...args: KalshiWsEvents[K]) => resolve(args);
    client.once(event, listener as never);
  });
}

function collect<K extends keyof KalshiWsEvents>(client: KalshiWsClient, event: K): Array<KalshiWsEvents[K]> {
  const out: Array<KalshiWsEvents[K]> = [];
  const listener = (...args: KalshiWsEvents[K]) => out.push(args);
  client.on(event, listener as never);
  return out;
}

async function waitFor(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------- tests ----------

let server: ScriptedServer;
let client: KalshiWsClient | undefined;

async function setup(
  opts: Partial<ConstructorParameters<typeof KalshiWsClient>[0]> = {},
): Promise<{ client: KalshiWsClient; signer: ReturnType<typeof fakeSigner> }> {
  server = await ScriptedServer.start();
  const signer = fakeSigner();
  client = new KalshiWsClient({
    url: server.url,
    signer,
    commandTimeoutMs: 2000,
    reconnect: { baseDelayMs: 5, maxDelayMs: 20 },
    ...opts,
  });
  await client.connect();
  return { client, signer };
}

afterEach(async () => {
  await client?.close();
  client = undefined;
  await server?.close();
});

describe('KalshiWsClient: connection and commands', () => {
  it('sends signed headers on the upgrade, signing GET /trade-api/ws/v2', async () => {
    const { signer } = await setup();
    const h = server.conn(0).headers;
    expect(h['kalshi-access-key']).toBe('key-test');
    expect(h['kalshi-access-timestamp']).toBe('1700000000001');
    expect(h['kalshi-access-signature']).toBe('signature-1');
    expect(signer.calls).toEqual([{ method: 'GET', path: '/trade-api/ws/v2' }]);
  });

  it('subscribes and resolves with one sid per channel once every channel is acknowledged', async () => {
    const { client } = await setup();
    const subs = await client.subscribe({
      channels: ['orderbook_delta', 'ticker'],
      market_tickers: ['KXA', 'KXB'],
      use_yes_price: true,
    });
    expect(subs).toEqual([
      { channel: 'orderbook_delta', sid: 1 },
      { channel: 'ticker', sid: 2 },
    ]);
    expect(server.conn(0).commands[0]).toEqual({
      id: 1,
      cmd: 'subscribe',
      params: {
        channels: ['orderbook_delta', 'ticker'],
        market_tickers: ['KXA', 'KXB'],
        use_yes_price: true,
      },
    });
    expect(client.subscriptionOf(1)).toEqual({
      channel: 'orderbook_delta',
      sid: 1,
      tickers: ['KXA', 'KXB'],
      options: { use_yes_price: true },
    });
  });

  it('correlates two concurrent commands by id even when answered out of order', async () => {
    const { client } = await setup();
    const held: Cmd[] = [];
    server.script = (conn, cmd) => {
      held.push(cmd);
      if (held.length < 2) return true;
      const [first, second] = held as [Cmd, Cmd];
      conn.send({ id: second.id, type: 'ok', msg: [{ channel: 'ticker', sid: 9 }] });
      conn.send({ id: first.id, sid: 3, seq: 5, type: 'ok', msg: { market_tickers: ['KXA', 'KXZ'] } });
      return true;
    };
    const update = client.updateSubscription({ sid: 3, action: 'add_markets', market_tickers: ['KXZ'] });
    const list = client.listSubscriptions();
    const [ok, subs] = await Promise.all([update, list]);
    expect(ok).toMatchObject({ type: 'ok', sid: 3, msg: { market_tickers: ['KXA', 'KXZ'] } });
    expect(subs).toEqual([{ channel: 'ticker', sid: 9 }]);
    const ids = server.conn(0).commands.map((c) => c.id);
    expect(new Set(ids).size).toBe(2);
    expect(ids[1]).toBeGreaterThan(ids[0] ?? Number.POSITIVE_INFINITY);
  });

  it('rejects with a typed KalshiWsServerError carrying the code, its meaning and the market', async () => {
    const { client } = await setup();
    server.script = (conn, cmd) => {
      conn.send({
        id: cmd.id,
        type: 'error',
        msg: { code: 16, msg: 'Market not found', market_ticker: 'KXNOPE' },
      });
      return true;
    };
    const err = await client
      .subscribe({ channels: ['orderbook_delta'], market_ticker: 'KXNOPE' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KalshiWsServerError);
    const e = err as KalshiWsServerError;
    expect(e.code).toBe('KALSHI_WS_SERVER_ERROR');
    expect(e.wsCode).toBe(16);
    expect(e.meaning).toBe('Market not found');
    expect(e.marketTicker).toBe('KXNOPE');
    expect(e.terminal).toBe(false);
    expect(client.subscriptions()).toEqual([]);
  });

  it('reports an error that answers no command as a serverError event', async () => {
    const { client } = await setup();
    const got = nextEvent(client, 'serverError');
    server.conn(0).send({ id: 0, type: 'error', msg: { code: 25, msg: 'Subscription buffer overflow' } });
    const [err] = await got;
    expect(err.wsCode).toBe(25);
    expect(err.terminal).toBe(true);
  });

  it('times out a command the server never answers', async () => {
    const { client } = await setup({ commandTimeoutMs: 50 });
    server.script = () => true;
    const err = await client.listSubscriptions().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KalshiError);
    expect((err as KalshiError).code).toBe('KALSHI_WS_TIMEOUT');
  });

  it('rejects pending commands with KALSHI_WS_CLOSED when the socket drops', async () => {
    const { client } = await setup();
    server.script = (conn) => {
      conn.socket.terminate();
      return true;
    };
    const err = await client.listSubscriptions().catch((e: unknown) => e);
    expect((err as KalshiError).code).toBe('KALSHI_WS_CLOSED');
  });

  it('rejects a refused first connect (no retry) and opens one socket for concurrent connect() calls', async () => {
    server = await ScriptedServer.start();
    server.wss.options.verifyClient = (_info: unknown, cb: (ok: boolean, code?: number) => void) =>
      cb(false, 401);
    client = new KalshiWsClient({ url: server.url, signer: fakeSigner(), reconnect: { baseDelayMs: 5 } });
    const reconnecting = collect(client, 'reconnecting');
    const err = await client.connect().catch((e: unknown) => e);
    expect((err as KalshiError).code).toBe('KALSHI_WS_CLOSED');
    expect((err as KalshiError).message).toMatch(/401/);
    expect(reconnecting).toEqual([]);
    server.wss.options.verifyClient = undefined;
    await Promise.all([client.connect(), client.connect()]);
    expect(server.conns).toHaveLength(1);
    expect(client.isConnected).toBe(true);
  });

  it('rejects commands while not connected', async () => {
    const { client } = await setup();
    await client.close();
    const err = await client.listSubscriptions().catch((e: unknown) => e);
    expect((err as KalshiError).code).toBe('KALSHI_WS_CLOSED');
  });

  it('forgets a subscription on unsubscribe and tracks add/delete_markets in the intent', async () => {
    const { client } = await setup();
    const [ob, tk] = await client.subscribe({
      channels: ['orderbook_delta', 'ticker'],
      market_tickers: ['KXA'],
    });
    server.script = (conn, cmd) => {
      if (cmd.cmd !== 'update_subscription') return false;
      conn.send({ id: cmd.id, sid: cmd.params?.sid, type: 'ok', msg: {} }); // no list: client computes it
      return true;
    };
    await client.updateSubscription({ sid: ob?.sid, action: 'add_markets', market_tickers: ['KXB', 'KXC'] });
    await client.updateSubscription({ sid: ob?.sid, action: 'delete_markets', market_ticker: 'KXA' });
    expect(client.subscriptionOf(ob?.sid ?? -1)?.tickers).toEqual(['KXB', 'KXC']);
    await client.unsubscribe([tk?.sid ?? -1]);
    expect(client.subscriptions().map((s) => s.channel)).toEqual(['orderbook_delta']);
  });
});

describe('KalshiWsClient: sequence checks', () => {
  it('reports a gap with every ticker of the subscription and still delivers the message, flagged', async () => {
    const { client } = await setup();
    const [{ sid } = { sid: -1 }] = await client.subscribe({
      channels: ['orderbook_delta'],
      market_tickers: ['KXA', 'KXB'],
    });
    const messages = collect(client, 'message');
    const gap = nextEvent(client, 'gap');
    const conn = server.conn(0);
    conn.send(snapshot(sid, 1));
    conn.send(delta(sid, 2, 'KXB'));
    conn.send(delta(sid, 4));
    const [ev] = await gap;
    expect(ev).toEqual({
      kind: 'gap',
      sid,
      channel: 'orderbook_delta',
      messageType: 'orderbook_delta',
      expected: 3,
      received: 4,
      tickers: ['KXA', 'KXB'],
    });
    await waitFor(() => messages.length === 3, 'three messages');
    expect(messages.map(([m, meta]) => [(m as WsDataMessage & { seq: number }).seq, meta.gap])).toEqual([
      [1, false],
      [2, false],
      [4, true],
    ]);
    expect(client.stats().gaps).toBe(1);
  });

  it('reports a duplicate or old seq and does not deliver it', async () => {
    const { client } = await setup();
    const [{ sid } = { sid: -1 }] = await client.subscribe({
      channels: ['orderbook_delta'],
      market_ticker: 'KXA',
    });
    const messages = collect(client, 'message');
    const gaps = collect(client, 'gap');
    const conn = server.conn(0);
    conn.send(snapshot(sid, 1));
    conn.send(delta(sid, 2));
    conn.send(delta(sid, 2));
    conn.send(delta(sid, 1));
    conn.send(delta(sid, 3));
    await waitFor(() => messages.length === 3 && gaps.length === 2, 'messages and duplicates');
    expect(messages.map(([m]) => (m as WsDataMessage & { seq: number }).seq)).toEqual([1, 2, 3]);
    expect(gaps.map(([g]) => [g.kind, g.expected, g.received])).toEqual([
      ['duplicate', 3, 2],
      ['duplicate', 3, 1],
    ]);
    expect(client.stats()).toMatchObject({ duplicates: 2, gaps: 0, dataMessages: 3 });
  });

  it('keeps one counter per sid across its markets, independent of other sids', async () => {
    const { client } = await setup();
    const [a] = await client.subscribe({ channels: ['orderbook_delta'], market_ticker: 'KXA' });
    const [b] = await client.subscribe({ channels: ['orderbook_delta'], market_ticker: 'KXB' });
    const messages = collect(client, 'message');
    const gaps = collect(client, 'gap');
    const conn = server.conn(0);
    conn.send(snapshot(a?.sid ?? -1, 1, 'KXA'));
    conn.send(snapshot(b?.sid ?? -1, 1, 'KXB'));
    conn.send(delta(a?.sid ?? -1, 2, 'KXA'));
    conn.send(delta(b?.sid ?? -1, 2, 'KXB'));
    await waitFor(() => messages.length === 4, 'four messages');
    expect(gaps).toEqual([]);
  });

  it('resyncs a sid with update_subscription get_snapshot for its tickers', async () => {
    const { client } = await setup();
    const [{ sid } = { sid: -1 }] = await client.subscribe({
      channels: ['orderbook_delta'],
      market_tickers: ['KXA', 'KXB'],
    });
    await client.resync(sid);
    await client.resync(sid, ['KXB']);
    const cmds = server.conn(0).commands.slice(1);
    expect(cmds.map((c) => c.params)).toEqual([
      { sid, action: 'get_snapshot', market_tickers: ['KXA', 'KXB'] },
      { sid, action: 'get_snapshot', market_tickers: ['KXB'] },
    ]);
    expect(cmds.every((c) => c.cmd === 'update_subscription')).toBe(true);
  });
});

describe('KalshiWsClient: bad frames', () => {
  it('turns malformed JSON and unknown types into protocolError events and keeps working', async () => {
    const { client } = await setup();
    const errors = collect(client, 'protocolError');
    const conn = server.conn(0);
    conn.send('{"type": "orderbook_delta", ');
    conn.send({ type: 'mystery', sid: 1, msg: {} });
    conn.send({ sid: 1, msg: {} });
    conn.send({ type: 'orderbook_delta', sid: 1, msg: {} });
    await waitFor(() => errors.length === 4, 'four protocol errors');
    expect(errors[0]?.[0].description).toMatch(/malformed JSON/);
    expect(errors[1]?.[0].description).toMatch(/unknown message type "mystery"/);
    expect(errors[2]?.[0].description).toMatch(/no string "type"/);
    expect(errors[3]?.[0].description).toMatch(/without an integer seq/);
    expect(errors[0]?.[0].raw).toBe('{"type": "orderbook_delta", ');
    const subs = await client.subscribe({ channels: ['ticker'] });
    expect(subs).toHaveLength(1);
    expect(client.stats().protocolErrors).toBe(4);
  });
});

describe('KalshiWsClient: reconnect', () => {
  it('reconnects after a drop with fresh signed headers, re-subscribes and maps old → new sids', async () => {
    const { client, signer } = await setup();
    await client.subscribe({
      channels: ['orderbook_delta'],
      market_tickers: ['KXA', 'KXB'],
      use_yes_price: true,
    });
    await client.subscribe({ channels: ['ticker'] });
    const disconnected = nextEvent(client, 'disconnected');
    const resubscribed = nextEvent(client, 'resubscribed');
    const reconnected = nextEvent(client, 'reconnected');
    server.conn(0).socket.terminate();

    const [d] = await disconnected;
    expect(d).toMatchObject({ cause: 'remote', willReconnect: true });
    const [r] = await resubscribed;
    const [rc] = await reconnected;
    expect(rc.resubscribed).toBe(r);
    expect(rc.attempts).toBe(1);
    expect(r.failed).toEqual([]);
    expect(r.remapped).toEqual([
      { channel: 'orderbook_delta', oldSid: 1, newSid: 101, tickers: ['KXA', 'KXB'] },
      { channel: 'ticker', oldSid: 2, newSid: 102, tickers: undefined },
    ]);

    const second = server.conn(1);
    expect(second.headers['kalshi-access-signature']).toBe('signature-2');
    expect(second.headers['kalshi-access-timestamp']).toBe('1700000000002');
    expect(signer.calls).toHaveLength(2);
    expect(second.commands.map((c) => c.params)).toEqual([
      { channels: ['orderbook_delta'], market_tickers: ['KXA', 'KXB'], use_yes_price: true },
      { channels: ['ticker'] },
    ]);
    expect(client.subscriptionOf(101)?.tickers).toEqual(['KXA', 'KXB']);
    expect(client.subscriptionOf(1)).toBeUndefined();
    expect(client.stats()).toMatchObject({ reconnects: 1, connected: true });
  });

  it('re-subscribes the intent as updated by add/delete_markets', async () => {
    const { client } = await setup();
    const [{ sid } = { sid: -1 }] = await client.subscribe({
      channels: ['orderbook_delta'],
      market_tickers: ['KXA'],
    });
    await client.updateSubscription({ sid, action: 'add_markets', market_tickers: ['KXB', 'KXC'] });
    await client.updateSubscription({ sid, action: 'delete_markets', market_tickers: ['KXA'] });
    const reconnected = nextEvent(client, 'reconnected');
    server.conn(0).socket.terminate();
    await reconnected;
    expect(server.conn(1).commands[0]?.params).toEqual({
      channels: ['orderbook_delta'],
      market_tickers: ['KXB', 'KXC'],
    });
  });

  it('starts sequence tracking afresh on the new connection', async () => {
    const { client } = await setup();
    await client.subscribe({ channels: ['orderbook_delta'], market_ticker: 'KXA' });
    server.conn(0).send(snapshot(1, 1));
    server.conn(0).send(delta(1, 2));
    const reconnected = nextEvent(client, 'reconnected');
    server.conn(0).socket.terminate();
    await reconnected;
    const gaps = collect(client, 'gap');
    const messages = collect(client, 'message');
    server.conn(1).send(snapshot(101, 1));
    server.conn(1).send(delta(101, 2));
    await waitFor(() => messages.length === 2, 'two messages');
    expect(gaps).toEqual([]);
  });

  it('reports a subscription the server refuses on re-subscribe and forgets it', async () => {
    const { client } = await setup();
    await client.subscribe({ channels: ['orderbook_delta'], market_ticker: 'KXGONE' });
    server.script = (conn, cmd) => {
      if (conn.index === 0) return false;
      conn.send({
        id: cmd.id,
        type: 'error',
        msg: { code: 16, msg: 'Market not found', market_ticker: 'KXGONE' },
      });
      return true;
    };
    const resubscribed = nextEvent(client, 'resubscribed');
    server.conn(0).socket.terminate();
    const [r] = await resubscribed;
    expect(r.remapped).toEqual([]);
    expect(r.failed).toHaveLength(1);
    expect(r.failed[0]).toMatchObject({ channel: 'orderbook_delta', oldSid: 1, tickers: ['KXGONE'] });
    expect(r.failed[0]?.error).toMatchObject({ wsCode: 16, meaning: 'Market not found' });
    expect(client.subscriptions()).toEqual([]);
  });

  it('keeps retrying with backoff while the server refuses connections', async () => {
    const { client } = await setup();
    let refuse = 2;
    server.wss.options.verifyClient = (_info: unknown, cb: (ok: boolean, code?: number) => void) => {
      if (refuse > 0) {
        refuse--;
        cb(false, 503);
      } else cb(true);
    };
    const attempts = collect(client, 'reconnecting');
    const reconnected = nextEvent(client, 'reconnected');
    server.conn(0).socket.terminate();
    const [rc] = await reconnected;
    expect(rc.attempts).toBe(3);
    expect(attempts.map(([a]) => a.attempt)).toEqual([1, 2, 3]);
    for (const [a] of attempts) expect(a.delayMs).toBeLessThanOrEqual(20);
  });

  it('does not reconnect after close()', async () => {
    const { client } = await setup();
    const reconnecting = collect(client, 'reconnecting');
    await client.close();
    await sleep(50);
    expect(reconnecting).toEqual([]);
    expect(server.conns).toHaveLength(1);
    expect(client.isConnected).toBe(false);
  });
});

describe('KalshiWsClient: liveness', () => {
  it('reads the clock once per socket read: the frames of one read share the time they arrived', async () => {
    let reads = 0;
    const local = new KalshiWsClient({ url: 'ws://127.0.0.1:1/unused', now: () => 1_000 * ++reads });
    const times: number[] = [];
    const gaps: boolean[] = [];
    local.on('message', (_m, meta) => {
      times.push(meta.receivedMs);
      gaps.push(meta.gap);
    });
    // `ws` hands over the frames of one read synchronously; a later read comes on a later task.
    const onFrame = (local as unknown as { onFrame(data: Buffer): void }).onFrame.bind(local);
    const frame = (seq: number) => Buffer.from(JSON.stringify(delta(1, seq)));
    onFrame(frame(1));
    onFrame(frame(2));
    onFrame(frame(4)); // a gap, flagged on its own even inside the read
    onFrame(frame(5));
    await Promise.resolve();
    onFrame(frame(6));
    expect(times).toEqual([1_000, 1_000, 1_000, 1_000, 2_000]);
    expect(gaps).toEqual([false, false, true, false, false]);
    expect(reads).toBe(2);
    expect(local.stats().lastMessageMs).toBe(2_000);
    await local.close();
  });

  it('reads a frame whatever form ws hands it in: a Buffer, an ArrayBuffer or a list of fragments', async () => {
    const local = new KalshiWsClient({ url: 'ws://127.0.0.1:1/unused', now: () => 1_000 });
    const seqs: number[] = [];
    local.on('message', (m) => seqs.push((m as { seq: number }).seq));
    const onFrame = (local as unknown as { onFrame(data: unknown): void }).onFrame.bind(local);
    const bytes = (seq: number) => Buffer.from(JSON.stringify(delta(1, seq)));
    onFrame(bytes(1));
    const b = bytes(2);
    onFrame(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
    const c = bytes(3);
    onFrame([c.subarray(0, 10), c.subarray(10)]);
    expect(seqs).toEqual([1, 2, 3]);
    expect(local.stats().protocolErrors).toBe(0);
    await local.close();
  });

  it('answers server pings, and pings keep a quiet connection alive', async () => {
    let t = 1_000_000;
    const { client } = await setup({ staleAfterMs: 40, now: () => t });
    const stale = collect(client, 'stale');
    const conn = server.conn(0);
    t += 30;
    conn.socket.ping('heartbeat');
    await waitFor(() => conn.pongs === 1, 'a pong');
    await waitFor(() => client.stats().pingsReceived === 1, 'the ping to be counted');
    t += 30; // 60 ms since open, 30 ms since the ping
    await sleep(40); // several watchdog rounds on a frozen clock
    expect(stale).toEqual([]);
    expect(client.stats().lastActivityMs).toBe(1_000_030);
  });

  it('terminates a silent connection (no message, no ping) and reconnects', async () => {
    let t = 1_000_000;
    const { client } = await setup({ staleAfterMs: 40, now: () => t });
    await client.subscribe({ channels: ['ticker'] });
    const stale = nextEvent(client, 'stale');
    const disconnected = nextEvent(client, 'disconnected');
    const reconnected = nextEvent(client, 'reconnected');
    t += 40;
    const [s] = await stale;
    expect(s.silentMs).toBe(40);
    const [d] = await disconnected;
    expect(d).toMatchObject({ cause: 'stale', willReconnect: true });
    const [rc] = await reconnected;
    expect(rc.resubscribed.remapped).toEqual([
      { channel: 'ticker', oldSid: 1, newSid: 101, tickers: undefined },
    ]);
    expect(server.conns).toHaveLength(2);
  });
});
