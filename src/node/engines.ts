// Engines for Node tools. The WebGPU path goes through the `webgpu` package (Dawn); in Node there is no
// silent fallback: if WebGPU cannot start, the command fails and says what is missing.

import type { Engine } from '../model/engine';
import type { GPT2Weights } from '../model/weights';

export async function createNodeEngine(_weights: GPT2Weights, backend: 'webgpu'): Promise<Engine> {
  throw new Error(`the ${backend} backend is not available yet in this build.`);
}
