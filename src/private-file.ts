/**
 * A file only its owner can read (0600), written whole or not at all: a temporary file beside it,
 * made 0600 (chmod too, should a stale temporary of another mode exist), then renamed over. For
 * what holds a secret in the data folder: control.json's token, the embedded simulator's key.
 */
import { chmodSync, renameSync, writeFileSync } from 'node:fs';

export function writePrivateFile(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}
