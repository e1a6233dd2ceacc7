/**
 * The process logger (pino).
 *
 *  - JSON lines when stdout is not a TTY (pipes, files, CI); pino-pretty when it is.
 *  - Timestamps ISO-8601 UTC (`"time":"2026-…Z"`).
 *  - Secrets never reach output: known secret paths are censored by pino's `redact`, and every
 *    serialized line is scrubbed of PEM private-key blocks before it is written (which also covers a
 *    key that ended up inside an error message or an unexpected field).
 *
 * pino-pretty runs in-process as a synchronous stream rather than as a worker-thread transport, so
 * log lines and anything the CLI writes to stdout afterwards (the final summary line) keep their
 * order and nothing is lost on process.exit.
 */
import pino, { type DestinationStream, type Logger } from 'pino';
import type pinoPretty from 'pino-pretty';
import type { LogLevel } from '../config/index.js';
import { REDACTED, scrubSecretText } from '../config/index.js';
import { lazyPackage } from '../lazy.js';

// Loaded only for a terminal (src/lazy.ts): a start whose stdout is a pipe writes JSON lines.
const pretty = lazyPackage<typeof pinoPretty>('pino-pretty');

export type { Logger } from 'pino';

/** pino `redact` paths: any of these keys at the top level or one or two levels down. */
const SECRET_PATHS = [
  'privateKeyPem',
  'private_key_pem',
  'privateKey',
  'private_key',
  'token',
  'authorization',
  'Authorization',
  'password',
];
const HEADER_PATHS = [
  'headers["KALSHI-ACCESS-SIGNATURE"]',
  'headers.authorization',
  'headers.Authorization',
  'req.headers.authorization',
  'request.headers["KALSHI-ACCESS-SIGNATURE"]',
  'request.headers.authorization',
];

export const LOG_REDACT_PATHS: readonly string[] = [
  ...SECRET_PATHS,
  ...SECRET_PATHS.map((k) => `*.${k}`),
  ...SECRET_PATHS.map((k) => `*.*.${k}`),
  'credentials.privateKeyPem',
  'config.credentials.privateKeyPem',
  'config.marketDataCredentials.privateKeyPem',
  ...HEADER_PATHS,
  ...HEADER_PATHS.map((p) => `*.${p}`),
];

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
    redact: { paths: [...LOG_REDACT_PATHS], censor: REDACTED },
    hooks: { streamWrite: scrubSecretText },
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
