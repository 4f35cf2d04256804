// Builds a CLI entry once per test file into its own folder (as scripts/run.mjs does, but not shared with
// other test files running at the same time), so each run of the tool costs a Node start, not a build.

import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { build } from 'vite';

const ROOT = path.resolve(__dirname, '../..');

export type CliRun = (args: string[], options?: { timeout?: number }) => SpawnSyncReturns<string>;

/** Bundles `entry` (relative to the repository); `run` runs it with arguments, `remove` deletes the bundle. */
export async function bundleCli(entry: string): Promise<{ run: CliRun; remove: () => void; bundle: string }> {
  // Inside the repository, so the bundle finds package.json and the default model by walking up.
  // A fresh clone has no node_modules/.cache until some tool makes it.
  const cache = path.join(ROOT, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const outDir = mkdtempSync(path.join(cache, 'cli-test-'));
  await build({
    root: ROOT,
    configFile: false,
    logLevel: 'error',
    build: {
      ssr: path.resolve(ROOT, entry),
      outDir,
      emptyOutDir: true,
      target: 'node20',
      minify: false,
      rollupOptions: { external: ['webgpu'], output: { entryFileNames: 'cli.mjs' } },
    },
  });
  const bundle = path.join(outDir, 'cli.mjs');
  const run: CliRun = (args, options = {}) =>
    spawnSync(process.execPath, [bundle, ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      maxBuffer: 1 << 28,
      timeout: options.timeout ?? 60_000,
    });
  return { run, remove: () => rmSync(outDir, { recursive: true, force: true }), bundle };
}
