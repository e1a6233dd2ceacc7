/** The machine's invoked integrations: order books, the trading client, calibration, market selection. */

export * from './book-audit.js';
export * from './calibration.js';
export * from './market-schedule.js';
export * from './markets.js';
export * from './orderbook.js';
export * from './reconcile.js';
export * from './trading.js';
