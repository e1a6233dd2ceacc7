/**
 * `traderv3 train` over recorded sessions: simulator streams written into a fresh record as
 * sessions, trained twice with the same seed (same model bytes, so the same sha256) and once with
 * another (different bytes); the held-out evaluation replays the model and the three baselines.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { simBookStream } from '../../models/sim-stream.js';
import { runTrain } from '../../src/cli/train.js';
import { migrate, openDatabase } from '../../src/persistence/index.js';
import { loadPolicyModel } from '../../src/policy/index.js';
import { recordStream } from '../../src/replay/index.js';

const dir = mkdtempSync(join(tmpdir(), 'tv3-train-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('traderv3 train', () => {
  it('makes the same model from the same sessions and seed, and evaluates it on held-out sessions', async () => {
    const dataDir = join(dir, 'data');
    const database = await openDatabase({ dataDir });
    const ids: string[] = [];
    try {
      await migrate(database);
      for (const seed of [11, 12, 13]) {
        const records = await simBookStream({ seed, steps: 2_500, markets: 3 });
        ids.push(await recordStream(database, records, { config: { strategy: 'none' } }));
      }
    } finally {
      await database.close();
    }
    const quiet = () => undefined;
    const opts = { sessions: `${ids[0]},${ids[1]}`, dataDir, epochs: '2', hidden: '16' };
    const a = await runTrain({ ...opts, out: join(dir, 'a.onnx'), seed: '5' }, quiet);
    const b = await runTrain({ ...opts, out: join(dir, 'b.onnx'), seed: '5', evalSessions: ids[2] }, quiet);
    const c = await runTrain({ ...opts, out: join(dir, 'c.onnx'), seed: '6' }, quiet);
    expect(readFileSync(join(dir, 'b.onnx')).equals(readFileSync(join(dir, 'a.onnx')))).toBe(true);
    expect(b.sha256).toBe(a.sha256);
    expect(c.sha256).not.toBe(a.sha256);
    expect(a.report.samples).toBeGreaterThan(1_000);
    // The written model is one the actor accepts.
    const model = await loadPolicyModel(join(dir, 'a.onnx'));
    expect(model.sha256).toBe(a.sha256);
    expect(model.metadata.train_class_weighting).toBe('sqrt');
    await model.release();
    // --class-weights: another loss, other bytes, declared in the metadata; a bad value is refused.
    const d = await runTrain(
      { ...opts, out: join(dir, 'd.onnx'), seed: '5', classWeights: 'balanced' },
      quiet,
    );
    expect(d.sha256).not.toBe(a.sha256);
    const balanced = await loadPolicyModel(join(dir, 'd.onnx'));
    expect(balanced.metadata.train_class_weighting).toBe('balanced');
    await balanced.release();
    await expect(
      runTrain({ ...opts, out: join(dir, 'e.onnx'), seed: '5', classWeights: 'even' }, quiet),
    ).rejects.toThrow('--class-weights: expected sqrt, balanced or none, got "even"');
    expect(b.evaluation.map((e) => e.name)).toEqual([
      'policy (trained)',
      'hold',
      'random (seed 5)',
      'hardcoded',
    ]);
    const hold = b.evaluation.find((e) => e.name === 'hold')!.result;
    expect(hold.trades).toBe(0);
    expect(b.evaluation.find((e) => e.name === 'hardcoded')!.result.trades).toBeGreaterThan(0);
  }, 300_000);
});
