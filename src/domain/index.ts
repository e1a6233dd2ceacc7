/** The trader's own vocabulary: integer units and their arithmetic, orders, fills, positions, decisions. */

export * from './order-request.js';
export * from './pnl.js';
export * from './types.js';
export * from './units.js';
