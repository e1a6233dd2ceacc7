/**
 * Replay is deterministic: the same book stream with the same strategy (and model) gives the same
 * digest run after run, and the digest changes when the decisions do. The stream is the embedded
 * simulator's (models/sim-stream.ts, simulated clock); the replay venue fills against it.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simBookStream } from '../../models/sim-stream.js';
import { MICROS_PER_DOLLAR } from '../../src/domain/index.js';
import { ACTION_COUNT, actionIndex, FEATURE_COUNT, writeMlpOnnx } from '../../src/policy/index.js';
import { type RecordedSession, replaySession } from '../../src/replay/index.js';

function constantModel(best: number, second: number): Uint8Array {
  const bias = new Float32Array(ACTION_COUNT).fill(-5);
  bias[0] = 0;
  bias[second] = 1;
  bias[best] = 2;
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
    { description: 'replay test' },
  );
}

/** A simulator stream as a recorded session, the policy on every market. */
async function simSession(stream: Parameters<typeof simBookStream>[0]): Promise<RecordedSession> {
  return {
    id: 'test',
    strategy: 'policy',
    openingCash: 1_000 * MICROS_PER_DOLLAR,
    records: await simBookStream(stream),
    config: { actor: { marketMode: 'all', contractSize: 1 } },
  };
}

describe('traderv3 replay (the core)', () => {
  it('gives the same digest run after run, and another one for other decisions', async () => {
    const session = await simSession({ seed: 3, steps: 4_000, markets: 3 });
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'tv3-replay-'));
    const flipper = join(dir, 'flipper.onnx');
    writeFileSync(flipper, constantModel(actionIndex('sell_yes', 0), actionIndex('buy_yes', 0)));
    const seller = join(dir, 'no-buyer.onnx');
    writeFileSync(seller, constantModel(actionIndex('sell_no', 0), actionIndex('buy_no', 0)));

    const a = await replaySession(session, { model: flipper });
    const b = await replaySession(session, { model: flipper });
    expect(a.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(b.digest).toBe(a.digest);
    expect(a.result.trades).toBeGreaterThan(0);
    expect(a.orders.length).toBeGreaterThan(0);
    expect(b.decisions.map((d) => [d.at, d.ticker, d.reason])).toEqual(
      a.decisions.map((d) => [d.at, d.ticker, d.reason]),
    );
    const other = await replaySession(session, { model: seller });
    expect(other.digest).not.toBe(a.digest);

    const h1 = await replaySession(session, { strategy: 'hardcoded' });
    const h2 = await replaySession(session, { strategy: 'hardcoded' });
    expect(h2.digest).toBe(h1.digest);
    expect(h1.result.trades).toBeGreaterThan(0);
  }, 120_000);

  it('decides the same with batched inference as with one model call per evaluation', async () => {
    // A trained MLP (scores vary with every feature) that trades often on every market
    // (tests/fixtures/make-policy-trading.ts), so that the batches' predictions are tested
    // against trades, fills and the portfolio they change.
    const model = join(import.meta.dirname, '..', 'fixtures', 'policy-trading.onnx');
    const session = await simSession({ seed: 5, steps: 6_000, markets: 4 });
    const alone = await replaySession(session, { batch: false, model });
    const batched = await replaySession(session, { model });
    expect(alone.inference?.batches).toBe(0);
    expect(batched.inference?.disabled).toBeUndefined();
    expect(batched.inference?.hits).toBeGreaterThan(0);
    expect(batched.inference?.batches).toBeLessThan(alone.inference?.singles ?? 0);
    expect(batched.inference?.misses).toBeGreaterThan(0);
    expect(alone.orders.length).toBeGreaterThan(0);
    expect(batched.digest).toBe(alone.digest);
    const strip = (ds: typeof alone.decisions) =>
      ds.map(({ details, ...d }) => ({ ...d, action: details?.action ?? d.action }));
    expect(strip(batched.decisions)).toEqual(strip(alone.decisions));
    expect(batched.orders).toEqual(alone.orders);
    expect(batched.result).toEqual(alone.result);
  }, 120_000);
});
