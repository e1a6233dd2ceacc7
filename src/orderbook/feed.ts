/**
 * BookFeed keeps local books for a set of markets from one `orderbook_delta` subscription.
 *
 * Rules (a book is only ever built from a snapshot plus the deltas that follow it):
 * - A snapshot replaces the book and makes it live.
 * - A delta applies to a live or stale book. Deltas for a book that is resyncing are dropped: they
 *   belong to the state before the snapshot we are waiting for.
 * - A book with no update for `staleAfterMs` is marked stale by the watchdog (checkStaleness), and a
 *   fresh snapshot is asked for; the snapshot makes it live again.
 * - A sequence gap on the subscription's sid means some message of that sid is lost, and the sid
 *   carries every market of the subscription: EVERY ticker of it is marked resyncing and a
 *   `get_snapshot` for all of them is requested. A delta that would drive a level negative is the
 *   same symptom for one book.
 * - A disconnect marks every book resyncing; the client's re-subscription brings fresh snapshots.
 */
import { EventEmitter } from 'eventemitter3';
import type { KalshiWsClient, MessageMeta, ResubscribedEvent, WsDataMessage } from '../kalshi/index.js';
import { type BookStatus, OrderBook } from './book.js';
import {
  applyDeltaMessage,
  applySnapshotMessage,
  deltaFromClientMessage,
  type ParsedDelta,
  type ParsedSnapshot,
  type PriceScaleOptions,
  snapshotFromMessage,
} from './messages.js';

export type ResyncReason = 'gap' | 'negative_level' | 'disconnected' | 'mismatch';

export interface BookFeedEvents {
  /** A book changed (snapshot or delta applied). */
  update: [ticker: string];
  /** A book's status changed. */
  status: [ticker: string, status: BookStatus];
  /** A resync was requested for these tickers. */
  resync: [info: { sid: number | undefined; tickers: readonly string[]; reason: ResyncReason }];
  /** A message could not be applied (malformed); the book is resynced. */
  error: [error: Error];
  /** Every snapshot as received (the raw stream, for the collector). */
  snapshot: [snapshot: ParsedSnapshot, receivedMs: number];
  /** Every delta as received (its `applied` is false when dropped while resyncing): the bus record itself. */
  delta: [delta: ParsedDelta];
}

export interface BookFeedStats {
  snapshots: number;
  deltas: number;
  dropped: number;
  gaps: number;
  resyncs: number;
  negativeLevels: number;
}

export interface BookFeedOptions {
  tickers: readonly string[];
  /** Ask the server for NO levels on the YES scale (the books always hold NO levels on the NO scale). */
  useYesPrice?: boolean;
  now?: () => number;
}

export class BookFeed extends EventEmitter<BookFeedEvents> {
  private readonly books = new Map<string, OrderBook>();
  private sid: number | undefined;
  private readonly useYesPrice: boolean;
  private readonly scale: PriceScaleOptions;
  private readonly now: () => number;
  private readonly unsubscribers: Array<() => void> = [];
  /** Messages that arrived between the subscribe ack and learning our sid (same network read). */
  private early: Array<[WsDataMessage, MessageMeta]> | undefined;
  readonly stats: BookFeedStats = {
    snapshots: 0,
    deltas: 0,
    dropped: 0,
    gaps: 0,
    resyncs: 0,
    negativeLevels: 0,
  };

  constructor(
    private readonly client: KalshiWsClient,
    options: BookFeedOptions,
  ) {
    super();
    this.useYesPrice = options.useYesPrice ?? true;
    this.scale = { useYesPrice: this.useYesPrice };
    this.now = options.now ?? Date.now;
    for (const t of options.tickers) this.books.set(t, new OrderBook(t));
  }

  get tickers(): string[] {
    return [...this.books.keys()];
  }

  book(ticker: string): OrderBook | undefined {
    return this.books.get(ticker);
  }

  /** Subscribes; snapshots arrive right after. */
  async start(): Promise<void> {
    this.listen('message', (msg: WsDataMessage, meta: MessageMeta) => this.onMessage(msg, meta));
    this.listen('disconnected', () => this.markAll('disconnected'));
    this.listen('resubscribed', (e: ResubscribedEvent) => this.onResubscribed(e));
    this.early = [];
    try {
      const [sub] = await this.client.subscribe({
        channels: ['orderbook_delta'],
        market_tickers: this.tickers,
        use_yes_price: this.useYesPrice,
      });
      this.sid = sub?.sid;
    } finally {
      const early = this.early;
      this.early = undefined;
      for (const [msg, meta] of early) this.onMessage(msg, meta);
    }
  }

  stop(): void {
    for (const f of this.unsubscribers.splice(0)) f();
  }

  /**
   * Stops watching markets (update_subscription delete_markets) and drops their books. The markets
   * are gone whether or not the command reaches the exchange: when it cannot (the socket is down,
   * no answer), the client forgets them so the re-subscription leaves them out, and anything the
   * exchange still sends for them is ignored (no book). Returns the tickers that were watched.
   */
  async removeMarkets(tickers: readonly string[]): Promise<string[]> {
    const removed = tickers.filter((t) => this.books.has(t));
    if (removed.length === 0) return [];
    for (const t of removed) this.books.delete(t);
    if (this.sid !== undefined) {
      const sid = this.sid;
      await this.client
        .updateSubscription({ sid, action: 'delete_markets', market_tickers: removed })
        .catch(() => this.client.forgetMarkets(sid, removed));
    }
    return removed;
  }

  /**
   * Watches more markets on the same subscription (update_subscription add_markets); their books
   * start resyncing and go live with the snapshots the exchange sends for them. Returns the
   * tickers that were new.
   */
  async addMarkets(tickers: readonly string[]): Promise<string[]> {
    const added = tickers.filter((t) => !this.books.has(t));
    if (added.length === 0) return [];
    if (this.sid === undefined) throw new Error('cannot add markets before the subscription is up');
    for (const t of added) this.books.set(t, new OrderBook(t));
    await this.client.updateSubscription({ sid: this.sid, action: 'add_markets', market_tickers: added });
    return added;
  }

  private listen<E extends 'message' | 'disconnected' | 'resubscribed'>(
    event: E,
    // biome-ignore lint/suspicious/noExplicitAny: eventemitter3's listener type is per event; each caller is typed above.
    fn: (...args: any[]) => void,
  ): void {
    this.client.on(event, fn);
    this.unsubscribers.push(() => this.client.off(event, fn));
  }

  private onResubscribed(e: ResubscribedEvent): void {
    const mine = e.remapped.find(
      (r) => r.channel === 'orderbook_delta' && (r.oldSid === this.sid || r.oldSid === undefined),
    );
    if (mine) this.sid = mine.newSid;
  }

  private onMessage(msg: WsDataMessage, meta: MessageMeta): void {
    if (msg.type !== 'orderbook_snapshot' && msg.type !== 'orderbook_delta') return;
    if (this.early) {
      this.early.push([msg, meta]);
      return;
    }
    if (msg.sid !== this.sid) return;
    const book = this.books.get(msg.msg.market_ticker);
    if (!book) return;
    if (meta.gap) {
      // The client flags the message whose seq skipped ahead (duplicates it drops itself).
      this.stats.gaps += 1;
      const others =
        msg.type === 'orderbook_snapshot'
          ? this.tickers.filter((t) => t !== book.marketTicker)
          : this.tickers;
      this.requestResync(others, 'gap');
    }
    try {
      if (msg.type === 'orderbook_snapshot') {
        const snap = snapshotFromMessage(msg, this.scale);
        this.emit('snapshot', snap, meta.receivedMs);
        applySnapshotMessage(book, snap, meta.receivedMs);
        this.stats.snapshots += 1;
        this.emit('status', book.marketTicker, book.status);
        this.emit('update', book.marketTicker);
        return;
      }
      const dropped = meta.gap || book.status === 'resyncing';
      const delta = deltaFromClientMessage(msg, this.scale, book, meta.receivedMs, !dropped);
      this.emit('delta', delta);
      if (dropped) {
        this.stats.dropped += 1;
        return;
      }
      const outcome = applyDeltaMessage(book, delta);
      this.stats.deltas += 1;
      if (outcome === 'negative') {
        this.stats.negativeLevels += 1;
        this.requestResync(this.tickers, 'negative_level');
        return;
      }
      this.emit('update', book.marketTicker);
    } catch (err) {
      this.emit('error', err as Error);
      this.requestResync([book.marketTicker], 'negative_level');
    }
  }

  private markAll(reason: ResyncReason): void {
    for (const book of this.books.values()) this.markResyncing(book);
    this.emit('resync', { sid: this.sid, tickers: this.tickers, reason });
  }

  private markResyncing(book: OrderBook): void {
    if (book.status === 'resyncing') return;
    book.markResyncing();
    this.emit('status', book.marketTicker, 'resyncing');
  }

  private requestResync(tickers: readonly string[], reason: ResyncReason): void {
    for (const t of tickers) {
      const book = this.books.get(t);
      if (book) this.markResyncing(book);
    }
    this.stats.resyncs += 1;
    this.emit('resync', { sid: this.sid, tickers, reason });
    if (this.sid === undefined) return;
    this.client.resync(this.sid, tickers).catch((err: Error) => this.emit('error', err));
  }

  /**
   * Asks for fresh snapshots of `tickers` (their books resync until they arrive): for a book that
   * disagrees with the exchange's REST book although no sequence gap said so.
   */
  resync(tickers: readonly string[], reason: ResyncReason): void {
    const mine = tickers.filter((t) => this.books.has(t));
    if (mine.length > 0) this.requestResync(mine, reason);
  }

  /** Marks books with no update for `staleAfterMs` stale and asks for their snapshots (a watchdog calls this). */
  checkStaleness(staleAfterMs: number): string[] {
    const now = this.now();
    const stale: string[] = [];
    for (const book of this.books.values()) {
      if (book.status === 'live' && book.statusAt(now, staleAfterMs) === 'stale') {
        book.markStale();
        stale.push(book.marketTicker);
        this.emit('status', book.marketTicker, 'stale');
      }
    }
    if (stale.length > 0 && this.sid !== undefined) {
      this.client.resync(this.sid, stale).catch((err: Error) => this.emit('error', err));
    }
    return stale;
  }
}
