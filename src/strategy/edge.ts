/**
 * The edge strategy in the runtime (`--strategy edge`; seed 000's `_evaluate_city` loop). Every
 * `cycleMs`, for each watched KXHIGH ladder (grouped by event):
 *   1. its markets from REST (strike fields; volume_fp, whose growth between cycles stands for the
 *      `trade` channel's prints in the maker timeout's volume factor);
 *   2. the city (config/cities.json by series) and the forecast for the ladder's date from the
 *      ForecastSource (NWS, the simulator's NWS-shaped service, or a JSON file); each new issue is
 *      archived with its issue and seen times (forecasts table);
 *   3. quotes from our local books; positions and open orders (one position per ladder; the
 *      portfolio limits are the RiskController's, config.portfolio);
 *   4. decideLadder (evaluateLadder + the ONNX classifier) → a decision, recorded whether it trades
 *      or not, with seed 000's columns in its details;
 *   5. a trade goes to the machine as an intent (post-only maker at the bracket's best, with its
 *      volume-weighted maker timeout on the intent: the runtime's conversion turns the remainder
 *      into a bounded taker through the machine after it); under --dry-run the decision is recorded
 *      with the would-be order and nothing is sent.
 * A ladder where we already hold a position or have an order is evaluated and recorded but not
 * traded again (reason `already_in_event`). The edge orders (bracket, maker price, volume at order,
 * timeout, conversion) are written to edge_orders from the decisions the executor publishes.
 */
import type { EventBus } from '../bus.js';
import type { Decision, DecisionEvidence, Micros, OrderIntent, Price } from '../domain/index.js';
import { complement } from '../domain/index.js';
import {
  type BracketQuote,
  fromWireMarket,
  type Holding,
  type LadderMarketInput,
  parseLadder,
  type ResolvedEdgeConfig,
  type RestingOrder,
  recentVolume,
  type TradePrint,
} from '../edge/index.js';
import {
  type CityTable,
  type ForecastHigh,
  type ForecastSource,
  toArchiveRecord,
} from '../forecast/index.js';
import type { EdgeRepo } from '../persistence/index.js';
import { type DecidedLadder, decideLadder, type EdgeClassifier, edgeEvidence } from './edge-decide.js';

export interface EdgeMarket extends LadderMarketInput {
  /** Contracts traded since listing (1/100 contract). */
  readonly volume: number;
}

export interface EdgeRunnerDeps {
  readonly bus: EventBus;
  readonly clock: () => number;
  readonly every: (ms: number, fn: () => void) => { cancel(): void };
  readonly log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  readonly cfg: ResolvedEdgeConfig;
  readonly dryRun: boolean;
  readonly cycleMs: number;
  /** Largest order (1/100 contract): the RiskController's per-order limit caps Kelly's size. */
  readonly maxCount?: number;
  readonly cities: CityTable;
  readonly source: ForecastSource;
  readonly classifier?: EdgeClassifier;
  /** The event's markets from the exchange. */
  markets(eventTicker: string): Promise<EdgeMarket[]>;
  /** The markets we watch (books). */
  watched(): readonly string[];
  quote(ticker: string): { bestYesBid?: Price; yesAsk?: Price; live: boolean } | undefined;
  holdings(): Holding[];
  openOrders(): RestingOrder[];
  balance(): Micros | undefined;
  canAct(): { ok: true } | { ok: false; reason: string };
  submit(intent: OrderIntent, evidence: DecisionEvidence): void;
  readonly repo?: EdgeRepo;
  readonly sessionId?: string;
}

export interface EdgeRunnerStats {
  cycles: number;
  evaluations: number;
  trades: number;
  dryRunOrders: number;
  holds: number;
  forecastErrors: number;
}

const eventOf = (ticker: string) => ticker.slice(0, ticker.lastIndexOf('-'));

export class EdgeRunner {
  readonly stats: EdgeRunnerStats = {
    cycles: 0,
    evaluations: 0,
    trades: 0,
    dryRunOrders: 0,
    holds: 0,
    forecastErrors: 0,
  };
  private timer: { cancel(): void } | undefined;
  private running: Promise<void> | undefined;
  /** Volume samples per market: the growth between cycles is a print. */
  private readonly prints = new Map<string, { last: number; prints: TradePrint[] }>();
  private readonly archived = new Map<string, string>();
  /** Order details of trades sent, until the executor's decision names the client order id. */
  private readonly pending = new Map<string, Record<string, unknown>>();
  private dryRunSeq = 0;
  private readonly onDecided = (d: Decision) => this.recordOrder(d);

  constructor(private readonly deps: EdgeRunnerDeps) {}

  start(): void {
    if (this.timer) return;
    this.deps.bus.on('strategy.decided', this.onDecided);
    this.timer = this.deps.every(this.deps.cycleMs, () => void this.cycle());
    void this.cycle();
  }

  async stop(): Promise<void> {
    this.timer?.cancel();
    this.timer = undefined;
    this.deps.bus.off('strategy.decided', this.onDecided);
    await this.running;
  }

  /** One pass over the watched ladders (one at a time; a pass still running skips the next). */
  cycle(): Promise<void> {
    if (this.running) return this.running;
    this.running = this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async pass(): Promise<void> {
    this.stats.cycles += 1;
    const events = new Set(
      this.deps
        .watched()
        .filter((t) => t.startsWith('KXHIGH'))
        .map(eventOf),
    );
    for (const event of events) {
      if (!this.timer) return;
      try {
        await this.evaluateEvent(event);
      } catch (err) {
        this.deps.log.warn(
          { event: 'edge_evaluation_failed', ladder: event, error: (err as Error).message },
          `edge: ${event} could not be evaluated`,
        );
      }
    }
  }

  private async forecastFor(event: string, cityId: string, date: string): Promise<ForecastHigh | undefined> {
    const city = this.deps.cities.byId(cityId);
    try {
      const f = await this.deps.source.forecastHigh(city, date);
      const key = `${city.id}:${date}`;
      const stamp = `${f.issuedMs}:${f.highF}`;
      if (this.archived.get(key) !== stamp && this.deps.repo && this.deps.sessionId) {
        this.archived.set(key, stamp);
        const rec = toArchiveRecord(f);
        await this.deps.repo
          .insertForecast({ sessionId: this.deps.sessionId, ...rec })
          .catch((err: Error) =>
            this.deps.log.warn(
              { event: 'forecast_archive_failed', error: err.message },
              'forecast not archived',
            ),
          );
      }
      return f;
    } catch (err) {
      this.stats.forecastErrors += 1;
      this.deps.log.warn(
        { event: 'forecast_failed', ladder: event, error: (err as Error).message },
        `edge: no forecast for ${city.id} ${date}`,
      );
      return undefined;
    }
  }

  private async evaluateEvent(event: string): Promise<void> {
    const { deps } = this;
    const now = deps.clock();
    const markets = await deps.markets(event);
    const tradesByTicker = new Map<string, TradePrint[]>();
    for (const m of markets) {
      const seen = this.prints.get(m.ticker);
      if (!seen) this.prints.set(m.ticker, { last: m.volume, prints: [] });
      else {
        if (m.volume > seen.last) seen.prints.push({ count: m.volume - seen.last, createdMs: now });
        seen.last = m.volume;
        seen.prints = seen.prints.filter((p) => p.createdMs > now - deps.cfg.makerTimeout.lookbackMs);
      }
      tradesByTicker.set(m.ticker, this.prints.get(m.ticker)?.prints ?? []);
    }
    const city = deps.cities.bySeries(event);
    const ladder = parseLadder(markets);
    const forecast = await this.forecastFor(event, city.id, ladder.date);
    const quotes: BracketQuote[] = markets.map((m) => {
      const q = deps.quote(m.ticker);
      return {
        ticker: m.ticker,
        ...(q?.live && q.bestYesBid !== undefined ? { yesBid: q.bestYesBid } : {}),
        ...(q?.live && q.yesAsk !== undefined ? { yesAsk: q.yesAsk } : {}),
      };
    });
    const spreads = quotes
      .filter((q) => q.yesBid !== undefined && q.yesAsk !== undefined)
      .map((q) => ((q.yesAsk as number) - (q.yesBid as number)) / 100);
    const volume = markets.reduce(
      (s, m) => s + recentVolume(tradesByTicker.get(m.ticker) ?? [], now, deps.cfg.makerTimeout.lookbackMs),
      0,
    );
    const holdings = deps.holdings();
    const openOrders = deps.openOrders();
    const decided = await decideLadder(
      {
        city: { id: city.id, region: city.region },
        ladder,
        quotes,
        ...(forecast ? { forecast } : {}),
        nowMs: now,
        balance: deps.balance() ?? 0,
        tradesByTicker,
        // No portfolio here: the RiskController checks config.portfolio (the edge config's limits
        // mapped onto it) for every order, this strategy's included.
      },
      deps.cfg,
      {
        ladderSpreadCents: spreads.length ? spreads.reduce((a, b) => a + b, 0) / spreads.length : 0,
        volumeContracts: volume / 100,
      },
      deps.classifier,
    );
    this.stats.evaluations += 1;
    const snapshot = quotes.map((q) => ({
      ticker: q.ticker,
      yes_bid: q.yesBid ?? null,
      yes_ask: q.yesAsk ?? null,
    }));
    const inEvent =
      holdings.some((h) => h.position !== 0 && eventOf(h.ticker) === event) ||
      openOrders.some((o) => eventOf(o.ticker) === event);
    this.act(event, decided, snapshot, inEvent, tradesByTicker, now);
  }

  private act(
    event: string,
    decided: DecidedLadder,
    snapshot: unknown,
    inEvent: boolean,
    trades: ReadonlyMap<string, readonly TradePrint[]>,
    now: number,
  ): void {
    const { deps } = this;
    const d = decided.decision;
    const hold = (reason: string, evidence: DecisionEvidence, intent?: OrderIntent) => {
      this.stats.holds += 1;
      deps.bus.emit('strategy.decided', {
        ...evidence,
        at: now,
        ticker: d.row.ticker ?? event,
        strategy: 'edge',
        action: 'hold',
        reason,
        ...(intent ? { intent } : {}),
      });
    };
    if (!d.intent || !d.proposal) {
      hold(d.reasonCode, edgeEvidence(decided, deps.classifier, snapshot));
      return;
    }
    const p = d.proposal;
    const count = Math.min(d.intent.count, deps.maxCount ?? d.intent.count);
    const order = {
      ticker: p.ticker,
      city: d.row.city,
      event_date: d.row.event_date,
      bracket_label: p.label,
      side: p.side,
      count,
      maker_price: p.makerPrice,
      taker_price: p.takerPrice,
      volume_at_order: recentVolume(trades.get(p.ticker) ?? [], now, deps.cfg.makerTimeout.lookbackMs),
      maker_timeout_ms: p.makerTimeoutMs,
      dry_run: deps.dryRun,
    };
    const evidence = edgeEvidence(decided, deps.classifier, snapshot, order);
    const intent: OrderIntent = { ...d.intent, count, makerTimeoutMs: p.makerTimeoutMs };
    if (inEvent) {
      hold('already_in_event', evidence, intent);
      return;
    }
    if (deps.dryRun) {
      // Recorded as the trade it would have been; nothing goes to the machine or the exchange.
      this.stats.dryRunOrders += 1;
      this.dryRunSeq += 1;
      const clientOrderId = `dry-${deps.sessionId ?? 'run'}-${this.dryRunSeq}`;
      deps.bus.emit('strategy.decided', {
        ...evidence,
        at: now,
        ticker: p.ticker,
        strategy: 'edge',
        action: 'trade',
        reason: 'dry_run',
        intent,
        clientOrderId,
      });
      return;
    }
    const ready = deps.canAct();
    if (!ready.ok) {
      hold(`not_ready:${ready.reason}`, evidence, intent);
      return;
    }
    this.stats.trades += 1;
    this.pending.set(p.ticker, order);
    deps.submit(intent, evidence);
  }

  /** Writes edge_orders from the decisions the executor (and dry runs) publish. */
  private recordOrder(d: Decision): void {
    const { repo, sessionId } = this.deps;
    if (!repo || !sessionId || d.action !== 'trade' || d.clientOrderId === undefined) return;
    const fail = (err: Error) =>
      this.deps.log.warn(
        { event: 'edge_order_record_failed', error: err.message },
        'edge order not recorded',
      );
    if (d.strategy === 'edge' && (d.verdict === undefined || d.verdict.ok)) {
      const o = d.details?.order as Record<string, unknown> | undefined;
      if (!o) return;
      this.pending.delete(String(o.ticker));
      void repo
        .insertOrder({
          clientOrderId: d.clientOrderId,
          sessionId,
          at: new Date(d.at),
          ticker: String(o.ticker),
          city: String(o.city),
          eventDate: String(o.event_date),
          bracketLabel: String(o.bracket_label),
          side: o.side === 'no' ? 'no' : 'yes',
          count: Number(o.count),
          makerPrice: Number(o.maker_price),
          volumeAtOrder: Number(o.volume_at_order),
          makerTimeoutMs: Number(o.maker_timeout_ms),
          dryRun: o.dry_run === true,
        })
        .catch(fail);
    } else if (d.strategy === 'maker_to_taker' && d.intent?.replaces !== undefined) {
      const leg = d.intent.bookSide === 'bid' ? d.intent.yesPrice : complement(d.intent.yesPrice);
      void repo
        .markConverted(d.intent.replaces, { at: new Date(d.at), price: leg, clientOrderId: d.clientOrderId })
        .catch(fail);
    }
  }
}

/** The REST market as the runner reads it. */
export function edgeMarketOf(m: {
  ticker: string;
  event_ticker?: string;
  strike_type?: string;
  floor_strike?: number | null;
  cap_strike?: number | null;
  volume_fp?: string;
}): EdgeMarket {
  const count = Number.parseFloat(m.volume_fp ?? '0');
  return { ...fromWireMarket(m), volume: Number.isFinite(count) ? Math.round(count * 100) : 0 };
}
