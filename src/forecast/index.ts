/**
 * Forecasts of the daily high: the NWS adapter (api.weather.gov), a JSON-file source for offline
 * use, the city table (config/cities.json), local-day arithmetic, and the archive record the lead
 * persists for every forecast fetched.
 */
export * from './cities.js';
export * from './daily-high.js';
export * from './errors.js';
export * from './http.js';
export * from './json-source.js';
export * from './nws.js';
export * from './nws-parse.js';
export * from './time.js';
export * from './types.js';
