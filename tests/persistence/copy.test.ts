/**
 * The COPY bulk path (src/persistence/repos/copy.ts, binary format) on every driver: text of every
 * character class (ASCII controls, the characters text COPY had to escape, a literal "\N", 2-, 3-
 * and 4-byte UTF-8, a lone surrogate, long values past the encoder's first buffer) comes back as
 * the unnest insert (the reference: bound parameters) stores it; NULL stays NULL; int4 / int8 at
 * their bounds, timestamps before 2000 and centuries away; and a value that would be a corrupt row
 * fails the batch with nothing stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/persistence/index.js';
import { copyInsert } from '../../src/persistence/repos/copy.js';
import { unnestInsert } from '../../src/persistence/repos/unnest.js';
import { CONTRACT_DRIVERS } from './drivers.js';

interface Probe {
  t: string | null;
  j: unknown;
  n: number | null;
  b: boolean | null;
  ts: Date | number | null;
}

const COLUMNS = [
  { name: 't', type: 'text', get: (r: Probe) => r.t },
  { name: 'j', type: 'jsonb', get: (r: Probe) => r.j },
  { name: 'n', type: 'int8', get: (r: Probe) => r.n },
  { name: 'b', type: 'bool', get: (r: Probe) => r.b },
  { name: 'ts', type: 'timestamptz', get: (r: Probe) => r.ts },
] as const;
const probe = copyInsert<Probe>('copy_probe', COLUMNS);
const unnestProbe = unnestInsert<Probe>('copy_probe', COLUMNS);

const CONTROLS = Array.from({ length: 31 }, (_, i) => String.fromCharCode(i + 1)).join('');
const AWKWARD = [
  'tab\there',
  'line\nbreak',
  'cr\rlf\r\n',
  'back\\slash',
  '\\N',
  '\\.',
  `controls ${CONTROLS} del \u007f`,
  'é ünïcode ✓',
  'ascii then ünicode',
  'ü first',
  '2-byte ß, 3-byte € 中, 4-byte 😀 𝄞',
  'lone surrogate \ud800 here',
  '"quoted" \'single\' {json} [array] , ;',
  'x'.repeat(70_000),
  `${'€'.repeat(30_000)}😀`,
  '',
  ' ',
];

describe.each(CONTRACT_DRIVERS)('COPY bulk rows on $name', (driver) => {
  if (driver.skip) {
    it.skip(`is skipped: ${driver.skip}`, () => undefined);
    return;
  }
  let database: Database;
  let dispose: () => Promise<void>;

  beforeAll(async () => {
    ({ database, dispose } = await driver.open());
    await database.query(
      'create table copy_probe (id serial primary key, t text, j jsonb, n int8, b bool, ts timestamptz)',
    );
  }, 120_000);

  afterAll(async () => {
    await dispose?.();
  }, 60_000);

  it('round-trips every character class, jsonb, NULLs, int8 and ms timestamps as unnest stores them', async () => {
    await database.query('truncate copy_probe');
    // jsonb refuses the escape of a lone surrogate ("\ud800"), whichever way it arrives: not in j.
    const rows: Probe[] = AWKWARD.map((t, i) => {
      const s = t.replace('\ud800', '');
      return {
        t,
        j: { s, list: [s, i], nested: { q: '"quoted"' } },
        n: i === 0 ? 2 ** 53 - 1 : i === 1 ? -(2 ** 53 - 1) : -i,
        b: i % 2 === 0,
        ts: new Date(Date.UTC(2026, 10, 30, 9, 0, 0, i)),
      };
    });
    rows.push({ t: null, j: null, n: null, b: null, ts: null });
    rows.push({ t: 'json scalars', j: 'a string', n: 0, b: false, ts: 0 });
    rows.push({ t: 'json array', j: [1, 'two', null, { three: 3 }], n: 2 ** 32, b: true, ts: -1 });
    expect(await probe.run(database, rows)).toBe(rows.length);
    expect(await unnestProbe.run(database, rows)).toBe(rows.length);
    const stored = await database.query<Record<string, unknown>>(
      'select t, j, n, b, ts from copy_probe order by id',
    );
    const byCopy = stored.slice(0, rows.length);
    const byUnnest = stored.slice(rows.length);
    expect(byCopy).toEqual(byUnnest);
    // A lone surrogate in text is stored as U+FFFD by both; everything else exactly as given.
    const expected = (r: Probe) => ({
      t: r.t?.replace('\ud800', '\ufffd') ?? null,
      j: r.j,
      n: r.n,
      b: r.b,
      ts: r.ts === null ? null : new Date(r.ts),
    });
    expect(byCopy).toEqual(rows.map(expected));
  });

  it('takes int4 at its bounds, and times before 2000 and centuries away, as Dates hold them', async () => {
    await database.query(
      'create table if not exists copy_probe4 (id serial primary key, i int4, ts timestamptz)',
    );
    const probe4 = copyInsert<{ i: number; ts: Date | number }>('copy_probe4', [
      { name: 'i', type: 'int4', get: (r) => r.i },
      { name: 'ts', type: 'timestamptz', get: (r) => r.ts },
    ]);
    const times = [
      Date.UTC(1999, 11, 31, 23, 59, 59, 999),
      Date.UTC(1970, 0, 1),
      -1,
      Date.UTC(1, 0, 1, 0, 0, 0, 1),
      Date.UTC(9999, 11, 31, 23, 59, 59, 999),
      Date.UTC(2300, 0, 1, 0, 0, 0, 5),
      1_700_000_000_123.9, // a fractional ms is truncated, as new Date(ms) does
    ];
    const rows = times.map((ts, k) => ({ i: k % 2 === 0 ? 2 ** 31 - 1 - k : -(2 ** 31) + k, ts }));
    expect(await probe4.run(database, rows)).toBe(rows.length);
    const stored = await database.query<{ i: number; ts: Date }>('select i, ts from copy_probe4 order by id');
    expect(stored).toEqual(rows.map((r) => ({ i: r.i, ts: new Date(r.ts) })));
    await expect(probe4.run(database, [{ i: 2 ** 31, ts: 0 }])).rejects.toThrow(/int4 range/);
    await expect(probe4.run(database, [{ i: 1.5, ts: 0 }])).rejects.toThrow(/int4 range/);
    await expect(probe4.run(database, [{ i: 1, ts: new Date(Number.NaN) }])).rejects.toThrow(
      /finite epoch ms/,
    );
    await expect(
      probe4.run(database, [{ i: 1, ts: '2026-01-01T00:00:00Z' as unknown as number }]),
    ).rejects.toThrow(/a Date or an epoch ms/);
    const [count] = await database.query<{ n: number }>('select count(*)::int as n from copy_probe4');
    expect(count?.n).toBe(rows.length);
  });

  it('takes epoch ms in a timestamptz column as the Date of that instant (COPY and unnest)', async () => {
    await database.query('truncate copy_probe');
    const ms = Date.UTC(2026, 10, 30, 9, 0, 0, 7);
    const row = (ts: Date | number): Probe => ({ t: 'x', j: null, n: null, b: null, ts });
    expect(probe.encode([row(ms), row(ms + 1)])).toEqual(
      probe.encode([row(new Date(ms)), row(new Date(ms + 1))]),
    );
    await probe.run(database, [row(ms), row(new Date(ms))]);
    await unnestProbe.run(database, [row(ms + 1), row(new Date(ms + 1))]);
    const stored = await database.query<{ ts: Date }>('select ts from copy_probe order by id');
    expect(stored.map((r) => r.ts)).toEqual([ms, ms, ms + 1, ms + 1].map((t) => new Date(t)));
    await expect(probe.run(database, [row(Number.NaN)])).rejects.toThrow(/finite epoch ms/);
  });

  it('fails the whole batch on a value the column cannot hold, storing nothing', async () => {
    await database.query('truncate copy_probe');
    const good: Probe = { t: 'ok', j: {}, n: 1, b: true, ts: null };
    await expect(probe.run(database, [good, { ...good, n: 1.5 }])).rejects.toThrow(/safe integer/);
    await expect(probe.run(database, [good, { ...good, n: Number.NaN }])).rejects.toThrow(/finite number/);
    await expect(probe.run(database, [good, { ...good, n: 2 ** 53 }])).rejects.toThrow(/safe integer/);
    await expect(probe.run(database, [good, { ...good, j: () => 1 }])).rejects.toThrow(/JSON value/);
    // What the server refuses (a NUL in text) fails the whole batch too.
    await expect(probe.run(database, [good, { ...good, t: 'nul \u0000 inside' }])).rejects.toThrow();
    const [row] = await database.query<{ n: number }>('select count(*)::int as n from copy_probe');
    expect(row?.n).toBe(0);
    // The connection is still usable afterwards.
    expect(await probe.run(database, [good])).toBe(1);
  });
});
