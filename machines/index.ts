/**
 * Public surface of machines/: the trader statechart, its types and its names.
 * planning/statechart.md is the diagram and transition table.
 */

export type {
  BackoffSettings,
  CalibrateInput,
  CalibrateOutput,
  CalibrationSummary,
  ConnectionSource,
  ExecuteIntentInput,
  ExecuteIntentOutput,
  FailedStage,
  FatalRecord,
  HaltRecord,
  HaltSource,
  OrderbookConnectInput,
  OrderbookConnectOutput,
  ShutdownInput,
  ShutdownOutput,
  StageFailure,
  StageInput,
  TraderActorId,
  TraderContext,
  TraderEvent,
  TraderEventType,
  TraderInput,
  TraderMachine,
  TraderStateName,
  TradingClientConnectInput,
  TradingClientConnectOutput,
} from './trader.js';
export {
  actorDoneEventType,
  actorErrorEventType,
  backoffDelay,
  DEFAULT_BACKOFF,
  DEFAULT_STARTUP_ATTEMPTS,
  describeError,
  isPermanentFailure,
  RECONNECT_BACKOFF_EVENT_TYPE,
  TRADER_ACTOR_IDS,
  TRADER_EVENT_TYPES,
  TRADER_MACHINE_ID,
  TRADER_STATES,
  traderMachine,
} from './trader.js';
