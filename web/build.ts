/**
 * Builds the dashboard (web/src → web/dist) with esbuild: one ES module bundle, its CSS, and the
 * page. Runs as the root package's `prepare` script, so `npm ci` leaves a built dashboard, and as
 * `npm run build:dashboard` after editing web/src. The browser test calls `buildDashboard()` too.
 *
 * esbuild, Preact and uPlot are devDependencies: an install without them (`npm ci --omit=dev`)
 * skips the build with a warning instead of failing, and the server then answers `/` with 503
 * "dashboard not built".
 */
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WEB_ROOT = dirname(fileURLToPath(import.meta.url));
export const DIST = join(WEB_ROOT, 'dist');

export async function buildDashboard(outdir = DIST): Promise<string> {
  const esbuild = await import('esbuild');
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  await esbuild.build({
    entryPoints: { app: join(WEB_ROOT, 'src', 'main.tsx') },
    bundle: true,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    minify: true,
    sourcemap: false,
    legalComments: 'eof',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    outdir,
    logLevel: 'warning',
  });
  copyFileSync(join(WEB_ROOT, 'src', 'index.html'), join(outdir, 'index.html'));
  return outdir;
}

const invokedDirectly = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (invokedDirectly) {
  try {
    const out = await buildDashboard();
    console.log(`dashboard built: ${out}`);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND') {
      console.warn(`dashboard not built (${(err as Error).message}); install devDependencies to build it`);
    } else {
      console.error(err);
      process.exitCode = 1;
    }
  }
}
