import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simBookStream } from '../../models/sim-stream.js';
import {
  buildDataset,
  type Dataset,
  forwardMlp,
  loadPolicyModel,
  type PolicyModel,
  type TrainResult,
  trainToOnnx,
} from '../../src/policy/index.js';

const models = join(import.meta.dirname, '..', '..', 'models');
const opened: PolicyModel[] = [];
afterAll(async () => {
  for (const m of opened) await m.release();
});

describe('training on the simulator book stream', () => {
  let dataset: Dataset;
  let trained: TrainResult & { bytes: Uint8Array };

  beforeAll(async () => {
    const records = await simBookStream({ seed: 4, steps: 3000, markets: 4 });
    dataset = buildDataset(records, { seed: 4 });
    trained = trainToOnnx(dataset, { seed: 4, epochs: 2, hidden: [16] });
  });

  it('the simulator stream is deterministic', async () => {
    const again = await simBookStream({ seed: 4, steps: 300, markets: 4 });
    const twice = await simBookStream({ seed: 4, steps: 300, markets: 4 });
    expect(again).toEqual(twice);
    expect(again.some((r) => 'side' in r)).toBe(true);
  });

  it('gives a model onnxruntime runs exactly as the trained weights', async () => {
    const model = await loadPolicyModel(trained.bytes);
    opened.push(model);
    expect(model.metadata).toMatchObject({ train_seed: '4', train_hidden: '16', train_epochs: '2' });
    for (const s of dataset.samples.slice(0, 40)) {
      const { scores } = await model.infer(s.obs);
      const ref = forwardMlp(trained.weights, s.obs);
      for (let a = 0; a < 21; a++) expect(Math.abs(scores[a]! - ref[a]!)).toBeLessThan(1e-5);
    }
  });
});

describe('models/policy.onnx', () => {
  const bytes = new Uint8Array(readFileSync(join(models, 'policy.onnx')));

  it('is small, loads, and has the sha256 models/README.md states', async () => {
    expect(bytes.length).toBeLessThan(200_000);
    const model = await loadPolicyModel(bytes);
    opened.push(model);
    const readme = readFileSync(join(models, 'README.md'), 'utf8');
    const stated = /\| sha256 \| `([0-9a-f]{64})` \|/.exec(readme)?.[1];
    expect(model.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(stated).toBe(model.sha256);
    const { scores } = await model.infer(new Float32Array(52).fill(0.5));
    expect(scores.every(Number.isFinite)).toBe(true);
  });
});
