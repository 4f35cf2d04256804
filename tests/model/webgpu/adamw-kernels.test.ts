// AdamW and the gradient norm's clip on the GPU against src/train/adamw.ts: P = 1000 parameters (no multiple
// of a workgroup or of the mask's 32 bits), the 'matrices' decay mask, two consecutive steps from nonzero
// moments, and a tied span counted 7 times in the norm, with the clip active and inactive.

import { afterAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../../src/model/random';
import {
  BACKWARD_KERNELS as K,
  GRAD_NORM_WORKGROUPS,
  adamwParams,
  gradNormGrid,
  packDecayMask,
} from '../../../src/model/webgpu/backward-kernels';
import { elementGrid } from '../../../src/model/webgpu/steps';
import { AdamW, clipGradNorm, untieGradients, type TiedSpan } from '../../../src/train/adamw';
import type { FlatParams, ParamRange } from '../../../src/train/params';
import { relativeError } from '../../helpers/fixtures';
import { BackwardHarness, type Dispatch } from './backward-harness';
import { deviceForTests } from './gpu';

const gpu = await deviceForTests();
afterAll(() => gpu?.device.destroy());

const random = seededRandom(5);
const randomArray = (n: number, spread = 1) =>
  Float32Array.from({ length: n }, () => (random() * 2 - 1) * spread);

describe('packDecayMask', () => {
  it('sets bit i % 32 of word i / 32, the last word partly used', () => {
    const mask = Uint8Array.from({ length: 40 }, (_, i) => (i === 0 || i === 31 || i === 33 ? 1 : 0));
    expect(Array.from(packDecayMask(mask))).toEqual([0x80000001 >>> 0, 2]);
  });
});

describe.skipIf(!gpu)('WGSL AdamW and gradient clipping against src/train/adamw.ts', () => {
  const harness = new BackwardHarness(gpu!.device);
  const P = 1000;

  it(`AdamW, two steps from nonzero moments, P = ${P}, weight decay on the matrices only`, async () => {
    const range = (offset: number, length: number, isMatrix: boolean): ParamRange => ({
      key: `p${offset}`,
      shape: isMatrix ? [length, 1] : [length],
      offset,
      length,
      isMatrix,
    });
    const ranges = [range(0, 300, true), range(300, 77, false), range(377, 623, true)];
    const values = randomArray(P);
    const params = { ranges, values: values.slice(), grads: randomArray(P) } as unknown as FlatParams;
    const options = { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1 };
    const adamw = new AdamW(params, { ...options, decay: 'matrices' });
    adamw.m.set(randomArray(P, 0.1));
    adamw.v.set(randomArray(P, 0.01).map(Math.abs));
    adamw.step = 4;
    const [m0, v0] = [adamw.m.slice(), adamw.v.slice()];
    const grads = params.grads.slice();
    const lrs = [3e-3, 1e-3];
    for (const lr of lrs) adamw.update(lr);
    const mask = new Uint8Array(P);
    for (const r of ranges) if (r.isMatrix) mask.fill(1, r.offset, r.offset + r.length);
    const bind = ['grads', 'mask', 'values', 'm', 'v'];
    const result = await harness.run(
      { grads, mask: packDecayMask(mask), values, m: m0, v: v0 },
      lrs.map((lr, i) => ({
        spec: K.adamw,
        params: adamwParams(P, 5 + i, lr, options),
        bind,
        grid: elementGrid(P),
      })),
      ['values', 'm', 'v'],
    );
    expect(relativeError(result.m, adamw.m), 'm').toBeLessThan(1e-6);
    expect(relativeError(result.v, adamw.v), 'v').toBeLessThan(1e-6);
    expect(relativeError(result.values, params.values), 'values').toBeLessThan(1e-6);
    // The step itself, not only the values it moved: what the update changed, compared relatively.
    const moved = (x: Float32Array) => x.map((value, i) => value - values[i]);
    expect(relativeError(moved(result.values), moved(params.values)), 'update').toBeLessThan(1e-4);
  });

  for (const [maxNorm, what] of [
    [1, 'clipped'],
    [1e6, 'not clipped'],
  ] as const) {
    it(`gradient norm with a tied span counted 7 times, untied, then ${what}, P = 40000`, async () => {
      const count = 40_000; // more than GRAD_NORM_WORKGROUPS × 256, so threads take several elements each
      const grads0 = randomArray(count, 0.05);
      const tied: TiedSpan[] = [{ offset: 1234, length: 501, count: 7 }];
      const grads = grads0.slice();
      untieGradients(grads, tied);
      const norm = clipGradNorm(grads, maxNorm, tied);
      const span = tied[0];
      const base = {
        start: 0,
        length: count,
        weight: 1,
        partialOffset: 0,
        partialCount: 0,
        maxNorm,
        divisor: 1,
      };
      const bind = ['grads', 'partials', 'result'];
      const dispatches: Dispatch[] = [
        {
          spec: K.gradDivideRange,
          params: { ...base, start: span.offset, length: span.length, divisor: span.count },
          bind,
          grid: elementGrid(span.length),
        },
        { spec: K.gradNormPartials, params: base, bind, grid: [GRAD_NORM_WORKGROUPS, 1, 1] },
        {
          spec: K.gradNormPartials,
          params: {
            ...base,
            start: span.offset,
            length: span.length,
            weight: span.count - 1,
            partialOffset: GRAD_NORM_WORKGROUPS,
          },
          bind,
          grid: gradNormGrid(span.length), // 2 workgroups: slots 2..63 of the span's stay 0
        },
        {
          spec: K.gradNormFinish,
          params: { ...base, partialCount: 2 * GRAD_NORM_WORKGROUPS },
          bind,
          grid: [1, 1, 1],
        },
        { spec: K.gradClip, params: base, bind, grid: elementGrid(count) },
      ];
      const result = await harness.run(
        { grads: grads0, partials: new Float32Array(2 * GRAD_NORM_WORKGROUPS), result: new Float32Array(2) },
        dispatches,
        ['grads', 'result'],
      );
      expect(Math.abs(result.result[0] - norm) / norm, 'norm').toBeLessThan(1e-5);
      expect(result.result[1] < 1, 'clipped').toBe(maxNorm < norm);
      expect(relativeError(result.grads, grads), 'gradient').toBeLessThan(1e-5);
    });
  }
});
