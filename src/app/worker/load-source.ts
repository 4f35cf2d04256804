// Where a model comes from, turned into weights and the model panel's description: the built-in default
// (or the seeded random model when none is shipped), a URL, or files the user picked.

import { DEFAULT_MODEL_DIR, UNTRAINED_CONFIG, UNTRAINED_SEED } from '../../model/default-model';
import { randomGPT2Weights } from '../../model/random';
import { parameterCount, type GPT2Weights } from '../../model/weights';
import { presetForUrl } from '../data/model-presets';
import { fetchBlob, loadFromFiles, loadFromUrl, weightsFromBlobs } from './model-loader';
import type { ModelInfo, ModelSource } from './protocol';

/** A model the host can run: its weights, and what the model panel says about it. */
export interface LoadedModel {
  weights: GPT2Weights;
  info: ModelInfo;
}

/** A source, read: the model, a notice for the page (or null), and the key the page caches the choice under. */
export interface LoadedSource {
  loaded: LoadedModel;
  notice: string | null;
  cacheKey: string;
}

export type LoadProgress = (fraction: number | null, what: string) => void;

function describeModel(weights: GPT2Weights, label: string, source: string, untrained: boolean): LoadedModel {
  const { vocabSize, nPositions, nEmbd, nLayer, nHead } = weights.config;
  return {
    weights,
    info: {
      label,
      source,
      untrained,
      parameters: parameterCount(weights.config),
      config: { vocabSize, nPositions, nEmbd, nLayer, nHead },
    },
  };
}

/** The built-in model: models/default/ next to the page, else the seeded random one, labelled untrained. */
async function loadDefault(baseUrl: string, signal: AbortSignal, progress: LoadProgress) {
  const folder = new URL(`${DEFAULT_MODEL_DIR}/`, baseUrl).href;
  const configBlob = await fetchBlob(`${folder}config.json`, signal, progress, {
    useCache: false,
    optional: true,
  }).catch(() => null);
  const weightsBlob = configBlob
    ? await fetchBlob(`${folder}model.safetensors`, signal, progress, { useCache: false, optional: true })
    : null;
  if (configBlob && weightsBlob) {
    const weights = await weightsFromBlobs(
      weightsBlob,
      await configBlob.text(),
      'the default model',
      signal,
      progress,
    );
    return {
      loaded: describeModel(weights, 'Default model (trained on English)', 'built in', false),
      notice: null,
    };
  }
  const weights = randomGPT2Weights(UNTRAINED_CONFIG, UNTRAINED_SEED);
  return {
    loaded: describeModel(weights, 'Untrained GPT-2 (random weights)', 'built in, seed 1234', true),
    notice:
      'No trained default model is shipped with this page yet, so a GPT-2 with random weights runs instead. ' +
      'Its numbers are real, but its attention patterns mean nothing.',
  };
}

/** Reads `source`; errors are thrown as they come (the host turns them into one sentence). */
export async function loadSource(
  source: ModelSource,
  signal: AbortSignal,
  progress: LoadProgress,
): Promise<LoadedSource> {
  if (source.kind === 'default')
    return { ...(await loadDefault(source.baseUrl, signal, progress)), cacheKey: '' };
  if (source.kind === 'url') {
    const weights = await loadFromUrl(source.url, signal, progress);
    const label = presetForUrl(source.url)?.name ?? source.url.replace(/^local:/, '');
    return { loaded: describeModel(weights, label, source.url, false), notice: null, cacheKey: source.url };
  }
  const weights = await loadFromFiles(source.weights, source.config, signal, progress);
  const label = source.weights.name;
  return {
    loaded: describeModel(weights, label, `${label} + ${source.config.name}`, false),
    notice: null,
    cacheKey: `local:${label}`,
  };
}
