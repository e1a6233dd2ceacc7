/**
 * `traderv3 train-edge`: trains the edge classifier (P(the recommended leg is profitable at
 * settlement)) and writes it as ONNX. Reproducible: the same rows give the same bytes.
 *   --sim-seeds A-B    rows from virtual-time simulator scenarios (strategy/edge-scenario.ts,
 *                      the `signals` variant: every evaluation that reached the classifier gate)
 *   --data-dir DIR     rows from the record (DATABASE_URL, else PGlite in DIR): edge decisions
 *                      that recommended a leg, labelled with the market's determined result
 *   --out FILE         default models/edge.onnx
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { DEFAULT_EDGE_MODEL } from '../config/edge.js';
import { DEFAULTS } from '../config/index.js';
import { featureVector, predictLogistic, profitableAtSettlement, trainLogistic } from '../edge/index.js';
import { createRepositories, migrate, openDatabase } from '../persistence/index.js';
import { runEdgeScenario, type ScenarioSample, writeEdgeModel } from '../strategy/index.js';
import { guarded, subcommand } from './options.js';
import { createProgress, type Progress, type ProgressStream } from './progress.js';

interface TrainOptions {
  simSeeds?: string;
  dataDir?: string;
  out: string;
}

function seedRange(text: string): number[] {
  const m = /^(\d+)-(\d+)$/.exec(text) ?? /^(\d+)$/.exec(text);
  const a = Number(m?.[1]);
  const b = Number(m?.[2] ?? m?.[1]);
  if (!m || b < a || b - a > 200)
    throw new Error(`--sim-seeds: expected A-B (at most 200 seeds), got ${JSON.stringify(text)}`);
  return Array.from({ length: b - a + 1 }, (_, i) => a + i);
}

async function fromRecord(dataDir: string): Promise<ScenarioSample[]> {
  const database = await openDatabase({ url: process.env.DATABASE_URL?.trim() || undefined, dataDir });
  try {
    await migrate(database);
    const repo = createRepositories(database).edge;
    const results = await repo.results();
    const out: ScenarioSample[] = [];
    for (const s of await repo.signals()) {
      const ticker = String(s.details.ticker ?? '');
      const side = s.details.recommended_side;
      const result = results.get(ticker);
      if (!result || (side !== 'yes' && side !== 'no') || typeof s.features.taker_price !== 'number')
        continue;
      out.push({
        features: s.features,
        label: profitableAtSettlement((result === 'yes') === (side === 'yes'), s.features.taker_price),
      });
    }
    return out;
  } finally {
    await database.close();
  }
}

/** The `signals` rows of a simulator scenario per seed, in seed order; a tick of `progress` per seed. */
export async function fromScenarios(
  seeds: readonly number[],
  o: {
    log: (t: string) => void;
    progress: Pick<Progress, 'tick' | 'stop'>;
    run?: (seed: number) => Promise<{ samples: ScenarioSample[] }>;
  },
): Promise<ScenarioSample[]> {
  const run = o.run ?? ((seed: number) => runEdgeScenario({ seed, variant: 'signals' }));
  const samples: ScenarioSample[] = [];
  try {
    for (const seed of seeds) {
      const r = await run(seed);
      samples.push(...r.samples);
      o.log(`seed ${seed}: ${r.samples.length} rows\n`);
      o.progress.tick();
    }
  } finally {
    o.progress.stop();
  }
  return samples;
}

export async function runTrainEdge(
  o: TrainOptions,
  log: (t: string) => void,
  progressStream?: ProgressStream,
): Promise<number> {
  let samples: ScenarioSample[] = [];
  let source = '';
  if (o.simSeeds) {
    const seeds = seedRange(o.simSeeds);
    // A scenario per seed is the long part (tens of seconds each): progress over them on stderr.
    const progress = createProgress({
      label: 'train-edge',
      total: seeds.length,
      ...(progressStream ? { stream: progressStream } : {}),
    });
    samples = await fromScenarios(seeds, { log, progress });
    source = `sim seeds ${o.simSeeds}`;
  } else {
    samples = await fromRecord(o.dataDir ?? DEFAULTS.dataDir);
    source = `record ${o.dataDir ?? DEFAULTS.dataDir}`;
  }
  if (samples.length < 20)
    throw new Error(`only ${samples.length} labelled rows (need 20): trade longer or add seeds`);
  const xs = samples.map((s) => featureVector(s.features));
  const ys = samples.map((s) => s.label);
  const model = trainLogistic(xs, ys);
  const correct = xs.filter((x, i) => (predictLogistic(model, x) >= 0.5 ? 1 : 0) === ys[i]).length;
  const digest = createHash('sha256')
    .update(JSON.stringify([xs, ys]))
    .digest('hex');
  const bytes = writeEdgeModel(model, {
    trackRecord: samples.length,
    description: `traderv3 edge classifier: logistic regression on ${samples.length} rows (${source})`,
    metadata: { source, rows: String(samples.length), dataset_sha256: digest },
  });
  writeFileSync(o.out, bytes);
  log(
    `${JSON.stringify({
      event: 'trained',
      out: o.out,
      rows: samples.length,
      positives: ys.filter((y) => y === 1).length,
      train_accuracy: correct / samples.length,
      dataset_sha256: digest,
      model_sha256: createHash('sha256').update(bytes).digest('hex'),
    })}\n`,
  );
  return 0;
}

export function registerTrainEdge(program: Command): void {
  subcommand(program, 'train-edge')
    .description(
      'train the edge classifier from simulator scenarios or the recorded decisions and settlements',
    )
    .option('--sim-seeds <a-b>', 'train on virtual-time simulator scenarios with these seeds')
    .option('--data-dir <dir>', 'train on the record in this data folder (or DATABASE_URL)')
    .option('--out <file>', 'where to write the ONNX model', DEFAULT_EDGE_MODEL)
    .action((o: TrainOptions) => guarded(() => runTrainEdge(o, (t) => process.stdout.write(t))));
}
