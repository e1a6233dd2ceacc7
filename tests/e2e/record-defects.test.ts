/**
 * The record never loses rows quietly (issue 7, items 1 and 3), checked with real processes:
 *
 * - Two runs of `traderv3 start --env sim` on the same data folder: each embedded simulator is a new
 *   exchange whose order and trade ids repeat the last one's. Both runs exit 0, both sessions end
 *   `ended`, and the second session holds every fill its summary counts.
 * - One trader per data folder, whatever the database: a second trader on the same --data-dir is
 *   refused (exit 2) even with DATABASE_URL, and the first keeps its control.json.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/persistence/index.js';
import { freshPostgresDatabase, TEST_DATABASE_URL } from '../persistence/drivers.js';
import { type LogLine, spawnTrader, type TraderProcess } from './harness.js';

const dirs: string[] = [];
const running: TraderProcess[] = [];
afterAll(() => {
  for (const t of running.splice(0)) t.kill();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'tv3-record-'));
  dirs.push(d);
  return d;
}

function summaryOf(t: TraderProcess): LogLine {
  const s = t.lines.findLast((l) => l.event === 'summary');
  if (!s) throw new Error(`no summary line.\n${t.tail()}`);
  return s;
}

describe('the record across runs on one data folder', () => {
  it('a second run on the same --data-dir records every fill and ends cleanly', async () => {
    const dataDir = tempDir();
    const sessions: string[] = [];
    for (let run = 0; run < 2; run++) {
      const t = spawnTrader([
        'start',
        '--env',
        'sim',
        '--duration',
        '8',
        '--data-dir',
        dataDir,
        '--sim-rate',
        '40',
      ]);
      running.push(t);
      expect(await t.exited, t.tail()).toBe(0);
      const failures = t.lines.filter(
        (l) => l.event === 'db_write_failed' || l.event === 'record_write_failing',
      );
      expect(failures, t.tail()).toEqual([]);
      sessions.push(String(t.lines.find((l) => l.event === 'record')?.session));
      expect(Number(summaryOf(t).fills), 'the run must trade for the test to mean anything').toBeGreaterThan(
        0,
      );
    }
    const database = await openDatabase({ dataDir });
    try {
      const rows = await database.query<{
        id: string;
        status: string;
        fills: number;
        summary: { fills: number };
      }>(
        `select s.id, s.status, s.summary, (select count(*)::int from fills f where f.session_id = s.id) as fills
           from trading_sessions s order by s.started_at`,
      );
      expect(rows.map((r) => r.id)).toEqual(sessions);
      for (const r of rows) {
        expect(r.status).toBe('ended');
        expect(r.fills).toBe(r.summary.fills);
      }
    } finally {
      await database.close();
    }
  }, 300_000);
});

describe('one trader per data folder', () => {
  const withDb = TEST_DATABASE_URL ? it : it.skip;
  withDb(
    'a second trader on the same --data-dir is refused even with DATABASE_URL',
    async () => {
      const fresh = await freshPostgresDatabase(TEST_DATABASE_URL!);
      const dataDir = tempDir();
      try {
        const env = { DATABASE_URL: fresh.url };
        const first = spawnTrader(['start', '--env', 'sim', '--data-dir', dataDir, '--sim-rate', '0'], env);
        running.push(first);
        await first.waitFor((l) => l.event === 'control', 60_000);
        const control = readFileSync(join(dataDir, 'control.json'), 'utf8');

        const second = spawnTrader(['start', '--env', 'sim', '--data-dir', dataDir, '--sim-rate', '0'], env);
        running.push(second);
        expect(await second.exited).toBe(2);
        expect(second.stderr).toMatch(/the data folder .* is in use by process \d+/);
        expect(second.lines.filter((l) => l.event === 'state')).toEqual([]);
        // The first trader is untouched and still reachable through its control.json.
        expect(readFileSync(join(dataDir, 'control.json'), 'utf8')).toBe(control);
        first.kill('SIGTERM');
        expect(await first.exited).toBe(0);
        expect(existsSync(join(dataDir, 'trader.lock'))).toBe(false);
      } finally {
        await fresh.drop();
      }
    },
    120_000,
  );
});
