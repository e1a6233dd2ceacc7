/**
 * A recorded session's book stream, read back from the database in the order it happened:
 * orderbook_snapshots and orderbook_deltas merged by received time, then by subscription and
 * sequence number (a subscription's seq orders its snapshots and deltas; a snapshot before a delta
 * of the same moment and seq; the row id last, so the order is total). Every recorded delta was
 * applied live unless the book was resyncing (the record does not keep that flag: a delta between
 * a gap and its resync snapshot is applied here and overwritten by the snapshot).
 *
 * Read in keyset pages (`pageSize` rows, default 20,000): each page is one query that continues
 * after the last row of the previous one on (received_at, sid, seq, kind, id) — each table's part
 * walks its (session_id, received_at) index — so a replay holds one page, not the whole session,
 * and never re-reads or skips a row however the pages fall. The next page is asked for before the
 * current one is handed out, so with a Postgres server the read overlaps the replay (PGlite runs in
 * this thread: ~25–40k rows/s here, the bound of `traderv3 replay` on the embedded database).
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

/** What a recorded session says besides its book stream. */
export interface SessionHeader {
  readonly id: string;
  readonly strategy: string | undefined;
  /** The account's cash when the session opened, when the record knows it (a sim's balance). */
  readonly openingCash: Micros | undefined;
  /**
   * When the recorded machine could take intents (READY or ACTING), as [from, to) epoch-ms
   * intervals; undefined when the record has no transitions (the replay may act throughout).
   */
  readonly tradingWindows?: ReadonlyArray<readonly [number, number]>;
  /** The session's recorded (redacted) configuration. */
  readonly config: Readonly<Record<string, unknown>>;
}

/** A session with its whole book stream in memory. */
export interface RecordedSession extends SessionHeader {
  readonly records: readonly BookRecord[];
}

/** A session whose book stream is read page by page while it is replayed (the database stays open). */
export interface StreamedSession extends SessionHeader {
  readonly records: AsyncIterable<readonly BookRecord[]>;
  /** Snapshots and deltas recorded (for a progress bar). */
  readonly count: number;
}

type Row = {
  k: number;
  id: number;
  ticker: string;
  sid: number;
  seq: number;
  yes: Array<[number, number]> | null;
  no: Array<[number, number]> | null;
  side: 'yes' | 'no' | null;
  price: number | null;
  delta: number | null;
  received_ms: number;
  /** received_at as Postgres prints it (microseconds kept): the next page's key. */
  at: string;
};

const DEFAULT_PAGE_SIZE = 20_000;

/** One table's part of a page: its rows after the key (k: 0 snapshot, 1 delta), a page at most. */
const part = (k: 0 | 1, table: string, columns: string) => `
    (select ${k} as k, id, ticker, sid, seq, ${columns},
            received_at, (extract(epoch from received_at) * 1000)::float8 as received_ms,
            received_at::text as at
       from ${table}
      where session_id = $1 and received_at >= $2::timestamptz
        and (received_at, sid, seq, ${k}, id) > ($2::timestamptz, $3::int, $4::int, $5::int, $6::bigint)
      order by received_at, sid, seq, id limit $7)`;

/** One page: both parts merged; $2..$6 the last row's key, $7 the page size. */
const PAGE_SQL = `select k, id, ticker, sid, seq, yes, no, side, price, delta, received_ms, at from (
  ${part(0, 'orderbook_snapshots', 'yes, no, null as side, null::int as price, null::int as delta')}
  union all
  ${part(1, 'orderbook_deltas', 'null as yes, null as no, side, price, delta')}
) s order by received_at, sid, seq, k, id limit $7`;

function toRecord(r: Row): BookRecord {
  const receivedMs = Math.round(r.received_ms);
  if (r.k === 0) {
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
}

/** The session's book stream in keyset pages of `pageSize` rows (see the header). */
async function* bookPages(
  database: Database,
  sessionId: string,
  pageSize: number,
): AsyncGenerator<readonly BookRecord[]> {
  const page = (key: readonly [string, number, number, number, number]) =>
    database.query<Row>(PAGE_SQL, [sessionId, ...key, pageSize]);
  // Before every row: the epoch, and a key no row can be below.
  let next: Promise<Row[]> | undefined = page(['-infinity', -(2 ** 31), -(2 ** 31), -1, -1]);
  try {
    while (next) {
      const rows: Row[] = await next;
      next = undefined;
      if (rows.length === 0) return;
      const l = rows[rows.length - 1]!;
      // The next page is asked for before this one is replayed (a server works meanwhile).
      if (rows.length === pageSize) next = page([l.at, l.sid, l.seq, l.k, l.id]);
      yield rows.map(toRecord);
    }
  } finally {
    // Stopped early: the page asked ahead is not wanted (nor its error).
    next?.catch(() => undefined);
  }
}

async function readHeader(database: Database, sessionId: string): Promise<SessionHeader> {
  const sessions = await database.query<{ id: string; config: Record<string, unknown> | null }>(
    'select id, config from trading_sessions where id = $1',
    [sessionId],
  );
  const session = sessions[0];
  if (!session) {
    throw new ReplayError('REPLAY_SESSION_UNKNOWN', `replay: no session ${sessionId} in ${database.target}`);
  }
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
    ...(transitions.length > 0 ? { tradingWindows } : {}),
    config,
  };
}

/** A session to replay while it is read: its header now, its book stream page by page. */
export async function openSession(
  database: Database,
  sessionId: string,
  opts: { pageSize?: number } = {},
): Promise<StreamedSession> {
  const header = await readHeader(database, sessionId);
  const counted = await database.query<{ n: number }>(
    `select ((select count(*) from orderbook_snapshots where session_id = $1)
           + (select count(*) from orderbook_deltas where session_id = $1))::int as n`,
    [sessionId],
  );
  const count = counted[0]?.n ?? 0;
  if (count === 0) {
    throw new ReplayError('REPLAY_SESSION_EMPTY', `replay: session ${sessionId} recorded no order book`);
  }
  const pageSize = opts.pageSize ?? DEFAULT_PAGE_SIZE;
  return {
    ...header,
    count,
    records: { [Symbol.asyncIterator]: () => bookPages(database, sessionId, pageSize) },
  };
}

/** A session with its whole book stream read into memory (training reads sessions so). */
export async function loadSession(
  database: Database,
  sessionId: string,
  opts: { pageSize?: number } = {},
): Promise<RecordedSession> {
  const streamed = await openSession(database, sessionId, opts);
  const records: BookRecord[] = [];
  for await (const page of streamed.records) for (const r of page) records.push(r);
  const { count: _count, ...header } = streamed;
  return { ...header, records };
}
