/**
 * buildDataset: recorded book events (the bus's BookSnapshotRecord / BookDeltaRecord, which the
 * database's orderbook_snapshots / orderbook_deltas tables hold) → training samples.
 *
 * Per market it keeps a real OrderBook (src/orderbook) and a History, and after every applied
 * event builds the observation THROUGH src/policy/observation.ts — the live actor's own builder,
 * so training and trading see the same features. Time is the record's receivedMs, as live.
 *
 * The records carry no portfolio, so each sample gets a synthetic one drawn from the seed: flat
 * with probability `flatShare`, else a YES or NO position of one of the action sizes, bought at the
 * current mid ± a few cents; cash = equity − cost. This teaches the policy the exits (sell_*)
 * as well as the entries. Samples on a one-sided book are skipped (nothing to price), and so are
 * the last `horizon` updates of each market (no future mid yet). Deltas the live book dropped
 * (`applied: false`) and deltas before a market's first snapshot are skipped.
 */
import type { BookDeltaRecord, BookSnapshotRecord } from '../../bus.js';
import type { Count, Micros, Price } from '../../domain/index.js';
import { COUNT_SCALE, MICROS_PER_DOLLAR, PRICE_SCALE } from '../../domain/index.js';
import { type Level, OrderBook } from '../../orderbook/index.js';
import { type ActionSettings, DEFAULT_ACTION_SETTINGS, SIZE_MULTIPLIERS } from '../actions.js';
import { PolicyError } from '../errors.js';
import { bookInputFromBook, EMPTY_HISTORY, type History, observe } from '../observation.js';
import { createRng } from './rng.js';

export type BookRecord = BookSnapshotRecord | BookDeltaRecord;

export interface Sample {
  readonly ticker: string;
  readonly tMs: number;
  readonly obs: Float32Array;
  readonly bestYesBid: Price;
  readonly yesAsk: Price;
  /** Synthetic position and cash the observation was built with. */
  readonly position: Count;
  readonly cash: Micros;
  /** Two-sided YES mid `horizon` updates later (Price units, may be x.5). */
  readonly futureMid: number;
  /** The best YES bid and the YES ask at that same later update: where a round trip exits. */
  readonly futureBid: Price;
  readonly futureAsk: Price;
}

export interface Dataset {
  readonly samples: readonly Sample[];
  readonly horizon: number;
}

export interface DatasetOptions {
  /** Updates of the same market ahead at which the future mid is read (default 10). */
  readonly horizon?: number;
  /** Seed of the synthetic portfolios (default 1). */
  readonly seed?: number;
  /** Share of samples with a flat position (default 0.5). */
  readonly flatShare?: number;
  /** Equity of the synthetic account (default $1,000). */
  readonly equity?: Micros;
  readonly actionSettings?: ActionSettings;
}

const isDelta = (r: BookRecord): r is BookDeltaRecord => 'side' in r;
const levels = (pairs: ReadonlyArray<readonly [number, number]>): Level[] =>
  pairs.filter(([, c]) => c > 0).map(([price, count]) => ({ price, count }));

interface Pending {
  sample: Omit<Sample, 'futureMid' | 'futureBid' | 'futureAsk'>;
  future?: { mid: number; bid: Price; ask: Price };
}

export function buildDataset(stream: Iterable<BookRecord>, options: DatasetOptions = {}): Dataset {
  const horizon = options.horizon ?? 10;
  const flatShare = options.flatShare ?? 0.5;
  const equity = options.equity ?? 1_000 * MICROS_PER_DOLLAR;
  const settings = options.actionSettings ?? DEFAULT_ACTION_SETTINGS;
  if (!Number.isInteger(horizon) || horizon < 1) {
    throw new PolicyError('POLICY_BAD_SETTINGS', `dataset: horizon must be an integer ≥ 1, got ${horizon}`, {
      field: 'horizon',
    });
  }
  const rng = createRng(options.seed ?? 1);
  const books = new Map<string, OrderBook>();
  const histories = new Map<string, History>();
  /** Per market: every step's mid, and the pending samples by step. */
  const steps = new Map<string, Array<{ mid: number | undefined; pending: Pending | undefined }>>();
  const all: Pending[] = [];

  for (const r of stream) {
    let book = books.get(r.ticker);
    if (isDelta(r)) {
      if (!book || !r.applied) continue;
      book.applyDelta(r.side, r.price, r.delta);
    } else {
      if (!book) {
        book = new OrderBook(r.ticker);
        books.set(r.ticker, book);
      }
      book.applySnapshot(levels(r.yes), levels(r.no));
    }
    const input = bookInputFromBook(book);
    const bid = book.bestYesBid();
    const ask = book.yesAsk();
    const mid = bid !== undefined && ask !== undefined ? (bid + ask) / 2 : undefined;

    let position = 0;
    let cost = 0;
    if (mid !== undefined && rng.next() >= flatShare) {
      const size = settings.contractSize * SIZE_MULTIPLIERS[rng.int(SIZE_MULTIPLIERS.length)]!;
      const yes = rng.next() < 0.5;
      const leg = (yes ? mid : PRICE_SCALE - mid) + (rng.next() - 0.5) * 600; // ± 3 cents
      position = yes ? size : -size;
      cost = Math.round(
        (size / COUNT_SCALE) * Math.min(PRICE_SCALE, Math.max(0, leg)) * (MICROS_PER_DOLLAR / PRICE_SCALE),
      );
    }
    const cash = equity - cost;
    const { history, obs } = observe(
      histories.get(r.ticker) ?? EMPTY_HISTORY,
      input,
      r.receivedMs,
      { position, cash, costBasis: cost, equity },
      [],
    );
    histories.set(r.ticker, history);

    let seq = steps.get(r.ticker);
    if (!seq) {
      seq = [];
      steps.set(r.ticker, seq);
    }
    const pending: Pending | undefined =
      bid !== undefined && ask !== undefined
        ? {
            sample: {
              ticker: r.ticker,
              tMs: r.receivedMs,
              obs,
              bestYesBid: bid,
              yesAsk: ask,
              position,
              cash,
            },
          }
        : undefined;
    seq.push({ mid, pending });
    if (pending) all.push(pending);
    const back = seq[seq.length - 1 - horizon];
    if (back?.pending && mid !== undefined) back.pending.future = { mid, bid: bid!, ask: ask! };
    if (seq.length > horizon + 1) seq.shift();
  }

  const samples: Sample[] = [];
  for (const p of all) {
    const f = p.future;
    if (f) samples.push({ ...p.sample, futureMid: f.mid, futureBid: f.bid, futureAsk: f.ask });
  }
  return { samples, horizon };
}
