/** The trained policy as ONNX bytes, with the training's provenance in the model's metadata. */
import { DEFAULT_ACTION_SETTINGS } from '../actions.js';
import { writeMlpOnnx } from '../onnx/writer.js';
import type { Dataset } from './dataset.js';
import { DEFAULT_TEACHER } from './teacher.js';
import { type TrainOptions, type TrainProgress, type TrainResult, train, trainAsync } from './train.js';

type OnnxOptions = TrainOptions & { readonly description?: string };

/** Trains and writes the ONNX model, with the training's provenance in its metadata. */
export function trainToOnnx(
  dataset: Dataset,
  options: OnnxOptions,
): TrainResult & { readonly bytes: Uint8Array } {
  return withOnnx(train(dataset, options), dataset, options);
}

/** `trainToOnnx` through `trainAsync`: the same bytes. */
export async function trainToOnnxAsync(
  dataset: Dataset,
  options: OnnxOptions,
  onProgress?: (p: TrainProgress) => void,
): Promise<TrainResult & { readonly bytes: Uint8Array }> {
  return withOnnx(await trainAsync(dataset, options, onProgress), dataset, options);
}

function withOnnx(
  result: TrainResult,
  dataset: Dataset,
  options: OnnxOptions,
): TrainResult & { readonly bytes: Uint8Array } {
  const r = result.report;
  const settings = options.actionSettings ?? DEFAULT_ACTION_SETTINGS;
  const teacher = options.teacher ?? DEFAULT_TEACHER;
  const bytes = writeMlpOnnx(result.weights, {
    description:
      options.description ??
      `traderv3 policy: behaviour cloning of a hindsight teacher (horizon ${dataset.horizon} updates)`,
    metadata: {
      train_method: 'behaviour-cloning/hindsight-teacher',
      train_seed: String(options.seed),
      train_epochs: String(options.epochs),
      train_hidden: r.hidden.join(','),
      train_class_weighting: options.classWeighting ?? 'sqrt',
      train_samples: String(r.samples),
      train_horizon: String(dataset.horizon),
      train_min_edge: String(teacher.minEdge),
      train_teacher: 'round-trip-taker-fees-rounded',
      hold_margin_entry: String(r.entryMargin),
      hold_margin_exit: String(r.exitMargin),
      contract_size: String(settings.contractSize),
      dataset_sha256: r.datasetSha256,
    },
  });
  return { ...result, bytes };
}
