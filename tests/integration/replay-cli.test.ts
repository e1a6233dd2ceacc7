/**
 * `traderv3 replay` over the embedded database: the session is read page by page while it is
 * replayed, and the JSON line's digest is the same run after run (and the same as a replay of the
 * session read whole).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { simBookStream } from '../../models/sim-stream.js';
import { runReplay } from '../../src/cli/replay.js';
import { migrate, openDatabase } from '../../src/persistence/index.js';
import { loadSession, recordStream, replaySession } from '../../src/replay/index.js';

/** Runs the command, returns its last stdout line as JSON. */
async function replayLine(dataDir: string, session: string): Promise<Record<string, unknown>> {
  const out: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out.push(String(chunk));
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    expect(await runReplay({ session, dataDir, actorMarketMode: 'all' })).toBe(0);
  } finally {
    vi.restoreAllMocks();
  }
  const lines = out.join('').trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as Record<string, unknown>;
}

describe('traderv3 replay (the command)', () => {
  afterEach(() => vi.restoreAllMocks());

  it('replays a recorded session read page by page, with a stable digest', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'tv3-replay-cli-')), 'data');
    const records = await simBookStream({ seed: 4, steps: 1_500, markets: 2 });
    const database = await openDatabase({ dataDir });
    let id: string;
    let whole: Awaited<ReturnType<typeof replaySession>>;
    try {
      await migrate(database);
      id = await recordStream(database, records, { config: { strategy: 'policy' } });
      whole = await replaySession(await loadSession(database, id), { marketMode: 'all' });
    } finally {
      await database.close();
    }
    const a = await replayLine(dataDir, id.slice(0, 8));
    const b = await replayLine(dataDir, id);
    expect(a).toMatchObject({ event: 'replay', session: id, strategy: 'policy', records: records.length });
    expect(a.decisions).toBe(whole.decided);
    expect(a.digest).toBe(whole.digest);
    expect(b.digest).toBe(a.digest);
  }, 120_000);
});
