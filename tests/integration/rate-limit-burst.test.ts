/**
 * A burst of 429s needs no human (issue 7, item 6): on the real simulator, creates answered 429 are
 * not order errors for the breaker; the order path backs off (doubling, Kalshi sends no
 * Retry-After) and the strategy's intents wait for it; afterwards the trader trades again.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import type { TrackedOrder } from '../../src/domain/index.js';
import { MICROS_PER_DOLLAR } from '../../src/domain/index.js';
import { type Simulator, startSimulator } from '../../src/exchange-sim/index.js';
import { startTrader } from '../../src/runtime/index.js';
import { RATE_LIMIT_BACKOFF_MS } from '../../src/services/index.js';

let sim: Simulator;
let dir: string;
beforeAll(async () => {
  sim = await startSimulator({ seed: 11, markets: 3, ratePerSec: 30, rateLimit: false });
  dir = mkdtempSync(join(tmpdir(), 'tv3-429-'));
});
afterAll(async () => {
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function until(what: string, probe: () => boolean, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

it('four 429s on order create neither trip a 3-error breaker nor let intents pile into the limit', async () => {
  const creds = sim.createAccount({ balance: 1_000 * MICROS_PER_DOLLAR });
  const keyFile = join(dir, 'key.pem');
  writeFileSync(keyFile, creds.private_key_pem, { mode: 0o600 });
  const config = loadConfig(
    {
      env: 'sim',
      apiUrl: creds.rest_url,
      wsUrl: creds.ws_url,
      keyId: creds.key_id,
      privateKey: keyFile,
      dataDir: join(dir, 'data'),
      strategy: 'hardcoded',
      markets: '2',
      breakerErrors: '3',
      tickThrottleMs: '50',
      rateLimitTier: 'prime',
    },
    {},
  );
  const trader = await startTrader(config, { logger: pino({ level: 'silent' }) });
  try {
    const bus = trader.services!.bus;
    const throttled: number[] = [];
    const accepted: TrackedOrder[] = [];
    bus.on('order.changed', (o) => {
      if (o.status === 'rejected' && o.refusal === 'rate_limited') throttled.push(Date.now());
      if (o.status === 'resting' || o.status === 'executed') accepted.push(o);
    });
    let heldForBackoff = 0;
    bus.on('strategy.decided', (d) => {
      if (d.reason === 'not_ready:rate_limited') heldForBackoff += 1;
    });
    await until('READY', () => trader.actor!.getSnapshot().value === 'READY');

    sim.applyFault({
      action: 'http_error',
      endpoint: 'POST /portfolio/events/orders',
      status: 429,
      count: 4,
    });
    await until('four throttled creates', () => throttled.length >= 4);
    const acceptedBefore = accepted.length;
    await until('an accepted order after the burst', () => accepted.length > acceptedBefore);

    expect(trader.services!.risk.breaker().open).toBe(false);
    expect(String(trader.actor!.getSnapshot().value)).not.toBe('HALTED');
    expect(trader.services!.orders.stats().rateLimited).toBe(4);
    // Each throttled create waited out the backoff the one before it started (doubling from 500 ms).
    for (let i = 1; i < throttled.length; i++) {
      const step = Math.min(RATE_LIMIT_BACKOFF_MS.first * 2 ** (i - 1), RATE_LIMIT_BACKOFF_MS.max);
      expect(throttled[i]! - throttled[i - 1]!).toBeGreaterThanOrEqual(step - 20);
    }
    // Meanwhile the strategy was told to wait (it did not keep sending into the limit).
    expect(heldForBackoff).toBeGreaterThan(0);
  } finally {
    await trader.shutdown({ cancelOrders: true });
  }
}, 120_000);
