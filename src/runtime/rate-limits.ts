/**
 * The trading key's rate limits. Kalshi reports an account's tier and token buckets at
 * GET /account/limits; with `--rate-limit-tier exchange` (the default) the REST client's limiter
 * takes them at every trading-client connect, so an account above Basic is not held to Basic's
 * 20 reads a second (a 10,000-position account's calibration waited ~0.6 s on that alone) and the
 * read bucket's size is Kalshi's figure, not our guess. Until the exchange answers, and whenever
 * it cannot say (an error, a body we do not understand), the limiter keeps what it had: Basic at
 * first, the lowest tier. A tier named on the command line or in the environment is used as given
 * and the exchange is not asked (e.g. a budget shared with another process on the same key).
 */
import type { Logger } from 'pino';
import { RATE_LIMIT_FROM_EXCHANGE, type RateLimitChoice } from '../config/index.js';
import {
  type KalshiRestClient,
  limitsFromRest,
  type RateLimiter,
  type RateLimitTier,
} from '../kalshi/index.js';

/** Where the limits in force came from. */
export type RateLimitSource = 'exchange' | 'configured' | 'default';

export interface RateLimitKeeper {
  /** Asks the exchange (when configured to) and adopts its answer. Never throws. */
  sync(): Promise<void>;
  readonly source: RateLimitSource;
}

/** The tier a limiter starts with for a configured choice. */
export function startingTier(choice: RateLimitChoice): RateLimitTier {
  return choice === RATE_LIMIT_FROM_EXCHANGE ? 'basic' : choice;
}

export function rateLimitKeeper(deps: {
  choice: RateLimitChoice;
  rest: Pick<KalshiRestClient, 'getAccountLimits'>;
  limiter: RateLimiter;
  logger: Logger;
}): RateLimitKeeper {
  const { choice, rest, limiter, logger } = deps;
  let source: RateLimitSource = choice === RATE_LIMIT_FROM_EXCHANGE ? 'default' : 'configured';
  let last = '';
  const described = () =>
    `${limiter.tier}: reads ${limiter.read.refillPerSec} tokens/s (bucket ${limiter.read.capacity}), writes ${limiter.write.refillPerSec} tokens/s (bucket ${limiter.write.capacity})`;
  return {
    get source() {
      return source;
    },
    async sync() {
      if (choice !== RATE_LIMIT_FROM_EXCHANGE) return;
      try {
        // One attempt: a connect is not held up by retries of a report we can do without.
        const { tier, spec } = limitsFromRest(await rest.getAccountLimits({ maxAttempts: 1 }));
        limiter.adopt(tier, spec);
        source = 'exchange';
        const now = described();
        if (now !== last) {
          logger.info(
            { event: 'rate_limits', source, tier, read: spec.read, write: spec.write },
            `rate limits from the exchange: ${now}`,
          );
          last = now;
        }
      } catch (err) {
        const e = err as Error & { code?: string };
        logger.warn(
          { event: 'rate_limits_unknown', code: e.code, error: e.message, tier: limiter.tier },
          `the exchange did not report the account's rate limits; keeping ${described()}`,
        );
      }
    },
  };
}
