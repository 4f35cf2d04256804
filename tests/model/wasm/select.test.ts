// Which CPU kernels a platform gets: WebAssembly SIMD on threads, on one thread without shared memory (a page
// that is not cross-origin isolated), the TypeScript reference without WebAssembly SIMD; each says why.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { referenceKernels } from '../../../src/model/cpu/kernels';
import { CpuEngine } from '../../../src/model/cpu/forward';
import { createCpuKernels, createSyncKernels } from '../../../src/model/wasm/select';
import { loudRandomWeights, testConfig } from '../../helpers/random-models';

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe('createCpuKernels', () => {
  it('uses WebAssembly SIMD on the threads asked for', async () => {
    const { kernels, limitation } = await createCpuKernels(2);
    expect(kernels.description).toBe('WASM SIMD · 2 threads');
    expect(limitation).toBeNull();
    kernels.dispose();
  });

  it('runs one thread without SharedArrayBuffer, and says why', async () => {
    vi.stubGlobal('SharedArrayBuffer', undefined);
    const { kernels, limitation } = await createCpuKernels(4);
    expect(kernels.description).toBe('WASM SIMD · 1 thread');
    expect(limitation).toMatch(/not cross-origin isolated/);
  });

  it('falls back to the TypeScript kernels without WebAssembly SIMD, with the same numbers', async () => {
    vi.spyOn(WebAssembly, 'validate').mockReturnValue(false);
    const { kernels, limitation } = await createCpuKernels(2);
    expect(kernels).toBe(referenceKernels);
    expect(limitation).toMatch(/no WebAssembly SIMD/);
    vi.restoreAllMocks();
    const config = testConfig({ nLayer: 2 });
    const weights = loudRandomWeights(config, 5);
    const ids = [5, 17, 300, 9000, 42];
    const plain = await new CpuEngine(weights, kernels).forward(ids, { logits: 'last' });
    const simd = await new CpuEngine(weights, createSyncKernels()).forward(ids, { logits: 'last' });
    expect(new CpuEngine(weights, kernels).description).toBe('CPU · TypeScript');
    const scale = Math.max(...Array.from(plain.logits.data, Math.abs));
    plain.logits.data.forEach((x, i) => expect(Math.abs(x - simd.logits.data[i])).toBeLessThan(1e-4 * scale));
  });
});
