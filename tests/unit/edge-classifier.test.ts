/**
 * The edge classifier: deterministic training, the ONNX model computes the same probability as
 * the logistic regression it was written from, and a model declaring other features is refused.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_EDGE_MODEL } from '../../src/config/edge.js';
import { EDGE_FEATURES, featureVector, predictLogistic, trainLogistic } from '../../src/edge/index.js';
import { writeMlpOnnx } from '../../src/policy/index.js';
import { loadEdgeClassifier, writeEdgeModel } from '../../src/strategy/index.js';

function rows(n: number) {
  const xs: number[][] = [];
  const ys: number[] = [];
  for (let i = 0; i < n; i++) {
    const f = {
      edge_degf: ((i * 37) % 11) - 5,
      taker_edge_cents: (i * 13) % 20,
      win_prob: ((i * 7) % 10) / 10,
    };
    xs.push(featureVector(f));
    ys.push(f.taker_edge_cents + 10 * f.win_prob > 12 ? 1 : 0);
  }
  return { xs, ys };
}

describe('edge classifier', () => {
  it('trains reproducibly and separates an easy rule', () => {
    const { xs, ys } = rows(200);
    const a = trainLogistic(xs, ys);
    expect(trainLogistic(xs, ys)).toEqual(a);
    const correct = xs.filter((x, i) => (predictLogistic(a, x) >= 0.5 ? 1 : 0) === ys[i]).length;
    expect(correct / xs.length).toBeGreaterThan(0.85);
  });

  it('runs in onnxruntime with the probability of the regression it was written from', async () => {
    const { xs, ys } = rows(120);
    const model = trainLogistic(xs, ys);
    const bytes = writeEdgeModel(model, { trackRecord: 120, description: 'test' });
    const c = await loadEdgeClassifier(bytes);
    try {
      expect(c.trackRecord).toBe(120);
      const features = { edge_degf: 2, taker_edge_cents: 9, win_prob: 0.4 };
      const p = await c.predict(features);
      expect(p).toBeCloseTo(predictLogistic(model, featureVector(features)), 5);
    } finally {
      await c.close();
    }
  });

  it("the shipped models/edge.onnx loads with this build's features and is the one models/README.md names", async () => {
    const bytes = readFileSync(DEFAULT_EDGE_MODEL);
    const readme = readFileSync(new URL('../../models/README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## edge.onnx'));
    expect(section).toContain(createHash('sha256').update(bytes).digest('hex'));
    const c = await loadEdgeClassifier(bytes);
    try {
      expect(c.trackRecord).toBeGreaterThanOrEqual(20);
      const p = await c.predict({
        win_prob: 0.7,
        market_prob: 0.5,
        leg_yes: 0,
        lead_days: 1,
        taker_price: 5_000,
      });
      expect(p).toBeGreaterThan(0);
      expect(p).toBeLessThan(1);
    } finally {
      await c.close();
    }
  });

  it('refuses a model that declares other features, naming them', async () => {
    const w = EDGE_FEATURES.length;
    const other = writeMlpOnnx(
      { layers: [{ inputs: w, outputs: 1, weight: new Float32Array(w), bias: new Float32Array(1) }] },
      { description: 'x', skipChecks: true },
    );
    await expect(loadEdgeClassifier(other)).rejects.toThrow(/declares features/);
  });
});

import type { TrackedOrder } from '../../src/domain/index.js';
import { conversionFor } from '../../src/runtime/conversions.js';

describe('maker → taker with the order’s own timeout', () => {
  const maker = (makerTimeoutMs?: number): TrackedOrder =>
    ({
      clientOrderId: 'm1',
      status: 'resting',
      fillCount: 0,
      intent: {
        ticker: 'KXHIGHCHI-26NOV30-B45.5',
        bookSide: 'bid',
        yesPrice: 2000,
        count: 1000,
        timeInForce: 'good_till_canceled',
        postOnly: true,
        strategy: 'edge',
        reason: 'edge:buy_high',
        ...(makerTimeoutMs === undefined ? {} : { makerTimeoutMs }),
      },
      history: [{ status: 'resting', at: 0 }],
    }) as unknown as TrackedOrder;
  const opts = { afterMs: undefined, maxSlippageTicks: 3, quote: () => ({ bestYesBid: 1900, yesAsk: 2100 }) };

  it('converts after intent.makerTimeoutMs even without --maker-to-taker-ms', () => {
    expect(conversionFor(maker(90_000), 89_999, opts)).toEqual({ skip: 'not_due' });
    const c = conversionFor(maker(90_000), 90_000, opts);
    expect('intent' in c && c.intent.replaces).toBe('m1');
    expect('intent' in c && c.intent.yesPrice).toBe(2100);
  });

  it('never converts an order with no timeout at all', () => {
    expect(conversionFor(maker(), 10_000_000, opts)).toEqual({ skip: 'no_timeout' });
  });
});
