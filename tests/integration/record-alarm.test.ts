/**
 * A record row that cannot be written is an alarm, not a log line (issue 7, item 1): when the
 * database refuses fills, the trader halts trading (breaker `record_write_failed`), keeps the rows
 * and retries; if they still cannot land at shutdown the run reports an incomplete record (the CLI
 * exits non-zero) and the rows are saved to a file, not dropped. Real trader, real simulator, real
 * Postgres (the test breaks the fills table with a constraint no row satisfies).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { MICROS_PER_DOLLAR } from '../../src/domain/index.js';
import { type Simulator, startSimulator } from '../../src/exchange-sim/index.js';
import { collect, createSigner, KalshiRestClient } from '../../src/kalshi/index.js';
import { startTrader } from '../../src/runtime/index.js';
import { freshPostgresDatabase, TEST_DATABASE_URL } from '../persistence/drivers.js';
import { simOrder } from '../sim-order.js';
import { untilWithin } from '../until.js';

const until = untilWithin(20_000);

const withDb = TEST_DATABASE_URL ? it : it.skip;
let sim: Simulator;
let dir: string;

beforeAll(async () => {
  sim = await startSimulator({ seed: 5, markets: 3, ratePerSec: 0, rateLimit: false });
  dir = mkdtempSync(join(tmpdir(), 'tv3-alarm-'));
});
afterAll(async () => {
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

withDb(
  'fills that cannot be written halt trading, and are saved to a file at shutdown',
  async () => {
    const fresh = await freshPostgresDatabase(TEST_DATABASE_URL!);
    const admin = new pg.Client({ connectionString: fresh.url });
    try {
      const creds = sim.createAccount({ balance: 100 * MICROS_PER_DOLLAR });
      const keyFile = join(dir, 'key.pem');
      writeFileSync(keyFile, creds.private_key_pem, { mode: 0o600 });
      const ticker = sim.core.markets()[0]!.ticker;
      const config = loadConfig(
        {
          env: 'sim',
          apiUrl: creds.rest_url,
          wsUrl: creds.ws_url,
          keyId: creds.key_id,
          privateKey: keyFile,
          dataDir: join(dir, 'data'),
          tickers: ticker,
          strategy: 'none',
          rateLimitTier: 'prime',
        },
        { DATABASE_URL: fresh.url },
      );
      const trader = await startTrader(config, { logger: pino({ level: 'silent' }) });
      const state = () => String(trader.actor!.getSnapshot().value);
      await until('READY', () => (state() === 'READY' ? true : undefined));

      // The database stops taking fills.
      await admin.connect();
      await admin.query('alter table fills add constraint tv3_test_refuse check (false) not valid');

      sim.core.openAccount('seller', 100 * MICROS_PER_DOLLAR);
      expect(
        sim.core.place(simOrder({ accountId: 'seller', ticker, bookSide: 'ask', yesPrice: 6_000 })).ok,
      ).toBe(true);
      trader.actor!.send({
        type: 'INTENT',
        intent: {
          ticker,
          bookSide: 'bid',
          yesPrice: 6_000,
          count: 300,
          timeInForce: 'immediate_or_cancel',
          strategy: 'test',
          reason: 'take the ask',
        },
      });
      await until('the fill', () => (trader.services!.orders.stats().fills > 0 ? true : undefined));
      // The alarm halts trading: a breaker only an operator resets.
      await until('HALTED', () => (state() === 'HALTED' ? true : undefined));
      expect(trader.services!.risk.breaker()).toMatchObject({ open: true, reason: 'record_write_failed' });

      const summary = await trader.shutdown({ cancelOrders: true });
      expect(summary.record_complete).toBe(false);
      const file = summary.unwritten_rows_file;
      expect(file).toBeDefined();
      const saved = readFileSync(file!, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { kind: string; row: { fillId?: string } });
      const fills = saved.filter((r) => r.kind === 'fills');
      expect(fills.length).toBe(summary.fills);
      // They are exactly the exchange's fills of this account.
      const rest = new KalshiRestClient({
        baseUrl: creds.rest_url,
        signer: createSigner({ keyId: creds.key_id, privateKeyPem: creds.private_key_pem }),
      });
      const exchangeFills = await collect(rest.allFills());
      expect(fills.map((f) => f.row.fillId).sort()).toEqual(exchangeFills.map((f) => f.fill_id).sort());
    } finally {
      await admin.end().catch(() => undefined);
      await fresh.drop();
    }
  },
  120_000,
);
