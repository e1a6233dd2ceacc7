/**
 * The wire clients of a run: one rate-limited REST client for trading (and one for market data in
 * hybrid mode), and two WebSocket connections — market data (order books) and trading (fills,
 * orders, positions, lifecycle, order groups) — each with its own health.
 */
import type { Logger } from 'pino';
import type { TraderConfig } from '../config/index.js';
import {
  KalshiRestClient,
  KalshiWsClient,
  orderCreateRequests,
  PresigningSigner,
  RateLimiter,
} from '../kalshi/index.js';
import type { Endpoints } from './endpoints.js';
import { type RateLimitKeeper, rateLimitKeeper, startingTier } from './rate-limits.js';

export interface Clients {
  readonly limiter: RateLimiter;
  /** Keeps the limiter at the account's limits (GET /account/limits at every trading connect). */
  readonly limits: RateLimitKeeper;
  readonly rest: KalshiRestClient;
  readonly marketRest: KalshiRestClient;
  readonly bookWs: KalshiWsClient;
  readonly tradingWs: KalshiWsClient;
  /**
   * Order-create headers signed ahead for the trading REST client (src/kalshi/presign.ts);
   * undefined when TRADERV3_PRESIGN_MAX_AGE_MS is 0. The runtime turns it on while the machine
   * takes intents and closes it at shutdown.
   */
  readonly presigner: PresigningSigner | undefined;
}

export function createClients(config: TraderConfig, endpoints: Endpoints, logger: Logger): Clients {
  const limiter = new RateLimiter({ tier: startingTier(config.rateLimitTier) });
  const presigner =
    config.presignMaxAgeMs > 0 && endpoints.signer.headersAsync
      ? new PresigningSigner(endpoints.signer, {
          requests: orderCreateRequests(new URL(endpoints.restUrl).pathname),
          maxAgeMs: config.presignMaxAgeMs,
        })
      : undefined;
  const rest = new KalshiRestClient({
    baseUrl: endpoints.restUrl,
    signer: presigner ?? endpoints.signer,
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
  const limits = rateLimitKeeper({ choice: config.rateLimitTier, rest, limiter, logger });
  return { limiter, limits, rest, marketRest, bookWs, tradingWs, presigner };
}
