/**
 * Kalshi WebSocket client (`/trade-api/ws/v2`, KALSHI.md §2 and §7).
 *
 * What it does:
 *  - signs the HTTP upgrade (headers computed fresh on every (re)connect);
 *  - sends commands and takes their answers by id (ws-commands.ts: batches of tickers, timeouts,
 *    `error` → KalshiWsServerError); pending commands fail when the socket drops;
 *  - remembers subscriptions as intent (channel + tickers + options, ws-subscriptions.ts) and
 *    re-subscribes all of them after a reconnect, reporting old → new sids (sids are per connection);
 *  - checks `seq` per sid on sequenced channels: a gap is reported and the message that revealed it
 *    is still delivered, flagged; a duplicate / old seq is reported and not delivered;
 *  - watches liveness: any message or server ping resets the staleness clock; silence for
 *    `staleAfterMs` terminates the socket and reconnects (exponential backoff with jitter);
 *  - never throws on bad input from the server: malformed JSON or an unknown `type` becomes a
 *    'protocolError' event naming what is wrong.
 *
 * A failed *first* connect() rejects (the caller owns that retry); once connected, drops are
 * retried by the client until close(). Its options, events and server error: ws-events.ts.
 */
import { EventEmitter } from 'eventemitter3';
import WebSocket from 'ws';
import { KalshiError, KalshiWsUpgradeError } from './errors.js';
import { type ChannelSid, closedError, isInt, isRecord, WsCommands } from './ws-commands.js';
import {
  type KalshiWsClientOptions,
  type KalshiWsEvents,
  KalshiWsServerError,
  type KalshiWsStats,
  type MessageMeta,
  type ResubscribedEvent,
  type ResubscribeFailure,
  type SidRemap,
  type SubscriptionInfo,
  type WebSocketConstructor,
  type WsSigner,
} from './ws-events.js';
import { type Intent, WsSubscriptions } from './ws-subscriptions.js';
import type {
  OkMessage,
  SubscribeParams,
  UpdateSubscriptionParams,
  WsChannel,
  WsDataMessage,
} from './ws-types.js';
import { CHANNEL_OF_TYPE, SEQUENCED_CHANNELS } from './ws-types.js';

export { MAX_TICKERS_PER_COMMAND } from './ws-commands.js';

// ---------- internals ----------

/** Data message type → its channel and whether that channel carries a seq: one lookup per frame. */
interface DataRoute {
  readonly channel: WsChannel;
  readonly sequenced: boolean;
}
const DATA_ROUTES: ReadonlyMap<string, DataRoute> = new Map(
  Object.entries(CHANNEL_OF_TYPE).map(([type, channel]) => [
    type,
    { channel, sequenced: SEQUENCED_CHANNELS.has(channel) },
  ]),
);
const DELTA_ROUTE = DATA_ROUTES.get('orderbook_delta') as DataRoute;

function rawToString(data: WebSocket.RawData): string {
  // The usual case first, with a cheap test: ArrayBuffer.isView is a type check, where
  // `instanceof ArrayBuffer` walks the Buffer's prototype chain on every frame. Without arguments
  // Buffer#toString goes straight to its utf-8 decoder.
  if (ArrayBuffer.isView(data)) return data.toString();
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

function clip(s: string): string {
  return s.length > 2000 ? `${s.slice(0, 2000)}…` : s;
}

export class KalshiWsClient extends EventEmitter<KalshiWsEvents> {
  private readonly url: string;
  private readonly path: string;
  private readonly signer: WsSigner | undefined;
  private readonly commandTimeoutMs: number;
  private readonly staleAfterMs: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly reconnectEnabled: boolean;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly WebSocketImpl: WebSocketConstructor;

  private ws: WebSocket | undefined;
  /** Bumped per socket; events from older sockets are ignored. */
  private generation = 0;
  private userClosed = false;
  private readonly subs = new WsSubscriptions();
  private readonly commands: WsCommands;
  /** The last seq seen per sid, as a mutable cell: a message in order updates it without a Map#set. */
  private readonly lastSeq = new Map<number, { seq: number }>();
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private watchdog: ReturnType<typeof setInterval> | undefined;
  private failedAttempts = 0;
  private connecting: Promise<void> | undefined;
  private staleTerminated = false;

  private counters = {
    messagesReceived: 0,
    dataMessages: 0,
    protocolErrors: 0,
    gaps: 0,
    duplicates: 0,
    reconnects: 0,
    pingsReceived: 0,
  };
  private lastMessageMs: number | undefined;
  private lastActivityMs: number | undefined;
  /** receiveTime()'s value for the read being handled; undefined between reads. */
  private burstMs: number | undefined;
  /** The meta of the read's unflagged messages: the same values, so one (readonly) object serves them all. */
  private burstMeta: MessageMeta | undefined;
  private readonly endBurst = (): void => {
    this.burstMs = undefined;
    this.burstMeta = undefined;
  };

  constructor(opts: KalshiWsClientOptions) {
    super();
    this.url = opts.url;
    this.path = opts.path ?? new URL(opts.url).pathname;
    this.signer = opts.signer;
    this.commandTimeoutMs = opts.commandTimeoutMs ?? 10_000;
    this.staleAfterMs = opts.staleAfterMs ?? 30_000;
    this.baseDelayMs = opts.reconnect?.baseDelayMs ?? 1000;
    this.maxDelayMs = opts.reconnect?.maxDelayMs ?? 30_000;
    this.reconnectEnabled = opts.reconnect?.enabled ?? true;
    this.random = opts.random ?? Math.random;
    this.now = opts.now ?? Date.now;
    this.WebSocketImpl = opts.WebSocketImpl ?? WebSocket;
    this.commands = new WsCommands({
      timeoutMs: this.commandTimeoutMs,
      socket: () => this.ws,
      subs: this.subs,
      protocolError: (description, raw) => this.protocolError(description, raw),
    });
  }

  // ---------- lifecycle ----------

  /** Opens the socket. Rejects (no retry) when this first attempt fails. */
  connect(): Promise<void> {
    if (this.isConnected) return Promise.resolve();
    if (!this.connecting) {
      this.connecting = this.connectOnce().finally(() => {
        this.connecting = undefined;
      });
    }
    return this.connecting;
  }

  private async connectOnce(): Promise<void> {
    this.userClosed = false;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    await this.openSocket();
    if (this.subs.unbound().length > 0) {
      // Connected again after close() or a drop: restore what was subscribed, as a reconnect does.
      const attempts = this.failedAttempts;
      this.failedAttempts = 0;
      this.counters.reconnects++;
      const gen = this.generation;
      const resubscribed = await this.resubscribeAll(gen);
      if (resubscribed === undefined || gen !== this.generation) return;
      this.emit('resubscribed', resubscribed);
      this.emit('reconnected', { attempts, resubscribed });
    }
  }

  /** Closes for good: no reconnect; pending commands reject with KALSHI_WS_CLOSED. */
  async close(): Promise<void> {
    this.userClosed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.stopWatchdog();
    this.commands.failAll(closedError('client closed'));
    const ws = this.ws;
    this.ws = undefined;
    this.generation++;
    this.forgetSids();
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => ws.terminate(), 1000);
        ws.once('close', () => {
          clearTimeout(force);
          resolve();
        });
        if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
        else ws.close(1000, 'client closing');
      });
    }
    this.emit('closed');
  }

  get isConnected(): boolean {
    return this.ws !== undefined && this.ws.readyState === WebSocket.OPEN;
  }

  stats(): KalshiWsStats {
    return {
      connected: this.isConnected,
      ...this.counters,
      lastMessageMs: this.lastMessageMs,
      lastActivityMs: this.lastActivityMs,
      subscriptions: this.subs.size,
    };
  }

  /** Remembered subscriptions (intent), with their sids on the current connection. */
  subscriptions(): SubscriptionInfo[] {
    return this.subs.list();
  }

  /**
   * Drops markets from the remembered subscription behind `sid` without telling the server: for a
   * delete_markets that could not be sent (the socket was down), so that the re-subscription after
   * the reconnect leaves them out. `sid` may be one of the connection that dropped (the intent
   * keeps it as its last sid until the re-subscription acknowledges a new one). Markets the intent
   * does not name are ignored.
   */
  forgetMarkets(sid: number, tickers: readonly string[]): void {
    this.subs.forgetMarkets(sid, tickers);
  }

  /** The remembered subscription behind a sid of the current connection. */
  subscriptionOf(sid: number): SubscriptionInfo | undefined {
    return this.subs.of(sid);
  }

  // ---------- commands ----------

  /**
   * Subscribes; resolves when every channel is acknowledged, with one sid per channel. A ticker
   * list longer than MAX_TICKERS_PER_COMMAND goes in several commands (ws-commands.ts).
   */
  subscribe(params: SubscribeParams): Promise<ChannelSid[]> {
    return this.commands.subscribe(params, undefined);
  }

  /** Unsubscribes; resolves when every sid is acknowledged. Forgets the intents. */
  unsubscribe(sids: number[]): Promise<void> {
    return this.commands.unsubscribe(sids);
  }

  /**
   * add_markets / delete_markets (updates the remembered intent) or get_snapshot. A ticker list
   * longer than MAX_TICKERS_PER_COMMAND goes in several commands, one after the other; the answer
   * is the last one's.
   */
  updateSubscription(params: UpdateSubscriptionParams): Promise<OkMessage> {
    return this.commands.update(params);
  }

  listSubscriptions(): Promise<ChannelSid[]> {
    return this.commands.list();
  }

  /** Asks for fresh snapshots (after a gap). Default: every ticker of the subscription. */
  resync(sid: number, tickers?: readonly string[]): Promise<OkMessage> {
    const list = tickers ?? this.subs.tickersOf(sid);
    const params: UpdateSubscriptionParams = { sid, action: 'get_snapshot' };
    if (list && list.length > 0) params.market_tickers = [...list];
    return this.updateSubscription(params);
  }

  // ---------- socket ----------

  private openSocket(): Promise<void> {
    const gen = ++this.generation;
    const headers = this.signer ? this.signer.headers('GET', this.path, this.now()) : {};
    const ws = new this.WebSocketImpl(this.url, {
      headers,
      autoPong: true,
      handshakeTimeout: this.commandTimeoutMs,
    });
    this.ws = ws;
    let opened = false;
    return new Promise<void>((resolve, reject) => {
      ws.on('open', () => {
        if (gen !== this.generation) {
          // Superseded by close() or a newer connect while the handshake ran.
          ws.terminate();
          reject(closedError('superseded before open'));
          return;
        }
        opened = true;
        this.onOpen();
        resolve();
      });
      ws.on('message', (data) => {
        if (gen === this.generation) this.onFrame(data);
      });
      ws.on('ping', () => {
        if (gen !== this.generation) return;
        this.counters.pingsReceived++;
        this.lastActivityMs = this.now();
      });
      ws.on('error', (err) => {
        if (!opened) {
          const refused = /Unexpected server response: (\d{3})/.exec(err.message);
          reject(
            refused
              ? new KalshiWsUpgradeError(Number(refused[1]), `WebSocket connect failed: ${err.message}`, {
                  cause: err,
                })
              : new KalshiError('KALSHI_WS_CLOSED', `WebSocket connect failed: ${err.message}`, {
                  cause: err,
                }),
          );
        } else if (gen === this.generation) {
          this.emit('socketError', err);
        }
      });
      ws.on('close', (code, reason) => {
        if (!opened) {
          reject(closedError(`before open (code ${code})`));
          if (gen === this.generation) this.ws = undefined;
          return;
        }
        if (gen === this.generation) this.onClose(code, reason.toString('utf8'));
      });
    });
  }

  private onOpen(): void {
    this.lastActivityMs = this.now();
    this.lastSeq.clear();
    this.staleTerminated = false;
    this.startWatchdog();
    this.emit('open');
  }

  private onClose(code: number, reason: string): void {
    this.ws = undefined;
    this.stopWatchdog();
    this.commands.failAll(closedError(`code ${code}${reason ? ` ${reason}` : ''}`));
    this.forgetSids();
    const willReconnect = !this.userClosed && this.reconnectEnabled;
    this.emit('disconnected', {
      code,
      reason,
      cause: this.staleTerminated ? 'stale' : 'remote',
      willReconnect,
    });
    if (willReconnect) this.scheduleReconnect();
  }

  private forgetSids(): void {
    this.subs.unbindAll();
    this.lastSeq.clear();
  }

  private backoffDelay(attempt: number): number {
    const exp = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.min(attempt - 1, 30));
    // Equal jitter: half fixed, half random, so retries spread out but never collapse to 0.
    return Math.round(exp / 2 + (exp / 2) * this.random());
  }

  private scheduleReconnect(): void {
    const attempt = ++this.failedAttempts;
    const delayMs = this.backoffDelay(attempt);
    this.emit('reconnecting', { attempt, delayMs });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.reconnectNow();
    }, delayMs);
  }

  private async reconnectNow(): Promise<void> {
    // An explicit connect() may have taken over meanwhile.
    if (this.userClosed || this.connecting || this.isConnected) return;
    try {
      await this.openSocket();
    } catch (err) {
      if (this.userClosed || this.connecting || this.isConnected) return;
      this.emit('socketError', err instanceof Error ? err : new Error(String(err)));
      this.scheduleReconnect();
      return;
    }
    const gen = this.generation;
    const attempts = this.failedAttempts;
    this.failedAttempts = 0;
    this.counters.reconnects++;
    const resubscribed = await this.resubscribeAll(gen);
    if (resubscribed === undefined || gen !== this.generation || this.userClosed) return;
    this.emit('resubscribed', resubscribed);
    this.emit('reconnected', { attempts, resubscribed });
  }

  /** undefined when the connection dropped again meanwhile (intents kept for the next try). */
  private async resubscribeAll(gen: number): Promise<ResubscribedEvent | undefined> {
    const todo = this.subs.unbound();
    const results = await Promise.allSettled(
      todo.map((intent) => {
        const params: SubscribeParams = { channels: [intent.channel], ...intent.options };
        if (intent.tickers) params.market_tickers = [...intent.tickers];
        return this.commands.subscribe(params, intent);
      }),
    );
    if (gen !== this.generation || this.userClosed) return undefined;
    const remapped: SidRemap[] = [];
    const failed: ResubscribeFailure[] = [];
    results.forEach((r, i) => {
      const intent = todo[i] as Intent;
      if (r.status === 'fulfilled' && intent.sid !== undefined) {
        remapped.push({
          channel: intent.channel,
          oldSid: intent.lastSid,
          newSid: intent.sid,
          tickers: intent.tickers,
        });
      } else {
        const error =
          r.status === 'rejected'
            ? r.reason instanceof Error
              ? r.reason
              : new Error(String(r.reason))
            : new Error('no sid acknowledged');
        this.subs.forget(intent);
        failed.push({ channel: intent.channel, oldSid: intent.lastSid, tickers: intent.tickers, error });
      }
    });
    return { remapped, failed };
  }

  private startWatchdog(): void {
    this.stopWatchdog();
    const every = Math.max(5, Math.floor(this.staleAfterMs / 4));
    this.watchdog = setInterval(() => this.checkStale(), every);
    this.watchdog.unref?.();
  }

  private stopWatchdog(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = undefined;
  }

  private checkStale(): void {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN || this.lastActivityMs === undefined) return;
    const silentMs = this.now() - this.lastActivityMs;
    if (silentMs < this.staleAfterMs) return;
    this.staleTerminated = true;
    this.stopWatchdog();
    this.emit('stale', { silentMs });
    ws.terminate();
  }

  // ---------- incoming ----------

  private protocolError(description: string, raw: string): void {
    this.counters.protocolErrors++;
    this.emit('protocolError', { description, raw: clip(raw) });
  }

  /**
   * Our clock at the socket read that delivered the frame being handled. `ws` hands over every
   * frame of one read synchronously, so the clock is read once per read (the first frame) and
   * forgotten in the microtask after it: the frames of a burst share the time they arrived at,
   * and a burst of N frames costs one clock read, not N (a clock read is ~170 ns on some VMs).
   */
  private receiveTime(): number {
    let t = this.burstMs;
    if (t === undefined) {
      t = this.now();
      this.burstMs = t;
      queueMicrotask(this.endBurst);
    }
    return t;
  }

  private onFrame(data: WebSocket.RawData): void {
    const receivedMs = this.receiveTime();
    this.counters.messagesReceived++;
    this.lastMessageMs = receivedMs;
    this.lastActivityMs = receivedMs;
    const text = rawToString(data);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      this.protocolError(`malformed JSON: ${err instanceof Error ? err.message : String(err)}`, text);
      return;
    }
    if (!isRecord(parsed)) {
      this.protocolError('message is not a JSON object', text);
      return;
    }
    const type = parsed.type;
    if (typeof type !== 'string') {
      this.protocolError('message has no string "type" field', text);
      return;
    }
    switch (type) {
      case 'subscribed':
        this.commands.onSubscribed(parsed, text);
        return;
      case 'unsubscribed':
        this.onUnsubscribed(parsed, text);
        return;
      case 'ok':
        this.commands.onOk(parsed, text);
        return;
      case 'error':
        this.onError(parsed, text);
        return;
      default: {
        // Most frames are book deltas: an equality test spares hashing the frame's fresh type string.
        const route = type === 'orderbook_delta' ? DELTA_ROUTE : DATA_ROUTES.get(type);
        if (route) this.onData(type as WsDataMessage['type'], route, parsed, text, receivedMs);
        else this.protocolError(`unknown message type "${type}"`, text);
      }
    }
  }

  private onUnsubscribed(m: Record<string, unknown>, text: string): void {
    const sid = m.sid;
    if (!isInt(sid)) {
      this.protocolError('unsubscribed: missing integer sid', text);
      return;
    }
    const intent = this.subs.ended(sid);
    this.lastSeq.delete(sid);
    if (!this.commands.onUnsubscribed(m.id, sid))
      this.emit('subscriptionDropped', { sid, channel: intent?.channel, tickers: intent?.tickers });
  }

  private onError(m: Record<string, unknown>, text: string): void {
    const body = m.msg;
    if (!isRecord(body) || !isInt(body.code)) {
      this.protocolError('error: msg must carry an integer code', text);
      return;
    }
    const id = m.id;
    const err = new KalshiWsServerError(body.code, typeof body.msg === 'string' ? body.msg : '', {
      marketTicker: typeof body.market_ticker === 'string' ? body.market_ticker : undefined,
      marketId: typeof body.market_id === 'string' ? body.market_id : undefined,
      commandId: isInt(id) ? id : undefined,
    });
    if (!this.commands.onError(id, err)) this.emit('serverError', err);
  }

  private onData(
    type: WsDataMessage['type'],
    route: DataRoute,
    m: Record<string, unknown>,
    text: string,
    receivedMs: number,
  ): void {
    const sid = m.sid;
    if (!isInt(sid)) {
      this.protocolError(`${type}: missing integer sid`, text);
      return;
    }
    if (!isRecord(m.msg)) {
      this.protocolError(`${type}: msg must be an object`, text);
      return;
    }
    const channel = route.channel;
    let gap = false;
    if (route.sequenced) {
      const seq = m.seq;
      if (!isInt(seq)) {
        this.protocolError(`${type}: sequenced message without an integer seq`, text);
        return;
      }
      const cell = this.lastSeq.get(sid);
      if (cell === undefined) this.lastSeq.set(sid, { seq });
      else {
        const last = cell.seq;
        if (seq <= last) {
          this.counters.duplicates++;
          this.emitGap('duplicate', sid, channel, type, last + 1, seq);
          return;
        }
        if (seq !== last + 1) {
          this.counters.gaps++;
          gap = true;
          this.emitGap('gap', sid, channel, type, last + 1, seq);
        }
        cell.seq = seq;
      }
    }
    this.counters.dataMessages++;
    // Unflagged messages of one read share one meta (same receivedMs, gap false; readonly).
    const shared = this.burstMeta;
    let meta: MessageMeta;
    if (gap) meta = { receivedMs, gap };
    else if (shared !== undefined && shared.receivedMs === receivedMs) meta = shared;
    else {
      meta = { receivedMs, gap: false };
      this.burstMeta = meta; // forgotten with the read (endBurst)
    }
    this.emit('message', m as unknown as WsDataMessage, meta);
  }

  private emitGap(
    kind: 'gap' | 'duplicate',
    sid: number,
    channel: WsChannel,
    messageType: WsDataMessage['type'],
    expected: number,
    received: number,
  ): void {
    const tickers = this.subs.tickersOf(sid) ?? [];
    this.emit('gap', { kind, sid, channel, messageType, expected, received, tickers: [...tickers] });
  }
}
