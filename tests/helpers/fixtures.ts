// Loads the PyTorch reference fixtures copied into tests/fixtures, and compares tensors the way the fixtures
// README asks: max |difference| over max |value|, so the tolerance scales with the magnitude of the values.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { bytesSource, readHeader, readTensor } from '../../src/model/safetensors';
import type { Tensor } from '../../src/model/trace';
import { loadModelFile } from '../../src/node/files';

export const FIXTURES = path.resolve(__dirname, '../fixtures');
export const TINY_MODEL = path.join(FIXTURES, 'tiny-gpt2.safetensors');
export const TINY_CONFIG = path.join(FIXTURES, 'tiny-gpt2.config.json');

export const fixturesJson = JSON.parse(readFileSync(path.join(FIXTURES, 'fixtures.json'), 'utf8'));
export const tinySentences: {
  text: string;
  ids: number[];
  next_top5_ids: number[];
  next_top5_probs: number[];
}[] = fixturesJson.models[0].sentences;

export const loadTinyModel = () => loadModelFile(TINY_MODEL, TINY_CONFIG);

/** All tensors of a safetensors file, by name. */
export async function readAllTensors(file: string): Promise<Map<string, Tensor>> {
  const source = bytesSource(new Uint8Array(readFileSync(file)));
  const header = await readHeader(source);
  const out = new Map<string, Tensor>();
  for (const [name, entry] of header.tensors)
    out.set(name, { shape: entry.shape, data: await readTensor(source, entry) });
  return out;
}

/** max |a - b| / max |b|, the relative error the tolerances are stated in. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Infinity;
  let maxDiff = 0;
  let maxRef = 0;
  for (let i = 0; i < expected.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected[i]));
    maxRef = Math.max(maxRef, Math.abs(expected[i]));
  }
  return maxRef === 0 ? maxDiff : maxDiff / maxRef;
}

/** Tolerance by tensor name, from the fixtures README: 1e-5 for embeddings and attention, 1e-4 for the rest. */
export function toleranceFor(name: string): number {
  return /(emb|naive|attn_weights|scores|\.q$|\.k$|\.v$|ln_1)/.test(name) ? 1e-5 : 1e-4;
}
