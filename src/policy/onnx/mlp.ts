/**
 * An MLP's weights as the ONNX writer and the trainer exchange them, and its plain-JS forward
 * pass: hidden layers are Gemm + Relu, the last layer is Gemm only (scores, no softmax).
 */
import { ACTION_COUNT } from '../actions.js';
import { PolicyError } from '../errors.js';
import { FEATURE_COUNT } from '../spec.js';

export interface DenseLayer {
  readonly inputs: number;
  readonly outputs: number;
  /** outputs × inputs, row-major: weight[o * inputs + i]. */
  readonly weight: Float32Array;
  readonly bias: Float32Array;
}

export interface MlpWeights {
  readonly layers: readonly DenseLayer[];
}

/** Throws POLICY_BAD_WEIGHTS unless the layers chain from 52 inputs to 21 outputs. */
export function checkMlp(w: MlpWeights): void {
  const bad = (msg: string) => new PolicyError('POLICY_BAD_WEIGHTS', msg, { field: 'layers' });
  if (w.layers.length === 0) throw bad('an MLP needs at least one layer');
  let width = FEATURE_COUNT;
  w.layers.forEach((l, k) => {
    if (l.inputs !== width)
      throw bad(`layer ${k} takes ${l.inputs} inputs, the previous layer gives ${width}`);
    if (!Number.isInteger(l.outputs) || l.outputs <= 0) throw bad(`layer ${k} has ${l.outputs} outputs`);
    if (l.weight.length !== l.inputs * l.outputs)
      throw bad(`layer ${k} weight has ${l.weight.length} values, expected ${l.inputs * l.outputs}`);
    if (l.bias.length !== l.outputs)
      throw bad(`layer ${k} bias has ${l.bias.length} values, expected ${l.outputs}`);
    width = l.outputs;
  });
  if (width !== ACTION_COUNT) throw bad(`the last layer gives ${width} outputs, expected ${ACTION_COUNT}`);
}

/** Scores for one observation, in float64 arithmetic over the float32 weights. */
export function forwardMlp(w: MlpWeights, obs: ArrayLike<number>): Float64Array {
  let x: ArrayLike<number> = obs;
  w.layers.forEach((l, k) => {
    const y = new Float64Array(l.outputs);
    const last = k === w.layers.length - 1;
    for (let o = 0; o < l.outputs; o++) {
      let s = l.bias[o]!;
      const row = o * l.inputs;
      for (let i = 0; i < l.inputs; i++) s += l.weight[row + i]! * x[i]!;
      y[o] = last || s > 0 ? s : 0;
    }
    x = y;
  });
  return x as Float64Array;
}

/** Parameter count (weights + biases). */
export function mlpSize(w: MlpWeights): number {
  return w.layers.reduce((n, l) => n + l.weight.length + l.bias.length, 0);
}
