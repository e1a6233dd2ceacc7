/**
 * Stand-ins for calibration's unit tests (tests/unit/calibration-*.test.ts): REST lists served
 * from arrays, and an order service with nothing to adopt.
 */
import type { CalibrationDeps } from '../src/integrations/index.js';

/** The items as an async list, as the REST client's paginated readers yield them. */
export async function* pages<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
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
