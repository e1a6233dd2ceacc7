/**
 * What every benchmark hands to `npm run bench`: summary rows (what was measured, ours, the
 * alternative a user would pick, the ratio, the target and whether it was met). A bench prints its
 * own detailed table and, with `--json FILE`, writes its rows there; bench/run-all.ts gathers the
 * files into bench/RESULTS.md.
 */
import { writeFileSync } from 'node:fs';

export interface SummaryRow {
  /** The benchmark, e.g. "book apply". */
  readonly bench: string;
  /** What the figures are, e.g. "deltas/s" or "p99 µs". */
  readonly metric: string;
  readonly ours: string;
  /** The side-by-side figure (ccxt, raw JSON.parse, the loopback round trip …), or "". */
  readonly versus: string;
  readonly ratio: string;
  readonly target: string;
  /** true / false against the target; undefined when there is no target or it was not measured. */
  readonly met: boolean | undefined;
  readonly note: string;
}

export function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/**
 * `--name N`: the number given, or `fallback` when the option is absent. Anything else given
 * (not a number, negative, 0 unless `allowZero`) is refused by name rather than replaced.
 */
export function argNumber(name: string, fallback: number, opts: { allowZero?: boolean } = {}): number {
  const raw = argValue(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < 0 || (n === 0 && !opts.allowZero)) {
    throw new Error(
      `--${name}: expected a ${opts.allowZero ? 'non-negative' : 'positive'} number, got ${JSON.stringify(raw)}`,
    );
  }
  return n;
}

/** Writes the rows to `--json FILE` when given. */
export function emitSummary(rows: readonly SummaryRow[]): void {
  const file = argValue('json');
  if (file) writeFileSync(file, `${JSON.stringify(rows, null, 2)}\n`);
}

/** A plain-text table: first column left-aligned, the others right-aligned. */
export function textTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0)))
      .join('  ');
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export const fmt = (n: number, digits = 0): string =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : '–';

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** The p-th percentile (0–100) of an ascending array, nearest rank. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx] as number;
}

/** The load average, to print next to figures measured on a shared machine. */
export async function loadNote(): Promise<string> {
  const os = await import('node:os');
  const [one] = os.loadavg();
  return `load avg ${(one ?? 0).toFixed(1)} on ${os.cpus().length} cores`;
}
