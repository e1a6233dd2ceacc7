/** The chaos suite's tables: faults injected, recovery times per fault kind, invariants. */
import type { ChaosRunResult } from './run.js';
import { FAULT_KINDS } from './schedule.js';

function pct(sorted: readonly number[], q: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function table(head: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

const ms = (v: number | undefined) => (v === undefined ? '–' : `${v}`);

/** Markdown tables over one or more runs. */
export function chaosReport(runs: readonly ChaosRunResult[]): string {
  const faults = runs.flatMap((r) => r.faults);
  const recoveryRows = FAULT_KINDS.map((kind) => {
    const of = faults.filter((f) => f.kind === kind);
    const times = of.flatMap((f) => (f.recoveryMs === undefined ? [] : [f.recoveryMs])).sort((a, b) => a - b);
    return [
      kind,
      String(of.length),
      String(of.filter((f) => f.recoveryMs === undefined).length),
      ms(pct(times, 0.5)),
      ms(pct(times, 0.95)),
      ms(times.at(-1)),
    ];
  });
  const names = runs[0]?.invariants.map((i) => i.name) ?? [];
  const invariantRows = names.map((name) => {
    const breaches = runs.filter((r) => !r.invariants.find((i) => i.name === name)?.held);
    return [
      name,
      breaches.length === 0 ? 'held' : 'BREACHED',
      breaches
        .map((r) => `seed ${r.seed}: ${r.invariants.find((i) => i.name === name)?.detail ?? ''}`)
        .join(' / '),
    ];
  });
  const totals = table(
    ['seeds', 'faults injected', 'kill -9 restarts', 'exchange orders', 'exchange fills', 'result'],
    [
      [
        runs.map((r) => r.seed).join(','),
        String(faults.length),
        String(runs.reduce((n, r) => n + r.restarts, 0)),
        String(runs.reduce((n, r) => n + r.exchangeOrders, 0)),
        String(runs.reduce((n, r) => n + r.exchangeFills, 0)),
        runs.every((r) => r.ok) ? 'PASS' : 'FAIL',
      ],
    ],
  );
  return [
    '## Faults and recoveries (time to READY, ms)',
    '',
    table(['fault', 'injected', 'not recovered', 'p50', 'p95', 'max'], recoveryRows),
    '',
    "## Invariants (against the simulator's own orders, fills, positions and balance)",
    '',
    table(['invariant', 'result', 'breaches'], invariantRows),
    '',
    totals,
    '',
  ].join('\n');
}
