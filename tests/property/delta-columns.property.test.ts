import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeltaColumns } from '../../src/persistence/delta-columns.js';
import type { DeltaRecord } from '../../src/persistence/index.js';
import { RowDeque } from '../../src/persistence/row-store.js';

// Any JS number must come back as it went in (-0, NaN, fractions, past 2^53), optional fields only
// when they were set, and a pushed record's other fields (the bus's `applied`) left out.
const number = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(0, -0, Number.MAX_SAFE_INTEGER + 2));
const record: fc.Arbitrary<DeltaRecord & { applied?: boolean }> = fc.record(
  {
    ticker: fc.string({ maxLength: 30 }),
    sid: number,
    seq: number,
    side: fc.constantFrom('yes' as const, 'no' as const),
    price: number,
    delta: number,
    receivedMs: number,
    clientOrderId: fc.string({ maxLength: 40 }),
    exchangeTsMs: number,
    applied: fc.boolean(),
  },
  { requiredKeys: ['ticker', 'sid', 'seq', 'side', 'price', 'delta', 'receivedMs'] },
);

function asRow(r: DeltaRecord & { applied?: boolean }): DeltaRecord {
  const { applied: _applied, ...row } = r;
  return row;
}

type Op =
  | { op: 'push'; rows: Array<DeltaRecord & { applied?: boolean }> }
  | { op: 'popNewest' }
  | { op: 'take'; n: number }
  | { op: 'takeAndPutBack'; n: number }
  | { op: 'toArray' };

const op: fc.Arbitrary<Op> = fc.oneof(
  // The ring starts at 2 slots below, so these wrap around it and make it grow from any head.
  {
    weight: 4,
    arbitrary: fc.record({ op: fc.constant('push' as const), rows: fc.array(record, { maxLength: 12 }) }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('popNewest' as const) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('take' as const), n: fc.nat(10) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('takeAndPutBack' as const), n: fc.nat(10) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('toArray' as const) }) },
);

describe('DeltaColumns (the write queue store for deltas)', () => {
  it('behaves as a RowDeque of the rows: same length, same rows out, in the same order', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const columns = new DeltaColumns(2);
        const model = new RowDeque<DeltaRecord>();
        for (const o of ops) {
          switch (o.op) {
            case 'push':
              for (const r of o.rows) {
                columns.push(r);
                model.push(asRow(r));
              }
              break;
            case 'popNewest':
              columns.popNewest();
              model.popNewest();
              break;
            case 'take':
              expect(columns.take(o.n)).toStrictEqual(model.take(o.n));
              break;
            case 'takeAndPutBack': {
              // A failed batch goes back in front of what is left, in its order.
              const batch = columns.take(o.n);
              expect(batch).toStrictEqual(model.take(o.n));
              columns.unshiftAll(batch);
              model.unshiftAll(batch);
              break;
            }
            case 'toArray':
              expect(columns.toArray()).toStrictEqual(model.toArray());
              break;
          }
          expect(columns.length).toBe(model.length);
        }
        expect(columns.toArray()).toStrictEqual(model.toArray());
      }),
      { numRuns: 500 },
    );
  });

  it('keeps no reference to a pushed record, and hands out a fresh row each time', () => {
    const columns = new DeltaColumns();
    const pushed = {
      ticker: 'KXT',
      sid: 1,
      seq: 2,
      side: 'no' as const,
      price: 4000,
      delta: 100,
      receivedMs: 5,
    };
    columns.push(pushed);
    const [copied] = columns.toArray();
    expect(copied).toStrictEqual(pushed);
    expect(copied).not.toBe(pushed);
    expect(columns.take(1)[0]).not.toBe(copied);
    expect(columns.length).toBe(0);
  });

  it('refuses an initial capacity that is not a power of two, by name', () => {
    expect(() => new DeltaColumns(3)).toThrow(/initialCapacity must be a power of two, got 3/);
  });
});
