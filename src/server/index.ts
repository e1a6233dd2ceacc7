/**
 * Servers of the running trader: the operator control API and the offline XState inspector relay.
 */
export {
  type CallControlOptions,
  CONTROL_FILE_NAME,
  CONTROL_ROUTES,
  ControlClientError,
  type ControlFile,
  type ControlRoute,
  type ControlServer,
  type ControlServerOptions,
  type ControlTarget,
  callControl,
  controlFilePath,
  DEFAULT_HALT_REASON,
  readControlFile,
  startControlServer,
} from './control.js';
export { type InspectorRelay, type InspectorRelayOptions, startInspectorRelay } from './inspect.js';
