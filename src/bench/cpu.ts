// CPU figures: the blocked matmul against the naive triple loop (GFLOP/s and their ratio), and the forward
// time of a GPT-2 124M-shaped model with random weights at T = 64.

import { matmulForward, matmulNaive } from '../model/cpu/ops';
import { cpuForward } from '../model/cpu/forward';
import { GPT2_124M, randomGPT2Weights, seededRandom } from '../model/random';
import { fmt, gflops, medianMs } from './timing';

export async function runCpuBench(): Promise<void> {
  // GPT-2's qkv projection at T = 64: (64 × 768) · (768 × 2304).
  const [T, C, OC] = [64, 768, 2304];
  const random = seededRandom(7);
  const inp = Float32Array.from({ length: T * C }, () => random() - 0.5);
  const weight = Float32Array.from({ length: C * OC }, () => random() - 0.5);
  const bias = new Float32Array(OC);
  const out = new Float32Array(T * OC);
  const flops = 2 * T * C * OC;
  const blockedMs = await medianMs(() => matmulForward(out, inp, weight, bias, T, C, OC), 7, 2);
  const naiveMs = await medianMs(() => matmulNaive(out, inp, weight, bias, T, C, OC), 3, 1);
  console.log(
    `matmul ${T}×${C}·${C}×${OC}: blocked ${fmt(gflops(flops, blockedMs))} GFLOP/s, ` +
      `naive ${fmt(gflops(flops, naiveMs))} GFLOP/s, ratio ${fmt(naiveMs / blockedMs, 1)}×`,
  );

  const weights = randomGPT2Weights(GPT2_124M, 1);
  const ids = Array.from({ length: 64 }, (_, i) => (i * 7919) % GPT2_124M.vocabSize);
  const request = { include: [], logits: 'last' as const };
  const forwardMs = await medianMs(() => cpuForward(weights, ids, request), 3, 1);
  console.log(`cpu forward, GPT-2 124M shape (random weights), T = 64: ${fmt(forwardMs, 0)} ms`);
}
