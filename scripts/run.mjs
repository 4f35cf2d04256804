// Runs a TypeScript entry point (a CLI: trace, bench, train) in Node. Vite bundles it first, so the same
// module graph as the app works here, `.wgsl?raw` imports included; only `webgpu` stays external because
// it loads a native addon. Usage: node scripts/run.mjs src/cli/trace.ts [args...]
import { build } from 'vite';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run.mjs ENTRY.ts [args...]');
  process.exit(2);
}
const name = path.basename(entry).replace(/\.ts$/, '');
const outDir = path.join(root, 'node_modules', '.cache', 'run', path.dirname(entry).replace(/[\\/]/g, '_'));
await build({
  root,
  configFile: false,
  logLevel: 'error',
  build: {
    ssr: path.resolve(root, entry),
    outDir,
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    rollupOptions: { external: ['webgpu'], output: { entryFileNames: `${name}.mjs` } },
  },
});
process.argv = [process.argv[0], path.join(outDir, `${name}.mjs`), ...args];
await import(pathToFileURL(path.join(outDir, `${name}.mjs`)).href);
