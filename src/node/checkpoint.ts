// Writes a trained model the way the official GPT-2 checkpoint is laid out: bare keys, no lm_head (it is tied
// to wte), and the h.N.attn.bias causal-mask buffers, in F16; plus its Hugging Face config.json.

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { configToJson } from '../model/config';
import type { Dtype } from '../model/safetensors';
import { writeFileAtomically } from './output-file';
import type { GPT2Weights } from '../model/weights';
import { checkpointBytes } from '../train/checkpoint-bytes';

export { checkpointBytes };

/** Writes model.safetensors and config.json into `dir`; returns the model file's path. */
export function writeCheckpoint(dir: string, weights: GPT2Weights, dtype: Dtype = 'F16'): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'model.safetensors');
  // Through a temporary file and a rename each, so an interrupted run never leaves half a model.
  writeFileAtomically(file, checkpointBytes(weights, dtype));
  writeFileAtomically(
    path.join(dir, 'config.json'),
    JSON.stringify(configToJson(weights.config), null, 2) + '\n',
  );
  return file;
}
