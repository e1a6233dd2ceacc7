/**
 * The orderbook integration's bus events, against a stand-in WebSocket client that delivers
 * messages as KalshiWsClient does (checked envelope, per-sid seq, meta): every snapshot and delta
 * reaches the bus with the fields the book applied, optional fields present exactly when the wire
 * carried them; and with nobody listening the books are kept just the same.
 */
import { EventEmitter } from 'eventemitter3';
import { describe, expect, it } from 'vitest';
import { type BookDeltaRecord, type BookSnapshotRecord, createBus } from '../../src/bus.js';
import { OrderbookIntegration } from '../../src/integrations/orderbook.js';
import type { KalshiWsClient, WsDataMessage } from '../../src/kalshi/index.js';

const TICKER = 'KXT-26JAN01-T50';
const SID = 7;

/** Enough of KalshiWsClient for BookFeed and the integration. */
class FakeWs extends EventEmitter {
  isConnected = true;
  seq = 0;
  async connect(): Promise<void> {}
  async close(): Promise<void> {}
  async subscribe(): Promise<Array<{ channel: string; sid: number }>> {
    return [{ channel: 'orderbook_delta', sid: SID }];
  }
  async resync(): Promise<void> {}
  stats() {
    return {};
  }
  send(
    type: 'orderbook_snapshot' | 'orderbook_delta',
    msg: Record<string, unknown>,
    receivedMs: number,
    gap = false,
  ) {
    this.seq += 1;
    const m = { type, sid: SID, seq: this.seq, msg } as unknown as WsDataMessage;
    this.emit('message', m, { receivedMs, gap });
  }
}

async function connected(listen: boolean) {
  const ws = new FakeWs();
  const bus = createBus();
  const snapshots: BookSnapshotRecord[] = [];
  const deltas: BookDeltaRecord[] = [];
  const updated: string[] = [];
  if (listen) {
    bus.on('book.snapshotReceived', (s) => snapshots.push(s));
    bus.on('book.deltaReceived', (d) => deltas.push(d));
    bus.on('book.updated', (u) => updated.push(u.ticker));
  }
  const integration = new OrderbookIntegration({
    ws: ws as unknown as KalshiWsClient,
    bus,
    clock: () => 5_000,
    staleAfterMs: 60_000,
    snapshotTimeoutMs: 1_000,
  });
  const up = integration.connect([TICKER]);
  await new Promise((r) => setImmediate(r));
  ws.send(
    'orderbook_snapshot',
    {
      market_ticker: TICKER,
      market_id: 'm-1',
      yes_dollars_fp: [['0.4000', '10.00']],
      no_dollars_fp: [['0.4500', '3.00']], // YES scale: a NO bid at 0.5500
    },
    1_000,
  );
  await up;
  const base = { market_ticker: TICKER, market_id: 'm-1' };
  ws.send('orderbook_delta', { ...base, price_dollars: '0.4100', delta_fp: '5.00', side: 'yes' }, 1_001);
  ws.send(
    'orderbook_delta',
    { ...base, price_dollars: '0.4000', delta_fp: '-2.50', side: 'yes', ts_ms: 900, client_order_id: 'c-1' },
    1_002,
  );
  // use_yes_price: a NO level arrives on the YES scale (0.4500 YES = 0.5500 NO).
  ws.send(
    'orderbook_delta',
    { ...base, price_dollars: '0.4500', delta_fp: '1.00', side: 'no', ts_ms: 901 },
    1_003,
  );
  return { ws, integration, snapshots, deltas, updated };
}

describe('the orderbook integration on the bus', () => {
  it('puts every snapshot and delta on the bus as the book applied it', async () => {
    const { integration, snapshots, deltas, updated } = await connected(true);
    expect(snapshots).toEqual([
      { ticker: TICKER, sid: SID, seq: 1, yes: [[4000, 1000]], no: [[5500, 300]], receivedMs: 1_000 },
    ]);
    expect(deltas).toStrictEqual([
      {
        ticker: TICKER,
        sid: SID,
        seq: 2,
        side: 'yes',
        price: 4100,
        delta: 500,
        receivedMs: 1_001,
        applied: true,
      },
      {
        ticker: TICKER,
        sid: SID,
        seq: 3,
        side: 'yes',
        price: 4000,
        delta: -250,
        receivedMs: 1_002,
        applied: true,
        clientOrderId: 'c-1',
        exchangeTsMs: 900,
      },
      {
        ticker: TICKER,
        sid: SID,
        seq: 4,
        side: 'no',
        price: 5500,
        delta: 100,
        receivedMs: 1_003,
        applied: true,
        exchangeTsMs: 901,
      },
    ]);
    expect(updated).toEqual([TICKER, TICKER, TICKER, TICKER]);
    const book = integration.book(TICKER);
    expect(book?.levels('yes')).toEqual([
      { price: 4000, count: 750 },
      { price: 4100, count: 500 },
    ]);
    expect(book?.levels('no')).toEqual([{ price: 5500, count: 400 }]);
  });

  it('puts a delta the book dropped on the bus as not applied: the one that revealed a gap, and those after it', async () => {
    const { ws, integration, deltas } = await connected(true);
    const body = { market_ticker: TICKER, price_dollars: '0.4100', delta_fp: '1.00', side: 'yes' };
    ws.send('orderbook_delta', body, 1_004, true);
    ws.send('orderbook_delta', body, 1_005);
    expect(deltas.slice(3).map((d) => [d.seq, d.receivedMs, d.applied])).toEqual([
      [5, 1_004, false],
      [6, 1_005, false],
    ]);
    expect(integration.book(TICKER)?.status).toBe('resyncing');
    expect(integration.book(TICKER)?.levels('yes')).toEqual([
      { price: 4000, count: 750 },
      { price: 4100, count: 500 },
    ]);
  });

  it('keeps the same books when nobody listens to the stream', async () => {
    const { integration } = await connected(false);
    const book = integration.book(TICKER);
    expect(book?.status).toBe('live');
    expect(book?.levels('yes')).toEqual([
      { price: 4000, count: 750 },
      { price: 4100, count: 500 },
    ]);
    expect(book?.levels('no')).toEqual([{ price: 5500, count: 400 }]);
    expect(book?.lastExchangeTsMs).toBe(901);
    expect(book?.lastReceivedMs).toBe(1_003);
  });
});
