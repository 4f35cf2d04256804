// "Why does this head look there?" on the CPU path: one head of layer 12 of a GPT-2 124M-shaped model, 128
// tokens, 157 components. The split is timed against the forward pass that feeds it (same run, same thread).

import {
  attributionAt,
  attributionParts,
  attributionRequest,
  attributionWeightedMean,
} from '../model/attribution';
import { CpuEngine } from '../model/cpu/forward';
import { GPT2_124M, randomGPT2Weights, seededRandom } from '../model/random';
import { WasmKernels } from '../model/wasm/wasm-kernels';
import { fmt, medianMs } from './timing';

export async function runAttributionBench(): Promise<void> {
  const weights = randomGPT2Weights(GPT2_124M, 3);
  const random = seededRandom(4);
  const ids = Array.from({ length: 128 }, () => Math.floor(random() * GPT2_124M.vocabSize));
  const [layer, head] = [GPT2_124M.nLayer - 1, 0];
  const engine = new CpuEngine(weights, WasmKernels.singleThreaded());
  const request = attributionRequest(layer, head);
  const tensors = await engine.forward(ids, request);
  const attention = tensors[`h${layer}.attn_weights.head${head}`].data;
  const forwardMs = await medianMs(() => engine.forward(ids, request), 3, 0);
  const parts = attributionParts(weights, tensors, layer, head);
  const partsMs = await medianMs(() => attributionParts(weights, tensors, layer, head), 3, 0);
  const meanMs = await medianMs(() => attributionWeightedMean(parts, attention), 3, 0);
  const cellMs = await medianMs(() => attributionAt(parts, 127, 64), 5, 1);
  const N = parts.components.length;
  console.log(
    `attribution, layer 12 head 1, T=128, ${N} components: forward to layer 12 (WASM SIMD, 1 thread) ` +
      `${fmt(forwardMs, 0)} ms; split of every token ${fmt(partsMs, 0)} ms; head average ${fmt(meanMs, 0)} ms; ` +
      `one cell ${fmt(cellMs, 1)} ms. Split + average = ${fmt((partsMs + meanMs) / forwardMs)}× the forward pass.`,
  );
}
