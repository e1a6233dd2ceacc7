/**
 * A recorded session's book stream, read back from the database in the order it happened:
 * orderbook_snapshots and orderbook_deltas merged by received time, then by subscription and
 * sequence number (a subscription's seq orders its snapshots and deltas). Every recorded delta was
 * applied live unless the book was resyncing (the record does not keep that flag: a delta between
 * a gap and its resync snapshot is applied here and overwritten by the snapshot).
 */
import type { BookDeltaRecord, BookSnapshotRecord } from '../bus.js';
import type { Micros } from '../domain/index.js';
import type { Database } from '../persistence/index.js';
import type { BookRecord } from '../policy/index.js';

export class ReplayError extends Error {
  readonly code: 'REPLAY_SESSION_UNKNOWN' | 'REPLAY_SESSION_EMPTY';
  constructor(code: ReplayError['code'], message: string) {
    super(message);
    this.name = 'ReplayError';
    this.code = code;
  }
}

export interface RecordedSession {
  readonly id: string;
  readonly strategy: string | undefined;
  /** The account's cash when the session opened, when the record knows it (a sim's balance). */
  readonly openingCash: Micros | undefined;
  readonly records: readonly BookRecord[];
  /**
   * When the recorded machine could take intents (READY or ACTING), as [from, to) epoch-ms
   * intervals; undefined when the record has no transitions (the replay may act throughout).
   */
  readonly tradingWindows?: ReadonlyArray<readonly [number, number]>;
  /** The session's recorded (redacted) configuration. */
  readonly config: Readonly<Record<string, unknown>>;
}

type Row = {
  kind: 'snapshot' | 'delta';
  ticker: string;
  sid: number;
  seq: number;
  yes: Array<[number, number]> | null;
  no: Array<[number, number]> | null;
  side: 'yes' | 'no' | null;
  price: number | null;
  delta: number | null;
  received_ms: number;
};

export async function loadSession(database: Database, sessionId: string): Promise<RecordedSession> {
  const sessions = await database.query<{ id: string; config: Record<string, unknown> | null }>(
    'select id, config from trading_sessions where id = $1',
    [sessionId],
  );
  const session = sessions[0];
  if (!session) {
    throw new ReplayError('REPLAY_SESSION_UNKNOWN', `replay: no session ${sessionId} in ${database.target}`);
  }
  const rows = await database.query<Row>(
    `select * from (
       select 'snapshot' as kind, ticker, sid, seq, yes, no, null as side, null::int as price, null::int as delta,
              (extract(epoch from received_at) * 1000)::float8 as received_ms
         from orderbook_snapshots where session_id = $1
       union all
       select 'delta' as kind, ticker, sid, seq, null as yes, null as no, side, price, delta,
              (extract(epoch from received_at) * 1000)::float8 as received_ms
         from orderbook_deltas where session_id = $1
     ) s order by received_ms, sid, seq, kind desc`,
    [sessionId],
  );
  if (rows.length === 0) {
    throw new ReplayError('REPLAY_SESSION_EMPTY', `replay: session ${sessionId} recorded no order book`);
  }
  const records: BookRecord[] = rows.map((r): BookRecord => {
    const receivedMs = Math.round(r.received_ms);
    if (r.kind === 'snapshot') {
      const s: BookSnapshotRecord = {
        ticker: r.ticker,
        sid: r.sid,
        seq: r.seq,
        yes: r.yes ?? [],
        no: r.no ?? [],
        receivedMs,
      };
      return s;
    }
    const d: BookDeltaRecord = {
      ticker: r.ticker,
      sid: r.sid,
      seq: r.seq,
      side: r.side ?? 'yes',
      price: r.price ?? 0,
      delta: r.delta ?? 0,
      receivedMs,
      applied: true,
    };
    return d;
  });
  const transitions = await database.query<{ to_state: string; at_ms: number }>(
    `select to_state, (extract(epoch from at) * 1000)::float8 as at_ms
       from machine_transitions where session_id = $1 order by at, id`,
    [sessionId],
  );
  const tradingWindows: Array<readonly [number, number]> = [];
  let openedAt: number | undefined;
  for (const t of transitions) {
    const trading = t.to_state === 'READY' || t.to_state === 'ACTING';
    const at = Math.round(t.at_ms);
    if (trading && openedAt === undefined) openedAt = at;
    if (!trading && openedAt !== undefined) {
      tradingWindows.push([openedAt, at]);
      openedAt = undefined;
    }
  }
  if (openedAt !== undefined) tradingWindows.push([openedAt, Number.POSITIVE_INFINITY]);
  const config = session.config ?? {};
  const sim = config.sim as { balanceMicros?: unknown } | undefined;
  const openingCash = typeof sim?.balanceMicros === 'number' ? sim.balanceMicros : undefined;
  return {
    id: session.id,
    strategy: typeof config.strategy === 'string' ? config.strategy : undefined,
    openingCash,
    records,
    ...(transitions.length > 0 ? { tradingWindows } : {}),
    config,
  };
}
