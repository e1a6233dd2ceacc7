/**
 * `traderv3 report --strategy edge`: the edge trader by city and event date — evaluations, signals,
 * trades, orders (converted to taker, dry run), cost, fees, settlement payout and P&L after fees
 * (shown once every traded market of the city-day is determined). The rows come from the record
 * like every report's (report.ts: through a running trader, else the database itself).
 */
import { formatDollars } from '../kalshi/index.js';
import type { EdgeAnswer } from '../report/index.js';
import { table } from './report.js';

export function printEdgeReport(
  { edge: rows }: EdgeAnswer,
  o: { json?: boolean },
  io: { stdout: (t: string) => void; tty: boolean },
): number {
  if (o.json || !io.tty) {
    io.stdout(`${JSON.stringify({ edge: rows })}\n`);
    return 0;
  }
  if (rows.length === 0) {
    io.stdout('no edge decisions recorded yet\n');
    return 0;
  }
  io.stdout(
    table(
      [
        'city',
        'date',
        'evals',
        'signals',
        'trades',
        'orders',
        'taker',
        'dry',
        'cost',
        'fees',
        'payout',
        'pnl',
      ],
      rows.map((r) => [
        r.city,
        r.eventDate,
        r.evaluations,
        r.signals,
        r.trades,
        r.orders,
        r.converted,
        r.dryRun,
        formatDollars(r.cost),
        formatDollars(r.fees),
        formatDollars(r.payout),
        r.pnl === null ? '—' : formatDollars(r.pnl),
      ]),
    ),
  );
  return 0;
}
