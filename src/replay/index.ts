/** Deterministic replay of recorded sessions (see run.ts, venue.ts for the fill rules). */

export { randomInference, randomPolicy } from './baselines.js';
export { recordStream } from './record-stream.js';
export { RESULT_HEADERS, type ReplayResult, resultRow, sharpeByHour, summarize } from './result.js';
export { type ReplayOptions, type ReplayOutput, replay } from './run.js';
export { type ReplaySettings, replaySession, type SessionReplay } from './session.js';
export {
  loadSession,
  openSession,
  type RecordedSession,
  ReplayError,
  type SessionHeader,
  type StreamedSession,
} from './source.js';
export { type SpeculationStats, SpeculativeInference } from './speculate.js';
export { ReplayVenue, type ReplayVenueDeps } from './venue.js';
