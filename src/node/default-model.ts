// The app's built-in default model, loaded from disk for the CLI tools: public/models/default when training
// has produced it, else the seeded random "untrained" GPT-2 the app falls back to.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_MODEL_DIR, UNTRAINED_CONFIG, UNTRAINED_SEED } from '../model/default-model';
import { randomGPT2Weights } from '../model/random';
import type { GPT2Weights } from '../model/weights';
import { loadModelFile } from './files';

/** The repository root, found from this file (bundled or not) by walking up to package.json. */
export function projectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

export async function loadDefaultModel(): Promise<{ weights: GPT2Weights; label: string }> {
  const dir = path.join(projectRoot(), 'public', DEFAULT_MODEL_DIR);
  const file = path.join(dir, 'model.safetensors');
  if (existsSync(file))
    return { weights: await loadModelFile(file, path.join(dir, 'config.json')), label: 'default' };
  return {
    weights: randomGPT2Weights(UNTRAINED_CONFIG, UNTRAINED_SEED),
    label: 'untrained (random weights)',
  };
}
