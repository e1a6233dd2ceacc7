/**
 * What the WebSocket client (ws.ts) is subscribed to, kept as intent — channel, markets, options —
 * across connections. Sids belong to one connection: a drop unbinds every intent (keeping its last
 * sid, which a delete_markets sent into the drop may still name), and the re-subscription binds
 * each to the sid the new connection acknowledges.
 */
import type { SubscriptionInfo, SubscriptionOptions } from './ws-events.js';
import type { SubscribeParams, UpdateSubscriptionParams, WsChannel } from './ws-types.js';

export interface Intent {
  readonly channel: WsChannel;
  /** undefined = all markets. */
  tickers: string[] | undefined;
  readonly options: SubscriptionOptions;
  /** Sid on the current connection; undefined while unbound. */
  sid: number | undefined;
  /** The sid of the connection that dropped, until a new one is bound. */
  lastSid: number | undefined;
}

export function tickersOf(p: { market_ticker?: string; market_tickers?: string[] }): string[] | undefined {
  if (p.market_tickers) return [...p.market_tickers];
  if (p.market_ticker !== undefined) return [p.market_ticker];
  return undefined;
}

export class WsSubscriptions {
  readonly #intents = new Set<Intent>();
  readonly #bySid = new Map<number, Intent>();

  get size(): number {
    return this.#intents.size;
  }

  list(): SubscriptionInfo[] {
    return [...this.#intents].map(info);
  }

  /** The subscription behind a sid of the current connection. */
  of(sid: number): SubscriptionInfo | undefined {
    const i = this.#bySid.get(sid);
    return i ? info(i) : undefined;
  }

  /** The markets behind a sid of the current connection (undefined: all, or an unknown sid). */
  tickersOf(sid: number): readonly string[] | undefined {
    return this.#bySid.get(sid)?.tickers;
  }

  /** Intents without a sid on the current connection: what a (re)connect must subscribe again. */
  unbound(): Intent[] {
    return [...this.#intents].filter((i) => i.sid === undefined);
  }

  /** A subscribe acknowledged `sid` for `channel`: binds the intent it restores, or remembers a new one. */
  acknowledged(
    params: SubscribeParams,
    restoring: Intent | undefined,
    channel: WsChannel,
    sid: number,
  ): void {
    if (restoring) {
      restoring.sid = sid;
      this.#bySid.set(sid, restoring);
      return;
    }
    const tickers = tickersOf(params);
    const existing = this.#bySid.get(sid);
    if (existing) {
      // Subscribe is idempotent since Oct 2025: the server merged the tickers into this sid.
      if (existing.tickers && tickers) existing.tickers = [...new Set([...existing.tickers, ...tickers])];
      else existing.tickers = undefined;
      return;
    }
    const options: SubscriptionOptions = {
      ...(params.use_yes_price !== undefined && { use_yes_price: params.use_yes_price }),
      ...(params.send_initial_snapshot !== undefined && {
        send_initial_snapshot: params.send_initial_snapshot,
      }),
      ...(params.skip_ticker_ack !== undefined && { skip_ticker_ack: params.skip_ticker_ack }),
    };
    const intent: Intent = { channel, tickers, options, sid, lastSid: undefined };
    this.#intents.add(intent);
    this.#bySid.set(sid, intent);
  }

  /** The server ended `sid` (asked or not): forgets its intent and returns it. */
  ended(sid: number): Intent | undefined {
    const intent = this.#bySid.get(sid);
    if (intent) this.#intents.delete(intent);
    this.#bySid.delete(sid);
    return intent;
  }

  /** Forgets an intent that could not be restored. */
  forget(intent: Intent): void {
    this.#intents.delete(intent);
    if (intent.sid !== undefined) this.#bySid.delete(intent.sid);
  }

  /** The connection dropped: every intent keeps its sid as its last and waits for a new one. */
  unbindAll(): void {
    for (const intent of this.#intents) {
      if (intent.sid !== undefined) intent.lastSid = intent.sid;
      intent.sid = undefined;
    }
    this.#bySid.clear();
  }

  /**
   * Drops markets from the intent behind `sid` (its current sid or, while unbound, its last)
   * without telling the server. Markets the intent does not name are ignored.
   */
  forgetMarkets(sid: number, tickers: readonly string[]): void {
    const gone = new Set(tickers);
    for (const intent of this.#intents) {
      const its = intent.sid ?? intent.lastSid;
      if (its !== sid || !intent.tickers) continue;
      intent.tickers = intent.tickers.filter((t) => !gone.has(t));
    }
  }

  /**
   * An update_subscription was acknowledged: the intent takes the markets the answer lists
   * (`answered`, when it lists them), else applies the change it asked for.
   */
  updated(params: UpdateSubscriptionParams, answered: readonly unknown[] | undefined): void {
    if (params.action === 'get_snapshot') return;
    const sid = params.sid ?? params.sids?.[0];
    const intent = sid === undefined ? undefined : this.#bySid.get(sid);
    if (!intent) return;
    if (answered) {
      intent.tickers = answered.filter((t): t is string => typeof t === 'string');
      return;
    }
    const changed = tickersOf(params) ?? [];
    if (params.action === 'add_markets') {
      intent.tickers = [...new Set([...(intent.tickers ?? []), ...changed])];
    } else if (intent.tickers) {
      const gone = new Set(changed);
      intent.tickers = intent.tickers.filter((t) => !gone.has(t));
    }
  }
}

function info(i: Intent): SubscriptionInfo {
  return {
    channel: i.channel,
    sid: i.sid,
    tickers: i.tickers ? [...i.tickers] : undefined,
    options: { ...i.options },
  };
}
