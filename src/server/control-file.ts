/**
 * `<dataDir>/control.json`: how operator commands find the running trader — its URL and bearer
 * token — written 0600 (only the trader's user can read it) and removed on close.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { scrubSecretText } from '../config/index.js';
import { writePrivateFile } from '../private-file.js';
import { ControlClientError } from './control-client-error.js';

/** Contents of `<dataDir>/control.json`. */
export interface ControlFile {
  url: string;
  token: string;
  pid: number;
  started_at: string;
}

export const CONTROL_FILE_NAME = 'control.json';

export function controlFilePath(dataDir: string): string {
  return join(dataDir, CONTROL_FILE_NAME);
}

export function errorMessage(err: unknown): string {
  const raw = err instanceof Error ? err.message : typeof err === 'string' ? err : 'non-error thrown';
  return scrubSecretText(raw).slice(0, 1_000);
}

/** Writes it 0600, whole (private-file.ts): the mode holds even if an old file existed. */
export function writeControlFile(dataDir: string, content: ControlFile): string {
  const file = controlFilePath(dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  writePrivateFile(file, `${JSON.stringify(content, null, 2)}\n`);
  return file;
}

/** Removes control.json unless another trader has taken the data dir over since. */
export function removeControlFileIfOurs(file: string, token: string): void {
  try {
    const current = JSON.parse(readFileSync(file, 'utf8')) as Partial<ControlFile>;
    if (current.token !== token) return;
  } catch {
    return;
  }
  rmSync(file, { force: true });
}

/** Reads `<dataDir>/control.json`, with an error saying clearly when no trader is running. */
export function readControlFile(dataDir: string): ControlFile {
  const file = controlFilePath(dataDir);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ENOENT') {
      throw new ControlClientError('CONTROL_NOT_RUNNING', `no running trader found: ${file} does not exist`);
    }
    throw new ControlClientError('CONTROL_BAD_FILE', `cannot read ${file}: ${errorMessage(err)}`, {
      cause: err,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ControlClientError('CONTROL_BAD_FILE', `${file} is not valid JSON`);
  }
  const p = parsed as Partial<ControlFile> | null;
  if (!p || typeof p.url !== 'string' || typeof p.token !== 'string') {
    throw new ControlClientError('CONTROL_BAD_FILE', `${file} lacks the string fields "url" and "token"`);
  }
  return {
    url: p.url,
    token: p.token,
    pid: typeof p.pid === 'number' ? p.pid : 0,
    started_at: typeof p.started_at === 'string' ? p.started_at : '',
  };
}
