/**
 * In-process traders against one loopback simulator, each on its own account and data folder
 * (PGlite), for tests that check the trader against the exchange's own records.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll } from 'vitest';
import { loadConfig } from '../src/config/index.js';
import { MICROS_PER_DOLLAR, type OrderIntent } from '../src/domain/index.js';
import { type SimCredentials, type Simulator, startSimulator } from '../src/exchange-sim/index.js';
import { collect, KalshiRestClient } from '../src/kalshi/rest.js';
import { createSigner } from '../src/kalshi/signer.js';
import { parseSignedCount } from '../src/kalshi/units.js';
import { openDatabase } from '../src/persistence/db.js';
import { type RunningTrader, type StartTraderDeps, startTrader } from '../src/runtime/index.js';
import { simOrder } from './sim-order.js';
import { untilWithin } from './until.js';

export interface SimTrader {
  readonly trader: RunningTrader;
  /** Our REST client for the trader's account (reads the exchange's own records). */
  readonly rest: KalshiRestClient;
  readonly creds: SimCredentials;
}

type TraderDeps = Omit<StartTraderDeps, 'logger'> & { logger?: StartTraderDeps['logger'] };

export class TradersOnSim {
  readonly dir = mkdtempSync(join(tmpdir(), 'tv3-traders-'));
  #n = 0;

  constructor(private readonly sim: Simulator) {}

  /** A fresh account (and its REST client), not yet traded by anyone. */
  account(dollars = 1_000): { creds: SimCredentials; rest: KalshiRestClient } {
    const creds = this.sim.createAccount({ balance: dollars * MICROS_PER_DOLLAR });
    const rest = new KalshiRestClient({
      baseUrl: creds.rest_url,
      signer: createSigner({ keyId: creds.key_id, privateKeyPem: creds.private_key_pem }),
      rateLimiter: false,
    });
    return { creds, rest };
  }

  /** A trader watching `ticker` (strategy none: intents are sent by the test). */
  async start(
    ticker: string,
    flags: Record<string, string> = {},
    account = this.account(),
    /** The runtime's deps (a silent logger unless given), or a function of the data folder giving them. */
    deps: TraderDeps | ((dataDir: string) => TraderDeps) = {},
  ): Promise<SimTrader> {
    this.#n += 1;
    const keyFile = join(this.dir, `key-${this.#n}.pem`);
    writeFileSync(keyFile, account.creds.private_key_pem, { mode: 0o600 });
    const dataDir = join(this.dir, `data-${this.#n}`);
    const config = loadConfig(
      {
        env: 'sim',
        apiUrl: account.creds.rest_url,
        wsUrl: account.creds.ws_url,
        keyId: account.creds.key_id,
        privateKey: keyFile,
        dataDir,
        strategy: 'none',
        rateLimitTier: 'prime',
        tickers: ticker,
        ...flags,
      },
      {},
    );
    const extra = typeof deps === 'function' ? deps(dataDir) : deps;
    const trader = await startTrader(config, { logger: pino({ level: 'silent' }), ...extra });
    return { trader, rest: account.rest, creds: account.creds };
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * For one test file: a quiet loopback simulator (no synthetic flow, no rate limit) with a funded
 * account 'seller', and traders on it — started before all its tests, closed after them.
 */
export function simWithSeller(options: { seed: number; markets: number }): {
  sim: Simulator;
  traders: TradersOnSim;
} {
  const env = {} as { sim: Simulator; traders: TradersOnSim };
  beforeAll(async () => {
    env.sim = await startSimulator({ ...options, ratePerSec: 0, rateLimit: false });
    env.sim.core.openAccount('seller', 1_000 * MICROS_PER_DOLLAR);
    env.traders = new TradersOnSim(env.sim);
  });
  afterAll(async () => {
    await env.sim?.close();
    env.traders?.close();
  });
  return env;
}

export const until = untilWithin(15_000);

/** The trader's own position in a market (signed count units; 0 when it holds none). */
export const positionOf = (t: RunningTrader, ticker: string): number =>
  t.services!.positions.get(ticker)?.position ?? 0;

export function stateOf(t: RunningTrader): string {
  return String(t.actor!.getSnapshot().value);
}

export const inState = (t: RunningTrader, state: string, ms?: number) =>
  until(`${state} (now ${stateOf(t)})`, () => stateOf(t) === state, ms);

export function testIntent(ticker: string, over: Partial<OrderIntent> = {}): OrderIntent {
  return {
    ticker,
    bookSide: 'bid',
    yesPrice: 1_000,
    count: 100,
    timeInForce: 'good_till_canceled',
    strategy: 'test',
    reason: 'test',
    ...over,
  };
}

/** Sends an intent through the machine; waits until it is answered and the machine is READY again. */
export async function placeThroughMachine(t: RunningTrader, intent: OrderIntent): Promise<void> {
  const before = t.services!.orders.all().length;
  t.actor!.send({ type: 'INTENT', intent });
  await until('the order to be answered', () => {
    const mine = t.services!.orders.all();
    return mine.length > before && mine.at(-1)!.status !== 'submitting' && stateOf(t) === 'READY';
  });
}

/**
 * The trader buys `count` YES from the simulator account 'seller' (opened by the test) at 0.99:
 * the seller's ask is above every bid (the weather world may price a bracket high), so it rests
 * until our IOC takes it. Waits until the order is answered.
 */
export async function buyFromSeller(sim: Simulator, t: RunningTrader, ticker: string, count: number) {
  const ask = sim.core.place(
    simOrder({ accountId: 'seller', ticker, bookSide: 'ask', yesPrice: 9_900, count }),
  );
  if (!ask.ok) throw new Error(`the seller's ask on ${ticker} was refused`);
  await placeThroughMachine(
    t,
    testIntent(ticker, { yesPrice: 9_900, count, timeInForce: 'immediate_or_cancel' }),
  );
}

/** A YES price below both the best bid and the ask: an order there rests and nobody hits it. */
export function passivePrice(sim: Simulator, ticker: string, ticks = 5): number {
  const book = sim.core.book(ticker);
  const bestYes = book.yes.at(-1)?.[0] ?? 5_000;
  const bestNo = book.no.at(-1)?.[0];
  const ask = bestNo === undefined ? 9_900 : 10_000 - bestNo;
  return Math.max(100, Math.min(bestYes, ask - 100) - ticks * 100);
}

/** The exchange's own position for the account (signed count units). */
export async function exchangePosition(rest: KalshiRestClient, ticker: string): Promise<number> {
  const p = (await collect(rest.allPositions({ ticker }))).find((x) => x.ticker === ticker);
  return p ? parseSignedCount(p.position_fp) : 0;
}

/** What the data folder's latest run needed explaining: its reconciliation entries and drift events. */
export async function latestRunCorrections(
  dataDir: string,
): Promise<{ reconciliations: number[]; positionDrifts: string[] }> {
  const db = await openDatabase({ dataDir });
  const latest = 's.started_at = (select max(started_at) from trading_sessions)';
  try {
    const ledger = await db.query<{ amount: number }>(
      `select l.amount from ledger l join trading_sessions s on s.id = l.session_id
       where l.kind = 'reconciliation' and ${latest}`,
    );
    const drifts = await db.query<{ reason: string }>(
      `select r.reason from risk_events r join trading_sessions s on s.id = r.session_id
       where r.kind = 'position_drift' and ${latest}`,
    );
    return {
      reconciliations: ledger.map((r) => Number(r.amount)),
      positionDrifts: drifts.map((r) => r.reason),
    };
  } finally {
    await db.close();
  }
}
