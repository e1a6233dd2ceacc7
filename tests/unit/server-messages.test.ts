/** The stream's pure builders: trading state, positions on either leg, portfolio flags. */
import { describe, expect, it } from 'vitest';
import { portfolioWire, positionsValue, positionWire, tradingStateOf } from '../../src/server/messages.js';

describe('stream messages', () => {
  it('derives the trading state from the machine, the halt and the pause', () => {
    expect(tradingStateOf('READY', false, false)).toBe('trading');
    expect(tradingStateOf('ACTING', false, false)).toBe('trading');
    expect(tradingStateOf('READY', true, false)).toBe('halted');
    expect(tradingStateOf('ERROR', true, false)).toBe('halted');
    expect(tradingStateOf('PAUSED', false, true)).toBe('paused');
    expect(tradingStateOf('ERROR', false, false)).toBe('error');
    expect(tradingStateOf('CALIBRATING', false, false)).toBe('calibrating');
    expect(tradingStateOf('ORDERBOOK_CONNECT', false, false)).toBe('connecting');
    expect(tradingStateOf('SHUTTING_DOWN', true, false)).toBe('stopping');
  });

  it('values a NO position on the NO leg and reports its average cost per contract', () => {
    // 3 NO contracts bought at $0.55 (YES $0.45): basis $1.65; YES marked at $0.40 → NO worth $0.60.
    const no = {
      ticker: 'KX',
      position: -300,
      costBasis: 1_650_000,
      realizedPnl: 0,
      feesPaid: 30_000,
      unrealizedPnl: 150_000,
    };
    expect(positionWire(no, 4_000)).toEqual({
      ticker: 'KX',
      position: '-3.00',
      side: 'no',
      cost_basis: '1.6500',
      average_cost: '0.5500',
      mark: '0.4000',
      unrealized_pnl: '0.1500',
      realized_pnl: '0.0000',
      fees: '0.0300',
    });
    expect(positionsValue({ at: 0, positions: [no], marks: { KX: 4_000 } })).toBe(1_800_000);
    // Without a mark the position is carried at cost.
    expect(positionsValue({ at: 0, positions: [no] })).toBe(1_650_000);
  });

  it('says state_missing rather than zeros when the trader gives no money figures', () => {
    expect(portfolioWire({ at: 0 })).toMatchObject({
      state_missing: true,
      cash: null,
      equity: null,
      net_pnl: null,
    });
    const stale = portfolioWire({ at: 0, positions: [], balance: { cash: 5_000_000, at: 0, stale: true } });
    expect(stale).toMatchObject({ state_missing: false, cash: '5.0000', cash_stale: true, equity: null });
  });
});
