// The one-click models of the model panel: GPT-2 small and distilgpt2 from the Hugging Face Hub, their sizes
// (said before anything downloads), where their files are, and what a keystroke will cost on the CPU engine.

import type { ModelShape } from '../../model/config';

export interface ModelPreset extends Pick<ModelShape, 'nLayer' | 'nHead' | 'nEmbd'> {
  id: 'gpt2' | 'distilgpt2';
  /** What the panel and the model badge call it. */
  name: string;
  /** The Hub repository; its files are at HUB/REPO/resolve/main/. */
  repo: string;
  /** model.safetensors on the Hub's main branch, in bytes (the progress uses Content-Length when sent). */
  weightsBytes: number;
  configBytes: number;
  parameters: number;
}

export const HUGGING_FACE = 'https://huggingface.co';

/** The files' sizes as the Hub lists them (openai-community/gpt2 and distilbert/distilgpt2, main). */
export const MODEL_PRESETS: readonly ModelPreset[] = [
  {
    id: 'gpt2',
    name: 'GPT-2 small',
    repo: 'openai-community/gpt2',
    weightsBytes: 548_105_171,
    configBytes: 665,
    parameters: 124_439_808,
    nLayer: 12,
    nHead: 12,
    nEmbd: 768,
  },
  {
    id: 'distilgpt2',
    name: 'distilgpt2',
    repo: 'distilbert/distilgpt2',
    weightsBytes: 352_824_413,
    configBytes: 762,
    parameters: 81_912_576,
    nLayer: 6,
    nHead: 12,
    nEmbd: 768,
  },
];

/**
 * The Hub the presets download from: huggingface.co, or the `hub=` of the page's link (an http(s) address, as
 * huggingface_hub's HF_ENDPOINT, for a mirror or a local server that serves the same paths; the tests use it).
 */
export function hubFromSearch(search: string): string {
  const raw = new URLSearchParams(search).get('hub');
  if (!raw) return HUGGING_FACE;
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return HUGGING_FACE;
    return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
  } catch {
    return HUGGING_FACE;
  }
}

/** The preset's model folder, as the loader takes it (it adds model.safetensors and config.json). */
export const presetFolderUrl = (preset: ModelPreset, hub: string = HUGGING_FACE): string =>
  `${hub.replace(/\/+$/, '')}/${preset.repo}/resolve/main/`;

/** The preset a folder or file URL belongs to, whatever the hub; null for any other model. */
export function presetForUrl(url: string): ModelPreset | null {
  let pathname: string;
  try {
    pathname = new URL(url).pathname;
  } catch {
    return null;
  }
  return (
    MODEL_PRESETS.find((preset) =>
      new RegExp(`/${preset.repo}/resolve/main/(model\\.safetensors|config\\.json)?$`).test(pathname),
    ) ?? null
  );
}

/** 548105171 → "548 MB" (decimal megabytes, as the Hub writes them). */
export const formatSize = (bytes: number): string =>
  bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${Math.round(bytes / 1e6)} MB`;

/**
 * What the estimate stands on: a GPT-2 124M-shaped forward at 16 tokens took about 130 ms on the WebAssembly
 * SIMD kernels with 2 threads on the 2-core development machine (npm run bench -- cpu, browser).
 */
const MEASURED = { ms: 130, threads: 2, tokens: 16, nLayer: 12, nEmbd: 768 };
/** Tokenizing, sending the trace to the page and drawing it: the rest of a keystroke on the browser bench. */
const PAGE_MS = 20;
/** One thread does the work of two; the TypeScript kernels (no WebAssembly SIMD) ran a step 7× slower. */
const ONE_THREAD_FACTOR = 2;
const TYPESCRIPT_FACTOR = 7;

/** Seconds a keystroke takes at the last layer with 16 tokens on the CPU engine `description` describes. */
export function keystrokeSeconds(preset: Pick<ModelPreset, 'nLayer' | 'nEmbd'>, description: string): number {
  // Every block's products scale with layers × width²; attention over 16 tokens is small beside them.
  const scale = (preset.nLayer * preset.nEmbd ** 2) / (MEASURED.nLayer * MEASURED.nEmbd ** 2);
  const threads = Number(/(\d+) threads?/.exec(description)?.[1] ?? 1);
  const kernels = /WASM/i.test(description)
    ? threads >= MEASURED.threads
      ? 1
      : ONE_THREAD_FACTOR
    : TYPESCRIPT_FACTOR * ONE_THREAD_FACTOR;
  return (MEASURED.ms * scale * kernels + PAGE_MS) / 1000;
}

/** "about 0.15 s": two significant digits are all an estimate deserves. */
export const formatSeconds = (seconds: number): string =>
  seconds >= 1 ? `${seconds.toFixed(1)} s` : `${Number(seconds.toPrecision(2))} s`;

/** The sentence the panel shows on the CPU engine, one estimate per preset. */
export function keystrokeCostText(description: string): string {
  const [first, ...rest] = MODEL_PRESETS.map(
    (preset) => `${formatSeconds(keystrokeSeconds(preset, description))} with ${preset.name}`,
  );
  return (
    `On this CPU engine (${description.replace(/^CPU · /, '')}), a keystroke will take about ${first}` +
    `${rest.map((part) => ` and ${part}`).join('')} at ${MEASURED.tokens} tokens and the last layer, less on ` +
    `earlier layers: an estimate from a 124M-shaped forward measured at ${MEASURED.ms} ms on ` +
    `${MEASURED.threads} threads.`
  );
}
