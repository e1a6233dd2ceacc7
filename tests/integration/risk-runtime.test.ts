/**
 * The RiskController as the live runtime wires it, on the simulator: the balance check runs at run
 * time against the ledger's cash less what our resting orders reserve, and the machine's trading
 * mode reaches the check (REDUCING lets only reductions out). Claims about what reached the
 * exchange are checked on the simulator's own order list.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { contracts, type Decision, MICROS_PER_DOLLAR, type OrderIntent } from '../../src/domain/index.js';
import { type SimCredentials, type Simulator, startSimulator } from '../../src/exchange-sim/index.js';
import { collect, KalshiRestClient } from '../../src/kalshi/rest.js';
import { createSigner } from '../../src/kalshi/signer.js';
import { openDatabase } from '../../src/persistence/index.js';
import { type RunningTrader, startTrader } from '../../src/runtime/index.js';
import { untilWithin } from '../until.js';

const until = untilWithin(20_000);

let sim: Simulator;
let dir: string;

beforeAll(async () => {
  sim = await startSimulator({ seed: 5, markets: 4, ratePerSec: 0, rateLimit: false });
  dir = mkdtempSync(join(tmpdir(), 'tv3-risk-runtime-'));
});

afterAll(async () => {
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function start(
  name: string,
  account: SimCredentials,
  tickers: string[],
  extra: Record<string, unknown> = {},
): Promise<RunningTrader> {
  const keyFile = join(dir, `${name}.pem`);
  writeFileSync(keyFile, account.private_key_pem, { mode: 0o600 });
  const config = loadConfig(
    {
      env: 'sim',
      apiUrl: account.rest_url,
      wsUrl: account.ws_url,
      keyId: account.key_id,
      privateKey: keyFile,
      dataDir: join(dir, name),
      strategy: 'none',
      rateLimitTier: 'prime',
      tickers: tickers.join(','),
      ...extra,
    },
    {},
  );
  return startTrader(config, { logger: pino({ level: 'silent' }) });
}

function exchangeOrders(account: SimCredentials) {
  const rest = new KalshiRestClient({
    baseUrl: account.rest_url,
    signer: createSigner({ keyId: account.key_id, privateKeyPem: account.private_key_pem }),
  });
  return collect(rest.allOrders());
}

function bid(ticker: string, yesPrice: number, n: number, reason: string): OrderIntent {
  return {
    ticker,
    bookSide: 'bid',
    yesPrice,
    count: contracts(n),
    timeInForce: 'good_till_canceled',
    strategy: 'test',
    reason,
  };
}

/** Sends an intent through the machine and waits for its decision. */
async function decide(trader: RunningTrader, intent: OrderIntent): Promise<Decision> {
  await until('READY', () => (trader.actor!.getSnapshot().value === 'READY' ? true : undefined));
  const decisions: Decision[] = [];
  const on = (d: Decision) => decisions.push(d);
  trader.services!.bus.on('strategy.decided', on);
  try {
    trader.actor!.send({ type: 'INTENT', intent });
    return await until('a decision', () => decisions.find((d) => d.intent?.reason === intent.reason));
  } finally {
    trader.services!.bus.off('strategy.decided', on);
  }
}

describe('the risk check on a live trader', () => {
  it('refuses at run time an order that the cash left after resting orders cannot pay', async () => {
    const account = sim.createAccount({ balance: 5 * MICROS_PER_DOLLAR });
    const [a, b] = sim.core.markets().map((m) => m.ticker);
    // The portfolio caps would refuse a $4 order on a $5 account first; this test is about cash.
    const trader = await start('cash', account, [a!, b!], { portfolioLimits: false });
    try {
      // 10 × 4¢ rests well below any ask: $0.40 + fees reserved.
      const first = await decide(trader, bid(a!, 400, 10, 'first'));
      expect(first.verdict).toEqual({ ok: true });
      await until('the first order resting', () =>
        trader.services!.orders.get(first.clientOrderId!)?.status === 'resting' ? true : undefined,
      );
      // $4.60 more does not fit in $5.00 − $0.40 − fee allowance.
      const second = await decide(trader, bid(b!, 2300, 20, 'second'));
      expect(second.verdict).toMatchObject({ ok: false, code: 'RISK_INSUFFICIENT_BALANCE' });
      expect(trader.services!.orders.get(second.clientOrderId!)?.status).toBe('denied');
      // The same order fits once the first one no longer rests.
      await trader.services!.orders.cancel(first.clientOrderId!);
      const third = await decide(trader, bid(b!, 2300, 20, 'third'));
      expect(third.verdict).toEqual({ ok: true });

      const onExchange = await exchangeOrders(account);
      expect(onExchange.map((o) => o.client_order_id).sort()).toEqual(
        [first.clientOrderId, third.clientOrderId].sort(),
      );
    } finally {
      await trader.shutdown({ cancelOrders: true });
    }
  }, 150_000);

  it('refuses past a portfolio limit, with its reason code in the decision record', async () => {
    const account = sim.createAccount({ balance: 10 * MICROS_PER_DOLLAR });
    const [a] = sim.core.markets().map((m) => m.ticker);
    const trader = await start('portfolio', account, [a!]);
    let denied: Decision;
    try {
      // 20 × 20¢ = $4 at risk in one market: more than 25% of $10.
      denied = await decide(trader, bid(a!, 2000, 20, 'too-big'));
      expect(denied.verdict).toMatchObject({ ok: false, code: 'RISK_PORTFOLIO_POSITION' });
      expect(await exchangeOrders(account)).toEqual([]);
    } finally {
      await trader.shutdown({ cancelOrders: true });
    }
    const db = await openDatabase({ dataDir: join(dir, 'portfolio') });
    try {
      const rows = await db.query<{ risk_code: string | null; client_order_id: string | null }>(
        'select risk_code, client_order_id from decisions where risk_ok = false',
      );
      expect(rows).toEqual([{ risk_code: 'RISK_PORTFOLIO_POSITION', client_order_id: denied.clientOrderId }]);
    } finally {
      await db.close();
    }
  }, 150_000);

  it('in REDUCING sends nothing that opens exposure', async () => {
    const account = sim.createAccount({ balance: 100 * MICROS_PER_DOLLAR });
    const [a] = sim.core.markets().map((m) => m.ticker);
    const trader = await start('reducing', account, [a!]);
    try {
      await until('READY', () => (trader.actor!.getSnapshot().value === 'READY' ? true : undefined));
      await trader.control.reduce?.('test');
      const d = await decide(trader, bid(a!, 300, 1, 'opening'));
      expect(d.verdict).toMatchObject({ ok: false, code: 'RISK_REDUCE_ONLY' });
      expect(await exchangeOrders(account)).toEqual([]);
      await trader.control.resume();
      const after = await decide(trader, bid(a!, 300, 1, 'after-resume'));
      expect(after.verdict).toEqual({ ok: true });
      expect((await exchangeOrders(account)).map((o) => o.client_order_id)).toEqual([after.clientOrderId]);
    } finally {
      await trader.shutdown({ cancelOrders: true });
    }
  }, 150_000);
});
