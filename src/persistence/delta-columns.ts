/**
 * The write queue's store for book deltas: a ring of columns (numbers in Float64Arrays, strings in
 * plain arrays), not the queued objects themselves.
 *
 * Why: the Recorder queues every delta the feed parses, up to a batch (2,000) or a flush interval
 * (200 ms) at a time. Held as objects, those deltas outlive a young-generation collection or two,
 * so V8 copies and promotes them and then allocates that allocation site's later objects straight
 * into the old generation: every ParsedDelta of the feed, kept or not, became an old object with
 * write barriers, freed only by a full collection. Copied into columns at push, the feed's object
 * dies young and the queue holds no per-delta object at all. Rows are built again when a batch is
 * taken for writing (or copied out by `pending()`).
 *
 * Every field of a DeltaRecord is kept exactly (Float64Array holds any JS number, strings are kept
 * by reference); a pushed record's other fields (the bus's `applied`) are not part of the row.
 */

import type { DeltaRecord } from './repos/rows.js';
import type { RowStore } from './row-store.js';

/**
 * The ring starts here and doubles when full; it keeps its size (reallocating after every burst
 * would cost more than it saves). Bounded by the queue: deltas are shed at its maxRows (50,000 by
 * default, a 65,536-row ring of about 4.5 MB).
 */
const INITIAL_CAPACITY = 1024;

export class DeltaColumns implements RowStore<DeltaRecord> {
  #capacity = 0;
  /** Index of the oldest row. */
  #head = 0;
  #length = 0;
  #ticker: string[] = [];
  #side: DeltaRecord['side'][] = [];
  #clientOrderId: (string | undefined)[] = [];
  #sid = new Float64Array(0);
  #seq = new Float64Array(0);
  #price = new Float64Array(0);
  #delta = new Float64Array(0);
  #receivedMs = new Float64Array(0);
  /** exchangeTsMs where #hasExchangeTs is 1. */
  #exchangeTsMs = new Float64Array(0);
  #hasExchangeTs = new Uint8Array(0);

  /** `initialCapacity`: a power of two (tests start small to make the ring wrap and grow). */
  constructor(initialCapacity = INITIAL_CAPACITY) {
    if (
      !Number.isInteger(initialCapacity) ||
      initialCapacity < 1 ||
      (initialCapacity & (initialCapacity - 1)) !== 0
    ) {
      throw new RangeError(`DeltaColumns: initialCapacity must be a power of two, got ${initialCapacity}`);
    }
    this.#allocate(initialCapacity);
  }

  get length(): number {
    return this.#length;
  }

  push(row: DeltaRecord): void {
    if (this.#length === this.#capacity) this.#grow(this.#length + 1);
    this.#write((this.#head + this.#length) & (this.#capacity - 1), row);
    this.#length++;
  }

  popNewest(): void {
    if (this.#length === 0) return;
    this.#length--;
    this.#clear((this.#head + this.#length) & (this.#capacity - 1));
    if (this.#length === 0) this.#head = 0;
  }

  take(n: number): DeltaRecord[] {
    const count = Math.max(0, Math.min(n, this.#length));
    const out = new Array<DeltaRecord>(count);
    const mask = this.#capacity - 1;
    for (let k = 0; k < count; k++) {
      const i = (this.#head + k) & mask;
      out[k] = this.#read(i);
      this.#clear(i);
    }
    this.#head = (this.#head + count) & mask;
    this.#length -= count;
    if (this.#length === 0) this.#head = 0;
    return out;
  }

  unshiftAll(rows: readonly DeltaRecord[]): void {
    if (rows.length === 0) return;
    if (this.#length + rows.length > this.#capacity) this.#grow(this.#length + rows.length);
    const mask = this.#capacity - 1;
    this.#head = (this.#head - rows.length) & mask;
    for (let k = 0; k < rows.length; k++) this.#write((this.#head + k) & mask, rows[k] as DeltaRecord);
    this.#length += rows.length;
  }

  toArray(): DeltaRecord[] {
    const out = new Array<DeltaRecord>(this.#length);
    const mask = this.#capacity - 1;
    for (let k = 0; k < this.#length; k++) out[k] = this.#read((this.#head + k) & mask);
    return out;
  }

  #write(i: number, row: DeltaRecord): void {
    this.#ticker[i] = row.ticker;
    this.#side[i] = row.side;
    this.#clientOrderId[i] = row.clientOrderId;
    this.#sid[i] = row.sid;
    this.#seq[i] = row.seq;
    this.#price[i] = row.price;
    this.#delta[i] = row.delta;
    this.#receivedMs[i] = row.receivedMs;
    const ts = row.exchangeTsMs;
    if (ts === undefined) this.#hasExchangeTs[i] = 0;
    else {
      this.#hasExchangeTs[i] = 1;
      this.#exchangeTsMs[i] = ts;
    }
  }

  /** A row as the feed builds it: optional fields only when present. */
  #read(i: number): DeltaRecord {
    const row: { -readonly [K in keyof DeltaRecord]: DeltaRecord[K] } = {
      ticker: this.#ticker[i] as string,
      sid: this.#sid[i] as number,
      seq: this.#seq[i] as number,
      side: this.#side[i] as DeltaRecord['side'],
      price: this.#price[i] as number,
      delta: this.#delta[i] as number,
      receivedMs: this.#receivedMs[i] as number,
    };
    const clientOrderId = this.#clientOrderId[i];
    if (clientOrderId !== undefined) row.clientOrderId = clientOrderId;
    if (this.#hasExchangeTs[i] === 1) row.exchangeTsMs = this.#exchangeTsMs[i] as number;
    return row;
  }

  /** Drops a slot's string references, so a written row keeps nothing alive. */
  #clear(i: number): void {
    this.#ticker[i] = '';
    this.#clientOrderId[i] = undefined;
  }

  /** Moves the rows, oldest first, into a power-of-two ring that holds at least `need`. */
  #grow(need: number): void {
    let capacity = this.#capacity;
    while (capacity < need) capacity *= 2;
    const old = {
      head: this.#head,
      length: this.#length,
      mask: this.#capacity - 1,
      ticker: this.#ticker,
      side: this.#side,
      clientOrderId: this.#clientOrderId,
      numbers: [this.#sid, this.#seq, this.#price, this.#delta, this.#receivedMs, this.#exchangeTsMs],
      hasExchangeTs: this.#hasExchangeTs,
    };
    this.#allocate(capacity);
    const numbers = [this.#sid, this.#seq, this.#price, this.#delta, this.#receivedMs, this.#exchangeTsMs];
    for (let k = 0; k < old.length; k++) {
      const i = (old.head + k) & old.mask;
      this.#ticker[k] = old.ticker[i] as string;
      this.#side[k] = old.side[i] as DeltaRecord['side'];
      this.#clientOrderId[k] = old.clientOrderId[i];
      this.#hasExchangeTs[k] = old.hasExchangeTs[i] as number;
      for (let c = 0; c < numbers.length; c++) {
        (numbers[c] as Float64Array)[k] = (old.numbers[c] as Float64Array)[i] as number;
      }
    }
    this.#length = old.length;
  }

  #allocate(capacity: number): void {
    this.#capacity = capacity;
    this.#head = 0;
    this.#length = 0;
    this.#ticker = new Array<string>(capacity).fill('');
    this.#side = new Array<DeltaRecord['side']>(capacity).fill('yes');
    this.#clientOrderId = new Array<string | undefined>(capacity).fill(undefined);
    this.#sid = new Float64Array(capacity);
    this.#seq = new Float64Array(capacity);
    this.#price = new Float64Array(capacity);
    this.#delta = new Float64Array(capacity);
    this.#receivedMs = new Float64Array(capacity);
    this.#exchangeTsMs = new Float64Array(capacity);
    this.#hasExchangeTs = new Uint8Array(capacity);
  }
}
