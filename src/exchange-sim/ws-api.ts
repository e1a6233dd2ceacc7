/**
 * The simulator's WebSocket surface at /trade-api/ws/v2 (KALSHI.md §7).
 *
 * - The upgrade is authenticated like Kalshi: signature over timestamp + "GET" + "/trade-api/ws/v2".
 * - Commands: subscribe (idempotent: re-subscribing a channel merges tickers into its sid),
 *   unsubscribe, update_subscription (add_markets, delete_markets, get_snapshot), list_subscriptions;
 *   errors carry Kalshi's numeric codes.
 * - Sequencing: each orderbook_delta subscription (sid) has one `seq` counter across all its markets:
 *   the snapshot and every delta take the next number; `ok`/`unsubscribed` carry the current value.
 * - Private channels (fill, user_orders, market_positions) carry only the connection's own account.
 * - Keep-alive: a ping frame with body "heartbeat" every pingIntervalMs (Kalshi: 10 s).
 * - Faults (FaultInjector): skip a seq, duplicate or reorder deltas, drop fill messages, latency,
 *   drop every connection.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { complement } from '../domain/index.js';
import {
  type ErrorMessage,
  formatCount,
  formatPrice,
  type OrderbookSnapshotMessage,
  WS_CHANNELS,
  WS_ERROR_CODES,
  type WsChannel,
  type WsErrorCode,
} from '../kalshi/index.js';
import type { KeyRegistry } from './auth.js';
import type { CoreEvent, ExchangeCore, Ladder } from './core-types.js';
import type { FaultInjector } from './faults.js';
import {
  renderLevels,
  wsFill,
  wsLifecycle,
  wsMarketPosition,
  wsTicker,
  wsTrade,
  wsUserOrder,
} from './render.js';

export const WS_PATH = '/trade-api/ws/v2';
/** A connection that has this much unsent data is a slow consumer (error 25). */
const SLOW_CONSUMER_BYTES = 16 * 1024 * 1024;
/** A held (reordered) delta is released after this long even if no other delta follows. */
const REORDER_RELEASE_MS = 50;

export interface WsContext {
  core: ExchangeCore;
  clock: () => number;
  keys: KeyRegistry;
  faults: FaultInjector;
  marketId(ticker: string): string;
  pingIntervalMs: number;
}

interface Subscription {
  sid: number;
  channel: WsChannel;
  /** null = every market (channels whose filter is optional). */
  tickers: Set<string> | null;
  seq: number;
  useYesPrice: boolean;
}

class CommandError extends Error {
  constructor(
    readonly code: WsErrorCode,
    readonly marketTicker?: string,
  ) {
    super(WS_ERROR_CODES[code]);
  }
}

class Connection {
  readonly subs = new Map<number, Subscription>();
  private nextSid = 1;
  private held: { sub: Subscription; frame: Record<string, unknown>; timer: NodeJS.Timeout } | undefined;

  constructor(
    readonly ws: WebSocket,
    readonly accountId: string,
    private readonly ctx: WsContext,
  ) {}

  allocateSid(): number {
    return this.nextSid++;
  }

  send(frame: unknown): void {
    const text = JSON.stringify(frame);
    const deliver = () => {
      if (this.ws.readyState !== WebSocket.OPEN) return;
      this.ws.send(text);
    };
    if (this.ctx.faults.latencyMs > 0) setTimeout(deliver, this.ctx.faults.latencyMs);
    else deliver();
  }

  sendError(id: number, err: CommandError): void {
    const msg: ErrorMessage = {
      id,
      type: 'error',
      msg: {
        code: err.code,
        msg: err.message,
        ...(err.marketTicker ? { market_ticker: err.marketTicker } : {}),
      },
    };
    this.send(msg);
  }

  /** Sends a sequenced message, applying the sequence faults. */
  sendSequenced(sub: Subscription, type: 'orderbook_delta' | 'orderbook_snapshot', msg: object): void {
    if (this.ws.bufferedAmount > SLOW_CONSUMER_BYTES) {
      this.subs.delete(sub.sid);
      this.sendError(0, new CommandError(25));
      return;
    }
    if (type === 'orderbook_delta' && this.ctx.faults.take('skipSeq')) sub.seq += 1;
    sub.seq += 1;
    const frame = { type, sid: sub.sid, seq: sub.seq, msg };
    if (type === 'orderbook_delta' && !this.held && this.ctx.faults.take('reorderDeltas')) {
      const timer = setTimeout(() => this.releaseHeld(), REORDER_RELEASE_MS);
      this.held = { sub, frame, timer };
      return;
    }
    this.send(frame);
    if (type === 'orderbook_delta' && this.ctx.faults.take('duplicateDeltas')) this.send(frame);
    this.releaseHeld();
  }

  private releaseHeld(): void {
    if (!this.held) return;
    const { frame, timer } = this.held;
    clearTimeout(timer);
    this.held = undefined;
    this.send(frame);
  }

  close(): void {
    if (this.held) clearTimeout(this.held.timer);
    this.held = undefined;
  }
}

export class SimWsServer {
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  private readonly connections = new Set<Connection>();
  private readonly dirtyTickers = new Set<string>();
  private tickerFlushScheduled = false;
  private readonly pingTimer: NodeJS.Timeout;
  private readonly unsubscribeCore: () => void;

  constructor(private readonly ctx: WsContext) {
    this.unsubscribeCore = ctx.core.onEvent((e) => this.onCoreEvent(e));
    this.pingTimer = setInterval(() => {
      for (const c of this.connections) if (c.ws.readyState === WebSocket.OPEN) c.ws.ping('heartbeat');
    }, ctx.pingIntervalMs);
    this.pingTimer.unref();
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Attach to an HTTP server's upgrade event. */
  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.onUpgrade(req, socket, head),
    );
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (req.url ?? '').split('?')[0];
    if (path !== WS_PATH) {
      rejectUpgrade(socket, 404, 'Not Found');
      return;
    }
    if (this.ctx.faults.take('rejectWsUpgrades')) {
      const status = this.ctx.faults.rejectWsUpgradeStatus;
      rejectUpgrade(
        socket,
        status,
        status === 401 ? 'Unauthorized' : status === 503 ? 'Service Unavailable' : 'Error',
      );
      return;
    }
    const auth = this.ctx.keys.authenticate(req.headers, 'GET', WS_PATH, this.ctx.clock());
    if (!auth.ok) {
      rejectUpgrade(socket, 401, 'Unauthorized');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const conn = new Connection(ws, auth.accountId, this.ctx);
      this.connections.add(conn);
      ws.on('message', (data, isBinary) => this.onMessage(conn, isBinary ? '' : data.toString()));
      ws.on('close', () => {
        conn.close();
        this.connections.delete(conn);
      });
      ws.on('error', () => ws.terminate());
    });
  }

  /** Fault: drop connections abruptly (no close frame): all, or those subscribed to `channel`. */
  dropAll(channel?: string): number {
    let n = 0;
    for (const c of this.connections) {
      if (channel !== undefined && ![...c.subs.values()].some((s) => s.channel === channel)) continue;
      c.ws.terminate();
      n += 1;
    }
    return n;
  }

  async close(): Promise<void> {
    clearInterval(this.pingTimer);
    this.unsubscribeCore();
    for (const c of this.connections) c.ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  // ---------- commands ----------

  private onMessage(conn: Connection, text: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      conn.sendError(0, new CommandError(1));
      return;
    }
    const frame = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
    const id = typeof frame.id === 'number' && Number.isInteger(frame.id) ? frame.id : 0;
    try {
      if (typeof parsed !== 'object' || parsed === null) throw new CommandError(1);
      const params = frame.params;
      if (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params))) {
        throw new CommandError(1);
      }
      const p = (params ?? {}) as Record<string, unknown>;
      switch (frame.cmd) {
        case 'subscribe':
          if (params === undefined) throw new CommandError(2);
          this.subscribe(conn, id, p);
          break;
        case 'unsubscribe':
          this.unsubscribe(conn, id, p);
          break;
        case 'update_subscription':
          if (params === undefined) throw new CommandError(2);
          this.updateSubscription(conn, id, p);
          break;
        case 'list_subscriptions':
          conn.send({
            id,
            type: 'ok',
            msg: [...conn.subs.values()].map((s) => ({ channel: s.channel, sid: s.sid })),
          });
          break;
        default:
          throw new CommandError(5);
      }
    } catch (err) {
      if (err instanceof CommandError) conn.sendError(id, err);
      else conn.sendError(id, new CommandError(17));
    }
  }

  private tickersOf(p: Record<string, unknown>): string[] | undefined {
    const one = p.market_ticker;
    const many = p.market_tickers;
    if (one !== undefined && many !== undefined) throw new CommandError(11);
    if (typeof one === 'string') return [one];
    if (one !== undefined) throw new CommandError(11);
    if (many === undefined) return undefined;
    if (!Array.isArray(many) || many.some((t) => typeof t !== 'string')) throw new CommandError(11);
    return many as string[];
  }

  private checkMarkets(tickers: string[]): void {
    for (const t of tickers) if (!this.ctx.core.market(t)) throw new CommandError(16, t);
  }

  private subscribe(conn: Connection, id: number, p: Record<string, unknown>): void {
    const channels = p.channels;
    if (!Array.isArray(channels) || channels.length === 0) throw new CommandError(3);
    for (const ch of channels) {
      if (typeof ch !== 'string' || !(WS_CHANNELS as readonly string[]).includes(ch))
        throw new CommandError(8);
    }
    const tickers = this.tickersOf(p);
    if (tickers) this.checkMarkets(tickers);
    if ((channels as string[]).includes('orderbook_delta') && !tickers?.length) throw new CommandError(14);
    if (p.use_yes_price !== undefined && typeof p.use_yes_price !== 'boolean') throw new CommandError(11);

    for (const channel of channels as WsChannel[]) {
      const existing = [...conn.subs.values()].find((s) => s.channel === channel);
      const sub: Subscription = existing ?? {
        sid: conn.allocateSid(),
        channel,
        tickers: tickers ? new Set() : null,
        seq: 0,
        useYesPrice: p.use_yes_price === true,
      };
      const added = tickers ? tickers.filter((t) => !sub.tickers?.has(t)) : [];
      if (tickers) {
        if (sub.tickers === null) sub.tickers = new Set();
        for (const t of added) sub.tickers.add(t);
      } else {
        sub.tickers = null;
      }
      conn.subs.set(sub.sid, sub);
      conn.send({ id, type: 'subscribed', msg: { channel, sid: sub.sid } });
      if (channel === 'orderbook_delta') for (const t of added) this.sendSnapshot(conn, sub, t);
      if (channel === 'ticker' && p.send_initial_snapshot === true) {
        for (const t of tickers ?? this.ctx.core.markets().map((m) => m.ticker))
          this.sendTicker(conn, sub, t);
      }
    }
  }

  private unsubscribe(conn: Connection, id: number, p: Record<string, unknown>): void {
    const sids = p.sids;
    if (!Array.isArray(sids) || sids.length === 0) throw new CommandError(4);
    for (const sid of sids) if (typeof sid !== 'number' || !conn.subs.has(sid)) throw new CommandError(7);
    for (const sid of sids as number[]) {
      const sub = conn.subs.get(sid)!;
      conn.subs.delete(sid);
      conn.send({ id, sid, seq: sub.seq, type: 'unsubscribed' });
    }
  }

  private updateSubscription(conn: Connection, id: number, p: Record<string, unknown>): void {
    let sid: unknown = p.sid;
    if (p.sids !== undefined) {
      if (!Array.isArray(p.sids) || p.sids.length !== 1 || sid !== undefined) throw new CommandError(12);
      sid = p.sids[0];
    }
    if (sid === undefined) throw new CommandError(12);
    const sub = typeof sid === 'number' ? conn.subs.get(sid) : undefined;
    if (!sub) throw new CommandError(7);
    if (p.action === undefined) throw new CommandError(15);
    const tickers = this.tickersOf(p);
    if (!tickers?.length) throw new CommandError(14);
    this.checkMarkets(tickers);
    switch (p.action) {
      case 'add_markets': {
        sub.tickers ??= new Set();
        const added = tickers.filter((t) => !sub.tickers!.has(t));
        for (const t of added) sub.tickers.add(t);
        if (sub.channel === 'orderbook_delta') for (const t of added) this.sendSnapshot(conn, sub, t);
        break;
      }
      case 'delete_markets':
        for (const t of tickers) sub.tickers?.delete(t);
        break;
      case 'get_snapshot':
        if (sub.channel !== 'orderbook_delta') throw new CommandError(13);
        for (const t of tickers) {
          if (!sub.tickers?.has(t)) throw new CommandError(11, t);
        }
        for (const t of tickers) this.sendSnapshot(conn, sub, t);
        break;
      default:
        throw new CommandError(13);
    }
    conn.send({
      id,
      sid: sub.sid,
      seq: sub.seq,
      type: 'ok',
      msg: { market_tickers: [...(sub.tickers ?? [])] },
    });
  }

  private sendSnapshot(conn: Connection, sub: Subscription, ticker: string): void {
    const book = this.ctx.core.book(ticker);
    const no = sub.useYesPrice
      ? book.no.map(([p, c]): [number, number] => [complement(p), c]).reverse()
      : book.no;
    const msg: OrderbookSnapshotMessage['msg'] = {
      market_ticker: ticker,
      market_id: this.ctx.marketId(ticker),
    };
    if (book.yes.length > 0) msg.yes_dollars_fp = renderLevels(book.yes, 0);
    if (no.length > 0) msg.no_dollars_fp = renderLevels(no, 0);
    conn.sendSequenced(sub, 'orderbook_snapshot', msg);
  }

  private sendTicker(conn: Connection, sub: Subscription, ticker: string): void {
    const m = this.ctx.core.market(ticker);
    if (!m) return;
    const now = this.ctx.clock();
    conn.send({
      type: 'ticker',
      sid: sub.sid,
      msg: wsTicker(m, this.ctx.core.book(ticker), this.ctx.marketId(ticker), now),
    });
  }

  // ---------- fan-out of core events ----------

  private *subscribers(channel: WsChannel, ticker: string | undefined, accountId?: string) {
    for (const conn of this.connections) {
      if (accountId !== undefined && conn.accountId !== accountId) continue;
      for (const sub of conn.subs.values()) {
        if (sub.channel !== channel) continue;
        if (ticker !== undefined && sub.tickers !== null && !sub.tickers.has(ticker)) continue;
        yield { conn, sub };
      }
    }
  }

  private onCoreEvent(e: CoreEvent): void {
    if (this.connections.size === 0) return;
    switch (e.type) {
      case 'book_delta':
        for (const { conn, sub } of this.subscribers('orderbook_delta', e.ticker)) {
          conn.sendSequenced(sub, 'orderbook_delta', this.deltaMsg(e, sub.useYesPrice, conn.accountId));
        }
        this.markTickerDirty(e.ticker);
        break;
      case 'trade':
        for (const { conn, sub } of this.subscribers('trade', e.trade.ticker)) {
          conn.send({ type: 'trade', sid: sub.sid, msg: wsTrade(e.trade) });
        }
        this.markTickerDirty(e.trade.ticker);
        break;
      case 'fill':
        for (const { conn, sub } of this.subscribers('fill', e.fill.ticker, e.fill.accountId)) {
          if (this.ctx.faults.take('dropFillMessages')) continue;
          conn.send({ type: 'fill', sid: sub.sid, msg: wsFill(e.fill) });
        }
        break;
      case 'order':
        for (const { conn, sub } of this.subscribers('user_orders', e.order.ticker, e.order.accountId)) {
          conn.send({ type: 'user_order', sid: sub.sid, msg: wsUserOrder(e.order) });
        }
        break;
      case 'position':
        for (const { conn, sub } of this.subscribers('market_positions', e.position.ticker, e.accountId)) {
          conn.send({
            type: 'market_position',
            sid: sub.sid,
            msg: wsMarketPosition(e.accountId, e.position),
          });
        }
        break;
      case 'lifecycle':
        for (const { conn, sub } of this.subscribers('market_lifecycle_v2', undefined)) {
          conn.send({
            type: 'market_lifecycle_v2',
            sid: sub.sid,
            msg: wsLifecycle(e.eventType, e.market, e.ts),
          });
        }
        break;
      default:
        break;
    }
  }

  private deltaMsg(e: Extract<CoreEvent, { type: 'book_delta' }>, useYesPrice: boolean, accountId: string) {
    const price = useYesPrice && e.ladder === 'no' ? complement(e.price) : e.price;
    return {
      market_ticker: e.ticker,
      market_id: this.ctx.marketId(e.ticker),
      price_dollars: formatPrice(price),
      delta_fp: formatCount(e.delta),
      side: e.ladder satisfies Ladder,
      ts: new Date(e.ts).toISOString(),
      ts_ms: e.ts,
      ...(e.accountId === accountId && e.clientOrderId ? { client_order_id: e.clientOrderId } : {}),
    };
  }

  /** Ticker messages are coalesced: at most one per market per turn of the event loop. */
  private markTickerDirty(ticker: string): void {
    this.dirtyTickers.add(ticker);
    if (this.tickerFlushScheduled) return;
    this.tickerFlushScheduled = true;
    setImmediate(() => {
      this.tickerFlushScheduled = false;
      const tickers = [...this.dirtyTickers];
      this.dirtyTickers.clear();
      for (const t of tickers) {
        for (const { conn, sub } of this.subscribers('ticker', t)) this.sendTicker(conn, sub, t);
      }
    });
  }
}

function rejectUpgrade(socket: Duplex, status: number, text: string): void {
  socket.write(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}
