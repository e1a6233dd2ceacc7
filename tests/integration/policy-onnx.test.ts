import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import {
  decodeModel,
  FEATURE_SPEC_HASH,
  FEATURE_VERSION,
  loadPolicyModel,
  type MlpWeights,
  PolicyError,
  type PolicyModel,
  writeMlpOnnx,
} from '../../src/policy/index.js';
import { lcg, mlp } from '../random-mlp.js';

/** The plain-JS forward pass the ONNX model must reproduce. */
function reference(w: MlpWeights, x: ArrayLike<number>): number[] {
  let v = Array.from(x);
  w.layers.forEach((l, k) => {
    const next: number[] = [];
    for (let o = 0; o < l.outputs; o++) {
      let s = l.bias[o]!;
      for (let i = 0; i < l.inputs; i++) s += l.weight[o * l.inputs + i]! * v[i]!;
      next.push(k < w.layers.length - 1 ? Math.max(0, s) : s);
    }
    v = next;
  });
  return v;
}

const opened: PolicyModel[] = [];
async function open(bytes: Uint8Array): Promise<PolicyModel> {
  const m = await loadPolicyModel(bytes);
  opened.push(m);
  return m;
}
afterAll(async () => {
  for (const m of opened) await m.release();
});

async function refusal(bytes: Uint8Array): Promise<PolicyError> {
  try {
    opened.push(await loadPolicyModel(bytes));
  } catch (err) {
    if (err instanceof PolicyError) return err;
    throw err;
  }
  throw new Error('the model was accepted');
}

describe('an MLP written as ONNX and run by onnxruntime', () => {
  const weights = mlp([52, 32, 24, 21]);
  const bytes = writeMlpOnnx(weights, { description: 'test model', metadata: { seed: '7' } });

  it('declares the feature version, spec hash and description', () => {
    const d = decodeModel(bytes);
    expect(d.metadata).toMatchObject({
      feature_version: FEATURE_VERSION,
      feature_spec_hash: FEATURE_SPEC_HASH,
      action_space: 'tv3-act-1',
      description: 'test model',
      seed: '7',
    });
    expect(d.inputs).toEqual([{ name: 'obs', elemType: 1, shape: ['N', 52] }]);
    expect(d.outputs).toEqual([{ name: 'scores', elemType: 1, shape: ['N', 21] }]);
  });

  it('gives the plain-JS forward pass to within 1e-5', async () => {
    const model = await open(bytes);
    const rnd = lcg(99);
    for (let n = 0; n < 50; n++) {
      const obs = Float32Array.from({ length: 52 }, () => rnd() * 2);
      const { scores, latencyUs } = await model.infer(obs);
      expect(scores).toHaveLength(21);
      expect(latencyUs).toBeGreaterThan(0);
      const ref = reference(weights, obs);
      for (let a = 0; a < 21; a++) expect(Math.abs(scores[a]! - ref[a]!)).toBeLessThan(1e-5);
    }
    expect(model.latency().count).toBe(50);
    expect(model.latency().p99Us).toBeGreaterThanOrEqual(model.latency().p50Us);
  });

  it('scores a batch like one observation at a time', async () => {
    const model = await open(bytes);
    const rnd = lcg(3);
    const batch = Float32Array.from({ length: 4 * 52 }, () => rnd());
    const out = await model.inferBatch(batch, 4);
    for (let k = 0; k < 4; k++) {
      const one = (await model.infer(batch.slice(k * 52, (k + 1) * 52))).scores;
      for (let a = 0; a < 21; a++) expect(out[k * 21 + a]).toBeCloseTo(one[a]!, 5);
    }
  });

  it("reports the file's sha256 and size", async () => {
    const model = await open(bytes);
    expect(model.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(model.sizeBytes).toBe(bytes.length);
  });

  it('refuses an observation that is not 52 finite floats, and inference after release', async () => {
    const model = await loadPolicyModel(bytes);
    await expect(model.infer(new Float32Array(51))).rejects.toMatchObject({ code: 'POLICY_BAD_OBSERVATION' });
    const nan = new Float32Array(52);
    nan[7] = Number.NaN;
    await expect(model.infer(nan)).rejects.toMatchObject({ code: 'POLICY_BAD_OBSERVATION', field: 'obs[7]' });
    await model.release();
    await expect(model.infer(new Float32Array(52))).rejects.toMatchObject({ code: 'POLICY_MODEL_RELEASED' });
  });
});

describe('the loader refuses a model that does not fit', () => {
  it('another input width, naming expected and found', async () => {
    const bytes = writeMlpOnnx(mlp([40, 8, 21]), { description: 'x', skipChecks: true });
    const err = await refusal(bytes);
    expect(err.code).toBe('POLICY_MODEL_INPUT');
    expect(err.message).toContain('expected obs float [N, 52]');
    expect(err.message).toContain('found obs float [N, 40]');
  });

  it('another output width', async () => {
    const err = await refusal(writeMlpOnnx(mlp([52, 8, 5]), { description: 'x', skipChecks: true }));
    expect(err.code).toBe('POLICY_MODEL_OUTPUT');
    expect(err.message).toMatch(/expected scores float \[N, 21\], found scores float \[N, 5\]/);
  });

  it('another feature_version: the previous one, tv3-obs-1 (no slow anchor)', async () => {
    const err = await refusal(writeMlpOnnx(mlp([52, 21]), { description: 'x', featureVersion: 'tv3-obs-1' }));
    expect(err.code).toBe('POLICY_MODEL_FEATURE_VERSION');
    expect(err.message).toBe(`policy model feature_version: expected ${FEATURE_VERSION}, found tv3-obs-1`);
  });

  it('another feature_spec_hash under the same version', async () => {
    const err = await refusal(writeMlpOnnx(mlp([52, 21]), { description: 'x', featureSpecHash: 'abc' }));
    expect(err.code).toBe('POLICY_MODEL_SPEC_HASH');
    expect(err.message).toContain('found abc');
  });

  it('bytes that are not a model, and a path that does not exist', async () => {
    expect((await refusal(new Uint8Array([1, 2, 3, 4, 255]))).code).toBe('POLICY_MODEL_UNREADABLE');
    await expect(loadPolicyModel('/nonexistent/policy.onnx')).rejects.toMatchObject({
      code: 'POLICY_MODEL_UNREADABLE',
    });
  });

  it('the writer itself refuses weights that do not chain 52 → 21', () => {
    expect(() => writeMlpOnnx(mlp([52, 8, 20]), { description: 'x' })).toThrow(/expected 21/);
  });
});
