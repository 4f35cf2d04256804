// Test helper: a real trace of the default model on the CPU engine, shaped as the page receives it, so view
// tests can render the steps without the worker.

import { CpuEngine } from '../../src/model/cpu/forward';
import type { GPT2Weights } from '../../src/model/weights';
import type { AppTrace } from '../../src/app/data/types';
import { toAppTrace } from '../../src/app/worker/bridge';
import { runTrace } from '../../src/app/worker/run-trace';
import { loadDefaultModel } from '../../src/node/default-model';
import { createSyncKernels } from '../../src/model/wasm/select';

let loaded: Promise<{ weights: GPT2Weights; engine: CpuEngine }> | null = null;

/** The default model, loaded once per test file. */
export function defaultModel() {
  loaded ??= loadDefaultModel().then(({ weights }) => ({
    weights,
    engine: new CpuEngine(weights, createSyncKernels()),
  }));
  return loaded;
}

/** `text` through the default model, as the bridge hands it to the views; `notices` come with it. */
export async function modelTrace(text: string, layer = 0): Promise<AppTrace & { notices: string[] }> {
  const { weights, engine } = await defaultModel();
  const result = await runTrace(engine, weights, { type: 'trace', id: 1, text, layer, allowSpecial: false });
  return { ...toAppTrace(result), notices: result.notices };
}
