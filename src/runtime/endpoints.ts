/**
 * Where the trader trades: the URLs and keys from the config, or an embedded simulator for
 * `--env sim` without URLs (started here, with a funded account of its own).
 */
import type { Logger } from 'pino';
import type { TraderConfig } from '../config/index.js';
import { type Simulator, startSimulator } from '../exchange-sim/index.js';
import { createSigner, type Signer } from '../kalshi/index.js';
import { startingTier } from './rate-limits.js';
import { simAccountKey } from './sim-key.js';

export interface Endpoints {
  restUrl: string;
  wsUrl: string;
  marketDataRestUrl: string;
  marketDataWsUrl: string;
  signer: Signer;
  marketDataSigner: Signer;
  sim?: Simulator;
}

export async function resolveEndpoints(config: TraderConfig, logger: Logger): Promise<Endpoints> {
  if (config.env === 'sim' && !config.restUrl) {
    // The account's key is read (or, the first time, made off the main thread) while the
    // simulator starts.
    const key = simAccountKey(config.dataDir, logger);
    key.catch(() => undefined); // awaited below; a simulator that fails to start wins
    const sim = await startSimulator({
      seed: config.sim.seed,
      markets: config.sim.markets,
      ratePerSec: config.sim.rate,
      rateLimit: startingTier(config.rateLimitTier),
      // The edge trader needs ladders that settle on a true high and a forecast service.
      ...(config.strategy === 'edge' ? { weather: {} } : {}),
    });
    const privateKeyPem = await key.catch(async (err: unknown) => {
      await sim.close().catch(() => undefined);
      throw err;
    });
    const creds = sim.createAccount({ balance: config.sim.balanceMicros, privateKeyPem });
    const signer = createSigner({ keyId: creds.key_id, privateKeyPem: creds.private_key_pem });
    logger.info(
      { event: 'simulator', rest_url: sim.restUrl, ws_url: sim.wsUrl },
      'embedded exchange simulator started',
    );
    return {
      restUrl: sim.restUrl,
      wsUrl: sim.wsUrl,
      marketDataRestUrl: sim.restUrl,
      marketDataWsUrl: sim.wsUrl,
      signer,
      marketDataSigner: signer,
      sim,
    };
  }
  if (!config.restUrl || !config.wsUrl || !config.credentials) {
    throw new Error(`env ${config.env} needs REST and WebSocket URLs and credentials`);
  }
  const signer = createSigner({
    keyId: config.credentials.keyId,
    privateKeyPem: config.credentials.privateKeyPem,
  });
  const marketDataSigner = config.marketDataCredentials
    ? createSigner({
        keyId: config.marketDataCredentials.keyId,
        privateKeyPem: config.marketDataCredentials.privateKeyPem,
      })
    : signer;
  return {
    restUrl: config.restUrl,
    wsUrl: config.wsUrl,
    marketDataRestUrl: config.marketDataRestUrl ?? config.restUrl,
    marketDataWsUrl: config.marketDataWsUrl ?? config.wsUrl,
    signer,
    marketDataSigner,
  };
}
