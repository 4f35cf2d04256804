// Chooses the engine: WebGPU when it works, else the CPU, with the reason kept so the UI can say why.
// The WebGPU backend is added by its own module; until it can start, every caller gets the CPU engine.

import { CpuEngine } from './cpu/forward';
import type { Engine } from './engine';
import type { GPT2Weights } from './weights';

export type BackendPreference = 'auto' | 'webgpu' | 'cpu';

export interface EngineChoice {
  engine: Engine;
  /** Why the CPU is used when WebGPU was wanted; null when the preferred backend runs. */
  fallbackReason: string | null;
}

/** Creates the engine for `weights`, preferring WebGPU unless told otherwise. */
export async function createEngine(weights: GPT2Weights, preference: BackendPreference = 'auto'): Promise<EngineChoice> {
  const engine = new CpuEngine(weights);
  if (preference === 'cpu') return { engine, fallbackReason: null };
  return { engine, fallbackReason: 'The WebGPU backend is not built yet.' };
}
