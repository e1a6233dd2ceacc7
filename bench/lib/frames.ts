/**
 * Kalshi orderbook frames for the pipeline benchmarks: a seeded stream of `orderbook_delta` text
 * frames (as the exchange sends them: dollar strings, fixed-point counts, one sid, consecutive seq)
 * over a few markets, each market opened by an `orderbook_snapshot`; and a loopback WebSocket
 * server that acknowledges the subscription and sends those snapshots, so a real KalshiWsClient
 * and the real orderbook integration come up against it.
 */
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import type { EventBus } from '../../src/bus.js';
import { OrderbookIntegration } from '../../src/integrations/index.js';
import { KalshiWsClient } from '../../src/kalshi/index.js';

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const dollars = (cents: number) => `0.${String(cents).padStart(2, '0')}00`;
const count = (n: number) => `${n}.00`;

export interface FrameSet {
  readonly tickers: readonly string[];
  readonly sid: number;
  /** One snapshot text per ticker (seq 1 … tickers.length). */
  readonly snapshots: readonly string[];
  /** Delta frames (seq continuing after the snapshots), as Buffers the way `ws` hands them over. */
  readonly deltas: readonly Buffer[];
}

export function makeFrames(opts: { deltas: number; markets: number; seed: number; sid?: number }): FrameSet {
  const rnd = mulberry32(opts.seed);
  const sid = opts.sid ?? 1;
  const tickers = Array.from({ length: opts.markets }, (_, i) => `KXBENCH-26JAN01-T${50 + i}`);
  const books = tickers.map(() => ({ yes: new Map<number, number>(), no: new Map<number, number>() }));
  let seq = 0;
  const snapshots = tickers.map((ticker, m) => {
    const b = books[m] as (typeof books)[number];
    for (let c = 30; c <= 48; c++) b.yes.set(c, 10 + Math.floor(rnd() * 500));
    for (let c = 30; c <= 48; c++) b.no.set(c, 10 + Math.floor(rnd() * 500));
    seq++;
    const levels = (l: Map<number, number>) => [...l].map(([c, n]) => [dollars(c), count(n)]);
    return JSON.stringify({
      type: 'orderbook_snapshot',
      sid,
      seq,
      msg: {
        market_ticker: ticker,
        market_id: `id-${m}`,
        yes_dollars_fp: levels(b.yes),
        no_dollars_fp: levels(b.no),
      },
    });
  });
  const deltas: Buffer[] = [];
  const t0 = Date.UTC(2026, 0, 1);
  for (let i = 0; i < opts.deltas; i++) {
    const m = Math.floor(rnd() * tickers.length);
    const b = books[m] as (typeof books)[number];
    const side = rnd() < 0.5 ? 'yes' : 'no';
    const ladder = side === 'yes' ? b.yes : b.no;
    const c = 30 + Math.floor(rnd() * 19);
    const have = ladder.get(c) ?? 0;
    const d = have > 0 && rnd() < 0.45 ? -Math.max(1, Math.floor(have * rnd())) : 1 + Math.floor(rnd() * 200);
    ladder.set(c, have + d);
    seq++;
    const ms = t0 + i;
    deltas.push(
      Buffer.from(
        JSON.stringify({
          type: 'orderbook_delta',
          sid,
          seq,
          msg: {
            market_ticker: tickers[m],
            market_id: `id-${m}`,
            price_dollars: dollars(c),
            delta_fp: d < 0 ? `-${count(-d)}` : count(d),
            side,
            ts: new Date(ms).toISOString(),
            ts_ms: ms,
          },
        }),
      ),
    );
  }
  return { tickers, sid, snapshots, deltas };
}

/**
 * A loopback exchange for the book channel: acknowledges `subscribe` with the frame set's sid and
 * sends the snapshots; `send(frame)` pushes more frames to every connection; it records what the
 * client sends otherwise (orders come over REST, not here).
 */
export async function bookServer(frames: FrameSet): Promise<{
  url: string;
  sockets: WebSocket[];
  send(frame: string | Buffer): void;
  close(): Promise<void>;
}> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const sockets: WebSocket[] = [];
  wss.on('connection', (socket) => {
    sockets.push(socket);
    socket.on('message', (data) => {
      const cmd = JSON.parse(data.toString()) as { id: number; cmd: string; params?: { sid?: number } };
      if (cmd.cmd === 'subscribe') {
        socket.send(
          JSON.stringify({
            id: cmd.id,
            type: 'subscribed',
            msg: { channel: 'orderbook_delta', sid: frames.sid },
          }),
        );
        for (const s of frames.snapshots) socket.send(s);
      } else if (cmd.cmd === 'update_subscription') {
        socket.send(JSON.stringify({ id: cmd.id, sid: cmd.params?.sid, seq: 0, type: 'ok', msg: {} }));
      }
    });
  });
  const { port } = wss.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/trade-api/ws/v2`,
    sockets,
    send(frame) {
      for (const s of sockets) s.send(frame);
    },
    async close() {
      for (const s of sockets) s.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** The trader's book side against `bookServer(frames)`: a real client and orderbook integration, connected. */
export async function connectBooks(
  frames: FrameSet,
  bus: EventBus,
): Promise<{
  server: Awaited<ReturnType<typeof bookServer>>;
  ws: KalshiWsClient;
  integration: OrderbookIntegration;
}> {
  const server = await bookServer(frames);
  const ws = new KalshiWsClient({ url: server.url, commandTimeoutMs: 10_000 });
  const integration = new OrderbookIntegration({
    ws,
    bus,
    clock: Date.now,
    staleAfterMs: 3_600_000,
    snapshotTimeoutMs: 60_000,
  });
  await integration.connect(frames.tickers);
  return { server, ws, integration };
}
