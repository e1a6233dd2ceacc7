/** Training a policy from recorded book events: dataset, hindsight teacher, MLP trainer. */
export { type BookRecord, buildDataset, type Dataset, type DatasetOptions, type Sample } from './dataset.js';
export { createRng, type Rng } from './rng.js';
export { DEFAULT_TEACHER, type TeacherSettings, teacherAction } from './teacher.js';
export {
  labelDataset,
  type TrainOptions,
  type TrainReport,
  type TrainResult,
  train,
  trainToOnnx,
} from './train.js';
