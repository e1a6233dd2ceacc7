/**
 * End to end: `traderv3 start --env sim --strategy policy` as a child process. The policy trades on
 * the embedded simulator and every one of its decisions in the record carries the model's sha256,
 * the feature_version, the 52 features, the 21 scores and the mask; a model whose declared
 * feature_version does not match is refused at start (exit 2), naming both versions.
 *
 * Live-vs-replay parity (seed 003's training/serving check): `traderv3 replay` of the recorded
 * session re-evaluates at the same moments (the record's receivedMs; same triggers, same throttle)
 * and builds the same observations. Every live observation has its replay twin with identical book
 * and temporal features; wherever the portfolio features agree too (the replay venue answers at
 * once, the simulator over a socket, so an order can be in flight live and done in replay), the
 * whole vector, the mask and the model's 21 scores are identical.
 *
 * The model here is written by the test so that it surely trades (buy one YES when flat, sell it
 * when held): what is under test is the actor's plumbing, not the shipped model's judgement.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/persistence/index.js';
import {
  ACTION_COUNT,
  actionIndex,
  FEATURE_COUNT,
  FEATURE_SPEC,
  FEATURE_VERSION,
  writeMlpOnnx,
} from '../../src/policy/index.js';
import { loadSession, replaySession } from '../../src/replay/index.js';
import { spawnTrader, type TraderProcess } from './harness.js';

const running: TraderProcess[] = [];
const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'tv3-policy-e2e-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const t of running.splice(0)) t.kill();
});
afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** One linear layer with constant scores: sell_yes ×1 > buy_yes ×1 > HOLD > everything else. */
function flipperModel(featureVersion?: string): Uint8Array {
  const bias = new Float32Array(ACTION_COUNT).fill(-5);
  bias[0] = 0;
  bias[actionIndex('buy_yes', 0)] = 1;
  bias[actionIndex('sell_yes', 0)] = 2;
  return writeMlpOnnx(
    {
      layers: [
        {
          inputs: FEATURE_COUNT,
          outputs: ACTION_COUNT,
          weight: new Float32Array(FEATURE_COUNT * ACTION_COUNT),
          bias,
        },
      ],
    },
    { description: 'e2e flipper', ...(featureVersion ? { featureVersion } : {}) },
  );
}

describe('traderv3 start --strategy policy', () => {
  it('trades on the simulator and records model hash, feature_version, features, scores and mask', async () => {
    const dir = tempDir();
    const bytes = flipperModel();
    const model = join(dir, 'flipper.onnx');
    writeFileSync(model, bytes);
    const sha = createHash('sha256').update(bytes).digest('hex');
    const dataDir = join(dir, 'data');
    const t = spawnTrader([
      'start',
      '--env',
      'sim',
      '--strategy',
      'policy',
      '--model',
      model,
      '--actor-market-mode',
      'all',
      '--duration',
      '20',
      '--markets',
      '2',
      '--data-dir',
      dataDir,
    ]);
    running.push(t);
    // Stopped (gracefully) once it has bought and sold at the exchange and seen a fill, or after
    // --duration.
    const sent = (side: string) => t.lines.some((l) => l.event === 'order' && l.order_id && l.side === side);
    const code = await t.stopWhen(
      () => sent('buy YES') && sent('sell YES') && t.lines.some((l) => l.event === 'fill'),
    );
    expect(code, t.tail()).toBe(0);
    const summary = t.lines[t.lines.length - 1]!;
    expect(summary.event, t.tail()).toBe('summary');
    expect(Number(summary.fills), t.tail()).toBeGreaterThan(0);

    const database = await openDatabase({ dataDir });
    try {
      const rows = await database.query<{
        action: string;
        reason: string;
        features: Record<string, number> | null;
        features_hash: string | null;
        model_hash: string | null;
        model_output: { output: number[]; featureVersion: string; mask: string } | null;
        client_order_id: string | null;
      }>(
        `select action, reason, features, features_hash, model_hash, model_output, client_order_id
           from decisions where strategy = 'policy' order by at`,
      );
      const evaluated = rows.filter((r) => r.model_hash !== null);
      expect(evaluated.length).toBeGreaterThan(0);
      for (const r of evaluated) {
        expect(r.model_hash).toBe(sha);
        expect(r.model_output?.featureVersion).toBe(FEATURE_VERSION);
        expect(r.model_output?.output).toHaveLength(ACTION_COUNT);
        expect(r.model_output?.mask).toMatch(/^1[01]{20}$/);
        expect(Object.keys(r.features ?? {})).toHaveLength(FEATURE_COUNT);
        expect(r.features_hash).toMatch(/^[0-9a-f]{64}$/);
      }
      const traded = evaluated.filter((r) => r.action === 'trade' && r.client_order_id !== null);
      expect(traded.map((r) => r.reason)).toEqual(
        expect.arrayContaining(['policy:buy_yes_x1', 'policy:sell_yes_x1']),
      );
      const sent = await database.query<{ n: number }>(
        `select count(*)::int as n from orders where strategy = 'policy' and order_id is not null`,
      );
      expect(sent[0]!.n).toBeGreaterThan(0);

      // ---- parity: replay the recorded session with the same model and settings ----
      const sessionId = String(t.lines.find((l) => l.event === 'record')?.session);
      const replayed = await replaySession(await loadSession(database, sessionId));
      const twin = new Map<string, (typeof replayed.decisions)[number]>();
      for (const d of replayed.decisions)
        if (d.model?.observedAt !== undefined) twin.set(`${d.ticker}@${d.model.observedAt}`, d);
      const market = FEATURE_SPEC.filter((f) => f.group === 'book' || f.group === 'temporal').map(
        (f) => f.name,
      );
      let whole = 0;
      const liveRows = await database.query<{
        ticker: string;
        features: Record<string, number>;
        model_output: { output: number[]; mask: string; observedAt: number };
      }>(
        `select ticker, features, model_output from decisions
          where session_id = $1 and model_hash is not null order by id`,
        [sessionId],
      );
      expect(liveRows.length).toBe(evaluated.length);
      for (const l of liveRows) {
        const r = twin.get(`${l.ticker}@${l.model_output.observedAt}`);
        expect(r, `no replay twin for ${l.ticker} at ${l.model_output.observedAt}`).toBeDefined();
        for (const name of market) expect(r!.features![name], name).toBe(l.features[name]);
        // (jsonb does not keep key order: compare by name.)
        if (Object.keys(l.features).every((k) => r!.features![k] === l.features[k])) {
          whole += 1;
          expect(r!.model!.mask).toBe(l.model_output.mask);
          expect(r!.model!.output).toEqual(l.model_output.output);
        }
      }
      expect(whole).toBeGreaterThan(0);
    } finally {
      await database.close();
    }
  }, 240_000);

  it('refuses a model declaring another feature_version, naming both', async () => {
    const dir = tempDir();
    const model = join(dir, 'old.onnx');
    writeFileSync(model, flipperModel('tv3-obs-0'));
    const t = spawnTrader([
      'start',
      '--env',
      'sim',
      '--strategy',
      'policy',
      '--model',
      model,
      '--data-dir',
      join(dir, 'data'),
    ]);
    running.push(t);
    expect(await t.exited, t.tail()).toBe(2);
    expect(t.stderr).toContain(`expected ${FEATURE_VERSION}, found tv3-obs-0`);
    expect(t.states()).toEqual([]);
  }, 120_000);
});
