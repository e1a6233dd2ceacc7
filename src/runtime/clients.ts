/**
 * The wire clients of a run: one rate-limited REST client for trading (and one for market data in
 * hybrid mode), and two WebSocket connections — market data (order books) and trading (fills,
 * orders, positions, lifecycle, order groups) — each with its own health.
 */
import type { Logger } from 'pino';
import type { TraderConfig } from '../config/index.js';
import { KalshiRestClient, KalshiWsClient, RateLimiter } from '../kalshi/index.js';
import type { Endpoints } from './endpoints.js';

export interface Clients {
  readonly limiter: RateLimiter;
  readonly rest: KalshiRestClient;
  readonly marketRest: KalshiRestClient;
  readonly bookWs: KalshiWsClient;
  readonly tradingWs: KalshiWsClient;
}

export function createClients(config: TraderConfig, endpoints: Endpoints, logger: Logger): Clients {
  const limiter = new RateLimiter({ tier: config.rateLimitTier });
  const rest = new KalshiRestClient({
    baseUrl: endpoints.restUrl,
    signer: endpoints.signer,
    rateLimiter: limiter,
  });
  const marketRest =
    endpoints.marketDataRestUrl === endpoints.restUrl
      ? rest
      : new KalshiRestClient({ baseUrl: endpoints.marketDataRestUrl, signer: endpoints.marketDataSigner });
  const bookWs = new KalshiWsClient({ url: endpoints.marketDataWsUrl, signer: endpoints.marketDataSigner });
  const tradingWs = new KalshiWsClient({ url: endpoints.wsUrl, signer: endpoints.signer });
  for (const [socket, ws] of [
    ['orderbook', bookWs],
    ['trading', tradingWs],
  ] as const) {
    ws.on('protocolError', (e) =>
      logger.warn(
        { event: 'ws_protocol_error', socket, description: e.description },
        'bad WebSocket message',
      ),
    );
    ws.on('serverError', (e) =>
      logger.warn(
        { event: 'ws_server_error', socket, code: e.wsCode, message: e.message },
        'WebSocket server error',
      ),
    );
  }
  return { limiter, rest, marketRest, bookWs, tradingWs };
}
