/**
 * From the trader's bus to notifications (what is on the bus today), and the daily summary timer.
 *
 *   risk.breakerTripped                         → breaker_tripped (critical)
 *   machine.transitioned  * → HALTED            → halt (reason: the causing event)
 *   machine.transitioned  HALTED → (not SHUTTING_DOWN) → resume
 *   position.driftDetected                      → position_drift
 *   calibration.refused                         → calibration_refused
 *   balance.driftDetected                       → balance_drift
 *
 * Not on the bus: crash_recovery (start.ts sends it from the record's startup figures once it
 * listens), daily_summary (the timer below).
 */
import type { EventBus } from '../bus.js';
import type { Notification } from './types.js';
import { notifications } from './types.js';

export function notifyFromBus(bus: EventBus, notify: (n: Notification) => void): () => void {
  const onTrip = (e: { reason: string; detail: string; at: number }) =>
    notify(notifications.breakerTripped(e.at, e.reason, e.detail));
  const onTransition = (t: { from: string; to: string; event: string; at: number }) => {
    if (t.to === 'HALTED' && t.from !== 'HALTED') {
      const source =
        t.event === 'OPERATOR_HALT' ? 'operator' : t.event === 'BREAKER_TRIPPED' ? 'breaker' : 'the trader';
      notify(notifications.halt(t.at, t.event, source));
    } else if (t.from === 'HALTED' && t.to !== 'SHUTTING_DOWN' && t.to !== 'SHUTDOWN') {
      notify(notifications.resume(t.at, t.event === 'OPERATOR_RESUME' ? 'operator' : t.event));
    }
  };
  const onDrift = (d: { ticker: string; local: number; exchange: number; at: number }) =>
    notify(notifications.positionDrift(d.at, d.ticker, d.local, d.exchange));
  const onRefused = (r: { why: string; at: number }) => notify(notifications.calibrationRefused(r.at, r.why));
  const onBalance = (b: { ledger: number; exchange: number; at: number }) =>
    notify(notifications.balanceDrift(b.at, b.ledger, b.exchange));
  bus.on('risk.breakerTripped', onTrip);
  bus.on('machine.transitioned', onTransition);
  bus.on('position.driftDetected', onDrift);
  bus.on('calibration.refused', onRefused);
  bus.on('balance.driftDetected', onBalance);
  return () => {
    bus.off('balance.driftDetected', onBalance);
    bus.off('calibration.refused', onRefused);
    bus.off('risk.breakerTripped', onTrip);
    bus.off('machine.transitioned', onTransition);
    bus.off('position.driftDetected', onDrift);
  };
}

/** Milliseconds from `now` to the next `hourUtc`:00 UTC. */
export function msUntilUtcHour(now: number, hourUtc: number): number {
  const d = new Date(now);
  const next = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), hourUtc);
  return next > now ? next - now : next + 86_400_000 - now;
}

/** Sends `build()`'s summary every day at `hourUtc` (default 0). Returns a stop function. */
export function scheduleDailySummary(o: {
  notify: (n: Notification) => void;
  build: (day: string, at: number) => Promise<Notification | undefined>;
  clock?: () => number;
  hourUtc?: number;
}): () => void {
  const clock = o.clock ?? Date.now;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const arm = () => {
    if (stopped) return;
    timer = setTimeout(
      async () => {
        const at = clock();
        const day = new Date(at - 1).toISOString().slice(0, 10);
        try {
          const n = await o.build(day, at);
          if (n) o.notify(n);
        } catch {
          // a summary that cannot be built is skipped; the next day tries again
        }
        arm();
      },
      msUntilUtcHour(clock(), o.hourUtc ?? 0),
    );
    timer.unref();
  };
  arm();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
