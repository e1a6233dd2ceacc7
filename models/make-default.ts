/**
 * Makes models/policy.onnx the way `traderv3 train` makes any model: simulator book streams
 * (sim-stream.ts, simulated clock, one seed each) are written into a fresh record as sessions, then
 * `runTrain` trains on the training sessions and evaluates on the held-out ones (other seeds) in
 * replay against HOLD, random and hardcoded. Prints the table and the train JSON line.
 *
 *   npx tsx models/make-default.ts [--out models/policy.onnx] [--seed 1] [--steps 12000]
 *        [--train-seeds 1,2,3] [--eval-seeds 7,8,9,10] [--epochs 6] [--hidden 32,32] [--horizon 200]
 *        [--class-weights balanced]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runTrain } from '../src/cli/train.js';
import { migrate, openDatabase } from '../src/persistence/index.js';
import { recordStream } from '../src/replay/index.js';
import { simBookStream } from './sim-stream.js';

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: 'models/policy.onnx' },
    seed: { type: 'string', default: '1' },
    steps: { type: 'string', default: '12000' },
    'train-seeds': { type: 'string', default: '1,2,3' },
    'eval-seeds': { type: 'string', default: '7,8,9,10' },
    epochs: { type: 'string', default: '6' },
    hidden: { type: 'string', default: '32,32' },
    horizon: { type: 'string', default: '200' },
    'class-weights': { type: 'string', default: 'balanced' },
  },
});
const steps = Number(values.steps);
const dataDir = mkdtempSync(join(tmpdir(), 'tv3-make-default-'));
try {
  const database = await openDatabase({ dataDir });
  const record = async (seeds: string) => {
    const ids: string[] = [];
    for (const seed of seeds.split(',').map(Number)) {
      const records = await simBookStream({ seed, steps });
      // A session id fixed by the seed: the ids go into the model's description, so a random one
      // would change the model's bytes from run to run.
      const id = `00000000-0000-4000-8000-${String(seed).padStart(12, '0')}`;
      ids.push(await recordStream(database, records, { id, config: { strategy: 'none', sim: { seed } } }));
    }
    return ids;
  };
  let train: string[];
  let held: string[];
  try {
    await migrate(database);
    train = await record(values['train-seeds']);
    held = await record(values['eval-seeds']);
  } finally {
    await database.close();
  }
  await runTrain({
    sessions: train.join(','),
    evalSessions: held.join(','),
    out: values.out,
    seed: values.seed,
    epochs: values.epochs,
    hidden: values.hidden,
    horizon: values.horizon,
    classWeights: values['class-weights'],
    dataDir,
  });
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
