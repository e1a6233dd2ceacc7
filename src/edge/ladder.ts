/**
 * A Kalshi daily-high temperature ladder: the mutually exclusive brackets of one city-day event.
 *
 * TICKERS (KALSHI.md §9). Series `KXHIGH<CITY>` (legacy `HIGH<CITY>`), event
 * `KXHIGH<CITY>-<YY><MON><DD>` (e.g. KXHIGHNY-26MAR16, the day the high is measured), market
 * `<event>-<strike>` (`B57.5` a bracket, `T56` a tail). The suffix is informative only: the strike
 * fields decide what pays.
 *
 * WHAT PAYS. The settled value is the NWS daily climate report's maximum: a whole number of °F.
 * For a settled high T, a market pays YES when (KALSHI.md §4.1 strike_type / floor_strike /
 * cap_strike):
 *   between            floor ≤ T ≤ cap   ("57° to 58°": floor 57, cap 58 — both ends included)
 *   less               T < cap           ("56° or below": cap 57)
 *   less_or_equal      T ≤ cap
 *   greater            T > floor         ("65° or above": floor 64)
 *   greater_or_equal   T ≥ floor
 * so every market is an inclusive range lo..hi of whole degrees (lo = −∞ for a lower tail,
 * hi = +∞ for an upper tail). A strike that is not whole is taken at the whole degrees it admits.
 *
 * A VALID LADDER covers every whole degree exactly once: one lower tail, one upper tail, and
 * `between` brackets in between with no gap and no overlap (Kalshi lists six: two tails and four
 * 2°F brackets, but any count ≥ 2 is accepted). Anything else is an EdgeError naming the market
 * and the temperatures concerned.
 */
import { EdgeError, show } from './errors.js';

export type LadderStrikeType = 'between' | 'less' | 'less_or_equal' | 'greater' | 'greater_or_equal';
const STRIKE_TYPES: readonly string[] = ['between', 'less', 'less_or_equal', 'greater', 'greater_or_equal'];

export type BracketKind = 'lower_tail' | 'between' | 'upper_tail';

/** The fields of a Kalshi Market the ladder needs (camelCase; see fromWireMarket for the wire's). */
export interface LadderMarketInput {
  readonly ticker: string;
  /** Defaults to the ticker without its last `-` segment. */
  readonly eventTicker?: string;
  readonly strikeType: string;
  readonly floorStrike?: number | null;
  readonly capStrike?: number | null;
}

/** The subset of a REST/WS Market object (snake_case, as on the wire) that describes a strike. */
export interface WireMarketLike {
  readonly ticker: string;
  readonly event_ticker?: string;
  readonly strike_type?: string;
  readonly floor_strike?: number | null;
  readonly cap_strike?: number | null;
}

export interface Bracket {
  readonly ticker: string;
  readonly kind: BracketKind;
  readonly strikeType: LadderStrikeType;
  readonly floorStrike?: number;
  readonly capStrike?: number;
  /** Lowest settled whole °F that pays YES (−Infinity for the lower tail). */
  readonly lo: number;
  /** Highest settled whole °F that pays YES (+Infinity for the upper tail). */
  readonly hi: number;
  /** For people: "56° or below", "57° to 58°", "65° or above". */
  readonly label: string;
}

export interface EventTickerParts {
  readonly eventTicker: string;
  readonly seriesTicker: string;
  /** The city part of the series, e.g. NY for KXHIGHNY, TDAL for KXHIGHTDAL. */
  readonly cityCode: string;
  /** The day the high is measured, ISO YYYY-MM-DD. */
  readonly date: string;
}

export interface Ladder extends EventTickerParts {
  /** Ascending: lower tail first, upper tail last. */
  readonly brackets: readonly Bracket[];
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const EVENT_RE = /^((?:KX)?HIGH([A-Z]+))-(\d{2})([A-Z]{3})(\d{2})$/;

/** Splits an event ticker (or a market ticker: its strike suffix is ignored) into its parts. */
export function parseEventTicker(ticker: string): EventTickerParts {
  if (typeof ticker !== 'string')
    throw new EdgeError('EDGE_BAD_TICKER', 'ticker', `not a string: ${show(ticker)}`);
  const parts = ticker.split('-');
  const eventTicker = parts.slice(0, 2).join('-');
  const m = EVENT_RE.exec(eventTicker);
  if (!m || parts.length > 3) {
    throw new EdgeError('EDGE_BAD_TICKER', ticker, 'expected KXHIGH<CITY>-<YY><MON><DD>[-<strike>]');
  }
  const [, seriesTicker, cityCode, yy, mon, dd] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const month = MONTHS.indexOf(mon);
  const year = 2000 + Number(yy);
  const day = Number(dd);
  const daysInMonth = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  if (month < 0 || day < 1 || day > daysInMonth) {
    throw new EdgeError('EDGE_BAD_TICKER', ticker, `${yy}${mon}${dd} is not a calendar date`);
  }
  const date = `${year}-${String(month + 1).padStart(2, '0')}-${dd}`;
  return { eventTicker, seriesTicker, cityCode, date };
}

/** The ISO date YYYY-MM-DD as Kalshi's YYMONDD, e.g. 2026-03-16 → 26MAR16. */
export function tickerDateOf(isoDate: string): string {
  const m = /^20(\d{2})-(\d{2})-(\d{2})$/.exec(isoDate);
  const month = m ? MONTHS[Number(m[2]) - 1] : undefined;
  if (!m || !month)
    throw new EdgeError('EDGE_BAD_INPUT', 'date', `expected YYYY-MM-DD in 2000–2099, got ${show(isoDate)}`);
  return `${m[1]}${month}${m[3]}`;
}

/** Maps a wire Market (snake_case) to the ladder's input. */
export function fromWireMarket(m: WireMarketLike): LadderMarketInput {
  return {
    ticker: m.ticker,
    ...(m.event_ticker !== undefined ? { eventTicker: m.event_ticker } : {}),
    strikeType: m.strike_type ?? '',
    floorStrike: m.floor_strike ?? null,
    capStrike: m.cap_strike ?? null,
  };
}

function strike(ticker: string, name: string, value: number | null | undefined): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new EdgeError(
      'EDGE_LADDER_BAD_MARKET',
      `${ticker}.${name}`,
      `expected a finite number, got ${show(value)}`,
    );
  }
  return value;
}

function deg(t: number): string {
  return `${t}°`;
}

/** One market as a bracket: the whole degrees it pays for. */
export function toBracket(m: LadderMarketInput): Bracket {
  const ticker = m.ticker;
  if (typeof ticker !== 'string' || ticker.length === 0) {
    throw new EdgeError('EDGE_LADDER_BAD_MARKET', 'ticker', `expected a ticker, got ${show(ticker)}`);
  }
  if (!STRIKE_TYPES.includes(m.strikeType)) {
    throw new EdgeError(
      'EDGE_LADDER_BAD_MARKET',
      `${ticker}.strike_type`,
      `expected one of ${STRIKE_TYPES.join(', ')}, got ${show(m.strikeType)}`,
    );
  }
  const strikeType = m.strikeType as LadderStrikeType;
  switch (strikeType) {
    case 'between': {
      const floorStrike = strike(ticker, 'floor_strike', m.floorStrike);
      const capStrike = strike(ticker, 'cap_strike', m.capStrike);
      const lo = Math.ceil(floorStrike);
      const hi = Math.floor(capStrike);
      if (lo > hi) {
        throw new EdgeError(
          'EDGE_LADDER_BAD_MARKET',
          ticker,
          `between ${floorStrike} and ${capStrike} admits no whole degree`,
        );
      }
      return {
        ticker,
        kind: 'between',
        strikeType,
        floorStrike,
        capStrike,
        lo,
        hi,
        label: `${deg(lo)} to ${deg(hi)}`,
      };
    }
    case 'less':
    case 'less_or_equal': {
      const capStrike = strike(ticker, 'cap_strike', m.capStrike);
      const hi = strikeType === 'less' ? Math.ceil(capStrike) - 1 : Math.floor(capStrike);
      return {
        ticker,
        kind: 'lower_tail',
        strikeType,
        capStrike,
        lo: -Infinity,
        hi,
        label: `${deg(hi)} or below`,
      };
    }
    case 'greater':
    case 'greater_or_equal': {
      const floorStrike = strike(ticker, 'floor_strike', m.floorStrike);
      const lo = strikeType === 'greater' ? Math.floor(floorStrike) + 1 : Math.ceil(floorStrike);
      return {
        ticker,
        kind: 'upper_tail',
        strikeType,
        floorStrike,
        lo,
        hi: Infinity,
        label: `${deg(lo)} or above`,
      };
    }
  }
}

/**
 * Parses and validates one event's markets as a ladder. Throws EdgeError (EDGE_LADDER_*,
 * EDGE_BAD_TICKER) naming the market and the temperatures that are not covered exactly once.
 */
export function parseLadder(markets: readonly LadderMarketInput[]): Ladder {
  if (!Array.isArray(markets) || markets.length < 2) {
    throw new EdgeError(
      'EDGE_LADDER_TAIL',
      'markets',
      `a ladder needs at least two markets, got ${markets?.length ?? 0}`,
    );
  }
  const first = markets[0] as LadderMarketInput;
  const parts = parseEventTicker(first.eventTicker ?? first.ticker);
  const seen = new Set<string>();
  for (const m of markets) {
    const event = m.eventTicker ?? m.ticker?.split('-').slice(0, 2).join('-');
    if (event !== parts.eventTicker) {
      throw new EdgeError(
        'EDGE_LADDER_MIXED_EVENTS',
        m.ticker,
        `belongs to ${show(event)}, not ${parts.eventTicker}`,
      );
    }
    if (seen.has(m.ticker)) throw new EdgeError('EDGE_LADDER_BAD_MARKET', m.ticker, 'listed twice');
    seen.add(m.ticker);
  }
  const brackets = markets.map(toBracket).sort((a, b) => a.lo - b.lo || a.hi - b.hi);
  const lowers = brackets.filter((b) => b.kind === 'lower_tail');
  const uppers = brackets.filter((b) => b.kind === 'upper_tail');
  if (lowers.length !== 1 || uppers.length !== 1) {
    throw new EdgeError(
      'EDGE_LADDER_TAIL',
      parts.eventTicker,
      `expected one lower tail and one upper tail, got ${lowers.length} lower (${lowers.map((b) => b.ticker).join(', ') || 'none'}) and ${uppers.length} upper (${uppers.map((b) => b.ticker).join(', ') || 'none'})`,
    );
  }
  for (let i = 1; i < brackets.length; i++) {
    const prev = brackets[i - 1] as Bracket;
    const cur = brackets[i] as Bracket;
    const expected = prev.hi + 1;
    if (cur.lo > expected) {
      const span = cur.lo - 1 === expected ? deg(expected) : `${deg(expected)} to ${deg(cur.lo - 1)}`;
      throw new EdgeError(
        'EDGE_LADDER_GAP',
        parts.eventTicker,
        `${span} pays no bracket (between ${prev.ticker} and ${cur.ticker})`,
      );
    }
    if (cur.lo < expected) {
      const top = Math.min(prev.hi, cur.hi);
      const span = cur.lo === top ? deg(cur.lo) : `${deg(cur.lo)} to ${deg(top)}`;
      throw new EdgeError(
        'EDGE_LADDER_OVERLAP',
        parts.eventTicker,
        `${span} pays both ${prev.ticker} and ${cur.ticker}`,
      );
    }
  }
  return { ...parts, brackets };
}

/** The bracket that pays YES for a settled whole-degree high `t`. */
export function bracketFor(ladder: Ladder, t: number): Bracket {
  const found = ladder.brackets.find((b) => t >= b.lo && t <= b.hi);
  if (!found) throw new EdgeError('EDGE_BAD_INPUT', 't', `${t} is not a whole degree any bracket pays for`);
  return found;
}

/** Width of the typical `between` bracket in whole degrees (the median; 2 if there is none). */
export function typicalWidth(ladder: Ladder): number {
  const widths = ladder.brackets
    .filter((b) => b.kind === 'between')
    .map((b) => b.hi - b.lo + 1)
    .sort((a, b) => a - b);
  return widths.length === 0 ? 2 : (widths[Math.floor((widths.length - 1) / 2)] as number);
}

/**
 * One temperature standing for each bracket, for implied-temperature averages: the midpoint of a
 * `between` bracket; for a tail, the midpoint of one more bracket of width `tailWidth` (default
 * the typical width) beyond its edge — "56° or below" with 2° brackets stands for 55.5°.
 */
export function representativeTemps(ladder: Ladder, tailWidth = typicalWidth(ladder)): number[] {
  if (!Number.isFinite(tailWidth) || tailWidth < 1) {
    throw new EdgeError('EDGE_BAD_INPUT', 'tailWidth', `expected a width ≥ 1°, got ${show(tailWidth)}`);
  }
  const half = (tailWidth - 1) / 2;
  return ladder.brackets.map((b) => {
    if (b.kind === 'lower_tail') return b.hi - half;
    if (b.kind === 'upper_tail') return b.lo + half;
    return (b.lo + b.hi) / 2;
  });
}
