/**
 * Stand-ins for calibration's unit tests (tests/unit/calibration-*.test.ts): REST lists served
 * from arrays, and an order service with nothing to adopt.
 */
import type { CalibrationDeps } from '../src/integrations/index.js';
import { Paged } from '../src/kalshi/index.js';

/** The items as the REST client's paginated walks give them: `perPage` items a page. */
export function pages<T>(items: readonly T[], perPage = 1): Paged<T> {
  return new Paged(async (cursor) => {
    const at = Number(cursor ?? 0);
    const next = at + perPage;
    return { items: items.slice(at, next), cursor: next < items.length ? String(next) : undefined };
  });
}

/** A one-page list whose page is what `produce` resolves to (for tests that watch a read start). */
export function pageFrom<T>(produce: () => Promise<T[]>): Paged<T> {
  return new Paged(async () => ({ items: await produce() }));
}

/** An order service with no resting orders to adopt, no unknowns and nothing to cancel. */
export function idleOrders(): CalibrationDeps['orders'] {
  return {
    reconcile: () => ({ adopted: 0 }),
    resolveUnknowns: async () => undefined,
    settleMissing: async () => undefined,
    cancelAll: async () => ({ canceled: 0 }),
  } as unknown as CalibrationDeps['orders'];
}
