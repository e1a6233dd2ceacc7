/**
 * The inspector relay: a tiny XState machine's inspection events reach a WebSocket viewer, the
 * offline page is served, and close() frees everything (a process using it exits on its own).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createActor, createMachine } from 'xstate';
import { type InspectorRelay, startInspectorRelay } from '../../src/server/index.js';

const ROOT = join(import.meta.dirname, '..', '..');

const toggle = createMachine({
  id: 'toggle',
  initial: 'off',
  context: { flips: 0, privateKeyPem: 'do-not-show' },
  states: {
    off: { on: { FLIP: 'on' } },
    on: { on: { FLIP: 'off' } },
  },
});

interface Message {
  type: string;
  sessionId?: string;
  event?: { type: string };
  snapshot?: { value?: unknown; context?: Record<string, unknown> };
  name?: string;
}

function collect(url: string, headers: Record<string, string> = {}) {
  const ws = new WebSocket(url, { headers });
  const messages: Message[] = [];
  ws.on('message', (data) => messages.push(JSON.parse(data.toString()) as Message));
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const waitFor = async (pred: (m: Message[]) => boolean): Promise<Message[]> => {
    for (let i = 0; i < 500 && !pred(messages); i++) await new Promise((r) => setTimeout(r, 10));
    return messages;
  };
  return { ws, messages, opened, waitFor };
}

const relays: InspectorRelay[] = [];
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.terminate();
  await Promise.all(relays.splice(0).map((r) => r.close()));
});

async function relay(): Promise<InspectorRelay> {
  const r = await startInspectorRelay();
  relays.push(r);
  return r;
}

describe('inspector relay', () => {
  it('relays actor, event and snapshot inspection events to a viewer, with secrets redacted', async () => {
    const r = await relay();
    expect(r.wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/inspect\/ws$/);
    const viewer = collect(r.wsUrl);
    sockets.push(viewer.ws);
    await viewer.opened;

    const actor = createActor(toggle, { inspect: r.inspector });
    actor.start();
    actor.send({ type: 'FLIP' });
    actor.send({ type: 'FLIP' });
    actor.send({ type: 'FLIP' });
    const messages = await viewer.waitFor((m) => m.filter((x) => x.type === '@xstate.snapshot').length >= 4);
    actor.stop();

    const types = new Set(messages.map((m) => m.type));
    expect(types).toEqual(new Set(['@xstate.actor', '@xstate.event', '@xstate.snapshot']));
    const snapshots = messages.filter((m) => m.type === '@xstate.snapshot');
    expect(snapshots.map((s) => s.snapshot?.value)).toEqual(['off', 'on', 'off', 'on']);
    expect(messages.filter((m) => m.type === '@xstate.event').map((m) => m.event?.type)).toContain('FLIP');
    expect(messages.find((m) => m.type === '@xstate.actor')?.name).toBe('toggle');
    expect(JSON.stringify(messages)).not.toContain('do-not-show');
    expect(snapshots[0]?.snapshot?.context).toEqual({ flips: 0, privateKeyPem: '[redacted]' });
  });

  it('replays recent events to a late viewer and relays events sent by other clients', async () => {
    const r = await relay();
    const actor = createActor(toggle, { inspect: r.inspector }).start();
    actor.send({ type: 'FLIP' });
    actor.stop();
    await new Promise((res) => setTimeout(res, 20)); // the inspector converts on setTimeout(0)

    const late = collect(r.wsUrl);
    sockets.push(late.ws);
    await late.opened;
    await late.waitFor((m) => m.some((x) => x.type === '@xstate.snapshot' && x.snapshot?.value === 'on'));
    expect(late.messages.some((m) => m.type === '@xstate.actor')).toBe(true);

    const producer = collect(r.wsUrl);
    sockets.push(producer.ws);
    await producer.opened;
    const external = { type: '@xstate.event', sessionId: 'x:9', event: { type: 'FROM_ELSEWHERE' } };
    producer.ws.send(JSON.stringify(external));
    producer.ws.send('not json');
    producer.ws.send(JSON.stringify({ type: 'not-inspection' }));
    await late.waitFor((m) => m.some((x) => x.event?.type === 'FROM_ELSEWHERE'));
    expect(late.messages.filter((m) => m.event?.type === 'FROM_ELSEWHERE')).toHaveLength(1);
    expect(late.messages.some((m) => m.type === 'not-inspection')).toBe(false);
  });

  it('serves a self-contained offline viewer page', async () => {
    const r = await relay();
    const res = await fetch(r.httpUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    expect(html).toContain('<script>');
    expect(html).toContain('new WebSocket(');
    // No CDN, no internet: nothing is loaded from elsewhere.
    expect(html).not.toMatch(/(src|href)=["']https?:/);
    expect(html).not.toMatch(/import\s/);
    expect((await fetch(`${r.httpUrl}nope`)).status).toBe(404);
    expect(await (await fetch(`${r.httpUrl}stately`)).text()).toContain('https://stately.ai/inspect');
  });

  it('refuses browsers from other sites', async () => {
    const r = await relay();
    const evil = new WebSocket(r.wsUrl, { headers: { origin: 'https://evil.example' } });
    sockets.push(evil);
    const outcome = await new Promise<string>((resolve) => {
      evil.once('open', () => resolve('open'));
      evil.once('error', () => resolve('refused'));
    });
    expect(outcome).toBe('refused');
    const own = collect(r.wsUrl, { origin: r.httpUrl.replace(/\/$/, '') });
    sockets.push(own.ws);
    await own.opened;
  });

  it('close() frees the port and disconnects viewers', async () => {
    const r = await relay();
    const viewer = collect(r.wsUrl);
    sockets.push(viewer.ws);
    await viewer.opened;
    expect(r.viewerCount()).toBe(1);
    const closed = new Promise<void>((resolve) => viewer.ws.once('close', () => resolve()));
    await r.close();
    await closed;
    await expect(fetch(r.httpUrl)).rejects.toThrow();
    // Events after close go nowhere and do not throw.
    createActor(toggle, { inspect: r.inspector }).start().stop();
  });

  it('a process that used the relay exits on its own after close()', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relay-exit-'));
    try {
      // The script lives outside the project, so it imports its packages by resolved path.
      const script = join(dir, 'run.mts');
      const resolve = createRequire(join(ROOT, 'package.json')).resolve;
      const url = (p: string) => JSON.stringify(pathToFileURL(p).href);
      writeFileSync(
        script,
        [
          `const xstate = await import(${url(resolve('xstate'))});`,
          `const { createActor, createMachine } = xstate.default ?? xstate;`,
          `const { default: WebSocket } = await import(${url(resolve('ws'))});`,
          `const { startInspectorRelay } = await import(${url(join(ROOT, 'src', 'server', 'index.ts'))});`,
          `const relay = await startInspectorRelay();`,
          `const ws = new WebSocket(relay.wsUrl);`,
          `await new Promise((r) => ws.once('open', r));`,
          `const got = new Promise((r) => ws.once('message', r));`,
          `const m = createMachine({ id: 'm', initial: 'a', states: { a: { on: { GO: 'b' } }, b: {} } });`,
          `const actor = createActor(m, { inspect: relay.inspector }).start();`,
          `actor.send({ type: 'GO' });`,
          `await got;`,
          `await relay.close();`,
          `console.log('closed');`,
        ].join('\n'),
      );
      const child = spawn(process.execPath, ['--import', 'tsx', script], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
      });
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      const code = await new Promise<number | null>((resolve) => {
        const killer = setTimeout(() => child.kill('SIGKILL'), 25_000);
        child.once('exit', (c) => {
          clearTimeout(killer);
          resolve(c);
        });
      });
      expect({ code, stdout: stdout.trim(), stderr }).toEqual({ code: 0, stdout: 'closed', stderr: '' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
