/** The trader's own vocabulary: integer units and their arithmetic, orders, fills, positions, decisions. */
export * from './types.js';
export * from './units.js';
