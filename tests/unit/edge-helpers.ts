/** Shared builders for the edge tests: Kalshi-shaped ladders and quotes. */
import fc from 'fast-check';
import type { LadderMarketInput } from '../../src/edge/index.js';

/**
 * A Kalshi daily-high ladder: lower tail "≤ start − 1", brackets of the given widths, upper tail.
 * With widths [2, 2, 2, 2] and start 57: T57 (less, cap 57), B57.5, B59.5, B61.5, B63.5, T64 (greater, floor 64).
 */
export function kalshiLadder(event: string, start: number, widths: readonly number[]): LadderMarketInput[] {
  // Tickers stay unique and dash-free for any strikes (M for minus; U when the tails share a number).
  const num = (n: number) => (n < 0 ? `M${-n}` : String(n));
  const markets: LadderMarketInput[] = [
    { ticker: `${event}-T${num(start)}`, eventTicker: event, strikeType: 'less', capStrike: start },
  ];
  let lo = start;
  for (const w of widths) {
    const hi = lo + w - 1;
    markets.push({
      ticker: `${event}-B${num(lo)}.5`,
      eventTicker: event,
      strikeType: 'between',
      floorStrike: lo,
      capStrike: hi,
    });
    lo = hi + 1;
  }
  const upper = `${event}-T${num(lo - 1)}`;
  markets.push({
    ticker: upper === markets[0]?.ticker ? `${upper}U` : upper,
    eventTicker: event,
    strikeType: 'greater',
    floorStrike: lo - 1,
  });
  return markets;
}

export const NY_EVENT = 'KXHIGHNY-26MAR16';

/** The six-market ladder Kalshi listed for NYC on 2026-03-16: ≤56, 57–58, 59–60, 61–62, 63–64, ≥65. */
export function nyLadderMarkets(): LadderMarketInput[] {
  return kalshiLadder(NY_EVENT, 57, [2, 2, 2, 2]);
}

/** Arbitrary valid ladders: 0–6 between brackets of width 1–3 starting anywhere in −20..100°F. */
export const ladderArb = fc
  .record({
    start: fc.integer({ min: -20, max: 100 }),
    widths: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 0, maxLength: 6 }),
  })
  .map(({ start, widths }) => kalshiLadder('KXHIGHCHI-26JAN05', start, widths));

/** Reflects a ladder t → −t (tails swap, brackets mirror): the same event seen upside down. */
export function mirrorLadder(markets: readonly LadderMarketInput[]): LadderMarketInput[] {
  return markets.map((m) => {
    if (m.strikeType === 'less')
      return { ...m, strikeType: 'greater', floorStrike: -(m.capStrike as number), capStrike: null };
    if (m.strikeType === 'greater')
      return { ...m, strikeType: 'less', capStrike: -(m.floorStrike as number), floorStrike: null };
    return { ...m, floorStrike: -(m.capStrike as number), capStrike: -(m.floorStrike as number) };
  });
}
