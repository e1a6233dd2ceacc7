import { describe, expect, it } from 'vitest';
import {
  bracketFor,
  EdgeError,
  fromWireMarket,
  type LadderMarketInput,
  parseEventTicker,
  parseLadder,
  representativeTemps,
  tickerDateOf,
} from '../../src/edge/index.js';
import { buildUniverse } from '../../src/exchange-sim/universe.js';
import { kalshiLadder, NY_EVENT, nyLadderMarkets } from './edge-helpers.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof EdgeError) return e.code;
    throw e;
  }
  return undefined;
}

describe('event tickers', () => {
  it('split into series, city code and the measured day', () => {
    expect(parseEventTicker('KXHIGHNY-26MAR16')).toEqual({
      eventTicker: 'KXHIGHNY-26MAR16',
      seriesTicker: 'KXHIGHNY',
      cityCode: 'NY',
      date: '2026-03-16',
    });
    expect(parseEventTicker('KXHIGHTDAL-26JUN22-B97.5').cityCode).toBe('TDAL');
    expect(parseEventTicker('HIGHCHI-25DEC01-T40').seriesTicker).toBe('HIGHCHI');
    expect(tickerDateOf('2026-03-16')).toBe('26MAR16');
  });

  it('refuse what is not a daily-high ticker or not a calendar date', () => {
    for (const bad of [
      'KXBTCD-25AUG0517',
      'KXHIGHNY-26FEB30',
      'KXHIGHNY-26XYZ01',
      'KXHIGHNY',
      'KXHIGHNY-26MAR16-B1-X',
    ]) {
      expect(
        codeOf(() => parseEventTicker(bad)),
        bad,
      ).toBe('EDGE_BAD_TICKER');
    }
  });
});

describe('parseLadder', () => {
  it('reads a Kalshi six-market ladder as whole-degree ranges, ascending', () => {
    const shuffled = [...nyLadderMarkets()].reverse();
    const ladder = parseLadder(shuffled);
    expect(ladder.eventTicker).toBe(NY_EVENT);
    expect(ladder.date).toBe('2026-03-16');
    expect(ladder.brackets.map((b) => [b.lo, b.hi])).toEqual([
      [-Infinity, 56],
      [57, 58],
      [59, 60],
      [61, 62],
      [63, 64],
      [65, Infinity],
    ]);
    expect(ladder.brackets.map((b) => b.label)).toEqual([
      '56° or below',
      '57° to 58°',
      '59° to 60°',
      '61° to 62°',
      '63° to 64°',
      '65° or above',
    ]);
    expect(bracketFor(ladder, 56).ticker).toBe(`${NY_EVENT}-T57`);
    expect(bracketFor(ladder, 58).ticker).toBe(`${NY_EVENT}-B57.5`);
    expect(bracketFor(ladder, 65).ticker).toBe(`${NY_EVENT}-T64`);
  });

  it('maps the wire fields (strike_type, floor_strike, cap_strike)', () => {
    const wire = nyLadderMarkets().map((m) => ({
      ticker: m.ticker,
      event_ticker: m.eventTicker as string,
      strike_type: m.strikeType,
      floor_strike: m.floorStrike ?? null,
      cap_strike: m.capStrike ?? null,
    }));
    expect(parseLadder(wire.map(fromWireMarket))).toEqual(parseLadder(nyLadderMarkets()));
  });

  it('accepts the _or_equal strike types at the degrees they admit', () => {
    const ladder = parseLadder([
      { ticker: 'KXHIGHNY-26MAR16-A', strikeType: 'less_or_equal', capStrike: 56 },
      { ticker: 'KXHIGHNY-26MAR16-B', strikeType: 'greater_or_equal', floorStrike: 57 },
    ]);
    expect(ladder.brackets.map((b) => [b.lo, b.hi])).toEqual([
      [-Infinity, 56],
      [57, Infinity],
    ]);
  });

  it("parses the simulator's weather ladder (src/exchange-sim/universe.ts)", () => {
    const universe = buildUniverse({ seed: 7, markets: 6, nowMs: Date.UTC(2026, 2, 16, 15) });
    const ladder = parseLadder(
      universe.markets.map((m) => ({
        ticker: m.ticker,
        eventTicker: m.eventTicker,
        strikeType: m.strikeType,
        floorStrike: m.floorStrike ?? null,
        capStrike: m.capStrike ?? null,
      })),
    );
    expect(ladder.brackets).toHaveLength(6);
    expect(ladder.brackets.map((b) => b.label)).toEqual(universe.markets.map((m) => m.yesSubTitle));
  });

  it('names the temperatures a gap leaves unpaid', () => {
    const markets = nyLadderMarkets().filter((m) => !m.ticker.endsWith('B59.5'));
    expect(() => parseLadder(markets)).toThrow(/59° to 60° pays no bracket/);
    expect(codeOf(() => parseLadder(markets))).toBe('EDGE_LADDER_GAP');
  });

  it('names the temperatures an overlap pays twice', () => {
    const markets: LadderMarketInput[] = [
      ...nyLadderMarkets(),
      {
        ticker: `${NY_EVENT}-B58.5`,
        eventTicker: NY_EVENT,
        strikeType: 'between',
        floorStrike: 58,
        capStrike: 59,
      },
    ];
    expect(codeOf(() => parseLadder(markets))).toBe('EDGE_LADDER_OVERLAP');
    expect(() => parseLadder(markets)).toThrow(/pays both/);
  });

  it('needs exactly one tail at each end', () => {
    const noUpper = nyLadderMarkets().slice(0, -1);
    expect(codeOf(() => parseLadder(noUpper))).toBe('EDGE_LADDER_TAIL');
    const twoLower = [
      ...nyLadderMarkets(),
      { ticker: `${NY_EVENT}-T50`, eventTicker: NY_EVENT, strikeType: 'less', capStrike: 50 },
    ];
    expect(() => parseLadder(twoLower)).toThrow(/2 lower/);
    expect(codeOf(() => parseLadder(nyLadderMarkets().slice(0, 1)))).toBe('EDGE_LADDER_TAIL');
  });

  it('refuses markets of another event, duplicates and unusable strikes, naming the field', () => {
    const mixed = [
      ...nyLadderMarkets().slice(0, 5),
      ...kalshiLadder('KXHIGHNY-26MAR17', 57, [2, 2, 2, 2]).slice(5),
    ];
    expect(codeOf(() => parseLadder(mixed))).toBe('EDGE_LADDER_MIXED_EVENTS');
    const dup = [...nyLadderMarkets(), nyLadderMarkets()[1] as LadderMarketInput];
    expect(() => parseLadder(dup)).toThrow(/listed twice/);
    const badCap = nyLadderMarkets().map((m) => (m.strikeType === 'between' ? { ...m, capStrike: null } : m));
    expect(() => parseLadder(badCap)).toThrow(
      `${NY_EVENT}-B57.5.cap_strike: expected a finite number, got null`,
    );
    const badType = nyLadderMarkets().map((m, i) => (i === 2 ? { ...m, strikeType: 'custom' } : m));
    expect(() => parseLadder(badType)).toThrow(/strike_type: expected one of/);
    const empty = nyLadderMarkets().map((m, i) =>
      i === 2 ? { ...m, floorStrike: 59.5, capStrike: 59.9 } : m,
    );
    expect(() => parseLadder(empty)).toThrow(/admits no whole degree/);
  });
});

describe('representative temperatures', () => {
  it('are bracket midpoints, and one more bracket beyond each tail', () => {
    const ladder = parseLadder(nyLadderMarkets());
    expect(representativeTemps(ladder)).toEqual([55.5, 57.5, 59.5, 61.5, 63.5, 65.5]);
    expect(representativeTemps(ladder, 5)).toEqual([54, 57.5, 59.5, 61.5, 63.5, 67]);
    expect(codeOf(() => representativeTemps(ladder, 0))).toBe('EDGE_BAD_INPUT');
  });
});
