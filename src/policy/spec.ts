/**
 * The observation's normative spec: one canonical object, from which FEATURE_NAMES, the ranges the
 * builder clips to and FEATURE_SPEC_HASH are all derived. planning/features.md explains each row in
 * words; a test keeps its table equal to this object, and another pins the hash, so a change here
 * that does not bump FEATURE_VERSION fails the build.
 *
 * A model declares the feature_version and feature_spec_hash it was trained on (ONNX
 * metadata_props); the loader refuses a model whose declaration differs from these.
 */
import { createHash } from 'node:crypto';

export const FEATURE_VERSION = 'tv3-obs-2';

/** Constants the formulas use; part of the hashed spec. */
export const SPEC_CONSTANTS = {
  /** Book levels per ladder the depth features read. */
  levels: 5,
  /** History entries kept per market (the current update is the last one). */
  historyCapacity: 10,
  /** Contracts at which the log depth squash reaches 1. */
  depthScaleContracts: 10_000,
  /** Level counts at which the level-count features reach 1. */
  levelCountScale: 100,
  /** time_gap_log reaches 1 at this many seconds. */
  timeGapLogMaxS: 3_600,
  /** Markets in one observation (seed 003's n in the activity score). */
  activityMarkets: 1,
  /** Mid changes (probability units) are multiplied by this before clipping. */
  midChangeScale: 10,
  /** Updates per second at which update_rate reaches 1. */
  updateRateScale: 10,
  /** Contracts at which position (and open-order sizes) reach ±1. */
  positionScaleContracts: 100,
  /** Open orders at which open_orders reaches 1. */
  openOrderScale: 10,
  /** EMA spans (updates with a two-sided mid) of the slow anchor (anchor.ts). */
  anchorSpanFast: 30,
  anchorSpanMid: 100,
  anchorSpanSlow: 300,
  /** Span (updates) of the running mean square of the mid's deviation from the middle EMA. */
  anchorVarSpan: 300,
  /** Mid deviations (probability units) are multiplied by this before clipping to [−1, 1] (±20¢). */
  anchorDevScale: 5,
  /** The deviation's running sd is floored at this (probability units, ½¢). */
  anchorSdFloor: 0.005,
  /** The deviation in sds is divided by this before clipping to [−1, 1] (±4 sd). */
  anchorZScale: 4,
} as const;

export type FeatureGroup = 'book' | 'temporal' | 'portfolio' | 'orders';

export interface FeatureDef {
  readonly name: string;
  readonly group: FeatureGroup;
  /** Inclusive range every output lies in. */
  readonly min: number;
  readonly max: number;
  readonly unit: string;
  /** The formula in words (planning/features.md says the same at more length). */
  readonly formula: string;
}

const f = (
  name: string,
  group: FeatureGroup,
  min: number,
  max: number,
  unit: string,
  formula: string,
): FeatureDef => ({ name, group, min, max, unit, formula });

const depthLevels = (side: 'yes' | 'no'): FeatureDef[] =>
  [1, 2, 3, 4, 5].map((i) =>
    f(`${side}_depth_l${i}`, 'book', 0, 1, 'log contracts', `sq(contracts at ${side} level ${i}); 0 if none`),
  );

/** The mark mid's deviation from one of the anchor's EMAs (src/policy/anchor.ts). */
const anchorDev = (name: string, span: string): FeatureDef =>
  f(
    name,
    'temporal',
    -1,
    1,
    'prob×5',
    `clip(anchorDevScale·(yes_mid − EMA of two-sided mids over ${span} updates)); 0 if no anchor`,
  );

export const FEATURE_SPEC: readonly FeatureDef[] = [
  // ---- book: prices (probability units = Price / 10,000) ----
  f('yes_bid', 'book', 0, 1, 'prob', 'best YES bid; 0 when the YES ladder is empty'),
  f('yes_ask', 'book', 0, 1, 'prob', '1 − best NO bid; 1 when the NO ladder is empty'),
  anchorDev('mid_dev_ema_fast', 'anchorSpanFast'),
  anchorDev('mid_dev_ema_mid', 'anchorSpanMid'),
  f('yes_mid', 'book', 0, 1, 'prob', 'mark mid (two-sided mid, else last history mid), else 0.5'),
  anchorDev('mid_dev_ema_slow', 'anchorSpanSlow'),
  f('spread', 'book', 0, 1, 'prob', 'yes_ask − yes_bid clipped to [0,1]; 1 when a ladder is empty'),
  f(
    'microprice',
    'book',
    0,
    1,
    'prob',
    '(bid·askSize + ask·bidSize)/(bidSize + askSize) at L1; yes_mid if one-sided',
  ),
  f('has_yes_bids', 'book', 0, 1, 'flag', '1 when the YES ladder has a level'),
  f('has_no_bids', 'book', 0, 1, 'flag', '1 when the NO ladder has a level'),
  // ---- book: depth ----
  ...depthLevels('yes'),
  ...depthLevels('no'),
  f(
    'imbalance_l1',
    'book',
    -1,
    1,
    'ratio',
    '(Y1 − N1)/(Y1 + N1), Yk = YES contracts in top k levels; 0 if both 0',
  ),
  f('imbalance_l3', 'book', -1, 1, 'ratio', '(Y3 − N3)/(Y3 + N3); 0 if both 0'),
  f('imbalance_l5', 'book', -1, 1, 'ratio', '(Y5 − N5)/(Y5 + N5); 0 if both 0'),
  f('imbalance_total', 'book', -1, 1, 'ratio', '(Ytot − Ntot)/(Ytot + Ntot) over whole ladders; 0 if both 0'),
  f('yes_depth_total', 'book', 0, 1, 'log contracts', 'sq(total YES contracts)'),
  f('no_depth_total', 'book', 0, 1, 'log contracts', 'sq(total NO contracts)'),
  f('yes_level_count', 'book', 0, 1, 'levels', 'min(1, YES levels / levelCountScale)'),
  f('no_level_count', 'book', 0, 1, 'levels', 'min(1, NO levels / levelCountScale)'),
  f('yes_span', 'book', 0, 1, 'prob', 'best YES bid − price of the deepest of the top 5 YES levels'),
  f('no_span', 'book', 0, 1, 'prob', 'best NO bid − price of the deepest of the top 5 NO levels'),
  // ---- temporal (seed 003) ----
  f(
    'mid_dev_z',
    'temporal',
    -1,
    1,
    'sd÷4',
    'clip((yes_mid − EMA_anchorSpanMid) / max(anchorSdFloor, running sd of it) / anchorZScale); 0 if no anchor',
  ),
  f('time_gap_log', 'temporal', 0, 1, 'log s', 'ln(1 + min(gap, timeGapLogMaxS)) / ln(1 + timeGapLogMaxS)'),
  f(
    'activity_score',
    'temporal',
    0,
    1,
    'score',
    'min(1, n·ln(1 + V)/1000), n = 1 market, V = resting contracts',
  ),
  f(
    'momentum',
    'temporal',
    -1,
    1,
    'score',
    'tanh((Δ1 − Δ0)/|Δ0|) over the last three history mids; 0 if undefined',
  ),
  f('mid_change_1', 'temporal', -1, 1, 'prob×10', 'clip(10·(m[-1] − m[-2])) over the last two history mids'),
  f('mid_change_window', 'temporal', -1, 1, 'prob×10', 'clip(10·(m[last] − m[first])) over history mids'),
  f(
    'mid_volatility',
    'temporal',
    0,
    1,
    'prob×10',
    'clip(10·population stddev of one-step history mid changes)',
  ),
  f(
    'update_rate',
    'temporal',
    0,
    1,
    '1/s ÷ 10',
    'min(1, ((entries − 1)/span_s)/updateRateScale); 1 if span 0',
  ),
  f(
    'depth_change',
    'temporal',
    -1,
    1,
    'ratio',
    '(D[-1] − D[-2])/(D[-1] + D[-2]), D = resting contracts; 0 if undefined',
  ),
  // ---- portfolio ----
  f(
    'position',
    'portfolio',
    -1,
    1,
    'contracts÷100',
    'clip(signed contracts / positionScaleContracts); + YES, − NO',
  ),
  f('holds_yes', 'portfolio', 0, 1, 'flag', '1 when position > 0'),
  f('holds_no', 'portfolio', 0, 1, 'flag', '1 when position < 0'),
  f('cash_ratio', 'portfolio', 0, 1, 'ratio', 'clip(cash / equity); 0 when equity ≤ 0'),
  f('reserved_ratio', 'portfolio', 0, 1, 'ratio', 'clip(cash reserved by our open buy orders / equity)'),
  f('position_value_ratio', 'portfolio', 0, 1, 'ratio', 'clip(mark value of the position / equity)'),
  f(
    'unrealized_pnl',
    'portfolio',
    -1,
    1,
    'ratio',
    'clip((mark value − cost basis) / cost basis); 0 when flat',
  ),
  f(
    'avg_entry_price',
    'portfolio',
    0,
    1,
    'prob',
    'cost basis / contracts held ($ per contract on the held leg)',
  ),
  // ---- our open orders in this market ----
  f('open_orders', 'orders', 0, 1, 'orders÷10', 'min(1, open orders / openOrderScale)'),
  f(
    'open_bid_size',
    'orders',
    0,
    1,
    'contracts÷100',
    'min(1, remaining contracts of our bids / positionScaleContracts)',
  ),
  f(
    'open_ask_size',
    'orders',
    0,
    1,
    'contracts÷100',
    'min(1, remaining contracts of our asks / positionScaleContracts)',
  ),
  f('bid_distance', 'orders', 0, 1, 'prob', 'clip(best YES bid − our best bid); 1 when we have no bid'),
  f('ask_distance', 'orders', 0, 1, 'prob', 'clip(our best ask − YES ask); 1 when we have no ask'),
];

export const FEATURE_COUNT = 52;
if (FEATURE_SPEC.length !== FEATURE_COUNT) {
  throw new Error(`FEATURE_SPEC lists ${FEATURE_SPEC.length} features, expected ${FEATURE_COUNT}`);
}

export const FEATURE_NAMES: readonly string[] = FEATURE_SPEC.map((d) => d.name);

/** Index of each feature by name. */
export const FEATURE_INDEX: Readonly<Record<string, number>> = Object.fromEntries(
  FEATURE_NAMES.map((n, i) => [n, i]),
);

/** sha256 (hex) of the canonical JSON of a spec: version, constants, and every feature in order. */
export function specHash(
  version: string,
  constants: Readonly<Record<string, number>>,
  features: readonly FeatureDef[],
): string {
  const canonical = JSON.stringify({
    version,
    constants: Object.keys(constants)
      .sort()
      .map((k) => [k, constants[k]]),
    features: features.map((d) => [d.name, d.group, d.min, d.max, d.unit, d.formula]),
  });
  return createHash('sha256').update(canonical).digest('hex');
}

export const FEATURE_SPEC_HASH = specHash(FEATURE_VERSION, SPEC_CONSTANTS, FEATURE_SPEC);
