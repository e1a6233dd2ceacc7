/**
 * Where each position stood when the run began, so that its fills are booked from there (a run's
 * first calibration; the PositionTracker holds every fill until it knows).
 *
 * A restarted trader reads back every fill since the crashed run began and replays the ones it has
 * not applied, and fills keep landing while it calibrates (its resting orders are still on the
 * book). Booking a fill from the wrong position is wrong in cash: buying YES against NO held nets
 * $1 a pair back into the account (chaos findings 7 and 12). The exchange's own numbers say where
 * the fills must end: the position it reports, or, for a market that settled meanwhile, the
 * position it paid out on (the settlement's yes − no count). A position read reflects only the
 * fills created at or before its `updatedMs`; later ones landed after the read. So
 *
 *     start = end − Σ signed(count)   over the fills the read reflects
 *
 * over every market the exchange lists or a fill names. A market whose settlement does not say
 * what was held, or that settled with no fill of ours to replay, is left out (no start). A
 * position whose `updatedMs` is a whole second may be a truncated time: a fill later in that same
 * second cannot be placed before or after the read, and its market is reported ambiguous.
 */
import type { Count, ExchangeFill, ExchangePosition } from '../domain/index.js';
import { signedCount } from './position-accounting.js';

/** A settlement as the rebase needs it: when, and the signed count it paid out on, if reported. */
export interface SettledPosition {
  readonly ticker: string;
  readonly settledMs: number;
  /** yes_count − no_count at settlement (Count units); undefined when the exchange did not say. */
  readonly position?: Count;
}

export interface ReplayStarts {
  /** The position each market stood at before `fills`. */
  readonly starts: Map<string, Count>;
  /** Markets whose read cannot be placed among their fills (read the positions again). */
  readonly ambiguous: string[];
}

const signed = (f: ExchangeFill): Count => signedCount(f.bookSide, f.count);

/** Does the position read reflect this fill? undefined when it cannot be told. */
function reflects(read: ExchangePosition | undefined, f: ExchangeFill): boolean | undefined {
  const updated = read?.updatedMs;
  // Not listed, or listed without a time: taken to reflect every fill we know of.
  if (updated === undefined || f.createdMs <= updated) return true;
  if (updated % 1_000 === 0 && f.createdMs < updated + 1_000) return undefined;
  return false;
}

/**
 * Markets with a fill that `read` cannot place by a time: the market is not listed, is listed
 * without `updatedMs`, or its time is a whole second the fill falls in (ambiguous). Both
 * replayStartPositions and rollForward then take the fill as reflected, which is a guess: a fill
 * that landed after the read would be placed wrongly. Markets in `settled` are placed by their
 * settlement instead.
 */
export function unplaced(
  read: readonly ExchangePosition[],
  fills: readonly ExchangeFill[],
  settled: ReadonlySet<string> = new Set(),
): string[] {
  const byTicker = new Map(read.map((p) => [p.ticker, p]));
  const out = new Set<string>();
  for (const f of fills) {
    if (settled.has(f.ticker) || out.has(f.ticker)) continue;
    if (byTicker.get(f.ticker)?.updatedMs === undefined || reflects(byTicker.get(f.ticker), f) === undefined)
      out.add(f.ticker);
  }
  return [...out].sort();
}

/** The position each market must start at so that `fills` end where the exchange says. */
export function replayStartPositions(
  exchangeNow: readonly ExchangePosition[],
  fills: readonly ExchangeFill[],
  settlements: readonly SettledPosition[],
): ReplayStarts {
  const now = new Map(exchangeNow.map((p) => [p.ticker, p]));
  const settled = new Map(settlements.map((s) => [s.ticker, s]));
  const sums = new Map<string, Count>();
  const unknown = new Set<string>();
  const ambiguous = new Set<string>();
  for (const f of fills) {
    const s = settled.get(f.ticker);
    if (s !== undefined) {
      if (s.position === undefined) unknown.add(f.ticker);
      // A fill the exchange lists after a settlement cannot be ours to replay into it.
      if (f.createdMs > s.settledMs) continue;
    } else {
      const inRead = reflects(now.get(f.ticker), f);
      if (inRead === undefined) ambiguous.add(f.ticker);
      if (inRead !== true) continue;
    }
    sums.set(f.ticker, (sums.get(f.ticker) ?? 0) + signed(f));
  }
  const starts = new Map<string, Count>();
  for (const ticker of new Set([...now.keys(), ...sums.keys()])) {
    if (unknown.has(ticker)) continue;
    const s = settled.get(ticker);
    // Settled with nothing of ours to replay: the settlement closes whatever the tracker holds.
    if (s !== undefined && !sums.has(ticker)) continue;
    const end = s?.position ?? now.get(ticker)?.position ?? 0;
    starts.set(ticker, end - (sums.get(ticker) ?? 0));
  }
  return { starts, ambiguous: [...ambiguous].sort() };
}

export interface RolledPositions {
  /** The read, each market moved by the fills we applied that it does not reflect. */
  readonly positions: ExchangePosition[];
  /** Markets with a fill that cannot be placed before or after the read. */
  readonly ambiguous: string[];
}

/**
 * The exchange's positions read carried forward by the fills we have applied that the read does
 * not reflect (created after its `updatedMs`): what our positions must equal now. A fill landing
 * while calibration reads is then no drift. Markets in `settled` are left as read.
 */
export function rollForward(
  read: readonly ExchangePosition[],
  fills: readonly ExchangeFill[],
  applied: (fillId: string) => boolean,
  settled: ReadonlySet<string> = new Set(),
): RolledPositions {
  const byTicker = new Map(read.map((p) => [p.ticker, p]));
  const moves = new Map<string, Count>();
  const ambiguous = new Set<string>();
  const once = new Set<string>();
  for (const f of fills) {
    if (once.has(f.fillId) || settled.has(f.ticker) || !applied(f.fillId)) continue;
    once.add(f.fillId);
    const inRead = reflects(byTicker.get(f.ticker), f);
    if (inRead === undefined) ambiguous.add(f.ticker);
    else if (!inRead) moves.set(f.ticker, (moves.get(f.ticker) ?? 0) + signed(f));
  }
  const positions = read.map((p) => {
    const move = moves.get(p.ticker);
    return move === undefined ? p : { ...p, position: p.position + move };
  });
  return { positions, ambiguous: [...ambiguous].sort() };
}
