/**
 * The policy model's synchronous inference through onnxruntime-node's native binding
 * (src/policy/onnx/native.ts): the same scores, bit for bit, as the public async API; and the
 * fallback to the public API when the binding is missing, another version, or scores differently.
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
  loadPolicyModel,
  type MlpWeights,
  type NativeLoader,
  type PolicyModel,
  writeMlpOnnx,
} from '../../src/policy/index.js';
import { loadNativeModule } from '../../src/policy/onnx/native.js';
import { lcg, mlp } from '../random-mlp.js';

const weights: MlpWeights = mlp([52, 32, 24, 21], 11);
const bytes = writeMlpOnnx(weights, { description: 'native path test' });

const opened: PolicyModel[] = [];
async function open(opts: Parameters<typeof loadPolicyModel>[1] = {}): Promise<PolicyModel> {
  const m = await loadPolicyModel(bytes, { onFallback: () => undefined, ...opts });
  opened.push(m);
  return m;
}
afterAll(async () => {
  for (const m of opened) await m.release();
});

const bits = (a: Float32Array) => Array.from(new Uint32Array(Float32Array.from(a).buffer));

describe('inference through the native binding', () => {
  it('is chosen when the binding passes its guard, and answers synchronously', async () => {
    const model = await open();
    expect(model.inferencePath).toBe('native-sync');
    expect(model.inferencePathNote).toBeUndefined();
    const now = model.inferNow(new Float32Array(52));
    expect(now).toBeDefined();
    expect(now).not.toBeInstanceOf(Promise);
    expect(now!.scores).toHaveLength(21);
    expect(model.latency().count).toBe(1);
  });

  it('scores every observation bit for bit as the public async API does, alone and in batches', async () => {
    const native = await open();
    const publicApi = await open({ inferencePath: 'public-async' });
    expect(publicApi.inferencePath).toBe('public-async');
    const rnd = lcg(2026);
    for (let k = 0; k < 200; k++) {
      const scale = 1 + (k % 7) * 3;
      const obs = Float32Array.from({ length: 52 }, () => rnd() * scale);
      const want = bits((await publicApi.infer(obs)).scores);
      expect(bits(native.inferNow(obs)!.scores)).toEqual(want);
      expect(bits((await native.infer(obs)).scores)).toEqual(want);
    }
    const batch = Float32Array.from({ length: 8 * 52 }, () => rnd() * 4);
    expect(bits(await native.inferBatch(batch, 8))).toEqual(bits(await publicApi.inferBatch(batch, 8)));
  });

  it('refuses a bad observation synchronously, and inference after release', async () => {
    const model = await loadPolicyModel(bytes);
    const nan = new Float32Array(52);
    nan[3] = Number.NaN;
    expect(() => model.inferNow(nan)).toThrow(expect.objectContaining({ code: 'POLICY_BAD_OBSERVATION' }));
    await model.release();
    expect(() => model.inferNow(new Float32Array(52))).toThrow(
      expect.objectContaining({ code: 'POLICY_MODEL_RELEASED' }),
    );
  });
});

describe('the fallback to the public API', () => {
  async function fallsBack(loader: NativeLoader): Promise<{ model: PolicyModel; told: string[] }> {
    const told: string[] = [];
    const model = await open({ nativeLoader: loader, onFallback: (r) => told.push(r) });
    expect(model.inferencePath).toBe('public-async');
    expect(model.inferNow(new Float32Array(52))).toBeUndefined();
    // and it still infers, through the public API
    expect((await model.infer(new Float32Array(52))).scores).toHaveLength(21);
    expect(told).toHaveLength(1);
    expect(model.inferencePathNote).toBe(told[0]);
    return { model, told };
  }

  it('when the binding cannot be loaded', async () => {
    const { told } = await fallsBack(() => {
      throw new Error("Cannot find module 'onnxruntime-node/dist/binding'");
    });
    expect(told[0]).toContain('cannot be loaded');
  });

  it('when onnxruntime-node is another version than the pinned one', async () => {
    const { told } = await fallsBack(() => ({ ...loadNativeModule(), version: '1.31.0' }));
    expect(told[0]).toContain('1.31.0');
  });

  it('when the binding lacks what the native path calls', async () => {
    const { told } = await fallsBack(() => ({ ...loadNativeModule(), binding: {} }));
    expect(told[0]).toContain('InferenceSession');
  });

  it('when the binding scores the probe differently', async () => {
    const real = loadNativeModule();
    const Real = (
      real.binding as { InferenceSession: new () => Record<string, (...a: unknown[]) => unknown> }
    ).InferenceSession;
    class Skewed {
      readonly inner = new Real();
      loadModel(...a: unknown[]) {
        return this.inner.loadModel!(...a);
      }
      run(...a: unknown[]) {
        const out = this.inner.run!(...a) as Record<string, { data: Float32Array }>;
        const data = out.scores!.data;
        data[data.length - 1] = Math.fround(data[data.length - 1]! + 1e-3);
        return out;
      }
      dispose() {
        return this.inner.dispose!();
      }
      get inputMetadata() {
        return (this.inner as unknown as { inputMetadata: unknown }).inputMetadata;
      }
      get outputMetadata() {
        return (this.inner as unknown as { outputMetadata: unknown }).outputMetadata;
      }
    }
    const { told } = await fallsBack(() => ({ ...real, binding: { InferenceSession: Skewed } }));
    expect(told[0]).toContain('scored differently');
  });
});
