/**
 * Orders placed on the simulator with headers signed ahead (src/kalshi/presign.ts): the simulator
 * verifies every signature (RSA-PSS over timestamp + method + path), so accepted orders prove the
 * pre-signed headers are valid, and a pool fed bad signatures is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../src/exchange-sim/index.js';
import { orderCreateRequests, PresigningSigner } from '../../src/kalshi/presign.js';
import { KalshiRestClient } from '../../src/kalshi/rest.js';
import { createSigner, generateKeyPair, type Signer } from '../../src/kalshi/signer.js';

describe('orders with pre-signed headers on the simulator', () => {
  let sim: Simulator;
  let creds: { key_id: string; private_key_pem: string };
  let ticker: string;

  beforeAll(async () => {
    sim = await startSimulator({ seed: 9, markets: 2, ratePerSec: 0, rateLimit: 'basic' });
    creds = sim.createAccount({ balance: 1_000_000_000 });
    ticker = sim.core.markets()[0]!.ticker;
  });

  afterAll(async () => {
    await sim.close();
  });

  const clientWith = (signer: Signer) =>
    new KalshiRestClient({ baseUrl: sim.restUrl, signer, rateLimiter: false, retry: { maxAttempts: 1 } });

  const order = (n: number) => ({
    ticker,
    client_order_id: `presigned-${n}`,
    side: 'bid' as const,
    count: '1.00',
    price: '0.0100',
    time_in_force: 'good_till_canceled' as const,
    self_trade_prevention_type: 'maker' as const,
  });

  async function ready(p: PresigningSigner, path: string): Promise<void> {
    for (let i = 0; i < 1_000 && p.readyCount('POST', path) === 0; i++) {
      await new Promise((r) => setTimeout(r, 1));
    }
    expect(p.readyCount('POST', path)).toBe(1);
  }

  it('are accepted, each with its own pre-signed header', async () => {
    const [create] = orderCreateRequests(new URL(sim.restUrl).pathname);
    expect(create!.path).toBe('/trade-api/v2/portfolio/events/orders');
    const signer = createSigner({ keyId: creds.key_id, privateKeyPem: creds.private_key_pem });
    const presigner = new PresigningSigner(signer, { requests: [create!] });
    const client = clientWith(presigner);
    presigner.setActive(true);
    try {
      for (let n = 0; n < 5; n++) {
        await ready(presigner, create!.path);
        const placed = await client.createOrderV2(order(n));
        expect(placed.outcome).toBe('accepted');
        expect(presigner.stats.lastPresigned).toBe(true);
      }
      expect(presigner.stats.presigned).toBe(5);
      // other requests are signed as before
      expect((await client.getBalance()).balance).toBeGreaterThan(0);
    } finally {
      presigner.close();
    }
  });

  it('are refused when the pre-signed header is bad (the simulator checks it)', async () => {
    const [create] = orderCreateRequests('/trade-api/v2');
    const good = createSigner({ keyId: creds.key_id, privateKeyPem: creds.private_key_pem });
    // signs ahead with a key the simulator does not know under this key id
    const other = createSigner({ keyId: creds.key_id, privateKeyPem: generateKeyPair().privateKeyPem });
    const mixed: Signer = {
      keyId: good.keyId,
      headers: (m, p, t) => good.headers(m, p, t),
      headersAsync: (m, p, t) => other.headersAsync!(m, p, t),
    };
    const presigner = new PresigningSigner(mixed, { requests: [create!] });
    presigner.setActive(true);
    try {
      await ready(presigner, create!.path);
      const placed = await clientWith(presigner).createOrderV2(order(100));
      expect(presigner.stats.lastPresigned).toBe(true);
      expect(placed.outcome).toBe('rejected');
      if (placed.outcome === 'rejected') expect(placed.error.message).toMatch(/401|authentication/);
    } finally {
      presigner.close();
    }
  });
});
