/**
 * Fuzz: the control API's bodies over real loopback HTTP. Any body (JSON of any shape, broken
 * JSON, huge strings, wrong types for reason / keep_orders) gets 200 with the target called with
 * a clean reason, or a 4xx with a coded JSON error naming the problem; never a 500, never a
 * halt with a reason the operator did not give.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ControlServer, type ControlTarget, startControlServer } from '../../src/server/index.js';
import { wrongValue } from './mutate.js';
import { FUZZ_TIMEOUT_MS, fuzzParams } from './runs.js';

class RecordingTarget implements ControlTarget {
  calls: Array<{ route: string; reason?: string; keepOrders?: boolean }> = [];
  async status() {
    this.calls.push({ route: 'status' });
    return { state: 'READY' };
  }
  async sync() {
    this.calls.push({ route: 'sync' });
    return {};
  }
  async halt(reason: string, options: { keepOrders?: boolean } = {}) {
    this.calls.push({ route: 'halt', reason, ...(options.keepOrders ? { keepOrders: true } : {}) });
    return { halted: true };
  }
  async reduce(reason: string) {
    this.calls.push({ route: 'reduce', reason });
    return {};
  }
  async resume() {
    this.calls.push({ route: 'resume' });
    return {};
  }
  async cancelAll() {
    this.calls.push({ route: 'cancel-all' });
    return {};
  }
}

const bodyArb = fc.oneof(
  fc
    .record({ reason: wrongValue, keep_orders: wrongValue }, { requiredKeys: [] })
    .map((b) => JSON.stringify(b)),
  fc.record({ reason: fc.string({ maxLength: 600 }) }).map((b) => JSON.stringify(b)),
  fc.json({ maxDepth: 2 }),
  fc.string({ maxLength: 60 }),
  fc.constantFrom('', '{', '{"reason":', 'null', '[]', '"halt"', `{"reason":"${'x'.repeat(20_000)}"}`),
);

describe('fuzz: control-API bodies', () => {
  let dir: string;
  let server: ControlServer;
  const target = new RecordingTarget();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tv3-fuzz-control-'));
    server = await startControlServer({ target, dataDir: dir });
  });

  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'POST /halt, /reduce, /resume, /cancel-all: 200 with a clean call, or a coded 4xx; never a 500',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('/halt', '/reduce', '/resume', '/cancel-all', '/sync'),
          bodyArb,
          fc.constantFrom('application/json', 'text/plain', undefined),
          async (path, body, contentType) => {
            target.calls = [];
            const res = await fetch(`${server.url}${path}`, {
              method: 'POST',
              headers: {
                authorization: `Bearer ${server.token}`,
                ...(contentType ? { 'content-type': contentType } : {}),
              },
              body,
            });
            const text = await res.text();
            expect(
              res.status,
              `${path} ${body.slice(0, 80)} → ${text.slice(0, 200)}`,
            ).not.toBeGreaterThanOrEqual(500);
            if (res.ok) {
              expect(target.calls).toHaveLength(1);
              const call = target.calls[0]!;
              if (call.reason !== undefined) {
                expect(call.reason.trim()).toBe(call.reason);
                expect(call.reason.length).toBeGreaterThan(0);
                expect(call.reason.length).toBeLessThanOrEqual(500);
              }
              return;
            }
            expect(target.calls).toHaveLength(0);
            const err = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
            expect(typeof err.error?.code, text).toBe('string');
            expect(typeof err.error?.message, text).toBe('string');
          },
        ),
        fuzzParams(),
      );
    },
    FUZZ_TIMEOUT_MS * 3,
  );
});
