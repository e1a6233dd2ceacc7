/**
 * The money breakers' facts across runs, on every driver: the newest day open and peak on an
 * exchange, each moved by the ledger's reconciliation entries (deposits, withdrawals) since.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRepositories,
  type Database,
  migrate,
  type Repositories,
} from '../../src/persistence/index.js';
import { CONTRACT_DRIVERS } from './drivers.js';

const at = (ms: number) => new Date(Date.UTC(2026, 2, 1) + ms);

describe.each(CONTRACT_DRIVERS)('money facts on $name', (driver) => {
  if (driver.skip) {
    it.skip(`is skipped: ${driver.skip}`, () => undefined);
    return;
  }
  let database: Database;
  let repos: Repositories;
  let dispose: () => Promise<void>;

  beforeAll(async () => {
    const opened = await driver.open();
    database = opened.database;
    dispose = opened.dispose;
    await migrate(database);
    repos = createRepositories(database);
  }, 120_000);

  afterAll(async () => {
    await dispose?.();
  }, 60_000);

  it('restores the newest day open and peak, plus the flows booked after each', async () => {
    const s = await repos.sessions.start({
      environment: 'sim',
      exchange: 'ex-money',
      config: {},
      dryRun: false,
      startedAt: at(0),
    });
    expect(await repos.money.restore('ex-money')).toEqual({});
    await repos.money.mark(s.id, { kind: 'day_open', day: 20_000, equity: 100_000_000, at: at(1_000) });
    await repos.money.mark(s.id, { kind: 'peak', day: 20_000, equity: 110_000_000, at: at(2_000) });
    await repos.money.mark(s.id, { kind: 'day_open', day: 20_001, equity: 105_000_000, at: at(3_000) });
    await repos.ledger.insertMany([
      {
        sessionId: s.id,
        at: at(500),
        kind: 'reconciliation',
        ticker: null,
        ref: 'r0',
        amount: 999,
        balanceAfter: null,
      },
      {
        sessionId: s.id,
        at: at(4_000),
        kind: 'reconciliation',
        ticker: null,
        ref: 'r1',
        amount: 5_000_000,
        balanceAfter: null,
      },
      {
        sessionId: s.id,
        at: at(4_500),
        kind: 'fee',
        ticker: 'T',
        ref: 'f1',
        amount: -70_000,
        balanceAfter: null,
      },
    ]);
    const r = await repos.money.restore('ex-money');
    expect(r.dayOpen).toMatchObject({ day: 20_001, equity: 110_000_000 });
    expect(r.peak).toMatchObject({ day: 20_000, equity: 115_000_000 });
    // Another exchange's facts are its own.
    expect(await repos.money.restore('ex-other')).toEqual({});
  });
});
