/**
 * Where a write-queue kind keeps its queued rows (write-queue.ts). The queue needs a FIFO it can
 * push onto, evict the newest row from (shedding), take the oldest batch from, put a failed batch
 * back in front of, and copy out (`pending()`); it never looks at a row.
 *
 * RowDeque keeps the rows themselves. DeltaColumns (delta-columns.ts) keeps book deltas as columns
 * of numbers, so that a burst of queued deltas is not thousands of live objects for the collector.
 */

export interface RowStore<Row> {
  /** Rows held. */
  readonly length: number;
  /** Appends a row (the newest). */
  push(row: Row): void;
  /** Removes the newest row (nothing when empty). */
  popNewest(): void;
  /** Removes and returns up to n of the oldest rows, oldest first, as a fresh array. */
  take(n: number): Row[];
  /** Puts rows back in front of the oldest row, in their order (a failed batch). */
  unshiftAll(rows: readonly Row[]): void;
  /** Every row held, oldest first, as a fresh array; nothing is removed. */
  toArray(): Row[];
}

/** A FIFO with O(1) amortized push, pop (newest), batch take (oldest) and re-queue at the front. */
export class RowDeque<Row> implements RowStore<Row> {
  #buf: Row[] = [];
  #head = 0;

  get length(): number {
    return this.#buf.length - this.#head;
  }

  push(row: Row): void {
    this.#buf.push(row);
  }

  /** Removes the newest row. */
  popNewest(): void {
    if (this.length === 0) return;
    this.#buf.pop();
    if (this.#buf.length === this.#head) this.#reset();
  }

  /** Removes and returns up to n of the oldest rows, in order. */
  take(n: number): Row[] {
    const end = Math.min(this.#head + n, this.#buf.length);
    const out = this.#buf.slice(this.#head, end);
    this.#head = end;
    if (this.#head === this.#buf.length) this.#reset();
    else if (this.#head > 4096 && this.#head * 2 > this.#buf.length) {
      this.#buf = this.#buf.slice(this.#head);
      this.#head = 0;
    }
    return out;
  }

  /** Puts rows back in front of the oldest row, in their order. */
  unshiftAll(rows: readonly Row[]): void {
    if (rows.length <= this.#head) {
      const start = this.#head - rows.length;
      for (let i = 0; i < rows.length; i++) this.#buf[start + i] = rows[i] as Row;
      this.#head = start;
    } else {
      this.#buf = rows.concat(this.#buf.slice(this.#head));
      this.#head = 0;
    }
  }

  toArray(): Row[] {
    return this.#buf.slice(this.#head);
  }

  #reset(): void {
    this.#buf = [];
    this.#head = 0;
  }
}
