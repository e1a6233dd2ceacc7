/**
 * The trading-client integration (an invoked actor's implementation): the exchange status check,
 * a health check every `healthCheckMs`, and the private WebSocket channels (fill, user_orders,
 * market_positions, order_group_updates) turned into bus events in integer units, plus
 * market_lifecycle_v2.
 *
 * connect() is what the machine's TRADING_CLIENT_CONNECT stage runs: it checks the exchange's
 * status, brings the REST client's rate limits to the account's, (re)connects the private socket,
 * subscribes once, and starts the health check (status, socket, and a fresh balance). A failed
 * health check or a dropped socket is published as `connection.lost` (source 'trading').
 */
import type { EventBus } from '../bus.js';
import type { ExchangeStatusView } from '../domain/index.js';
import type { KalshiRestClient, KalshiWsClient, WsDataMessage } from '../kalshi/index.js';
import {
  balanceFromRest,
  fillFromWs,
  orderFromWs,
  orderGroupUpdateFromWs,
  positionFromWs,
  statusFromRest,
} from '../kalshi/index.js';

export interface TradingIntegrationDeps {
  rest: Pick<KalshiRestClient, 'getExchangeStatus' | 'getBalance'>;
  ws: KalshiWsClient;
  bus: EventBus;
  clock: () => number;
  healthCheckMs: number;
  /** Brings the REST client's rate limits to the account's (at every connect; never throws). */
  syncLimits?: () => Promise<void>;
  /** A private message that could not be understood (it is counted and reported, never applied). */
  onBadMessage?: (type: string, error: Error) => void;
}

export class TradingIntegration {
  private subscribed = false;
  private connected = false;
  private healthTimer: NodeJS.Timeout | undefined;
  private lastStatus: (ExchangeStatusView & { at: number }) | undefined;
  private readonly offs: Array<() => void> = [];
  readonly stats = {
    fills: 0,
    orderReports: 0,
    positionReports: 0,
    badMessages: 0,
    healthChecks: 0,
    healthFailures: 0,
  };

  constructor(private readonly deps: TradingIntegrationDeps) {
    const { ws, bus, clock } = deps;
    const onMessage = (msg: WsDataMessage) => this.onMessage(msg);
    const onDisconnected = (e: { reason: string; cause: string }) =>
      this.lost(`websocket ${e.cause}: ${e.reason || 'closed'}`);
    // The client reconnects (and re-subscribes) on its own after a drop. The connection is up
    // again, so its next loss must be reported too — even if the machine ignored this one (in a
    // connect stage or in ERROR) and so never re-ran connect().
    const onReconnected = () => {
      this.connected = true;
      bus.emit('connection.restored', { source: 'trading', at: clock() });
    };
    ws.on('message', onMessage);
    ws.on('disconnected', onDisconnected);
    ws.on('reconnected', onReconnected);
    this.offs.push(
      () => ws.off('message', onMessage),
      () => ws.off('disconnected', onDisconnected),
      () => ws.off('reconnected', onReconnected),
    );
  }

  private lost(reason: string): void {
    if (!this.connected) return;
    this.connected = false;
    this.deps.bus.emit('connection.lost', { source: 'trading', reason, at: this.deps.clock() });
  }

  private onMessage(msg: WsDataMessage): void {
    const { bus } = this.deps;
    try {
      switch (msg.type) {
        case 'fill':
          this.stats.fills += 1;
          bus.emit('exchange.fillReported', fillFromWs(msg.msg));
          break;
        case 'user_order':
          this.stats.orderReports += 1;
          bus.emit('exchange.orderReported', orderFromWs(msg.msg));
          break;
        case 'market_position':
          this.stats.positionReports += 1;
          bus.emit('exchange.positionReported', positionFromWs(msg.msg));
          break;
        case 'order_group_updates': {
          const u = orderGroupUpdateFromWs(msg.msg);
          bus.emit('exchange.orderGroupUpdated', {
            eventType: u.eventType,
            orderGroupId: u.orderGroupId,
            ...(u.contractsLimit === undefined ? {} : { contractsLimit: u.contractsLimit }),
            at: this.deps.clock(),
          });
          break;
        }
        case 'market_lifecycle_v2': {
          const { event_type, market_ticker, ...data } = msg.msg;
          bus.emit('market.lifecycle', {
            ticker: market_ticker,
            eventType: event_type,
            at: this.deps.clock(),
            data,
          });
          break;
        }
        default:
          break;
      }
    } catch (err) {
      this.stats.badMessages += 1;
      this.deps.onBadMessage?.(msg.type, err as Error);
    }
  }

  /** Checks the exchange status once and publishes it. Throws when the exchange cannot be reached. */
  async checkStatus(): Promise<ExchangeStatusView> {
    const status = statusFromRest(await this.deps.rest.getExchangeStatus());
    this.lastStatus = { ...status, at: this.deps.clock() };
    this.deps.bus.emit('exchange.statusChecked', this.lastStatus);
    return status;
  }

  async connect(): Promise<{ tradingActive: boolean }> {
    const status = await this.checkStatus();
    await this.deps.syncLimits?.();
    await this.deps.ws.connect();
    if (!this.subscribed) {
      await this.deps.ws.subscribe({
        channels: ['fill', 'user_orders', 'market_positions', 'market_lifecycle_v2', 'order_group_updates'],
      });
      this.subscribed = true;
    }
    this.connected = true;
    this.startHealthCheck();
    return { tradingActive: status.tradingActive };
  }

  private startHealthCheck(): void {
    if (this.healthTimer) return;
    this.healthTimer = setInterval(() => void this.healthCheck(), this.deps.healthCheckMs);
    this.healthTimer.unref();
  }

  /** One health check: the exchange answers and the private socket is up. */
  async healthCheck(): Promise<boolean> {
    this.stats.healthChecks += 1;
    try {
      await this.checkStatus();
      if (!this.deps.ws.isConnected) throw new Error('private websocket is not connected');
      const balance = balanceFromRest(await this.deps.rest.getBalance());
      this.deps.bus.emit('exchange.balanceReported', { ...balance, at: this.deps.clock() });
      return true;
    } catch (err) {
      this.stats.healthFailures += 1;
      this.lost(`health check failed: ${(err as Error).message}`);
      return false;
    }
  }

  health(): { connected: boolean; lastHealthCheckMs?: number; tradingActive?: boolean } {
    return {
      connected: this.connected && this.deps.ws.isConnected,
      ...(this.lastStatus
        ? { lastHealthCheckMs: this.lastStatus.at, tradingActive: this.lastStatus.tradingActive }
        : {}),
    };
  }

  async close(): Promise<void> {
    if (this.healthTimer) clearInterval(this.healthTimer);
    this.healthTimer = undefined;
    this.connected = false;
    for (const off of this.offs.splice(0)) off();
    await this.deps.ws.close();
  }
}
