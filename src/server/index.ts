/**
 * The one server of a running trader (fastify): control API, live stream, dashboard, metrics,
 * health, record endpoints and the XState inspector relay. See app.ts for the route map.
 */
export { type BuiltServer, buildServer, type ServerOptions, startServer, type TraderServer } from './app.js';
export {
  type ControlServer,
  type ControlServerOptions,
  type InspectorRelay,
  type InspectorRelayOptions,
  startControlServer,
  startInspectorRelay,
} from './compat.js';
export { type CallControlOptions, callControl } from './control-client.js';
export { ControlClientError, type ControlClientErrorCode } from './control-client-error.js';
export { CONTROL_FILE_NAME, type ControlFile, controlFilePath, readControlFile } from './control-file.js';
export {
  CONTROL_ROUTES,
  type ControlRoute,
  type ControlTarget,
  DEFAULT_HALT_REASON,
} from './control-routes.js';
export { SERVER_ERRORS, ServerError, type ServerErrorCode } from './errors.js';
export { type HealthBody, type HealthOptions, health } from './health.js';
export { createInspectorHub, INSPECT_PREFIX, type InspectorHub } from './inspect.js';
export { ACTOR_EVENTS, LiveState } from './live-state.js';
export { METRIC_NAMES, type OrderOutcome, TraderMetrics } from './metrics.js';
export { type RuntimeParts, traderViewFromRuntime } from './runtime-view.js';
export { isLoopbackHostname, isLoopbackUrl } from './security.js';
export { STREAM_PATH } from './stream.js';
export type * from './stream-types.js';
export type {
  BreakerView,
  BucketView,
  EquityPoint,
  HaltView,
  PnlView,
  ReconciliationEntry,
  RecordView,
  TraderSnapshot,
  TraderView,
} from './view.js';
