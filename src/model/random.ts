// A GPT-2 with seeded random weights: the untrained fallback model, and the 124M-shaped model the
// benchmark runs. The same seed always gives the same weights, on every machine.

import type { GPT2Config } from './config';
import { assembleWeights, parameterSpecs, type GPT2Weights } from './weights';

/** mulberry32: a tiny, fast, seedable generator; good enough for weights and test data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal samples (Box–Muller). */
export function seededNormal(seed: number): () => number {
  const uniform = seededRandom(seed);
  return () => Math.sqrt(-2 * Math.log(uniform() || 1e-12)) * Math.cos(2 * Math.PI * uniform());
}

/** GPT-2's initialisation: N(0, 0.02) for matrices and embeddings, ones and zeros for layer norms,
 * zeros for biases, and the residual projections scaled down by 1/sqrt(2·L) as in the GPT-2 paper. */
export function randomGPT2Weights(config: GPT2Config, seed = 1): GPT2Weights {
  const normal = seededNormal(seed);
  const residualScale = 1 / Math.sqrt(2 * config.nLayer);
  const values = new Map<string, Float32Array>();
  for (const { key, shape } of parameterSpecs(config)) {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    if (/ln_.*\.weight$/.test(key)) data.fill(1);
    else if (key.endsWith('.weight')) {
      const std = key.endsWith('c_proj.weight') ? 0.02 * residualScale : 0.02;
      for (let i = 0; i < data.length; i++) data[i] = normal() * std;
    }
    values.set(key, data);
  }
  return assembleWeights(config, (key) => values.get(key)!);
}

/** The shape of the smallest official GPT-2 (124M parameters). */
export const GPT2_124M = {
  vocabSize: 50257,
  nPositions: 1024,
  nEmbd: 768,
  nLayer: 12,
  nHead: 12,
  layerNormEpsilon: 1e-5,
  activation: 'gelu_new',
} as const satisfies GPT2Config;
