/**
 * Stopping through npx (issue 7, item 5): `npx traderv3 start` runs as npm → sh -c → node. A
 * supervisor's SIGTERM to the npx process must stop the trader gracefully (it used to leave it
 * orphaned and trading), and Ctrl-C in a terminal (SIGINT to the whole process group) too. The
 * trader's pid is read from its control.json; "gone" is checked with kill(pid, 0). The same for
 * `npx traderv3 exchange-sim`, whose "gone" is its port refusing connections.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const dirs: string[] = [];
const pids: number[] = [];
afterAll(() => {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(what: string, probe: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** `npx traderv3 ARGS` in its own process group, its stdout and stderr gathered. */
function spawnNpx(args: string[]): { npx: ChildProcess; out: () => string } {
  const npx = spawn('npx', ['traderv3', ...args], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  pids.push(npx.pid!);
  let out = '';
  npx.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  npx.stderr!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  return { npx, out: () => out };
}

/** `npx traderv3 start --env sim` in its own process group; resolves once its control API is up. */
async function startViaNpx(): Promise<{
  npx: ChildProcess;
  trader: number;
  out: () => string;
  dataDir: string;
}> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tv3-npx-'));
  dirs.push(dataDir);
  const { npx, out } = spawnNpx(['start', '--env', 'sim', '--data-dir', dataDir, '--sim-rate', '5']);
  const file = join(dataDir, 'control.json');
  await until('control.json', () => existsSync(file), 90_000);
  const trader = (JSON.parse(readFileSync(file, 'utf8')) as { pid: number }).pid;
  pids.push(trader);
  return { npx, trader, out, dataDir };
}

describe('npx traderv3 start', () => {
  it('SIGTERM to the npx process stops the trader gracefully', async () => {
    const run = await startViaNpx();
    expect(run.trader).not.toBe(run.npx.pid);
    process.kill(run.npx.pid!, 'SIGTERM');
    await until('the trader to exit', () => !alive(run.trader), 60_000);
    // The pipe closes once every writer is gone; the summary was the trader's last line.
    await until('the output to end', () => run.npx.stdout!.readableEnded || run.npx.stdout!.closed, 10_000);
    expect(run.out()).toMatch(/"event":"shutdown","reason":"launcher exited"/);
    expect(run.out()).toMatch(/"event":"summary"/);
    expect(existsSync(join(run.dataDir, 'trader.lock'))).toBe(false);
  }, 150_000);

  it('Ctrl-C (SIGINT to the process group) stops it gracefully with its summary', async () => {
    const run = await startViaNpx();
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      run.npx.once('exit', (code, signal) => resolve({ code, signal })),
    );
    process.kill(-run.npx.pid!, 'SIGINT');
    await until('the trader to exit', () => !alive(run.trader), 60_000);
    expect(run.out()).toMatch(/"event":"shutdown","reason":"SIGINT"/);
    expect(run.out()).toMatch(/"event":"summary"/);
    // npm reports the interrupt itself (130, or killed by SIGINT) whatever the command did; the
    // trader's own exit was clean (README: "Stopping").
    const { code, signal } = await exit;
    expect(code === 130 || signal === 'SIGINT').toBe(true);
  }, 150_000);
});

describe('npx traderv3 exchange-sim', () => {
  it('SIGTERM to the npx process stops the simulator (it used to keep its port, orphaned)', async () => {
    const { npx, out } = spawnNpx(['exchange-sim', '--port', '0', '--rate', '0']);
    await until('the simulator to listen', () => out().includes('"event":"listening"'), 90_000);
    const restUrl = (/"rest_url":"([^"]+)"/.exec(out()) as RegExpExecArray)[1] as string;
    expect((await fetch(`${restUrl}/exchange/status`)).status).toBe(200);
    process.kill(npx.pid!, 'SIGTERM');
    let refused = false;
    const end = Date.now() + 30_000;
    while (!refused && Date.now() < end) {
      refused = await fetch(`${restUrl}/exchange/status`).then(
        () => false,
        () => true,
      );
      if (!refused) await new Promise((r) => setTimeout(r, 200));
    }
    expect(refused).toBe(true);
    expect(out()).toMatch(/exchange-sim: launcher exited, stopping/);
  }, 150_000);
});
