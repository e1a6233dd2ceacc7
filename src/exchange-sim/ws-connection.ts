/**
 * One WebSocket connection of the simulator: its subscriptions (sid → channel, tickers, seq), and
 * the send paths that apply the faults — latency, skipped / duplicated / reordered sequence
 * numbers, withheld private messages — and the slow-consumer cut-off (error 25).
 */
import { WebSocket } from 'ws';
import { type ErrorMessage, WS_ERROR_CODES, type WsChannel, type WsErrorCode } from '../kalshi/index.js';
import type { KeyRegistry } from './auth.js';
import type { ExchangeCore } from './core-types.js';
import type { FaultInjector, Withholding } from './faults.js';

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

export interface Subscription {
  sid: number;
  channel: WsChannel;
  /** null = every market (channels whose filter is optional). */
  tickers: Set<string> | null;
  seq: number;
  useYesPrice: boolean;
}

export class CommandError extends Error {
  constructor(
    readonly code: WsErrorCode,
    readonly marketTicker?: string,
  ) {
    super(WS_ERROR_CODES[code]);
  }
}

export class Connection {
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

  /** A private message, unless the withhold_private fault holds it back (dropped, or sent later). */
  sendPrivate(frame: unknown, held: Withholding | undefined): void {
    if (!held) this.send(frame);
    else if (held.ms !== undefined) setTimeout(() => this.send(frame), held.ms).unref();
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

  /** Sends a sequenced message, applying the sequence faults (to orderbook deltas only). */
  sendSequenced(
    sub: Subscription,
    type: 'orderbook_delta' | 'orderbook_snapshot' | 'order_group_updates',
    msg: object,
  ): void {
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
