/**
 * The earlier entry points, now on the one server: `startControlServer` (the control API alone)
 * and `startInspectorRelay` (the inspector relay alone). Same shapes as before.
 */
import type { InspectionEvent, Observer } from 'xstate';
import { startServer } from './app.js';
import type { ControlTarget } from './control-routes.js';
import { createInspectorHub } from './inspect.js';

export interface ControlServerOptions {
  target: ControlTarget;
  /** Where control.json goes (created if needed). */
  dataDir: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Told about requests the target failed (no secrets: the message is scrubbed). */
  onError?: (route: string, err: unknown) => void;
}

export interface ControlServer {
  /** e.g. http://127.0.0.1:40123 */
  readonly url: string;
  readonly token: string;
  /** Path of control.json. */
  readonly file: string;
  close(): Promise<void>;
}

export async function startControlServer(options: ControlServerOptions): Promise<ControlServer> {
  const server = await startServer({
    control: options.target,
    dataDir: options.dataDir,
    ...(options.host ? { host: options.host } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
  });
  return { url: server.url, token: server.token, file: server.file!, close: () => server.close() };
}

export interface InspectorRelayOptions {
  host?: string;
  port?: number;
  /** Events kept for viewers that connect later (default 500). */
  replay?: number;
}

export interface InspectorRelay {
  /** e.g. ws://127.0.0.1:40123/inspect/ws — for viewers and for `createWebSocketInspector({ url })`. */
  readonly wsUrl: string;
  /** e.g. http://127.0.0.1:40123/inspect/ — the offline viewer. */
  readonly httpUrl: string;
  /** Pass as xstate's `inspect` option: `createActor(machine, { inspect: relay.inspector })`. */
  readonly inspector: Observer<InspectionEvent>;
  viewerCount(): number;
  close(): Promise<void>;
}

export async function startInspectorRelay(options: InspectorRelayOptions = {}): Promise<InspectorRelay> {
  const hub = createInspectorHub(options.replay === undefined ? {} : { replay: options.replay });
  const server = await startServer({
    inspector: hub,
    ...(options.host ? { host: options.host } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
  });
  let closing: Promise<void> | undefined;
  return {
    wsUrl: server.inspectWsUrl!,
    httpUrl: server.inspectUrl!,
    inspector: hub.inspector,
    viewerCount: () => hub.viewerCount(),
    close() {
      closing ??= (async () => {
        hub.close();
        await server.close();
      })();
      return closing;
    },
  };
}
