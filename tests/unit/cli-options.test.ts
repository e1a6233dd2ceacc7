/** The subcommand boilerplate every command shares (src/cli/options.ts). */
import { Command, CommanderError } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { dataDirOption, guarded, subcommand } from '../../src/cli/options.js';
import { DEFAULTS } from '../../src/config/index.js';

function program(): { root: Command; sub: Command } {
  const root = new Command().name('traderv3').exitOverride();
  const sub = subcommand(root, 'thing')
    .addOption(dataDirOption())
    .configureOutput({
      writeErr: () => {},
      writeOut: () => {},
    });
  sub.action(() => {});
  return { root, sub };
}

async function exitOf(args: string[]): Promise<number> {
  try {
    await program().root.parseAsync(['node', 'traderv3', 'thing', ...args]);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    throw err;
  }
}

describe('the subcommand boilerplate', () => {
  const saved = process.env.TRADERV3_DATA_DIR;
  afterEach(() => {
    if (saved === undefined) delete process.env.TRADERV3_DATA_DIR;
    else process.env.TRADERV3_DATA_DIR = saved;
    process.exitCode = undefined;
  });

  it('defaults --data-dir to TRADERV3_DATA_DIR, else the default data folder', () => {
    delete process.env.TRADERV3_DATA_DIR;
    expect(dataDirOption().defaultValue).toBe(DEFAULTS.dataDir);
    process.env.TRADERV3_DATA_DIR = '/tmp/elsewhere';
    expect(dataDirOption().defaultValue).toBe('/tmp/elsewhere');
    expect(dataDirOption().description).toContain('TRADERV3_DATA_DIR');
  });

  it('exits 2 on a usage error and 0 on --help', async () => {
    expect(await exitOf(['--no-such-option'])).toBe(2);
    expect(await exitOf(['--data-dir'])).toBe(2);
    expect(await exitOf(['--help'])).toBe(0);
  });

  it('guards an action: its code, 1 on a failure, 2 on a bad option found late', async () => {
    await guarded(async () => 3);
    expect(process.exitCode).toBe(3);
    const write = process.stderr.write;
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      await guarded(() => Promise.reject(new Error('boom')));
      expect(process.exitCode).toBe(1);
      await guarded(() => Promise.reject(new CommanderError(2, 'x.bad_option', '--x: bad')));
      expect(process.exitCode).toBe(2);
    } finally {
      process.stderr.write = write;
    }
  });
});
