/**
 * The slow anchor of a market's mid (`tv3-obs-2`): exponential moving averages of the two-sided
 * YES mid over several spans of book updates, and the running mean square of the mid's deviation
 * from the middle one. It is part of the per-market History (observation.ts), advanced by
 * `pushHistory` at every update, so the live actor, the dataset builder and replay all carry the
 * same state from the one implementation.
 *
 * Why: on the simulator (planning/simulator.md, "The learnable edge") the mid's deviation from its
 * ~100-action average reverts over ~30 actions; the ten-update history alone cannot see that
 * anchor, and each market's fair value differs, so the mid alone does not either.
 *
 * Rules (SPEC_CONSTANTS: anchorSpanFast / Mid / Slow, anchorVarSpan):
 *  - only a two-sided, finite mid advances the state; a one-sided book leaves it unchanged (the
 *    features then measure the mark mid, i.e. the last two-sided one, against the unchanged EMAs);
 *  - the first two-sided mid initialises every EMA to itself and the mean square to 0;
 *  - then ema ← ema + α·(mid − ema) with α = 2/(span + 1), and, with d = mid − (new) middle EMA,
 *    meanSq ← meanSq + α_var·(d² − meanSq);
 *  - the state is a value: `advanceAnchor` returns a new one.
 */
import { PRICE_SCALE } from '../domain/index.js';
import { SPEC_CONSTANTS as K } from './spec.js';

export interface MidAnchor {
  /** EMAs of the two-sided mid in Price units, over anchorSpanFast, anchorSpanMid, anchorSpanSlow updates. */
  readonly ema: readonly [number, number, number];
  /** Exponentially weighted mean of (mid − middle EMA)², Price² units, over anchorVarSpan updates. */
  readonly meanSq: number;
}

const alpha = (span: number): number => 2 / (span + 1);
const ALPHAS = [alpha(K.anchorSpanFast), alpha(K.anchorSpanMid), alpha(K.anchorSpanSlow)] as const;
const ALPHA_VAR = alpha(K.anchorVarSpan);

/** The anchor after one more update whose two-sided mid (Price units) is `mid`, or undefined. */
export function advanceAnchor(anchor: MidAnchor | undefined, mid: number | undefined): MidAnchor | undefined {
  if (mid === undefined || !Number.isFinite(mid)) return anchor;
  if (anchor === undefined) return { ema: [mid, mid, mid], meanSq: 0 };
  const ema = [
    anchor.ema[0] + ALPHAS[0] * (mid - anchor.ema[0]),
    anchor.ema[1] + ALPHAS[1] * (mid - anchor.ema[1]),
    anchor.ema[2] + ALPHAS[2] * (mid - anchor.ema[2]),
  ] as const;
  const d = mid - ema[1];
  return { ema, meanSq: anchor.meanSq + ALPHA_VAR * (d * d - anchor.meanSq) };
}

/** The four anchor features, unclipped (the builder clips): see FEATURE_SPEC's mid_dev_* rows. */
export interface AnchorFeatures {
  readonly devFast: number;
  readonly devMid: number;
  readonly devSlow: number;
  readonly z: number;
}

const NONE: AnchorFeatures = { devFast: 0, devMid: 0, devSlow: 0, z: 0 };

/**
 * Deviations of the mark mid (probability units) from each EMA × anchorDevScale, and the middle
 * deviation in units of its running sd (floored at anchorSdFloor) ÷ anchorZScale. All 0 without a
 * mark mid or an anchor.
 */
export function anchorFeatures(anchor: MidAnchor | undefined, markMid: number | undefined): AnchorFeatures {
  if (anchor === undefined || markMid === undefined) return NONE;
  const dev = (ema: number) => markMid - ema / PRICE_SCALE;
  const devMid = dev(anchor.ema[1]);
  const sd = Math.max(K.anchorSdFloor, Math.sqrt(Math.max(0, anchor.meanSq)) / PRICE_SCALE);
  return {
    devFast: K.anchorDevScale * dev(anchor.ema[0]),
    devMid: K.anchorDevScale * devMid,
    devSlow: K.anchorDevScale * dev(anchor.ema[2]),
    z: devMid / sd / K.anchorZScale,
  };
}
