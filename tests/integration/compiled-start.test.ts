/**
 * The command compiled at install (scripts/build-cli.ts, run by `prepare`) is the same program as
 * the sources: built into a scratch folder beside dist/, its `start` reaches READY on the embedded
 * simulator and stops cleanly — the runtime's variable import, the migrations folder and the
 * dashboard folder all resolve from the bundle's location.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { buildCli, ROOT } from '../../scripts/build-cli.js';

const outdir = join(ROOT, `.dist-test-${process.pid}`);
const dataDir = mkdtempSync(join(tmpdir(), 'traderv3-compiled-'));

afterAll(() => {
  rmSync(outdir, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the compiled command', () => {
  it('starts the trader on the embedded simulator, reaches READY and exits 0', async () => {
    await buildCli(outdir);
    const entry = pathToFileURL(join(outdir, 'cli', 'main.js')).href;
    const script = `const { main } = await import(${JSON.stringify(entry)}); await main(process.argv);`;
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        script,
        'traderv3', // argv[1], where commander expects the script
        'start',
        '--env',
        'sim',
        '--strategy',
        'none',
        '--duration',
        '2',
        '--data-dir',
        dataDir,
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const states: string[] = [];
    const events: string[] = [];
    createInterface({ input: child.stdout }).on('line', (text) => {
      try {
        const line = JSON.parse(text) as { event?: string; to?: string };
        if (line.event === 'state' && line.to) states.push(line.to);
        if (line.event) events.push(line.event);
      } catch {
        // not a log line
      }
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(states).toContain('READY');
    expect(states.at(-1)).toBe('SHUTDOWN');
    expect(events).toContain('dashboard');
  }, 180_000);
});
