/**
 * `traderv3 migrate [--data-dir DIR]`: applies the committed migrations to the trader's database —
 * the Postgres server of DATABASE_URL when it is set, otherwise the embedded PGlite database in
 * `<data-dir>/pgdata`. Idempotent. Prints one line on stdout (JSON when stdout is not a terminal):
 *   {"event":"migrated","target":"…","applied":N,"total":M,"latest":"0000_init"}
 * The URL is shown with its password masked. Failures: one line on stderr, exit 1. With stderr at
 * a terminal, a bar over the migration files on stderr; nothing more off a terminal.
 */
import type { Command } from 'commander';
import { DEFAULTS } from '../config/index.js';
import { migrate, openDatabase, PersistenceError } from '../persistence/index.js';
import { dataDirOption, subcommand } from './options.js';
import { type ProgressStream, progressOnFirstUpdate } from './progress.js';

export interface MigrateOptions {
  dataDir: string;
}

export async function runMigrate(
  options: MigrateOptions,
  env: NodeJS.ProcessEnv = process.env,
  io: {
    stdout: (text: string) => void;
    stderr: (text: string) => void;
    tty: boolean;
    progress?: ProgressStream;
  } = {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    tty: process.stdout.isTTY === true,
  },
): Promise<number> {
  const url = env.DATABASE_URL?.trim() || undefined;
  let database: Awaited<ReturnType<typeof openDatabase>> | undefined;
  try {
    database = await openDatabase({ url, dataDir: options.dataDir });
    const bar = progressOnFirstUpdate({
      label: 'migrate',
      offTerminal: 'none',
      ...(io.progress ? { stream: io.progress } : {}),
    });
    const report = await migrate(database, { onProgress: bar.update }).finally(bar.stop);
    const line = { event: 'migrated', target: database.target, ...report };
    io.stdout(
      io.tty
        ? `${database.target}: applied ${report.applied} of ${report.total} migration(s); latest ${report.latest ?? 'none'}\n`
        : `${JSON.stringify(line)}\n`,
    );
    return 0;
  } catch (err) {
    if (err instanceof PersistenceError) {
      io.stderr(`traderv3 migrate: ${err.message}\n`);
      return 1;
    }
    throw err;
  } finally {
    await database?.close();
  }
}

export function registerMigrate(program: Command): void {
  subcommand(program, 'migrate')
    .description('apply the database migrations (Postgres with DATABASE_URL, else PGlite in the data folder)')
    .addOption(
      dataDirOption(
        `data folder holding the embedded database (env TRADERV3_DATA_DIR; default ${DEFAULTS.dataDir})`,
      ),
    )
    .action(async (options: MigrateOptions) => {
      process.exitCode = await runMigrate(options);
    });
}
