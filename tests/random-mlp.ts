/** Deterministic random MLP weights for the ONNX tests (the tests' own generator, not the trainer's). */
import type { DenseLayer, MlpWeights } from '../src/policy/index.js';

/** A small linear congruential generator: values in [−0.5, 0.5). */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

export function layer(inputs: number, outputs: number, rnd: () => number): DenseLayer {
  return {
    inputs,
    outputs,
    weight: Float32Array.from({ length: inputs * outputs }, () => rnd() * 0.4),
    bias: Float32Array.from({ length: outputs }, () => rnd() * 0.1),
  };
}

/** Layers of `widths` (inputs first), drawn in order from one generator seeded `seed`. */
export function mlp(widths: number[], seed = 7): MlpWeights {
  const rnd = lcg(seed);
  return { layers: widths.slice(1).map((w, k) => layer(widths[k]!, w, rnd)) };
}
