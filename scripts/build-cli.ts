/**
 * Compiles the command for a fast start: esbuild bundles src/cli/main.ts and src/runtime/index.ts
 * (the runtime is loaded by `start` through a variable import) into ES modules under dist/, with
 * the shared code in dist/chunks/. Every output file sits two folders below the project root, as
 * its sources do under src/, so paths taken from `import.meta.url` (migrations/, web/dist/,
 * config/cities.json) resolve the same. node_modules stay external.
 *
 * Runs in the `prepare` script (so `npm ci` leaves a compiled command) and as `npm run build`.
 * bin/traderv3.js runs dist/ when it is newer than every source file and the TypeScript sources
 * through tsx otherwise (no build, or a source edited since), so an edit never runs stale code.
 * Without esbuild (`npm ci --omit=dev`) the build is skipped with a warning.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const CLI_DIST = join(ROOT, 'dist');

export async function buildCli(outdir = CLI_DIST): Promise<string> {
  const esbuild = await import('esbuild');
  rmSync(outdir, { recursive: true, force: true });
  await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: { 'cli/main': 'src/cli/main.ts', 'runtime/index': 'src/runtime/index.ts' },
    bundle: true,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    outdir,
    logLevel: 'warning',
  });
  // Marks a complete build: bin/ compares its time with the sources'.
  writeFileSync(join(outdir, 'BUILT'), `${new Date().toISOString()}\n`);
  return outdir;
}

const invokedDirectly = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (invokedDirectly) {
  try {
    const out = await buildCli();
    console.log(`traderv3: compiled the command into ${out}`);
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') {
      console.warn(
        'traderv3: esbuild is not installed; the command will run its TypeScript sources through tsx',
      );
    } else throw err;
  }
}
