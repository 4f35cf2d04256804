// WebGPU for the tests, through Node's `webgpu` package (SwiftShader on machines without a GPU). Locally a
// missing adapter skips the GPU tests with a note; with CI=true it fails them, because a GPU test that
// quietly skips in CI would pass without checking anything.

import type { GpuDevice } from '../../../src/model/webgpu/device';
import { requestNodeGpuDevice } from '../../../src/node/engines';

/** Resolves to a device, or to null (locally, no adapter): use with `describe.skipIf(!device)`. */
export async function deviceForTests(): Promise<GpuDevice | null> {
  try {
    return await requestNodeGpuDevice();
  } catch (error) {
    if (process.env.CI === 'true') throw error;
    console.warn(`WebGPU tests skipped: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  }
}
