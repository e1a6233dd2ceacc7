/**
 * The money breakers' figures across runs (MoneyWatch): the UTC day's opening equity and the peak
 * equity, kept as facts on the exchange (risk_events rows of kinds `money_day_open` and
 * `money_peak`, exchange-state.ts), and the deposits and withdrawals since each was written — the
 * ledger's `reconciliation` entries on that exchange (calibration books a balance it cannot explain
 * by fills, fees and settlements there; they are not P&L). No table of its own: no migration.
 */
import type { Database } from '../db.js';
import { type ExchangeStateRepo, exchangeStateRepo } from './exchange-state.js';

export const MONEY_DAY_OPEN = 'money_day_open';
export const MONEY_PEAK = 'money_peak';

export interface MoneyFact {
  /** UTC day number (epoch ms / 86,400,000, floored) the figure was taken on. */
  readonly day: number;
  /** Micro-dollars, with the flows since it was written added. */
  readonly equity: number;
  readonly at: Date;
}

export interface MoneyFacts {
  readonly dayOpen?: MoneyFact;
  readonly peak?: MoneyFact;
}

export interface MoneyRepo {
  /** The newest day open and peak on `exchange`, each moved by the ledger's flows since. */
  restore(exchange: string): Promise<MoneyFacts>;
  /** Σ reconciliation entries on `exchange` after `since` (micro-dollars). */
  flowsSince(exchange: string, since: Date): Promise<number>;
  /** Records a day open or a peak now (at once, not through the write queue). */
  mark(
    sessionId: string,
    mark: { kind: 'day_open' | 'peak'; day: number; equity: number; at: Date },
  ): Promise<void>;
}

function parseFact(what: string, data: unknown, at: Date): MoneyFact {
  const d = data as { day?: unknown; equity?: unknown } | null;
  if (!d || !Number.isSafeInteger(d.day) || !Number.isSafeInteger(d.equity)) {
    throw new Error(`${what} in the record is malformed: ${JSON.stringify(data)}`);
  }
  return { day: d.day as number, equity: d.equity as number, at };
}

export function moneyRepo(
  database: Database,
  facts: ExchangeStateRepo = exchangeStateRepo(database),
): MoneyRepo {
  const repo: MoneyRepo = {
    async flowsSince(exchange, since) {
      const [row] = await database.query<{ total: string | number | null }>(
        `select coalesce(sum(amount), 0)::int8 as total
           from ledger
          where exchange = $1 and kind = 'reconciliation' and at > $2`,
        [exchange, since],
      );
      return Number(row?.total ?? 0);
    },
    async restore(exchange) {
      const out: { dayOpen?: MoneyFact; peak?: MoneyFact } = {};
      for (const [key, kind] of [
        ['dayOpen', MONEY_DAY_OPEN],
        ['peak', MONEY_PEAK],
      ] as const) {
        const fact = await facts.last(exchange, kind);
        if (!fact) continue;
        const f = parseFact(kind, fact.data, fact.at);
        out[key] = { ...f, equity: f.equity + (await repo.flowsSince(exchange, fact.at)) };
      }
      return out;
    },
    async mark(sessionId, mark) {
      await facts.record({
        sessionId,
        kind: mark.kind === 'day_open' ? MONEY_DAY_OPEN : MONEY_PEAK,
        reason: mark.kind,
        detail: `equity ${mark.equity} micros on UTC day ${mark.day}`,
        data: { day: mark.day, equity: mark.equity },
        at: mark.at,
      });
    },
  };
  return repo;
}
