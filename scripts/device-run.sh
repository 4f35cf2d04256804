#!/usr/bin/env bash
# The one prepared run on the GPU machine (an NVIDIA H200 without Node.js): finds a Vulkan ICD that gives Dawn
# an NVIDIA adapter, then runs the WebGPU and training benches with --full, output under $OUT.
# The machine's own nvidia_icd.json names libGLX_nvidia.so.0, whose vkCreateInstance is missing without an X
# display (2026-11-29: "Found no drivers"); an ICD file naming libEGL_nvidia.so.0 works.
# Build and pack first (here): npx vite build --config scripts/vite-bench.config.mjs --ssr src/bench/webgpu-device.ts
#   && ../shared/device/pack.sh dist-bench/webgpu-device.js; then run `bash scripts/device-run.sh` there with
#   carry [".devcarry"].
OUT=${OUT:-/tmp/device-out}; mkdir -p "$OUT"
source .devcarry/setup.sh >/dev/null
mkdir -p /tmp/icd
for lib in libEGL_nvidia.so.0 /usr/local/nvidia/lib64/libEGL_nvidia.so.0 /usr/local/nvidia/lib64/libGLX_nvidia.so.0; do
  printf '{"file_format_version":"1.0.1","ICD":{"library_path":"%s","api_version":"1.3.0"}}\n' "$lib" > /tmp/icd/$(echo $lib | tr / _).json
done
found=""
for icd in /tmp/icd/*.json /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json; do
  export VK_ICD_FILENAMES=$icd
  r=$(timeout 30 node -e "const {create,globals}=require('./.devcarry/node_modules/webgpu');Object.assign(globalThis,globals);create([]).requestAdapter().then(a=>{console.log(a?'ADAPTER '+a.info.vendor+' '+a.info.device:'NONE');process.exit(0)})" 2>&1 | tail -1)
  echo "$icd: $r" | tee -a "$OUT/icd.txt"
  case "$r" in ADAPTER*) found=$icd; break;; esac
done
if [ -z "$found" ]; then
  ls -la /dev/nvidia* /dev/dri 2>&1 | tee -a "$OUT/icd.txt"
  VK_LOADER_DEBUG=all VK_ICD_FILENAMES=/tmp/icd/libEGL_nvidia.so.0.json timeout 30 node -e "const {create,globals}=require('./.devcarry/node_modules/webgpu');Object.assign(globalThis,globals);create([]).requestAdapter().then(()=>process.exit(0))" > "$OUT/loader-debug.txt" 2>&1
  exit 3
fi
export VK_ICD_FILENAMES=$found
start=$(date +%s)
timeout 330 node --max-old-space-size=8192 .devcarry/webgpu-device.js --full 2>&1 | tee "$OUT/bench.txt"
echo "bench exit ${PIPESTATUS[0]} after $(($(date +%s) - start)) s" | tee -a "$OUT/bench.txt"
