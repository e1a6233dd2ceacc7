/**
 * Opening the trading record at start: this run's session on its exchange (exchange-key.ts), and
 * what an earlier run on the same exchange left behind — the crash-recovery inputs:
 *
 * - sessions on this exchange still marked `running` whose process is gone (this host, pid not
 *   alive) belong to runs that died: they are marked `crashed`. A running session of a live
 *   process, or of another host, is left alone (several traders may share one Postgres);
 * - orders recorded (write-ahead) on this exchange that may still be live are handed to the
 *   OrderService to restore, with fill totals that follow from the fills table; calibration then
 *   resolves them by client_order_id (never resends);
 * - fills are read back from the exchange since the earliest such run started, so the ones that
 *   landed while no trader was running are recorded; the fills already in the database are not
 *   entered twice, and the ledger continues from its last balance on this exchange;
 * - a breaker an earlier run on this exchange tripped and no operator reset stays tripped
 *   (DESIGN §6 rule 4): a restart, a crash or a supervisor's respawn does not lift a halt;
 * - the money breakers' day open and peak equity continue (MoneyWatch, repos/money.ts).
 *
 * A new simulator (embedded or external) is a new exchange, so nothing is carried over there.
 */
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { redactedConfig, type TraderConfig } from '../config/index.js';
import type { Micros, TrackedOrder } from '../domain/index.js';
import type { BreakerEventRow, Database, MoneyFacts, Repositories } from '../persistence/index.js';

export interface OpenRecord {
  repos: Repositories;
  sessionId: string;
  exchange: string;
  /** Open orders of an earlier run on this exchange, to hand to OrderService.restore. */
  restoreOrders: TrackedOrder[];
  /** Fills the database already holds from the recovery window (counted before; never entered twice). */
  knownFillIds: string[];
  knownSettlementRefs: string[];
  /** Fill ids whose cash / fee entries the ledger has (see RecorderDeps.knownFillLedgerRefs). */
  knownFillLedgerRefs: { fill: string[]; fee: string[] };
  openingBalance: Micros | undefined;
  fillsSinceMs: number;
  /** A breaker trip on this exchange that no operator has reset since: this run starts halted. */
  openBreaker: BreakerEventRow | undefined;
  /** The UTC day's opening equity and the peak equity earlier runs on this exchange recorded. */
  money: MoneyFacts;
  /** Sessions of dead runs on this exchange that were marked crashed now. */
  crashedSessions: string[];
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A session marked running whose process cannot be alive (this host, pid gone or unknown). */
function isDeadRun(s: { pid: number | null; host: string | null }): boolean {
  if (s.host !== null && s.host !== hostname()) return false;
  return s.pid === null || s.pid === process.pid || !isAlive(s.pid);
}

export async function openRecord(
  config: TraderConfig,
  database: Database,
  repos: Repositories,
  exchange: string,
  sessionStart: number,
  logger: Logger,
): Promise<OpenRecord> {
  const running = await repos.sessions.list({ status: 'running', exchange, limit: 1000 });
  const crashed: string[] = [];
  let fillsSinceMs = sessionStart;
  for (const s of running) {
    if (!isDeadRun(s)) {
      logger.warn(
        { event: 'session_still_running', session: s.id, pid: s.pid, host: s.host },
        'another session on this exchange is still running',
      );
      continue;
    }
    await repos.sessions.end(s.id, { status: 'crashed' });
    crashed.push(s.id);
    fillsSinceMs = Math.min(fillsSinceMs, s.startedAt.getTime());
  }

  const restore: TrackedOrder[] = [];
  for (const o of await repos.orders.loadOpen({ exchange })) {
    const { sessionId: _s, ...order } = o;
    restore.push(order);
    fillsSinceMs = Math.min(fillsSinceMs, o.createdMs);
  }

  // The ledger continues from the newest earlier session on this exchange that has a balance.
  // What the exchange did for us since that session stopped (a settlement overnight, a fill of an
  // order left resting) is read back from then, so it is booked as what it was, not as drift.
  let openingBalance: Micros | undefined;
  for (const earlier of await repos.sessions.list({ exchange, limit: 20 })) {
    openingBalance = await repos.ledger.balanceAfterLast(earlier.id);
    if (openingBalance === undefined) continue;
    const stopped = earlier.status === 'ended' && earlier.endedAt ? earlier.endedAt : earlier.startedAt;
    fillsSinceMs = Math.min(fillsSinceMs, stopped.getTime());
    break;
  }

  // Fills and settlements the database already has from that window: counted before, never
  // entered twice (calibration reads both back from fillsSinceMs).
  const known = await repos.fills.idsSince(exchange, new Date(fillsSinceMs - 60_000));
  const knownSettlementRefs = await repos.ledger.refsSince(
    exchange,
    'settlement',
    new Date(fillsSinceMs - 60_000),
  );
  // Fills and their ledger entries are written by separate flushes: a kill -9 between them leaves
  // one without the other, so the ledger's own refs say which fills' cash is booked.
  const knownFillLedgerRefs = {
    fill: await repos.ledger.refsSince(exchange, 'fill', new Date(fillsSinceMs - 60_000)),
    fee: await repos.ledger.refsSince(exchange, 'fee', new Date(fillsSinceMs - 60_000)),
  };

  const last = await repos.risk.lastBreakerEvent(exchange);
  const openBreaker = last?.kind === 'breaker_tripped' ? last : undefined;
  const money = await repos.money.restore(exchange);

  const session = await repos.sessions.start({
    environment: config.env,
    exchange,
    config: redactedConfig(config),
    dryRun: config.strategy === 'none',
    startedAt: new Date(sessionStart),
  });
  logger.info(
    {
      event: 'record',
      database: database.target,
      session: session.id,
      exchange,
      crashed_sessions: crashed.length,
      orders_to_restore: restore.length,
    },
    'trading record open',
  );
  return {
    repos,
    sessionId: session.id,
    exchange,
    restoreOrders: restore,
    knownFillIds: known,
    knownSettlementRefs,
    knownFillLedgerRefs,
    openingBalance,
    fillsSinceMs,
    openBreaker,
    money,
    crashedSessions: crashed,
  };
}
