/**
 * Opening the trading record at start: the database (Postgres with DATABASE_URL, embedded PGlite
 * under the data dir otherwise), its migrations, this run's session, and what an earlier run on the
 * same exchange left behind — the crash-recovery inputs:
 *
 * - sessions still marked `running` belong to runs that died: they are marked `crashed`;
 * - orders recorded (write-ahead) by an earlier run that may still be live are handed to the
 *   OrderService to restore; calibration then resolves them by client_order_id (never resends);
 * - fills are read back from the exchange since the earliest such run started, so the ones that
 *   landed while no trader was running are recorded; the fills already in the database are not
 *   entered in the ledger twice, and the ledger continues from its last balance;
 * - a breaker an earlier run tripped and no operator reset stays tripped (DESIGN §6 rule 4): a
 *   restart, a crash or a supervisor's respawn does not lift a halt.
 *
 * "The same exchange" is the same environment and REST URL. An embedded simulator is a new
 * exchange every run, so nothing is carried over there.
 */
import type { Logger } from 'pino';
import { redactedConfig, type TraderConfig } from '../config/index.js';
import type { Micros, TrackedOrder } from '../domain/index.js';
import {
  type BreakerEventRow,
  createRepositories,
  type Database,
  describeTarget,
  migrate,
  openDatabase,
  type Repositories,
} from '../persistence/index.js';

export interface OpenRecord {
  database: Database;
  repos: Repositories;
  sessionId: string;
  /** Open orders of an earlier run on this exchange, to hand to OrderService.restore. */
  restoreOrders: TrackedOrder[];
  /** Fills the database already holds from the recovery window (counted before; never entered twice). */
  knownFillIds: string[];
  openingBalance: Micros | undefined;
  fillsSinceMs: number;
  /** A breaker trip on this exchange that no operator has reset since: this run starts halted. */
  openBreaker: BreakerEventRow | undefined;
}

function sameExchange(config: TraderConfig, stored: Record<string, unknown>, environment: string): boolean {
  const env = config.env === 'paper' ? 'demo' : config.env;
  return environment === env && stored.restUrl === config.restUrl && config.restUrl !== undefined;
}

export async function openRecord(
  config: TraderConfig,
  embeddedExchange: boolean,
  sessionStart: number,
  logger: Logger,
): Promise<OpenRecord> {
  const target = config.databaseUrl ? { url: config.databaseUrl } : { dataDir: config.dataDir };
  const database = await openDatabase(target);
  try {
    await migrate(database);
    const repos = createRepositories(database);

    const earlier = await repos.sessions.list({ status: 'running', limit: 100 });
    const relevant: string[] = [];
    let fillsSinceMs = sessionStart;
    for (const s of earlier) {
      await repos.sessions.end(s.id, { status: 'crashed' });
      const full = await repos.sessions.get(s.id);
      if (!embeddedExchange && full && sameExchange(config, full.config, full.environment)) {
        relevant.push(s.id);
        fillsSinceMs = Math.min(fillsSinceMs, s.startedAt.getTime());
      }
    }

    const restore: TrackedOrder[] = [];
    if (!embeddedExchange) {
      // Many open orders share a session: read each session once.
      const sameExchangeBySession = new Map<string, boolean>();
      for (const o of await repos.orders.loadOpen()) {
        let same = sameExchangeBySession.get(o.sessionId);
        if (same === undefined) {
          const session = await repos.sessions.get(o.sessionId);
          same = session !== undefined && sameExchange(config, session.config, session.environment);
          sameExchangeBySession.set(o.sessionId, same);
        }
        if (!same) continue;
        const { sessionId: _s, ...order } = o;
        restore.push(order);
        fillsSinceMs = Math.min(fillsSinceMs, o.createdMs);
      }
    }

    // Fills the database already has from that window: counted before, never entered twice.
    const known = embeddedExchange
      ? []
      : (
          await database.query<{ fill_id: string }>('select fill_id from fills where created_at >= $1', [
            new Date(fillsSinceMs - 60_000),
          ])
        ).map((r) => r.fill_id);

    let openingBalance: Micros | undefined;
    const previous = relevant[0];
    if (previous !== undefined) openingBalance = await repos.ledger.balanceAfterLast(previous);
    if (openingBalance === undefined && !embeddedExchange) {
      // Otherwise the ledger continues from the latest cleanly ended run on this exchange.
      for (const ended of await repos.sessions.list({ status: 'ended', limit: 20 })) {
        const full = await repos.sessions.get(ended.id);
        if (!full || !sameExchange(config, full.config, full.environment)) continue;
        openingBalance = await repos.ledger.balanceAfterLast(ended.id);
        break;
      }
    }

    let openBreaker: BreakerEventRow | undefined;
    if (!embeddedExchange && config.restUrl !== undefined) {
      const last = await repos.risk.lastBreakerEvent(
        config.env === 'paper' ? 'demo' : config.env,
        config.restUrl,
      );
      if (last?.kind === 'breaker_tripped') openBreaker = last;
    }

    const session = await repos.sessions.start({
      environment: config.env,
      config: redactedConfig(config),
      dryRun: config.strategy === 'none',
      startedAt: new Date(sessionStart),
    });
    logger.info(
      {
        event: 'record',
        database: describeTarget(target),
        session: session.id,
        crashed_sessions: earlier.length,
        orders_to_restore: restore.length,
      },
      'trading record open',
    );
    return {
      database,
      repos,
      sessionId: session.id,
      restoreOrders: restore,
      knownFillIds: known,
      openingBalance,
      fillsSinceMs,
      openBreaker,
    };
  } catch (err) {
    await database.close().catch(() => undefined);
    throw err;
  }
}
