/**
 * The process logger (pino).
 *
 *  - JSON lines when stdout is not a TTY (pipes, files, CI); pino-pretty when it is.
 *  - Timestamps ISO-8601 UTC (`"time":"2026-…Z"`).
 *  - Secrets never reach output: every serialized line passes scrubSecretLine before it is written,
 *    which replaces the value of any secret-named key at any depth, any PEM private-key block
 *    (inside an error message or an unexpected field too) and a URL's password.
 *
 * pino-pretty runs in-process as a synchronous stream rather than as a worker-thread transport, so
 * log lines and anything the CLI writes to stdout afterwards (the final summary line) keep their
 * order and nothing is lost on process.exit.
 */
import pino, { type DestinationStream, type Logger } from 'pino';
import type pinoPretty from 'pino-pretty';
import type { LogLevel } from '../config/index.js';
import { scrubSecretLine } from '../config/index.js';
import { lazyPackage } from '../lazy.js';

// Loaded only for a terminal (src/lazy.ts): a start whose stdout is a pipe writes JSON lines.
const pretty = lazyPackage<typeof pinoPretty>('pino-pretty');

export type { Logger } from 'pino';

export interface CreateLoggerOptions {
  level: LogLevel;
  /** Pretty, human output. Default: whether stdout is a TTY (ignored when `destination` is given). */
  pretty?: boolean;
  /** Where JSON lines go (default stdout). Tests pass a stream to capture output. */
  destination?: DestinationStream;
}

export function createLogger(options: CreateLoggerOptions): Logger {
  const base: pino.LoggerOptions = {
    level: options.level,
    timestamp: pino.stdTimeFunctions.isoTime,
    // Not pino's `redact`: its wildcard paths walked every logged object once per path
    // (config/redact.ts has the figures); the line scrub covers any depth for one scan.
    hooks: { streamWrite: scrubSecretLine },
    formatters: { level: (label) => ({ level: label }) },
  };
  if (options.destination) return pino(base, options.destination);
  const usePretty = options.pretty ?? process.stdout.isTTY === true;
  if (usePretty) {
    return pino(
      base,
      pretty()({
        destination: 1,
        sync: true,
        colorize: true,
        translateTime: 'UTC:yyyy-mm-dd"T"HH:MM:ss.l"Z"',
      }),
    );
  }
  return pino(base, pino.destination({ dest: 1, sync: true }));
}

/** Writes whatever the logger still buffers (a no-op for synchronous destinations). */
export function flushLogger(logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    try {
      logger.flush(() => resolve());
    } catch {
      resolve();
    }
  });
}
