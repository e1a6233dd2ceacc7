/**
 * Everything a run holds before its machine starts, taken in an order that fails fast on ordinary
 * misconfiguration before anything is started: the data folder's lock, then at once the database
 * (and its migrations) and the exchange (an embedded simulator starts here), its identity, then the session
 * on it (crash recovery's inputs: record.ts). On failure, what was taken is given back in reverse.
 */
import type { Logger } from 'pino';
import type { TraderConfig } from '../config/index.js';
import {
  createRepositories,
  type Database,
  type FolderLock,
  lockDataDir,
  migrate,
  openDatabase,
  TRADER_PGLITE,
} from '../persistence/index.js';
import { type Endpoints, resolveEndpoints } from './endpoints.js';
import { exchangeKey } from './exchange-key.js';
import { type OpenRecord, openRecord } from './record.js';

export interface Run {
  readonly lock: FolderLock;
  readonly database: Database;
  readonly endpoints: Endpoints;
  readonly record: OpenRecord;
}

export async function openRun(
  config: TraderConfig,
  logger: Logger,
  sessionStart: number,
  heldLock?: FolderLock,
  opening?: Promise<Database>,
): Promise<Run> {
  const undo: Array<() => unknown> = [];
  // A database the caller began opening is ours to close should anything below fail.
  if (opening !== undefined) undo.push(() => opening.then((d) => d.close()));
  try {
    const lock = heldLock ?? lockDataDir(config.dataDir);
    undo.push(() => lock.release());
    // The database (open + migrations) and the exchange (an embedded simulator starts) do not
    // depend on each other: start both at once, and give back whichever came up if the other failed.
    const [opened, resolved] = await Promise.allSettled([
      (async () => {
        // The embedded Postgres runs on a thread of its own: its opening and every write of the
        // record stay off the event loop that trades (persistence/pglite-thread.ts).
        const database = await (opening ??
          openDatabase(
            config.databaseUrl ? { url: config.databaseUrl } : { dataDir: config.dataDir, ...TRADER_PGLITE },
          ));
        if (opening === undefined) undo.push(() => database.close());
        await migrate(database);
        return database;
      })(),
      (async () => {
        const endpoints = await resolveEndpoints(config, logger);
        undo.push(() => endpoints.sim?.close());
        return endpoints;
      })(),
    ]);
    if (opened.status === 'rejected') throw opened.reason;
    if (resolved.status === 'rejected') throw resolved.reason;
    const database = opened.value;
    const endpoints = resolved.value;
    const exchange = await exchangeKey(config, endpoints.sim?.instanceId);
    const repos = createRepositories(database);
    const record = await openRecord(config, database, repos, exchange, sessionStart, logger);
    return { lock, database, endpoints, record };
  } catch (err) {
    for (const step of undo.reverse()) await Promise.resolve(step()).catch(() => undefined);
    throw err;
  }
}
