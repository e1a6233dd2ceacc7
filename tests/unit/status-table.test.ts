import { describe, expect, it } from 'vitest';
import { renderStatusTable } from '../../src/cli/status-table.js';

describe('traderv3 status as a table', () => {
  it('shows state, trading state, halt, the group and a row per market in contracts and dollars', () => {
    const out = renderStatusTable({
      state: 'HALTED',
      trading_state: 'HALTED',
      halt: { source: 'operator', reason: 'news', detail: '', keepOrders: true },
      breaker: { open: false },
      order_group: { id: 'g-1', contracts_limit: '200.00', triggered: true, triggered_by: 'halt' },
      cash_dollars: '$912.40',
      rate_limits: {
        tier: 'advanced',
        source: 'exchange',
        read: { refill_per_sec: 300, capacity: 300, available: 280 },
        write: { refill_per_sec: 300, capacity: 600, available: 600 },
      },
      realized_pnl_dollars: '$1.20',
      unrealized_pnl_dollars: '-$0.40',
      fees_dollars: '$0.07',
      net_pnl_dollars: '$0.73',
      reducing_markets: [{ ticker: 'KX-B', reasons: ['book_mismatch'] }],
      markets: [
        {
          ticker: 'KX-A',
          phase: 'open',
          trading_state: 'HALTED',
          best_bid: '$0.41',
          best_ask: '$0.44',
          our_bid: '$0.40',
          position: '5.00',
          pnl: '$0.73',
        },
      ],
      open_orders: [
        {
          client_order_id: 'tv3-1',
          ticker: 'KX-A',
          side: 'buy YES',
          contracts: '5.00',
          price: '$0.40',
          filled: '0.00',
          status: 'resting',
        },
      ],
    });
    expect(out).toContain('state          HALTED   trading HALTED');
    expect(out).toContain('operator: news, resting orders kept');
    expect(out).toContain('TRIGGERED (halt)');
    expect(out).toContain('P&L            realized $1.20  unrealized -$0.40  fees $0.07  net $0.73');
    expect(out).toContain('KX-B (book_mismatch)');
    expect(out).toContain(
      'rate limits    advanced (from the exchange)  read 300/s, 280 of 300 free  write 300/s, 600 of 600 free',
    );
    const row = out.split('\n').find((l) => l.trimStart().startsWith('KX-A  '))!;
    expect(
      row
        .trim()
        .split(/\s{2,}/)
        .map((c) => c.trim()),
    ).toEqual(['KX-A', 'open', 'HALTED', '$0.41', '$0.44', '$0.40', '–', '5.00', '$0.73']);
    expect(out).toContain('tv3-1');
  });

  it('shows what is missing as missing, never as a zero', () => {
    const out = renderStatusTable({ state: 'STARTUP' });
    expect(out).toContain('cash           –');
    expect(out).toContain('MARKETS (0)');
    expect(out).not.toMatch(/\$0\.00/);
  });
});
