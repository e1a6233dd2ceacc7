/**
 * `traderv3 report --strategy edge` while a trader holds the embedded database: like `report`, it
 * asks the trader (control `/record`, which answers from the trader's own connection) instead of
 * opening the folder, which one owner at a time may hold. Here this process plays the trader: it
 * holds the PGlite folder and serves its record through the control API.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEdgeReport } from '../../src/cli/report.js';
import { createRepositories, type Database, migrate, openDatabase } from '../../src/persistence/index.js';
import { runRecordQuery } from '../../src/report/index.js';
import { type ControlServer, startControlServer } from '../../src/server/index.js';

const dir = mkdtempSync(join(tmpdir(), 'tv3-edge-report-'));
const dataDir = join(dir, 'data');
let database: Database;
let server: ControlServer;
const unused = async () => ({});

beforeAll(async () => {
  database = await openDatabase({ dataDir });
  await migrate(database);
  const session = await createRepositories(database).sessions.start({
    environment: 'sim',
    config: { env: 'sim', strategy: 'edge' },
    dryRun: true,
  });
  const decision = (signal: string, trade: boolean) =>
    database.query(
      `insert into decisions (session_id, at, ticker, strategy, action, reason, details)
       values ($1, now(), 'KXHIGHCHI-26NOV30-B47.5', 'edge', $2, $3, $4)`,
      [
        session.id,
        trade ? 'trade' : 'hold',
        signal,
        JSON.stringify({ city: 'CHI', event_date: '2026-11-30', signal, should_trade: trade }),
      ],
    );
  await decision('no_trade', false);
  await decision('buy_yes', true);
  server = await startControlServer({
    target: {
      status: unused,
      sync: unused,
      halt: unused,
      resume: unused,
      cancelAll: unused,
      record: (q) => runRecordQuery(database, q),
    },
    dataDir,
  });
}, 120_000);

afterAll(async () => {
  await server?.close();
  await database?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('report --strategy edge while the trader runs', () => {
  it('answers through the trader that holds the database', async () => {
    const out: string[] = [];
    const io = { stdout: (t: string) => void out.push(t), stderr: () => {}, tty: false };
    expect(await runEdgeReport({ dataDir, json: true }, {}, io)).toBe(0);
    const { edge } = JSON.parse(out.join('')) as { edge: Array<Record<string, unknown>> };
    expect(edge).toEqual([
      expect.objectContaining({
        city: 'CHI',
        eventDate: '2026-11-30',
        evaluations: 2,
        signals: 1,
        trades: 1,
      }),
    ]);
  });

  it('takes a session prefix, as report does', async () => {
    const [session] = await createRepositories(database).sessions.list({ limit: 1 });
    const out: string[] = [];
    const io = { stdout: (t: string) => void out.push(t), stderr: () => {}, tty: false };
    await runEdgeReport({ dataDir, json: true, session: session!.id.slice(0, 8) }, {}, io);
    expect((JSON.parse(out.join('')) as { edge: unknown[] }).edge).toHaveLength(1);
  });
});
