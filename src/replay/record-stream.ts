/**
 * Writes a book stream into the record as a session of its own (the rows the live recorder would
 * have written for it): how simulator streams made on a simulated clock (models/sim-stream.ts)
 * become "recorded sessions" for `traderv3 train` and `traderv3 replay`.
 */
import type { Database } from '../persistence/index.js';
import { createRepositories } from '../persistence/index.js';
import type { BookRecord } from '../policy/index.js';

export async function recordStream(
  database: Database,
  records: readonly BookRecord[],
  session: { id?: string; config: Record<string, unknown> },
): Promise<string> {
  const repos = createRepositories(database);
  const first = records[0]?.receivedMs ?? 0;
  const s = await repos.sessions.start({
    ...(session.id ? { id: session.id } : {}),
    environment: 'sim',
    config: session.config,
    dryRun: false,
    startedAt: new Date(first),
  });
  const snapshots = [];
  const deltas = [];
  for (const r of records) {
    const at = new Date(r.receivedMs);
    if ('side' in r) {
      deltas.push({
        sessionId: s.id,
        ticker: r.ticker,
        sid: r.sid,
        seq: r.seq,
        side: r.side,
        price: r.price,
        delta: r.delta,
        clientOrderId: null,
        exchangeTs: null,
        receivedAt: at,
      });
    } else {
      snapshots.push({
        sessionId: s.id,
        ticker: r.ticker,
        sid: r.sid,
        seq: r.seq,
        yes: r.yes.map(([p, c]) => [p, c] as const),
        no: r.no.map(([p, c]) => [p, c] as const),
        receivedAt: at,
      });
    }
  }
  for (let i = 0; i < snapshots.length; i += 2_000)
    await repos.bulk.insertSnapshots(snapshots.slice(i, i + 2_000));
  for (let i = 0; i < deltas.length; i += 5_000) await repos.bulk.insertDeltas(deltas.slice(i, i + 5_000));
  await repos.sessions.end(s.id, { status: 'ended', summary: { records: records.length } });
  return s.id;
}
