/**
 * `npm run chaos [-- --minutes N --seeds K --seed S --database-url URL --log-dir DIR]`: K seeded chaos runs of N minutes of faults
 * each, against a simulator in this process and the trader as a child process; prints the tables
 * and exits 1 on any breach (2 on a bad argument).
 */
import { mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { chaosReport } from './report.js';
import { type ChaosRunResult, runChaos } from './run.js';
import { scratchDatabase } from './scratch-db.js';

function positive(name: string, text: string | undefined, fallback: number, integer: boolean): number {
  if (text === undefined) return fallback;
  const v = Number(text);
  if (!Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) {
    throw new Error(
      `--${name} must be a positive ${integer ? 'whole number' : 'number'} (got ${JSON.stringify(text)})`,
    );
  }
  return v;
}

export async function chaosMain(argv: readonly string[]): Promise<number> {
  let minutes: number;
  let seeds: number;
  let firstSeed: number;
  let databaseUrl: string | undefined;
  let logDir: string | undefined;
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        minutes: { type: 'string' },
        seeds: { type: 'string' },
        seed: { type: 'string' },
        'database-url': { type: 'string' },
        'log-dir': { type: 'string' },
      },
      strict: true,
    });
    minutes = positive('minutes', values.minutes, 1, false);
    seeds = positive('seeds', values.seeds, 1, true);
    firstSeed = positive('seed', values.seed, 1, true);
    databaseUrl = values['database-url'];
    logDir = values['log-dir'];
    if (logDir !== undefined) mkdirSync(logDir, { recursive: true });
    if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
      throw new Error(
        '--database-url must be a postgres:// URL (a scratch database is made on that server per run)',
      );
    }
  } catch (err) {
    process.stderr.write(
      `chaos: ${(err as Error).message}\nusage: npm run chaos -- [--minutes N] [--seeds K] [--seed S] [--database-url postgres://…] [--log-dir DIR]\n`,
    );
    return 2;
  }
  const runs: ChaosRunResult[] = [];
  for (let seed = firstSeed; seed < firstSeed + seeds; seed++) {
    // Every other seed calibrates as a big account would (see ChaosRunOptions.calibrationPageSize).
    const bigAccountPath = seed % 2 === 1;
    process.stdout.write(
      `seed ${seed}: ${minutes} min of faults${bigAccountPath ? ", calibration's lists read 2 a page (a big account's check)" : ''}\n`,
    );
    const scratch = databaseUrl ? await scratchDatabase(databaseUrl, 'chaos') : undefined;
    let run: ChaosRunResult;
    try {
      run = await runChaos({
        seed,
        durationMs: minutes * 60_000,
        ...(bigAccountPath ? { calibrationPageSize: 2 } : {}),
        ...(scratch ? { databaseUrl: scratch.url } : {}),
        ...(logDir ? { logDir } : {}),
        log: (line) => process.stdout.write(`${line}\n`),
      });
    } finally {
      await scratch?.drop();
    }
    runs.push(run);
    for (const i of run.invariants.filter((x) => !x.held))
      process.stdout.write(`  BREACH ${i.name}: ${i.detail}\n`);
  }
  process.stdout.write(`\n${chaosReport(runs)}`);
  return runs.every((r) => r.ok) ? 0 : 1;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) {
  process.exitCode = await chaosMain(process.argv.slice(2));
}
