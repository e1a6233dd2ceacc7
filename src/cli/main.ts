/**
 * The traderv3 command. Each subcommand lives in its own file and is registered here.
 */
import { Command, CommanderError } from 'commander';
import { registerControlCommands } from './control-commands.js';
import { registerExchangeSim } from './exchange-sim.js';
import { registerMigrate } from './migrate.js';
import { registerReplay } from './replay.js';
import { registerReports } from './report.js';
import { registerStart } from './start-options.js';
import { registerTrain } from './train.js';
import { registerTrainEdge } from './train-edge.js';

export function buildProgram(): Command {
  const program = new Command()
    .name('traderv3')
    .description('Automated trading core for Kalshi, with a Kalshi-compatible exchange simulator')
    .version('0.1.0')
    .showHelpAfterError();
  registerStart(program);
  registerControlCommands(program);
  registerExchangeSim(program);
  registerMigrate(program);
  registerReports(program);
  registerReplay(program);
  registerTrain(program);
  registerTrainEdge(program);
  return program;
}

/**
 * A reader that went away (`traderv3 start | head`, a log shipper that quit) leaves stdout with
 * nowhere to go: that is not the command's failure, so it does not crash the process or change its
 * exit code (the trader keeps its own record). Any other output error still surfaces.
 */
export function toleratesClosedReader(stream: NodeJS.WritableStream): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') return;
    throw err;
  });
}

export async function main(argv: string[]): Promise<void> {
  toleratesClosedReader(process.stdout);
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode);
    throw err;
  }
}
