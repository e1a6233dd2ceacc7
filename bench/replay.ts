/**
 * Replay throughput: a simulator book stream (sim-stream.ts, simulated clock) replayed through the
 * whole decision path (src/replay: StrategyRunner → strategy → executor → RiskController →
 * OrderService → replay venue) with the policy (ONNX inference on every non-throttled update of
 * every market) and, for comparison, with `none` (HOLD without a model: the pipeline's ceiling).
 * Prints recorded deltas per second (wall time of the replay alone, model load included; the
 * stream is made first, and one short replay warms the JIT and onnxruntime up), the process CPU
 * seconds of the replay (steadier than wall time on a shared machine), how many model calls the
 * batched inference made (src/replay/speculate.ts) and the digest's first 16 hex digits (the same
 * before and after a change that must not change the decisions). Each row is the fastest of
 * `--runs` replays (default 3): on a shared machine the slower ones measure the neighbours.
 * Target (issue 9): ≥ 200k deltas/s with the policy. What bounds it is the number of evaluations
 * per delta (one per market per throttle window with an update), so the stream's density matters:
 * `--rate` participant actions per simulated second over all markets (400: a busy market gets
 * ~12 deltas per 250 ms window; 20, the simulator's default: ~3). See bench/RESULTS.md.
 *
 *   npm run bench:replay [-- --steps 60000 --markets 8 --throttle 250 --rate 400
 *                            --strategies policy,policy-hot,none,hardcoded]
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { simBookStream } from '../models/sim-stream.js';
import { table } from '../src/cli/report.js';
import { MICROS_PER_DOLLAR } from '../src/domain/index.js';
import { type RecordedSession, replaySession } from '../src/replay/index.js';
import { emitSummary, fmt } from './lib/report.js';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '60000' },
    markets: { type: 'string', default: '8' },
    throttle: { type: 'string', default: '250' },
    rate: { type: 'string', default: '400' },
    model: { type: 'string', default: 'models/policy.onnx' },
    strategies: { type: 'string', default: 'policy,policy-hot,none' },
    runs: { type: 'string', default: '3' },
    /** Batch the policy's inference (speculate.ts); `false`: one model call per evaluation. */
    batch: { type: 'string', default: 'true' },
    /** Summary rows for `npm run bench` (bench/run-all.ts). */
    json: { type: 'string' },
  },
});
const RUNS = {
  policy: { label: 'policy (all markets)', strategy: 'policy', marketMode: 'all' },
  'policy-hot': { label: 'policy (hot market)', strategy: 'policy', marketMode: 'hot' },
  none: { label: 'none (HOLD, no model)', strategy: 'none', marketMode: 'all' },
  hardcoded: { label: 'hardcoded', strategy: 'hardcoded', marketMode: 'all' },
} as const;
const chosen = values.strategies.split(',').map((s) => {
  const run = RUNS[s.trim() as keyof typeof RUNS];
  if (!run) throw new Error(`--strategies: unknown ${s} (one of ${Object.keys(RUNS).join(', ')})`);
  return run;
});

const records = await simBookStream({
  seed: 21,
  steps: Number(values.steps),
  markets: Number(values.markets),
  ratePerSec: Number(values.rate),
});
const session: RecordedSession = {
  id: 'bench',
  strategy: 'policy',
  openingCash: 1_000 * MICROS_PER_DOLLAR,
  records,
  config: {},
};
const replayWith = (run: (typeof chosen)[number], s: typeof session) =>
  replaySession(s, {
    strategy: run.strategy,
    model: values.model,
    marketMode: run.marketMode,
    throttleMs: Number(values.throttle),
    keepDecisions: false,
    batch: values.batch !== 'false',
  });
for (const run of chosen) await replayWith(run, { ...session, records: records.slice(0, 5_000) });
const rows: string[][] = [];
const rate: Record<string, number> = {};
for (const run of chosen) {
  let best: { s: number; cpu: NodeJS.CpuUsage; out: Awaited<ReturnType<typeof replayWith>> } | undefined;
  for (let i = 0; i < Number(values.runs); i++) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const out = await replayWith(run, session);
    const s = (performance.now() - t0) / 1000;
    if (!best || s < best.s) best = { s, cpu: process.cpuUsage(cpu0), out };
  }
  const { s, cpu, out } = best!;
  rate[run.label] = out.deltas / s;
  rows.push([
    run.label,
    String(out.deltas),
    String(out.decided),
    String(out.inferred),
    String(out.orders.length),
    s.toFixed(2),
    ((cpu.user + cpu.system) / 1e6).toFixed(2),
    Math.round(out.deltas / s).toLocaleString('en-US'),
    out.inference ? `${out.inference.batches} (${out.inference.rows} rows)` : '-',
    out.digest.slice(0, 16),
  ]);
}
process.stdout.write(
  `replay bench: ${values.steps} actions at ${values.rate}/s simulated, ${values.markets} markets, throttle ${values.throttle} ms, batch ${values.batch}, best of ${values.runs}, node ${process.version}\n`,
);
process.stdout.write(
  table(
    [
      'strategy',
      'deltas',
      'decisions',
      'inferences',
      'orders',
      'seconds',
      'cpu s',
      'deltas/s',
      'model calls',
      'digest',
    ],
    rows,
  ),
);

const policy = rate[RUNS.policy.label];
const hold = rate[RUNS.none.label];
if (policy !== undefined) {
  const hot = rate[RUNS['policy-hot'].label];
  emitSummary([
    {
      bench: 'replay throughput (`traderv3 replay`, policy on every market)',
      metric: 'deltas/s',
      ours: fmt(policy),
      versus: hold === undefined ? '' : `${fmt(hold)} (none: HOLD, no model)`,
      ratio: hold === undefined ? '' : `${(policy / hold).toFixed(2)}×`,
      target: '≥ 200,000',
      met: policy >= 200_000,
      note:
        `${values.steps} actions at ${values.rate}/s simulated over ${values.markets} markets, throttle ${values.throttle} ms; ` +
        `${hot === undefined ? '' : `hot-market policy ${fmt(hot)}/s; `}best of ${values.runs}; load avg ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`,
    },
  ]);
}
