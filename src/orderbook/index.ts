/** Local order books and the feed that keeps them from snapshot + deltas. */
export * from './book.js';
export * from './feed.js';
export * from './messages.js';
