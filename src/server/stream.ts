/**
 * The live stream: a WebSocket at `/stream` carrying the messages of stream-types.ts.
 *
 *  - On connect, one `initial_state` with every section (each with is_empty / state_missing).
 *  - Then updates: trader_state, orders_update, positions_update, portfolio_update and
 *    books_update coalesced (at most one of each per `flushMs`, default 200 ms); fill_event,
 *    decision and actor_* as they happen; stats_update every `statsMs` (default 10 s).
 *  - Read-only without the token. A client authenticates with `{"type":"auth","token":…}` (or
 *    puts `token` in a command); commands — `{"type":"command","command":"halt","reason":…}` —
 *    answer with `command_result`. The token is never accepted in the URL (it would end up in
 *    logs and history).
 *  - A client that does not keep up (over 4 MiB unsent) is disconnected, never waited for.
 */
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import { redactSecrets } from '../config/index.js';
import { errorMessage } from './control-file.js';
import { type ControlRoute, runControl } from './control-routes.js';
import type { LiveChange, LiveState } from './live-state.js';
import {
  decisionWire,
  fillWire,
  iso,
  ordersWire,
  portfolioWire,
  positionsWire,
  positionWire,
  traderStateWire,
} from './messages.js';
import type { InitialStateData, StreamMessage, StreamSource } from './stream-types.js';
import type { TraderSnapshot, TraderView } from './view.js';

export const STREAM_PATH = '/stream';
const MAX_BUFFERED = 4 * 1024 * 1024;
const COMMANDS: ReadonlySet<string> = new Set(['status', 'sync', 'halt', 'reduce', 'resume', 'cancel-all']);

export interface StreamOptions {
  view: TraderView;
  live: LiveState;
  clock: () => number;
  /** True for the right token (constant time). */
  tokenOk: (token: unknown) => boolean;
  flushMs?: number;
  statsMs?: number;
  onError?: (route: string, err: unknown) => void;
}

interface Client {
  ws: WebSocket;
  authenticated: boolean;
}

export class StreamHub {
  private readonly clients = new Set<Client>();
  private readonly dirty = new Set<'trader_state' | 'orders' | 'positions' | 'portfolio'>();
  private readonly dirtyBooks = new Set<string>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly off: () => void;
  private readonly started: number;
  sent = 0;
  dropped = 0;

  constructor(private readonly o: StreamOptions) {
    this.started = o.clock();
    this.off = o.live.onChange((c) => this.changed(c));
    const flush = setInterval(() => this.flush(), o.flushMs ?? 200);
    const stats = setInterval(() => this.stats(), o.statsMs ?? 10_000);
    flush.unref();
    stats.unref();
    this.timers.push(flush, stats);
  }

  /** The view's snapshot, with marks from the book mirror when the trader gives none. */
  snapshot(): TraderSnapshot {
    const snap = this.o.view.snapshot();
    return snap.marks ? snap : { ...snap, marks: this.o.live.mids() };
  }

  clientCount(): number {
    return this.clients.size;
  }

  initialState(authenticated: boolean): InitialStateData {
    const { live, clock } = this.o;
    const snap = this.snapshot();
    const books = live.tickers().flatMap((t) => live.book(t) ?? []);
    return {
      trader_state: traderStateWire(snap, live.history, clock()),
      orders: ordersWire(snap),
      positions: positionsWire(snap),
      portfolio: portfolioWire(snap),
      books: { is_empty: books.length === 0, state_missing: false, books },
      decisions: {
        is_empty: live.decisions.length === 0,
        state_missing: false,
        decisions: live.decisions.map(decisionWire),
      },
      fills: { is_empty: live.fills.length === 0, state_missing: false, fills: live.fills.map(fillWire) },
      authenticated,
    };
  }

  attach(ws: WebSocket): void {
    const client: Client = { ws, authenticated: false };
    this.clients.add(client);
    ws.on('close', () => this.clients.delete(client));
    ws.on('error', () => ws.terminate());
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      void this.receive(client, data.toString());
    });
    this.sendTo(client, this.envelope('initial_state', this.initialState(false), 'api_sync'));
  }

  close(): void {
    this.off();
    for (const t of this.timers) clearInterval(t);
    for (const c of this.clients) c.ws.terminate();
    this.clients.clear();
  }

  private envelope<T extends StreamMessage['type']>(
    type: T,
    data: Extract<StreamMessage, { type: T }>['data'],
    source: StreamSource = this.o.live.source(),
  ): StreamMessage {
    return { type, source, timestamp: iso(this.o.clock()), data } as StreamMessage;
  }

  private sendTo(client: Client, message: StreamMessage): void {
    const ws = client.ws;
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > MAX_BUFFERED) {
      this.dropped += 1;
      ws.terminate();
      return;
    }
    ws.send(JSON.stringify(message));
    this.sent += 1;
  }

  private broadcast(message: StreamMessage): void {
    if (this.clients.size === 0) return;
    for (const c of this.clients) this.sendTo(c, message);
  }

  private changed(c: LiveChange): void {
    switch (c.kind) {
      case 'trader_state':
      case 'orders':
      case 'positions':
      case 'portfolio':
        this.dirty.add(c.kind);
        return;
      case 'books':
        this.dirtyBooks.add(c.ticker);
        return;
      case 'decision':
        this.broadcast(this.envelope('decision', decisionWire(c.decision)));
        return;
      case 'fill': {
        const snap = this.snapshot();
        const p = snap.positions?.find((x) => x.ticker === c.fill.ticker);
        this.broadcast(
          this.envelope('fill_event', {
            fill: fillWire(c.fill),
            position: p ? positionWire(p, snap.marks?.[p.ticker]) : null,
          }),
        );
        this.dirty.add('positions');
        this.dirty.add('portfolio');
        return;
      }
      case 'actor':
        this.broadcast(this.envelope(c.type, redactSecrets(c.data) as never));
        return;
    }
  }

  /** Sends the coalesced updates now (also called by the flush timer). */
  flush(): void {
    if (this.clients.size === 0) {
      this.dirty.clear();
      this.dirtyBooks.clear();
      return;
    }
    if (this.dirty.size > 0) {
      const snap = this.snapshot();
      const { live, clock } = this.o;
      if (this.dirty.has('trader_state')) {
        this.broadcast(this.envelope('trader_state', traderStateWire(snap, live.history, clock())));
      }
      if (this.dirty.has('orders')) this.broadcast(this.envelope('orders_update', ordersWire(snap)));
      if (this.dirty.has('positions')) this.broadcast(this.envelope('positions_update', positionsWire(snap)));
      if (this.dirty.has('portfolio')) this.broadcast(this.envelope('portfolio_update', portfolioWire(snap)));
      this.dirty.clear();
    }
    if (this.dirtyBooks.size > 0) {
      const dirty = [...this.dirtyBooks];
      this.dirtyBooks.clear();
      const books = dirty.flatMap((t) => this.o.live.book(t) ?? []);
      const removed = dirty.filter((t) => this.o.live.book(t) === undefined);
      this.broadcast(
        this.envelope('books_update', {
          is_empty: books.length === 0,
          state_missing: false,
          books,
          ...(removed.length > 0 ? { removed } : {}),
        }),
      );
    }
  }

  private stats(): void {
    if (this.clients.size === 0) return;
    const snap = this.snapshot();
    const { live, clock } = this.o;
    this.broadcast(
      this.envelope('stats_update', {
        uptime_s: Math.round((clock() - this.started) / 1000),
        clients: this.clients.size,
        messages_sent: this.sent,
        decisions: live.decisionCount,
        fills: live.fillCount,
        open_orders: snap.orders ? snap.orders.length : null,
        write_queue: snap.writeQueue
          ? { depth: snap.writeQueue.depth, shed_rows: snap.writeQueue.shedRows }
          : null,
      }),
    );
  }

  private async receive(client: Client, text: string): Promise<void> {
    let m: {
      type?: unknown;
      token?: unknown;
      command?: unknown;
      id?: unknown;
      reason?: unknown;
      keep_orders?: unknown;
    };
    try {
      m = JSON.parse(text) as typeof m;
    } catch {
      m = {};
    }
    const id = typeof m.id === 'string' ? m.id.slice(0, 100) : null;
    const reply = (
      command: string,
      ok: boolean,
      extra: { result?: unknown; error?: { code: string; message: string } },
    ) => this.sendTo(client, this.envelope('command_result', { id, command, ok, ...extra }, 'api_sync'));
    if (m.type === 'auth') {
      client.authenticated = this.o.tokenOk(m.token);
      if (!client.authenticated) {
        reply('auth', false, { error: { code: 'unauthorized', message: 'missing or wrong token' } });
        return;
      }
      reply('auth', true, {});
      return;
    }
    if (m.type !== 'command' || typeof m.command !== 'string' || !COMMANDS.has(m.command)) {
      reply(String(m.command ?? m.type ?? 'unknown'), false, {
        error: { code: 'bad_body', message: 'expected {"type":"auth"} or {"type":"command","command":…}' },
      });
      return;
    }
    const command = m.command as ControlRoute;
    if (!client.authenticated && !this.o.tokenOk(m.token)) {
      reply(command, false, { error: { code: 'unauthorized', message: 'commands need the token' } });
      return;
    }
    const body = {
      ...(typeof m.reason === 'string' ? { reason: m.reason.slice(0, 500) } : {}),
      ...(m.keep_orders === true ? { keep_orders: true } : {}),
    };
    try {
      const result = await runControl(this.o.view.control, command, body);
      reply(command, true, { result: redactSecrets(result) });
    } catch (err) {
      this.o.onError?.(command, err);
      reply(command, false, {
        error: { code: 'target_failed', message: `${command} failed: ${errorMessage(err)}` },
      });
    }
    this.dirty.add('trader_state');
    this.flush();
  }
}

export async function streamRoutes(app: FastifyInstance, options: { hub: StreamHub }): Promise<void> {
  app.get(STREAM_PATH, { websocket: true }, (socket) => options.hub.attach(socket));
}
