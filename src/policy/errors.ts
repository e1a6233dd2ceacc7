/**
 * The policy actor's closed catalog of coded errors (planning/policy.md lists the same codes; a
 * test keeps the two equal).
 */

export const POLICY_ERROR_CODES = {
  POLICY_MODEL_UNREADABLE: 'the model file cannot be read or is not a valid ONNX model',
  POLICY_MODEL_INPUT: 'the model input is not "obs" float [N, 52]',
  POLICY_MODEL_OUTPUT: 'the model output is not "scores" float [N, 21]',
  POLICY_MODEL_FEATURE_VERSION: 'the model was trained on another feature_version',
  POLICY_MODEL_SPEC_HASH: 'the model declares another feature_spec_hash than this build',
  POLICY_MODEL_RELEASED: 'inference on a model whose session was released',
  POLICY_BAD_OBSERVATION: 'an observation is not 52 finite floats',
  POLICY_BAD_ACTION: 'an action is not an integer in 0..20',
  POLICY_BAD_SETTINGS: 'action or training settings are out of range',
  POLICY_BAD_DATASET: 'a dataset is empty or its rows do not match',
  POLICY_BAD_WEIGHTS: 'MLP weights do not chain from 52 inputs to 21 outputs',
} as const;

export type PolicyErrorCode = keyof typeof POLICY_ERROR_CODES;

export class PolicyError extends Error {
  readonly code: PolicyErrorCode;
  /** The field or item the error is about (e.g. "input obs", "feature_version"). */
  readonly field: string | undefined;

  constructor(code: PolicyErrorCode, message: string, options?: { field?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PolicyError';
    this.code = code;
    this.field = options?.field;
  }
}
