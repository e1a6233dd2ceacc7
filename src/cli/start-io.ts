/**
 * What `traderv3 start` touches outside itself — stdout and stderr, the runtime's module, the
 * embedded database, the logger, signals, the process's exit — behind one seam (StartIo), so that
 * tests run the command in-process with fakes. `defaultStartIo` is the real process.
 */
import type { TraderConfig } from '../config/index.js';
import { type Database, openDatabase, TRADER_PGLITE } from '../persistence/index.js';
import type { StartTrader } from '../runtime/index.js';
import { watchLauncher } from './launcher.js';
import { createLogger, type Logger } from './logging.js';

export interface StartIo {
  stdout: (text: string) => Promise<void>;
  stderr: (text: string) => void;
  /** Loads the runtime's startTrader (default: dynamic import of src/runtime/index.ts). */
  loadRuntime: () => Promise<StartTrader>;
  /**
   * Begins opening the embedded database (default: PGlite on its own thread in the data folder; a
   * fresh folder starts as a copy of the migrated template).
   */
  openEmbeddedDatabase: (dataDir: string) => Promise<Database>;
  createLogger: (config: TraderConfig) => Logger;
  /** Registers SIGINT/SIGTERM handling; returns an unregister function. */
  onSignals: (handler: (signal: string) => void) => () => void;
  /** Immediate exit (second signal). */
  forceExit: (code: number) => never;
}

async function importRuntime(): Promise<StartTrader> {
  // A variable specifier, so the command type-checks whether or not the runtime exists yet.
  const specifier = '../runtime/index.js';
  let mod: { startTrader?: unknown };
  try {
    mod = (await import(specifier)) as { startTrader?: unknown };
  } catch (err) {
    throw new Error(`the trader runtime (src/runtime/index.ts) cannot be loaded: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (typeof mod.startTrader !== 'function') {
    throw new Error('the trader runtime (src/runtime/index.ts) does not export a startTrader function');
  }
  return mod.startTrader as StartTrader;
}

export const defaultStartIo: StartIo = {
  stdout: (text) => new Promise<void>((resolve) => process.stdout.write(text, () => resolve())),
  stderr: (text) => {
    process.stderr.write(text);
  },
  loadRuntime: importRuntime,
  openEmbeddedDatabase: (dataDir) => openDatabase({ dataDir, ...TRADER_PGLITE }),
  createLogger: (config) => createLogger({ level: config.logLevel }),
  onSignals: (handler) => {
    const onInt = () => handler('SIGINT');
    const onTerm = () => handler('SIGTERM');
    const onHup = () => handler('SIGHUP');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    process.on('SIGHUP', onHup);
    const stopWatch = watchLauncher(() => handler('launcher exited'));
    return () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      process.off('SIGHUP', onHup);
      stopWatch();
    };
  },
  forceExit: (code) => process.exit(code),
};
