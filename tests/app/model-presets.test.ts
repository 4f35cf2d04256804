// The GPT-2 presets: their table, the Hub URLs they build, the keystroke estimate, and the loader run against a
// local stand-in for the Hub (302 to a CDN on another port, CORS headers, both key layouts, cut and dead links).

import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  formatSize,
  HUGGING_FACE,
  hubFromSearch,
  keystrokeCostText,
  keystrokeSeconds,
  MODEL_PRESETS,
  presetFolderUrl,
  presetForUrl,
} from '../../src/app/data/model-presets';
import { fetchBlob, loadFromUrl, modelFileUrls, type Progress } from '../../src/app/worker/model-loader';
import { HUB_TEST_CONFIG, startMockHub, type MockHub } from '../helpers/mock-hub';

const [GPT2, DISTIL] = MODEL_PRESETS;
const WASM_2 = 'CPU · WASM SIMD · 2 threads';

describe('the preset table', () => {
  it('names the two Hub repositories with their file sizes and shapes', () => {
    expect(MODEL_PRESETS.map((p) => [p.name, p.repo, formatSize(p.weightsBytes)])).toEqual([
      ['GPT-2 small', 'openai-community/gpt2', '548 MB'],
      ['distilgpt2', 'distilbert/distilgpt2', '353 MB'],
    ]);
    expect([GPT2.nLayer, DISTIL.nLayer]).toEqual([12, 6]);
    expect(Math.round(GPT2.parameters / 1e6)).toBe(124);
  });

  it('builds the Hub resolve URLs the loader fetches', () => {
    expect(modelFileUrls(presetFolderUrl(GPT2))).toEqual({
      weights: 'https://huggingface.co/openai-community/gpt2/resolve/main/model.safetensors',
      config: 'https://huggingface.co/openai-community/gpt2/resolve/main/config.json',
    });
    expect(modelFileUrls(presetFolderUrl(DISTIL))).toEqual({
      weights: 'https://huggingface.co/distilbert/distilgpt2/resolve/main/model.safetensors',
      config: 'https://huggingface.co/distilbert/distilgpt2/resolve/main/config.json',
    });
    expect(presetFolderUrl(GPT2, 'http://127.0.0.1:9/mirror/')).toBe(
      'http://127.0.0.1:9/mirror/openai-community/gpt2/resolve/main/',
    );
  });

  it('takes hub= from a link only when it is an http(s) address', () => {
    expect(hubFromSearch('')).toBe(HUGGING_FACE);
    expect(hubFromSearch('?hub=http%3A%2F%2F127.0.0.1%3A8080%2F')).toBe('http://127.0.0.1:8080');
    expect(hubFromSearch('?hub=https://hf-mirror.com/base/?x=1#y')).toBe('https://hf-mirror.com/base');
    for (const bad of ['javascript:alert(1)', 'data:text/plain,x', 'not a url', ''])
      expect(hubFromSearch(`?hub=${encodeURIComponent(bad)}`)).toBe(HUGGING_FACE);
  });

  it('recognises a preset by its folder or files on any hub, and nothing else', () => {
    expect(presetForUrl(presetFolderUrl(GPT2))).toBe(GPT2);
    expect(presetForUrl('http://127.0.0.1:1/distilbert/distilgpt2/resolve/main/model.safetensors')).toBe(
      DISTIL,
    );
    expect(presetForUrl('https://huggingface.co/openai-community/gpt2-large/resolve/main/')).toBeNull();
    expect(presetForUrl('https://example.com/models/tiny/')).toBeNull();
    expect(presetForUrl('local:gpt2.safetensors')).toBeNull();
  });
});

describe('the keystroke estimate', () => {
  it('scales the measured 130 ms forward by layers and width, plus the page', () => {
    expect(keystrokeSeconds(GPT2, WASM_2)).toBeCloseTo(0.15, 3);
    expect(keystrokeSeconds(DISTIL, WASM_2)).toBeCloseTo(0.085, 3);
    expect(keystrokeSeconds(GPT2, 'CPU · WASM SIMD · 1 thread')).toBeCloseTo(0.28, 3);
    expect(keystrokeSeconds(GPT2, 'CPU · TypeScript')).toBeGreaterThan(1);
  });

  it('says it is an estimate, for 16 tokens at the last layer', () => {
    expect(keystrokeCostText(WASM_2)).toBe(
      'On this CPU engine (WASM SIMD · 2 threads), a keystroke will take about 0.15 s with GPT-2 small and ' +
        '0.085 s with distilgpt2 at 16 tokens and the last layer, less on earlier layers: an estimate from a ' +
        '124M-shaped forward measured at 130 ms on 2 threads.',
    );
  });
});

describe('presets against a local Hub', () => {
  let hub: MockHub;
  let cached: Map<string, Blob>;
  beforeAll(async () => void (hub = await startMockHub()));
  afterAll(() => hub.close());
  beforeEach(() => {
    hub.setMode('ok');
    hub.log.length = 0;
    cached = new Map();
    const cache = {
      match: async (url: string) => (cached.has(url) ? new Response(cached.get(url)) : undefined),
      put: async (url: string, response: Response) => void cached.set(url, await response.blob()),
      delete: async (url: string) => cached.delete(url),
    };
    vi.stubGlobal('caches', { open: async () => cache });
  });
  afterEach(() => vi.unstubAllGlobals());

  const load = (preset = GPT2, onProgress: Progress = () => {}) =>
    loadFromUrl(presetFolderUrl(preset, hub.hub), new AbortController().signal, onProgress);

  it.each([
    [GPT2.name, 'bare h.0… keys', GPT2],
    [DISTIL.name, 'transformer.h.0… keys', DISTIL],
  ])(
    'loads %s (%s) through the redirect, with progress, and keeps it in the cache',
    async (_, __, preset) => {
      const progress: [number | null, string][] = [];
      const weights = await load(preset, (fraction, what) => void progress.push([fraction, what]));
      expect(weights.config.nLayer).toBe(HUB_TEST_CONFIG.nLayer);
      expect(weights.config.nEmbd).toBe(HUB_TEST_CONFIG.nEmbd);
      const base = `/${preset.repo}/resolve/main`;
      expect(hub.log.map((r) => `${r.server} ${r.path}`)).toEqual([
        `hub ${base}/config.json`,
        `hub ${base}/model.safetensors`,
        `cdn /cdn${base}/model.safetensors`,
      ]);
      // Content-Length from the CDN, not the table's 548 MB, drives the bar.
      const downloads = progress.filter(([, what]) => what.startsWith('Downloading model.safetensors'));
      expect(downloads.at(-1)).toEqual([
        1,
        expect.stringMatching(/^Downloading model\.safetensors: (\d\.\d) of \1 MB$/),
      ]);
      expect([...cached.keys()].sort()).toEqual(
        Object.values(modelFileUrls(presetFolderUrl(preset, hub.hub))).sort(),
      );

      hub.log.length = 0;
      await load(preset);
      expect(hub.log).toEqual([]); // the second time comes from the cache: instant and offline
    },
  );

  it('says a download cut off midway broke, and caches nothing', async () => {
    hub.setMode('cut');
    await expect(load()).rejects.toThrow(
      /^Could not download http:\/\/127\.0\.0\.1:\d+\/openai-community\/gpt2\/resolve\/main\/model\.safetensors: the (connection broke|download ended) after \d+ of \d+ bytes\.$/,
    );
    expect(cached.size).toBe(0);
  });

  it('says a hub that does not answer did not answer', async () => {
    const url = `${hub.hub.replace(/:\d+$/, ':9')}/`;
    await expect(
      loadFromUrl(presetFolderUrl(GPT2, url), new AbortController().signal, () => {}),
    ).rejects.toThrow(/config\.json: the server did not answer, or it does not allow this page to read it\./);
  });

  it('says the page seems to be offline when the browser reports no network', async () => {
    vi.stubGlobal('navigator', { onLine: false });
    vi.stubGlobal('fetch', async () => Promise.reject(new TypeError('Failed to fetch')));
    await expect(
      loadFromUrl(presetFolderUrl(GPT2, hub.hub), new AbortController().signal, () => {}),
    ).rejects.toThrow(
      /config\.json: this page seems to be offline \(the browser reports no network connection\)\.$/,
    );
  });

  it('shows progress against the table size when the server sends no Content-Length', async () => {
    vi.stubGlobal(
      'fetch',
      async () =>
        new Response(new ReadableStream({ start: (c) => (c.enqueue(new Uint8Array(1000)), c.close()) })),
    );
    const progress: (number | null)[] = [];
    const url = modelFileUrls(presetFolderUrl(GPT2)).weights;
    await fetchBlob(url, new AbortController().signal, (f) => void progress.push(f), {
      useCache: false,
      expectedBytes: presetForUrl(url)?.weightsBytes,
    });
    expect(progress).toEqual([1000 / 548_105_171]);
  });
});
