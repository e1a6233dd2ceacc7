/**
 * `npm run bench`: runs every benchmark (each in its own process, one after the other), collects
 * the summary rows each writes with `--json`, and writes them as one markdown table to
 * bench/RESULTS.md (the README links it), with each bench's full printed output below it.
 *
 * Options: --only name,name (book, ingest, tick, inference, db, start, calibration, memory, replay)
 *          --out FILE (default bench/RESULTS.md). Figures from a shared machine are noisy: the load
 *          average is written next to them.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './lib/procs.js';
import { argValue, type SummaryRow } from './lib/report.js';

const BENCHES: Array<{ name: string; file: string; args: string[] }> = [
  { name: 'book', file: 'bench/book-apply.ts', args: ['--deltas', '500000', '--runs', '5'] },
  { name: 'ingest', file: 'bench/ingest.ts', args: ['--deltas', '200000', '--runs', '15'] },
  { name: 'tick', file: 'bench/tick-to-order.ts', args: ['--ticks', '1000', '--blocks', '3'] },
  { name: 'inference', file: 'bench/inference.ts', args: ['--calls', '50000'] },
  {
    name: 'db',
    file: 'bench/persistence.ts',
    args: ['--drivers', 'pg', '--rates', '5000,20000', '--seconds', '4', '--runs', '3'],
  },
  { name: 'loop-delay', file: 'bench/record-loop-delay.ts', args: ['--runs', '2'] },
  { name: 'start', file: 'bench/cold-start.ts', args: ['--runs', '3'] },
  { name: 'calibration', file: 'bench/calibration.ts', args: ['--runs', '3'] },
  { name: 'memory', file: 'bench/memory.ts', args: ['--markets', '100,1000', '--seconds', '30'] },
  { name: 'replay', file: 'bench/replay.ts', args: [] },
];

const only = argValue('only')?.split(',');
const out = argValue('out') ?? join(ROOT, 'bench', 'RESULTS.md');
const work = mkdtempSync(join(tmpdir(), 'traderv3-bench-'));
const rows: SummaryRow[] = [];
const outputs: string[] = [];
const started = new Date();

for (const b of BENCHES) {
  if (only && !only.includes(b.name)) continue;
  const json = join(work, `${b.name}.json`);
  console.log(`\n### ${b.name}: tsx ${b.file} ${b.args.join(' ')}`);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', b.file, ...b.args, '--json', json], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const text = `${r.stdout ?? ''}${r.stderr ? `\n${r.stderr}` : ''}`.trim();
  console.log(text);
  outputs.push(`### ${b.name} (${((Date.now() - t0) / 1000).toFixed(0)} s)\n\n\`\`\`\n${text}\n\`\`\``);
  if (existsSync(json)) rows.push(...(JSON.parse(readFileSync(json, 'utf8')) as SummaryRow[]));
  else
    rows.push({
      bench: b.name,
      metric: '',
      ours: 'failed',
      versus: '',
      ratio: '',
      target: '',
      met: false,
      note: `exit ${r.status}: ${text.split('\n').slice(-3).join(' ').slice(0, 200)}`,
    });
}
rmSync(work, { recursive: true, force: true });

const cell = (s: string) => s.replace(/\|/g, '\\|');
const met = (m: boolean | undefined) => (m === undefined ? '' : m ? 'yes' : '**no**');
const md = [
  '# Benchmark results',
  '',
  `Written by \`npm run bench\` (bench/run-all.ts) on ${started.toISOString()}; node ${process.version}, ` +
    `${cpus().length} cores, load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' / ')} at the end.`,
  '',
  '> The machine these ran on is shared (2 cores, several engineers running tests at once): absolute',
  '> figures are noisy and mostly pessimistic; ratios measured side by side in one run are steadier.',
  '> Each bench takes the median of several runs; the load average is in each note.',
  '',
  '| benchmark | metric | ours | side by side | ratio | target | met | note |',
  '|---|---|---|---|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| ${cell(r.bench)} | ${cell(r.metric)} | ${cell(r.ours)} | ${cell(r.versus)} | ${cell(r.ratio)} | ${cell(r.target)} | ${met(r.met)} | ${cell(r.note)} |`,
  ),
  '',
  '## Full output',
  '',
  ...outputs,
  '',
].join('\n');
writeFileSync(out, md);
console.log(`\nwrote ${out}`);
