/**
 * Issue 11 §6: `sessions` and `report` (`--strategy edge` too) work while a trader runs on the
 * embedded database. PGlite has one owner, so the commands ask the running trader (its control
 * API's /record), which answers from its own connection; once it has stopped they read the folder
 * themselves.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, spawnTrader, type TraderProcess } from './harness.js';

const run = promisify(execFile);
const dirs: string[] = [];
const running: TraderProcess[] = [];
afterAll(() => {
  for (const t of running.splice(0)) t.kill();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The CLI on the embedded database (no DATABASE_URL), JSON out. */
async function cli(args: string[]): Promise<Record<string, unknown>> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.DATABASE_URL;
  const { stdout } = await run(process.execPath, [BIN, ...args], { env, timeout: 120_000 });
  return JSON.parse(stdout) as Record<string, unknown>;
}

describe('sessions and report while the trader runs', () => {
  it('answer through the running trader, then from the folder once it has stopped', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tv3-report-live-'));
    dirs.push(dataDir);
    const t = spawnTrader(['start', '--env', 'sim', '--data-dir', dataDir, '--markets', '2']);
    running.push(t);
    await t.waitForState('READY', 120_000);
    await t.waitFor((l) => l.event === 'fill', 120_000);

    const sessions = (await cli(['sessions', '--json', '--data-dir', dataDir])).sessions as Array<{
      id: string;
      status: string;
    }>;
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.status).toBe('running');
    const report = await cli(['report', '--json', '--data-dir', dataDir]);
    expect((report.pnl as unknown[]).length).toBe(1);
    expect((report.fills as unknown[]).length).toBeGreaterThan(0);
    const html = join(dataDir, 'report.html');
    const written = await cli(['report', '--html', html, '--data-dir', dataDir]);
    expect(written).toMatchObject({ report: { file: html } });
    expect(readFileSync(html, 'utf8')).toContain('<html');
    // The edge report too (this trader runs no edge strategy: no rows, but no "in use" either).
    expect(await cli(['report', '--strategy', 'edge', '--json', '--data-dir', dataDir])).toEqual({
      edge: [],
    });

    t.kill('SIGTERM');
    expect(await t.exited, t.tail()).toBe(0);
    expect(existsSync(join(dataDir, 'control.json'))).toBe(false);
    const after = (await cli(['sessions', '--json', '--data-dir', dataDir])).sessions as Array<{
      id: string;
      status: string;
    }>;
    expect(after.map((s) => [s.id, s.status])).toEqual([[sessions[0]!.id, 'ended']]);
  }, 420_000);
});
