// The built-in default model: the trained tiny GPT shipped in public/models/default once training has
// produced it, else a seeded random GPT-2 labelled "untrained". Both load with no network.

import type { GPT2Config } from './config';

/** Folder (relative to the site root or the repository's public/) of the shipped default model. */
export const DEFAULT_MODEL_DIR = 'models/default';

/** The shape of the untrained fallback: small enough to start instantly, GPT-2's vocabulary. */
export const UNTRAINED_CONFIG: GPT2Config = {
  vocabSize: 50257,
  nPositions: 128,
  nEmbd: 64,
  nLayer: 2,
  nHead: 4,
  layerNormEpsilon: 1e-5,
  activation: 'gelu_new',
};
export const UNTRAINED_SEED = 1234;
