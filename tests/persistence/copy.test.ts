/**
 * The COPY bulk path (src/persistence/repos/copy.ts) on every driver: values that COPY's text
 * format must escape (tab, newline, carriage return, backslash, a literal "\N") come back exactly,
 * NULL stays NULL, and a value that would be a corrupt row fails the batch with nothing stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/persistence/index.js';
import { copyInsert } from '../../src/persistence/repos/copy.js';
import { unnestInsert } from '../../src/persistence/repos/unnest.js';
import { DRIVERS } from './drivers.js';

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

const AWKWARD = ['tab\there', 'line\nbreak', 'cr\rlf\r\n', 'back\\slash', '\\N', 'é ünïcode ✓', '', ' '];

describe.each(DRIVERS)('COPY bulk rows on $name', (driver) => {
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

  it('round-trips text and jsonb that need escaping, NULLs, int8, booleans and ms timestamps', async () => {
    await database.query('truncate copy_probe');
    const rows: Probe[] = AWKWARD.map((t, i) => ({
      t,
      j: { s: t, list: [t, i], nested: { q: '"quoted"' } },
      n: i === 0 ? 2 ** 53 - 1 : -i,
      b: i % 2 === 0,
      ts: new Date(Date.UTC(2026, 10, 30, 9, 0, 0, i)),
    }));
    rows.push({ t: null, j: null, n: null, b: null, ts: null });
    expect(await probe.run(database, rows)).toBe(rows.length);
    const stored = await database.query<Record<string, unknown>>(
      'select t, j, n, b, ts from copy_probe order by id',
    );
    expect(stored).toEqual(rows.map((r) => ({ t: r.t, j: r.j, n: r.n, b: r.b, ts: r.ts })));
  });

  it('takes epoch ms in a timestamptz column as the Date of that instant (COPY and unnest)', async () => {
    await database.query('truncate copy_probe');
    const ms = Date.UTC(2026, 10, 30, 9, 0, 0, 7);
    const row = (ts: Date | number): Probe => ({ t: 'x', j: null, n: null, b: null, ts });
    expect(probe.encode([row(ms), row(ms + 1)])).toBe(
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
    await expect(probe.run(database, [good, { ...good, n: 1.5 }])).rejects.toThrow();
    await expect(probe.run(database, [good, { ...good, n: Number.NaN }])).rejects.toThrow(/finite number/);
    const [row] = await database.query<{ n: number }>('select count(*)::int as n from copy_probe');
    expect(row?.n).toBe(0);
    // The connection is still usable afterwards.
    expect(await probe.run(database, [good])).toBe(1);
  });
});
