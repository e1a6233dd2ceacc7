/**
 * Kalshi's orderbook messages → book input: `orderbook_snapshot` and `orderbook_delta` (REST-shaped
 * or as the WebSocket client hands them on) parsed into integer units, every field checked
 * (KALSHI_WIRE_BAD_MESSAGE naming it), and applied to an OrderBook (book.ts). The delta path is
 * the ingest hot path: see parseDelta.
 */
import { type Count, complement, type Price } from '../domain/index.js';
import {
  KalshiError,
  type OrderbookDeltaMessage,
  type OrderbookSnapshotMessage,
  parseCount,
  parseLimitPrice,
  parseSignedCount,
} from '../kalshi/index.js';
import { isRecord } from '../kalshi/ws-commands.js';
import { type DeltaOutcome, type LadderSide, type Level, OrderBook, OrderBookError } from './book.js';

/** How the subscription was made: with use_yes_price=true, NO levels arrive on the YES price scale. */
export interface PriceScaleOptions {
  readonly useYesPrice: boolean;
}

export interface ParsedSnapshot {
  readonly sid: number;
  readonly seq: number;
  readonly marketTicker: string;
  readonly marketId: string | undefined;
  /** Ascending by price; NO levels on the NO price scale whatever the subscription used. */
  readonly yes: Level[];
  readonly no: Level[];
}

/**
 * A delta as the feed hands it on: what the wire said, when it arrived and whether the book took
 * it. It is the bus's BookDeltaRecord and the row the Recorder queues, as it is: one object per
 * delta from the frame to the database. It is also the book's UpdateStamp (exchangeTsMs,
 * receivedMs), so applying it builds no stamp.
 */
export interface ParsedDelta {
  readonly ticker: string;
  readonly sid: number;
  readonly seq: number;
  readonly side: LadderSide;
  /** On the ladder's own price scale (a NO delta carries a NO price). */
  readonly price: Price;
  readonly delta: Count;
  /** Our clock at the socket read that delivered it (0 for a message parsed on its own). */
  readonly receivedMs: number;
  /** False when the local book dropped it (resyncing after a gap). */
  readonly applied: boolean;
  /** Set only when the message carried one (no key otherwise), as are the bus's optional fields. */
  readonly clientOrderId?: string;
  readonly exchangeTsMs?: number;
}

function badMessage(what: string): KalshiError {
  return new KalshiError('KALSHI_WIRE_BAD_MESSAGE', what);
}

function requireString(obj: Record<string, unknown>, key: string, where: string): string {
  const v = obj[key];
  if (typeof v !== 'string' || v === '') throw badMessage(`${where}: ${key} must be a non-empty string`);
  return v;
}

function optionalString(obj: Record<string, unknown>, key: string): string | undefined {
  const v = obj[key];
  return typeof v === 'string' ? v : undefined;
}

function requireInt(obj: Record<string, unknown>, key: string, where: string): number {
  const v = obj[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v))
    throw badMessage(`${where}: ${key} must be an integer`);
  return v;
}

function parseLevels(raw: unknown, field: string, toNoScale: boolean): Level[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw))
    throw badMessage(`orderbook_snapshot: ${field} must be an array of [price, count]`);
  const out: Level[] = [];
  const seen = new Set<number>();
  raw.forEach((entry: unknown, i: number) => {
    if (!Array.isArray(entry) || entry.length < 2) {
      throw badMessage(`orderbook_snapshot: ${field}[${i}] must be [price_dollars, count_fp]`);
    }
    const wirePrice = parseLimitPrice(entry[0], `${field}[${i}][0]`);
    const price = toNoScale ? complement(wirePrice) : wirePrice;
    const count = parseCount(entry[1], `${field}[${i}][1]`);
    if (seen.has(price)) throw badMessage(`orderbook_snapshot: ${field} lists price ${entry[0]} twice`);
    seen.add(price);
    if (count > 0) out.push({ price, count });
  });
  out.sort((a, b) => a.price - b.price);
  return out;
}

/** Parses an `orderbook_snapshot` (absent side key = empty side). Throws KalshiError on garbage. */
export function snapshotFromMessage(
  message: OrderbookSnapshotMessage,
  opts: PriceScaleOptions,
): ParsedSnapshot {
  const m: unknown = message;
  if (!isRecord(m) || m.type !== 'orderbook_snapshot') throw badMessage('not an orderbook_snapshot message');
  const body = m.msg;
  if (!isRecord(body)) throw badMessage('orderbook_snapshot: msg must be an object');
  return {
    sid: requireInt(m, 'sid', 'orderbook_snapshot'),
    seq: requireInt(m, 'seq', 'orderbook_snapshot'),
    marketTicker: requireString(body, 'market_ticker', 'orderbook_snapshot'),
    marketId: optionalString(body, 'market_id'),
    yes: parseLevels(body.yes_dollars_fp, 'yes_dollars_fp', false),
    no: parseLevels(body.no_dollars_fp, 'no_dollars_fp', opts.useYesPrice),
  };
}

/** A fresh, live book from an `orderbook_snapshot` message. */
export function bookFromSnapshotMessage(
  message: OrderbookSnapshotMessage,
  opts: PriceScaleOptions,
  receivedMs?: number,
): OrderBook {
  const snap = snapshotFromMessage(message, opts);
  const book = new OrderBook(snap.marketTicker);
  book.applySnapshot(snap.yes, snap.no, receivedMs === undefined ? undefined : { receivedMs });
  return book;
}

/**
 * Parses an `orderbook_delta`; a NO price is brought back to the NO scale under use_yes_price.
 * `receivedMs` and `applied` are the feed's to say (a message parsed on its own: 0, true).
 */
export function deltaFromMessage(
  message: OrderbookDeltaMessage,
  opts: PriceScaleOptions,
  receivedMs = 0,
  applied = true,
): ParsedDelta {
  const m: unknown = message;
  if (!isRecord(m) || m.type !== 'orderbook_delta') throw badMessage('not an orderbook_delta message');
  const body = m.msg;
  if (!isRecord(body)) throw badMessage('orderbook_delta: msg must be an object');
  return parseDelta(m, body, opts, false, undefined, receivedMs, applied);
}

/**
 * deltaFromMessage for a message the WebSocket client has delivered: it has checked already that
 * `msg` is an object and that `sid` and `seq` are safe integers, so only the payload is parsed.
 * `book`: the book the caller found by the message's market_ticker; its ticker (the same text, a
 * long-lived string) is kept instead of the frame's copy, so what outlives the frame (a queued
 * row) does not hold on to the frame's strings.
 */
export function deltaFromClientMessage(
  message: OrderbookDeltaMessage,
  opts: PriceScaleOptions,
  book?: OrderBook,
  receivedMs = 0,
  applied = true,
): ParsedDelta {
  return parseDelta(
    message as unknown as Record<string, unknown>,
    message.msg as unknown as Record<string, unknown>,
    opts,
    true,
    book?.marketTicker,
    receivedMs,
    applied,
  );
}

function parseDelta(
  m: Record<string, unknown>,
  body: Record<string, unknown>,
  opts: PriceScaleOptions,
  envelopeChecked: boolean,
  knownTicker: string | undefined,
  receivedMs: number,
  applied: boolean,
): ParsedDelta {
  // The literal, not the frame's string (V8 happens to share the short strings JSON.parse makes,
  // but nothing promises it): a delta that is kept holds no string of the frame's.
  const wireSide = body.side;
  const side = wireSide === 'yes' ? 'yes' : wireSide === 'no' ? 'no' : undefined;
  if (side === undefined) throw badMessage('orderbook_delta: side must be "yes" or "no"');
  const wirePrice = parseLimitPrice(body.price_dollars, 'price_dollars');
  const delta = parseSignedCount(body.delta_fp, 'delta_fp');
  const ts = body.ts_ms;
  const sid = envelopeChecked ? (m.sid as number) : requireInt(m, 'sid', 'orderbook_delta');
  const seq = envelopeChecked ? (m.seq as number) : requireInt(m, 'seq', 'orderbook_delta');
  // Named reads, not requireString / optionalString: every delta body has the same shape, so
  // these stay monomorphic property loads on the hot path. Same checks, same messages.
  const marketTicker = body.market_ticker;
  if (typeof marketTicker !== 'string' || marketTicker === '')
    throw badMessage('orderbook_delta: market_ticker must be a non-empty string');
  const ticker = knownTicker === marketTicker ? knownTicker : marketTicker;
  const price = side === 'no' && opts.useYesPrice ? complement(wirePrice) : wirePrice;
  const clientOrderId = body.client_order_id;
  const hasTs = typeof ts === 'number' && Number.isFinite(ts);
  // Optional fields are set only when present (no key otherwise). The usual delta (a timestamp,
  // not our order) is built in one literal: no hidden-class transition for the added key.
  if (hasTs && clientOrderId === undefined) {
    return { ticker, sid, seq, side, price, delta, receivedMs, applied, exchangeTsMs: ts };
  }
  const d: { -readonly [K in keyof ParsedDelta]: ParsedDelta[K] } = {
    ticker,
    sid,
    seq,
    side,
    price,
    delta,
    receivedMs,
    applied,
  };
  if (typeof clientOrderId === 'string') d.clientOrderId = clientOrderId;
  if (hasTs) d.exchangeTsMs = ts;
  return d;
}

function checkMarket(book: OrderBook, marketTicker: string): void {
  if (book.marketTicker !== '' && book.marketTicker !== marketTicker) {
    throw new OrderBookError(
      'BOOK_WRONG_MARKET',
      `message for ${marketTicker} applied to the book of ${book.marketTicker}`,
    );
  }
}

/** Applies a parsed snapshot to an existing book (re-snapshot after a gap). */
export function applySnapshotMessage(book: OrderBook, snap: ParsedSnapshot, receivedMs: number): void {
  checkMarket(book, snap.marketTicker);
  book.applySnapshot(snap.yes, snap.no, { receivedMs });
}

/** Applies a parsed delta and stamps the book with its times; returns the outcome (`'negative'` ⇒ resync). */
export function applyDeltaMessage(book: OrderBook, d: ParsedDelta): DeltaOutcome {
  checkMarket(book, d.ticker);
  const outcome = book.applyDelta(d.side, d.price, d.delta);
  book.markUpdated(d);
  return outcome;
}
