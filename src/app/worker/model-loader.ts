// Fetches or reads a GPT-2 model (safetensors + config.json) with progress and cancellation, keeping downloaded
// and uploaded models in Cache Storage so the next visit loads them without the network.

import { parseConfig } from '../../model/config';
import { ModelFileError } from '../../model/errors';
import { blobSource } from '../../model/safetensors';
import { loadGPT2Weights, type GPT2Weights } from '../../model/weights';

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

/** Where a model folder's two files are; a URL to the .safetensors file itself also works. */
export function modelFileUrls(url: string): { weights: string; config: string } {
  const trimmed = url.trim();
  if (/\.safetensors(\?.*)?$/.test(trimmed)) {
    return { weights: trimmed, config: trimmed.replace(/[^/]*\.safetensors(\?.*)?$/, 'config.json') };
  }
  const folder = trimmed.endsWith('/') ? trimmed : `${trimmed}/`;
  return { weights: `${folder}model.safetensors`, config: `${folder}config.json` };
}

/** Downloads `url` into a Blob, reporting progress; null on 404 when `optional`. */
export async function fetchBlob(
  url: string,
  signal: AbortSignal,
  onProgress: Progress,
  options: { useCache: boolean; optional?: boolean },
): Promise<Blob | null> {
  const cache = options.useCache ? await openCache() : null;
  const cached = await cache?.match(url);
  if (cached) return cached.blob();
  let response: Response;
  try {
    response = await fetch(url, { signal });
  } catch (error) {
    if (signal.aborted) throw error;
    throw new ModelFileError(
      `Could not download ${url}: the server did not answer, or it does not allow this page to read it.`,
    );
  }
  if (response.status === 404 && options.optional) return null;
  if (!response.ok)
    throw new ModelFileError(`Could not download ${url}: the server answered ${response.status}.`);
  const total = Number(response.headers.get('content-length')) || 0;
  const name = url.split('/').pop() ?? url;
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  const reader = response.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.byteLength;
    onProgress(total ? loaded / total : null, `Downloading ${name}: ${(loaded / 1e6).toFixed(1)} MB`);
  }
  const blob = new Blob(chunks as BlobPart[]);
  if (cache) await cache.put(url, new Response(blob)).catch(() => undefined);
  return blob;
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
      throw new ModelFileError(
        `The model "${name}" is not in this browser's cache any more; load its files again.`,
      );
    }
    return weightsFromBlobs(await weights.blob(), await config.text(), name, signal, onProgress);
  }
  const urls = modelFileUrls(url);
  const configBlob = await fetchBlob(urls.config, signal, onProgress, { useCache: true });
  const weightsBlob = await fetchBlob(urls.weights, signal, onProgress, { useCache: true });
  return weightsFromBlobs(
    weightsBlob!,
    await configBlob!.text(),
    urls.weights.split('/').pop()!,
    signal,
    onProgress,
  );
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
