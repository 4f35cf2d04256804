// Model links that fail: each says why (404, a web page, a cut download, not a safetensors file, a non-http
// address), Cache Storage keeps only models that loaded, and the page keeps the link's intent after a fallback.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { checkModelUrl, loadFromUrl } from '../../src/app/worker/model-loader';
import { connectBridge } from '../../src/app/worker/bridge';
import type { EngineClient } from '../../src/app/worker/client';
import type { FromWorker, ToWorker } from '../../src/app/worker/protocol';
import { useAppStore } from '../../src/app/store/store';
import { ModelFileError } from '../../src/model/errors';
import { cleanFile, SMALL_CONFIG_TEXT } from '../helpers/damaged-files';

const FOLDER = 'https://models.example/tiny/';

/** A fake network: path → response maker, and a log of what was fetched. */
let routes: Record<string, () => Response>;
let fetched: string[];
/** A fake Cache Storage with one cache. */
let cached: Map<string, Blob>;

beforeEach(() => {
  routes = {};
  fetched = [];
  cached = new Map();
  vi.stubGlobal('fetch', async (url: string) => {
    fetched.push(url);
    return routes[url]?.() ?? new Response('not found', { status: 404 });
  });
  const cache = {
    match: async (url: string) => (cached.has(url) ? new Response(cached.get(url)) : undefined),
    put: async (url: string, response: Response) => void cached.set(url, await response.blob()),
    delete: async (url: string) => cached.delete(url),
  };
  vi.stubGlobal('caches', { open: async () => cache });
});
afterEach(() => vi.unstubAllGlobals());

const serveModel = (weights: Uint8Array = cleanFile()) => {
  routes[`${FOLDER}config.json`] = () =>
    new Response(SMALL_CONFIG_TEXT, { headers: { 'content-type': 'application/json' } });
  routes[`${FOLDER}model.safetensors`] = () =>
    new Response(weights as BodyInit, { headers: { 'content-length': String(weights.byteLength) } });
};
const load = (url = FOLDER) => loadFromUrl(url, new AbortController().signal, () => {});
const refusal = (url = FOLDER) =>
  load(url).then(
    () => null,
    (e: unknown) => e as Error,
  );

describe('model links', () => {
  it.each([
    ['javascript:alert(1)', /only http and https links are loaded, not javascript: ones/],
    ['data:application/octet-stream;base64,AAAA', /not data: ones/],
    ['file:///etc/passwd', /not file: ones/],
    ['models/tiny/', /is not a model address: give a full http\(s\) URL/],
  ])('refuses %s with a sentence', async (url, message) => {
    const error = await refusal(url);
    expect(error).toBeInstanceOf(ModelFileError);
    expect(error!.message).toMatch(message);
    expect(fetched).toEqual([]);
  });

  it('says "not found (404)" for a folder that does not exist, or a server that answers with its page', async () => {
    expect((await refusal())!.message).toBe(`Could not download ${FOLDER}config.json: not found (404).`);
    routes[`${FOLDER}config.json`] = () =>
      new Response('<!doctype html><title>app</title>', { headers: { 'content-type': 'text/html' } });
    expect((await refusal())!.message).toMatch(
      /config\.json: not found \(404\); the server answered with a web page/,
    );
  });

  it('refuses a download that ends early', async () => {
    serveModel();
    const full = cleanFile();
    routes[`${FOLDER}model.safetensors`] = () =>
      new Response(full.slice(0, 1000) as BodyInit, { headers: { 'content-length': String(full.length) } });
    expect((await refusal())!.message).toMatch(/ended after 1000 of \d+ bytes/);
  });

  it('stops downloading a gigabyte of zeros after the first chunk', async () => {
    serveModel();
    let pulled = 0;
    routes[`${FOLDER}model.safetensors`] = () =>
      new Response(
        new ReadableStream({
          pull(controller) {
            pulled++;
            controller.enqueue(new Uint8Array(1 << 16));
          },
        }),
        { headers: { 'content-length': String(2 ** 30) } },
      );
    expect((await refusal())!.message).toMatch(/model\.safetensors is not a safetensors file/);
    expect(pulled).toBeLessThan(4);
  });

  it('caches only a model that loaded, so a fixed server is read again', async () => {
    const damaged = cleanFile();
    const dataStart = 8 + Number(new DataView(damaged.buffer).getBigUint64(0, true));
    damaged.fill(0xff, dataStart, dataStart + 4); // wte's first F32 becomes NaN
    serveModel(damaged);
    expect((await refusal())!.message).toMatch(/holds NaN/);
    expect([...cached.keys()]).toEqual([]);
    serveModel();
    await load();
    expect([...cached.keys()].sort()).toEqual([`${FOLDER}config.json`, `${FOLDER}model.safetensors`]);
    fetched = [];
    await load();
    expect(fetched).toEqual([]); // from the cache
  });

  it('drops a cached copy that no longer loads', async () => {
    cached.set(`${FOLDER}config.json`, new Blob([SMALL_CONFIG_TEXT]));
    cached.set(`${FOLDER}model.safetensors`, new Blob(['truncated junk']));
    expect(await refusal()).toBeInstanceOf(ModelFileError);
    expect(cached.size).toBe(0);
  });

  it('says a local: model from a shared link is not in this browser, with or without Cache Storage', async () => {
    vi.stubGlobal('self', { location: { href: 'https://site.example/explorer/assets/worker.js' } });
    const message = /^The model "my\.safetensors" was opened from files, and this browser has no copy of it/;
    expect((await refusal('local:my.safetensors'))!.message).toMatch(message);
    vi.stubGlobal('caches', undefined);
    expect((await refusal('local:my.safetensors'))!.message).toMatch(message);
    expect(fetched).toEqual([]);
  });

  it('keeps a good http(s) address, trimmed', () => {
    expect(checkModelUrl(' https://x.example/a/ ')).toBe('https://x.example/a/');
  });
});

describe('a link whose model fails, on the page', () => {
  function fakeClient() {
    const posted: ToWorker[] = [];
    const listeners = new Set<(m: FromWorker) => void>();
    const client: EngineClient = {
      post: (m) => posted.push(m),
      subscribe: (l) => (listeners.add(l), () => listeners.delete(l)),
      dispose: () => {},
    };
    return { client, posted, send: (m: FromWorker) => listeners.forEach((l) => l(m)) };
  }

  it('resolves a relative link against the page, says why it fell back, and keeps model= in the link', () => {
    const { client, posted, send } = fakeClient();
    const settings = { ...useAppStore.getState().settings, model: '../models/missing/' };
    useAppStore.setState({ settings, model: null, loadError: null });
    const bridge = connectBridge(client, 'https://site.example/explorer/');
    const first = posted.find((m) => m.type === 'load') as Extract<ToWorker, { type: 'load' }>;
    expect(first.source).toEqual({ kind: 'url', url: 'https://site.example/models/missing/' });

    send({ type: 'load-error', id: first.id, message: 'Could not download …/config.json: not found (404).' });
    const fallback = posted.filter((m) => m.type === 'load').at(-1) as Extract<ToWorker, { type: 'load' }>;
    expect(fallback.source.kind).toBe('default');
    const info = { label: 'Default model (trained)' } as never;
    send({ type: 'model', id: fallback.id, info, backend: {} as never, notice: null, cacheKey: '' });

    const state = useAppStore.getState();
    expect(state.loadError).toMatch(
      /^The model in this link \(\.\.\/models\/missing\/\) did not load.*not found \(404\)/,
    );
    expect(state.settings.model).toBe('../models/missing/');
    bridge.dispose();
  });

  it('says which model runs instead of a local: model that is not in this browser', () => {
    const { client, posted, send } = fakeClient();
    const settings = { ...useAppStore.getState().settings, model: 'local:mine.safetensors' };
    useAppStore.setState({ settings, model: null, loadError: null });
    const bridge = connectBridge(client, 'https://site.example/explorer/');
    const first = posted.find((m) => m.type === 'load') as Extract<ToWorker, { type: 'load' }>;
    expect(first.source).toEqual({ kind: 'url', url: 'local:mine.safetensors' });
    send({ type: 'load-error', id: first.id, message: 'The model "mine.safetensors" … no copy of it …' });
    const fallback = posted.filter((m) => m.type === 'load').at(-1) as Extract<ToWorker, { type: 'load' }>;
    const info = { label: 'Default model (trained)' } as never;
    send({ type: 'model', id: fallback.id, info, backend: {} as never, notice: null, cacheKey: '' });
    expect(useAppStore.getState().loadError).toMatch(
      /^The model in this link \(local:mine\.safetensors\) did not load, so the built-in model \(Default model \(trained\)\) runs instead\. The model "mine\.safetensors" … no copy/,
    );
    expect(useAppStore.getState().settings.model).toBe('local:mine.safetensors');
    bridge.dispose();
  });
});
