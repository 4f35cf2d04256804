// A whole training step on the GPU (src/model/webgpu/training/) against GPT2Training on the CPU reference
// kernels: a 2-layer model with C = 12, 3 heads, V = 37, a (2, 5) batch and a logit bias. The loss, every
// parameter's gradient, and the losses of three clipped AdamW steps (with a tied row of wte) must agree.

import { afterAll, describe, expect, it } from 'vitest';
import type { GPT2Config } from '../../../src/model/config';
import { referenceKernels } from '../../../src/model/cpu/kernels';
import { randomGPT2Weights, seededRandom } from '../../../src/model/random';
import type { GPT2Weights, LayerWeights } from '../../../src/model/weights';
import { GpuTraining, type GpuAdamWOptions } from '../../../src/model/webgpu/training/gpu-training';
import { AdamW, clipGradNorm, untieGradients } from '../../../src/train/adamw';
import { GPT2Training } from '../../../src/train/gpt2-train';
import { relativeError } from '../../helpers/fixtures';
import { deviceForTests } from './gpu';

const gpu = await deviceForTests();
afterAll(() => gpu?.device.destroy());

const config: GPT2Config = {
  vocabSize: 37,
  nPositions: 8,
  nEmbd: 12,
  nLayer: 2,
  nHead: 3,
  layerNormEpsilon: 1e-5,
  activation: 'gelu_new',
};
const [B, T] = [2, 5];

/** GPT-2's initialisation, then every tensor moved by seeded noise, so no bias is zero and no norm weight one. */
function awkwardWeights(): GPT2Weights {
  const weights = randomGPT2Weights(config, 3);
  const random = seededRandom(9);
  const shake = (x: Float32Array) => x.forEach((value, i) => (x[i] = value + (random() * 2 - 1) * 0.1));
  [weights.wte, weights.wpe, weights.lnFWeight, weights.lnFBias].forEach(shake);
  for (const layer of weights.layers) Object.values(layer).forEach(shake);
  return weights;
}

/** GPT2Training's gradients under the GPU side's keys. */
function cpuGradients(training: GPT2Training): Map<string, Float32Array> {
  const g = training.params.gradWeights;
  const result = new Map<string, Float32Array>([
    ['wte', g.wte],
    ['wpe', g.wpe],
    ['lnFWeight', g.lnFWeight],
    ['lnFBias', g.lnFBias],
  ]);
  g.layers.forEach((layer, l) => {
    for (const [field, data] of Object.entries(layer))
      result.set(`h${l}.${field as keyof LayerWeights}`, data);
  });
  return result;
}

describe.skipIf(!gpu)('a GPT-2 training step on the GPU against GPT2Training', () => {
  it('loss, every gradient, and three clipped AdamW steps, B = 2, T = 5, 2 layers, C = 12, V = 37', async () => {
    const weights = awkwardWeights();
    const random = seededRandom(4);
    const logitBias = Float32Array.from({ length: config.vocabSize }, () => random() - 0.5);
    const ids = () => Int32Array.from({ length: B * T }, () => Math.floor(random() * config.vocabSize));
    const [inputs, targets] = [ids(), ids()];
    inputs[7] = inputs[2]; // a repeated token: its embedding row gathers two gradients

    const cpu = new GPT2Training(weights, B, T, logitBias, referenceKernels);
    cpu.inputs.set(inputs);
    cpu.targets.set(targets);
    const gpuTraining = new GpuTraining(gpu!.device, weights, B, T, logitBias);
    try {
      const cpuLoss = cpu.forward();
      const gpuLoss = await gpuTraining.forward(inputs, targets);
      expect(Math.abs(gpuLoss - cpuLoss) / cpuLoss, 'loss').toBeLessThan(1e-5);
      cpu.backward();
      await gpuTraining.backward();
      const expected = cpuGradients(cpu);
      const actual = await gpuTraining.read('grad');
      expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
      for (const [key, grad] of expected) {
        expect(relativeError(actual.get(key)!, grad), `gradient of ${key}`).toBeLessThan(1e-4);
      }

      const options: GpuAdamWOptions = {
        beta1: 0.9,
        beta2: 0.95,
        eps: 1e-8,
        weightDecay: 0.1,
        decay: 'matrices',
      };
      const adamw = new AdamW(cpu.params, options);
      const [lr, maxNorm] = [1e-2, 0.5];
      // vocab.ts ties one shared row; a span of 27 rows, each standing for 3, weighs more in the norm.
      const C = config.nEmbd;
      const tied = [{ offset: 10 * C, length: 27 * C, count: 3 }];
      for (let step = 0; step < 3; step++) {
        untieGradients(cpu.params.grads, tied);
        const cpuNorm = clipGradNorm(cpu.params.grads, maxNorm, tied);
        adamw.update(lr);
        const gpuNorm = await gpuTraining.update(lr, options, maxNorm, tied);
        expect(Math.abs(gpuNorm! - cpuNorm) / cpuNorm, `norm before step ${step}`).toBeLessThan(1e-5);
        const [cpuStepLoss, gpuStepLoss] = [cpu.forward(), await gpuTraining.forward(inputs, targets)];
        expect(Math.abs(gpuStepLoss - cpuStepLoss) / cpuStepLoss, `loss after step ${step}`).toBeLessThan(
          1e-5,
        );
        cpu.backward();
        await gpuTraining.backward();
      }
      const values = await gpuTraining.read('value');
      expect(
        relativeError(values.get('h1.fcWeight')!, cpu.weights.layers[1].fcWeight),
        'trained weights',
      ).toBeLessThan(1e-4);
    } finally {
      gpuTraining.dispose();
    }
  }, 180_000);

  it('a batch too large for one storage binding is refused before anything is allocated, with the sizes', () => {
    const B = 1 << 22; // 4M sequences: 2 GiB of attention weights for one layer
    expect(() => new GpuTraining(gpu!.device, awkwardWeights(), B, 8)).toThrow(
      /B = 4194304, T = 8 needs \d+ MiB for the (logits|attention weights).*binds at most \d+ MiB/,
    );
  });
});
