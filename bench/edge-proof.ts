/**
 * The edge trader's proof (issue 10 part 7): virtual-time simulator scenarios (3 simulated days of
 * trading, 7 cities, today's and tomorrow's ladders, every ladder settled on its true high) on
 * held-out seeds (the default model was trained on seeds 101–120: never evaluate on those), three ways:
 *   classifier  the edge signals filtered by models/edge.onnx (the trader as it ships)
 *   signals     the same signals without the classifier
 *   random      a random bracket whenever `signals` trades
 * Prints one table: P&L after fees per seed and in total. Usage:
 *   npx tsx bench/edge-proof.ts [--seeds 1-4] [--model models/edge.onnx]
 */
import { DEFAULT_EDGE_MODEL } from '../src/config/edge.js';
import { loadEdgeClassifier, runEdgeScenario, type ScenarioVariant } from '../src/strategy/index.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const [a, b] = arg('--seeds', '1-4').split('-').map(Number);
const seeds = Array.from({ length: (b ?? a ?? 1) - (a ?? 1) + 1 }, (_, i) => (a ?? 1) + i);
const classifier = await loadEdgeClassifier(arg('--model', DEFAULT_EDGE_MODEL));
const variants: ScenarioVariant[] = ['classifier', 'signals', 'random'];
const rows: string[][] = [];
const totals = new Map<ScenarioVariant, { pnl: number; trades: number }>();
for (const seed of seeds) {
  for (const variant of variants) {
    const r = await runEdgeScenario({ seed, variant, ...(variant === 'classifier' ? { classifier } : {}) });
    const t = totals.get(variant) ?? { pnl: 0, trades: 0 };
    totals.set(variant, { pnl: t.pnl + r.pnlMicros, trades: t.trades + r.trades });
    rows.push([
      String(seed),
      variant,
      String(r.trades),
      String(r.conversions),
      (r.pnlMicros / 1e6).toFixed(2),
    ]);
    process.stderr.write(`seed ${seed} ${variant}: ${(r.pnlMicros / 1e6).toFixed(2)}\n`);
  }
}
for (const v of variants) {
  const t = totals.get(v)!;
  rows.push(['all', v, String(t.trades), '', (t.pnl / 1e6).toFixed(2)]);
}
const head = ['seed', 'variant', 'trades', 'to taker', 'P&L $ after fees'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (r: string[]) =>
  r.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
console.log([line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n'));
console.log(`model ${classifier.hash.slice(0, 16)}…, held-out seeds ${seeds.join(', ')}`);
await classifier.close();
