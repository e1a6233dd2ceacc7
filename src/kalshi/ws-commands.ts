/**
 * The WebSocket client's commands and their answers (KALSHI.md §7): every command carries an id
 * (monotonic, unique per client), and the server's answer names it back — one `subscribed` per
 * channel, one `unsubscribed` per sid, one `ok` for update_subscription / list_subscriptions, or
 * an `error` (KalshiWsServerError). A command with no answer in `timeoutMs` fails with
 * KALSHI_WS_TIMEOUT; every pending command fails when the socket drops (failAll).
 *
 * Tickers go at most MAX_TICKERS_PER_COMMAND a command: a longer subscribe subscribes the first
 * batch and joins each acknowledged sid with add_markets, one command at a time (Kalshi answers an
 * oversized list with error 26 and a burst of commands with error 27).
 *
 * Acknowledgements update the remembered subscriptions (ws-subscriptions.ts). The socket, the
 * frame parsing and the `unsubscribed` the server sends on its own stay with the client (ws.ts).
 */
import WebSocket from 'ws';
import { KalshiError } from './errors.js';
import type { KalshiWsServerError } from './ws-events.js';
import type { Intent, WsSubscriptions } from './ws-subscriptions.js';
import type {
  OkMessage,
  SubscribeParams,
  UpdateSubscriptionParams,
  WsChannel,
  WsCommand,
} from './ws-types.js';
import { WS_CHANNELS } from './ws-types.js';

/**
 * Most market tickers sent in one subscribe / update_subscription command. Kalshi documents no
 * number, only error 26 (subscription market limit exceeded); 200 per command is a conservative
 * bound, and longer lists go in several commands.
 */
export const MAX_TICKERS_PER_COMMAND = 200;

export type ChannelSid = { channel: WsChannel; sid: number };

interface PendingBase {
  timer: ReturnType<typeof setTimeout>;
  reject: (err: Error) => void;
}
interface PendingSubscribe extends PendingBase {
  kind: 'subscribe';
  params: SubscribeParams;
  /** Set when this re-subscribes a remembered intent. */
  intent: Intent | undefined;
  acks: ChannelSid[];
  resolve: (v: ChannelSid[]) => void;
}
interface PendingUnsubscribe extends PendingBase {
  kind: 'unsubscribe';
  sids: number[];
  acked: Set<number>;
  resolve: (v: undefined) => void;
}
interface PendingUpdate extends PendingBase {
  kind: 'update';
  params: UpdateSubscriptionParams;
  resolve: (v: OkMessage) => void;
}
interface PendingList extends PendingBase {
  kind: 'list';
  resolve: (v: ChannelSid[]) => void;
}
type Pending = PendingSubscribe | PendingUnsubscribe | PendingUpdate | PendingList;

const CHANNELS: ReadonlySet<string> = new Set(WS_CHANNELS);

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v);
}

export function closedError(why: string): KalshiError {
  return new KalshiError('KALSHI_WS_CLOSED', `WebSocket closed: ${why}`);
}

export interface WsCommandsOptions {
  readonly timeoutMs: number;
  /** The socket of the current connection (undefined while there is none). */
  readonly socket: () => WebSocket | undefined;
  readonly subs: WsSubscriptions;
  /** An answer that matches no pending command, or is malformed: the client's protocolError. */
  readonly protocolError: (description: string, raw: string) => void;
}

export class WsCommands {
  readonly #opts: WsCommandsOptions;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();

  constructor(opts: WsCommandsOptions) {
    this.#opts = opts;
  }

  /** Subscribes in batches (see the header); resolves with one sid per channel. */
  async subscribe(params: SubscribeParams, intent: Intent | undefined): Promise<ChannelSid[]> {
    const all = params.market_tickers;
    if (all === undefined || all.length <= MAX_TICKERS_PER_COMMAND)
      return this.#subscribeOnce(params, intent);
    const subs = await this.#subscribeOnce(
      { ...params, market_tickers: all.slice(0, MAX_TICKERS_PER_COMMAND) },
      intent,
    );
    for (let i = MAX_TICKERS_PER_COMMAND; i < all.length; i += MAX_TICKERS_PER_COMMAND) {
      const market_tickers = all.slice(i, i + MAX_TICKERS_PER_COMMAND);
      for (const { sid } of subs) await this.update({ sid, action: 'add_markets', market_tickers });
    }
    return subs;
  }

  unsubscribe(sids: readonly number[]): Promise<void> {
    return this.#send<undefined>((id, resolve, reject, timer) => {
      this.#pending.set(id, {
        kind: 'unsubscribe',
        sids: [...sids],
        acked: new Set(),
        resolve,
        reject,
        timer,
      });
      return { id, cmd: 'unsubscribe', params: { sids: [...sids] } };
    });
  }

  /** update_subscription in batches, one after the other; the answer is the last one's. */
  async update(params: UpdateSubscriptionParams): Promise<OkMessage> {
    const all = params.market_tickers;
    if (all === undefined || all.length <= MAX_TICKERS_PER_COMMAND) return this.#updateOnce(params);
    let last: OkMessage | undefined;
    for (let i = 0; i < all.length; i += MAX_TICKERS_PER_COMMAND) {
      last = await this.#updateOnce({ ...params, market_tickers: all.slice(i, i + MAX_TICKERS_PER_COMMAND) });
    }
    return last as OkMessage;
  }

  list(): Promise<ChannelSid[]> {
    return this.#send<ChannelSid[]>((id, resolve, reject, timer) => {
      this.#pending.set(id, { kind: 'list', resolve, reject, timer });
      return { id, cmd: 'list_subscriptions' };
    });
  }

  /** Fails every pending command with `err` (the socket dropped, or the client closed). */
  failAll(err: Error): void {
    const all = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of all) {
      clearTimeout(p.timer);
      p.reject(err);
    }
  }

  // ---------- answers ----------

  onSubscribed(m: Record<string, unknown>, text: string): void {
    const body = m.msg;
    if (
      !isRecord(body) ||
      !isInt(body.sid) ||
      typeof body.channel !== 'string' ||
      !CHANNELS.has(body.channel)
    ) {
      this.#opts.protocolError('subscribed: msg must carry a known channel and an integer sid', text);
      return;
    }
    const channel = body.channel as WsChannel;
    const sid = body.sid;
    const id = m.id;
    const p = isInt(id) ? this.#pending.get(id) : undefined;
    if (p?.kind !== 'subscribe') {
      this.#opts.protocolError(
        `subscribed (sid ${sid}) answers no pending subscribe (id ${String(id)})`,
        text,
      );
      return;
    }
    this.#opts.subs.acknowledged(p.params, p.intent, channel, sid);
    p.acks.push({ channel, sid });
    if (p.acks.length >= p.params.channels.length && isInt(id)) {
      this.#settle(id);
      p.resolve(p.acks);
    }
  }

  /**
   * An `unsubscribed` for `sid`: counts it toward the unsubscribe command `id` names. False when no
   * pending unsubscribe has that id (the server ended the subscription on its own).
   */
  onUnsubscribed(id: unknown, sid: number): boolean {
    const p = isInt(id) ? this.#pending.get(id) : undefined;
    if (p?.kind !== 'unsubscribe') return false;
    p.acked.add(sid);
    if (p.sids.every((s) => p.acked.has(s)) && isInt(id)) {
      this.#settle(id);
      p.resolve(undefined);
    }
    return true;
  }

  onOk(m: Record<string, unknown>, text: string): void {
    const id = m.id;
    const p = isInt(id) ? this.#pending.get(id) : undefined;
    if (!p || !isInt(id) || (p.kind !== 'update' && p.kind !== 'list')) {
      this.#opts.protocolError(
        `ok answers no pending update_subscription / list_subscriptions (id ${String(id)})`,
        text,
      );
      return;
    }
    this.#settle(id);
    if (p.kind === 'list') {
      const list = Array.isArray(m.msg) ? m.msg : [];
      const out: ChannelSid[] = [];
      for (const e of list) {
        if (isRecord(e) && isInt(e.sid) && typeof e.channel === 'string' && CHANNELS.has(e.channel)) {
          out.push({ channel: e.channel as WsChannel, sid: e.sid });
        }
      }
      p.resolve(out);
      return;
    }
    const body = m.msg;
    this.#opts.subs.updated(
      p.params,
      isRecord(body) && Array.isArray(body.market_tickers) ? body.market_tickers : undefined,
    );
    p.resolve(m as unknown as OkMessage);
  }

  /** An `error` answer: fails the command `id` names. False when no pending command has that id. */
  onError(id: unknown, err: KalshiWsServerError): boolean {
    const p = isInt(id) ? this.#pending.get(id) : undefined;
    if (!p || !isInt(id)) return false;
    this.#settle(id);
    p.reject(err);
    return true;
  }

  // ---------- internals ----------

  #subscribeOnce(params: SubscribeParams, intent: Intent | undefined): Promise<ChannelSid[]> {
    return this.#send<ChannelSid[]>((id, resolve, reject, timer) => {
      this.#pending.set(id, { kind: 'subscribe', params, intent, acks: [], resolve, reject, timer });
      return { id, cmd: 'subscribe', params };
    });
  }

  #updateOnce(params: UpdateSubscriptionParams): Promise<OkMessage> {
    return this.#send<OkMessage>((id, resolve, reject, timer) => {
      this.#pending.set(id, { kind: 'update', params, resolve, reject, timer });
      return { id, cmd: 'update_subscription', params };
    });
  }

  #send<T>(
    register: (
      id: number,
      resolve: (v: T) => void,
      reject: (e: Error) => void,
      timer: ReturnType<typeof setTimeout>,
    ) => WsCommand,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const ws = this.#opts.socket();
      if (!ws || ws.readyState !== WebSocket.OPEN) {
        reject(closedError('not connected'));
        return;
      }
      const id = this.#nextId++;
      const timer = setTimeout(() => {
        const p = this.#pending.get(id);
        if (!p) return;
        this.#pending.delete(id);
        p.reject(
          new KalshiError(
            'KALSHI_WS_TIMEOUT',
            `WS command ${id} got no answer in ${this.#opts.timeoutMs} ms`,
          ),
        );
      }, this.#opts.timeoutMs);
      const cmd = register(id, resolve, reject, timer);
      ws.send(JSON.stringify(cmd), (err) => {
        if (!err) return;
        const p = this.#pending.get(id);
        if (!p) return;
        this.#pending.delete(id);
        clearTimeout(p.timer);
        p.reject(new KalshiError('KALSHI_WS_CLOSED', `WS send failed: ${err.message}`, { cause: err }));
      });
    });
  }

  #settle(id: number): void {
    const p = this.#pending.get(id);
    if (p) clearTimeout(p.timer);
    this.#pending.delete(id);
  }
}
