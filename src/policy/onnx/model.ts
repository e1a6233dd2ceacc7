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
 *
 * Inference path (native.ts): where onnxruntime-node's native binding passes the guard and a probe
 * set of observations scores bit-identically through it and through the public async
 * `InferenceSession.run`, every inference runs synchronously through the binding (`inferNow`
 * answers in the same turn; `infer` / `inferBatch` resolve without waiting for the event loop).
 * Otherwise the public API is kept, the reason is said once per process (a process warning) and
 * `inferencePath` / `inferencePathNote` show it.
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
import {
  type InferencePath,
  type NativeLoader,
  openSyncSession,
  probeObservations,
  type SyncSession,
  sameBits,
} from './native.js';
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
  /** 'auto' (default): the native synchronous path when it passes its guard; 'public-async': never. */
  readonly inferencePath?: 'auto' | 'public-async';
  /** Where the native binding comes from (tests simulate a missing or changed one). */
  readonly nativeLoader?: NativeLoader;
  /** Told why the native path is not used (default: one process warning per process). */
  readonly onFallback?: (reason: string) => void;
}

/** Rows of the load-time probe compared between the two paths (one at a time, then as a batch). */
const PROBE_ROWS = 6;

let fallbackSaid = false;
function warnOnce(reason: string): void {
  if (fallbackSaid) return;
  fallbackSaid = true;
  process.emitWarning(`policy inference uses onnxruntime's public async API: ${reason}`, {
    code: 'TRADERV3_ORT_PUBLIC_PATH',
  });
}

/**
 * The native synchronous session if it passes the guard and scores the probe bit-identically to
 * the public session (one observation at a time and as a batch), else the reason it is not used.
 */
async function tryNativeSession(
  bytes: Uint8Array,
  publicSession: InferenceSession,
  options: InferenceSession.SessionOptions,
  loader: NativeLoader | undefined,
): Promise<{ sync: SyncSession } | { reason: string }> {
  let sync: SyncSession;
  try {
    sync = openSyncSession(
      bytes,
      { input: INPUT_NAME, output: OUTPUT_NAME, inWidth: FEATURE_COUNT, outWidth: ACTION_COUNT, options },
      loader,
    );
  } catch (err) {
    return { reason: err instanceof Error ? err.message : String(err) };
  }
  try {
    const probe = probeObservations(FEATURE_COUNT, PROBE_ROWS);
    const viaPublic = async (obs: Float32Array, n: number) => {
      const out = await publicSession.run({
        [INPUT_NAME]: new (ort().Tensor)('float32', obs, [n, FEATURE_COUNT]),
      });
      return new Float32Array(out[OUTPUT_NAME]?.data as Float32Array);
    };
    for (let r = 0; r < PROBE_ROWS; r++) {
      const row = probe.subarray(r * FEATURE_COUNT, (r + 1) * FEATURE_COUNT);
      if (!sameBits(sync.run(row, 1), await viaPublic(row, 1))) {
        sync.dispose();
        return { reason: `probe observation ${r} scored differently through the native binding` };
      }
    }
    if (!sameBits(sync.run(probe, PROBE_ROWS), await viaPublic(probe, PROBE_ROWS))) {
      sync.dispose();
      return { reason: `a probe batch of ${PROBE_ROWS} scored differently through the native binding` };
    }
  } catch (err) {
    sync.dispose();
    return {
      reason: `the native binding failed the probe (${err instanceof Error ? err.message : String(err)})`,
    };
  }
  return { sync };
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

function checkObservation(obs: Float32Array): void {
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
    /** The same model in a native session run synchronously, when it passed its guard. */
    private readonly sync: SyncSession | undefined,
    /** Why the native path is not used (undefined when it is). */
    readonly inferencePathNote: string | undefined,
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
    const sessionOptions: InferenceSession.SessionOptions = {
      executionProviders: ['cpu'],
      intraOpNumThreads: opts.intraOpNumThreads ?? 1,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
    };
    try {
      session = await ort().InferenceSession.create(bytes, { ...sessionOptions });
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
    let sync: SyncSession | undefined;
    let note: string | undefined;
    if (opts.inferencePath === 'public-async') {
      note = 'the public async API was asked for';
    } else {
      const native = await tryNativeSession(bytes, session, sessionOptions, opts.nativeLoader);
      if ('sync' in native) sync = native.sync;
      else {
        note = native.reason;
        (opts.onFallback ?? warnOnce)(note);
      }
    }
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    return new PolicyModel(
      session,
      sync,
      note,
      sha256,
      bytes.length,
      metadata,
      opts.now ?? (() => performance.now()),
    );
  }

  /** How inference runs: synchronously through the native binding, or the public async API. */
  get inferencePath(): InferencePath {
    return this.sync ? 'native-sync' : 'public-async';
  }

  /** Scores of one observation (Float32Array of 52 finite values). */
  async infer(obs: Float32Array): Promise<InferResult> {
    checkObservation(obs);
    if (this.sync) return { scores: this.runSync(obs, 1), latencyUs: this.lastLatencyUs };
    const scores = await this.run(obs, 1);
    return { scores, latencyUs: this.lastLatencyUs };
  }

  /**
   * The scores now, synchronously, on the native path; undefined on the public path (call infer).
   * A bad observation throws as infer rejects.
   */
  inferNow(obs: Float32Array): InferResult | undefined {
    if (!this.sync) return undefined;
    checkObservation(obs);
    return { scores: this.runSync(obs, 1), latencyUs: this.lastLatencyUs };
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
    return this.sync ? this.runSync(obs, n, false) : this.run(obs, n, false);
  }

  private lastLatencyUs = 0;

  private checkOpen(): void {
    if (this.released) {
      throw new PolicyError('POLICY_MODEL_RELEASED', 'policy model: inference after release', {
        field: 'model',
      });
    }
  }

  private record(us: number): void {
    this.lastLatencyUs = us;
    this.histogram.recordValue(Math.max(1, Math.round(us)));
  }

  private runSync(obs: Float32Array, n: number, record = true): Float32Array {
    this.checkOpen();
    const t0 = this.now();
    const scores = (this.sync as SyncSession).run(obs, n);
    if (record) this.record((this.now() - t0) * 1000);
    return scores;
  }

  private async run(obs: Float32Array, n: number, record = true): Promise<Float32Array> {
    this.checkOpen();
    const feeds = { [INPUT_NAME]: new (ort().Tensor)('float32', obs, [n, FEATURE_COUNT]) };
    const t0 = this.now();
    const out = await this.session.run(feeds);
    if (record) this.record((this.now() - t0) * 1000);
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
    this.sync?.dispose();
    await this.session.release();
    this.histogram.destroy();
  }
}

export const loadPolicyModel = (source: string | Uint8Array, opts?: LoadOptions): Promise<PolicyModel> =>
  PolicyModel.load(source, opts);
