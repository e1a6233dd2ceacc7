/**
 * The report's figures from the record, pure: the ledger replayed in order.
 *
 *  - Equity (at cost) after each ledger entry = the entry's balance_after (cash) + Σ the cost
 *    basis of open positions, the positions replayed from the recorded fills and settlements with
 *    the PositionTracker's own arithmetic (applyFill / applySettlement). Entries before the first
 *    known balance are skipped. Known gap: a position adopted from the exchange at calibration
 *    (no recorded fill) is not in the replay.
 *  - P&L by market and by UTC day: realized P&L (before fees) and fees from the same replay.
 *  - The reconciliation log (seed 002 §6): balance adjustments (ledger `reconciliation`) and
 *    position drifts (risk_events `position_drift`).
 */
import { type Micros, netPnl } from '../domain/index.js';
import { applyFill, applySettlement, emptyPosition, type PositionState } from '../services/index.js';
import type { EquitySample } from './equity.js';
import type { FillEntry, LedgerEntry, RecordData, RiskEntry } from './record.js';

export interface PnlRow {
  readonly key: string;
  readonly realized: Micros;
  readonly fees: Micros;
  /** realized − fees (domain/pnl.ts; no marks over a past period) */
  readonly net: Micros;
  readonly fills: number;
}

export interface ReconciliationRow {
  readonly at: number;
  readonly kind: 'balance' | 'position_drift';
  readonly ticker: string | null;
  /** balance: micro-dollars; position_drift: exchange − local, Count. */
  readonly amount: number;
  readonly detail: string;
}

export interface ReportFigures {
  readonly equity: EquitySample[];
  readonly byMarket: PnlRow[];
  readonly byDay: PnlRow[];
  readonly reconciliation: ReconciliationRow[];
  readonly fills: readonly FillEntry[];
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function add(
  map: Map<string, { realized: number; fees: number; fills: number }>,
  key: string,
  realized: number,
  fees: number,
  fills: number,
) {
  const row = map.get(key) ?? { realized: 0, fees: 0, fills: 0 };
  row.realized += realized;
  row.fees += fees;
  row.fills += fills;
  map.set(key, row);
}

function rows(map: Map<string, { realized: number; fees: number; fills: number }>): PnlRow[] {
  return [...map]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, r]) => ({
      key,
      realized: r.realized,
      fees: r.fees,
      net: netPnl(r),
      fills: r.fills,
    }));
}

export function reconciliationRows(
  ledger: readonly LedgerEntry[],
  risk: readonly RiskEntry[],
): ReconciliationRow[] {
  const out: ReconciliationRow[] = [];
  for (const e of ledger) {
    if (e.kind !== 'reconciliation') continue;
    out.push({
      at: e.at,
      kind: 'balance',
      ticker: null,
      amount: e.amount,
      detail: e.balanceAfter === null ? 'adjustment' : `ledger brought to the exchange's balance`,
    });
  }
  for (const r of risk) {
    if (r.kind !== 'position_drift') continue;
    const d = r.data as { local?: number; exchange?: number } | null;
    const amount =
      d && typeof d.local === 'number' && typeof d.exchange === 'number' ? d.exchange - d.local : 0;
    out.push({ at: r.at, kind: 'position_drift', ticker: r.reason, amount, detail: r.detail });
  }
  return out.sort((a, b) => a.at - b.at);
}

export function buildFigures(
  record: RecordData,
  range: { fromMs?: number; toMs?: number } = {},
): ReportFigures {
  const inRange = (t: number) =>
    (range.fromMs === undefined || t >= range.fromMs) && (range.toMs === undefined || t <= range.toMs);
  const fillsById = new Map(record.fills.map((f) => [f.fillId, f]));
  const positions = new Map<string, PositionState>();
  const equity: EquitySample[] = [];
  const byMarket = new Map<string, { realized: number; fees: number; fills: number }>();
  const byDay = new Map<string, { realized: number; fees: number; fills: number }>();
  let basis = 0;
  for (const e of record.ledger) {
    const ticker = e.ticker ?? '';
    const before = positions.get(ticker) ?? emptyPosition(ticker);
    let after = before;
    if (e.kind === 'fill') {
      const f = fillsById.get(e.ref);
      if (f)
        after = applyFill(before, {
          ticker: f.ticker,
          bookSide: f.bookSide,
          yesPrice: f.yesPrice,
          count: f.count,
          fee: 0,
        });
    } else if (e.kind === 'settlement') {
      after = applySettlement(before, e.amount);
    }
    if (after !== before) {
      positions.set(ticker, after);
      basis += after.costBasis - before.costBasis;
    }
    if (!inRange(e.at)) continue;
    const realized = after.realizedPnl - before.realizedPnl;
    const fees = e.kind === 'fee' ? -e.amount : 0;
    const fills = e.kind === 'fill' ? 1 : 0;
    if (realized !== 0 || fees !== 0 || fills !== 0) {
      add(byMarket, ticker, realized, fees, fills);
      add(byDay, day(e.at), realized, fees, fills);
    }
    if (e.balanceAfter !== null) equity.push({ at: e.at, equity: e.balanceAfter + basis });
  }
  return {
    equity,
    byMarket: rows(byMarket),
    byDay: rows(byDay),
    reconciliation: reconciliationRows(record.ledger, record.risk).filter((r) => inRange(r.at)),
    fills: record.fills.filter((f) => inRange(f.at)),
  };
}
