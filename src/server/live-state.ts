/**
 * LiveState: what the dashboard and the stream know beyond the trader's snapshot, kept from the
 * bus — the machine's transition history, a mirror of each order book (levels and health: age,
 * sequence gaps, resyncs), the latest decisions and fills — and a change feed for the stream.
 *
 * The book mirror applies exactly what the trader's own book applied (`applied` deltas after each
 * snapshot), so its levels are the trader's; a runtime that exposes its books could replace it.
 */
import type { BookStatus, EventBus } from '../bus.js';
import type { Decision, ExchangeFill } from '../domain/index.js';
import { PRICE_SCALE } from '../domain/index.js';
import { formatCount, formatPrice } from '../kalshi/index.js';
import type { HistoryItem } from './messages.js';
import type { BookWire, StreamSource } from './stream-types.js';

const HISTORY = 200;
const RECENT = 100;
const LADDER_DEPTH = 10;

interface BookMirror {
  status: BookStatus | 'unknown';
  seq: number | undefined;
  lastMs: number | undefined;
  gaps: number;
  snapshots: number;
  yes: Map<number, number>;
  no: Map<number, number>;
}

export type LiveChange =
  | { kind: 'trader_state' }
  | { kind: 'orders' }
  | { kind: 'positions' }
  | { kind: 'portfolio' }
  | { kind: 'books'; ticker: string }
  | { kind: 'fill'; fill: ExchangeFill }
  | { kind: 'decision'; decision: Decision }
  | { kind: 'actor'; type: ActorEventName; data: unknown };

/** Bus events of the live policy actor, forwarded as `actor_*` messages when the bus carries them. */
export const ACTOR_EVENTS = {
  'actor.action': 'actor_action',
  'actor.order': 'actor_order',
  'actor.fill': 'actor_fill',
  'actor.position': 'actor_position',
  'actor.pnl': 'actor_pnl',
} as const;
export type ActorEventName = (typeof ACTOR_EVENTS)[keyof typeof ACTOR_EVENTS];

function best(levels: Map<number, number>): number | undefined {
  let top: number | undefined;
  for (const [p, c] of levels) if (c > 0 && (top === undefined || p > top)) top = p;
  return top;
}

export class LiveState {
  readonly history: HistoryItem[] = [];
  readonly decisions: Decision[] = [];
  readonly fills: ExchangeFill[] = [];
  decisionCount = 0;
  fillCount = 0;
  private readonly books = new Map<string, BookMirror>();
  /** Each watched market's trading window (MarketSchedule's phase), when announced. */
  readonly phases = new Map<string, string>();
  private readonly listeners = new Set<(c: LiveChange) => void>();
  private readonly offs: Array<() => void> = [];

  constructor(
    private readonly bus: EventBus,
    private readonly clock: () => number,
    initialState?: string,
  ) {
    if (initialState !== undefined) {
      this.history.push({ state: initialState, from: '', event: 'dashboard attached', at: clock() });
    }
    this.listen();
  }

  /** api_sync while the trader reconciles over REST, websocket otherwise. */
  source(): StreamSource {
    const state = this.history.at(-1)?.state ?? '';
    return state.startsWith('CALIBRATING') ? 'api_sync' : 'websocket';
  }

  onChange(fn: (c: LiveChange) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  tickers(): string[] {
    return [...this.books.keys()];
  }

  book(ticker: string): BookWire | undefined {
    const b = this.books.get(ticker);
    if (!b) return undefined;
    const bid = best(b.yes);
    const noBid = best(b.no);
    const ask = noBid === undefined ? undefined : PRICE_SCALE - noBid;
    const levels = (m: Map<number, number>, toYes: (p: number) => number, dir: 1 | -1) =>
      [...m]
        .filter(([, c]) => c > 0)
        .map(([p, c]) => [toYes(p), c] as const)
        .sort((x, y) => dir * (x[0] - y[0]))
        .slice(0, LADDER_DEPTH)
        .map(([p, c]) => [formatPrice(p), formatCount(c)] as const);
    return {
      ticker,
      status: b.status,
      seq: b.seq ?? null,
      age_ms: b.lastMs === undefined ? null : Math.max(0, this.clock() - b.lastMs),
      gaps: b.gaps,
      resyncs: Math.max(0, b.snapshots - 1),
      best_yes_bid: bid === undefined ? null : formatPrice(bid),
      yes_ask: ask === undefined ? null : formatPrice(ask),
      mid: bid === undefined || ask === undefined ? null : formatPrice(Math.round((bid + ask) / 2)),
      bids: levels(b.yes, (p) => p, -1),
      asks: levels(b.no, (p) => PRICE_SCALE - p, 1),
    };
  }

  /** YES-leg mid of each book with both sides (Price), for marking positions. */
  mids(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [ticker, b] of this.books) {
      const bid = best(b.yes);
      const noBid = best(b.no);
      if (b.status !== 'live' || bid === undefined || noBid === undefined) continue;
      out[ticker] = Math.round((bid + PRICE_SCALE - noBid) / 2);
    }
    return out;
  }

  /** Book health for metrics and /health: age (ms) since the last update, gaps, resyncs. */
  bookHealth(): Array<{
    ticker: string;
    status: string;
    phase: string | undefined;
    ageMs: number | undefined;
    gaps: number;
    resyncs: number;
  }> {
    const now = this.clock();
    return [...this.books].map(([ticker, b]) => ({
      ticker,
      status: b.status,
      phase: this.phases.get(ticker),
      ageMs: b.lastMs === undefined ? undefined : Math.max(0, now - b.lastMs),
      gaps: b.gaps,
      resyncs: Math.max(0, b.snapshots - 1),
    }));
  }

  close(): void {
    for (const off of this.offs.splice(0)) off();
    this.listeners.clear();
  }

  private emit(c: LiveChange): void {
    for (const fn of this.listeners) fn(c);
  }

  private mirror(ticker: string): BookMirror {
    let b = this.books.get(ticker);
    if (!b) {
      b = {
        status: 'unknown',
        seq: undefined,
        lastMs: undefined,
        gaps: 0,
        snapshots: 0,
        yes: new Map(),
        no: new Map(),
      };
      this.books.set(ticker, b);
    }
    return b;
  }

  private listen(): void {
    const bus = this.bus;
    const add = <A extends unknown[]>(event: string, fn: (...args: A) => void) => {
      // biome-ignore lint/suspicious/noExplicitAny: one helper for the typed and the optional actor events.
      (bus as any).on(event, fn);
      // biome-ignore lint/suspicious/noExplicitAny: as above.
      this.offs.push(() => (bus as any).off(event, fn));
    };
    add('machine.transitioned', (t: { from: string; to: string; event: string; at: number }) => {
      this.history.push({ state: t.to, from: t.from, event: t.event, at: t.at });
      if (this.history.length > HISTORY) this.history.splice(0, this.history.length - HISTORY);
      this.emit({ kind: 'trader_state' });
      this.emit({ kind: 'orders' });
    });
    add('risk.breakerTripped', () => this.emit({ kind: 'trader_state' }));
    add('risk.breakerReset', () => this.emit({ kind: 'trader_state' }));
    add('order.changed', () => this.emit({ kind: 'orders' }));
    add('position.changed', () => {
      this.emit({ kind: 'positions' });
      this.emit({ kind: 'portfolio' });
    });
    add('exchange.balanceReported', () => this.emit({ kind: 'portfolio' }));
    add('exchange.fillReported', (f: ExchangeFill) => {
      this.fillCount += 1;
      this.fills.unshift(f);
      if (this.fills.length > RECENT) this.fills.pop();
      this.emit({ kind: 'fill', fill: f });
    });
    add('strategy.decided', (d: Decision) => {
      this.decisionCount += 1;
      this.decisions.unshift(d);
      if (this.decisions.length > RECENT) this.decisions.pop();
      this.emit({ kind: 'decision', decision: d });
    });
    add(
      'book.snapshotReceived',
      (s: {
        ticker: string;
        seq: number;
        yes: ReadonlyArray<readonly [number, number]>;
        no: ReadonlyArray<readonly [number, number]>;
        receivedMs: number;
      }) => {
        const b = this.mirror(s.ticker);
        b.snapshots += 1;
        b.seq = s.seq;
        b.lastMs = s.receivedMs;
        b.yes = new Map(s.yes.map(([p, c]) => [p, c]));
        b.no = new Map(s.no.map(([p, c]) => [p, c]));
        this.emit({ kind: 'books', ticker: s.ticker });
      },
    );
    add(
      'book.deltaReceived',
      (d: {
        ticker: string;
        seq: number;
        side: 'yes' | 'no';
        price: number;
        delta: number;
        receivedMs: number;
        applied: boolean;
      }) => {
        if (!d.applied) return;
        const b = this.mirror(d.ticker);
        const levels = d.side === 'yes' ? b.yes : b.no;
        const next = (levels.get(d.price) ?? 0) + d.delta;
        if (next > 0) levels.set(d.price, next);
        else levels.delete(d.price);
        b.seq = d.seq;
        b.lastMs = d.receivedMs;
        this.emit({ kind: 'books', ticker: d.ticker });
      },
    );
    add('book.updated', (u: { ticker: string; receivedMs: number }) => {
      this.mirror(u.ticker).lastMs = u.receivedMs;
    });
    add('book.statusChanged', (s: { ticker: string; status: BookStatus }) => {
      this.mirror(s.ticker).status = s.status;
      this.emit({ kind: 'books', ticker: s.ticker });
    });
    add('market.unwatched', (e: { ticker: string }) => {
      if (this.books.delete(e.ticker)) this.emit({ kind: 'books', ticker: e.ticker });
    });
    add('market.phaseChanged', (e: { ticker: string; to: string }) => {
      this.phases.set(e.ticker, e.to);
    });
    add('book.gapDetected', (g: { tickers: readonly string[] }) => {
      for (const t of g.tickers) this.mirror(t).gaps += 1;
      for (const t of g.tickers) this.emit({ kind: 'books', ticker: t });
    });
    for (const [event, type] of Object.entries(ACTOR_EVENTS)) {
      add(event, (data: unknown) => this.emit({ kind: 'actor', type, data }));
    }
  }
}
