/**
 * The dashboard's view of the trading record (server's RecordView): the equity curve and the
 * reconciliation log of a session, read from the database the trader writes. The runtime builds
 * it with its own Database and session id: `recordView(record.database, record.sessionId)`.
 */
import type { Database } from '../persistence/index.js';
import { buildFigures, type PnlRow, type ReconciliationRow } from './build.js';
import type { EquitySample } from './equity.js';
import { loadRecord } from './record.js';

export interface RecordReader {
  readonly sessionId: string;
  equity(options?: { sinceMs?: number; sessionId?: string }): Promise<Array<EquitySample & { cash: number }>>;
  reconciliation(options?: { sinceMs?: number; sessionId?: string }): Promise<ReconciliationRow[]>;
  /** One UTC day (YYYY-MM-DD) across every session of the record: fills, realized, fees, net. */
  day(day: string): Promise<PnlRow | undefined>;
}

const DAY_MS = 86_400_000;

export function recordView(database: Database, sessionId: string): RecordReader {
  return {
    sessionId,
    async equity(options = {}) {
      const record = await loadRecord(database, { sessionId: options.sessionId ?? sessionId });
      const figures = buildFigures(record, options.sinceMs === undefined ? {} : { fromMs: options.sinceMs });
      const cashAt = new Map(
        record.ledger.filter((e) => e.balanceAfter !== null).map((e) => [e.at, e.balanceAfter!]),
      );
      return figures.equity.map((p) => ({ ...p, cash: cashAt.get(p.at) ?? p.equity }));
    },
    async reconciliation(options = {}) {
      const record = await loadRecord(database, { sessionId: options.sessionId ?? sessionId });
      return buildFigures(record, options.sinceMs === undefined ? {} : { fromMs: options.sinceMs })
        .reconciliation;
    },
    async day(day) {
      const fromMs = Date.parse(`${day}T00:00:00Z`);
      if (!Number.isFinite(fromMs))
        throw new RangeError(`not a day: ${JSON.stringify(day)} (want YYYY-MM-DD)`);
      const range = { fromMs, toMs: fromMs + DAY_MS - 1 };
      const record = await loadRecord(database, range);
      return buildFigures(record, range).byDay.find((r) => r.key === day);
    },
  };
}
