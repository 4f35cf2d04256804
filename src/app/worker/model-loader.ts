// Fetches or reads a GPT-2 model (safetensors + config.json) with progress and cancellation, keeping models
// that loaded in Cache Storage (never a failed or cut download) so the next visit needs no network.

import { parseConfig } from '../../model/config';
import { ModelFileError } from '../../model/errors';
import { blobSource } from '../../model/safetensors';
import { loadGPT2Weights, type GPT2Weights } from '../../model/weights';
import { presetForUrl } from '../data/model-presets';

const CACHE_NAME = 'attention-explorer-models-v1';

export type Progress = (fraction: number | null, what: string) => void;

/** Cache Storage, when this context has it (it needs a secure context: https or localhost). */
async function openCache(): Promise<Cache | null> {
  try {
    return typeof caches === 'undefined' ? null : await caches.open(CACHE_NAME);
  } catch {
    return null;
  }
}

/** Whether a downloaded file is in Cache Storage (the page asks, to say a preset needs no download). */
export async function isModelCached(url: string): Promise<boolean> {
  return Boolean(await (await openCache())?.match(url));
}

/** Where a model folder's two files are; a URL to the .safetensors file itself also works. */
export function modelFileUrls(url: string): { weights: string; config: string } {
  const trimmed = url.trim();
  if (/\.safetensors(\?.*)?$/.test(trimmed)) {
    return { weights: trimmed, config: trimmed.replace(/[^/]*\.safetensors(\?.*)?$/, 'config.json') };
  }
  const folder = trimmed.endsWith('/') ? trimmed : `${trimmed}/`;
  return { weights: `${folder}model.safetensors`, config: `${folder}config.json` };
}

export interface FetchOptions {
  /** Read a copy from Cache Storage when there is one (nothing is written: see rememberValidated). */
  useCache: boolean;
  /** Answer null on 404 instead of failing. */
  optional?: boolean;
  /** Checks the first bytes as soon as they arrive, so a wrong file is refused before it downloads whole. */
  checkStart?: { bytes: number; check: (start: Uint8Array) => void };
  /** The size to show progress against when the server sends no Content-Length (a preset's known size). */
  expectedBytes?: number;
}

/** Whether the browser (page or worker) says it has no network; where it cannot tell, it is taken as online. */
const seemsOffline = (): boolean => globalThis.navigator?.onLine === false;

/** Downloads `url` into a Blob, reporting progress; null on 404 when `optional`. */
export async function fetchBlob(
  url: string,
  signal: AbortSignal,
  onProgress: Progress,
  options: FetchOptions,
): Promise<Blob | null> {
  const cache = options.useCache ? await openCache() : null;
  const cached = await cache?.match(url);
  if (cached) return cached.blob();
  let response: Response;
  try {
    // A CORS request (never no-cors, whose opaque answer cannot be read), which COEP require-corp allows;
    // redirects are followed, as the Hub sends its files to a CDN on another origin.
    response = await fetch(url, { signal, mode: 'cors', redirect: 'follow' });
  } catch (error) {
    if (signal.aborted) throw error;
    // Without a network every server looks silent; saying so points at the cable, not at the Hub.
    if (seemsOffline()) {
      throw new ModelFileError(
        `Could not download ${url}: this page seems to be offline (the browser reports no network connection).`,
      );
    }
    throw new ModelFileError(
      `Could not download ${url}: the server did not answer, or it does not allow this page to read it.`,
    );
  }
  if (response.status === 404 && options.optional) return null;
  if (response.status === 404) throw new ModelFileError(`Could not download ${url}: not found (404).`);
  if (!response.ok)
    throw new ModelFileError(`Could not download ${url}: the server answered ${response.status}.`);
  // A server that answers every path with its web page (a single-page-app fallback) means "not found".
  if (/^text\/html\b/i.test(response.headers.get('content-type') ?? '')) {
    await response.body?.cancel();
    if (options.optional) return null;
    throw new ModelFileError(
      `Could not download ${url}: not found (404); the server answered with a web page instead.`,
    );
  }
  const sent = Number(response.headers.get('content-length')) || 0;
  const total = sent || options.expectedBytes || 0;
  const encoded = (response.headers.get('content-encoding') ?? 'identity') !== 'identity';
  const name = url.split('/').pop() ?? url;
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  let started = !options.checkStart;
  const reader = response.body!.getReader();
  const mb = (bytes: number) => (bytes / 1e6).toFixed(1);
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch (error) {
      if (signal.aborted) throw error;
      throw new ModelFileError(
        `Could not download ${url}: the connection broke after ${loaded}${sent ? ` of ${sent}` : ''} bytes.`,
      );
    }
    const { done, value } = chunk;
    if (done) break;
    chunks.push(value);
    loaded += value.byteLength;
    if (!started && loaded >= options.checkStart!.bytes) {
      started = true;
      try {
        options.checkStart!.check(new Uint8Array(await new Blob(chunks as BlobPart[]).arrayBuffer()));
      } catch (error) {
        await reader.cancel();
        throw error;
      }
    }
    onProgress(
      total ? Math.min(loaded / total, 1) : null,
      `Downloading ${name}: ${mb(loaded)}${total ? ` of ${mb(total)}` : ''} MB`,
    );
  }
  if (sent && !encoded && loaded < sent) {
    throw new ModelFileError(
      `Could not download ${url}: the download ended after ${loaded} of ${sent} bytes.`,
    );
  }
  return new Blob(chunks as BlobPart[]);
}

/** Keeps downloaded files in Cache Storage, once the model they make up has loaded and passed every check. */
async function rememberValidated(files: [string, Blob][]): Promise<void> {
  const cache = await openCache();
  for (const [url, blob] of files) await cache?.put(url, new Response(blob)).catch(() => undefined);
}

/** Drops cached copies that failed to load (kept by an older version, or damaged on disk). */
async function forget(urls: string[]): Promise<void> {
  const cache = await openCache();
  for (const url of urls) await cache?.delete(url).catch(() => undefined);
}

/**
 * The address of a model link: http(s) only, since anything else (javascript:, data:, file:) is not a
 * download. A relative link must be made absolute against the page before it reaches the worker, whose
 * own address is the script's, under /assets/.
 */
export function checkModelUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new ModelFileError(`"${url}" is not a model address: give a full http(s) URL of a model folder.`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ModelFileError(
      `"${url.slice(0, 80)}" is not a model address: only http and https links are loaded, not ${parsed.protocol} ones.`,
    );
  }
  return parsed.href;
}

/** Key under which uploaded files are cached, so a link with model=local:NAME restores them. */
export const localKey = (name: string, file: 'weights' | 'config'): string =>
  new URL(
    `./__local-models__/${encodeURIComponent(name)}/${file === 'weights' ? 'model.safetensors' : 'config.json'}`,
    self.location.href,
  ).href;

/** Parses the config and the weights together; any problem is one ModelFileError sentence. */
export async function weightsFromBlobs(
  weightsBlob: Blob,
  configText: string,
  label: string,
  signal: AbortSignal,
  onProgress: Progress,
): Promise<GPT2Weights> {
  const config = parseConfig(configText);
  return loadGPT2Weights(blobSource(weightsBlob), config, {
    fileLabel: label,
    signal,
    onProgress: ({ loadedBytes, totalBytes }) =>
      onProgress(totalBytes ? loadedBytes / totalBytes : null, `Reading tensors of ${label}`),
  });
}

/** Loads a model folder by URL (or from the local-files cache for local:NAME). */
export async function loadFromUrl(
  url: string,
  signal: AbortSignal,
  onProgress: Progress,
): Promise<GPT2Weights> {
  if (url.startsWith('local:')) {
    const name = url.slice('local:'.length);
    const cache = await openCache();
    const weights = await cache?.match(localKey(name, 'weights'));
    const config = await cache?.match(localKey(name, 'config'));
    if (!weights || !config) {
      // A shared local: link opened elsewhere lands here too: the files never left the browser they were opened in.
      throw new ModelFileError(
        `The model "${name}" was opened from files, and this browser has no copy of it (files stay in the browser that opened them); open its files under Model to run it here.`,
      );
    }
    return weightsFromBlobs(await weights.blob(), await config.text(), name, signal, onProgress);
  }
  const urls = modelFileUrls(checkModelUrl(url));
  try {
    const configBlob = await fetchBlob(urls.config, signal, onProgress, { useCache: true });
    const weightsBlob = await fetchBlob(urls.weights, signal, onProgress, {
      useCache: true,
      expectedBytes: presetForUrl(urls.weights)?.weightsBytes,
      // The 9th byte of a safetensors file opens its JSON header; 1 GB of zeros stops at the first chunk.
      checkStart: { bytes: 9, check: (start) => checkSafetensorsStart(start, urls.weights) },
    });
    const label = urls.weights.split('/').pop()!;
    const weights = await weightsFromBlobs(weightsBlob!, await configBlob!.text(), label, signal, onProgress);
    await rememberValidated([
      [urls.config, configBlob!],
      [urls.weights, weightsBlob!],
    ]);
    return weights;
  } catch (error) {
    await forget([urls.config, urls.weights]);
    throw error;
  }
}

function checkSafetensorsStart(start: Uint8Array, url: string): void {
  if (start[8] !== 0x7b) {
    throw new ModelFileError(
      `${url.split('/').pop()} is not a safetensors file (it does not start with a header length and a JSON header).`,
    );
  }
}

/** Loads uploaded files and keeps a copy in the cache under local:NAME. */
export async function loadFromFiles(
  weightsFile: File,
  configFile: File,
  signal: AbortSignal,
  onProgress: Progress,
): Promise<GPT2Weights> {
  const weights = await weightsFromBlobs(
    weightsFile,
    await configFile.text(),
    weightsFile.name,
    signal,
    onProgress,
  );
  const cache = await openCache();
  if (cache) {
    await cache.put(localKey(weightsFile.name, 'weights'), new Response(weightsFile)).catch(() => undefined);
    await cache.put(localKey(weightsFile.name, 'config'), new Response(configFile)).catch(() => undefined);
  }
  return weights;
}
