/**
 * What the subcommands share: argument parsers for commander (each throws InvalidArgumentError
 * naming what is wrong), the `--data-dir` option with its TRADERV3_DATA_DIR default, usage errors
 * that exit 2, and the action guard that turns a failure into one stderr line and an exit code.
 */
import { type Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { DEFAULTS } from '../config/index.js';

/** The `--data-dir` help text of the commands that read the record. */
export const DATA_DIR_HELP = 'data folder holding the embedded database (env TRADERV3_DATA_DIR)';

/** `--data-dir <dir>`, defaulting to TRADERV3_DATA_DIR, else the default data folder. */
export function dataDirOption(description: string = DATA_DIR_HELP): Option {
  return new Option('--data-dir <dir>', description).default(
    process.env.TRADERV3_DATA_DIR ?? DEFAULTS.dataDir,
  );
}

/** Usage errors exit 2, like configuration errors; help and version keep 0. */
export function usageErrorsExit2<C extends Command>(cmd: C): C {
  cmd.exitOverride((err) => {
    throw err.exitCode === 0 ? err : new CommanderError(2, err.code, err.message);
  });
  return cmd;
}

/** A subcommand of `parent` whose usage errors exit 2. */
export function subcommand(parent: Command, name: string): Command {
  return usageErrorsExit2(parent.command(name));
}

/**
 * Runs an action: its result is the exit code; a failure is one line on stderr and exit 1
 * (2 for a bad option found after parsing, a CommanderError).
 */
export async function guarded(run: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await run();
  } catch (err) {
    process.stderr.write(`traderv3: ${(err as Error).message}\n`);
    process.exitCode = err instanceof CommanderError ? 2 : 1;
  }
}

export function integerIn(min: number, max: number): (raw: string) => number {
  return (raw: string) => {
    if (!/^-?\d+$/.test(raw.trim()))
      throw new InvalidArgumentError(`expected an integer, got ${JSON.stringify(raw)}`);
    const n = Number(raw);
    if (n < min || n > max)
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}, got ${n}`);
    return n;
  };
}

export function numberIn(min: number, max: number): (raw: string) => number {
  return (raw: string) => {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n))
      throw new InvalidArgumentError(`expected a number, got ${JSON.stringify(raw)}`);
    if (n < min || n > max)
      throw new InvalidArgumentError(`expected a number from ${min} to ${max}, got ${n}`);
    return n;
  };
}

export function oneOf<T extends string>(allowed: readonly T[]): (raw: string) => T {
  return (raw: string) => {
    if (!(allowed as readonly string[]).includes(raw)) {
      throw new InvalidArgumentError(`expected one of ${allowed.join(', ')}, got ${JSON.stringify(raw)}`);
    }
    return raw as T;
  };
}
