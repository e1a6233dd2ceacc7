/**
 * Issue 7, item 9: the smaller things a user hit.
 * - An order refused because the exchange is paused makes the trader look at the exchange status
 *   at once (before, a pause was seen only at the next 30 s health check).
 * - `last_error` is cleared once the trader recovers (a successful calibration).
 * - `sessions --help` names its default once; operator commands' help names TRADERV3_DATA_DIR.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActor, fromPromise } from 'xstate';
import { traderMachine } from '../../machines/index.js';
import { buildProgram } from '../../src/cli/main.js';
import { loadConfig } from '../../src/config/index.js';
import { MICROS_PER_DOLLAR } from '../../src/domain/index.js';
import { type Simulator, startSimulator } from '../../src/exchange-sim/index.js';
import { startTrader } from '../../src/runtime/index.js';
import { untilWithin } from '../until.js';

const until = untilWithin(30_000);

let sim: Simulator;
let dir: string;
beforeAll(async () => {
  sim = await startSimulator({ seed: 21, markets: 3, ratePerSec: 20, rateLimit: false });
  dir = mkdtempSync(join(tmpdir(), 'tv3-small-'));
});
afterAll(async () => {
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('an exchange pause', () => {
  it('is noticed when an order is refused for it, and its end while paused, long before the next health check', async () => {
    const creds = sim.createAccount({ balance: 1_000 * MICROS_PER_DOLLAR });
    const ticker = sim.core.markets()[0]!.ticker;
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
        strategy: 'none',
        tickers: ticker,
        rateLimitTier: 'prime',
      },
      // No health check in this test's lifetime: only the refused order can reveal the pause.
      { TRADERV3_HEALTH_CHECK_MS: '600000' },
    );
    const trader = await startTrader(config, { logger: pino({ level: 'silent' }) });
    try {
      await until('READY', () => trader.actor!.getSnapshot().value === 'READY');
      sim.applyFault({ action: 'pause_exchange' });
      // A paused exchange's synthetic traders are quiet, so no book update drives the strategy:
      // the order is asked for directly.
      trader.actor!.send({
        type: 'INTENT',
        intent: {
          ticker,
          bookSide: 'bid',
          yesPrice: 100,
          count: 100,
          timeInForce: 'good_till_canceled',
          strategy: 'test',
          reason: 'an order while paused',
        },
      });
      await until('PAUSED', () => trader.actor!.getSnapshot().value === 'PAUSED');
      expect(trader.actor!.getSnapshot().context.exchangePaused).toBe(true);

      // …and its end is noticed while PAUSED (polled), not at a health check minutes away.
      sim.applyFault({ action: 'resume_exchange' });
      await until('READY after the resume', () => trader.actor!.getSnapshot().value === 'READY', 20_000);
      expect(trader.actor!.getSnapshot().context.exchangePaused).toBe(false);
    } finally {
      sim.applyFault({ action: 'resume_exchange' });
      await trader.shutdown({ cancelOrders: true });
    }
  }, 90_000);
});

describe('last_error', () => {
  it('is cleared by the calibration that ends a recovery', async () => {
    let failOnce = true;
    const machine = traderMachine.provide({
      actors: {
        orderbookConnect: fromPromise(async () => {
          if (failOnce) {
            failOnce = false;
            throw new Error('socket refused');
          }
        }),
        tradingClientConnect: fromPromise(
          async (): Promise<{ tradingActive: boolean }> => ({ tradingActive: true }),
        ),
        calibrate: fromPromise(async () => ({
          positions: 0,
          restingOrders: 0,
          fills: 0,
          canceled: 0,
          durationMs: 1,
        })),
      },
      delays: { reconnectBackoff: 1 },
    });
    const actor = createActor(machine, { input: {} }).start();
    await until('READY', () => actor.getSnapshot().value === 'READY', 5_000);
    expect(actor.getSnapshot().context.attempt).toBe(0);
    expect(actor.getSnapshot().context.lastError).toBeNull();
    actor.stop();
  });
});

describe('help texts', () => {
  function helpOf(name: string): string {
    const cmd = buildProgram().commands.find((c) => c.name() === name);
    if (!cmd) throw new Error(`no command ${name}`);
    return cmd.helpInformation();
  }
  it('sessions names its --data-dir default once, and its variable', () => {
    const help = helpOf('sessions');
    // The option's text runs from "--data-dir" to the next option.
    const dataDirText = help.slice(help.indexOf('--data-dir'), help.indexOf('--json'));
    expect(dataDirText.match(/default/g)).toHaveLength(1);
    expect(help).toContain('TRADERV3_DATA_DIR');
  });
  it('the operator commands name TRADERV3_DATA_DIR', () => {
    for (const name of ['status', 'sync', 'halt', 'resume', 'cancel-all'])
      expect(helpOf(name)).toContain('TRADERV3_DATA_DIR');
  });
});
