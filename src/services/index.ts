/** The trader's services: orders, positions, risk, status. */

export * from './money-watch.js';
export * from './order-lifecycle.js';
export * from './order-service.js';
export * from './position-rebase.js';
export * from './position-tracker.js';
export * from './risk-controller.js';
export * from './status-logger.js';
