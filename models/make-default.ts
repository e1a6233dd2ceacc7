/**
 * Makes models/policy.onnx: a simulator book stream (sim-stream.ts) → buildDataset → train →
 * ONNX, all seeded. Prints the report and the model's sha256 (models/README.md records them).
 *
 *   npx tsx models/make-default.ts [--out models/policy.onnx] [--seed 1] [--steps 40000]
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { buildDataset, trainToOnnx } from '../src/policy/index.js';
import { simBookStream } from './sim-stream.js';

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: 'models/policy.onnx' },
    seed: { type: 'string', default: '1' },
    steps: { type: 'string', default: '40000' },
    epochs: { type: 'string', default: '6' },
    hidden: { type: 'string', default: '32,32' },
  },
});
const seed = Number(values.seed);
const steps = Number(values.steps);
const t0 = performance.now();
const records = await simBookStream({ seed, steps });
const dataset = buildDataset(records, { seed, horizon: 10 });
const t1 = performance.now();
const { bytes, report } = trainToOnnx(dataset, {
  seed,
  epochs: Number(values.epochs),
  hidden: values.hidden.split(',').map(Number),
});
const t2 = performance.now();
writeFileSync(values.out, bytes);
const sha = createHash('sha256').update(bytes).digest('hex');
console.log(
  JSON.stringify(
    {
      records: records.length,
      ...report,
      lossByEpoch: report.lossByEpoch.map((l) => Number(l.toFixed(4))),
      datasetSeconds: Number(((t1 - t0) / 1000).toFixed(1)),
      trainSeconds: Number(((t2 - t1) / 1000).toFixed(1)),
      out: values.out,
      bytes: bytes.length,
      sha256: sha,
    },
    null,
    2,
  ),
);
