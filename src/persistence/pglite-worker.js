// The embedded Postgres on its own thread (pglite-thread.ts starts this file as a worker).
//
// Plain JavaScript on purpose: a worker thread is not compiled by tsx or vitest, so this file
// runs as it is, from the sources and from the compiled command alike. It holds one PGlite and
// answers the main thread's messages in order:
//   { id, op: 'query', text, params, rowMode?, passThrough?, blob? }  → { id, result }
//   { id, op: 'close' }                                                → { id, result: null }
// and every failure as { id, error: { name, message, ...fields } } (Postgres's code, detail, …).
// Its first message is { ready: true } or { failed: error }.
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';

const INT8_OID = 20;

/** int8 as a JS number, refused when it does not fit (the same rule as db.ts). */
function parseInt8(value) {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`bigint value ${value} does not fit in a JS number`);
  return n;
}

const passThrough = (value) => value;

/** An error as a plain object the structured clone keeps: its name, message and own fields. */
function serialize(err) {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err) };
  const out = { name: err.name, message: err.message };
  for (const [key, value] of Object.entries(err)) {
    if (value === undefined || typeof value === 'function' || typeof value === 'object') continue;
    out[key] = value;
  }
  return out;
}

const { dataDir, wasmModule, startParams } = workerData;
let db;
try {
  db = new PGlite(dataDir, {
    parsers: { [INT8_OID]: parseInt8 },
    ...(startParams ? { startParams } : {}),
    ...(wasmModule ? { pgliteWasmModule: wasmModule } : {}),
  });
  await db.waitReady;
  parentPort.postMessage({ ready: true });
} catch (err) {
  parentPort.postMessage({ failed: serialize(err) });
  parentPort.close();
}

async function answer(message) {
  if (message.op === 'close') {
    await db.close();
    return null;
  }
  if (message.op !== 'query') throw new Error(`unknown operation ${message.op}`);
  const options = {};
  if (message.rowMode) options.rowMode = message.rowMode;
  if (message.passThrough) {
    options.parsers = {};
    for (const oid of message.passThrough) options.parsers[oid] = passThrough;
  }
  if (message.blob) options.blob = new Blob([message.blob]);
  const { rows, fields, affectedRows } = await db.query(message.text, message.params, options);
  return { rows, fields, affectedRows };
}

if (db !== undefined) {
  parentPort.on('message', async (message) => {
    try {
      const result = await answer(message);
      parentPort.postMessage({ id: message.id, result });
      if (message.op === 'close') parentPort.close();
    } catch (err) {
      parentPort.postMessage({ id: message.id, error: serialize(err) });
    }
  });
}
