// The fixed-batch mode on GPT-2 files it has never seen, of other sizes, dtypes and key layouts: against an
// independent float64 AdamW reference (finite-difference gradients), and through the command's own code path.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configToJson, type GPT2Config } from '../../src/model/config';
import { cpuForward } from '../../src/model/cpu/forward';
import { randomGPT2Weights, seededRandom } from '../../src/model/random';
import { writeSafetensors, type Dtype } from '../../src/model/safetensors';
import { parameterSpecs, type GPT2Weights } from '../../src/model/weights';
import { loadModelFile } from '../../src/node/files';
import { encode } from '../../src/tokenizer/gpt2';
import { trainFixedBatch } from '../../src/train/fixed-batch';
import { runFixedBatch } from '../../src/cli/fixed-batch-command';
import { keyedWeights } from '../../src/train/params';
import { fixturesJson } from '../helpers/fixtures';
import { referenceAdamW } from './reference64';
import { cpuBackend } from '../helpers/tiny-training';
import { defaultCpuKernels } from '../../src/model/wasm/select';

/** Writes a model as save_pretrained would: `transformer.` keys, a tied lm_head, no mask buffers. */
function writePrefixedModel(weights: GPT2Weights, dtype: Dtype): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'unseen-gpt2-'));
  const values = keyedWeights(weights);
  const tensors = parameterSpecs(weights.config).map(({ key, shape }) => ({
    name: `transformer.${key}`,
    shape,
    data: values.get(key)!,
    dtype,
  }));
  tensors.push({
    name: 'lm_head.weight',
    shape: [weights.config.vocabSize, weights.config.nEmbd],
    data: weights.wte,
    dtype,
  });
  writeFileSync(path.join(dir, 'model.safetensors'), writeSafetensors(tensors));
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(configToJson(weights.config)));
  return path.join(dir, 'model.safetensors');
}

/** Seeded random weights, scaled up so that the model is far from uniform and its loss moves. */
function sharpWeights(config: GPT2Config, seed: number, gain: number): GPT2Weights {
  const weights = randomGPT2Weights(config, seed);
  for (const [key, data] of keyedWeights(weights)) {
    if (key.endsWith('.weight') && !/ln_/.test(key)) for (let i = 0; i < data.length; i++) data[i] *= gain;
  }
  return weights;
}

const base = { layerNormEpsilon: 1e-5, activation: 'gelu_new' } as const;

describe('fixed-batch training on unseen GPT-2 files', () => {
  it('follows a float64 AdamW reference on a small F16 model with prefixed keys', async () => {
    const config: GPT2Config = { ...base, vocabSize: 16, nPositions: 4, nEmbd: 4, nLayer: 2, nHead: 2 };
    const weights = await loadModelFile(writePrefixedModel(sharpWeights(config, 21, 20), 'F16'));
    const random = seededRandom(5);
    const tokens = Array.from({ length: 2 * 4 + 1 }, () => Math.floor(random() * config.vocabSize));
    const options = { B: 2, T: 4, steps: 10, lr: 1e-2, weightDecay: 0.1 };
    const params64 = new Map([...keyedWeights(weights)].map(([k, v]) => [k, Float64Array.from(v)]));
    const expected = referenceAdamW(params64, config, tokens, options);
    const { losses } = await trainFixedBatch(weights, tokens, options, () => {}, cpuBackend());
    expect(expected[9]).toBeLessThan(expected[0] * 0.9); // the check means something only if the loss moves
    losses.forEach((loss, i) =>
      expect(Math.abs(loss - expected[i]) / expected[i], `step ${i}`).toBeLessThan(5e-4),
    );
  });

  it('runs the command path on a full-vocabulary BF16 model, starting from the CPU forward loss', async () => {
    const config: GPT2Config = { ...base, vocabSize: 50257, nPositions: 16, nEmbd: 24, nLayer: 1, nHead: 3 };
    const modelFile = writePrefixedModel(sharpWeights(config, 8, 10), 'BF16');
    const textFile = path.join(path.dirname(modelFile), 'text.txt');
    writeFileSync(textFile, fixturesJson.train.text);
    const lines: string[] = [];
    const args = {
      model: modelFile,
      'text-file': textFile,
      batch: 2,
      seq: 8,
      steps: 6,
      lr: 1e-2,
      'log-json': true,
    };
    await runFixedBatch({ ...args, 'weight-decay': 0.1 }, (line) => lines.push(line));
    const records = lines.map((line) => JSON.parse(line));
    expect(records.map((r) => r.step)).toEqual([0, 1, 2, 3, 4, 5]);

    const weights = await loadModelFile(modelFile);
    const tokens = encode(fixturesJson.train.text);
    let crossEntropy = 0;
    for (let b = 0; b < 2; b++) {
      const logits = cpuForward(
        weights,
        tokens.slice(b * 8, b * 8 + 8),
        { include: [], logits: 'all' },
        defaultCpuKernels(),
      ).logits.data;
      for (let t = 0; t < 8; t++) {
        const row = logits.subarray(t * config.vocabSize, (t + 1) * config.vocabSize);
        const max = row.reduce((a, x) => Math.max(a, x), -Infinity);
        const logSum = Math.log(row.reduce((a, x) => a + Math.exp(x - max), 0)) + max;
        crossEntropy += (logSum - row[tokens[b * 8 + t + 1]]) / 16;
      }
    }
    expect(Math.abs(records[0].loss - crossEntropy) / crossEntropy).toBeLessThan(1e-5);
    for (let i = 1; i < records.length; i++) expect(records[i].loss).toBeLessThan(records[i - 1].loss);
  });
});
