/**
 * The edge-based weather trader's pure core: Kalshi daily-high ladders, the forecast's and the
 * market's implied temperatures, the edge and its signal, the aggressiveness dial, fee-aware Kelly
 * sizing, the maker→taker timeout and the portfolio limits. No I/O, no clock: every input is an
 * argument. planning/edge.md states the formulas and their defaults.
 */

export * from './classifier.js';
export * from './config.js';
export * from './dial.js';
export * from './errors.js';
export * from './evaluate.js';
export * from './fees.js';
export * from './forecast-implied.js';
export * from './kelly.js';
export * from './ladder.js';
export * from './maker-timeout.js';
export * from './market-implied.js';
export * from './normal.js';
export * from './portfolio-limits.js';
export * from './regions.js';
export * from './signal.js';
