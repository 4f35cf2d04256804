// `--attribute`'s checks apart from the process: the L.H form, the ranges, and a text too long for the N²·T²
// numbers the JSON would hold, each refused in one sentence.

import { describe, expect, it } from 'vitest';
import { attributionFields, checkAttributeRange, parseAttribute } from '../../src/cli/attribute';
import { cpuForward } from '../../src/model/cpu/forward';
import { defaultCpuKernels } from '../../src/model/wasm/select';
import { loudRandomWeights, testConfig } from '../helpers/random-models';

describe('--attribute', () => {
  it('reads L.H and refuses other forms and ranges', () => {
    expect(parseAttribute('2.3')).toEqual({ layer: 2, head: 3 });
    expect(() => parseAttribute('2,3')).toThrow(/takes a layer and a head as L\.H/);
    const config = testConfig({ nLayer: 2, nHead: 3 });
    expect(() => checkAttributeRange({ layer: 2, head: 3 }, config)).not.toThrow();
    expect(() => checkAttributeRange({ layer: 2, head: 4 }, config)).toThrow(
      '--attribute head 4 is out of range: this model has 3 heads per layer (1 to 3)',
    );
  });

  it('refuses a text whose terms would be too many to write, saying how many tokens fit', () => {
    const weights = loudRandomWeights(testConfig({ nLayer: 2, nHead: 3 }), 5, 0.3);
    const ids = [1, 2, 3, 4, 5, 6];
    const trace = {
      config: weights.config,
      backend: 'cpu' as const,
      ids,
      tokens: [],
      truncated: false,
      tensors: cpuForward(weights, ids, {}, defaultCpuKernels()),
    };
    const N = 2 + (3 + 2) + 1;
    expect(() => attributionFields(weights, trace, { layer: 2, head: 1 }, N * N * 25)).toThrow(
      `--attribute at layer 2 splits each score into ${N}×${N} terms, too many to write for 6 tokens; give a text of at most 5 tokens`,
    );
    const fields = attributionFields(weights, trace, { layer: 2, head: 1 }, N * N * 36);
    expect(fields.attribution.shape).toEqual([N, N, 6, 6]);
  });
});
