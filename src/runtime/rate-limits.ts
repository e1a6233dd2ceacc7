/**
 * The trading key's rate limits. Kalshi reports an account's tier and token buckets at
 * GET /account/limits; with `--rate-limit-tier exchange` (the default) the REST client's limiter
 * takes them at every trading-client connect, so an account above Basic is not held to Basic's
 * 20 reads a second (a 10,000-position account's calibration waited ~0.6 s on that alone) and the
 * read bucket's size is Kalshi's figure, not our guess. Until the exchange answers, and whenever
 * it cannot say (an error, a body we do not understand), the limiter keeps what it had: Basic at
 * first, the lowest tier. A tier named on the command line or in the environment is used as given
 * and the exchange is not asked (e.g. a budget shared with another process on the same key).
 *
 * What each request costs is asked for too (GET /account/endpoint_costs), whatever the tier: the
 * costs are the exchange's facts, not a budget. Adopted, they replace the documented figures
 * (endpoint-costs.ts); an exchange that does not list them (404) leaves the documented ones, said
 * once; another failure keeps what was in force, with a warning.
 */
import type { Logger } from 'pino';
import { RATE_LIMIT_FROM_EXCHANGE, type RateLimitChoice } from '../config/index.js';
import {
  endpointCostsFromRest,
  KalshiHttpError,
  type KalshiRestClient,
  limitsFromRest,
  type RateLimiter,
  type RateLimitTier,
} from '../kalshi/index.js';

/** Where the limits in force came from. */
export type RateLimitSource = 'exchange' | 'configured' | 'default';
/** Where the endpoint costs in force came from: the exchange's list, or the documented figures. */
export type CostSource = 'exchange' | 'documented';

export interface RateLimitKeeper {
  /** Asks the exchange (the limits when configured to, the costs always) and adopts its answers. Never throws. */
  sync(): Promise<void>;
  readonly source: RateLimitSource;
  readonly costSource: CostSource;
}

/** The tier a limiter starts with for a configured choice. */
export function startingTier(choice: RateLimitChoice): RateLimitTier {
  return choice === RATE_LIMIT_FROM_EXCHANGE ? 'basic' : choice;
}

export function rateLimitKeeper(deps: {
  choice: RateLimitChoice;
  rest: Pick<KalshiRestClient, 'getAccountLimits' | 'getAccountEndpointCosts'>;
  limiter: RateLimiter;
  logger: Logger;
}): RateLimitKeeper {
  const { choice, rest, limiter, logger } = deps;
  let source: RateLimitSource = choice === RATE_LIMIT_FROM_EXCHANGE ? 'default' : 'configured';
  let last = '';
  const described = () =>
    `${limiter.tier}: reads ${limiter.read.refillPerSec} tokens/s (bucket ${limiter.read.capacity}), writes ${limiter.write.refillPerSec} tokens/s (bucket ${limiter.write.capacity})`;
  let costSource: CostSource = 'documented';
  let lastCosts = '';
  let unlistedSaid = false;

  const syncLimits = async (): Promise<void> => {
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
  };

  const syncCosts = async (): Promise<void> => {
    const kept = costSource === 'exchange' ? "the exchange's last list" : 'the documented costs';
    try {
      const costs = endpointCostsFromRest(await rest.getAccountEndpointCosts({ maxAttempts: 1 }));
      limiter.adoptCosts(costs);
      costSource = 'exchange';
      const listed = costs.entries.map((e) => `${e.method.toUpperCase()} ${e.path} ${e.cost}`);
      const now = `${costs.defaultCost}|${listed.join(',')}`;
      if (now !== lastCosts) {
        logger.info(
          { event: 'rate_costs', source: costSource, default_cost: costs.defaultCost, endpoints: listed },
          `endpoint costs from the exchange: ${costs.defaultCost} tokens a request, ${listed.length} endpoint(s) otherwise`,
        );
        lastCosts = now;
      }
    } catch (err) {
      if (err instanceof KalshiHttpError && err.status === 404) {
        if (!unlistedSaid) {
          logger.info(
            { event: 'rate_costs_unlisted' },
            `the exchange does not list endpoint costs (GET /account/endpoint_costs: 404); using ${kept}`,
          );
          unlistedSaid = true;
        }
        return;
      }
      const e = err as Error & { code?: string };
      logger.warn(
        { event: 'rate_costs_unknown', code: e.code, error: e.message },
        `the exchange did not report its endpoint costs; keeping ${kept}`,
      );
    }
  };

  return {
    get source() {
      return source;
    },
    get costSource() {
      return costSource;
    },
    async sync() {
      await Promise.all([syncLimits(), syncCosts()]);
    },
  };
}
