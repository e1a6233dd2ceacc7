/**
 * The control API over loopback with a fake target, and the operator commands that call it.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type ControlServer,
  type ControlTarget,
  callControl,
  readControlFile,
  startControlServer,
} from '../../src/server/index.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'traderv3.js');
const FAKE_PEM =
  '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAsecretsecretsecretsecretsecret\n-----END RSA PRIVATE KEY-----';

class FakeTarget implements ControlTarget {
  calls: string[] = [];
  failNext: Error | undefined;

  private async call(name: string, result: unknown): Promise<unknown> {
    this.calls.push(name);
    const failure = this.failNext;
    this.failNext = undefined;
    if (failure) throw failure;
    return result;
  }
  status() {
    return this.call('status', { state: 'READY', positions: { 'KX-1': 3 }, halted: false });
  }
  sync() {
    return this.call('sync', { synced: true });
  }
  halt(reason: string, options?: { keepOrders?: boolean }) {
    const keep = options?.keepOrders === true ? ':keep' : '';
    return this.call(`halt:${reason}${keep}`, { halted: true, reason });
  }
  reduce(reason: string) {
    return this.call(`reduce:${reason}`, { reduce_only: true, reason });
  }
  resume() {
    return this.call('resume', { halted: false });
  }
  cancelAll() {
    return this.call('cancelAll', { canceled: 2 });
  }
}

let dataDir: string;
let target: FakeTarget;
let server: ControlServer;

beforeEach(async () => {
  dataDir = join(mkdtempSync(join(tmpdir(), 'control-')), 'nested', 'data');
  target = new FakeTarget();
  server = await startControlServer({ target, dataDir });
});

afterEach(async () => {
  await server.close();
  rmSync(join(dataDir, '..', '..'), { recursive: true, force: true });
});

function request(path: string, init: RequestInit & { token?: string | null } = {}) {
  const { token = server.token, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (token !== null) headers.set('authorization', `Bearer ${token}`);
  return fetch(`${server.url}${path}`, { ...rest, headers });
}

describe('control API', () => {
  it('writes control.json (0600, in a created dir) and removes it on close', async () => {
    const file = join(dataDir, 'control.json');
    expect(server.file).toBe(file);
    const content = JSON.parse(readFileSync(file, 'utf8'));
    expect(content).toMatchObject({ url: server.url, token: server.token, pid: process.pid });
    expect(server.token).toMatch(/^[0-9a-f]{64}$/);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    await server.close();
    expect(existsSync(file)).toBe(false);
  });

  it('answers 401 without a token, with a wrong token, and with a malformed header', async () => {
    for (const res of [
      await request('/status', { token: null }),
      await request('/status', { token: 'f'.repeat(64) }),
      await request('/status', { token: server.token.slice(0, 10) }),
      await request('/status', { token: null, headers: { authorization: server.token } }),
    ]) {
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({
        error: { code: 'unauthorized', message: 'missing or wrong bearer token' },
      });
    }
    // One server carries the control API and public pages: an unknown path is 404 for anyone.
    const unknown = await request('/nope', { token: null });
    expect(unknown.status).toBe(404);
    expect(target.calls).toEqual([]);
  });

  it('routes every command to the target', async () => {
    const status = await request('/status');
    expect(status.status).toBe(200);
    expect(await status.json()).toEqual({ state: 'READY', positions: { 'KX-1': 3 }, halted: false });
    expect((await request('/sync', { method: 'POST' })).status).toBe(200);
    expect(await (await request('/halt', { method: 'POST', body: '{"reason":"news"}' })).json()).toEqual({
      halted: true,
      reason: 'news',
    });
    expect((await request('/halt', { method: 'POST' })).status).toBe(200);
    expect((await request('/resume', { method: 'POST' })).status).toBe(200);
    expect(await (await request('/cancel-all', { method: 'POST' })).json()).toEqual({ canceled: 2 });
    expect(target.calls).toEqual([
      'status',
      'sync',
      'halt:news',
      'halt:operator halt',
      'resume',
      'cancelAll',
    ]);
  });

  it('answers 404 for an unknown route, 405 for a wrong method, 400 for a bad halt body', async () => {
    const notFound = await request('/shutdown', { method: 'POST' });
    expect(notFound.status).toBe(404);
    const wrongMethod = await request('/halt');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
    expect((await request('/status', { method: 'POST' })).status).toBe(405);
    expect((await request('/halt', { method: 'POST', body: 'not json' })).status).toBe(400);
    expect((await request('/halt', { method: 'POST', body: '{"reason":42}' })).status).toBe(400);
    expect((await request('/halt', { method: 'POST', body: '[]' })).status).toBe(400);
    expect((await request('/halt', { method: 'POST', body: 'x'.repeat(20_000) })).status).toBe(413);
    expect(target.calls).toEqual([]);
  });

  it('answers 500 with the message, never a stack or key material, when the target throws', async () => {
    target.failNext = new Error(`exchange said no; key was ${FAKE_PEM}`);
    const res = await request('/cancel-all', { method: 'POST' });
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({
      error: { code: 'target_failed', message: 'cancel-all failed: exchange said no; key was [redacted]' },
    });
    expect(text).not.toContain('MIIE');
    expect(text).not.toContain('at FakeTarget');
  });

  it('scrubs secrets from results', async () => {
    target.status = async () => ({ credentials: { keyId: 'k', privateKeyPem: FAKE_PEM }, note: FAKE_PEM });
    const text = await (await request('/status')).text();
    expect(text).not.toContain('MIIE');
    expect(JSON.parse(text)).toEqual({
      credentials: { keyId: 'k', privateKeyPem: '[redacted]' },
      note: '[redacted]',
    });
  });
});

describe('control client', () => {
  it('finds the trader through control.json and calls it', async () => {
    expect(readControlFile(dataDir).url).toBe(server.url);
    expect(await callControl(dataDir, 'halt', { body: { reason: 'client' } })).toEqual({
      halted: true,
      reason: 'client',
    });
  });

  it('says clearly when no trader is running or it does not answer', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'control-empty-'));
    try {
      await expect(callControl(empty, 'status')).rejects.toThrow(
        `no running trader found: ${join(empty, 'control.json')} does not exist`,
      );
      // A stale file pointing at a closed port.
      writeFileSync(join(empty, 'control.json'), JSON.stringify({ url: 'http://127.0.0.1:1', token: 'x' }));
      await expect(callControl(empty, 'status')).rejects.toThrow(
        /the trader at http:\/\/127\.0\.0\.1:1 does not answer/,
      );
      writeFileSync(join(empty, 'control.json'), JSON.stringify({ url: server.url, token: 'wrong' }));
      await expect(callControl(empty, 'status')).rejects.toThrow(/refused the token/);
      writeFileSync(join(empty, 'control.json'), '{');
      await expect(callControl(empty, 'status')).rejects.toThrow(/is not valid JSON/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

// Each CLI run is a child process that compiles the sources: slow on a loaded machine.
describe('traderv3 status | halt | cancel-all (child process)', { timeout: 120_000 }, () => {
  it('prints the answer as JSON', async () => {
    const status = await runCli(['status', '--data-dir', dataDir]);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toEqual({ state: 'READY', positions: { 'KX-1': 3 }, halted: false });
    const halt = await runCli(['halt', '--reason', 'lunch', '--data-dir', dataDir]);
    expect(halt.code).toBe(0);
    expect(JSON.parse(halt.stdout)).toEqual({ halted: true, reason: 'lunch' });
    target.failNext = new Error('exchange down');
    const cancel = await runCli(['cancel-all', '--data-dir', dataDir]);
    expect(cancel.code).toBe(1);
    expect(cancel.stderr).toContain(
      'traderv3 cancel-all: cancel-all: HTTP 500: cancel-all failed: exchange down',
    );
    expect(target.calls).toEqual(['status', 'halt:lunch', 'cancelAll']);
  });

  it('halt --keep-orders and reduce reach the trader with what they ask', async () => {
    const keep = await runCli(['halt', '--reason', 'news', '--keep-orders', '--data-dir', dataDir]);
    expect(keep.code, keep.stderr).toBe(0);
    const reduce = await runCli(['reduce', '--reason', 'thin book', '--data-dir', dataDir]);
    expect(reduce.code, reduce.stderr).toBe(0);
    expect(JSON.parse(reduce.stdout)).toEqual({ reduce_only: true, reason: 'thin book' });
    expect(target.calls).toEqual(['halt:news:keep', 'reduce:thin book']);
  });

  it('exits 1 with a clear message when no trader is running', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'control-cli-'));
    try {
      const res = await runCli(['resume', '--data-dir', empty]);
      expect(res.code).toBe(1);
      expect(res.stdout).toBe('');
      expect(res.stderr).toBe(
        `traderv3 resume: no running trader found: ${join(empty, 'control.json')} does not exist\n`,
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
