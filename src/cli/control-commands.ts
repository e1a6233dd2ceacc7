/**
 * Operator commands against a running trader, through its control API (src/server/control.ts):
 *
 *   traderv3 status [--json] | sync | halt [--reason R] [--keep-orders] | reduce [--reason R]
 *            | resume | cancel-all   [--data-dir DIR] [--timeout S]
 *
 * The trader is found through `<data-dir>/control.json` (URL and bearer token, mode 0600). The
 * answer is printed as JSON on stdout (indented when stdout is a terminal); `status` on a terminal
 * is a table (status-table.ts) unless `--json`. Failures go to stderr
 * with exit code 1: no trader running, trader not answering, token refused, or the trader reporting
 * that the command failed.
 */
import type { Command } from 'commander';
// The client's own files, not the server's index: a control command does not load fastify.
import { callControl } from '../server/control-client.js';
import { ControlClientError } from '../server/control-client-error.js';
import type { ControlRoute } from '../server/control-routes.js';
import { dataDirOption, integerIn, subcommand } from './options.js';
import { renderStatusTable } from './status-table.js';

interface ControlOptions {
  dataDir: string;
  timeout: number;
  reason?: string;
  keepOrders?: boolean;
  json?: boolean;
}

const COMMANDS: ReadonlyArray<{ route: ControlRoute; description: string }> = [
  { route: 'status', description: "show the running trader's state, positions, orders and risk status" },
  { route: 'sync', description: 're-calibrate against the exchange now (positions, orders, balance, fills)' },
  {
    route: 'halt',
    description:
      'kill switch: cancel resting orders, trigger the order group, place nothing until `traderv3 resume`',
  },
  {
    route: 'reduce',
    description: 'reduce-only: only orders that shrink a position pass, until `traderv3 resume`',
  },
  { route: 'resume', description: 'lift a halt and reset tripped breakers (operator only)' },
  { route: 'cancel-all', description: 'cancel every resting order of the trader' },
];

/** Prints an answer as JSON: indented for a person at a terminal, one line for a pipe. */
export function formatJson(value: unknown, pretty: boolean): string {
  return `${pretty ? JSON.stringify(value, null, 2) : JSON.stringify(value)}\n`;
}

export async function runControlCommand(route: ControlRoute, options: ControlOptions): Promise<number> {
  try {
    const fields = {
      ...(options.reason === undefined ? {} : { reason: options.reason }),
      ...(options.keepOrders === true ? { keep_orders: true } : {}),
    };
    const body = Object.keys(fields).length === 0 ? undefined : fields;
    const answer = await callControl(options.dataDir, route, {
      timeoutMs: options.timeout * 1000,
      ...(body ? { body } : {}),
    });
    const tty = process.stdout.isTTY === true;
    process.stdout.write(
      route === 'status' && tty && options.json !== true
        ? renderStatusTable(answer)
        : formatJson(answer, tty),
    );
    return 0;
  } catch (err) {
    if (err instanceof ControlClientError) {
      process.stderr.write(`traderv3 ${route}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

export function registerControlCommands(program: Command): void {
  for (const { route, description } of COMMANDS) {
    const cmd = subcommand(program, route)
      .description(description)
      .addOption(
        dataDirOption('data folder of the running trader, which holds control.json (env TRADERV3_DATA_DIR)'),
      )
      .option(
        '--timeout <seconds>',
        'give up waiting for the answer after this long',
        integerIn(1, 3600),
        30,
      );
    if (route === 'halt' || route === 'reduce') cmd.option('--reason <text>', 'why (recorded with the halt)');
    if (route === 'halt')
      cmd.option(
        '--keep-orders',
        'leave resting orders working (no cancel-all, the order group stays armed)',
      );
    if (route === 'status')
      cmd.option('--json', 'print the answer as JSON (the default when stdout is not a terminal)');
    cmd.action(async (options: ControlOptions) => {
      process.exitCode = await runControlCommand(route, options);
    });
  }
}
