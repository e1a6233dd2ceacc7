/**
 * The embedded simulator's account key, kept in the data folder (`sim-account-key.pem`, 0600)
 * so that a warm start does not make a fresh 2048-bit RSA key: 70–650 ms of CPU measured on this
 * box, on the start's critical path (it shares two cores with the database thread). The key signs
 * requests only to the simulator inside this same process, on loopback; no exchange that holds
 * money knows it. A file that is not a private key is replaced, with a warning.
 */
import { createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { generateKeyPairAsync } from '../kalshi/index.js';
import { writePrivateFile } from '../private-file.js';

export const SIM_KEY_FILE = 'sim-account-key.pem';

export async function simAccountKey(dataDir: string, logger: Pick<Logger, 'warn'>): Promise<string> {
  const file = join(dataDir, SIM_KEY_FILE);
  try {
    const pem = await readFile(file, 'utf8');
    createPrivateKey(pem);
    return pem;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      logger.warn(
        { event: 'sim_key_replaced', file, error: (err as Error).message },
        `${file} is not a usable private key; a new one replaces it`,
      );
    }
  }
  const { privateKeyPem } = await generateKeyPairAsync();
  // Written whole or not at all: a crash mid-write leaves no half key behind.
  writePrivateFile(file, privateKeyPem);
  return privateKeyPem;
}
