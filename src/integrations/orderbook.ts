/**
 * The orderbook integration (an invoked actor's implementation): one WebSocket connection that
 * keeps a local book per market (BookFeed: snapshot + deltas, resync of every ticker of a sid on a
 * gap), a staleness watchdog, and the bus events the rest of the trader reads.
 *
 * connect() is idempotent and is what the machine's ORDERBOOK_CONNECT stage runs, first time and
 * after every error: it (re)connects the socket if needed and resolves once every book is live.
 */
import type { EventBus } from '../bus.js';
import type { KalshiWsClient } from '../kalshi/index.js';
import type { OrderBook } from '../orderbook/index.js';
import { BookFeed } from '../orderbook/index.js';

export interface OrderbookIntegrationDeps {
  ws: KalshiWsClient;
  bus: EventBus;
  clock: () => number;
  /** A book with no update for this long is stale until a fresh snapshot arrives. */
  staleAfterMs: number;
  /** How long connect() waits for every book to go live. */
  snapshotTimeoutMs: number;
}

export interface BookHealth {
  ticker: string;
  status: 'live' | 'resyncing' | 'stale';
  ageMs: number | undefined;
}

export class OrderbookIntegration {
  private feed: BookFeed | undefined;
  private connected = false;
  private readonly offs: Array<() => void> = [];

  constructor(private readonly deps: OrderbookIntegrationDeps) {
    const { ws, bus, clock } = deps;
    const onDisconnected = (e: { reason: string; cause: string }) => {
      if (!this.connected) return;
      this.connected = false;
      bus.emit('connection.lost', {
        source: 'orderbook',
        reason: `websocket ${e.cause}: ${e.reason || 'closed'}`,
        at: clock(),
      });
    };
    // The client reconnects on its own after a drop. The connection is up again, so its next loss
    // must be reported too — even if the machine ignored this one (say, in TRADING_CLIENT_CONNECT
    // or in ERROR while another stage was failing) and so never re-ran connect().
    const onReconnected = () => {
      this.connected = true;
      bus.emit('connection.restored', { source: 'orderbook', at: clock() });
    };
    ws.on('disconnected', onDisconnected);
    ws.on('reconnected', onReconnected);
    this.offs.push(
      () => ws.off('disconnected', onDisconnected),
      () => ws.off('reconnected', onReconnected),
    );
  }

  get tickers(): string[] {
    return this.feed?.tickers ?? [];
  }

  book(ticker: string): OrderBook | undefined {
    return this.feed?.book(ticker);
  }

  /** Connects (or re-connects) and waits until every book of `tickers` is live. */
  async connect(tickers: readonly string[]): Promise<void> {
    const { ws, bus, clock } = this.deps;
    await ws.connect();
    if (!this.feed) {
      const feed = new BookFeed(ws, { tickers, now: clock });
      // Per message: a payload is built only for an event somebody listens to.
      feed.on('update', (ticker) => {
        if (bus.listenerCount('book.updated') > 0) bus.emit('book.updated', { ticker, receivedMs: clock() });
      });
      feed.on('status', (ticker, status) => bus.emit('book.statusChanged', { ticker, status, at: clock() }));
      feed.on('snapshot', (s, receivedMs) => {
        if (bus.listenerCount('book.snapshotReceived') === 0) return;
        bus.emit('book.snapshotReceived', {
          ticker: s.marketTicker,
          sid: s.sid,
          seq: s.seq,
          yes: s.yes.map((l) => [l.price, l.count] as const),
          no: s.no.map((l) => [l.price, l.count] as const),
          receivedMs,
        });
      });
      // The feed's parsed delta is the bus record (and the row queued for the database): there is
      // no payload to spare, so no listenerCount test either.
      feed.on('delta', (d) => bus.emit('book.deltaReceived', d));
      feed.on('resync', (e) => {
        if (e.reason !== 'disconnected' && e.reason !== 'mismatch')
          bus.emit('book.gapDetected', { sid: e.sid, tickers: e.tickers, at: clock() });
      });
      this.feed = feed;
      await feed.start();
    }
    await this.waitAllLive();
    this.connected = true;
  }

  /** Asks for fresh snapshots of books that disagree with the exchange (a cross-check found it). */
  resync(tickers: readonly string[]): void {
    this.feed?.resync(tickers, 'mismatch');
  }

  /** Watches more markets on the live connection (for rediscovery); snapshots make them live. */
  async addMarkets(tickers: readonly string[]): Promise<string[]> {
    if (!this.feed) throw new Error('the orderbook integration is not connected yet');
    return this.feed.addMarkets(tickers);
  }

  /** Stops watching markets (closed ones nobody holds); their books are dropped. */
  async removeMarkets(tickers: readonly string[]): Promise<string[]> {
    return this.feed ? this.feed.removeMarkets(tickers) : [];
  }

  private waitAllLive(): Promise<void> {
    const feed = this.feed!;
    const allLive = () => feed.tickers.every((t) => feed.book(t)?.status === 'live');
    if (allLive()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const onStatus = () => {
        if (!allLive()) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        const waiting = feed.tickers.filter((t) => feed.book(t)?.status !== 'live');
        reject(
          new Error(`order books not live after ${this.deps.snapshotTimeoutMs} ms: ${waiting.join(', ')}`),
        );
      }, this.deps.snapshotTimeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        feed.off('status', onStatus);
      };
      feed.on('status', onStatus);
    });
  }

  /** The staleness watchdog's tick: marks silent books stale and asks for their snapshots. */
  watchdog(): string[] {
    return this.feed?.checkStaleness(this.deps.staleAfterMs) ?? [];
  }

  health(): { connected: boolean; books: BookHealth[] } {
    const now = this.deps.clock();
    return {
      connected: this.connected && this.deps.ws.isConnected,
      books: this.tickers.map((ticker) => {
        const b = this.feed!.book(ticker)!;
        return {
          ticker,
          status: b.status,
          ageMs: b.lastReceivedMs === undefined ? undefined : now - b.lastReceivedMs,
        };
      }),
    };
  }

  stats() {
    return { feed: this.feed?.stats, ws: this.deps.ws.stats() };
  }

  async close(): Promise<void> {
    for (const off of this.offs.splice(0)) off();
    this.feed?.stop();
    await this.deps.ws.close();
  }
}
