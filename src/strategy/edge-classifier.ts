/**
 * The edge classifier as an ONNX model: written with the policy's ONNX writer (one Gemm, F → 1:
 * the logistic regression's logit; src/edge/classifier.ts folds the standardization into it) and
 * run with onnxruntime-node; P = σ(logit). metadata_props carry the feature version, the feature
 * list and the resolved trades behind it; the loader refuses a model declaring another feature
 * list, naming the mismatch.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { EDGE_FEATURE_VERSION, EDGE_FEATURES, featureVector, type LogisticModel } from '../edge/index.js';
import { lazyPackage } from '../lazy.js';
import { decodeModel, INPUT_NAME, OUTPUT_NAME, writeMlpOnnx } from '../policy/index.js';
import type { EdgeClassifier } from './edge-decide.js';

// Loaded with the first classifier, not at every start (src/lazy.ts).
const ort = lazyPackage<typeof import('onnxruntime-node')>('onnxruntime-node');

export const EDGE_FEATURE_LIST = EDGE_FEATURES.join(',');

export function writeEdgeModel(
  model: LogisticModel,
  info: {
    readonly trackRecord: number;
    readonly description: string;
    readonly metadata?: Record<string, string>;
  },
): Uint8Array {
  const width = EDGE_FEATURES.length;
  return writeMlpOnnx(
    {
      layers: [
        {
          inputs: width,
          outputs: 1,
          weight: Float32Array.from(model.weights),
          bias: Float32Array.from([model.bias]),
        },
      ],
    },
    {
      description: info.description,
      featureVersion: EDGE_FEATURE_VERSION,
      featureSpecHash: createHash('sha256').update(EDGE_FEATURE_LIST).digest('hex'),
      skipChecks: true,
      metadata: {
        ...info.metadata,
        edge_features: EDGE_FEATURE_LIST,
        track_record: String(info.trackRecord),
      },
    },
  );
}

export class EdgeModelError extends Error {
  readonly code = 'EDGE_MODEL_INVALID';
  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    super(`edge classifier ${file}: ${problem}`, options);
    this.name = 'EdgeModelError';
  }
}

/** Loads an edge classifier model file (or bytes) into an onnxruntime session. */
export async function loadEdgeClassifier(
  source: string | Uint8Array,
): Promise<EdgeClassifier & { close(): Promise<void> }> {
  const label = typeof source === 'string' ? source : '(bytes)';
  let bytes: Uint8Array;
  try {
    bytes = typeof source === 'string' ? readFileSync(source) : source;
  } catch (e) {
    throw new EdgeModelError(label, `cannot be read (${(e as Error).message})`, { cause: e });
  }
  let meta: Readonly<Record<string, string>>;
  try {
    meta = decodeModel(bytes).metadata;
  } catch (e) {
    throw new EdgeModelError(label, `is not an ONNX model (${(e as Error).message})`, { cause: e });
  }
  if (meta.feature_version !== EDGE_FEATURE_VERSION || meta.edge_features !== EDGE_FEATURE_LIST) {
    throw new EdgeModelError(
      label,
      `declares features ${meta.feature_version ?? '(none)'} [${meta.edge_features ?? ''}], this build reads ${EDGE_FEATURE_VERSION} [${EDGE_FEATURE_LIST}]`,
    );
  }
  const trackRecord = Number(meta.track_record ?? '0');
  const session = await ort().InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const hash = createHash('sha256').update(bytes).digest('hex');
  return {
    hash,
    trackRecord: Number.isFinite(trackRecord) ? trackRecord : 0,
    async predict(features) {
      const x = Float32Array.from(featureVector(features));
      const out = await session.run({
        [INPUT_NAME]: new (ort().Tensor)('float32', x, [1, EDGE_FEATURES.length]),
      });
      const logit = (out[OUTPUT_NAME]?.data as Float32Array | undefined)?.[0] ?? Number.NaN;
      return 1 / (1 + Math.exp(-logit));
    },
    close: () => session.release(),
  };
}
