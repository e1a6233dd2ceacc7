/**
 * The REST cross-check of our local books (issue 8 §3): a book can be wrong without any sequence
 * gap saying so (a delta applied to the wrong level). After every resync and every `intervalMs`
 * for the books we trade, the top `depth` levels of each ladder are compared with the exchange's
 * `GET /markets/{ticker}/orderbook`. Messages in flight make a single comparison unreliable, so a
 * difference is confirmed by a second look `confirmMs` later (both books read again). A confirmed
 * disagreement is counted, asks the feed for a fresh snapshot, and puts the market in REDUCING
 * ('market.doubted' book_mismatch) until a later check agrees ('market.cleared').
 */
import type { EventBus } from '../bus.js';
import type { KalshiRestClient } from '../kalshi/index.js';
import { orderbookFromRest } from '../kalshi/index.js';
import type { OrderBook } from '../orderbook/index.js';

export const BOOK_MISMATCH = 'book_mismatch';

export interface BookAuditorDeps {
  readonly rest: Pick<KalshiRestClient, 'getMarketOrderbook'>;
  readonly book: (ticker: string) => OrderBook | undefined;
  readonly resync: (tickers: readonly string[]) => void;
  readonly bus: EventBus;
  readonly clock: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** Levels compared per ladder (default 5). */
  readonly depth?: number;
  /** Wait before the confirming look (default 500 ms). */
  readonly confirmMs?: number;
}

export interface BookAuditStats {
  checks: number;
  disagreements: number;
  /** Differences that a second look did not confirm (messages in flight). */
  transient: number;
  errors: number;
}

type Levels = ReadonlyArray<{ readonly price: number; readonly count: number }>;

/** The best `n` levels, best first (highest price), from levels in any order. */
function best(levels: Levels, n: number): string {
  return [...levels]
    .filter((l) => l.count > 0)
    .sort((a, b) => b.price - a.price)
    .slice(0, n)
    .map((l) => `${l.price}:${l.count}`)
    .join(',');
}

export class BookAuditor {
  readonly stats: BookAuditStats = { checks: 0, disagreements: 0, transient: 0, errors: 0 };
  /** Markets a confirmed disagreement put in REDUCING. */
  readonly #doubted = new Set<string>();
  readonly #running = new Map<string, Promise<boolean | undefined>>();

  constructor(private readonly deps: BookAuditorDeps) {}

  /** Markets in REDUCING because of a disagreement. */
  doubted(): readonly string[] {
    return [...this.#doubted];
  }

  /** The market is no longer watched: its doubt is moot (the machine drops it on 'market.unwatched'). */
  forget(ticker: string): void {
    this.#doubted.delete(ticker);
  }

  /** Checks one market (single-flight per market): true agree, false disagree, undefined not checkable. */
  check(ticker: string): Promise<boolean | undefined> {
    let run = this.#running.get(ticker);
    if (run === undefined) {
      run = this.#check(ticker).finally(() => this.#running.delete(ticker));
      this.#running.set(ticker, run);
    }
    return run;
  }

  async #differs(ticker: string): Promise<boolean | undefined> {
    const book = this.deps.book(ticker);
    if (book === undefined || book.status !== 'live') return undefined;
    const depth = this.deps.depth ?? 5;
    const remote = orderbookFromRest((await this.deps.rest.getMarketOrderbook(ticker, depth)).orderbook_fp);
    if (book.status !== 'live') return undefined;
    const local = { yes: book.depth('yes', depth), no: book.depth('no', depth) };
    return (
      best(local.yes, depth) !== best(remote.yes, depth) || best(local.no, depth) !== best(remote.no, depth)
    );
  }

  async #check(ticker: string): Promise<boolean | undefined> {
    this.stats.checks += 1;
    let differs: boolean | undefined;
    try {
      differs = await this.#differs(ticker);
      if (differs) {
        await this.deps.sleep(this.deps.confirmMs ?? 500);
        differs = await this.#differs(ticker);
        if (!differs) this.stats.transient += 1;
      }
    } catch {
      this.stats.errors += 1;
      return undefined;
    }
    if (differs === undefined) return undefined;
    const at = this.deps.clock();
    if (differs) {
      this.stats.disagreements += 1;
      this.#doubted.add(ticker);
      this.deps.bus.emit('market.doubted', { ticker, reason: BOOK_MISMATCH, at });
      this.deps.resync([ticker]);
      return false;
    }
    if (this.#doubted.delete(ticker))
      this.deps.bus.emit('market.cleared', { ticker, reason: BOOK_MISMATCH, at });
    return true;
  }
}
