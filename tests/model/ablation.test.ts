// Head ablation on both engines, against the independent float64 forward (tests/helpers/reference-gpt2.ts)
// on random models the engines have never seen: logits within 1e-4 of the largest, both modes; the traced
// attn_context shows the knocked-out head; layers before the ablated one are untouched; bad input is refused.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ablationProblem, parseHeadList, type Ablation } from '../../src/model/ablation';
import { cpuForward } from '../../src/model/cpu/forward';
import { InputError } from '../../src/model/errors';
import type { TensorMap } from '../../src/model/trace';
import { createSyncKernels } from '../../src/model/wasm/select';
import { WebGpuEngine } from '../../src/model/webgpu/engine';
import { requestNodeGpuDevice } from '../../src/node/engines';
import { relativeError } from '../helpers/fixtures';
import { loudRandomWeights, testConfig } from '../helpers/random-models';
import { referenceTrace } from '../helpers/reference-gpt2';
import { deviceForTests } from './webgpu/gpu';

/** Compiling every kernel on SwiftShader takes tens of seconds on a busy machine. */
const ENGINE_TIMEOUT_MS = 300_000;
const config = testConfig({ nEmbd: 40, nHead: 5, nLayer: 3, nPositions: 12, vocabSize: 97 });
const weights = loudRandomWeights(config, 2501);
const ids = [5, 91, 17, 3, 64, 64, 28, 77, 0, 42, 13];
const T = ids.length;
const hs = config.nEmbd / config.nHead;

/** Two heads of layer 2 (0-based 1) and one of layer 3: later layers see the first ablation's effect. */
const cases: Ablation[] = (['zero', 'mean'] as const).map((mode) => ({
  heads: [
    [1, 0],
    [1, 3],
    [2, 4],
  ],
  mode,
}));

type Forward = (ablate?: Ablation) => Promise<TensorMap>;

function checkAgainstReference(forward: Forward) {
  it.each(cases)(
    '$mode ablation: every position`s logits within 1e-4 of the float64 reference',
    async (ablation) => {
      const actual = await forward(ablation);
      const reference = referenceTrace(weights, ids, ablation);
      expect(relativeError(actual.logits.data, reference.logits)).toBeLessThan(1e-4);
      expect(relativeError(actual['h1.attn_context'].data, reference['h1.attn_context'])).toBeLessThan(1e-4);
      // The plain forward differs from the ablated one by far more than the tolerance: the test can fail.
      expect(relativeError(referenceTrace(weights, ids).logits, reference.logits)).toBeGreaterThan(1e-2);
    },
  );

  it('shows the knocked-out head in attn_context and leaves earlier layers alone', async () => {
    const [plain, zeroed, meaned] = [await forward(), await forward(cases[0]), await forward(cases[1])];
    // Layer 1 (0-based 0) runs before any ablated head: bit for bit the same.
    for (const name of ['h0.attn_context', 'h0.block_out', 'h1.attn_weights'])
      expect(Array.from(zeroed[name].data), name).toEqual(Array.from(plain[name].data));
    const C = config.nEmbd;
    for (let t = 0; t < T; t++) {
      for (let c = 0; c < hs; c++) {
        expect(zeroed['h1.attn_context'].data[t * C + c]).toBe(0); // head 1 of layer 2
        expect(meaned['h1.attn_context'].data[t * C + c]).toBeCloseTo(meaned['h1.attn_context'].data[c], 6);
      }
    }
    // Head 2 of layer 2 is not ablated: its columns are untouched.
    const column = (m: TensorMap, t: number) => m['h1.attn_context'].data[t * C + hs];
    for (let t = 0; t < T; t++) expect(column(zeroed, t)).toBe(column(plain, t));
    expect(relativeError(zeroed.logits.data, plain.logits.data)).toBeGreaterThan(1e-3);
    expect(relativeError(zeroed['h2.attn_weights'].data, plain['h2.attn_weights'].data)).toBeGreaterThan(
      1e-3,
    );
  });

  it.each([
    [[[3, 0]], /Head 4\.1 does not exist: this model has layers 1 to 3/],
    [[[0, 5]], /Head 1\.6 does not exist: this model has heads 1 to 5/],
    [
      [
        [0, 1],
        [0, 1],
      ],
      /Head 1\.2 is named twice/,
    ],
    [Array.from({ length: 15 }, (_, i) => [Math.floor(i / 5), i % 5]), /all 15 heads/],
  ] as [Ablation['heads'], RegExp][])('refuses %j with one sentence', async (heads, message) => {
    const attempt = forward({ heads, mode: 'zero' });
    await expect(attempt).rejects.toThrow(InputError);
    await expect(attempt).rejects.toThrow(message);
  });
}

describe('CPU engine with an ablation', () => {
  const kernels = createSyncKernels();
  afterAll(() => kernels.dispose());
  checkAgainstReference(async (ablate) => cpuForward(weights, ids, { logits: 'all', ablate }, kernels));
});

const probe = await deviceForTests();
probe?.device.destroy();

describe.skipIf(!probe)('WebGPU engine with an ablation', () => {
  let engine: WebGpuEngine;
  beforeAll(async () => {
    engine = await WebGpuEngine.create(await requestNodeGpuDevice(), weights);
  }, ENGINE_TIMEOUT_MS);
  afterAll(() => engine?.dispose());
  checkAgainstReference((ablate) => engine.forward(ids, { logits: 'all', ablate }));
});

describe('head lists as people write them', () => {
  it('reads "L.H" from 1 into 0-based pairs', () => {
    expect(parseHeadList('2.5, 1.1')).toEqual([
      [1, 4],
      [0, 0],
    ]);
  });
  it.each(['2', '2.x', '0.1.1', ''])('refuses "%s" with one sentence', (text) => {
    expect(() => parseHeadList(text)).toThrow(/is not a head: write layer\.head, counted from 1/);
  });
  it('finds no problem with a valid ablation', () => {
    expect(ablationProblem({ heads: [[2, 4]], mode: 'mean' }, config)).toBeNull();
  });
});
