/**
 * Webhook notifications against local HTTP receivers: the generic, Slack and Discord bodies; a
 * receiver that 500s (retried with backoff, then delivered); one that hangs (timed out, retried,
 * given up — and never delays notify() or the other targets); the bounded queue; redaction.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createBus } from '../../src/bus.js';
import {
  msUntilUtcHour,
  type Notification,
  Notifier,
  notifications,
  notifyFromBus,
  parseTarget,
} from '../../src/notify/index.js';

const PEM = '-----BEGIN PRIVATE KEY-----\nMIIEsecretsecret\n-----END PRIVATE KEY-----';

interface Receiver {
  url: string;
  bodies: unknown[];
  hits: number;
  close(): Promise<void>;
}

const receivers: Receiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

async function receiver(
  answer: (hit: number, req: IncomingMessage, res: ServerResponse) => void,
): Promise<Receiver> {
  const r = { url: '', bodies: [] as unknown[], hits: 0, close: async () => {} };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      r.hits += 1;
      r.bodies.push(JSON.parse(Buffer.concat(chunks).toString()));
      answer(r.hits, req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook/secret-token-path`;
  r.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  receivers.push(r);
  return r;
}

const ok = (_hit: number, _req: IncomingMessage, res: ServerResponse) => res.writeHead(200).end('ok');
const halt = (): Notification => notifications.halt(Date.UTC(2026, 10, 30, 12), 'news', 'operator');

function logger() {
  const lines: Array<{ obj: Record<string, unknown>; msg: string }> = [];
  return { lines, warn: (obj: Record<string, unknown>, msg: string) => lines.push({ obj, msg }) };
}

describe('targets', () => {
  it('chooses the format by prefix or host', () => {
    expect(parseTarget('https://hooks.slack.com/services/T/B/x').format).toBe('slack');
    expect(parseTarget('https://discord.com/api/webhooks/1/abc').format).toBe('discord');
    expect(parseTarget('https://example.com/hook').format).toBe('generic');
    expect(parseTarget('slack:http://127.0.0.1:9/x')).toMatchObject({
      format: 'slack',
      url: 'http://127.0.0.1:9/x',
      label: 'slack:127.0.0.1:9',
    });
    expect(parseTarget('discord:https://proxy.example/x').format).toBe('discord');
    expect(() => parseTarget('ftp://x')).toThrow(/not http or https/);
    expect(() => parseTarget('nope')).toThrow(/not a URL/);
  });
});

describe('Notifier', () => {
  it('posts the generic, Slack and Discord bodies', async () => {
    const generic = await receiver(ok);
    const slack = await receiver(ok);
    const discord = await receiver(ok);
    const n = new Notifier({
      targets: [generic.url, `slack:${slack.url}`, `discord:${discord.url}`].map(parseTarget),
    });
    n.notify(halt());
    await n.idle();
    expect(generic.bodies).toEqual([
      {
        source: 'traderv3',
        kind: 'halt',
        severity: 'warning',
        title: 'Trading halted',
        text: 'Halted by operator: news. Only `traderv3 resume` lifts it.',
        at: '2026-11-30T12:00:00.000Z',
        data: { reason: 'news', source: 'operator' },
      },
    ]);
    expect(slack.bodies).toEqual([
      { text: '⚠️ *Trading halted*\nHalted by operator: news. Only `traderv3 resume` lifts it.' },
    ]);
    expect(discord.bodies).toEqual([
      {
        username: 'traderv3',
        content: '⚠️ **Trading halted**\nHalted by operator: news. Only `traderv3 resume` lifts it.',
      },
    ]);
    expect(n.stats()).toEqual({ sent: 3, failed: 0, dropped: 0, queued: 0 });
  });

  it('retries a receiver that answers 500, with backoff, and delivers', async () => {
    const flaky = await receiver((hit, _req, res) => res.writeHead(hit < 3 ? 500 : 204).end());
    const n = new Notifier({
      targets: [parseTarget(flaky.url)],
      backoff: { baseMs: 20, maxMs: 40 },
      random: () => 0,
    });
    n.notify(halt());
    await n.idle();
    expect(flaky.hits).toBe(3);
    expect(n.stats()).toMatchObject({ sent: 1, failed: 0 });
  });

  it('gives up on a receiver that hangs, without delaying notify() or the other targets', async () => {
    const hang = await receiver(() => {
      /* never answers */
    });
    const good = await receiver(ok);
    const log = logger();
    const n = new Notifier({
      targets: [parseTarget(hang.url), parseTarget(good.url)],
      timeoutMs: 100,
      maxAttempts: 2,
      backoff: { baseMs: 10, maxMs: 10 },
      log,
    });
    n.notify(halt());
    n.notify(notifications.resume(Date.now(), 'operator'));
    // notify() is a queue push: it returned before any request could be answered.
    expect(good.hits + hang.hits).toBe(0);
    for (let i = 0; i < 100 && good.hits < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(good.hits).toBe(2); // the dead webhook did not hold the good one back
    await n.idle();
    expect(hang.hits).toBe(4); // 2 notifications × 2 attempts
    expect(n.stats()).toMatchObject({ sent: 2, failed: 2 });
    expect(log.lines.filter((l) => l.obj.event === 'notify_failed').map((l) => l.obj.why)).toEqual([
      'timed out',
      'timed out',
    ]);
    // The webhook URL (its path carries the token) never reaches a log line.
    expect(JSON.stringify(log.lines)).not.toContain('secret-token-path');
  });

  it('keeps a bounded queue: the oldest are dropped, counted and logged', async () => {
    const slow = await receiver((_hit, _req, res) => setTimeout(() => res.writeHead(200).end(), 30));
    const log = logger();
    const n = new Notifier({ targets: [parseTarget(slow.url)], queueSize: 3, log });
    for (let i = 0; i < 10; i++) n.notify(notifications.resume(i, `op${i}`));
    await n.idle();
    // The first went out at once; of the nine queued behind it only the newest three survived.
    expect(slow.bodies.map((b) => (b as { data: { by: string } }).data.by)).toEqual([
      'op0',
      'op7',
      'op8',
      'op9',
    ]);
    expect(n.stats()).toMatchObject({ sent: 4, dropped: 6 });
    expect(log.lines.filter((l) => l.obj.event === 'notify_dropped')).toHaveLength(6);
  });

  it('redacts secrets in text and data', async () => {
    const r = await receiver(ok);
    const n = new Notifier({ targets: [parseTarget(r.url)] });
    n.notify({
      ...notifications.calibrationRefused(0, `bad key ${PEM}`),
      data: { privateKeyPem: PEM, why: 'x' },
    });
    await n.idle();
    const text = JSON.stringify(r.bodies);
    expect(text).not.toContain('MIIE');
    expect(r.bodies[0]).toMatchObject({
      text: 'The trader will not trade: bad key [redacted]',
      data: { privateKeyPem: '[redacted]' },
    });
  });

  it('close() aborts a hanging delivery so nothing keeps the process alive', async () => {
    const hang = await receiver(() => {});
    const n = new Notifier({ targets: [parseTarget(hang.url)], timeoutMs: 60_000 });
    n.notify(halt());
    await new Promise((r) => setTimeout(r, 50));
    await n.close(50);
    expect(n.stats()).toMatchObject({ sent: 0, failed: 1 });
  });
});

describe('from the bus', () => {
  it('maps breaker trips, halts, resumes and drift', () => {
    const bus = createBus();
    const got: Notification[] = [];
    const off = notifyFromBus(bus, (n) => got.push(n));
    bus.emit('risk.breakerTripped', { reason: 'daily_loss', detail: 'net -$60', at: 1 });
    bus.emit('machine.transitioned', { from: 'READY', to: 'HALTED', event: 'BREAKER_TRIPPED', at: 2 });
    bus.emit('machine.transitioned', { from: 'HALTED', to: 'CALIBRATING', event: 'OPERATOR_RESUME', at: 3 });
    bus.emit('machine.transitioned', { from: 'CALIBRATING', to: 'READY', event: 'x', at: 4 });
    bus.emit('position.driftDetected', { ticker: 'KX', local: 100, exchange: 300, at: 5 });
    bus.emit('calibration.refused', { why: 'positions differ: KX local 1.00 ≠ exchange 3.00', at: 6 });
    bus.emit('balance.driftDetected', {
      exchange: 90_000_000,
      ledger: 100_000_000,
      difference: -10_000_000,
      threshold: 1_000_000,
      at: 7,
    });
    off();
    bus.emit('risk.breakerTripped', { reason: 'x', detail: 'y', at: 6 });
    expect(got.map((n) => [n.kind, n.severity])).toEqual([
      ['breaker_tripped', 'critical'],
      ['halt', 'warning'],
      ['resume', 'info'],
      ['position_drift', 'warning'],
      ['calibration_refused', 'critical'],
      ['balance_drift', 'warning'],
    ]);
    expect(got[5]!.data).toEqual({ ledger_dollars: '100.0000', exchange_dollars: '90.0000' });
    expect(got[4]!.text).toContain('KX local 1.00 ≠ exchange 3.00');
    expect(got[3]!.text).toBe("Local 1.00 vs exchange 3.00 contracts; the exchange's count was taken.");
  });

  it('times the daily summary to the next UTC hour', () => {
    expect(msUntilUtcHour(Date.UTC(2026, 0, 1, 23, 30), 0)).toBe(30 * 60_000);
    expect(msUntilUtcHour(Date.UTC(2026, 0, 1, 0, 0), 0)).toBe(86_400_000);
  });

  it('gives the daily summary the P&L of the run summary and status: realized before fees, net after', () => {
    const n = notifications.dailySummary(0, '2026-01-01', { fills: 2, realizedPnl: 1_500_000, fees: 20_000 });
    expect(n.text).toBe('2 fill(s) · realized $1.5000 · fees $0.0200 · net $1.4800');
    expect(n.data).toEqual({
      day: '2026-01-01',
      fills: 2,
      realized_pnl_dollars: '1.5000',
      fees_dollars: '0.0200',
      net_pnl_dollars: '1.4800',
    });
  });
});
