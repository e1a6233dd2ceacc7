/** Cursor pagination for the REST client's list reads (rest.ts). */
import { describe, KalshiError } from './errors.js';
import type { Page } from './rest-types.js';

/**
 * A cursor-paginated listing. Iterated, it gives the items; `pages()` gives them a page at a time,
 * one await a page instead of one an item (calibration's reads of 10,000-item lists). An absent,
 * null or empty cursor ends it. A cursor that was already used would loop forever, so it throws
 * KALSHI_HTTP_PAGINATION_LOOP instead.
 */
export class Paged<T> implements AsyncIterable<T> {
  readonly #fetchPage: (cursor?: string) => Promise<Page<T>>;

  constructor(fetchPage: (cursor?: string) => Promise<Page<T>>) {
    this.#fetchPage = fetchPage;
  }

  async *pages(): AsyncGenerator<readonly T[], void, undefined> {
    const used = new Set<string>();
    let cursor: string | undefined;
    for (let page = 1; ; page++) {
      const { items, cursor: next } = await this.#fetchPage(cursor);
      yield items;
      if (next === undefined || next === null || next === '') return;
      if (used.has(next)) {
        throw new KalshiError(
          'KALSHI_HTTP_PAGINATION_LOOP',
          `page ${page} returned cursor ${describe(next)}, which was already used; stopping instead of looping`,
        );
      }
      used.add(next);
      cursor = next;
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for await (const page of this.pages()) yield* page;
  }

  /** The first page alone, and whether the listing goes on past it (a cursor came with it). */
  async first(): Promise<{ readonly items: readonly T[]; readonly more: boolean }> {
    const { items, cursor } = await this.#fetchPage(undefined);
    return { items, more: cursor !== undefined && cursor !== null && cursor !== '' };
  }
}

/** Walks a cursor-paginated listing (see Paged). */
export function paginate<T>(fetchPage: (cursor?: string) => Promise<Page<T>>): Paged<T> {
  return new Paged(fetchPage);
}

/** Collects an async iterable into an array. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
