// Loaded into the trader with `node --import ./scripts/soak-probe.mjs` by scripts/soak.ts: every
// TRADERV3_PROBE_MS (default 10 s) appends one JSON line to TRADERV3_PROBE_FILE with the process's
// heap, RSS, event-loop delay since the last sample and open handles. Touches nothing else; the
// timer is unref'd so it never keeps the trader alive. Plain JS so it needs no loader.
import { appendFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const file = process.env.TRADERV3_PROBE_FILE;
if (file) {
  const every = Number(process.env.TRADERV3_PROBE_MS) || 10_000;
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const sample = () => {
    const m = process.memoryUsage();
    const resources = process.getActiveResourcesInfo();
    const line = {
      t: Date.now(),
      rss: m.rss,
      heapUsed: m.heapUsed,
      heapTotal: m.heapTotal,
      external: m.external,
      arrayBuffers: m.arrayBuffers,
      eldP50Ms: delay.percentile(50) / 1e6,
      eldP99Ms: delay.percentile(99) / 1e6,
      eldMaxMs: delay.max / 1e6,
      handles: resources.length,
      timers: resources.filter((r) => r === 'Timeout').length,
      sockets: resources.filter((r) => r === 'TCPSocketWrap').length,
    };
    delay.reset();
    try {
      appendFileSync(file, `${JSON.stringify(line)}\n`);
    } catch {
      // the soak runner went away; nothing to report to
    }
  };
  setInterval(sample, every).unref();
}
