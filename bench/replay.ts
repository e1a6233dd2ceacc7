/**
 * Replay throughput: a simulator book stream (sim-stream.ts, simulated clock) replayed through the
 * whole decision path (src/replay: StrategyRunner → strategy → executor → RiskController →
 * OrderService → replay venue) with the policy (ONNX inference on every non-throttled update of
 * every market) and, for comparison, with `none` and `hardcoded`. Prints recorded deltas per second
 * (wall time of the replay alone; the stream is made first). Target (issue 9): ≥ 200k deltas/s
 * with the policy. It depends on the number of evaluations (one per market per throttle window with
 * an update), each awaited before the next record, so on how many deltas a market gets per window
 * (`--rate`, default 400 actions/s); see planning/policy.md for figures.
 *
 *   npm run bench:replay [-- --steps 60000 --markets 8 --throttle 250]
 */
import { parseArgs } from 'node:util';
import { simBookStream } from '../models/sim-stream.js';
import { table } from '../src/cli/report.js';
import { MICROS_PER_DOLLAR } from '../src/domain/index.js';
import { type RecordedSession, replaySession } from '../src/replay/index.js';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '60000' },
    markets: { type: 'string', default: '8' },
    throttle: { type: 'string', default: '250' },
    /** Participant actions per simulated second, all markets (a dense market: many deltas per throttle window). */
    rate: { type: 'string', default: '400' },
    model: { type: 'string', default: 'models/policy.onnx' },
  },
});
const records = await simBookStream({
  seed: 21,
  steps: Number(values.steps),
  markets: Number(values.markets),
});
const session: RecordedSession = {
  id: 'bench',
  strategy: 'policy',
  openingCash: 1_000 * MICROS_PER_DOLLAR,
  records,
  config: {},
};
const rows: string[][] = [];
for (const [name, strategy] of [
  ['policy (all markets)', 'policy'],
  ['none', 'none'],
  ['hardcoded', 'hardcoded'],
] as const) {
  const t0 = performance.now();
  const out = await replaySession(session, {
    strategy,
    model: values.model,
    marketMode: 'all',
    throttleMs: Number(values.throttle),
  });
  const s = (performance.now() - t0) / 1000;
  const evaluated = out.decisions.filter((d) => d.model !== undefined).length;
  rows.push([
    name,
    String(out.records),
    String(out.deltas),
    String(out.decisions.length),
    String(evaluated),
    String(out.orders.length),
    s.toFixed(2),
    Math.round(out.deltas / s).toLocaleString('en-US'),
  ]);
}
process.stdout.write(
  table(['strategy', 'records', 'deltas', 'decisions', 'inferences', 'orders', 'seconds', 'deltas/s'], rows),
);
