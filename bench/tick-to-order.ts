/**
 * Tick-to-order: an orderbook delta leaving a loopback exchange's socket → the order's bytes
 * arriving at that exchange's REST port, with the policy's ONNX inference in the path, side by side
 * with the loopback round trip (the same delta → a bare undici `request` POST the moment the frame
 * arrives: the quickest way Node sends it) and, for reference, a bare `fetch` POST.
 * p50 / p99 / max; target p99 < 1 ms above the round trip, inference p99 < 100 µs.
 *
 * Our path, all real code: KalshiWsClient (parse, seq check) → BookFeed (OrderBook.applyDelta) →
 * the orderbook integration's `book.deltaReceived` on the bus → pushHistory + buildObservation →
 * PolicyModel.inferNow (models/policy.onnx, onnxruntime CPU, synchronous through the native
 * binding when it passed its guard, else PolicyModel.infer — as PolicyStrategy does) → chooseAction
 * under the action mask → the intent → the V2 create-order body → KalshiRestClient.createOrderV2
 * (RSA-PSS headers from the PresigningSigner as in the trader: signed ahead on the threadpool while
 * fresh, else inline; undici's `request`, src/kalshi/http-transport.ts). `--presign 0` signs every
 * order inline, `--inference public` uses the public async API, to show what each costs.
 * When the policy holds, the same path places a fixed 1-contract bid at the best bid (so every
 * tick yields an order; `held` counts those). Not in the path: the strategy runner's tick throttle
 * (250 ms by default: a policy, not a cost) and the machine's risk gate.
 *
 * The exchange is in this process (a `ws` server and an http server on 127.0.0.1); ticks are one
 * at a time (the next after the previous order arrived). Median of blocks, baseline and ours
 * interleaved. Measurements on a shared machine are noisy: the load average is printed.
 *
 *   npm run bench:tick [-- --ticks 2000 --blocks 3]
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { WebSocket } from 'ws';
import { createBus } from '../src/bus.js';
import {
  createSigner,
  formatCount,
  formatPrice,
  generateKeyPair,
  KalshiRestClient,
  orderCreateRequests,
  PresigningSigner,
} from '../src/kalshi/index.js';
import {
  actionMask,
  actionToIntent,
  bookInputFromBook,
  buildObservation,
  chooseAction,
  DEFAULT_ACTION_SETTINGS,
  EMPTY_HISTORY,
  type History,
  loadPolicyModel,
  pushHistory,
} from '../src/policy/index.js';
import { connectBooks, makeFrames } from './lib/frames.js';
import {
  argNumber,
  argValue,
  emitSummary,
  fmt,
  loadNote,
  median,
  percentile,
  textTable,
} from './lib/report.js';

const TICKS = Math.floor(argNumber('ticks', 2_000));
const BLOCKS = Math.floor(argNumber('blocks', 3));
const TARGET_ABOVE_MS = 1;
const TARGET_INFER_US = 100;
/** Max age of a pre-signed order header, ms (0: sign every order inline). */
const PRESIGN_MS = Math.floor(argNumber('presign', 1_000, { allowZero: true }));
/** Pre-signed headers kept ready (the trader keeps 1: its ticks are throttled per market). */
const PRESIGN_POOL = Math.floor(argNumber('presign-pool', 1));
const INFERENCE = argValue('inference') === 'public' ? 'public-async' : 'auto';

/** The REST side of the loopback exchange: notes when each order's body has fully arrived. */
async function restServer(onOrder: (atMs: number) => void) {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.on('data', () => undefined);
    req.on('end', () => {
      onOrder(performance.now());
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(
        '{"order_id":"o-1","client_order_id":"c","fill_count":"0.00","remaining_count":"1.00","ts_ms":1}',
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/trade-api/v2`, close: () => new Promise((r) => server.close(r)) };
}

async function main(): Promise<void> {
  console.log(`tick-to-order — ${fmt(TICKS)} ticks × ${BLOCKS} blocks; ${await loadNote()}`);
  const frames = makeFrames({ deltas: Math.ceil(TICKS * 1.25) * (BLOCKS + 1) + 100, markets: 1, seed: 42 });
  let arrived: ((atMs: number) => void) | undefined;
  const rest = await restServer((at) => arrived?.(at));
  const nextOrder = () => new Promise<number>((resolve) => (arrived = resolve));

  // --- ours: the trader's pieces ---
  const bus = createBus();
  const { server: book, ws, integration } = await connectBooks(frames, bus);
  const keys = generateKeyPair();
  const signer = createSigner({ keyId: 'bench-key', privateKeyPem: keys.privateKeyPem });
  const presigner =
    PRESIGN_MS > 0
      ? new PresigningSigner(signer, {
          requests: orderCreateRequests(new URL(rest.url).pathname),
          maxAgeMs: PRESIGN_MS,
          poolSize: PRESIGN_POOL,
        })
      : undefined;
  presigner?.setActive(true);
  const client = new KalshiRestClient({
    baseUrl: rest.url,
    signer: presigner ?? signer,
    rateLimiter: false,
    retry: { maxAttempts: 1 },
  });
  const model = await loadPolicyModel('models/policy.onnx', { inferencePath: INFERENCE });
  const ticker = frames.tickers[0] as string;
  const obs = new Float32Array(52);
  let history: History = EMPTY_HISTORY;
  let held = 0;
  let orderSeq = 0;
  const inferUs: number[] = [];
  let armed = false;
  /** Synchronous work of the path on the event loop (delta handler + its continuation), µs. */
  const busyUs: number[] = [];
  let busy = 0;
  bus.on('book.deltaReceived', (d) => {
    if (!armed || d.ticker !== ticker) return;
    const h0 = performance.now();
    busy = 0;
    const b = integration.book(ticker);
    if (!b) return;
    const input = bookInputFromBook(b);
    history = pushHistory(history, input, d.receivedMs);
    buildObservation(
      {
        book: input,
        history,
        portfolio: { position: 0, cash: 1_000_000_000, costBasis: 0, equity: 1_000_000_000 },
        orders: [],
      },
      obs,
    );
    const view = {
      ticker,
      bestYesBid: b.bestYesBid(),
      yesAsk: b.yesAsk(),
      position: 0,
      cash: 1_000_000_000,
      openOrders: [],
    };
    const act = ({ scores, latencyUs }: { scores: Float32Array; latencyUs: number }) => {
      const a0 = performance.now();
      inferUs.push(latencyUs);
      const action = chooseAction(scores, actionMask(view, DEFAULT_ACTION_SETTINGS));
      const decision = actionToIntent(action, view, DEFAULT_ACTION_SETTINGS);
      let intent = decision.action === 'trade' ? decision.intent : undefined;
      if (!intent) {
        held++;
        intent = {
          ticker,
          bookSide: 'bid' as const,
          yesPrice: view.bestYesBid ?? 100,
          count: 100,
          timeInForce: 'good_till_canceled' as const,
        } as NonNullable<typeof intent>;
      }
      void client.createOrderV2({
        ticker: intent.ticker,
        client_order_id: `bench-${++orderSeq}`,
        side: intent.bookSide,
        count: formatCount(intent.count),
        price: formatPrice(intent.yesPrice),
        time_in_force: intent.timeInForce,
        self_trade_prevention_type: 'taker_at_cross',
        post_only: intent.postOnly === true,
        reduce_only: intent.reduceOnly === true,
      });
      busy += performance.now() - a0;
      busyUs.push(busy * 1000);
    };
    const now = model.inferNow(obs);
    if (now) {
      act(now);
      // concluded in the handler: its whole time is the path's event-loop work
      busyUs[busyUs.length - 1] = (performance.now() - h0) * 1000;
    } else {
      busy += performance.now() - h0;
      void model.infer(obs).then(act);
    }
  });

  // --- baselines: a bare socket and a bare request (undici's `request`; fetch for reference) ---
  const bare = new WebSocket(book.url, { perMessageDeflate: false });
  await new Promise<void>((resolve) => bare.once('open', () => resolve()));
  let bareArmed: 'request' | 'fetch' | undefined;
  const bareAgent = new Agent();
  const bareUrl = `${rest.url}/portfolio/events/orders`;
  const bareBody = '{"ticker":"T","client_order_id":"c","side":"bid","count":"1.00","price":"0.5000"}';
  bare.on('message', () => {
    if (bareArmed === 'request') {
      void request(bareUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: bareBody,
        dispatcher: bareAgent,
      }).then((r) => r.body.arrayBuffer());
    } else if (bareArmed === 'fetch') {
      void fetch(bareUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: bareBody,
      }).then((r) => r.arrayBuffer());
    }
  });

  let next = 0;
  const tick = async (): Promise<number> => {
    const frame = frames.deltas[next++] as Buffer;
    const order = nextOrder();
    const t0 = performance.now();
    book.send(frame);
    return (await order) - t0;
  };
  const ours: number[] = [];
  const base: number[] = [];
  const viaFetch: number[] = [];
  // The bare socket is connected to the same server: it receives every frame too, and the client
  // its seq. Only one side is armed at a time; the other ignores the frame.
  let presignedBefore = 0;
  let inlineBefore = 0;
  for (let blk = 0; blk < BLOCKS + 1; blk++) {
    if (blk === 1) {
      presignedBefore = presigner?.stats.presigned ?? 0;
      inlineBefore = presigner?.stats.inline ?? 0;
    }
    const b: number[] = [];
    bareArmed = 'request';
    for (let i = 0; i < TICKS / 2; i++) b.push(await tick());
    const f: number[] = [];
    bareArmed = 'fetch';
    for (let i = 0; i < TICKS / 4; i++) f.push(await tick());
    bareArmed = undefined;
    const o: number[] = [];
    armed = true;
    for (let i = 0; i < TICKS / 2; i++) o.push(await tick());
    armed = false;
    if (blk === 0) continue; // warm-up
    base.push(...b);
    viaFetch.push(...f);
    ours.push(...o);
  }
  const s = (xs: number[]) => Float64Array.from(xs).sort();
  const so = s(ours);
  const sb = s(base);
  const si = s(inferUs.slice(-ours.length));
  const row = (name: string, x: Float64Array, unit: number, digits: number) => [
    name,
    fmt(percentile(x, 50) * unit, digits),
    fmt(percentile(x, 99) * unit, digits),
    fmt((x[x.length - 1] ?? Number.NaN) * unit, digits),
  ];
  console.log(
    textTable(
      ['path', 'p50', 'p99', 'max'],
      [
        row('loopback round trip (frame → bare undici request POST), ms', sb, 1, 3),
        row('  for reference: frame → bare fetch POST, ms', s(viaFetch), 1, 3),
        row('tick-to-order (frame → pipeline → ONNX → signed order), ms', so, 1, 3),
        row('  of which ONNX inference, µs', si, 1, 1),
        row('  event-loop work in the path (handlers, sync), µs', s(busyUs.slice(-ours.length)), 1, 1),
      ],
    ),
  );
  const presigned = (presigner?.stats.presigned ?? 0) - presignedBefore;
  const inline = (presigner?.stats.inline ?? 0) - inlineBefore + (presigner ? 0 : ours.length);
  const pathNote =
    `inference ${model.inferencePath}; order headers pre-signed ${fmt(presigned)}, ` +
    `signed inline ${fmt(inline)}` +
    `${presigner ? ` (max age ${fmt(PRESIGN_MS)} ms, pool ${PRESIGN_POOL})` : ' (pre-signing off)'}`;
  console.log(`\n${pathNote}`);
  const aboveP50 = percentile(so, 50) - percentile(sb, 50);
  const aboveP99 = percentile(so, 99) - percentile(sb, 99);
  const inferP99 = percentile(si, 99);
  console.log(
    `\nabove the round trip: p50 +${fmt(aboveP50, 3)} ms, p99 +${fmt(aboveP99, 3)} ms ` +
      `(target < ${TARGET_ABOVE_MS} ms: ${aboveP99 < TARGET_ABOVE_MS ? 'met' : 'NOT met'}); ` +
      `inference p99 ${fmt(inferP99, 1)} µs (target < ${TARGET_INFER_US}: ${inferP99 < TARGET_INFER_US ? 'met' : 'NOT met'}); ` +
      `policy held on ${fmt(held)} ticks (fixed bid placed)`,
  );
  const signT: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t0 = performance.now();
    signer.headers('POST', '/trade-api/v2/portfolio/events/orders', Date.now());
    signT.push(performance.now() - t0);
  }
  console.log(`RSA-PSS signature alone, CPU: median ${fmt(median(signT), 3)} ms`);
  emitSummary([
    {
      bench: 'tick-to-order (delta on the socket → order bytes at the exchange)',
      metric: 'p50 / p99 ms',
      ours: `${fmt(percentile(so, 50), 2)} / ${fmt(percentile(so, 99), 2)}`,
      versus: `${fmt(percentile(sb, 50), 2)} / ${fmt(percentile(sb, 99), 2)} (loopback round trip, bare undici request; bare fetch ${fmt(percentile(s(viaFetch), 50), 2)} / ${fmt(percentile(s(viaFetch), 99), 2)})`,
      ratio: `+${fmt(aboveP50, 2)} / +${fmt(aboveP99, 2)} ms`,
      target: `p99 < +${TARGET_ABOVE_MS} ms`,
      met: aboveP99 < TARGET_ABOVE_MS,
      note: `max ${fmt(so[so.length - 1] ?? Number.NaN, 1)} ms; RSA-PSS sign ${fmt(median(signT), 2)} ms (${presigner ? 'pre-signed off the event loop when fresh' : 'inline'}); ${pathNote}; ${await loadNote()}`,
    },
    {
      bench: 'policy inference inside the tick path',
      metric: 'p50 / p99 µs',
      ours: `${fmt(percentile(si, 50), 1)} / ${fmt(inferP99, 1)}`,
      versus: '',
      ratio: '',
      target: `p99 < ${TARGET_INFER_US} µs`,
      met: inferP99 < TARGET_INFER_US,
      note: `${fmt(si.length)} inferences, ${model.inferencePath}`,
    },
  ]);
  presigner?.close();
  bare.terminate();
  await bareAgent.close();
  await client.close();
  await ws.close();
  await model.release();
  await book.close();
  await rest.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
