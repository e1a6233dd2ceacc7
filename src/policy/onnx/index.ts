/** Writing, loading and running ONNX policy models. */
export { checkMlp, type DenseLayer, forwardMlp, type MlpWeights, mlpSize } from './mlp.js';
export {
  type InferResult,
  type LatencySummary,
  type LoadOptions,
  loadPolicyModel,
  PolicyModel,
} from './model.js';
export {
  type InferencePath,
  type NativeLoader,
  type NativeModule,
  ORT_PINNED_VERSION,
} from './native.js';
export { type DecodedModel, type DecodedValueInfo, decodeModel } from './proto.js';
export { INPUT_NAME, OUTPUT_NAME, type WriteOptions, writeMlpOnnx } from './writer.js';
