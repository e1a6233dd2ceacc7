/**
 * Writes an MLP as an ONNX model (IR 8, opset 17): input "obs" float [N, 52], hidden layers
 * Gemm(transB=1) + Relu, last layer Gemm, output "scores" float [N, 21]. metadata_props carry
 * feature_version, feature_spec_hash, action_space and a description, which the loader checks.
 *
 * The bytes are a pure function of the weights and the options: no timestamp, no random id, so
 * the same training run writes the same file (and the same sha256).
 */
import { ACTION_COUNT, ACTION_SPACE_VERSION } from '../actions.js';
import { FEATURE_COUNT, FEATURE_SPEC_HASH, FEATURE_VERSION } from '../spec.js';
import { checkMlp, type MlpWeights } from './mlp.js';
import { ATTR_INT, IR_VERSION, modelProto, ONNX_FLOAT, OPSET_VERSION } from './proto.js';

export const INPUT_NAME = 'obs';
export const OUTPUT_NAME = 'scores';
export const BATCH_DIM = 'N';

export interface WriteOptions {
  readonly description: string;
  /** Extra metadata_props (e.g. training seed, dataset digest); the reserved keys cannot be overridden. */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Overrides for tests that need a model declaring something else. */
  readonly featureVersion?: string;
  readonly featureSpecHash?: string;
  /** Writes layers that do not chain 52 → 21 as they are (tests of the loader's refusals). */
  readonly skipChecks?: boolean;
}

/** Little-endian float32 bytes of a Float32Array. */
function rawFloats(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
  return out;
}

function tensorValueInfo(name: string, width: number) {
  return {
    name,
    type: {
      tensor_type: {
        elem_type: ONNX_FLOAT,
        shape: { dim: [{ dim_param: BATCH_DIM }, { dim_value: width }] },
      },
    },
  };
}

/** The .onnx bytes of an MLP policy. */
export function writeMlpOnnx(weights: MlpWeights, options: WriteOptions): Uint8Array {
  if (!options.skipChecks) checkMlp(weights);
  const inputWidth = weights.layers[0]?.inputs ?? FEATURE_COUNT;
  const nodes: object[] = [];
  const initializers: object[] = [];
  let prev = INPUT_NAME;
  weights.layers.forEach((l, k) => {
    const last = k === weights.layers.length - 1;
    const w = `layer${k}.weight`;
    const b = `layer${k}.bias`;
    initializers.push({
      name: w,
      data_type: ONNX_FLOAT,
      dims: [l.outputs, l.inputs],
      raw_data: rawFloats(l.weight),
    });
    initializers.push({ name: b, data_type: ONNX_FLOAT, dims: [l.outputs], raw_data: rawFloats(l.bias) });
    const gemmOut = last ? OUTPUT_NAME : `layer${k}.gemm`;
    nodes.push({
      name: `layer${k}.Gemm`,
      op_type: 'Gemm',
      input: [prev, w, b],
      output: [gemmOut],
      attribute: [{ name: 'transB', type: ATTR_INT, i: 1 }],
    });
    if (!last) {
      const reluOut = `layer${k}.relu`;
      nodes.push({ name: `layer${k}.Relu`, op_type: 'Relu', input: [gemmOut], output: [reluOut] });
      prev = reluOut;
    }
  });
  const outputWidth = weights.layers[weights.layers.length - 1]?.outputs ?? ACTION_COUNT;
  const reserved: Record<string, string> = {
    feature_version: options.featureVersion ?? FEATURE_VERSION,
    feature_spec_hash: options.featureSpecHash ?? FEATURE_SPEC_HASH,
    action_space: ACTION_SPACE_VERSION,
    description: options.description,
  };
  const extra = Object.entries(options.metadata ?? {}).filter(([k]) => !(k in reserved));
  const metadata = [...Object.entries(reserved), ...extra.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))];
  const model = {
    ir_version: IR_VERSION,
    producer_name: 'traderv3',
    producer_version: '1',
    model_version: 1,
    doc_string: options.description,
    opset_import: [{ domain: '', version: OPSET_VERSION }],
    graph: {
      name: 'traderv3_policy',
      node: nodes,
      initializer: initializers,
      input: [tensorValueInfo(INPUT_NAME, inputWidth)],
      output: [tensorValueInfo(OUTPUT_NAME, outputWidth)],
    },
    metadata_props: metadata.map(([key, value]) => ({ key, value })),
  };
  const type = modelProto();
  return type.encode(type.fromObject(model)).finish();
}
