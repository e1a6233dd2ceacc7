/**
 * Mutations of a valid wire body: a field set to a value of the wrong type, a huge or tiny
 * number, a truncated or padded string, deleted, or an unknown field added; nested objects too.
 */
import * as fc from 'fast-check';

export const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    true,
    false,
    '',
    ' ',
    'NaN',
    'Infinity',
    '-0',
    '1e400',
    '0x10',
    '.5',
    '5.',
    '--1',
    '1,5',
  ),
  fc.constantFrom(
    Number.MAX_SAFE_INTEGER,
    Number.MAX_VALUE,
    -Number.MAX_VALUE,
    Number.NaN,
    1e21,
    -1,
    0.1 + 0.2,
  ),
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 12 }),
  fc.stringMatching(/^-?\d{1,30}(\.\d{0,12})?$/),
  fc.array(fc.anything({ maxDepth: 1 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.anything({ maxDepth: 1 }), { maxKeys: 3 }),
);

export type Mutation =
  | { kind: 'set'; path: number; value: unknown }
  | { kind: 'delete'; path: number }
  | { kind: 'truncate'; path: number; keep: number }
  | { kind: 'unknown'; key: string; value: unknown };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), path: fc.nat(), value: wrongValue }),
  fc.record({ kind: fc.constant('delete' as const), path: fc.nat() }),
  fc.record({ kind: fc.constant('truncate' as const), path: fc.nat(), keep: fc.nat(8) }),
  fc.record({
    kind: fc.constant('unknown' as const),
    key: fc.string({ maxLength: 10 }),
    value: fc.anything({ maxDepth: 2 }),
  }),
);

/** Every key path of a JSON value's objects (arrays indexed). */
function paths(v: unknown, prefix: string[] = []): string[][] {
  if (v === null || typeof v !== 'object') return [];
  const out: string[][] = [];
  for (const [k, child] of Object.entries(v as Record<string, unknown>)) {
    out.push([...prefix, k]);
    out.push(...paths(child, [...prefix, k]));
  }
  return out;
}

/** A deep copy of `base` with the mutations applied; also the paths touched. */
export function applyMutations(
  base: unknown,
  mutations: readonly Mutation[],
): { value: unknown; touched: string[] } {
  const value = structuredClone(base) as Record<string, unknown>;
  const touched: string[] = [];
  for (const m of mutations) {
    if (m.kind === 'unknown') {
      if (m.key in value) continue;
      value[m.key] = m.value;
      continue;
    }
    const all = paths(value);
    if (all.length === 0) continue;
    const path = all[m.path % all.length] as string[];
    let parent: Record<string, unknown> = value;
    for (const k of path.slice(0, -1)) parent = parent[k] as Record<string, unknown>;
    const key = path[path.length - 1] as string;
    touched.push(path.join('.'));
    if (m.kind === 'delete') {
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete parent[key];
    } else if (m.kind === 'set') parent[key] = m.value;
    else {
      const old = parent[key];
      parent[key] =
        typeof old === 'string' ? old.slice(0, m.keep) : JSON.stringify(old ?? null).slice(0, m.keep);
    }
  }
  return { value, touched };
}

/** Numbers in a parser's output must be safe integers or finite; no NaN hides in it. */
export function badNumbers(v: unknown, path = '$'): string[] {
  if (typeof v === 'number') return Number.isFinite(v) ? [] : [`${path} = ${v}`];
  if (v === null || typeof v !== 'object') return [];
  return Object.entries(v as Record<string, unknown>).flatMap(([k, c]) => badNumbers(c, `${path}.${k}`));
}
