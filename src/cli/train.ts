/**
 * `traderv3 train --sessions A,B,… --out FILE.onnx [--seed N] [--eval-sessions C,…]`: recorded
 * sessions → dataset (buildDataset: the record's book stream through the live observation builder)
 * → behaviour cloning of the hindsight teacher (planning/policy.md) → ONNX. The same sessions and
 * seed give the same bytes. With --eval-sessions, the new model is replayed on those held-out
 * sessions next to the baselines (HOLD, random, hardcoded), one table. The last stdout line is
 *   {"event":"train","out":…,"sha256":…,"samples":N,…,"evaluation":[{strategy,net_pnl_dollars,…}]}
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { type Command, CommanderError } from 'commander';
import { formatDollars } from '../kalshi/index.js';
import { buildDataset, type Dataset, type Sample, trainToOnnxAsync } from '../policy/train/index.js';
import {
  RESULT_HEADERS,
  type RecordedSession,
  type ReplayResult,
  type ReplaySettings,
  randomPolicy,
  replaySession,
  resultRow,
} from '../replay/index.js';
import { dataDirOption, guarded, subcommand } from './options.js';
import { type ProgressStream, progressOnFirstUpdate } from './progress.js';
import { readSession } from './replay.js';
import { table } from './report.js';

export interface TrainCliOptions {
  sessions: string;
  out: string;
  seed?: string;
  epochs?: string;
  hidden?: string;
  horizon?: string;
  /** How classes are weighted in the loss: sqrt (default), balanced or none. */
  classWeights?: string;
  evalSessions?: string;
  dataDir: string;
}

const list = (raw: string | undefined) =>
  (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

function int(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new CommanderError(
      2,
      'train.bad_option',
      `${name}: expected an integer in ${min}..${max}, got "${raw}"`,
    );
  return n;
}

/** One dataset from several sessions: each built on its own (its books and histories), in order. */
export function datasetOf(sessions: readonly RecordedSession[], seed: number, horizon: number): Dataset {
  const samples: Sample[] = [];
  sessions.forEach((s, i) => {
    samples.push(...buildDataset(s.records, { seed: seed + i, horizon }).samples);
  });
  return { samples, horizon };
}

/** Sums a strategy's results over sessions (drawdown: the worst; Sharpe: not summed). */
function combine(results: readonly ReplayResult[]): ReplayResult {
  const closes = results.reduce((s, r) => s + r.closes, 0);
  const wins = results.reduce((s, r) => s + (r.winRate ?? 0) * r.closes, 0);
  const worst = results.reduce((w, r) => (r.maxDrawdown > w.maxDrawdown ? r : w), results[0]!);
  return {
    netPnl: results.reduce((s, r) => s + r.netPnl, 0),
    realized: results.reduce((s, r) => s + r.realized, 0),
    fees: results.reduce((s, r) => s + r.fees, 0),
    trades: results.reduce((s, r) => s + r.trades, 0),
    closes,
    winRate: closes > 0 ? wins / closes : undefined,
    maxDrawdown: worst.maxDrawdown,
    maxDrawdownBps: worst.maxDrawdownBps,
    sharpeHourly: results.length === 1 ? results[0]!.sharpeHourly : undefined,
    hours: results.reduce((s, r) => s + r.hours, 0),
  };
}

/** Replays the held-out sessions with the model and the baselines: one row per strategy. */
export async function evaluate(
  sessions: readonly RecordedSession[],
  model: string,
  seed: number,
  onReplayed: (done: number, total: number) => void = () => {},
): Promise<Array<{ name: string; result: ReplayResult }>> {
  const contenders: Array<{ name: string; settings: ReplaySettings }> = [
    { name: 'policy (trained)', settings: { strategy: 'policy', model } },
    { name: 'hold', settings: { strategy: 'none' } },
    { name: `random (seed ${seed})`, settings: { strategy: 'policy', prepare: randomPolicy(seed) } },
    { name: 'hardcoded', settings: { strategy: 'hardcoded' } },
  ];
  const rows = [];
  let done = 0;
  for (const c of contenders) {
    const results = [];
    // The actor trades every market it sees in evaluation (the live default, hot, would pick one).
    for (const s of sessions) {
      results.push((await replaySession(s, { marketMode: 'all', ...c.settings })).result);
      onReplayed(++done, contenders.length * sessions.length);
    }
    rows.push({ name: c.name, result: combine(results) });
  }
  return rows;
}

export async function runTrain(
  o: TrainCliOptions,
  print: (t: string) => void = (t) => process.stdout.write(t),
  progressStream?: ProgressStream,
) {
  const ids = list(o.sessions);
  if (ids.length === 0)
    throw new CommanderError(2, 'train.bad_option', '--sessions: give at least one session id');
  const seed = int('--seed', o.seed, 1, 0, 2 ** 31 - 1);
  const epochs = int('--epochs', o.epochs, 6, 1, 1000);
  const horizon = int('--horizon', o.horizon, 10, 1, 10_000);
  const hidden = list(o.hidden ?? '32,32').map((h) => int('--hidden', h, 32, 1, 4096));
  const classWeighting = o.classWeights ?? 'sqrt';
  if (classWeighting !== 'sqrt' && classWeighting !== 'balanced' && classWeighting !== 'none')
    throw new CommanderError(
      2,
      'train.bad_option',
      `--class-weights: expected sqrt, balanced or none, got "${classWeighting}"`,
    );
  const sessions = [];
  for (const id of ids) sessions.push(await readSession(o.dataDir, id));
  const dataset = datasetOf(sessions, seed, horizon);
  // Progress on stderr (a bar at a terminal): stdout carries the result lines.
  const stream = progressStream ? { stream: progressStream } : {};
  const progress = progressOnFirstUpdate({ label: 'train', ...stream });
  const { bytes, report } = await trainToOnnxAsync(
    dataset,
    {
      seed,
      epochs,
      hidden,
      classWeighting,
      description: `traderv3 policy: behaviour cloning of a hindsight teacher on sessions ${sessions.map((s) => s.id).join(',')}`,
    },
    (p) => {
      progress.update(p.batches, p.totalBatches, `epoch ${p.epoch + 1}/${epochs}`);
    },
  ).finally(progress.stop);
  writeFileSync(o.out, bytes);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const evalIds = list(o.evalSessions);
  let evaluation: Array<{ name: string; result: ReplayResult }> = [];
  if (evalIds.length > 0) {
    const held = [];
    for (const id of evalIds) held.push(await readSession(o.dataDir, id));
    const replays = progressOnFirstUpdate({ label: 'evaluate', ...stream });
    evaluation = await evaluate(held, o.out, seed, replays.update).finally(replays.stop);
    print(
      table(
        RESULT_HEADERS,
        evaluation.map((e) => resultRow(e.name, e.result)),
      ),
    );
  }
  const line = {
    event: 'train',
    out: o.out,
    sha256,
    bytes: bytes.length,
    sessions: sessions.map((s) => s.id),
    samples: report.samples,
    dataset_sha256: report.datasetSha256,
    validation_accuracy: report.validationAccuracy,
    validation_hold_share: report.validationHoldShare,
    teacher_trades: report.validationTeacherTrades,
    policy_trades: report.validationPolicyTrades,
    hold_margin_entry: report.entryMargin,
    hold_margin_exit: report.exitMargin,
    validation_teacher_dollars: report.validationTeacherDollars,
    validation_value_by_margin: report.validationValueByMargin,
    evaluation: evaluation.map((e) => ({
      strategy: e.name,
      net_pnl_dollars: formatDollars(e.result.netPnl),
      fees_dollars: formatDollars(e.result.fees),
      trades: e.result.trades,
      win_rate: e.result.winRate ?? null,
      max_drawdown_dollars: formatDollars(e.result.maxDrawdown),
    })),
  };
  print(`${JSON.stringify(line)}\n`);
  return { sha256, report, evaluation };
}

export function registerTrain(program: Command): void {
  subcommand(program, 'train')
    .description('train a policy (ONNX) from recorded sessions; evaluate it in replay on held-out sessions')
    .requiredOption('--sessions <ids>', 'comma-separated session ids (or unique prefixes) to train on')
    .requiredOption('--out <file.onnx>', 'where to write the model')
    .option('--seed <n>', 'training seed (default 1): same sessions + seed → same model bytes')
    .option('--epochs <n>', 'epochs (default 6)')
    .option('--hidden <widths>', 'hidden layer widths (default 32,32)')
    .option('--horizon <updates>', "the teacher's look-ahead in book updates (default 10)")
    .option('--class-weights <kind>', 'class weights in the loss: sqrt (default), balanced or none')
    .option('--eval-sessions <ids>', 'held-out sessions: replay the model against HOLD, random and hardcoded')
    .addOption(dataDirOption())
    .action((o: TrainCliOptions) =>
      guarded(async () => {
        await runTrain(o);
        return 0;
      }),
    );
}
