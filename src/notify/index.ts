/** Operator notifications: webhooks (generic JSON, Slack, Discord) off the trading path. */
export { msUntilUtcHour, notifyFromBus, scheduleDailySummary } from './bus.js';
export { Notifier, type NotifierOptions, type NotifierStats, type NotifyLog } from './notifier.js';
export { body, NotifyConfigError, type NotifyTarget, parseTarget, type TargetFormat } from './targets.js';
export {
  NOTIFICATION_KINDS,
  type Notification,
  type NotificationKind,
  notifications,
  type Severity,
} from './types.js';
