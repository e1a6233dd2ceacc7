/**
 * MarketSchedule: the trading window of each watched market, from the REST market, lifecycle
 * messages and the clock, on a simulated clock.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { type BusEvents, createBus, type EventBus } from '../../src/bus.js';
import { MarketSchedule } from '../../src/integrations/market-schedule.js';

const T = 'KXHIGHCHI-26NOV21-B45.5';
const iso = (ms: number) => new Date(ms).toISOString();

describe('MarketSchedule', () => {
  let bus: EventBus;
  let now: number;
  let changes: Array<BusEvents['market.phaseChanged'][0]>;
  let schedule: MarketSchedule;

  beforeEach(() => {
    bus = createBus();
    now = Date.UTC(2026, 10, 21, 12);
    changes = [];
    bus.on('market.phaseChanged', (e) => changes.push(e));
    schedule = new MarketSchedule({ bus, clock: () => now });
  });

  const lifecycle = (eventType: string, data: Record<string, unknown> = {}, ticker = T) =>
    bus.emit('market.lifecycle', { ticker, eventType, at: now, data });
  const learnOpen = (closeInMs = 3_600_000) =>
    schedule.learn({
      ticker: T,
      status: 'active',
      open_time: iso(now - 1_000),
      close_time: iso(now + closeInMs),
    });

  it('takes the phase and window from the REST market', () => {
    learnOpen();
    expect(schedule.phase(T)).toBe('open');
    expect(schedule.closeMs(T)).toBe(now + 3_600_000);
    expect(changes).toEqual([expect.objectContaining({ ticker: T, from: undefined, to: 'open' })]);
    expect(schedule.phase('KXOTHER')).toBeUndefined();
  });

  it('closes a market when its close time passes, with no message from the exchange', () => {
    learnOpen(60_000);
    now += 59_999;
    expect(schedule.phase(T)).toBe('open');
    now += 1;
    schedule.sweep();
    expect(schedule.phase(T)).toBe('closed');
    expect(changes.at(-1)).toMatchObject({ from: 'open', to: 'closed', why: 'its close time has passed' });
  });

  it('opens an upcoming market when its open time comes', () => {
    schedule.learn({
      ticker: T,
      status: 'initialized',
      open_time: iso(now + 5_000),
      close_time: iso(now + 60_000),
    });
    expect(schedule.phase(T)).toBe('upcoming');
    now += 5_000;
    expect(schedule.phase(T)).toBe('open');
  });

  it('follows deactivation and reactivation', () => {
    learnOpen();
    lifecycle('deactivated', { is_deactivated: true });
    expect(schedule.phase(T)).toBe('paused');
    lifecycle('deactivated', { is_deactivated: false });
    expect(schedule.phase(T)).toBe('open');
    lifecycle('deactivated', { is_deactivated: true });
    lifecycle('activated');
    expect(schedule.phase(T)).toBe('open');
  });

  it('moves the close when close_date_updated says so (an early close)', () => {
    learnOpen();
    lifecycle('close_date_updated', { close_ts: Math.floor(now / 1000) });
    expect(schedule.phase(T)).toBe('closed');
    expect(schedule.closeMs(T)).toBe(Math.floor(now / 1000) * 1000);
  });

  it('goes through determined to settled, and never reopens', () => {
    learnOpen();
    lifecycle('determined', { result: 'yes' });
    expect(schedule.phase(T)).toBe('determined');
    lifecycle('activated');
    lifecycle('deactivated', { is_deactivated: false });
    expect(schedule.phase(T)).toBe('determined');
    lifecycle('settled');
    expect(schedule.phase(T)).toBe('settled');
    lifecycle('determined', { result: 'yes' });
    expect(schedule.phase(T)).toBe('settled');
    expect(changes.map((c) => c.to)).toEqual(['open', 'determined', 'settled']);
  });

  it('ignores messages about markets it does not watch', () => {
    learnOpen();
    lifecycle('determined', { result: 'no' }, 'KXOTHER');
    expect(schedule.phase('KXOTHER')).toBeUndefined();
    expect(changes).toHaveLength(1);
  });

  it('refuses a REST status it does not know, naming it', () => {
    expect(() =>
      schedule.learn({ ticker: T, status: 'weird' as never, open_time: '', close_time: '' }),
    ).toThrow(/KXHIGHCHI.*'weird'/);
  });

  it('stops listening once disposed', () => {
    learnOpen();
    schedule.dispose();
    lifecycle('determined', { result: 'yes' });
    expect(schedule.phase(T)).toBe('open');
  });
});
