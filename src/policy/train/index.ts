/** Training a policy from recorded book events: dataset, hindsight teacher, MLP trainer. */
export { type BookRecord, buildDataset, type Dataset, type DatasetOptions, type Sample } from './dataset.js';
export { createRng, type Rng } from './rng.js';
export { DEFAULT_TEACHER, realizedValue, type TeacherSettings, teacherAction } from './teacher.js';
export { trainToOnnx, trainToOnnxAsync } from './to-onnx.js';
export {
  HOLD_MARGINS,
  labelDataset,
  type TrainOptions,
  type TrainProgress,
  type TrainReport,
  type TrainResult,
  train,
  trainAsync,
} from './train.js';
