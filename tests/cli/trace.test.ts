// `npm run trace` end to end: on GPT-2-layout models it has never seen (other widths, head counts, depths,
// dtypes and key layouts) its JSON matches an independent float64 reference within 1e-4 per tensor, and bad
// input ends with one line on stderr and a non-zero exit.

import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { float16ToFloat32, float32ToFloat16Bits, type Dtype } from '../../src/model/safetensors';
import { encode } from '../../src/tokenizer/gpt2';
import { relativeError } from '../helpers/fixtures';
import { writeModelFolder, type Layout } from '../helpers/model-files';
import { loudRandomWeights, roundWeights, testConfig } from '../helpers/random-models';
import { referenceTrace } from '../helpers/reference-gpt2';
import { referenceAttribution } from '../helpers/reference-attribution';

const ROOT = path.resolve(__dirname, '../..');
const runTrace = (args: string[]) =>
  spawnSync(process.execPath, ['scripts/run.mjs', 'src/cli/trace.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });

const roundTo: Record<Dtype, (x: number) => number> = {
  F32: (x) => x,
  F16: (x) => float16ToFloat32(float32ToFloat16Bits(x)),
  BF16: (x) => {
    const bits = new Uint32Array(new Float32Array([x]).buffer)[0];
    const rounded = ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) << 16;
    return new Float32Array(new Uint32Array([rounded]).buffer)[0];
  },
};

const unseenModels: [string, Parameters<typeof testConfig>[0], Dtype, Layout][] = [
  ['C=24, 3 heads of 8, 1 layer, F32, official keys', { nEmbd: 24, nHead: 3, nLayer: 1 }, 'F32', 'official'],
  ['C=40, 5 heads, 3 layers, BF16, prefixed keys', { nEmbd: 40, nHead: 5, nLayer: 3 }, 'BF16', 'prefixed'],
  [
    'C=16, 1 head, 2 layers, F16, official keys',
    { nEmbd: 16, nHead: 1, nLayer: 2, nPositions: 24 },
    'F16',
    'official',
  ],
  ['C=48, 8 heads of 6, 2 layers, F32, prefixed keys', { nEmbd: 48, nHead: 8, nLayer: 2 }, 'F32', 'prefixed'],
];

describe('npm run trace on unseen models', () => {
  it.each(unseenModels)('matches the float64 reference: %s', (_, overrides, dtype, layout) => {
    const config = testConfig(overrides);
    const weights = roundWeights(loudRandomWeights(config, config.nEmbd * 7 + config.nLayer), roundTo[dtype]);
    const model = writeModelFolder(weights, layout, dtype);
    // 19 tokens: cut to 16 on most of these models, whole on the one with 24 positions.
    const text = 'The cat sat on the mat because it was warm, and the dog slept on the rug.';
    const out = path.join(path.dirname(model), 'trace.json');
    const result = runTrace(['--model', model, '--text', text, '--out', out]);
    expect(result.status, result.stderr).toBe(0);
    const trace = JSON.parse(readFileSync(out, 'utf8'));

    const ids = encode(text).slice(0, config.nPositions);
    expect(trace.ids).toEqual(ids);
    expect(trace.truncated).toBe(config.nPositions < 19);
    expect(trace.ids.length).toBe(Math.min(19, config.nPositions));
    expect(trace.backend).toBe('cpu');
    expect(trace.config).toMatchObject({
      n_embd: config.nEmbd,
      n_head: config.nHead,
      n_layer: config.nLayer,
    });
    const reference = referenceTrace(weights, ids);
    for (const [name, expected] of Object.entries(reference)) {
      const tensor = trace.tensors[name];
      expect(tensor, name).toBeDefined();
      expect(tensor.data.length, name).toBe(expected.length);
      expect(relativeError(tensor.data, expected), name).toBeLessThan(1e-4);
    }
    expect(trace.tensors.logits.shape).toEqual([ids.length, config.vocabSize]);
  });

  it('reads text from a file and names the tokens readably', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'text-'));
    writeFileSync(path.join(dir, 'in.txt'), 'the fat cat');
    const result = runTrace([
      '--model',
      'tests/fixtures/tiny-gpt2.safetensors',
      '--text-file',
      path.join(dir, 'in.txt'),
    ]);
    expect(result.status, result.stderr).toBe(0);
    const trace = JSON.parse(result.stdout);
    expect(trace.tokens).toEqual(['the', '␣fat', '␣cat']);
    expect(trace.tensors['h1.attn_weights'].shape).toEqual([4, 3, 3]);
  });

  it('runs the default model when no --model is given', () => {
    const stdout = execFileSync(
      process.execPath,
      ['scripts/run.mjs', 'src/cli/trace.ts', '--text', 'hello'],
      {
        cwd: ROOT,
        encoding: 'utf8',
        maxBuffer: 1 << 28,
      },
    );
    expect(JSON.parse(stdout).ids).toEqual([31373]);
  });
});

describe('npm run trace --attribute', () => {
  it('writes head 2 of layer 3 split over the residual stream, matching a float64 reference', () => {
    const config = testConfig({ nEmbd: 24, nHead: 3, nLayer: 3 });
    const weights = loudRandomWeights(config, 77, 0.3);
    const model = writeModelFolder(weights, 'official', 'F32');
    const text = 'the cat saw the cat';
    const result = runTrace(['--model', model, '--text', text, '--attribute', '3.2']);
    expect(result.status, result.stderr).toBe(0);
    const trace = JSON.parse(result.stdout);
    const ids = encode(text);
    const T = ids.length;
    const reference = referenceAttribution(weights, ids, 2, 1);
    const N = reference.names.length;
    expect(N).toBe(2 + 2 * (3 + 2) + 1);
    expect(trace.attribution).toMatchObject({ layer: 3, head: 2, components: reference.names });
    expect(trace.attribution.shape).toEqual([N, N, T, T]);
    expect(relativeError(trace.attribution.data, Array.from(reference.terms))).toBeLessThan(1e-4);
    // The terms of each cell add up to the trace's own scaled score of that head.
    const scaled = trace.tensors['h2.scaled_scores'].data.slice(T * T, 2 * T * T);
    for (let cell = 0; cell < T * T; cell++) {
      let sum = 0;
      for (let ab = 0; ab < N * N; ab++) sum += trace.attribution.data[ab * T * T + cell];
      expect(Math.abs(sum - scaled[cell])).toBeLessThan(1e-4 * Math.max(1, Math.abs(scaled[cell])));
    }
    expect(trace.naive_attribution.components).toEqual(['token', 'position']);
    expect(trace.naive_attribution.shape).toEqual([2, 2, T, T]);
    const naive = trace.tensors['naive.scores'].data;
    for (let cell = 0; cell < T * T; cell++) {
      const sum = [0, 1, 2, 3].reduce((s, k) => s + trace.naive_attribution.data[k * T * T + cell], 0);
      expect(Math.abs(sum - naive[cell])).toBeLessThan(1e-4 * Math.max(1, Math.abs(naive[cell])));
    }
  });
});

describe('npm run trace on bad input', () => {
  it.each([
    ['a missing model file', ['--model', 'nope.safetensors', '--text', 'x'], /Cannot find the model file/],
    ['no text', ['--model', 'tests/fixtures/tiny-gpt2.safetensors'], /exactly one of --text or --text-file/],
    ['an empty text', ['--model', 'tests/fixtures/tiny-gpt2.safetensors', '--text', ''], /empty/],
    ['an unknown option', ['--modle', 'x'], /unknown option --modle/],
    ['an unknown backend', ['--text', 'x', '--backend', 'tpu'], /--backend must be cpu or webgpu/],
    [
      'a file that is not safetensors',
      [
        '--model',
        'tests/fixtures/fixtures.json',
        '--config',
        'tests/fixtures/tiny-gpt2.config.json',
        '--text',
        'x',
      ],
      /header/,
    ],
  ])('fails with one line for %s', (_, args, message) => {
    const result = runTrace(args);
    expect(result.status).not.toBe(0);
    const lines = result.stderr.trim().split('\n');
    expect(lines.length, result.stderr).toBe(1);
    expect(lines[0]).toMatch(message);
    expect(result.stderr).not.toMatch(/\bat .*\(.*:\d+:\d+\)/); // no stack trace
  });
});
