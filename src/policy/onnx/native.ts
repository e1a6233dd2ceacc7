/**
 * Synchronous inference through onnxruntime-node's native binding — the same engine as the public
 * API, without its turn of the event loop.
 *
 * Why: onnxruntime-node's public `InferenceSession.run` calls the native, synchronous `run` inside a
 * `setImmediate` (dist/backend.js, OnnxruntimeSessionHandler.run), so every inference waits for
 * the event loop to go round once — whatever else is queued (timers, sockets, a signature) runs
 * first. In the trader's tick path that wait was most of the inference's latency (p50 ~100 µs in
 * the path against ~25 µs alone, bench/RESULTS.md). The binding's `run` is what the package itself
 * calls; called directly, an evaluation can conclude in the same turn as the delta that caused it.
 *
 * The guard (the binding is a private API of a pinned version, planning/decisions.md):
 *  - the installed onnxruntime-node must be the version this was written against
 *    (ORT_PINNED_VERSION, package.json pins it exactly);
 *  - the binding must have the shape backend.js relies on (`initOrt`, `binding.InferenceSession`
 *    with `loadModel`, `run`, `dispose`, `inputMetadata`, `outputMetadata`) and the session must
 *    name the model's input and output;
 *  - the caller (PolicyModel.load) then runs a probe set of observations through both paths and
 *    requires bit-identical scores.
 * Anything missing, throwing or different: the caller keeps the public API and says why.
 */
import { createRequire } from 'node:module';
import { lazyPackage } from '../../lazy.js';

/** The onnxruntime-node version whose private binding this module was written against. */
export const ORT_PINNED_VERSION = '1.30.0';

/** How a PolicyModel runs its session (its status shows it). */
export type InferencePath = 'native-sync' | 'public-async';

/** The part of the native session backend.js uses. */
interface NativeSession {
  loadModel(buffer: ArrayBufferLike, byteOffset: number, byteLength: number, options: object): void;
  run(feeds: Record<string, unknown>, fetches: Record<string, null>, options: object): unknown;
  dispose(): void;
  readonly inputMetadata: unknown;
  readonly outputMetadata: unknown;
}

const ort = lazyPackage<typeof import('onnxruntime-node')>('onnxruntime-node');

/** What `require('onnxruntime-node/dist/binding')` is expected to give, and the package version. */
export interface NativeModule {
  readonly version: unknown;
  readonly binding: unknown;
  readonly initOrt: unknown;
}

/** Loads the private module (replaceable in tests to simulate a missing or changed binding). */
export type NativeLoader = () => NativeModule;

export const loadNativeModule: NativeLoader = () => {
  const require = createRequire(import.meta.url);
  const pkg = require('onnxruntime-node/package.json') as { version?: unknown };
  const mod = require('onnxruntime-node/dist/binding') as { binding?: unknown; initOrt?: unknown };
  return { version: pkg.version, binding: mod.binding, initOrt: mod.initOrt };
};

/** A session run synchronously: n observations (n × width floats) → n × outWidth scores. */
export interface SyncSession {
  run(obs: Float32Array, n: number): Float32Array;
  dispose(): void;
}

const isFn = (o: unknown, k: string): boolean =>
  typeof o === 'object' && o !== null && typeof (o as Record<string, unknown>)[k] === 'function';

function names(meta: unknown): string[] | undefined {
  if (!Array.isArray(meta)) return undefined;
  const out: string[] = [];
  for (const m of meta) {
    const name = (m as { name?: unknown } | null)?.name;
    if (typeof name !== 'string') return undefined;
    out.push(name);
  }
  return out;
}

export interface NativeSessionSpec {
  readonly input: string;
  readonly output: string;
  /** Floats per input row and per output row. */
  readonly inWidth: number;
  readonly outWidth: number;
  /** The session options the public session was created with (the same engine settings). */
  readonly options: object;
}

/**
 * Opens `bytes` as a native session run synchronously, or throws an Error whose message says which
 * part of the guard failed. Checks the version and the shape only; the caller compares outputs.
 */
export function openSyncSession(
  bytes: Uint8Array,
  spec: NativeSessionSpec,
  load: NativeLoader = loadNativeModule,
): SyncSession {
  let mod: NativeModule;
  try {
    mod = load();
  } catch (cause) {
    throw new Error(`onnxruntime-node's native binding cannot be loaded (${String(cause)})`, { cause });
  }
  if (mod.version !== ORT_PINNED_VERSION) {
    throw new Error(
      `onnxruntime-node is ${String(mod.version)}, the native path is written for ${ORT_PINNED_VERSION}`,
    );
  }
  const Ctor = (mod.binding as { InferenceSession?: unknown } | null | undefined)?.InferenceSession;
  if (typeof mod.initOrt !== 'function' || typeof Ctor !== 'function') {
    throw new Error('onnxruntime-node binding: initOrt or binding.InferenceSession is missing');
  }
  const proto = (Ctor as { prototype: unknown }).prototype;
  for (const k of ['loadModel', 'run', 'dispose']) {
    if (!isFn(proto, k)) throw new Error(`onnxruntime-node binding: InferenceSession.${k} is missing`);
  }
  (mod.initOrt as () => void)();
  const session = new (Ctor as new () => NativeSession)();
  session.loadModel(bytes.buffer, bytes.byteOffset, bytes.byteLength, spec.options);
  const inputs = names(session.inputMetadata);
  const outputs = names(session.outputMetadata);
  if (
    inputs?.length !== 1 ||
    inputs[0] !== spec.input ||
    outputs?.length !== 1 ||
    outputs[0] !== spec.output
  ) {
    session.dispose();
    throw new Error(
      `onnxruntime-node binding: session metadata does not name ${spec.input} → ${spec.output} (found ${JSON.stringify(inputs)} → ${JSON.stringify(outputs)})`,
    );
  }
  const fetches = { [spec.output]: null };
  const runOptions = {};
  // Loaded on first use like the rest of onnxruntime (src/lazy.ts): a start without a model never loads it.
  const { Tensor } = ort();
  return {
    run(obs, n) {
      const feeds = { [spec.input]: new Tensor('float32', obs, [n, spec.inWidth]) };
      const out = (session.run(feeds, fetches, runOptions) as Record<string, unknown> | null)?.[spec.output];
      // backend.js accepts a Tensor or a plain { type, data, dims }: both carry `data`.
      const data = (out as { data?: unknown } | undefined)?.data;
      if (!(data instanceof Float32Array) || data.length !== n * spec.outWidth) {
        throw new Error(
          `onnxruntime-node binding: ${spec.output} is not ${n} × ${spec.outWidth} float32 scores`,
        );
      }
      return data;
    },
    dispose() {
      session.dispose();
    },
  };
}

/** Deterministic observations for the probe: zeros, small and large values of both signs. */
export function probeObservations(width: number, rows: number): Float32Array {
  const out = new Float32Array(width * rows);
  let s = 0x2f6b1d3;
  for (let i = width; i < out.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const u = s / 2 ** 32 - 0.5;
    // rows 1..: scale grows with the row, so saturations and large activations are exercised too
    out[i] = u * 2 * (1 + Math.floor(i / width));
  }
  return out;
}

/** Bit-for-bit equality (NaN equals NaN, +0 differs from -0). */
export function sameBits(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}
