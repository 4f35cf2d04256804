// Vitest global setup: builds the production site once into dist-e2e for the browser tests. A run filtered to
// other folders (for example `vitest run tests/app`) skips the build; a missing Chromium fails in CI.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { buildSite, CHROMIUM } from '../../src/bench/browser-harness';

export const E2E_SITE = 'dist-e2e';

export default function setup(): void {
  const filters = process.argv
    .slice(2)
    .filter((arg) => !arg.startsWith('-') && arg !== 'run' && !arg.endsWith('vitest.mjs'));
  if (filters.length > 0 && !filters.some((f) => f.includes('e2e'))) return;
  if (!existsSync(CHROMIUM) && process.env.CI === 'true') {
    throw new Error(
      `Chromium is missing at ${CHROMIUM}; the browser tests cannot run (CI=true, so this fails).`,
    );
  }
  const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
  buildSite(root, E2E_SITE);
}
