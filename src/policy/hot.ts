/**
 * "Hot" market selection for `--actor-market-mode hot` (planning/features.md, "Activity").
 *
 * Activity of a market = contracts its book changed by, decayed exponentially with a half-life
 * (the "recent window"): every delta adds |delta| contracts, and the sum halves every
 * `halfLifeMs`. Snapshots add nothing (a resync is not activity). Decay keeps the value O(1) to
 * update and free of a bucket ring, and is a pure function of (value, time, delta).
 *
 * Selection with hysteresis: the incumbent market is kept for at least `minDwellMs`, and after
 * that is replaced only by a watched market whose activity exceeds the incumbent's by
 * `switchRatio` (and is > 0). Without an incumbent (or when it is no longer a candidate, e.g.
 * closed) the most active candidate wins; ties go to the smaller ticker, so the choice is
 * deterministic.
 */

export interface ActivityValue {
  /** Decayed contracts as of `atMs`. */
  readonly score: number;
  readonly atMs: number;
}

export const NO_ACTIVITY: ActivityValue = { score: 0, atMs: 0 };

export interface HotSettings {
  /** Half-life of the decayed activity (the "recent window"). */
  readonly halfLifeMs: number;
  /** A challenger must be this many times as active as the incumbent. */
  readonly switchRatio: number;
  /** The incumbent is kept at least this long. */
  readonly minDwellMs: number;
}

export const DEFAULT_HOT_SETTINGS: HotSettings = { halfLifeMs: 60_000, switchRatio: 1.5, minDwellMs: 30_000 };

/** The activity decayed to `nowMs` (never grows; a time before atMs leaves it as it is). */
export function activityAt(a: ActivityValue, nowMs: number, halfLifeMs: number): number {
  const dt = nowMs - a.atMs;
  if (!(dt > 0) || !(halfLifeMs > 0)) return a.score;
  return a.score * 2 ** (-dt / halfLifeMs);
}

/** Adds a book delta of `contracts` (sign ignored) at `nowMs`. */
export function recordActivity(
  a: ActivityValue,
  nowMs: number,
  contracts: number,
  halfLifeMs: number,
): ActivityValue {
  const add = Number.isFinite(contracts) ? Math.abs(contracts) : 0;
  const at = Math.max(a.atMs, nowMs);
  return { score: activityAt(a, at, halfLifeMs) + add, atMs: at };
}

export interface HotCandidate {
  readonly ticker: string;
  /** Activity decayed to now (activityAt). */
  readonly score: number;
}

export interface HotChoice {
  readonly ticker: string;
  /** When this market became the choice. */
  readonly sinceMs: number;
}

/** The hot market now, given the candidates (the watched, open markets) and the incumbent. */
export function selectHotMarket(
  candidates: readonly HotCandidate[],
  current: HotChoice | undefined,
  nowMs: number,
  settings: HotSettings = DEFAULT_HOT_SETTINGS,
): HotChoice | undefined {
  let best: HotCandidate | undefined;
  for (const c of candidates) {
    const s = Number.isFinite(c.score) ? c.score : 0;
    if (!best || s > best.score || (s === best.score && c.ticker < best.ticker)) {
      best = { ticker: c.ticker, score: s };
    }
  }
  if (!best) return undefined;
  const incumbent = current ? candidates.find((c) => c.ticker === current.ticker) : undefined;
  if (!current || !incumbent) return { ticker: best.ticker, sinceMs: nowMs };
  if (best.ticker === current.ticker) return current;
  if (nowMs - current.sinceMs < settings.minDwellMs) return current;
  const held = Number.isFinite(incumbent.score) ? incumbent.score : 0;
  if (best.score > 0 && best.score > held * settings.switchRatio)
    return { ticker: best.ticker, sinceMs: nowMs };
  return current;
}
