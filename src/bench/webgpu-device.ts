// Entry point of the benchmark for the GPU machine: only the WebGPU section, so the bundle imports nothing
// but `webgpu` and Node's built-ins (the browser section needs playwright, which that machine lacks).
//   npx vite build --ssr src/bench/webgpu-device.ts --outDir dist-bench && ../shared/device/pack.sh dist-bench/webgpu-device.js
//   there: source .devcarry/setup.sh && node .devcarry/webgpu-device.js --full

import { runWebGpuBench } from './webgpu';

console.log('== webgpu ==');
runWebGpuBench().catch((error) => {
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
