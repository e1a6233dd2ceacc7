/**
 * A virtual-time, multi-day, multi-city scenario: the headless weather simulator
 * (exchange-sim/weather-scenario.ts) and the edge strategy's decision path (decideLadder) with
 * maker-first execution, for the proof (bench/edge-proof.ts) and for the classifier's training
 * data (`traderv3 train-edge --sim-seeds`).
 *
 * Each cycle (every `cycleMinutes`) every open ladder whose close is at least an hour away is
 * evaluated with the simulator's current forecast (rounded to whole °F, as its NWS-shaped service
 * serves it). A trade rests as a post-only maker at the bracket's best and, after its
 * volume-weighted timeout, its remainder is canceled and taken at most 3¢ worse (the runtime's
 * conversion). One position per ladder. Variants:
 *   classifier  the signals filtered by the classifier (the trader as it ships)
 *   signals     the same signals, no classifier
 *   random      when `signals` would trade, a uniformly random bracket's YES instead (same size)
 * P&L = the account's cash after every ladder it traded has settled, minus its starting cash:
 * after fees, exact integers.
 */
import { COUNT_SCALE, complement, MICROS_PER_DOLLAR, type Price } from '../domain/index.js';
import {
  type LadderMarketInput,
  profitableAtSettlement,
  type ResolvedEdgeConfig,
  resolveEdgeConfig,
} from '../edge/index.js';
import { createHeadlessWeatherSim, type WeatherParams } from '../exchange-sim/index.js';
import { dayWindow, loadCities, SIMULATOR_CITY_IDS } from '../forecast/index.js';
import { decideLadder, type EdgeClassifier } from './edge-decide.js';

export type ScenarioVariant = 'classifier' | 'signals' | 'random';

export interface ScenarioOptions {
  readonly seed: number;
  readonly variant: ScenarioVariant;
  readonly days?: number;
  readonly classifier?: EdgeClassifier;
  /** Seed 000 settings over the defaults. */
  readonly settings?: Record<string, unknown>;
  readonly cycleMinutes?: number;
  readonly actionsPerMinute?: number;
  readonly weather?: Partial<WeatherParams>;
}

export interface ScenarioSample {
  readonly features: Readonly<Record<string, number>>;
  readonly label: 0 | 1;
  /** The ladder (event ticker) and the virtual time of the evaluation. */
  readonly event?: string;
  readonly atMs?: number;
}

export interface ScenarioResult {
  readonly seed: number;
  readonly variant: ScenarioVariant;
  readonly pnlMicros: number;
  readonly trades: number;
  readonly conversions: number;
  /** Every evaluation that reached the classifier gate, labelled after settlement. */
  readonly samples: ScenarioSample[];
}

/** Every city of the simulator (the edge config's enabled_cities for scenarios). */
export const SCENARIO_CITIES: readonly string[] = SIMULATOR_CITY_IDS;
const START_MS = Date.UTC(2026, 0, 5, 6, 0, 0);
const ACCOUNT = 'edge-trader';
const CASH = 1_000 * MICROS_PER_DOLLAR;
const MAX_CONTRACTS = 25;
const SLIP: Price = 300;

/** A small deterministic stream for the random baseline. */
function lcg(seed: number): () => number {
  let s = (seed * 2654435761) >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export async function runEdgeScenario(opts: ScenarioOptions): Promise<ScenarioResult> {
  const days = opts.days ?? 3;
  const cfg: ResolvedEdgeConfig = resolveEdgeConfig({
    enabled_cities: SCENARIO_CITIES,
    require_classifier: opts.variant === 'classifier',
    ...opts.settings,
  });
  const sim = createHeadlessWeatherSim({
    seed: opts.seed,
    nowMs: START_MS,
    markets: 6 + 5 + 5 + 6 * 13,
    actionsPerMinute: opts.actionsPerMinute ?? 10,
    ...(opts.weather ? { weather: opts.weather } : {}),
  });
  const { core, weather } = sim;
  core.openAccount(ACCOUNT, CASH);
  const cities = loadCities();
  const rand = lcg(opts.seed);
  const cycle = (opts.cycleMinutes ?? 30) * 60_000;
  const inEvent = new Set<string>();
  const pending: Array<{
    features: Record<string, number>;
    event: string;
    atMs: number;
    ticker: string;
    side: 'yes' | 'no';
    taker: Price;
  }> = [];
  const makers: Array<{ orderId: string; due: number }> = [];
  let seq = 0;
  let trades = 0;
  let conversions = 0;
  const endTrading = START_MS + days * 86_400_000;

  const place = (ticker: string, bookSide: 'bid' | 'ask', yesPrice: Price, count: number, ioc: boolean) => {
    seq += 1;
    const r = core.place({
      accountId: ACCOUNT,
      ticker,
      clientOrderId: `edge-${seq}`,
      action: 'buy',
      side: bookSide === 'bid' ? 'yes' : 'no',
      bookSide,
      yesPrice,
      count,
      timeInForce: ioc ? 'immediate_or_cancel' : 'good_till_canceled',
      postOnly: !ioc,
      reduceOnly: false,
      selfTradePrevention: 'taker_at_cross',
      cancelOnPause: false,
      subaccount: 0,
    });
    return r.ok ? r.value.order : undefined;
  };

  const convert = (now: number) => {
    for (const m of makers.splice(0)) {
      const o = core.order(ACCOUNT, m.orderId);
      if (o?.status !== 'resting') continue;
      if (now < m.due) {
        makers.push(m);
        continue;
      }
      const left = o.remainingCount;
      core.cancel(ACCOUNT, o.orderId);
      const book = core.book(o.ticker);
      if (o.bookSide === 'bid') {
        const bestNo = book.no.at(-1)?.[0];
        if (bestNo === undefined) continue;
        const ask = complement(bestNo);
        if (ask <= o.yesPrice + SLIP) place(o.ticker, 'bid', ask, left, true);
      } else {
        const bid = book.yes.at(-1)?.[0];
        if (bid === undefined) continue;
        if (bid >= o.yesPrice - SLIP) place(o.ticker, 'ask', bid, left, true);
      }
      conversions += 1;
    }
  };

  const evaluate = async (now: number) => {
    for (const day of weather.days()) {
      const first = core.market(day.markets[0]?.ticker ?? '');
      if (first?.status !== 'active' || day.closeMs - now < 3_600_000) continue;
      const city = cities.bySeries(day.eventTicker);
      const f = weather.forecast(day, now);
      const quotes = day.markets.map((m) => {
        const book = core.book(m.ticker);
        const bid = book.yes.at(-1)?.[0];
        const noBid = book.no.at(-1)?.[0];
        return {
          ticker: m.ticker,
          ...(bid !== undefined ? { yesBid: bid } : {}),
          ...(noBid !== undefined ? { yesAsk: complement(noBid) } : {}),
        };
      });
      const spreads = quotes
        .filter((q) => q.yesBid !== undefined && q.yesAsk !== undefined)
        .map((q) => ((q.yesAsk as number) - (q.yesBid as number)) / 100);
      const decided = await decideLadder(
        {
          city: { id: city.id, region: city.region },
          ladder: day.markets as readonly LadderMarketInput[],
          quotes,
          forecast: {
            source: 'sim',
            highF: Math.round(f.highF),
            spreadF: 0,
            issuedMs: f.issuedMs,
            windowEndMs: dayWindow(city.timeZone, day.date).endMs,
            peakCovered: true,
          },
          nowMs: now,
          balance: core.balance(ACCOUNT).cash - core.balance(ACCOUNT).reserved,
        },
        cfg,
        {
          ladderSpreadCents: spreads.length ? spreads.reduce((a, b) => a + b, 0) / spreads.length : 0,
          volumeContracts: 0,
        },
        opts.variant === 'classifier' ? opts.classifier : undefined,
      );
      const d = decided.decision;
      const leg = d.legs.find(
        (l) => l.ticker === d.row.ticker && l.takerPrice === decided.features.taker_price,
      );
      if (d.row.recommended_bracket !== null && d.proposal === undefined && leg?.takerPrice !== undefined) {
        pending.push({
          features: { ...decided.features },
          event: day.eventTicker,
          atMs: now,
          ticker: leg.ticker,
          side: leg.side,
          taker: leg.takerPrice,
        });
      } else if (d.proposal) {
        pending.push({
          features: { ...decided.features },
          event: day.eventTicker,
          atMs: now,
          ticker: d.proposal.ticker,
          side: d.proposal.side,
          taker: d.proposal.takerPrice,
        });
      }
      if (!d.intent || !d.proposal || inEvent.has(day.eventTicker)) continue;
      inEvent.add(day.eventTicker);
      const count = Math.min(d.intent.count, MAX_CONTRACTS * COUNT_SCALE);
      let order: ReturnType<typeof place>;
      if (opts.variant === 'random') {
        const pick = quotes[Math.floor(rand() * quotes.length)];
        if (!pick || pick.yesBid === undefined) continue;
        order = place(pick.ticker, 'bid', pick.yesBid, count, false);
      } else {
        order = place(d.intent.ticker, d.intent.bookSide, d.intent.yesPrice, count, false);
      }
      if (!order) continue;
      trades += 1;
      makers.push({ orderId: order.orderId, due: now + d.proposal.makerTimeoutMs });
    }
  };

  for (let t = START_MS; t < endTrading; t = sim.now()) {
    if ((t - START_MS) % cycle === 0) await evaluate(t);
    sim.advance(60_000);
    convert(sim.now());
  }
  core.cancelAll(ACCOUNT);
  // Let every ladder listed during the run close and settle (close + 8 h); nobody trades any more,
  // so quarter-hour steps do.
  sim.advance(2 * 86_400_000, 0, 15 * 60_000);
  const samples: ScenarioSample[] = [];
  for (const p of pending) {
    const result = core.market(p.ticker)?.result;
    if (result !== 'yes' && result !== 'no') continue;
    samples.push({
      features: p.features,
      label: profitableAtSettlement((result === 'yes') === (p.side === 'yes'), p.taker),
      event: p.event,
      atMs: p.atMs,
    });
  }
  return {
    seed: opts.seed,
    variant: opts.variant,
    pnlMicros: core.balance(ACCOUNT).cash - CASH,
    trades,
    conversions,
    samples,
  };
}
