/**
 * The simulator's WebSocket protocol, spoken raw (no client library of ours): auth on upgrade,
 * commands and their errors, per-sid seq, snapshots, private channels, faults.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type SimCredentials, type Simulator, startSimulator } from '../../src/exchange-sim/index.js';
import { createSigner } from '../../src/kalshi/signer.js';
import { simOrder } from '../sim-order.js';

type Frame = Record<string, unknown> & { type: string; id?: number; sid?: number; seq?: number; msg?: any };

class RawClient {
  readonly frames: Frame[] = [];
  private waiters: Array<() => void> = [];

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()) as Frame);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static async open(sim: Simulator, creds: SimCredentials): Promise<RawClient> {
    const signer = createSigner({ keyId: creds.key_id, privateKeyPem: creds.private_key_pem });
    const ws = new WebSocket(sim.wsUrl, { headers: signer.headers('GET', '/trade-api/ws/v2') });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new RawClient(ws);
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Waits until a frame matching `pred` has arrived (searching all frames since `from`). */
  async waitFor(pred: (f: Frame) => boolean, from = 0, timeoutMs = 5_000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.slice(from).find(pred);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; frames: ${JSON.stringify(this.frames.slice(-5))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.ws.terminate();
  }
}

describe('simulator WebSocket', () => {
  let sim: Simulator;
  let creds: SimCredentials;
  let tickers: string[];
  const clients: RawClient[] = [];

  beforeAll(async () => {
    sim = await startSimulator({
      seed: 11,
      markets: 6,
      ratePerSec: 0,
      rateLimit: false,
      pingIntervalMs: 200,
    });
    creds = sim.createAccount({ balance: 100_000_000 });
    tickers = sim.core.markets().map((m) => m.ticker);
  });

  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
    sim.faults.clear();
  });

  afterAll(async () => {
    await sim.close();
  });

  async function client(): Promise<RawClient> {
    const c = await RawClient.open(sim, creds);
    clients.push(c);
    return c;
  }

  function restingOrder(clientOrderId: string, yesPrice: number) {
    const r = sim.core.place(
      simOrder({ accountId: 'sim-mm-0', ticker: tickers[0]!, clientOrderId, yesPrice, count: 100 }),
    );
    if (!r.ok) throw new Error(r.error.details);
    return r.value.order;
  }

  it('refuses an unsigned or wrongly signed upgrade with 401', async () => {
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(sim.wsUrl);
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('open', () => resolve(101));
    });
    expect(status).toBe(401);
    const signer = createSigner({ keyId: creds.key_id, privateKeyPem: creds.private_key_pem });
    const wrongPath = await new Promise<number>((resolve) => {
      const ws = new WebSocket(sim.wsUrl, { headers: signer.headers('GET', '/trade-api/v2/ws') });
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('open', () => resolve(101));
    });
    expect(wrongPath).toBe(401);
  });

  it('acknowledges each channel, sends a snapshot, then sequenced deltas on one counter per sid', async () => {
    const c = await client();
    c.send({
      id: 1,
      cmd: 'subscribe',
      params: { channels: ['orderbook_delta', 'ticker'], market_tickers: tickers.slice(0, 2) },
    });
    const ack = await c.waitFor((f) => f.type === 'subscribed' && f.msg.channel === 'orderbook_delta');
    expect(ack.id).toBe(1);
    await c.waitFor((f) => f.type === 'subscribed' && f.msg.channel === 'ticker');
    const snaps = await c.waitFor((f) => f.type === 'orderbook_snapshot' && f.seq === 2);
    expect(snaps.sid).toBe(ack.msg.sid);
    const first = c.frames.find((f) => f.type === 'orderbook_snapshot' && f.seq === 1);
    expect(first?.msg.market_ticker).toBe(tickers[0]);
    expect(first?.msg.yes_dollars_fp?.length).toBeGreaterThan(0);

    const from = c.frames.length;
    const order = restingOrder('ws-seq-1', 200);
    const delta = await c.waitFor((f) => f.type === 'orderbook_delta', from);
    expect(delta).toMatchObject({
      sid: ack.msg.sid,
      seq: 3,
      msg: { market_ticker: tickers[0], price_dollars: '0.0200', delta_fp: '1.00', side: 'yes' },
    });
    expect(typeof delta.msg.ts_ms).toBe('number');
    sim.core.cancel('sim-mm-0', order.orderId);
    const removal = await c.waitFor((f) => f.type === 'orderbook_delta' && f.seq === 4, from);
    expect(removal.msg.delta_fp).toBe('-1.00');
    await c.waitFor((f) => f.type === 'ticker' && f.msg.market_ticker === tickers[0], from);
  });

  it('answers bad commands with Kalshi error codes', async () => {
    const c = await client();
    const cases: Array<[unknown, number]> = [
      ['{not json', 1],
      [{ id: 2, cmd: 'subscribe' }, 2],
      [{ id: 3, cmd: 'subscribe', params: { channels: [] } }, 3],
      [{ id: 4, cmd: 'unsubscribe', params: {} }, 4],
      [{ id: 5, cmd: 'dance', params: {} }, 5],
      [{ id: 7, cmd: 'unsubscribe', params: { sids: [999] } }, 7],
      [{ id: 8, cmd: 'subscribe', params: { channels: ['nope'] } }, 8],
      [{ id: 14, cmd: 'subscribe', params: { channels: ['orderbook_delta'] } }, 14],
      [{ id: 16, cmd: 'subscribe', params: { channels: ['orderbook_delta'], market_ticker: 'NOPE-1' } }, 16],
    ];
    for (const [frame, code] of cases) {
      const from = c.frames.length;
      c.send(frame);
      const err = await c.waitFor((f) => f.type === 'error', from);
      expect(err.msg.code, JSON.stringify(frame)).toBe(code);
    }
  });

  it('re-sends a snapshot on get_snapshot, updates markets and lists subscriptions', async () => {
    const c = await client();
    c.send({ id: 1, cmd: 'subscribe', params: { channels: ['orderbook_delta'], market_ticker: tickers[0] } });
    const ack = await c.waitFor((f) => f.type === 'subscribed');
    const sid = ack.msg.sid as number;
    await c.waitFor((f) => f.type === 'orderbook_snapshot');

    c.send({
      id: 2,
      cmd: 'update_subscription',
      params: { sid, action: 'add_markets', market_tickers: [tickers[1]] },
    });
    const added = await c.waitFor((f) => f.type === 'ok' && f.id === 2);
    expect(added.msg.market_tickers).toEqual([tickers[0], tickers[1]]);
    expect(added.seq).toBe(2);

    c.send({
      id: 3,
      cmd: 'update_subscription',
      params: { sids: [sid], action: 'get_snapshot', market_tickers: [tickers[0]] },
    });
    const snap = await c.waitFor((f) => f.type === 'orderbook_snapshot' && f.seq === 3);
    expect(snap.msg.market_ticker).toBe(tickers[0]);

    c.send({ id: 4, cmd: 'list_subscriptions' });
    const list = await c.waitFor((f) => f.type === 'ok' && f.id === 4);
    expect(list.msg).toEqual([{ channel: 'orderbook_delta', sid }]);

    c.send({ id: 5, cmd: 'unsubscribe', params: { sids: [sid] } });
    const unsub = await c.waitFor((f) => f.type === 'unsubscribed');
    expect(unsub).toMatchObject({ id: 5, sid, seq: 3 });
  });

  it('reports NO levels on the YES scale with use_yes_price', async () => {
    const c = await client();
    c.send({
      id: 1,
      cmd: 'subscribe',
      params: { channels: ['orderbook_delta'], market_ticker: tickers[0], use_yes_price: true },
    });
    const snap = await c.waitFor((f) => f.type === 'orderbook_snapshot');
    const book = sim.core.book(tickers[0]!);
    const bestNo = book.no[book.no.length - 1]![0];
    const reported = (snap.msg.no_dollars_fp as [string, string][]).map(([p]) => p);
    expect(reported).toContain(((10_000 - bestNo) / 10_000).toFixed(4));
  });

  it('sends private fill, user_order and market_position messages for the own account only', async () => {
    const c = await client();
    c.send({ id: 1, cmd: 'subscribe', params: { channels: ['fill', 'user_orders', 'market_positions'] } });
    await c.waitFor((f) => f.type === 'subscribed' && f.msg.channel === 'market_positions');
    const book = sim.core.book(tickers[0]!);
    const bestNo = book.no[book.no.length - 1]![0];
    const from = c.frames.length;
    const signer = createSigner({ keyId: creds.key_id, privateKeyPem: creds.private_key_pem });
    const path = '/trade-api/v2/portfolio/events/orders';
    const res = await fetch(sim.restUrl + '/portfolio/events/orders', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signer.headers('POST', path) },
      body: JSON.stringify({
        ticker: tickers[0],
        client_order_id: 'ws-private-1',
        side: 'bid',
        count: '1.00',
        price: ((10_000 - bestNo) / 10_000).toFixed(4),
        time_in_force: 'immediate_or_cancel',
        self_trade_prevention_type: 'maker',
      }),
    });
    expect(res.status).toBe(201);
    const fill = await c.waitFor((f) => f.type === 'fill', from);
    expect(fill.msg).toMatchObject({
      market_ticker: tickers[0],
      is_taker: true,
      count_fp: '1.00',
      client_order_id: 'ws-private-1',
    });
    const uo = await c.waitFor(
      (f) => f.type === 'user_order' && f.msg.client_order_id === 'ws-private-1',
      from,
    );
    expect(uo.msg.ticker).toBe(tickers[0]);
    const mp = await c.waitFor((f) => f.type === 'market_position', from);
    expect(mp.msg.position_fp).toBe('1.00');
    // The market maker's side of the trade is not ours: no fill for it reaches this connection.
    expect(c.frames.slice(from).filter((f) => f.type === 'fill')).toHaveLength(1);
  });

  it('injects a skipped seq, a duplicate delta and a dropped connection on request', async () => {
    const c = await client();
    c.send({ id: 1, cmd: 'subscribe', params: { channels: ['orderbook_delta'], market_ticker: tickers[0] } });
    await c.waitFor((f) => f.type === 'orderbook_snapshot');

    sim.applyFault({ action: 'skip_seq' });
    let from = c.frames.length;
    restingOrder('fault-1', 300);
    const skipped = await c.waitFor((f) => f.type === 'orderbook_delta', from);
    expect(skipped.seq).toBe(3); // 2 was skipped

    sim.applyFault({ action: 'duplicate_deltas' });
    from = c.frames.length;
    restingOrder('fault-2', 400);
    await c.waitFor((f) => f.type === 'orderbook_delta', from);
    await new Promise((r) => setTimeout(r, 50));
    const dups = c.frames.slice(from).filter((f) => f.type === 'orderbook_delta');
    expect(dups.map((f) => f.seq)).toEqual([4, 4]);

    const closed = new Promise<void>((resolve) => c.ws.once('close', () => resolve()));
    expect(sim.applyFault({ action: 'drop_ws_connections' }).dropped).toBeGreaterThanOrEqual(1);
    await closed;
  });

  it('drops only the connections subscribed to a channel, and refuses upgrades on request', async () => {
    const books = await client();
    const privates = await client();
    books.send({
      id: 1,
      cmd: 'subscribe',
      params: { channels: ['orderbook_delta'], market_ticker: tickers[0] },
    });
    privates.send({ id: 1, cmd: 'subscribe', params: { channels: ['fill'] } });
    await books.waitFor((f) => f.type === 'subscribed');
    await privates.waitFor((f) => f.type === 'subscribed');
    const closed = new Promise<void>((resolve) => books.ws.once('close', () => resolve()));
    expect(sim.applyFault({ action: 'drop_ws_connections', channel: 'orderbook_delta' }).dropped).toBe(1);
    await closed;
    expect(privates.ws.readyState).toBe(WebSocket.OPEN);

    sim.applyFault({ action: 'reject_ws_upgrades', count: 1 });
    await expect(RawClient.open(sim, creds)).rejects.toThrow(/503/);
    clients.push(await RawClient.open(sim, creds));
  });

  it('pings with a heartbeat body', async () => {
    const c = await client();
    const payload = await new Promise<string>((resolve) =>
      c.ws.once('ping', (data) => resolve(data.toString())),
    );
    expect(payload).toBe('heartbeat');
  });
});
