// Entry point of the benchmark for the GPU machine: the WebGPU section (matmul, forward passes) and the
// training step, so the bundle imports nothing but `webgpu` and Node's built-ins (the browser section needs
// playwright, which that machine lacks). Bundle everything else into it and pack it (see scripts/device-run.sh):
//   npx vite build --config scripts/vite-bench.config.mjs --ssr src/bench/webgpu-device.ts
//   ../shared/device/pack.sh dist-bench/webgpu-device.js
//   there: bash scripts/device-run.sh (carry .devcarry and scripts/device-run.sh)

import { runWebGpuBench } from './webgpu';
import { runTrainBench } from './webgpu-train';

try {
  console.log('== webgpu ==');
  await runWebGpuBench();
  console.log('== train ==');
  await runTrainBench();
} catch (error) {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
