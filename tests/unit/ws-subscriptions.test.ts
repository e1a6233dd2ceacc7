/**
 * The WebSocket client's subscriptions as intent (src/kalshi/ws-subscriptions.ts): remembered on
 * acknowledgement, merged when the server merges, unbound by a drop and bound again by the
 * re-subscription, and changed by update_subscription answers.
 */
import { describe, expect, it } from 'vitest';
import { WsSubscriptions } from '../../src/kalshi/ws-subscriptions.js';

describe('WsSubscriptions', () => {
  it('remembers an acknowledged subscribe with its options, and merges a second one on the same sid', () => {
    const subs = new WsSubscriptions();
    subs.acknowledged(
      { channels: ['orderbook_delta'], market_tickers: ['A', 'B'], use_yes_price: true },
      undefined,
      'orderbook_delta',
      7,
    );
    subs.acknowledged(
      { channels: ['orderbook_delta'], market_tickers: ['B', 'C'] },
      undefined,
      'orderbook_delta',
      7,
    );
    expect(subs.size).toBe(1);
    expect(subs.of(7)).toEqual({
      channel: 'orderbook_delta',
      sid: 7,
      tickers: ['A', 'B', 'C'],
      options: { use_yes_price: true },
    });
    // every market on the same sid: the intent covers all markets
    subs.acknowledged({ channels: ['orderbook_delta'] }, undefined, 'orderbook_delta', 7);
    expect(subs.tickersOf(7)).toBeUndefined();
  });

  it('a drop unbinds every intent; the re-subscription binds it to the new sid', () => {
    const subs = new WsSubscriptions();
    subs.acknowledged({ channels: ['fill'] }, undefined, 'fill', 1);
    subs.acknowledged(
      { channels: ['orderbook_delta'], market_tickers: ['A'] },
      undefined,
      'orderbook_delta',
      2,
    );
    subs.unbindAll();
    expect(subs.of(1)).toBeUndefined();
    const unbound = subs.unbound();
    expect(unbound.map((i) => [i.channel, i.sid, i.lastSid])).toEqual([
      ['fill', undefined, 1],
      ['orderbook_delta', undefined, 2],
    ]);
    subs.acknowledged(
      { channels: ['orderbook_delta'], market_tickers: ['A'] },
      unbound[1],
      'orderbook_delta',
      9,
    );
    expect(subs.size).toBe(2);
    expect(subs.of(9)?.tickers).toEqual(['A']);
    expect(subs.unbound().map((i) => i.channel)).toEqual(['fill']);
  });

  it('forgets markets by the last sid while unbound, so the re-subscription leaves them out', () => {
    const subs = new WsSubscriptions();
    subs.acknowledged(
      { channels: ['orderbook_delta'], market_tickers: ['A', 'B', 'C'] },
      undefined,
      'orderbook_delta',
      4,
    );
    subs.unbindAll();
    subs.forgetMarkets(4, ['B', 'Z']);
    expect(subs.unbound()[0]?.tickers).toEqual(['A', 'C']);
    subs.forgetMarkets(5, ['A']);
    expect(subs.unbound()[0]?.tickers).toEqual(['A', 'C']);
  });

  it('takes the markets an update answer lists, else applies the change asked for', () => {
    const subs = new WsSubscriptions();
    subs.acknowledged(
      { channels: ['orderbook_delta'], market_tickers: ['A'] },
      undefined,
      'orderbook_delta',
      3,
    );
    subs.updated({ sid: 3, action: 'add_markets', market_tickers: ['B', 'A'] }, undefined);
    expect(subs.tickersOf(3)).toEqual(['A', 'B']);
    subs.updated({ sid: 3, action: 'delete_markets', market_tickers: ['A'] }, undefined);
    expect(subs.tickersOf(3)).toEqual(['B']);
    subs.updated({ sid: 3, action: 'add_markets', market_tickers: ['C'] }, ['B', 'C', 'D', 5]);
    expect(subs.tickersOf(3)).toEqual(['B', 'C', 'D']);
    subs.updated({ sid: 3, action: 'get_snapshot' }, ['X']);
    expect(subs.tickersOf(3)).toEqual(['B', 'C', 'D']);
  });

  it('forgets a subscription the server ended, and one that could not be restored', () => {
    const subs = new WsSubscriptions();
    subs.acknowledged({ channels: ['fill'] }, undefined, 'fill', 1);
    subs.acknowledged({ channels: ['market_positions'] }, undefined, 'market_positions', 2);
    expect(subs.ended(1)?.channel).toBe('fill');
    expect(subs.ended(1)).toBeUndefined();
    subs.unbindAll();
    const [left] = subs.unbound();
    subs.forget(left!);
    expect(subs.size).toBe(0);
    expect(subs.list()).toEqual([]);
  });
});
