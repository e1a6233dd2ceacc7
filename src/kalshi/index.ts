/** Kalshi's wire protocol: units, errors, signing, rate limits, REST and WebSocket clients, normalization. */
export * from './endpoint-costs.js';
export * from './errors.js';
export * from './http-transport.js';
export * from './normalize.js';
export * from './order-body.js';
export * from './presign.js';
export * from './rate-limit.js';
export * from './rest.js';
export * from './signer.js';
export * from './units.js';
export * from './ws.js';
export * from './ws-events.js';
export * from './ws-types.js';
