/**
 * The inspector relay's two pages. Both are self-contained; untrusted strings are only ever set
 * through textContent. Each page opens the relay's WebSocket beside itself (`<prefix>/ws`).
 */

export const VIEWER_HTML = `<!doctype html>
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
  // The relay's socket sits beside the page: /inspect/ → /inspect/ws.
  var WS_URL = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + location.pathname.replace(/[^/]*$/, '') + 'ws';
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
    var ws = new WebSocket(WS_URL);
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

export const STATELY_BRIDGE_HTML = `<!doctype html>
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
  // The relay's socket sits beside the page: /inspect/ → /inspect/ws.
  var WS_URL = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + location.pathname.replace(/[^/]*$/, '') + 'ws';
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
  var ws = new WebSocket(WS_URL);
  ws.onmessage = function (e) {
    var m; try { m = JSON.parse(e.data); } catch (err) { return; }
    if (ready) frame.contentWindow.postMessage(m, STATELY); else pending.push(m);
  };
})();
</script>
</body>
</html>
`;
