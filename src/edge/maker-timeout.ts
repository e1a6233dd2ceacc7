/**
 * How long a maker (post-only) order rests before it is converted to a taker order (seed 000:
 * maker_timeout_base_seconds, volume_timeout_multiplier, volume_lookback_minutes).
 *
 *   timeout = base × volumeFactor × dialMultiplier
 *   volume  = Σ count of the market's public trades (`trade` channel) with
 *             now − lookback < created ≤ now (later stamps — clock skew — are not counted)
 *   volumeFactor = clamp(volume / referenceVolume, 1/m, m),   m = volumeMultiplier ≥ 1
 *
 * More trading means a resting order is likelier to be hit soon, so it is worth waiting longer (up
 * to m× base); a quiet market will not come to us, so we cross sooner (down to base/m) — seed 000's
 * test "maker timeout increases with volume". At the reference volume the factor is 1. The dial
 * multiplier (1.5 − a) makes a cautious trader wait longer. Defaults: base 120 s, m = 1.5,
 * lookback 30 min, reference 50 contracts per lookback. The result is whole milliseconds, ≥ 1 s.
 */
import { type Count, contracts } from '../domain/index.js';
import { EdgeError, requireFinite, requireInt } from './errors.js';

/** One public trade of the market (Trade / `trade` channel), in our units. */
export interface TradePrint {
  readonly count: Count;
  readonly createdMs: number;
}

export interface MakerTimeoutParams {
  readonly baseMs: number;
  /** m ≥ 1: the largest stretch (and 1/m the largest shrink) volume can apply. */
  readonly volumeMultiplier: number;
  readonly lookbackMs: number;
  /** Volume over the lookback at which the factor is 1 (Count units). */
  readonly referenceVolume: Count;
}

export const DEFAULT_MAKER_TIMEOUT: MakerTimeoutParams = Object.freeze({
  baseMs: 120_000,
  volumeMultiplier: 1.5,
  lookbackMs: 30 * 60_000,
  referenceVolume: contracts(50),
});

export const MIN_MAKER_TIMEOUT_MS = 1_000;

export function recentVolume(trades: readonly TradePrint[], nowMs: number, lookbackMs: number): Count {
  requireFinite('nowMs', nowMs);
  requireFinite('lookbackMs', lookbackMs, 0);
  let sum = 0;
  for (const t of trades) {
    requireInt('trade.count', t.count);
    if (t.createdMs > nowMs - lookbackMs && t.createdMs <= nowMs) sum += t.count;
  }
  return sum;
}

export function volumeFactor(volume: Count, referenceVolume: Count, volumeMultiplier: number): number {
  requireInt('volume', volume);
  requireInt('referenceVolume', referenceVolume, 1);
  const m = requireFinite('volumeMultiplier', volumeMultiplier, 1);
  return Math.min(m, Math.max(1 / m, volume / referenceVolume));
}

export function makerTimeoutMs(
  trades: readonly TradePrint[],
  nowMs: number,
  dialMultiplier: number,
  params: MakerTimeoutParams = DEFAULT_MAKER_TIMEOUT,
): number {
  const base = requireFinite('baseMs', params.baseMs, 0);
  const mult = requireFinite('dialMultiplier', dialMultiplier, 0);
  if (mult === 0) throw new EdgeError('EDGE_BAD_INPUT', 'dialMultiplier', 'must be positive');
  const factor = volumeFactor(
    recentVolume(trades, nowMs, params.lookbackMs),
    params.referenceVolume,
    params.volumeMultiplier,
  );
  return Math.max(MIN_MAKER_TIMEOUT_MS, Math.round(base * factor * mult));
}
