/**
 * `traderv3 report --strategy edge`: the edge trader by city and event date — evaluations, signals,
 * trades, orders (converted to taker, dry run), cost, fees, settlement payout and P&L after fees
 * (shown once every traded market of the city-day is determined).
 */
import { formatDollars } from '../kalshi/index.js';
import { createRepositories, type Database } from '../persistence/index.js';
import { table } from './report.js';

export async function runEdgeReport(
  db: Database,
  o: { json?: boolean; session?: string },
  io: { stdout: (t: string) => void; tty: boolean },
): Promise<number> {
  const rows = await createRepositories(db).edge.report(o.session);
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
