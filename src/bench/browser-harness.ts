// Shared by the browser benchmark and the end-to-end tests: build the site once, serve the production build
// from a sub-path with a tiny static server, and launch Debian's Chromium through playwright-core.

import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { chromium, type Browser } from 'playwright-core';

export const SUB_PATH = '/explorer/';
export const CHROMIUM = '/usr/bin/chromium';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.safetensors': 'application/octet-stream',
};

/** Builds the production site into `outDir` (relative asset paths, so any sub-path works). */
export function buildSite(root: string, outDir: string): void {
  execFileSync(
    process.execPath,
    [
      path.join(root, 'node_modules/vite/bin/vite.js'),
      'build',
      '--outDir',
      outDir,
      '--emptyOutDir',
      '--logLevel',
      'warn',
    ],
    {
      cwd: root,
      stdio: 'inherit',
      // vitest sets NODE_ENV=test, which would give React's development build: test what users get.
      env: { ...process.env, NODE_ENV: 'production' },
    },
  );
}

export interface ServeOptions {
  /** Folder of the built site, served under SUB_PATH. */
  siteDir: string;
  /** Extra folders served under /extra/NAME/ (test models, corrupt files). */
  extra?: Record<string, string>;
  /** Answer 404 for the shipped default model, to test the untrained fallback. */
  hideDefaultModel?: boolean;
  /** Serve /extra/ files slowly (bytes per 100 ms), so a test can cancel a download midway. */
  throttleBytesPer100ms?: number;
  /** Send no COOP/COEP headers, as GitHub Pages does (the page's service worker then adds them). */
  noIsolationHeaders?: boolean;
  /** More headers on every answer, as some hosts send them (`vary: Origin`, `cache-control: no-cache`). */
  headers?: Record<string, string>;
}

/** Writes `body` in small pieces with pauses, like a slow network. */
function trickle(response: import('node:http').ServerResponse, body: Buffer, chunk: number): void {
  let offset = 0;
  const next = () => {
    if (response.destroyed) return;
    if (offset >= body.byteLength) {
      response.end();
      return;
    }
    response.write(body.subarray(offset, offset + chunk));
    offset += chunk;
    setTimeout(next, 100);
  };
  next();
}

/** Starts the static server on a free port; resolves to its origin and a close function. */
export async function serveSite(
  options: ServeOptions,
): Promise<{ origin: string; url: string; server: Server; close: () => Promise<void> }> {
  const server = createServer((request, response) => {
    const pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    let file: string | null = null;
    if (pathname.startsWith(SUB_PATH)) {
      const relative = pathname.slice(SUB_PATH.length) || 'index.html';
      if (!(options.hideDefaultModel && relative.startsWith('models/default/')))
        file = path.join(options.siteDir, relative);
    } else if (pathname === SUB_PATH.slice(0, -1)) {
      response.writeHead(301, { location: SUB_PATH }).end();
      return;
    } else {
      const match = /^\/extra\/([^/]+)\/(.+)$/.exec(pathname);
      if (match && options.extra?.[match[1]]) file = path.join(options.extra[match[1]], match[2]);
    }
    if (!file || file.includes('..') || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const body = readFileSync(file);
    response.writeHead(200, {
      'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'content-length': body.byteLength,
      'access-control-allow-origin': '*',
      // As a host configured for the page would: cross-origin isolation, so the CPU engine can use threads.
      ...(options.noIsolationHeaders
        ? {}
        : { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' }),
      ...options.headers,
    });
    if (options.throttleBytesPer100ms && pathname.startsWith('/extra/'))
      trickle(response, body, options.throttleBytesPer100ms);
    else response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    url: `${origin}${SUB_PATH}`,
    server,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Chromium with (WebGPU path) or without (CPU path) the unsafe-WebGPU flag, headless. */
export async function launchChromium(webgpu: boolean): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium is missing at ${CHROMIUM}: install Debian's chromium package.`);
  const args = [
    '--no-sandbox',
    '--disable-gpu-sandbox',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-quic',
  ];
  if (webgpu) args.push('--enable-unsafe-webgpu');
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args });
}

/** The project root, found by walking up from this file to package.json. */
export function projectRoot(start = path.dirname(new URL(import.meta.url).pathname)): string {
  let dir = start;
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}
