/**
 * Order book apply benchmark: `npx tsx bench/book-apply.ts` (npm run bench:book). Prints figures; not a test.
 *
 * A deterministic (seeded) stream of Kalshi orderbook deltas for a few markets — clustered around a
 * drifting mid, adds, partial and full cancels, sweeps that wipe the touch — is generated up front
 * (with a naive Map book as the reference). The same stream is then applied to:
 *  - traderv3's OrderBook (src/orderbook/book.ts): signed deltas, as Kalshi sends them;
 *  - ccxt's JavaScript OrderBook (the one its websocket layer uses): ccxt sides store absolute
 *    sizes, so each delta becomes `store(price, newAbsoluteSize)` with the size taken from the
 *    reference (precomputed, outside the timed loop). YES bids are ccxt bids; NO bids at q are ccxt
 *    asks at 1 − q; prices and sizes as float dollars / contracts, as ccxt holds them.
 * Both end states are compared with the reference. Options: --deltas N --seed S --runs R.
 */
import type { LadderSide } from '../src/orderbook/book.js';
import { OrderBook } from '../src/orderbook/book.js';
import { mulberry32 } from './lib/frames.js';
import { argNumber, emitSummary, fmt as fmtN, loadNote } from './lib/report.js';

// ---------- options ----------

const N = Math.floor(argNumber('deltas', 1_000_000));
const SEED = Math.floor(argNumber('seed', 20_260_101));
const RUNS = Math.floor(argNumber('runs', 7));
const WARMUP = 2;
const MARKETS = 4;

// ---------- seeded randomness ----------

const rnd = mulberry32(SEED);
const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
/** Geometric-ish distance from the touch, in ticks: mostly 0–3, a tail out to ~20. */
const ticksAway = () => Math.min(40, Math.floor(-Math.log(1 - rnd()) * 3));
/** Order sizes in Count units (1/100 contract): mostly whole contracts, some fractional. */
const orderSize = () => (rnd() < 0.9 ? int(1, 250) * 100 : int(1, 25_000));

// ---------- stream generation ----------

interface Market {
  tick: number;
  /** YES mid in price units, kept on the tick grid. */
  mid: number;
  yes: Map<number, number>;
  no: Map<number, number>;
}

const S_YES = 0;
const S_NO = 1;

const mk = new Uint8Array(N);
const sd = new Uint8Array(N);
const px = new Int32Array(N);
const dl = new Int32Array(N);
/** Absolute size at that level after the delta (for ccxt). */
const abs = new Float64Array(N);

const markets: Market[] = [];
const initial: Array<{
  yes: Array<{ price: number; count: number }>;
  no: Array<{ price: number; count: number }>;
}> = [];

let n = 0;
const kinds = { add: 0, cancelPartial: 0, cancelFull: 0, wipe: 0 };

function emit(m: number, side: number, price: number, delta: number): void {
  if (n >= N) return;
  const mkt = markets[m] as Market;
  const ladder = side === S_YES ? mkt.yes : mkt.no;
  const next = (ladder.get(price) ?? 0) + delta;
  if (next > 0) ladder.set(price, next);
  else ladder.delete(price);
  mk[n] = m;
  sd[n] = side;
  px[n] = price;
  dl[n] = delta;
  abs[n] = Math.max(next, 0);
  n++;
}

/** Highest bid price a side may hold without crossing the mid (YES bids below mid, NO bids below 1 − mid). */
function topAllowed(mkt: Market, side: number): number {
  return side === S_YES ? mkt.mid - mkt.tick : 10_000 - mkt.mid - mkt.tick;
}

function bestOf(ladder: Map<number, number>): number {
  let best = 0;
  for (const p of ladder.keys()) if (p > best) best = p;
  return best;
}

for (let m = 0; m < MARKETS; m++) {
  // One deci-cent market, the rest on the cent grid.
  const tick = m === MARKETS - 1 ? 10 : 100;
  const mid = Math.round(int(2000, 8000) / tick) * tick;
  const mkt: Market = { tick, mid, yes: new Map(), no: new Map() };
  markets.push(mkt);
  for (const side of [S_YES, S_NO]) {
    const ladder = side === S_YES ? mkt.yes : mkt.no;
    const levels = int(15, 40);
    for (let i = 0; i < levels; i++) {
      const p = topAllowed(mkt, side) - ticksAway() * 2 * tick - i * tick;
      if (p >= 1) ladder.set(p, (ladder.get(p) ?? 0) + orderSize());
    }
  }
  const toLevels = (l: Map<number, number>) => [...l].map(([price, count]) => ({ price, count }));
  initial.push({ yes: toLevels(mkt.yes), no: toLevels(mkt.no) });
}

// Best-bid caches for the generator (the generator's own cost is not measured).
while (n < N) {
  const m = rnd() < 0.55 ? 0 : int(1, MARKETS - 1);
  const mkt = markets[m] as Market;
  const side = rnd() < 0.5 ? S_YES : S_NO;
  const ladder = side === S_YES ? mkt.yes : mkt.no;
  const r = rnd();

  if (r < 0.002) {
    // The mid drifts by a tick; bids that would cross the new mid are pulled.
    mkt.mid = Math.min(9000, Math.max(1000, mkt.mid + (rnd() < 0.5 ? -mkt.tick : mkt.tick)));
    for (const s of [S_YES, S_NO]) {
      const l = s === S_YES ? mkt.yes : mkt.no;
      const limit = topAllowed(mkt, s);
      for (const [p, c] of [...l]) if (p > limit) emit(m, s, p, -c);
    }
    continue;
  }
  if (r < 0.05) {
    // A sweep: one to three levels at the touch disappear (trade or mass cancel).
    kinds.wipe++;
    const k = int(1, 3);
    for (let i = 0; i < k; i++) {
      const best = bestOf(ladder);
      if (best === 0) break;
      emit(m, side, best, -(ladder.get(best) ?? 0));
    }
    continue;
  }
  if (r < 0.55 || ladder.size < 5) {
    kinds.add++;
    const p = topAllowed(mkt, side) - ticksAway() * mkt.tick;
    if (p >= 1) emit(m, side, p, orderSize());
    continue;
  }
  // Cancel near the touch: find a level a few ticks from the top.
  const target = topAllowed(mkt, side) - ticksAway() * mkt.tick;
  const have = ladder.get(target);
  if (have === undefined) {
    kinds.add++;
    if (target >= 1) emit(m, side, target, orderSize());
    continue;
  }
  if (rnd() < 0.55) {
    kinds.cancelFull++;
    emit(m, side, target, -have);
  } else {
    kinds.cancelPartial++;
    emit(m, side, target, -Math.max(1, Math.floor(have * rnd() * 0.9)));
  }
}

// ccxt inputs, precomputed: ladder → bids/asks, float dollars and contracts.
const cPrice = new Float64Array(N);
const cSize = new Float64Array(N);
for (let i = 0; i < N; i++) {
  const p = px[i] as number;
  cPrice[i] = sd[i] === S_YES ? p / 10_000 : (10_000 - p) / 10_000;
  cSize[i] = (abs[i] as number) / 100;
}

// ---------- ccxt (loaded from its file: the package only exports its root) ----------

interface CcxtSide {
  length: number;
  [i: number]: [number, number];
  store(price: number, size: number): void;
  storeArray(delta: [number, number]): void;
}
interface CcxtBook {
  bids: CcxtSide;
  asks: CcxtSide;
}
type CcxtBookCtor = new (snapshot?: object, depth?: number) => CcxtBook;

async function loadCcxtOrderBook(): Promise<CcxtBookCtor> {
  const root = import.meta.resolve('ccxt');
  const mod: unknown = await import(new URL('./src/base/ws/OrderBook.js', root).href);
  if (typeof mod === 'object' && mod !== null && 'OrderBook' in mod && typeof mod.OrderBook === 'function') {
    return mod.OrderBook as CcxtBookCtor;
  }
  throw new Error('ccxt OrderBook not found');
}

// ---------- runs ----------

const ladderName = (s: number): LadderSide => (s === S_YES ? 'yes' : 'no');

function ourBooks(): OrderBook[] {
  return initial.map((snap, i) => {
    const b = new OrderBook(`M${i}`);
    b.applySnapshot(snap.yes, snap.no);
    return b;
  });
}

function ccxtBooks(Ctor: CcxtBookCtor): CcxtBook[] {
  return initial.map((snap) => {
    const b = new Ctor({});
    for (const l of snap.yes) b.bids.store(l.price / 10_000, l.count / 100);
    for (const l of snap.no) b.asks.store((10_000 - l.price) / 10_000, l.count / 100);
    return b;
  });
}

let sink = 0;

function runOurs(readTop: boolean): { ns: number; books: OrderBook[] } {
  const books = ourBooks();
  const t0 = process.hrtime.bigint();
  if (readTop) {
    for (let i = 0; i < N; i++) {
      const b = books[mk[i] as number] as OrderBook;
      b.applyDelta(ladderName(sd[i] as number), px[i] as number, dl[i] as number);
      sink += (b.bestYesBid() ?? 0) + (b.yesAsk() ?? 0);
    }
  } else {
    for (let i = 0; i < N; i++) {
      (books[mk[i] as number] as OrderBook).applyDelta(
        ladderName(sd[i] as number),
        px[i] as number,
        dl[i] as number,
      );
    }
  }
  return { ns: Number(process.hrtime.bigint() - t0), books };
}

function runCcxt(Ctor: CcxtBookCtor, readTop: boolean): { ns: number; books: CcxtBook[] } {
  const books = ccxtBooks(Ctor);
  const t0 = process.hrtime.bigint();
  if (readTop) {
    for (let i = 0; i < N; i++) {
      const b = books[mk[i] as number] as CcxtBook;
      (sd[i] === S_YES ? b.bids : b.asks).store(cPrice[i] as number, cSize[i] as number);
      sink +=
        (b.bids.length > 0 ? (b.bids[0]?.[0] ?? 0) : 0) + (b.asks.length > 0 ? (b.asks[0]?.[0] ?? 0) : 0);
    }
  } else {
    for (let i = 0; i < N; i++) {
      const b = books[mk[i] as number] as CcxtBook;
      (sd[i] === S_YES ? b.bids : b.asks).store(cPrice[i] as number, cSize[i] as number);
    }
  }
  return { ns: Number(process.hrtime.bigint() - t0), books };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function measure(run: () => { ns: number }): number {
  for (let i = 0; i < WARMUP; i++) run();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) times.push(run().ns);
  return median(times);
}

const QUERIES = 10_000_000;

function queryOurs(books: OrderBook[]): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < QUERIES; i++) {
    const b = books[i & 3] as OrderBook;
    sink += (b.bestYesBid() ?? 0) + (b.yesAsk() ?? 0);
  }
  return Number(process.hrtime.bigint() - t0) / QUERIES;
}

function queryCcxt(books: CcxtBook[]): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < QUERIES; i++) {
    const b = books[i & 3] as CcxtBook;
    sink += (b.bids.length > 0 ? (b.bids[0]?.[0] ?? 0) : 0) + (b.asks.length > 0 ? (b.asks[0]?.[0] ?? 0) : 0);
  }
  return Number(process.hrtime.bigint() - t0) / QUERIES;
}

// ---------- state check ----------

function checkState(ours: OrderBook[], theirs: CcxtBook[]): string[] {
  const problems: string[] = [];
  markets.forEach((mkt, i) => {
    const ob = ours[i] as OrderBook;
    const cb = theirs[i] as CcxtBook;
    const want = (l: Map<number, number>) =>
      [...l]
        .map(([price, count]) => `${price}:${count}`)
        .sort((a, b) => Number(a.split(':')[0]) - Number(b.split(':')[0]));
    const oursOf = (s: LadderSide) => ob.levels(s).map((l) => `${l.price}:${l.count}`);
    const ccxtOf = (side: CcxtSide, isNo: boolean) => {
      const out: Array<[number, number]> = [];
      for (let k = 0; k < side.length; k++) {
        const row = side[k];
        if (!row) continue;
        const p = Math.round(row[0] * 10_000);
        out.push([isNo ? 10_000 - p : p, Math.round(row[1] * 100)]);
      }
      return out.sort((a, b) => a[0] - b[0]).map(([p, c]) => `${p}:${c}`);
    };
    const refYes = want(mkt.yes).join(',');
    const refNo = want(mkt.no).join(',');
    if (oursOf('yes').join(',') !== refYes)
      problems.push(`M${i} traderv3 YES ladder differs from the reference`);
    if (oursOf('no').join(',') !== refNo)
      problems.push(`M${i} traderv3 NO ladder differs from the reference`);
    if (ccxtOf(cb.bids, false).join(',') !== refYes)
      problems.push(`M${i} ccxt bids differ from the reference`);
    if (ccxtOf(cb.asks, true).join(',') !== refNo) problems.push(`M${i} ccxt asks differ from the reference`);
  });
  return problems;
}

// ---------- main ----------

const CcxtOrderBook = await loadCcxtOrderBook();

const oursApply = measure(() => runOurs(false));
const ccxtApply = measure(() => runCcxt(CcxtOrderBook, false));
const oursTop = measure(() => runOurs(true));
const ccxtTop = measure(() => runCcxt(CcxtOrderBook, true));

const finalOurs = runOurs(false).books;
const finalCcxt = runCcxt(CcxtOrderBook, false).books;
for (let i = 0; i < 3; i++) {
  queryOurs(finalOurs);
  queryCcxt(finalCcxt);
}
const oursQuery = median([queryOurs(finalOurs), queryOurs(finalOurs), queryOurs(finalOurs)]);
const ccxtQuery = median([queryCcxt(finalCcxt), queryCcxt(finalCcxt), queryCcxt(finalCcxt)]);
const problems = checkState(finalOurs, finalCcxt);

const fmtInt = (x: number) => Math.round(x).toLocaleString('en-US');
const perSec = (ns: number) => `${(((N / ns) * 1e9) / 1e6).toFixed(2)} M/s`;
const nsPer = (ns: number) => (ns / N).toFixed(1);
const pad = (s: string, w: number) => s.padEnd(w);
const lpad = (s: string, w: number) => s.padStart(w);

const levelsAtEnd = finalOurs.map((b) => b.levelCount('yes') + b.levelCount('no'));
console.log(
  `book-apply — ${fmtInt(N)} deltas over ${MARKETS} markets (seed ${SEED}), node ${process.version}`,
);
console.log(
  `stream: adds ${fmtInt(kinds.add)}, full cancels ${fmtInt(kinds.cancelFull)}, partial cancels ${fmtInt(kinds.cancelPartial)}, sweeps ${fmtInt(kinds.wipe)}; levels at end per market: ${levelsAtEnd.join(', ')}`,
);
console.log(`median of ${RUNS} runs after ${WARMUP} warm-up runs; snapshot load not timed\n`);
console.log(
  `${pad('', 34)}${lpad('apply', 12)}${lpad('ns/delta', 10)}   ${lpad('apply+top', 12)}${lpad('ns/delta', 10)}`,
);
const row = (name: string, a: number, t: number) =>
  console.log(
    `${pad(name, 34)}${lpad(perSec(a), 12)}${lpad(nsPer(a), 10)}   ${lpad(perSec(t), 12)}${lpad(nsPer(t), 10)}`,
  );
row('traderv3 OrderBook (typed array)', oursApply, oursTop);
row('ccxt OrderBook (sorted, store)', ccxtApply, ccxtTop);
console.log(
  `${pad('speed-up (ccxt / traderv3)', 34)}${lpad(`${(ccxtApply / oursApply).toFixed(2)}×`, 12)}${pad('', 10)}   ${lpad(`${(ccxtTop / oursTop).toFixed(2)}×`, 12)}`,
);
console.log('\nbest bid + ask query (YES bid and YES ask), ns/query:');
console.log(`${pad('  traderv3 bestYesBid() + yesAsk()', 34)}${lpad(oursQuery.toFixed(2), 12)}`);
console.log(`${pad('  ccxt bids[0][0] + asks[0][0]', 34)}${lpad(ccxtQuery.toFixed(2), 12)}`);
console.log(
  `\nend state vs reference: ${problems.length === 0 ? 'OK' : `MISMATCH\n  ${problems.join('\n  ')}`}`,
);
if (sink === -1) console.log('');
if (problems.length > 0) process.exitCode = 1;
emitSummary([
  {
    bench: 'book apply (deltas into the order book)',
    metric: 'deltas/s',
    ours: `${fmtN((N / oursApply) * 1e9)}`,
    versus: `${fmtN((N / ccxtApply) * 1e9)} (ccxt OrderBook)`,
    ratio: `${(ccxtApply / oursApply).toFixed(2)}×`,
    target: 'faster than ccxt',
    met: oursApply < ccxtApply && problems.length === 0,
    note: `${fmtN(N)} deltas, median of ${RUNS}; end state ${problems.length === 0 ? 'OK' : 'MISMATCH'}; ${await loadNote()}`,
  },
]);
