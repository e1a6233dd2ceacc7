/**
 * How a run ends, once its machine has stopped (SHUTDOWN) or failed: everything that feeds the
 * machine is stopped first, then the sockets, the machine, the order group and the strategy; the
 * REST clients close only after the last order work; then the record is completed — and when a
 * row cannot be written, the rows still unwritten go to a file in the data folder and the summary
 * says so (a record that cannot be completed is an alarm, never a silent loss); the database, the
 * embedded simulator and the folder's lock go last, whatever happened before.
 */
import type { Logger } from 'pino';
import type { Actor } from 'xstate';
import type { TraderMachine } from '../../machines/index.js';
import type { Clients } from './clients.js';
import { dumpUnwritten } from './dump.js';
import type { OpenRecord } from './record.js';
import type { Services } from './services.js';
import type { TraderSummary } from './types.js';

interface Closable {
  close(): Promise<unknown>;
}

export interface RunEndingDeps {
  readonly dataDir: string;
  readonly logger: Logger;
  readonly actor: Actor<TraderMachine>;
  readonly bridge: { stop(): void };
  readonly clients: Pick<Clients, 'presigner' | 'rest' | 'marketRest'>;
  /** The strategy, the timers and the watchers (index.ts's stopActivity). */
  readonly stopActivity: () => Promise<void>;
  readonly services: Pick<Services, 'orderbook' | 'trading' | 'recorder'>;
  readonly group: { dispose(): void };
  readonly runner: { idle(): Promise<unknown> };
  readonly prepared: Closable;
  readonly record: Pick<OpenRecord, 'repos' | 'sessionId'>;
  readonly database: Closable;
  readonly sim: Closable | undefined;
  readonly lock: { release(): void };
  /** The run's figures (states, orders, fills, positions, P&L). */
  readonly summary: () => TraderSummary;
}

export interface RunEnding {
  /** Closes everything once; later calls return the same promise. */
  finish(): Promise<void>;
  /** The summary with how the run ended: a fatal failure, an incomplete record. */
  finalSummary(): TraderSummary;
}

export function runEnding(deps: RunEndingDeps): RunEnding {
  const { logger, actor, clients, services, record } = deps;
  /** What the record could not write at shutdown (rows dumped to a file), if anything. */
  let recordProblem: { error: string; file?: string } | undefined;
  let closing: Promise<void> | undefined;

  const completeRecord = async (): Promise<void> => {
    try {
      await services.recorder.close();
      await record.repos.sessions.end(record.sessionId, { status: 'ended', summary: deps.summary() });
    } catch (err) {
      recordProblem = { error: (err as Error).message };
      const unwritten = services.recorder.unwritten();
      if (unwritten.length > 0) recordProblem.file = dumpUnwritten(deps.dataDir, record.sessionId, unwritten);
      logger.error(
        {
          event: 'record_incomplete',
          error: recordProblem.error,
          unwritten: unwritten.map((u) => ({ kind: u.kind, rows: u.rows.length })),
          ...(recordProblem.file ? { file: recordProblem.file } : {}),
        },
        recordProblem.file
          ? `the record could not be completed; the unwritten rows are saved in ${recordProblem.file}`
          : 'the record could not be completed',
      );
    }
  };

  return {
    finish() {
      closing ??= (async () => {
        try {
          deps.bridge.stop();
          clients.presigner?.close();
          await deps.stopActivity().catch(() => undefined);
          await Promise.allSettled([services.orderbook.close(), services.trading.close()]);
          actor.stop();
          deps.group.dispose();
          await deps.runner.idle().catch(() => undefined);
          await deps.prepared.close().catch(() => undefined);
          await Promise.allSettled([clients.rest.close(), clients.marketRest.close()]);
          await completeRecord();
        } finally {
          await deps.database.close().catch(() => undefined);
          await deps.sim?.close().catch(() => undefined);
          deps.lock.release();
        }
      })();
      return closing;
    },

    finalSummary() {
      const { fatal, startupAttempts } = actor.getSnapshot().context;
      return {
        ...deps.summary(),
        ...(fatal === null
          ? {}
          : {
              failed: fatal.permanent
                ? fatal.message
                : `gave up after ${startupAttempts} failed attempts to connect; the last: ${fatal.message}`,
              failure: fatal.permanent ? ('permanent' as const) : ('unreachable' as const),
            }),
        ...(recordProblem === undefined
          ? {}
          : {
              record_complete: false as const,
              ...(recordProblem.file ? { unwritten_rows_file: recordProblem.file } : {}),
            }),
      };
    },
  };
}
