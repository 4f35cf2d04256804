// Vite builds the static SPA and hosts vitest. `base: './'` makes every asset URL relative, so the
// built page works from any sub-path (for example GitHub Pages' /explorer/).
import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

/** Cross-origin isolation (SharedArrayBuffer for the CPU engine's worker threads) on the dev and preview
 * servers; static hosts get it from public/coi-sw.js instead. */
const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  base: './',
  server: { headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
  plugins: [react()],
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
