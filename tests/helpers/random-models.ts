// Random GPT-2 models of unusual shapes for tests, with weights large enough that a softmax without the
// max subtraction or an unstable layer norm would show, as the PyTorch fixtures are made.

import type { GPT2Config } from '../../src/model/config';
import { seededNormal } from '../../src/model/random';
import { assembleWeights, parameterSpecs, type GPT2Weights } from '../../src/model/weights';

export function testConfig(overrides: Partial<GPT2Config>): GPT2Config {
  return {
    vocabSize: 50257,
    nPositions: 16,
    nEmbd: 24,
    nLayer: 1,
    nHead: 3,
    layerNormEpsilon: 1e-5,
    activation: 'gelu_new',
    ...overrides,
  };
}

/** Weights drawn from N(0, std) everywhere, layer-norm gains around 1, so every parameter matters. */
export function loudRandomWeights(config: GPT2Config, seed: number, std = 0.5): GPT2Weights {
  const normal = seededNormal(seed);
  const values = new Map<string, Float32Array>();
  for (const { key, shape } of parameterSpecs(config)) {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    const isGain = /ln_.*\.weight$/.test(key);
    for (let i = 0; i < data.length; i++) data[i] = isGain ? 1 + 0.3 * normal() : normal() * std;
    values.set(key, data);
  }
  return assembleWeights(config, (key) => values.get(key)!);
}

/** Rounds every parameter through a dtype, so a reference computed from the result is exact for that file. */
export function roundWeights(weights: GPT2Weights, round: (x: number) => number): GPT2Weights {
  const map = (a: Float32Array) => a.map(round);
  return {
    config: weights.config,
    wte: map(weights.wte),
    wpe: map(weights.wpe),
    lnFWeight: map(weights.lnFWeight),
    lnFBias: map(weights.lnFBias),
    layers: weights.layers.map((layer) =>
      Object.fromEntries(Object.entries(layer).map(([k, v]) => [k, map(v as Float32Array)])),
    ) as unknown as GPT2Weights['layers'],
  };
}
