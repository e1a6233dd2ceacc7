/**
 * The edge classifier's pure parts: the feature vector (derived from evaluateLadder's features:
 * the forecast model's and the market's probability for the leg, where the leg and the forecast sit
 * against the ladder's centre, lead time, edge and price), the label (was the recommended leg profitable at
 * settlement, after fees, bought at the taker price — the maker→taker worst case), and a
 * deterministic logistic regression (standardized inputs, full-batch gradient descent with L2,
 * fixed iteration count: the same rows give the same weights, bit for bit).
 *
 * The trained model ships as ONNX (src/strategy/edge-classifier.ts): one Gemm whose weights have
 * the standardization folded in, so ONNX computes the logit and P = σ(logit).
 */
import { EdgeError } from './errors.js';
import { tradeFee } from './fees.js';

/** Version of the feature list; a model declares it and the loader refuses another. */
export const EDGE_FEATURE_VERSION = 'edge-v2';

type Features = Readonly<Record<string, number>>;
const num = (f: Features, name: string, fallback = 0): number => {
  const v = f[name];
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
};
/** log(p / (1 − p)), p clamped to [1e-4, 1 − 1e-4]. */
const logit = (p: number) => {
  const x = Math.min(1 - 1e-4, Math.max(1e-4, p));
  return Math.log(x / (1 - x));
};
const fc = (f: Features) => num(f, 'forecast_vs_center_f');
const bc = (f: Features) => num(f, 'bracket_vs_center_f');

/**
 * The classifier's inputs, in order, each from evaluateLadder's features (src/edge/evaluate.ts:
 * win_prob, market_prob, leg_yes, lead_days, forecast_vs_center_f, bracket_vs_center_f,
 * taker_edge_cents, taker_price). The logits let a logistic regression weigh the forecast model's
 * probability against the market's; the centre terms let it learn how far a forecast that left the
 * ladder's centre is to be believed (the forecast model prices N(forecast, σ) and knows no
 * climatology). Chosen by leave-seeds-out log loss on the training seeds (planning/edge.md).
 */
const DERIVE = {
  logit_win_prob: (f: Features) => logit(num(f, 'win_prob', 0.5)),
  logit_market_prob: (f: Features) => logit(num(f, 'market_prob', 0.5)),
  leg_yes: (f: Features) => num(f, 'leg_yes'),
  lead_days: (f: Features) => num(f, 'lead_days'),
  abs_forecast_vs_center_f: (f: Features) => Math.abs(fc(f)),
  abs_bracket_vs_center_f: (f: Features) => Math.abs(bc(f)),
  yes_abs_bracket_vs_center_f: (f: Features) => num(f, 'leg_yes') * Math.abs(bc(f)),
  forecast_x_bracket_vs_center: (f: Features) => (fc(f) * bc(f)) / 10,
  yes_forecast_x_bracket_vs_center: (f: Features) => (num(f, 'leg_yes') * fc(f) * bc(f)) / 10,
  taker_edge_cents: (f: Features) => num(f, 'taker_edge_cents'),
  logit_taker_price: (f: Features) => logit(num(f, 'taker_price', 5_000) / 10_000),
} as const;

export const EDGE_FEATURES = Object.keys(DERIVE) as readonly (keyof typeof DERIVE)[];
export type EdgeFeatureName = keyof typeof DERIVE;

/** The vector for a decision's features (a missing input takes a neutral value). */
export function featureVector(features: Features): number[] {
  return EDGE_FEATURES.map((name) => DERIVE[name](features));
}

/**
 * The label: 1 if one contract of the leg bought at `takerPrice` (Price units) with the taker fee
 * made money at settlement (the leg won), else 0.
 */
export function profitableAtSettlement(legWon: boolean, takerPrice: number): 0 | 1 {
  const costMicros = takerPrice * 100 + tradeFee('taker', 100, takerPrice);
  return legWon && 1_000_000 > costMicros ? 1 : 0;
}

export interface LogisticModel {
  /** Per feature, on the raw (unstandardized) inputs. */
  readonly weights: readonly number[];
  readonly bias: number;
}

export interface TrainOptions {
  readonly iterations?: number;
  readonly learningRate?: number;
  readonly l2?: number;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

export function predictLogistic(m: LogisticModel, x: readonly number[]): number {
  let z = m.bias;
  for (let i = 0; i < m.weights.length; i++) z += (m.weights[i] as number) * (x[i] as number);
  return sigmoid(z);
}

/** Fits P(y = 1 | x) = σ(w·x + b); standardization folded into the returned raw weights. */
export function trainLogistic(
  xs: readonly (readonly number[])[],
  ys: readonly number[],
  opts: TrainOptions = {},
): LogisticModel {
  if (xs.length === 0 || xs.length !== ys.length)
    throw new EdgeError('EDGE_BAD_INPUT', 'rows', `need rows with labels, got ${xs.length} / ${ys.length}`);
  const d = (xs[0] as readonly number[]).length;
  const n = xs.length;
  const mean = new Array<number>(d).fill(0);
  const sd = new Array<number>(d).fill(0);
  for (const x of xs) for (let j = 0; j < d; j++) mean[j] = (mean[j] as number) + (x[j] as number) / n;
  for (const x of xs)
    for (let j = 0; j < d; j++) sd[j] = (sd[j] as number) + ((x[j] as number) - (mean[j] as number)) ** 2 / n;
  for (let j = 0; j < d; j++) sd[j] = Math.sqrt(sd[j] as number) || 1;
  const zs = xs.map((x) => x.map((v, j) => (v - (mean[j] as number)) / (sd[j] as number)));
  const w = new Array<number>(d).fill(0);
  const base = ys.reduce((a, b) => a + b, 0) / n;
  let b = Math.log(Math.max(1e-6, base) / Math.max(1e-6, 1 - base));
  const iterations = opts.iterations ?? 800;
  const lr = opts.learningRate ?? 0.3;
  const l2 = opts.l2 ?? 1e-3;
  for (let it = 0; it < iterations; it++) {
    const gw = new Array<number>(d).fill(0);
    let gb = 0;
    for (let i = 0; i < n; i++) {
      const z = zs[i] as number[];
      let s = b;
      for (let j = 0; j < d; j++) s += (w[j] as number) * (z[j] as number);
      const err = sigmoid(s) - (ys[i] as number);
      for (let j = 0; j < d; j++) gw[j] = (gw[j] as number) + err * (z[j] as number);
      gb += err;
    }
    for (let j = 0; j < d; j++)
      w[j] = (w[j] as number) - lr * ((gw[j] as number) / n + l2 * (w[j] as number));
    b -= (lr * gb) / n;
  }
  // Fold the standardization: w·(x − μ)/σ + b = (w/σ)·x + (b − Σ w μ/σ).
  const weights = w.map((wj, j) => wj / (sd[j] as number));
  const bias = b - w.reduce((acc, wj, j) => acc + (wj * (mean[j] as number)) / (sd[j] as number), 0);
  return { weights, bias };
}
