/**
 * Where a position stood before the fills we are about to replay (a restart's first calibration).
 *
 * A restarted trader reads back every fill since the crashed run began and replays the ones its
 * PositionTracker has not applied. Replaying them from flat is wrong whenever the crashed run
 * itself started holding something (it adopted the exchange's positions): the position before
 * each fill is off, so is the cash the ledger books for it ($1 per YES/NO pair netted), and the
 * next comparison with the exchange's cash reports a drift that is not there.
 *
 * The exchange's own numbers say where the replay must end: the position it reports now, or, for
 * a market that settled meanwhile, the position it paid out on (the settlement's yes − no count).
 * So the replay starts at that end less the signed sum of the fills to replay:
 *
 *     start = end − Σ signed(count)   over the unapplied fills in that market (before its settlement)
 *
 * A market whose settlement does not say what was held is left out (undefined: no rebase).
 */
import type { Count, ExchangeFill, ExchangePosition } from '../domain/index.js';

/** A settlement as the rebase needs it: when, and the signed count it paid out on, if reported. */
export interface SettledPosition {
  readonly ticker: string;
  readonly settledMs: number;
  /** yes_count − no_count at settlement (Count units); undefined when the exchange did not say. */
  readonly position?: Count;
}

const signed = (f: ExchangeFill): Count => (f.bookSide === 'bid' ? f.count : -f.count);

/**
 * The position each market must start the replay of `fills` at so that it ends where the exchange
 * says. Only markets with a fill to replay are in the map.
 */
export function replayStartPositions(
  exchangeNow: readonly ExchangePosition[],
  fills: readonly ExchangeFill[],
  settlements: readonly SettledPosition[],
): Map<string, Count> {
  const now = new Map(exchangeNow.map((p) => [p.ticker, p.position]));
  const settled = new Map(settlements.map((s) => [s.ticker, s]));
  const sums = new Map<string, Count>();
  const unknown = new Set<string>();
  for (const f of fills) {
    const s = settled.get(f.ticker);
    if (s !== undefined && s.position === undefined) unknown.add(f.ticker);
    // A fill the exchange lists after a settlement cannot be ours to replay into it.
    if (s !== undefined && f.createdMs > s.settledMs) continue;
    sums.set(f.ticker, (sums.get(f.ticker) ?? 0) + signed(f));
  }
  const out = new Map<string, Count>();
  for (const [ticker, sum] of sums) {
    if (unknown.has(ticker)) continue;
    const end = settled.get(ticker)?.position ?? now.get(ticker) ?? 0;
    out.set(ticker, end - sum);
  }
  return out;
}
