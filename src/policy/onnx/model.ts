/**
 * Loads a policy model into an onnxruntime-node CPU session and runs it.
 *
 * The loader refuses (PolicyError, naming what it expected and what it found) a model that:
 *  - is not a readable ONNX ModelProto, or that onnxruntime cannot load (POLICY_MODEL_UNREADABLE);
 *  - declares another feature_version (POLICY_MODEL_FEATURE_VERSION) or feature_spec_hash
 *    (POLICY_MODEL_SPEC_HASH) than this build's observation, or declares neither;
 *  - does not take "obs" float [N, 52] (POLICY_MODEL_INPUT) or give "scores" float [N, 21] with
 *    this build's action_space (POLICY_MODEL_OUTPUT).
 * The declarations are read from the file (protobuf) and the shapes are checked again on the
 * session onnxruntime built, so what is checked is what will run.
 *
 * PolicyModel.infer keeps an HDR histogram of inference latency (µs) for p50 / p99 / max.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import type { Histogram } from 'hdr-histogram-js';
import type { InferenceSession } from 'onnxruntime-node';
import { lazyPackage } from '../../lazy.js';
import { ACTION_COUNT, ACTION_SPACE_VERSION } from '../actions.js';
import { PolicyError } from '../errors.js';
import { FEATURE_COUNT, FEATURE_SPEC_HASH, FEATURE_VERSION } from '../spec.js';
import { type DecodedValueInfo, decodeModel, ONNX_FLOAT } from './proto.js';
import { INPUT_NAME, OUTPUT_NAME } from './writer.js';

// Loaded with the first model, not at every start (src/lazy.ts).
const ort = lazyPackage<typeof import('onnxruntime-node')>('onnxruntime-node');
const hdr = lazyPackage<typeof import('hdr-histogram-js')>('hdr-histogram-js');

export interface LoadOptions {
  readonly expectFeatureVersion?: string;
  readonly expectSpecHash?: string;
  /** onnxruntime intra-op threads (default 1: inference is small and the machine is shared). */
  readonly intraOpNumThreads?: number;
  /** Clock for latency, in ms with a fraction (default performance.now). */
  readonly now?: () => number;
}

export interface InferResult {
  /** One score per action (0..20); higher is better. */
  readonly scores: Float32Array;
  readonly latencyUs: number;
}

export interface LatencySummary {
  readonly count: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly maxUs: number;
}

function showShape(v: DecodedValueInfo): string {
  const type = v.elemType === ONNX_FLOAT ? 'float' : `elem_type ${v.elemType ?? '?'}`;
  const dims = (v.shape ?? ['?']).map((d) => d ?? '?').join(', ');
  return `${v.name || '(unnamed)'} ${type} [${dims}]`;
}

function matrixOk(v: DecodedValueInfo | undefined, name: string, width: number): boolean {
  if (!v || v.name !== name || v.elemType !== ONNX_FLOAT || !v.shape || v.shape.length !== 2) return false;
  const [n, w] = v.shape;
  return (typeof n === 'string' || (typeof n === 'number' && n >= 1)) && w === width;
}

function checkDeclarations(bytes: Uint8Array, opts: LoadOptions): Readonly<Record<string, string>> {
  let decoded: ReturnType<typeof decodeModel>;
  try {
    decoded = decodeModel(bytes);
  } catch (cause) {
    throw new PolicyError('POLICY_MODEL_UNREADABLE', `policy model: not an ONNX model (${String(cause)})`, {
      field: 'model',
      cause,
    });
  }
  const md = decoded.metadata;
  const wantVersion = opts.expectFeatureVersion ?? FEATURE_VERSION;
  if (md.feature_version !== wantVersion) {
    throw new PolicyError(
      'POLICY_MODEL_FEATURE_VERSION',
      `policy model feature_version: expected ${wantVersion}, found ${md.feature_version ?? '(none)'}`,
      { field: 'feature_version' },
    );
  }
  const wantHash = opts.expectSpecHash ?? FEATURE_SPEC_HASH;
  if (md.feature_spec_hash !== wantHash) {
    throw new PolicyError(
      'POLICY_MODEL_SPEC_HASH',
      `policy model feature_spec_hash: expected ${wantHash}, found ${md.feature_spec_hash ?? '(none)'}`,
      { field: 'feature_spec_hash' },
    );
  }
  const input = decoded.inputs.length === 1 ? decoded.inputs[0] : undefined;
  if (!matrixOk(input, INPUT_NAME, FEATURE_COUNT)) {
    const found = decoded.inputs.map(showShape).join(' + ') || 'no input';
    throw new PolicyError(
      'POLICY_MODEL_INPUT',
      `policy model input: expected ${INPUT_NAME} float [N, ${FEATURE_COUNT}], found ${found}`,
      { field: 'input' },
    );
  }
  const output = decoded.outputs.length === 1 ? decoded.outputs[0] : undefined;
  if (!matrixOk(output, OUTPUT_NAME, ACTION_COUNT)) {
    const found = decoded.outputs.map(showShape).join(' + ') || 'no output';
    throw new PolicyError(
      'POLICY_MODEL_OUTPUT',
      `policy model output: expected ${OUTPUT_NAME} float [N, ${ACTION_COUNT}], found ${found}`,
      { field: 'output' },
    );
  }
  if (md.action_space !== ACTION_SPACE_VERSION) {
    throw new PolicyError(
      'POLICY_MODEL_OUTPUT',
      `policy model action_space: expected ${ACTION_SPACE_VERSION}, found ${md.action_space ?? '(none)'}`,
      { field: 'action_space' },
    );
  }
  return md;
}

function checkSession(session: InferenceSession): void {
  const meta = (list: readonly InferenceSession.ValueMetadata[], name: string) => {
    const m = list.find((v) => v.name === name);
    return m?.isTensor ? m : undefined;
  };
  const i = meta(session.inputMetadata, INPUT_NAME);
  if (session.inputNames.length !== 1 || !i || i.type !== 'float32' || i.shape[1] !== FEATURE_COUNT) {
    throw new PolicyError(
      'POLICY_MODEL_INPUT',
      `policy model input (as loaded): expected ${INPUT_NAME} float32 [N, ${FEATURE_COUNT}], found ${session.inputNames.join(', ')} [${i?.shape.join(', ') ?? '?'}]`,
      { field: 'input' },
    );
  }
  const o = meta(session.outputMetadata, OUTPUT_NAME);
  if (o?.type !== 'float32' || o.shape[1] !== ACTION_COUNT) {
    throw new PolicyError(
      'POLICY_MODEL_OUTPUT',
      `policy model output (as loaded): expected ${OUTPUT_NAME} float32 [N, ${ACTION_COUNT}], found ${session.outputNames.join(', ')} [${o?.shape.join(', ') ?? '?'}]`,
      { field: 'output' },
    );
  }
}

export class PolicyModel {
  private released = false;
  private readonly histogram: Histogram = hdr().build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });

  private constructor(
    private readonly session: InferenceSession,
    /** sha256 (hex) of the model file. */
    readonly sha256: string,
    readonly sizeBytes: number,
    /** The model's metadata_props. */
    readonly metadata: Readonly<Record<string, string>>,
    private readonly now: () => number,
  ) {}

  /** Loads, checks and opens a model from a path or its bytes. */
  static async load(source: string | Uint8Array, opts: LoadOptions = {}): Promise<PolicyModel> {
    let bytes: Uint8Array;
    try {
      bytes = typeof source === 'string' ? new Uint8Array(await readFile(source)) : source;
    } catch (cause) {
      throw new PolicyError('POLICY_MODEL_UNREADABLE', `policy model: cannot read ${String(source)}`, {
        field: 'model',
        cause,
      });
    }
    const metadata = checkDeclarations(bytes, opts);
    let session: InferenceSession;
    try {
      session = await ort().InferenceSession.create(bytes, {
        executionProviders: ['cpu'],
        intraOpNumThreads: opts.intraOpNumThreads ?? 1,
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
      });
    } catch (cause) {
      throw new PolicyError(
        'POLICY_MODEL_UNREADABLE',
        `policy model: onnxruntime refused it (${String(cause)})`,
        {
          field: 'model',
          cause,
        },
      );
    }
    try {
      checkSession(session);
    } catch (err) {
      await session.release();
      throw err;
    }
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    return new PolicyModel(session, sha256, bytes.length, metadata, opts.now ?? (() => performance.now()));
  }

  /** Scores of one observation (Float32Array of 52 finite values). */
  async infer(obs: Float32Array): Promise<InferResult> {
    if (obs.length !== FEATURE_COUNT) {
      throw new PolicyError(
        'POLICY_BAD_OBSERVATION',
        `observation: expected ${FEATURE_COUNT} floats, found ${obs.length}`,
        { field: 'obs' },
      );
    }
    for (let i = 0; i < FEATURE_COUNT; i++) {
      if (!Number.isFinite(obs[i])) {
        throw new PolicyError('POLICY_BAD_OBSERVATION', `observation: feature ${i} is ${obs[i]}`, {
          field: `obs[${i}]`,
        });
      }
    }
    const scores = await this.run(obs, 1);
    return { scores, latencyUs: this.lastLatencyUs };
  }

  /** Scores of `n` observations laid end to end (n × 52) → n × 21. Not counted in the latency histogram. */
  async inferBatch(obs: Float32Array, n: number): Promise<Float32Array> {
    if (!Number.isInteger(n) || n < 1 || obs.length !== n * FEATURE_COUNT) {
      throw new PolicyError(
        'POLICY_BAD_OBSERVATION',
        `observation batch: expected ${n} × ${FEATURE_COUNT} floats, found ${obs.length}`,
        { field: 'obs' },
      );
    }
    return this.run(obs, n, false);
  }

  private lastLatencyUs = 0;

  private async run(obs: Float32Array, n: number, record = true): Promise<Float32Array> {
    if (this.released) {
      throw new PolicyError('POLICY_MODEL_RELEASED', 'policy model: inference after release', {
        field: 'model',
      });
    }
    const feeds = { [INPUT_NAME]: new (ort().Tensor)('float32', obs, [n, FEATURE_COUNT]) };
    const t0 = this.now();
    const out = await this.session.run(feeds);
    const us = (this.now() - t0) * 1000;
    if (record) {
      this.lastLatencyUs = us;
      this.histogram.recordValue(Math.max(1, Math.round(us)));
    }
    const scores = out[OUTPUT_NAME];
    if (!scores)
      throw new PolicyError('POLICY_MODEL_OUTPUT', `policy model: no ${OUTPUT_NAME} in the result`);
    return new Float32Array(scores.data as Float32Array);
  }

  /** Inference latency so far (single-observation infer calls). */
  latency(): LatencySummary {
    const h = this.histogram;
    return {
      count: h.totalCount,
      p50Us: h.getValueAtPercentile(50),
      p99Us: h.getValueAtPercentile(99),
      maxUs: h.maxValue,
    };
  }

  resetLatency(): void {
    this.histogram.reset();
  }

  /** Frees the onnxruntime session; idempotent. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.session.release();
    this.histogram.destroy();
  }
}

export const loadPolicyModel = (source: string | Uint8Array, opts?: LoadOptions): Promise<PolicyModel> =>
  PolicyModel.load(source, opts);
