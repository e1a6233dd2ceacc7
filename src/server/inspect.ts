/**
 * The offline XState inspector relay.
 *
 * One loopback HTTP server that
 *  - accepts WebSocket viewers (any path) and sends each of them every inspection event, starting
 *    with a replay of the most recent ones;
 *  - also accepts inspection events *from* WebSocket clients (e.g. `createWebSocketInspector` in
 *    another process) and re-broadcasts them, like `@statelyai/inspect/server` does, so the same
 *    relay serves Stately's own tooling;
 *  - serves a self-contained viewer at `/` (plain HTML + JS, no CDN, works without internet): the
 *    current state value of every actor, the last events and the latest snapshot, live;
 *  - serves `/stately`, a bridge that feeds Stately's online inspector UI (needs internet).
 *
 * The in-process machine reports through `inspector`, a `createInspector` adapter that pushes
 * straight into the relay: there is no client socket, so nothing retries or keeps the process alive
 * after close() (the WebSocket inspector reconnects every 5 s for ever when nobody listens).
 *
 * Events are serialized with secrets redacted (private keys, tokens; see config/redact.ts), since
 * a machine's context might carry configuration. Browsers on other sites are refused by an Origin
 * check: the events show positions and orders.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInspector } from '@statelyai/inspect';
import { type WebSocket, WebSocketServer } from 'ws';
import type { InspectionEvent, Observer } from 'xstate';
import { redactSecrets, scrubSecretText } from '../config/index.js';

export interface InspectorRelayOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Events kept for viewers that connect later (default 500). */
  replay?: number;
}

export interface InspectorRelay {
  /** e.g. ws://127.0.0.1:40123 — for viewers and for `createWebSocketInspector({ url })`. */
  readonly wsUrl: string;
  /** e.g. http://127.0.0.1:40123/ — the offline viewer. */
  readonly httpUrl: string;
  /** Pass as xstate's `inspect` option: `createActor(machine, { inspect: relay.inspector })`. */
  readonly inspector: Observer<InspectionEvent>;
  /** Viewers connected now. */
  viewerCount(): number;
  close(): Promise<void>;
}

const MAX_INBOUND_BYTES = 1024 * 1024;

/** A machine definition arrives as a JSON string (with the initial context inside): redact it too. */
function redactDefinition(definition: string): string {
  try {
    return JSON.stringify(redactSecrets(JSON.parse(definition), 32));
  } catch {
    return scrubSecretText(definition);
  }
}

function serialize(event: unknown): string | undefined {
  try {
    const redacted = redactSecrets(event, 16) as Record<string, unknown> | undefined;
    if (redacted && typeof redacted.definition === 'string') {
      redacted.definition = redactDefinition(redacted.definition);
    }
    return JSON.stringify(redacted);
  } catch {
    return undefined;
  }
}

function isInspectionEventLike(v: unknown): boolean {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { type?: unknown }).type === 'string' &&
    (v as { type: string }).type.startsWith('@xstate.')
  );
}

export async function startInspectorRelay(options: InspectorRelayOptions = {}): Promise<InspectorRelay> {
  const { host = '127.0.0.1', port = 0, replay = 500 } = options;
  const buffer: string[] = [];
  let closed = false;
  let allowedOrigins = new Set<string>();

  const broadcast = (message: string, except?: WebSocket): void => {
    buffer.push(message);
    if (buffer.length > replay) buffer.splice(0, buffer.length - replay);
    for (const client of wss.clients) {
      if (client !== except && client.readyState === client.OPEN) client.send(message);
    }
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://relay').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET' }).end();
      return;
    }
    const page =
      path === '/' || path === '/index.html'
        ? VIEWER_HTML
        : path === '/stately'
          ? STATELY_BRIDGE_HTML
          : undefined;
    if (!page) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    res.end(req.method === 'HEAD' ? undefined : page);
  });

  const wss = new WebSocketServer({
    server,
    maxPayload: MAX_INBOUND_BYTES,
    verifyClient: (info: { origin: string; req: IncomingMessage }) =>
      // Node clients send no Origin; browsers must come from our own pages.
      !info.origin || allowedOrigins.has(info.origin),
  });
  wss.on('connection', (ws) => {
    for (const message of buffer) ws.send(message);
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(data.toString());
      } catch {
        return;
      }
      if (!isInspectionEventLike(parsed)) return;
      const message = serialize(parsed);
      if (message) broadcast(message, ws);
    });
    ws.on('error', () => ws.terminate());
  });
  wss.on('error', () => {});

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const actualPort = address.port;
  allowedOrigins = new Set([
    `http://${hostPart}:${actualPort}`,
    `http://localhost:${actualPort}`,
    `http://127.0.0.1:${actualPort}`,
    `http://[::1]:${actualPort}`,
  ]);

  const stately = createInspector(
    {
      send(event) {
        if (closed) return;
        const message = serialize(event);
        if (message) broadcast(message);
      },
    },
    { autoStart: true },
  );

  let closing: Promise<void> | undefined;
  return {
    wsUrl: `ws://${hostPart}:${actualPort}`,
    httpUrl: `http://${hostPart}:${actualPort}/`,
    inspector: stately.inspect,
    viewerCount: () => wss.clients.size,
    close() {
      closing ??= new Promise<void>((resolve) => {
        closed = true;
        stately.stop();
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Pages. Both are self-contained; untrusted strings are only ever set through textContent.

const VIEWER_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>traderv3 inspector</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body { font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; margin: 0; color: #222; background: #fafafa; }
  header { padding: 8px 12px; background: #223; color: #eee; display: flex; gap: 16px; align-items: baseline; }
  header h1 { font-size: 15px; margin: 0; }
  #conn.on { color: #7d7; } #conn.off { color: #f88; }
  main { display: grid; grid-template-columns: minmax(280px, 1fr) 2fr; gap: 12px; padding: 12px; }
  section { background: #fff; border: 1px solid #ddd; border-radius: 4px; padding: 8px; overflow: auto; }
  h2 { font-size: 13px; margin: 0 0 6px; text-transform: uppercase; color: #667; }
  table { border-collapse: collapse; width: 100%; }
  td, th { text-align: left; padding: 2px 6px; border-bottom: 1px solid #eee; vertical-align: top; }
  tr.actor { cursor: pointer; } tr.actor.sel { background: #eef; }
  .state { font-weight: bold; color: #035; }
  pre { margin: 0; white-space: pre-wrap; word-break: break-all; }
  #events { max-height: 45vh; } #snapshot { max-height: 70vh; }
  .t-event { color: #840; } .t-snapshot { color: #036; } .t-actor { color: #060; }
</style>
</head>
<body>
<header><h1>traderv3 · XState inspector</h1><span id="conn" class="off">connecting…</span><span id="count"></span></header>
<main>
  <div>
    <section><h2>Actors</h2><table><thead><tr><th>actor</th><th>state</th><th>status</th></tr></thead><tbody id="actors"></tbody></table></section>
    <section style="margin-top:12px"><h2>Snapshot <span id="snapfor"></span></h2><pre id="snapshot"></pre></section>
  </div>
  <section id="events"><h2>Last events</h2><table><thead><tr><th>time (UTC)</th><th>kind</th><th>actor</th><th>event</th></tr></thead><tbody id="log"></tbody></table></section>
</main>
<script>
(function () {
  var MAX_EVENTS = 200;
  var actors = new Map();
  var selected = null;
  var total = 0;
  function el(tag, text, cls) { var e = document.createElement(tag); if (text !== undefined) e.textContent = text; if (cls) e.className = cls; return e; }
  function fmtValue(v) { if (v === undefined || v === null) return ''; if (typeof v === 'string') return v; return JSON.stringify(v); }
  function time(createdAt) { var n = Number(createdAt); return isFinite(n) && n > 0 ? new Date(n).toISOString().slice(11, 23) : ''; }
  function actorFor(id) { var a = actors.get(id); if (!a) { a = { id: id, name: id, value: undefined, status: '', snapshot: null }; actors.set(id, a); } return a; }
  function renderActors() {
    var body = document.getElementById('actors');
    body.textContent = '';
    actors.forEach(function (a) {
      var tr = el('tr', undefined, 'actor' + (a.id === selected ? ' sel' : ''));
      tr.appendChild(el('td', a.name + (a.name !== a.id ? ' (' + a.id + ')' : '')));
      tr.appendChild(el('td', fmtValue(a.value), 'state'));
      tr.appendChild(el('td', a.status || ''));
      tr.onclick = function () { selected = a.id; renderActors(); renderSnapshot(); };
      body.appendChild(tr);
    });
  }
  function renderSnapshot() {
    var a = selected && actors.get(selected);
    document.getElementById('snapfor').textContent = a ? '· ' + a.name : '';
    document.getElementById('snapshot').textContent = a && a.snapshot ? JSON.stringify(a.snapshot, null, 2) : '';
  }
  function logRow(kind, m) {
    var body = document.getElementById('log');
    var tr = el('tr');
    tr.appendChild(el('td', time(m.createdAt)));
    tr.appendChild(el('td', kind, 't-' + kind));
    var a = actors.get(m.sessionId);
    tr.appendChild(el('td', a ? a.name : (m.sessionId || '')));
    var detail = kind === 'event' ? (m.event && m.event.type) : kind === 'snapshot' ? fmtValue(m.snapshot && m.snapshot.value) : (m.name || '');
    tr.appendChild(el('td', detail || ''));
    body.insertBefore(tr, body.firstChild);
    while (body.childNodes.length > MAX_EVENTS) body.removeChild(body.lastChild);
  }
  function handle(m) {
    if (!m || typeof m.type !== 'string') return;
    total++;
    document.getElementById('count').textContent = total + ' events';
    var a = m.sessionId ? actorFor(m.sessionId) : null;
    if (m.type === '@xstate.actor' && a) {
      a.name = m.name || a.id;
      if (m.snapshot) { a.snapshot = m.snapshot; a.value = m.snapshot.value; a.status = m.snapshot.status || a.status; }
      if (selected === null && !m.parentId) selected = a.id;
      logRow('actor', m);
    } else if (m.type === '@xstate.snapshot' && a) {
      a.snapshot = m.snapshot; a.value = m.snapshot && m.snapshot.value; a.status = (m.snapshot && m.snapshot.status) || a.status;
      if (selected === null) selected = a.id;
      logRow('snapshot', m);
    } else if (m.type === '@xstate.event') {
      logRow('event', m);
    } else {
      return;
    }
    renderActors();
    if (a && a.id === selected) renderSnapshot();
  }
  function connect() {
    var conn = document.getElementById('conn');
    var ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/');
    ws.onopen = function () { conn.textContent = 'live'; conn.className = 'on'; };
    ws.onmessage = function (e) { try { handle(JSON.parse(e.data)); } catch (err) { /* ignore malformed */ } };
    ws.onclose = function () { conn.textContent = 'disconnected — retrying'; conn.className = 'off'; setTimeout(connect, 2000); };
  }
  connect();
})();
</script>
</body>
</html>
`;

const STATELY_BRIDGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>traderv3 · Stately inspector (online)</title>
<style>html, body { margin: 0; height: 100%; } iframe { border: 0; width: 100%; height: 100%; }</style>
</head>
<body>
<iframe id="stately" src="https://stately.ai/inspect"></iframe>
<script>
(function () {
  // Forwards the relay's events into Stately's inspector UI (which needs internet).
  var STATELY = 'https://stately.ai';
  var frame = document.getElementById('stately');
  var ready = false;
  var pending = [];
  window.addEventListener('message', function (e) {
    if (e.origin === STATELY && e.data && e.data.type === '@statelyai.connected') {
      ready = true;
      pending.forEach(function (m) { frame.contentWindow.postMessage(m, STATELY); });
      pending = [];
    }
  });
  var ws = new WebSocket('ws://' + location.host + '/');
  ws.onmessage = function (e) {
    var m; try { m = JSON.parse(e.data); } catch (err) { return; }
    if (ready) frame.contentWindow.postMessage(m, STATELY); else pending.push(m);
  };
})();
</script>
</body>
</html>
`;
