/**
 * A thousand markets on one subscription: KalshiWsClient sends ticker lists in commands of at most
 * MAX_TICKERS_PER_COMMAND, against a loopback server that refuses a longer list with Kalshi's
 * error 26 (subscription market limit exceeded) — on subscribe, add_markets, get_snapshot and the
 * re-subscribe after a drop.
 */
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { KalshiWsClient, MAX_TICKERS_PER_COMMAND } from '../../src/kalshi/ws.js';

type Cmd = { id: number; cmd: string; params?: Record<string, unknown> };

/** Knows each sid's tickers; answers a command carrying more than `limit` tickers with error 26. */
async function limitedServer(limit: number) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const commands: Cmd[][] = [];
  const sockets: WebSocket[] = [];
  const tickers = new Map<number, Set<string>>();
  let nextSid = 1;
  wss.on('connection', (socket) => {
    const mine: Cmd[] = [];
    commands.push(mine);
    sockets.push(socket);
    const send = (m: unknown) => socket.send(JSON.stringify(m));
    socket.on('message', (data) => {
      const cmd = JSON.parse(data.toString()) as Cmd;
      mine.push(cmd);
      const p = cmd.params ?? {};
      const list = (p.market_tickers as string[] | undefined) ?? [];
      if (list.length > limit) {
        send({ id: cmd.id, type: 'error', msg: { code: 26, msg: 'Subscription market limit exceeded' } });
        return;
      }
      if (cmd.cmd === 'subscribe') {
        const sid = nextSid++;
        tickers.set(sid, new Set(list));
        send({ id: cmd.id, type: 'subscribed', msg: { channel: 'orderbook_delta', sid } });
      } else if (cmd.cmd === 'update_subscription') {
        const sid = p.sid as number;
        const set = tickers.get(sid) ?? new Set<string>();
        if (p.action === 'add_markets') for (const t of list) set.add(t);
        if (p.action === 'delete_markets') for (const t of list) set.delete(t);
        tickers.set(sid, set);
        send({ id: cmd.id, sid, seq: 1, type: 'ok', msg: { market_tickers: [...set] } });
      }
    });
  });
  const { port } = wss.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/trade-api/ws/v2`,
    commands,
    sockets,
    tickers,
    close: async () => {
      for (const s of sockets) s.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

const markets = (n: number, prefix = 'KXM') => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
let cleanup: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const f of cleanup.reverse()) await f();
  cleanup = [];
});

describe('KalshiWsClient: ticker lists in batches the exchange accepts', () => {
  it('subscribes 1,000 markets in commands of at most the batch size and remembers all of them', async () => {
    const server = await limitedServer(MAX_TICKERS_PER_COMMAND);
    cleanup.push(server.close);
    const client = new KalshiWsClient({ url: server.url, commandTimeoutMs: 5_000 });
    cleanup.push(() => client.close());
    await client.connect();

    const all = markets(1_000);
    const [sub] = await client.subscribe({ channels: ['orderbook_delta'], market_tickers: all });
    const sid = sub?.sid ?? -1;
    expect(server.tickers.get(sid)?.size).toBe(1_000);
    expect(client.subscriptionOf(sid)?.tickers).toHaveLength(1_000);
    const sent = server.commands[0] ?? [];
    expect(sent.length).toBe(Math.ceil(1_000 / MAX_TICKERS_PER_COMMAND));
    for (const c of sent) {
      expect((c.params?.market_tickers as string[] | undefined)?.length).toBeLessThanOrEqual(
        MAX_TICKERS_PER_COMMAND,
      );
    }

    // add_markets and get_snapshot with long lists are split the same way.
    await client.updateSubscription({ sid, action: 'add_markets', market_tickers: markets(450, 'KXN') });
    expect(server.tickers.get(sid)?.size).toBe(1_450);
    await client.resync(sid);
    const snapshots = (server.commands[0] ?? []).filter((c) => c.params?.action === 'get_snapshot');
    expect(snapshots.flatMap((c) => (c.params?.market_tickers as string[] | undefined) ?? [])).toHaveLength(
      1_450,
    );

    // After a drop the whole remembered list comes back, again in batches.
    const reconnected = new Promise<void>((resolve) => client.once('reconnected', () => resolve()));
    server.sockets[0]?.terminate();
    await reconnected;
    const newSid = client.subscriptions()[0]?.sid ?? -1;
    expect(server.tickers.get(newSid)?.size).toBe(1_450);
    expect(client.subscriptions()[0]?.tickers).toHaveLength(1_450);
  });
});
