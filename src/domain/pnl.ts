/**
 * The one P&L definition every surface shows — the run's summary line, `status` (table and JSON),
 * the dashboard, the daily-summary notification:
 *   realized   gross: what closing (and settling) positions made, before fees
 *   unrealized open positions at their mark (a figure over a past period has none: 0)
 *   fees       what the exchange charged
 *   net        realized + unrealized − fees
 */
import type { Micros } from './units.js';

export interface PnlFigures {
  readonly realized: Micros;
  readonly unrealized?: Micros;
  readonly fees: Micros;
}

export function netPnl(p: PnlFigures): Micros {
  return p.realized + (p.unrealized ?? 0) - p.fees;
}

/** The P&L fields, named the same everywhere; `show` is the surface's money format. */
export interface PnlFields {
  realized_pnl_dollars: string;
  unrealized_pnl_dollars?: string;
  fees_dollars: string;
  net_pnl_dollars: string;
}

export function pnlFields(p: PnlFigures, show: (m: Micros) => string): PnlFields {
  return {
    realized_pnl_dollars: show(p.realized),
    ...(p.unrealized === undefined ? {} : { unrealized_pnl_dollars: show(p.unrealized) }),
    fees_dollars: show(p.fees),
    net_pnl_dollars: show(netPnl(p)),
  };
}
