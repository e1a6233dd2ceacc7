/**
 * The `traderv3 exchange-sim` command's contract, run as a real child process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { createSigner } from '../../src/kalshi/signer.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'traderv3.js');

interface Running {
  child: ChildProcess;
  listening: { event: string; rest_url: string; ws_url: string };
  stderr: () => string;
}

const children: ChildProcess[] = [];

async function runSim(args: string[]): Promise<Running> {
  const child = spawn(process.execPath, [BIN, 'exchange-sim', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`exchange-sim exited with ${code}: ${stderr}`)));
  });
  return { child, listening: JSON.parse(first), stderr: () => stderr };
}

function exitCode(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

async function signedGet(restUrl: string, path: string, creds: { key_id: string; private_key_pem: string }) {
  const signer = createSigner({ keyId: creds.key_id, privateKeyPem: creds.private_key_pem });
  const url = new URL(restUrl + path);
  return fetch(url, { headers: signer.headers('GET', url.pathname) });
}

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

describe('traderv3 exchange-sim', () => {
  it('prints the listening line, writes credentials, reuses them on restart, and stops on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-cli-'));
    const file = join(dir, 'creds.json');
    try {
      const first = await runSim([
        '--port',
        '0',
        '--seed',
        '3',
        '--markets',
        '6',
        '--balance',
        '250',
        '--credentials',
        file,
      ]);
      expect(first.listening.event).toBe('listening');
      expect(first.listening.rest_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/trade-api\/v2$/);
      expect(first.listening.ws_url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/trade-api\/ws\/v2$/);
      const creds = JSON.parse(readFileSync(file, 'utf8'));
      expect(Object.keys(creds).sort()).toEqual(['key_id', 'private_key_pem', 'rest_url', 'ws_url']);
      expect(creds.rest_url).toBe(first.listening.rest_url);

      const balance = await signedGet(first.listening.rest_url, '/portfolio/balance', creds);
      expect(balance.status).toBe(200);
      expect(await balance.json()).toMatchObject({ balance: 25_000, balance_dollars: '250.0000' });

      first.child.kill('SIGTERM');
      expect(await exitCode(first.child)).toBe(0);

      const second = await runSim(['--port', '0', '--credentials', file]);
      const again = JSON.parse(readFileSync(file, 'utf8'));
      expect(again.key_id).toBe(creds.key_id);
      expect(again.private_key_pem).toBe(creds.private_key_pem);
      expect(again.rest_url).toBe(second.listening.rest_url);
      const ok = await signedGet(second.listening.rest_url, '/portfolio/balance', creds);
      expect(ok.status).toBe(200);

      second.child.kill('SIGINT');
      expect(await exitCode(second.child)).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a bad argument with a clear message and exit code', async () => {
    const child = spawn(process.execPath, [BIN, 'exchange-sim', '--port', 'eighty'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const code = await exitCode(child);
    expect(code).not.toBe(0);
    expect(stderr).toContain('--port');
    expect(stderr).toContain('expected an integer');
  });
});
