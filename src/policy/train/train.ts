/**
 * Trains the policy MLP by behaviour cloning of the hindsight teacher (teacher.ts): a small
 * multi-layer perceptron (ReLU hidden layers, 21 scores out) fitted with softmax cross-entropy and
 * Adam, in float64, single-threaded, in a fixed order of operations. Everything random (initial
 * weights, the shuffle of each epoch) comes from the seed, so the same dataset and options give
 * the same weights and the same ONNX bytes.
 *
 * The last `validationShare` of the samples (in stream order, i.e. the latest) is held out and
 * only scored, so the report says how the policy does on updates it has not seen.
 *
 * The loop is a generator that pauses after every batch: `train` runs it straight through,
 * `trainAsync` gives the event loop a turn at each pause (so a progress bar can draw) and reports
 * where it is. Pausing changes nothing computed: both give the same weights.
 */
import { createHash } from 'node:crypto';
import {
  ACTION_COUNT,
  type ActionSettings,
  actionMask,
  DEFAULT_ACTION_SETTINGS,
  describeAction,
  HOLD,
  planAction,
} from '../actions.js';
import { PolicyError } from '../errors.js';
import type { MlpWeights } from '../onnx/mlp.js';
import { FEATURE_COUNT } from '../spec.js';
import type { Dataset } from './dataset.js';
import { createRng, type Rng } from './rng.js';
import { DEFAULT_TEACHER, realizedValue, type TeacherSettings, teacherAction } from './teacher.js';

/**
 * The HOLD margins (logits) the trainer chooses from, one for entries (buy_*) and one for exits
 * (sell_*): the exported model's buy scores are lowered by the entry margin and its sell scores by
 * the exit margin, so the live argmax takes an action only when its score beats HOLD's by more than
 * its kind's margin. Each is chosen on the VALIDATION samples (the latest of the training data,
 * never an evaluation session) as the margin whose trades of that kind — the best allowed entry
 * (exit) of each sample, where its score beats HOLD's by more — realized the most (ties: the larger
 * margin, fewer trades). Entries and exits get their own because a policy's exits only happen after
 * its entries: an exit margin chosen on the synthetic positions says nothing about entering.
 */
export const HOLD_MARGINS: readonly number[] = [0, 0.5, 1, 2, 3, 4, 6, 8];

export interface TrainOptions {
  readonly seed: number;
  readonly epochs: number;
  /** Hidden layer widths (a number is one hidden layer). */
  readonly hidden: number | readonly number[];
  readonly learningRate?: number;
  readonly batchSize?: number;
  /** Decoupled weight decay (AdamW) on the weights, not the biases. */
  readonly weightDecay?: number;
  /** How classes are weighted in the loss: 'sqrt' (default) weighs class c by √(N / (K·n_c)). */
  readonly classWeighting?: 'none' | 'sqrt' | 'balanced';
  /** Share of the latest samples held out for validation (default 0.1). */
  readonly validationShare?: number;
  readonly actionSettings?: ActionSettings;
  readonly teacher?: TeacherSettings;
  /** Fixed HOLD margins (logits) instead of choosing them from HOLD_MARGINS on the validation samples. */
  readonly entryMargin?: number;
  readonly exitMargin?: number;
}

export interface TrainReport {
  readonly samples: number;
  readonly trainSamples: number;
  readonly validationSamples: number;
  readonly epochs: number;
  readonly hidden: readonly number[];
  /** Weighted mean cross-entropy of each epoch over the training samples. */
  readonly lossByEpoch: readonly number[];
  /** Share of samples whose highest score is the teacher's label. */
  readonly trainAccuracy: number;
  readonly validationAccuracy: number;
  /** Validation accuracy of always answering HOLD (the baseline to beat). */
  readonly validationHoldShare: number;
  /**
   * Validation samples where the teacher trades / the policy trades / both pick the same trade. The
   * policy's here is the raw argmax (no mask, no HOLD margin); `validationValueByMargin` counts the
   * trades the masked argmax makes at each margin.
   */
  readonly validationTeacherTrades: number;
  readonly validationPolicyTrades: number;
  readonly validationAgreedTrades: number;
  /** The margins taken off the exported buy_* (entry) and sell_* (exit) biases. */
  readonly entryMargin: number;
  readonly exitMargin: number;
  /** Per HOLD_MARGINS candidate: the realized value ($, teacher.ts formulas) of the policy's validation entries and exits, and their counts. */
  readonly validationValueByMargin: ReadonlyArray<{
    margin: number;
    entries: { dollars: number; trades: number };
    exits: { dollars: number; trades: number };
  }>;
  /** The same for the teacher's own labels (the hindsight ceiling). */
  readonly validationTeacherDollars: number;
  /** How often the teacher chose each action, over all samples. */
  readonly labelCounts: readonly number[];
  /** sha256 of the observations and labels trained on. */
  readonly datasetSha256: string;
}

export interface TrainResult {
  readonly weights: MlpWeights;
  readonly report: TrainReport;
}

/** Where training is: batches done of all (every epoch's batches), and the epoch (from 0). */
export interface TrainProgress {
  readonly epoch: number;
  readonly batches: number;
  readonly totalBatches: number;
}

/** The teacher's label of every sample. */
export function labelDataset(
  dataset: Dataset,
  settings: ActionSettings = DEFAULT_ACTION_SETTINGS,
  teacher: TeacherSettings = DEFAULT_TEACHER,
): Int32Array {
  return Int32Array.from(dataset.samples, (s) => teacherAction(s, settings, teacher));
}

interface Layer {
  readonly inputs: number;
  readonly outputs: number;
  readonly w: Float64Array;
  readonly b: Float64Array;
  readonly gw: Float64Array;
  readonly gb: Float64Array;
  readonly mw: Float64Array;
  readonly vw: Float64Array;
  readonly mb: Float64Array;
  readonly vb: Float64Array;
}

function newLayer(inputs: number, outputs: number, rng: Rng, last: boolean): Layer {
  const std = Math.sqrt((last ? 1 : 2) / inputs);
  const n = inputs * outputs;
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) w[i] = rng.normal() * std;
  const z = () => new Float64Array(n);
  const zb = () => new Float64Array(outputs);
  return { inputs, outputs, w, b: zb(), gw: z(), gb: zb(), mw: z(), vw: z(), mb: zb(), vb: zb() };
}

/** Forward pass into preallocated activations; acts[0] is the input. Returns the logits. */
function forward(layers: readonly Layer[], acts: Float64Array[], x: Float32Array): Float64Array {
  const a0 = acts[0]!;
  for (let i = 0; i < FEATURE_COUNT; i++) a0[i] = x[i]!;
  for (let l = 0; l < layers.length; l++) {
    const { inputs, outputs, w, b } = layers[l]!;
    const inp = acts[l]!;
    const out = acts[l + 1]!;
    const relu = l < layers.length - 1;
    for (let o = 0; o < outputs; o++) {
      let s = b[o]!;
      const row = o * inputs;
      for (let i = 0; i < inputs; i++) s += w[row + i]! * inp[i]!;
      out[o] = relu && s < 0 ? 0 : s;
    }
  }
  return acts[layers.length]!;
}

/** Softmax of logits into p; returns −log p[label]. */
function softmaxLoss(logits: Float64Array, p: Float64Array, label: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < logits.length; k++) if (logits[k]! > max) max = logits[k]!;
  let sum = 0;
  for (let k = 0; k < logits.length; k++) {
    p[k] = Math.exp(logits[k]! - max);
    sum += p[k]!;
  }
  for (let k = 0; k < logits.length; k++) p[k] = p[k]! / sum;
  return -Math.log(Math.max(p[label]!, 1e-300));
}

const argmax = (v: Float64Array): number => {
  let best = 0;
  for (let k = 1; k < v.length; k++) if (v[k]! > v[best]!) best = k;
  return best;
};

function classWeights(labels: Int32Array, n: number, mode: TrainOptions['classWeighting']): Float64Array {
  const counts = new Float64Array(ACTION_COUNT);
  for (let i = 0; i < n; i++) counts[labels[i]!]! += 1;
  const present = counts.filter((c) => c > 0).length;
  return counts.map((c) => {
    if (mode === 'none' || c === 0) return 1;
    const w = n / (present * c);
    return mode === 'balanced' ? w : Math.sqrt(w);
  });
}

function checkOptions(dataset: Dataset, o: TrainOptions, hidden: readonly number[]): void {
  const bad = (field: string, why: string) =>
    new PolicyError('POLICY_BAD_SETTINGS', `training: ${field} ${why}`, { field });
  if (!Number.isInteger(o.seed)) throw bad('seed', `must be an integer, got ${o.seed}`);
  if (!Number.isInteger(o.epochs) || o.epochs < 1)
    throw bad('epochs', `must be an integer ≥ 1, got ${o.epochs}`);
  if (hidden.some((h) => !Number.isInteger(h) || h < 1 || h > 4096))
    throw bad('hidden', `widths must be integers in 1..4096, got ${hidden.join(',')}`);
  if (dataset.samples.length < 2) {
    throw new PolicyError(
      'POLICY_BAD_DATASET',
      `training: ${dataset.samples.length} samples, need at least 2`,
      {
        field: 'dataset',
      },
    );
  }
  for (const s of dataset.samples) {
    if (s.obs.length !== FEATURE_COUNT) {
      throw new PolicyError(
        'POLICY_BAD_DATASET',
        `training: an observation has ${s.obs.length} features, expected ${FEATURE_COUNT}`,
        { field: 'obs' },
      );
    }
  }
}

/** buy_yes / buy_no: an action that opens or adds (the others but HOLD close). */
const isEntry = (action: number): boolean => {
  const kind = describeAction(action).kind;
  return kind === 'buy_yes' || kind === 'buy_no';
};

const viewOf = (s: Dataset['samples'][number]) => ({
  ticker: s.ticker,
  bestYesBid: s.bestYesBid,
  yesAsk: s.yesAsk,
  position: s.position,
  cash: s.cash,
  openOrders: [],
});

function digest(dataset: Dataset, labels: Int32Array): string {
  const h = createHash('sha256');
  for (const s of dataset.samples) h.update(new Uint8Array(s.obs.buffer, s.obs.byteOffset, s.obs.byteLength));
  h.update(new Uint8Array(labels.buffer));
  return h.digest('hex');
}

export function train(dataset: Dataset, options: TrainOptions): TrainResult {
  const steps = trainSteps(dataset, options);
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/** `train`, yielding to the event loop after every batch and telling `onProgress` how far it is. */
export async function trainAsync(
  dataset: Dataset,
  options: TrainOptions,
  onProgress?: (p: TrainProgress) => void,
): Promise<TrainResult> {
  const steps = trainSteps(dataset, options);
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
    onProgress?.(next.value);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

function* trainSteps(dataset: Dataset, options: TrainOptions): Generator<TrainProgress, TrainResult> {
  const hidden = typeof options.hidden === 'number' ? [options.hidden] : [...options.hidden];
  checkOptions(dataset, options, hidden);
  const lr = options.learningRate ?? 1e-3;
  const batchSize = options.batchSize ?? 64;
  const decay = options.weightDecay ?? 1e-4;
  const labels = labelDataset(dataset, options.actionSettings, options.teacher);
  const total = dataset.samples.length;
  const nVal = Math.min(total - 1, Math.floor(total * (options.validationShare ?? 0.1)));
  const nTrain = total - nVal;
  const cw = classWeights(labels, nTrain, options.classWeighting ?? 'sqrt');

  const rng = createRng(options.seed);
  const widths = [FEATURE_COUNT, ...hidden, ACTION_COUNT];
  const layers = widths.slice(1).map((w, k) => newLayer(widths[k]!, w, rng, k === widths.length - 2));
  const acts = widths.map((w) => new Float64Array(w));
  const deltas = widths.map((w) => new Float64Array(w));
  const p = new Float64Array(ACTION_COUNT);
  const order = Int32Array.from({ length: nTrain }, (_, i) => i);
  const lossByEpoch: number[] = [];
  const b1 = 0.9;
  const b2 = 0.999;
  let step = 0;
  const totalBatches = options.epochs * Math.ceil(nTrain / batchSize);

  for (let epoch = 0; epoch < options.epochs; epoch++) {
    for (let i = nTrain - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const t = order[i]!;
      order[i] = order[j]!;
      order[j] = t;
    }
    let lossSum = 0;
    let weightSum = 0;
    for (let start = 0; start < nTrain; start += batchSize) {
      const end = Math.min(nTrain, start + batchSize);
      for (const l of layers) {
        l.gw.fill(0);
        l.gb.fill(0);
      }
      let batchWeight = 0;
      for (let k = start; k < end; k++) batchWeight += cw[labels[order[k]!]!]!;
      for (let k = start; k < end; k++) {
        const idx = order[k]!;
        const label = labels[idx]!;
        const logits = forward(layers, acts, dataset.samples[idx]!.obs);
        const wgt = cw[label]!;
        lossSum += wgt * softmaxLoss(logits, p, label);
        weightSum += wgt;
        const top = deltas[layers.length]!;
        for (let c = 0; c < ACTION_COUNT; c++) top[c] = ((p[c]! - (c === label ? 1 : 0)) * wgt) / batchWeight;
        for (let l = layers.length - 1; l >= 0; l--) {
          const { inputs, outputs, w, gw, gb } = layers[l]!;
          const d = deltas[l + 1]!;
          const inp = acts[l]!;
          for (let o = 0; o < outputs; o++) {
            const g = d[o]!;
            if (g === 0) continue;
            gb[o]! += g;
            const row = o * inputs;
            for (let i = 0; i < inputs; i++) gw[row + i]! += g * inp[i]!;
          }
          if (l === 0) break;
          const back = deltas[l]!;
          for (let i = 0; i < inputs; i++) {
            if (inp[i]! <= 0) {
              back[i] = 0;
              continue;
            }
            let s = 0;
            for (let o = 0; o < outputs; o++) s += w[o * inputs + i]! * d[o]!;
            back[i] = s;
          }
        }
      }
      step++;
      const c1 = 1 - b1 ** step;
      const c2 = 1 - b2 ** step;
      for (const l of layers) {
        adam(l.w, l.gw, l.mw, l.vw, lr, c1, c2, decay);
        adam(l.b, l.gb, l.mb, l.vb, lr, c1, c2, 0);
      }
      yield { epoch, batches: step, totalBatches };
    }
    lossByEpoch.push(lossSum / weightSum);
  }

  const accuracy = (from: number, to: number): number => {
    if (to <= from) return 0;
    let hit = 0;
    for (let i = from; i < to; i++)
      if (argmax(forward(layers, acts, dataset.samples[i]!.obs)) === labels[i]) hit++;
    return hit / (to - from);
  };
  let valHold = 0;
  let policyTrades = 0;
  let agreedTrades = 0;
  for (let i = nTrain; i < total; i++) {
    if (labels[i] === 0) valHold++;
    const chosen = argmax(forward(layers, acts, dataset.samples[i]!.obs));
    if (chosen !== 0) policyTrades++;
    if (chosen !== 0 && chosen === labels[i]) agreedTrades++;
  }
  const labelCounts = new Array<number>(ACTION_COUNT).fill(0);
  for (const l of labels) labelCounts[l]! += 1;

  // The confidence threshold: per validation sample, the best allowed non-HOLD action, how far its
  // score is above HOLD's, and what it would have realized.
  const settings = options.actionSettings ?? DEFAULT_ACTION_SETTINGS;
  const realizedOf = (i: number, action: number): number => {
    if (action === HOLD) return 0;
    const sample = dataset.samples[i]!;
    const plan = planAction(action, viewOf(sample), settings);
    const info = describeAction(action);
    if (!plan.ok || !plan.order || info.kind === 'hold') return 0;
    return realizedValue(sample, info.kind, plan.order.count);
  };
  const gaps = {
    entries: [] as Array<{ gap: number; value: number }>,
    exits: [] as Array<{ gap: number; value: number }>,
  };
  let teacherValue = 0;
  for (let i = nTrain; i < total; i++) {
    teacherValue += realizedOf(i, labels[i]!);
    const logits = forward(layers, acts, dataset.samples[i]!.obs);
    const mask = actionMask(viewOf(dataset.samples[i]!), settings);
    for (const side of ['entries', 'exits'] as const) {
      let best = HOLD;
      for (let a = 1; a < ACTION_COUNT; a++)
        if (
          mask.allowed[a] &&
          isEntry(a) === (side === 'entries') &&
          (best === HOLD || logits[a]! > logits[best]!)
        )
          best = a;
      if (best !== HOLD) gaps[side].push({ gap: logits[best]! - logits[HOLD]!, value: realizedOf(i, best) });
    }
  }
  const valueAbove = (list: ReadonlyArray<{ gap: number; value: number }>, margin: number) => {
    let micros = 0;
    let trades = 0;
    for (const g of list)
      if (g.gap > margin) {
        micros += g.value;
        trades++;
      }
    return { dollars: micros / 1e6, trades };
  };
  const byMargin = HOLD_MARGINS.map((margin) => ({
    margin,
    entries: valueAbove(gaps.entries, margin),
    exits: valueAbove(gaps.exits, margin),
  }));
  const choose = (side: 'entries' | 'exits', fixed: number | undefined): number => {
    if (fixed !== undefined) return fixed;
    let chosen = 0;
    let bestDollars = Number.NEGATIVE_INFINITY;
    for (const m of byMargin)
      if (m[side].dollars >= bestDollars) {
        bestDollars = m[side].dollars;
        chosen = m.margin;
      }
    return chosen;
  };
  const entryMargin = choose('entries', options.entryMargin);
  const exitMargin = choose('exits', options.exitMargin);
  const marginOf = (o: number) => (o === HOLD ? 0 : isEntry(o) ? entryMargin : exitMargin);

  return {
    weights: {
      layers: layers.map((l) => ({
        inputs: l.inputs,
        outputs: l.outputs,
        weight: Float32Array.from(l.w),
        bias: Float32Array.from(l.b, (b, o) => (l === layers[layers.length - 1] ? b - marginOf(o) : b)),
      })),
    },
    report: {
      samples: total,
      trainSamples: nTrain,
      validationSamples: nVal,
      epochs: options.epochs,
      hidden,
      lossByEpoch,
      trainAccuracy: accuracy(0, nTrain),
      validationAccuracy: accuracy(nTrain, total),
      validationHoldShare: nVal > 0 ? valHold / nVal : 0,
      validationTeacherTrades: nVal - valHold,
      validationPolicyTrades: policyTrades,
      validationAgreedTrades: agreedTrades,
      entryMargin,
      exitMargin,
      validationValueByMargin: byMargin,
      validationTeacherDollars: teacherValue / 1e6,
      labelCounts,
      datasetSha256: digest(dataset, labels),
    },
  };
}

function adam(
  theta: Float64Array,
  g: Float64Array,
  m: Float64Array,
  v: Float64Array,
  lr: number,
  c1: number,
  c2: number,
  decay: number,
): void {
  for (let i = 0; i < theta.length; i++) {
    const gi = g[i]!;
    const mi = 0.9 * m[i]! + 0.1 * gi;
    const vi = 0.999 * v[i]! + 0.001 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    theta[i] = theta[i]! - lr * (mi / c1 / (Math.sqrt(vi / c2) + 1e-8) + decay * theta[i]!);
  }
}
