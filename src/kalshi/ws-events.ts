/**
 * What the Kalshi WebSocket client (ws.ts) takes and tells: its options, the events it emits and
 * their payloads, its counters, and the error a server `error` answer becomes.
 */
import type WebSocket from 'ws';
import { KalshiError } from './errors.js';
import type { Signer } from './signer.js';
import type { WsChannel, WsDataMessage, WsErrorCode } from './ws-types.js';
import { TERMINAL_WS_ERRORS, WS_ERROR_CODES } from './ws-types.js';

/** The part of a Signer (src/kalshi/signer.ts) this client needs. */
export type WsSigner = Pick<Signer, 'headers'>;

export interface ReconnectOptions {
  /** First retry delay; doubles per failed attempt. Default 1000. */
  baseDelayMs?: number;
  /** Cap on the retry delay. Default 30,000. */
  maxDelayMs?: number;
  /** Reconnect after a drop. Default true. */
  enabled?: boolean;
}

export type WebSocketConstructor = new (url: string, options?: WebSocket.ClientOptions) => WebSocket;

export interface KalshiWsClientOptions {
  /** ws(s)://host/trade-api/ws/v2 */
  url: string;
  signer?: WsSigner | undefined;
  /** Path that is signed; default: the url's path (normally /trade-api/ws/v2). */
  path?: string;
  commandTimeoutMs?: number;
  /** No message and no ping for this long ⇒ the connection is dead. Default 30,000. */
  staleAfterMs?: number;
  reconnect?: ReconnectOptions;
  /** Randomness for jitter, in [0, 1). Default Math.random. */
  random?: () => number;
  /** Clock (ms since epoch). Default Date.now. */
  now?: () => number;
  WebSocketImpl?: WebSocketConstructor;
}

/** A server `error` answer (codes 1–28, WS_ERROR_CODES). */
export class KalshiWsServerError extends KalshiError {
  /** Kalshi's numeric WS error code. */
  readonly wsCode: number;
  /** The catalog meaning of wsCode. */
  readonly meaning: string;
  /** The server's own text. */
  readonly serverMessage: string;
  readonly marketTicker: string | undefined;
  readonly marketId: string | undefined;
  readonly commandId: number | undefined;
  /** Codes 10, 17, 25: the subscription or connection will not recover by itself. */
  readonly terminal: boolean;

  constructor(
    wsCode: number,
    serverMessage: string,
    details: {
      marketTicker?: string | undefined;
      marketId?: string | undefined;
      commandId?: number | undefined;
    },
  ) {
    const meaning = wsCode in WS_ERROR_CODES ? WS_ERROR_CODES[wsCode as WsErrorCode] : 'Unknown error code';
    const where = details.marketTicker ? ` (market ${details.marketTicker})` : '';
    super('KALSHI_WS_SERVER_ERROR', `WS error ${wsCode} ${meaning}: ${serverMessage}${where}`);
    this.name = 'KalshiWsServerError';
    this.wsCode = wsCode;
    this.meaning = meaning;
    this.serverMessage = serverMessage;
    this.marketTicker = details.marketTicker;
    this.marketId = details.marketId;
    this.commandId = details.commandId;
    this.terminal = TERMINAL_WS_ERRORS.has(wsCode);
  }
}

// ---------- events ----------

export interface MessageMeta {
  /** Our clock when the frame arrived. */
  readonly receivedMs: number;
  /** True when this message's seq skipped ahead: the sid's data before it is missing. */
  readonly gap: boolean;
}

export interface SeqGapEvent {
  /** `gap`: seq skipped ahead (message delivered, flagged). `duplicate`: seq ≤ last (not delivered). */
  readonly kind: 'gap' | 'duplicate';
  readonly sid: number;
  readonly channel: WsChannel;
  readonly messageType: WsDataMessage['type'];
  readonly expected: number;
  readonly received: number;
  /** Every ticker of that subscription (empty when it covers all markets or is unknown). */
  readonly tickers: readonly string[];
}

export interface SubscriptionOptions {
  readonly use_yes_price?: boolean;
  readonly send_initial_snapshot?: boolean;
  readonly skip_ticker_ack?: boolean;
}

/** A remembered subscription. */
export interface SubscriptionInfo {
  readonly channel: WsChannel;
  /** Sid on the current connection; undefined while disconnected. */
  readonly sid: number | undefined;
  /** undefined = all markets. */
  readonly tickers: readonly string[] | undefined;
  readonly options: SubscriptionOptions;
}

export interface SidRemap {
  readonly channel: WsChannel;
  readonly oldSid: number | undefined;
  readonly newSid: number;
  readonly tickers: readonly string[] | undefined;
}

export interface ResubscribeFailure {
  readonly channel: WsChannel;
  readonly oldSid: number | undefined;
  readonly tickers: readonly string[] | undefined;
  /** The subscription is forgotten; subscribe again if still wanted. */
  readonly error: Error;
}

export interface ResubscribedEvent {
  readonly remapped: readonly SidRemap[];
  readonly failed: readonly ResubscribeFailure[];
}

export interface ReconnectedEvent {
  /** Attempts this reconnect took (1 = first try). */
  readonly attempts: number;
  readonly resubscribed: ResubscribedEvent;
}

export interface DisconnectedEvent {
  readonly code: number;
  readonly reason: string;
  /** `stale`: we terminated a silent socket. `remote`: the socket closed or failed under us. */
  readonly cause: 'stale' | 'remote';
  readonly willReconnect: boolean;
}

export interface ReconnectingEvent {
  readonly attempt: number;
  readonly delayMs: number;
}

export interface ProtocolErrorEvent {
  readonly description: string;
  /** The frame as received (truncated to 2,000 characters). */
  readonly raw: string;
}

export interface SubscriptionDroppedEvent {
  readonly sid: number;
  readonly channel: WsChannel | undefined;
  readonly tickers: readonly string[] | undefined;
}

export interface KalshiWsEvents {
  /** A socket opened (first connect and every reconnect), before re-subscription. */
  open: [];
  /** A data message (sequenced ones in order, duplicates removed). */
  message: [message: WsDataMessage, meta: MessageMeta];
  gap: [event: SeqGapEvent];
  /** After a reconnect: old → new sids, and what could not be re-subscribed. */
  resubscribed: [event: ResubscribedEvent];
  /** After a reconnect, once re-subscription has settled. */
  reconnected: [event: ReconnectedEvent];
  reconnecting: [event: ReconnectingEvent];
  disconnected: [event: DisconnectedEvent];
  /** No message and no ping for staleAfterMs; the socket is being terminated. */
  stale: [event: { silentMs: number }];
  protocolError: [event: ProtocolErrorEvent];
  /** An `error` message that answers no pending command (e.g. 25 subscription buffer overflow). */
  serverError: [error: KalshiWsServerError];
  /** The server ended a subscription we did not ask to end. */
  subscriptionDropped: [event: SubscriptionDroppedEvent];
  /** Transport trouble (failed reconnect attempt, socket error). Informational. */
  socketError: [error: Error];
  /** close() finished. */
  closed: [];
}

export interface KalshiWsStats {
  readonly connected: boolean;
  readonly messagesReceived: number;
  readonly dataMessages: number;
  readonly protocolErrors: number;
  readonly gaps: number;
  readonly duplicates: number;
  readonly reconnects: number;
  readonly pingsReceived: number;
  /** Our clock at the last message (any type). */
  readonly lastMessageMs: number | undefined;
  /** Our clock at the last message or ping. */
  readonly lastActivityMs: number | undefined;
  readonly subscriptions: number;
}
