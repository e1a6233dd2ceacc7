/**
 * The offline XState inspector relay, on the one server under `/inspect/`:
 *  - `/inspect/ws` accepts WebSocket viewers and sends each of them every inspection event,
 *    starting with a replay of the most recent ones; it also accepts inspection events *from*
 *    clients (e.g. `createWebSocketInspector` in another process) and re-broadcasts them, like
 *    `@statelyai/inspect/server` does, so the same relay serves Stately's own tooling;
 *  - `/inspect/` is a self-contained viewer (plain HTML + JS, no CDN, works without internet);
 *  - `/inspect/stately` is a bridge that feeds Stately's online inspector UI (needs internet).
 *
 * The hub exists before the server (the trader's actor is created with `hub.inspector` before
 * the server can start): `createInspectorHub()` first, then the server mounts it. The in-process
 * machine reports through a `createInspector` adapter that pushes straight into the hub: there is
 * no client socket, so nothing retries or keeps the process alive after close().
 *
 * Events are serialized with secrets redacted (private keys, tokens; see config/redact.ts). Other
 * sites' pages are refused by the server's Origin check: the events show positions and orders.
 */
import type * as statelyInspect from '@statelyai/inspect';
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import type { InspectionEvent, Observer } from 'xstate';
import { redactSecrets, scrubSecretText } from '../config/index.js';
import { lazyPackage } from '../lazy.js';
import { STATELY_BRIDGE_HTML, VIEWER_HTML } from './inspect-pages.js';

// Loaded only with --inspect (src/lazy.ts; ESM without top-level await, so `require` takes it).
const inspectPackage = lazyPackage<typeof statelyInspect>('@statelyai/inspect');

export const INSPECT_PREFIX = '/inspect';
const MAX_INBOUND_BYTES = 1024 * 1024;

export interface InspectorHub {
  /** Pass as xstate's `inspect` option: `createActor(machine, { inspect: hub.inspector })`. */
  readonly inspector: Observer<InspectionEvent>;
  /** Viewers connected now. */
  viewerCount(): number;
  /** Stops taking events and disconnects viewers. */
  close(): void;
  /** @internal the server's side */
  attach(ws: WebSocket): void;
}

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

export function createInspectorHub(options: { replay?: number } = {}): InspectorHub {
  const replay = options.replay ?? 500;
  const buffer: string[] = [];
  const viewers = new Set<WebSocket>();
  let closed = false;

  const broadcast = (message: string, except?: WebSocket): void => {
    buffer.push(message);
    if (buffer.length > replay) buffer.splice(0, buffer.length - replay);
    for (const v of viewers) {
      if (v !== except && v.readyState === v.OPEN) v.send(message);
    }
  };
  const stately = inspectPackage().createInspector(
    {
      send(event) {
        if (closed) return;
        const message = serialize(event);
        if (message) broadcast(message);
      },
    },
    { autoStart: true },
  );

  return {
    inspector: stately.inspect,
    viewerCount: () => viewers.size,
    close() {
      if (closed) return;
      closed = true;
      stately.stop();
      for (const v of viewers) v.terminate();
      viewers.clear();
    },
    attach(ws) {
      if (closed) {
        ws.close(1001, 'closed');
        return;
      }
      viewers.add(ws);
      for (const message of buffer) ws.send(message);
      ws.on('message', (data, isBinary) => {
        if (isBinary) return;
        const text = data.toString();
        if (text.length > MAX_INBOUND_BYTES) return;
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          return;
        }
        if (!isInspectionEventLike(parsed)) return;
        const message = serialize(parsed);
        if (message) broadcast(message, ws);
      });
      ws.on('close', () => viewers.delete(ws));
      ws.on('error', () => ws.terminate());
    },
  };
}

function page(html: string) {
  return async (_req: unknown, reply: import('fastify').FastifyReply) =>
    reply
      .header('cache-control', 'no-store')
      .header('x-content-type-options', 'nosniff')
      .type('text/html; charset=utf-8')
      .send(html);
}

/** Mounts the relay under /inspect (needs @fastify/websocket registered on the server). */
export async function inspectorRoutes(app: FastifyInstance, options: { hub: InspectorHub }): Promise<void> {
  const { hub } = options;
  app.get(`${INSPECT_PREFIX}`, async (_req, reply) => reply.redirect(`${INSPECT_PREFIX}/`));
  app.get(`${INSPECT_PREFIX}/`, page(VIEWER_HTML));
  app.get(`${INSPECT_PREFIX}/index.html`, page(VIEWER_HTML));
  app.get(`${INSPECT_PREFIX}/stately`, page(STATELY_BRIDGE_HTML));
  app.get(`${INSPECT_PREFIX}/ws`, { websocket: true }, (socket) => hub.attach(socket));
}
