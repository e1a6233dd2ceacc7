/**
 * The one server, in process with fastify's inject: origin and host guards, the error shape, the
 * control routes' schema, and the control client's refusal to send the token off the machine.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createBus } from '../../src/bus.js';
import {
  type BuiltServer,
  buildServer,
  type ControlTarget,
  callControl,
  isLoopbackUrl,
  SERVER_ERRORS,
  type TraderView,
} from '../../src/server/index.js';

const calls: string[] = [];
function record(name: string, result: unknown) {
  calls.push(name);
  return result;
}
const target: ControlTarget = {
  status: async () => ({ state: 'READY' }),
  sync: async () => record('sync', { ok: true }),
  halt: async (reason) => record(`halt:${reason}`, { halted: true }),
  resume: async () => record('resume', {}),
  cancelAll: async () => record('cancelAll', { canceled: 0 }),
};

const view: TraderView = {
  bus: createBus(),
  control: target,
  snapshot: () => ({ at: 0, machine: { state: 'READY', halt: null, exchangePaused: false } }),
};

let built: BuiltServer | undefined;
afterEach(async () => {
  await built?.app.close();
  built = undefined;
  calls.length = 0;
});

async function server() {
  built = await buildServer({ view, token: 't'.repeat(64) });
  return built.app;
}
const auth = { authorization: `Bearer ${'t'.repeat(64)}` };

describe('origin and host guards', () => {
  it('refuses a browser request from another site with 403, before any route runs', async () => {
    const app = await server();
    for (const origin of ['https://evil.example', 'http://10.0.0.5:80', 'null', 'file://']) {
      const res = await app.inject({ method: 'POST', url: '/halt', headers: { ...auth, origin } });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toEqual({
        error: { code: 'forbidden_origin', message: 'requests from other sites are refused' },
      });
    }
    // Read-only pages are guarded the same way.
    expect(
      (await app.inject({ url: '/health', headers: { origin: 'https://evil.example' } })).statusCode,
    ).toBe(403);
    expect(calls).toEqual([]);
  });

  it('accepts loopback origins and requests with no Origin (CLI, curl)', async () => {
    const app = await server();
    for (const origin of [undefined, 'http://127.0.0.1', 'http://localhost:80', 'http://[::1]']) {
      const res = await app.inject({
        method: 'POST',
        url: '/sync',
        headers: { ...auth, ...(origin ? { origin } : {}) },
      });
      expect(res.statusCode).toBe(200);
    }
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const app = await server();
    const res = await app.inject({ url: '/health', headers: { host: 'evil.example:8080' } });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('forbidden_host');
    expect((await app.inject({ url: '/health', headers: { host: '127.0.0.1:9' } })).statusCode).toBe(200);
  });
});

describe('routes and errors', () => {
  it('answers unknown routes with the error shape, and validates the halt body by schema', async () => {
    const app = await server();
    const missing = await app.inject({ url: '/nope' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: { code: 'not_found', message: 'no route GET /nope' } });
    const bad = await app.inject({ method: 'POST', url: '/halt', headers: auth, payload: { reason: 42 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('bad_reason');
    const blank = await app.inject({
      method: 'POST',
      url: '/halt',
      headers: auth,
      payload: { reason: '   ' },
    });
    expect(blank.json().error.code).toBe('bad_reason');
    const array = await app.inject({ method: 'POST', url: '/halt', headers: auth, payload: [] });
    expect(array.json().error.code).toBe('bad_body');
    const notJson = await app.inject({
      method: 'POST',
      url: '/halt',
      headers: { ...auth, 'content-type': 'text/plain' },
      payload: 'halt now',
    });
    expect(notJson.json().error.code).toBe('bad_json');
    const ok = await app.inject({
      method: 'POST',
      url: '/halt',
      headers: auth,
      payload: { reason: ' lunch ' },
    });
    expect(ok.statusCode).toBe(200);
    expect(calls).toEqual(['halt:lunch']);
  });

  it('keeps every error code in the catalog (status 4xx/5xx)', () => {
    for (const [code, e] of Object.entries(SERVER_ERRORS)) {
      expect(code).toMatch(/^[a-z_]+$/);
      expect(e.status).toBeGreaterThanOrEqual(400);
    }
  });

  it('control routes need the token; public read-only routes do not', async () => {
    const app = await server();
    expect((await app.inject({ url: '/status' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url: '/halt' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/health' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/metrics' })).statusCode).toBe(200);
  });
});

describe('control client', () => {
  it('refuses a control.json whose URL is not loopback before sending the token', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'control-remote-'));
    let requests = 0;
    const realFetch = globalThis.fetch;
    globalThis.fetch = (async (...args: Parameters<typeof fetch>) => {
      requests += 1;
      return realFetch(...args);
    }) as typeof fetch;
    try {
      for (const url of ['http://203.0.113.7:8080', 'http://trader.example.com', 'ftp://127.0.0.1']) {
        writeFileSync(join(dir, 'control.json'), JSON.stringify({ url, token: 'secret-token' }));
        await expect(callControl(dir, 'status')).rejects.toMatchObject({ code: 'CONTROL_NOT_LOOPBACK' });
      }
      expect(requests).toBe(0);
    } finally {
      globalThis.fetch = realFetch;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('knows loopback URLs', () => {
    expect(isLoopbackUrl('http://127.0.0.1:1')).toBe(true);
    expect(isLoopbackUrl('http://127.9.0.1:1')).toBe(true);
    expect(isLoopbackUrl('http://[::1]:1')).toBe(true);
    expect(isLoopbackUrl('http://localhost:1')).toBe(true);
    expect(isLoopbackUrl('http://127.0.0.1.evil.example')).toBe(false);
    expect(isLoopbackUrl('http://192.168.1.2')).toBe(false);
  });
});
