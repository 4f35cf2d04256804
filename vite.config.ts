// Vite builds the static SPA and hosts vitest. `base: './'` makes every asset URL relative, so the
// built page works from any sub-path (for example GitHub Pages' /explorer/).
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { defineConfig, type Plugin } from 'vitest/config';
import react from '@vitejs/plugin-react';

/** Every file under `dir`, relative to it, with forward slashes. */
function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? filesUnder(path.join(dir, entry.name), `${prefix}${entry.name}/`)
      : [`${prefix}${entry.name}`],
  );
}

/** Writes precache.json: the files the service worker keeps for offline use (the page, its code, the default
 * model; not the worker itself). */
function precacheList(): Plugin {
  return {
    name: 'precache-list',
    apply: 'build',
    generateBundle(_, bundle) {
      const publicFiles = filesUnder(path.resolve(__dirname, 'public')).filter(
        (f) => f !== 'service-worker.js',
      );
      const files = ['./', ...Object.keys(bundle), ...publicFiles].map((f) =>
        f === 'index.html' ? './' : f,
      );
      this.emitFile({
        type: 'asset',
        fileName: 'precache.json',
        source: JSON.stringify({ files: [...new Set(files)] }),
      });
    },
  };
}

/** Cross-origin isolation (SharedArrayBuffer for the CPU engine's worker threads) on the dev and preview
 * servers; static hosts get it from public/service-worker.js instead. */
const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  base: './',
  server: { headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
  plugins: [react(), precacheList()],
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 2000 },
  test: {
    include: ['tests/**/*.test.ts', 'tests/**/*.test.tsx'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // The machines have two cores; the browser and SwiftShader tests are heavy, so run files two at a time.
    maxWorkers: 2,
    // Builds the production site once for the end-to-end tests (skipped when only other folders are run).
    globalSetup: ['tests/e2e/global-setup.ts'],
  },
});
