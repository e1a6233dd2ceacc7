/**
 * Which exchange the trader talks to, as one string. Kalshi's order and trade ids are unique per
 * exchange only, so the record keys orders, fills and ledger entries by it, and crash recovery
 * carries over only from sessions on the same exchange.
 *
 *   demo:<REST URL>          Kalshi's demo exchange (--env paper)
 *   production:<REST URL>    Kalshi
 *   sim:<instance id>        a simulator run: every start of a simulator is a new exchange (its
 *                            ids start again from the seed), embedded or external alike. An
 *                            external one is asked for its instance id (GET /_sim/stats).
 */
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import type { TraderConfig } from '../config/index.js';

export class ExchangeIdentityError extends Error {
  readonly code = 'EXCHANGE_IDENTITY_UNKNOWN';
}

/** The simulator's admin origin for a REST base URL (http://host:port/trade-api/v2 → http://host:port). */
export function simAdminOrigin(restUrl: string): string {
  return new URL(restUrl).origin;
}

/** GET a small JSON document on a fresh connection (no pooled socket the server may have closed). */
function getJson(url: string, timeoutMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = (url.startsWith('https:') ? httpsGet : httpGet)(
      url,
      { agent: false, timeout: timeoutMs },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => {
          if ((res.statusCode ?? 0) >= 400) return reject(new Error(`HTTP ${res.statusCode}`));
          try {
            resolve(JSON.parse(body));
          } catch {
            reject(new Error('the answer is not JSON'));
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

export async function exchangeKey(
  config: Pick<TraderConfig, 'env' | 'restUrl'>,
  embeddedSimInstance: string | undefined,
  get: (url: string, timeoutMs: number) => Promise<unknown> = getJson,
): Promise<string> {
  if (embeddedSimInstance !== undefined) return `sim:${embeddedSimInstance}`;
  if (config.restUrl === undefined) {
    throw new ExchangeIdentityError(`--env ${config.env} has no REST URL to identify the exchange by`);
  }
  if (config.env === 'paper') return `demo:${config.restUrl}`;
  if (config.env === 'production') return `production:${config.restUrl}`;
  const url = `${simAdminOrigin(config.restUrl)}/_sim/stats`;
  let id: unknown;
  try {
    id = ((await get(url, 5_000)) as { instance_id?: unknown } | null)?.instance_id;
  } catch (err) {
    const why = (err as Error).message;
    throw new ExchangeIdentityError(
      `--env sim: cannot reach the simulator's admin API at ${url} to identify it (${why}); is ${config.restUrl} a traderv3 exchange-sim?`,
    );
  }
  if (typeof id !== 'string' || id === '') {
    throw new ExchangeIdentityError(`--env sim: ${url} did not name the simulator's instance_id`);
  }
  return `sim:${id}`;
}
